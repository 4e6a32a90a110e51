"""The retention schedule in print (/assurance/retention-schedule): any version as a page with
print styles and as a PDF, and the differences between two versions as a page and a PDF.
Retention owns the wording (retention.service.schedule_print); these pages only show it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from steward.core.permissions import Actor
from steward.retention.service import schedule_print
from steward.web.assurance.sections import sections_for
from steward.web.deps import DB, PageActor
from steward.web.downloads import download_response
from steward.web.ids import MAX_ID
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)

HOME = "/assurance/retention-schedule"
Version = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Compared = Annotated[int, Query(ge=1, le=MAX_ID)]


def _versions(db: DB, actor: Actor) -> list[tuple[int, str]]:
    return [(s.version, str(s.status)) for s in schedule_print.versions(db, actor)]


@router.get(HOME)
def schedule_page(request: Request, db: DB, actor: PageActor, version: Version = None) -> Response:
    printed = schedule_print.printable(db, actor, version)
    return render(
        request,
        "assurance/processing/schedule.html",
        {"printed": printed, "versions": _versions(db, actor), "sections": sections_for(actor)},
    )


@router.get(HOME + "/schedule.pdf")
def schedule_pdf(db: DB, actor: PageActor, version: Version = None) -> Response:
    number, data = schedule_print.schedule_pdf(db, actor, version)
    return download_response(f"retention-schedule-v{number}.pdf", "application/pdf", data)


def _pair(db: DB, actor: Actor, old: int | None, new: int | None) -> tuple[int, int]:
    if old is not None and new is not None:
        return old, new
    default = schedule_print.default_pair(db, actor)
    return (old or default[0]), (new or default[1])


@router.get(HOME + "/changes")
def changes_page(
    request: Request,
    db: DB,
    actor: PageActor,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    to: Version = None,
) -> Response:
    versions = _versions(db, actor)
    diff = None
    if len(versions) > 1:
        old, new = _pair(db, actor, from_, to)
        diff = schedule_print.differences(db, actor, old, new)
    return render(
        request,
        "assurance/processing/schedule_changes.html",
        {"diff": diff, "versions": versions, "sections": sections_for(actor)},
    )


@router.get(HOME + "/changes.pdf")
def changes_pdf(
    db: DB,
    actor: PageActor,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    to: Version = None,
) -> Response:
    old, new = _pair(db, actor, from_, to)
    data = schedule_print.diff_pdf(db, actor, old, new)
    return download_response(f"retention-schedule-v{old}-to-v{new}.pdf", "application/pdf", data)
