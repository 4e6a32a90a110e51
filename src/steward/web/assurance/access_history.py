"""Who has looked at this child's record: the history of a case (found by its number) or of a
person (by their record number), as a page and as CSV, for readers of the audit trail.

Only ids and case numbers sit in the address, never a name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from steward.assurance.oversight.policy import ACCESS_WORDS
from steward.assurance.oversight.service import history
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.assurance.oversight_common import csv_download, nav
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.ids import MAX_ID
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
HREF = "/assurance/access"
Text = Annotated[str, Query(max_length=64)]


def _form(case: str, person: str) -> tuple[str, int | None, dict[str, str]]:
    case, person = case.strip(), person.strip()
    if person and not (person.isdigit() and 1 <= int(person) <= MAX_ID):
        return case, None, {"person": "Enter a person record number, like 1234"}
    return case, int(person) if person else None, {}


def subject_of(db: DB, actor: Actor, case: str, person: str) -> history.Subject:
    number, person_id, errors = _form(case, person)
    if errors:
        raise ValidationFailed("Check the record you asked for.", errors=errors)
    return history.find_subject(db, actor, case_number=number, person_id=person_id)


@router.get(HREF)
def access_page(
    request: Request, db: DB, actor: PageActor, page: PageQuery, case: Text = "", person: Text = ""
) -> Response:
    actor.require(Permission.AUDIT_READ)
    context: dict[str, Any] = {
        **nav(actor, HREF),
        "form": {"case": case, "person": person},
        "access_words": {k.value: v for k, v in ACCESS_WORDS.items()},
        "may_search_people": actor.can(Permission.CASES_READ_ALL),
    }
    if not case.strip() and not person.strip():
        return render(request, "assurance/access.html", context)
    try:
        subject = subject_of(db, actor, case, person)
    except ValidationFailed as exc:
        return render(
            request,
            "assurance/access.html",
            {**context, "error": exc.message, "errors": exc.errors},
            status_code=422,
        )
    found = history.history(db, actor, subject, page)
    export_query = request.url.remove_query_params("page").query
    return render(
        request,
        "assurance/access.html",
        {**context, "subject": subject, "page": found, "export_query": export_query},
    )


CSV_HEADER = ("Event", "When (UTC)", "Who", "Read or change", "What", "About", "Access")


@router.get(f"{HREF}/export.csv")
def access_export(
    request: Request, db: DB, actor: PageActor, page: PageQuery, case: Text = "", person: Text = ""
) -> Response:
    actor.require(Permission.AUDIT_READ)
    if not case.strip() and not person.strip():
        # Nothing chosen yet: the form to choose it.
        return access_page(request, db, actor, page)
    subject = subject_of(db, actor, case, person)
    rows = [
        (
            line.seq,
            line.occurred_at.isoformat(),
            line.who,
            line.kind,
            line.what,
            line.about,
            ACCESS_WORDS[line.access],
        )
        for line in history.export(db, actor, subject)
    ]
    name = f"access-history-{subject.kind}-{subject.id}.csv"
    return csv_download(name, CSV_HEADER, rows)
