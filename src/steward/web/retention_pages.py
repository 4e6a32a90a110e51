"""HTML pages of retention: the schedule with its impact and approval, the due list, holds,
disposal review with the second approval, certificates, a case's retention explained, and
the DPO's report.

Thin: the retention service checks every permission and records every change. Carrying out
an approved list, and re-dating every record, commit as they go and can run for a long time,
which a web request should not: the pages start them as background jobs (core.jobs) and send
the person to the job's page, which shows progress. Disposal lists have their own module
(retention_disposal_pages). Pages show identifiers (case numbers, class codes),
never names; only the explanation of one case names its people, and only to those who may
read the case.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import clock, jobs
from steward.core.errors import (
    NotFound,
    ValidationFailed,
)
from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.records.models import Case
from steward.records.service import access
from steward.retention.models import (
    HoldKind,
    HoldScope,
)
from steward.retention.policy import Action
from steward.retention.service import (
    dates,
    holds,
    registry,
    report,
    schedules,
    undatable,
)
from steward.retention.service import jobs as retention_jobs
from steward.web.deps import DB, Keyring, PageActor, csrf_protect, writes
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _iso(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(
            "Enter the date as YYYY-MM-DD, for example 2026-03-31.",
            errors={field: "Enter a real date"},
        ) from exc


# --- schedule ------------------------------------------------------------------------------


def _schedule_page(request: Request, db: DB, actor: PageActor, **extra: Any) -> Response:
    listed = schedules.list_schedules(db, actor)
    current = schedules.approved(db)
    draft = schedules.draft(db)
    return render(
        request,
        "retention/schedule.html",
        {
            "current": current,
            "draft": draft,
            "impact": schedules.stored_impact(draft) if draft else [],
            "history": listed,
            "can_approve": actor.can(Permission.RETENTION_APPROVE),
            **extra,
        },
        status_code=422 if extra.get("error") else 200,
    )


@router.get("/retention")
def schedule_page(request: Request, db: DB, actor: PageActor) -> Response:
    return _schedule_page(request, db, actor)


@router.post("/retention/schedule")
def load_schedule(
    request: Request,
    db: DB,
    actor: PageActor,
    source: Annotated[str, Form(max_length=1_000_000)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        with db.begin_nested():
            schedules.load(db, actor, source)
    except ValidationFailed as exc:
        return _schedule_page(
            request, db, actor, error=exc.message, errors=exc.errors, source=source
        )
    return RedirectResponse("/retention", status_code=303)


@router.post("/retention/schedule/{version}/approve")
def approve_schedule(db: DB, actor: PageActor, version: Id) -> Response:
    schedules.approve(db, actor, version=version)
    return RedirectResponse("/retention", status_code=303)


# --- due list and explanation --------------------------------------------------------------


@router.get("/retention/due")
def due_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    typed: Annotated[DateParts, date_parts("as_of")],
    as_of: Annotated[str | None, Query(max_length=10)] = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    action: Annotated[Action | None, Query()] = None,
    held: Annotated[Literal["yes", "no"] | None, Query()] = None,
) -> Response:
    """The due list as of a date (typed as day, month and year; ``as_of`` ISO for links),
    narrowed by kind (cases, paper files, or a kind another domain registered), action or
    hold, a page at a time. Filters hold no personal data."""
    actor.require(Permission.RETENTION_MANAGE)
    kinds = registry.all_kinds()
    if kind is not None and kind not in kinds:
        kind = None  # a kind no longer registered (an old link): the whole list
    filters = {"kind": kind, "action": action, "held": held}
    context: dict[str, Any] = {
        "fresh": dates.freshness(db),
        "filters": filters,
        "kinds": kinds,
        "actions": list(Action),
    }
    if any(typed.values()):
        answer = read_date(typed, "as_of", what="The date")
        if answer.value is None:
            context |= {
                "as_of": clock.today(),
                "parts": answer.parts,
                "error": answer.error,
                "errors": {"as_of": answer.error},
            }
            return render(request, "retention/due.html", context, status_code=422)
        when = answer.value
    else:
        try:
            when = _iso(as_of, "as_of") if as_of else clock.today()
        except ValidationFailed as exc:
            context |= {"as_of": clock.today(), "parts": {}, "error": exc.message}
            context["errors"] = {"as_of": "Enter a real date"}
            return render(request, "retention/due.html", context, status_code=422)
    rows = dates.due_page(
        db,
        actor,
        page,
        as_of=when,
        kind=kind,
        action=action.value if action else None,
        held=None if held is None else held == "yes",
    )
    parts = {"day": str(when.day), "month": str(when.month), "year": str(when.year)}
    return render(
        request, "retention/due.html", context | {"rows": rows, "as_of": when, "parts": parts}
    )


@router.get("/retention/redate")
def redate_confirm(request: Request, db: DB, actor: PageActor) -> Response:
    """Re-dating every record can take minutes on a large store: confirm, then run it in
    the background."""
    actor.require(Permission.RETENTION_MANAGE)
    running = jobs.active_for(db, retention_jobs.REDATE, None)
    return render(
        request,
        "retention/redate_confirm.html",
        {"fresh": dates.freshness(db), "running": running},
    )


@router.post("/retention/due/sweep")
def sweep_now(request: Request, db: DB, actor: PageActor) -> Response:
    """Re-date every record now (audited), in the background: for when facts changed since
    the nightly sweep."""
    job = retention_jobs.start_redate(db, actor, job_queue(request))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/retention/undatable")
def undatable_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> Response:
    """Each record the schedule cannot date, what it lacks, and a link to where it is fixed."""
    listed = undatable.undatable(db, actor, page=page)
    return render(
        request, "retention/undatable.html", {"listed": listed, "fresh": dates.freshness(db)}
    )


@router.get("/retention/cases/{case_id}")
@writes
def explain_page(request: Request, db: DB, actor: PageActor, case_id: Id) -> Response:
    access.require_any_case_access(db, actor)  # before the lookup: no probing for case ids
    case = db.get(Case, case_id)
    if case is None:
        raise NotFound("There is no such case.")
    found = dates.explain(db, actor, case_number=case.case_number)
    return render(request, "retention/explain.html", {"found": found})


# --- holds ---------------------------------------------------------------------------------


def _holds_page(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    page: PageRequest,
    status: str = "active",
    **extra: Any,
) -> Response:
    listed = holds.holds_page(db, actor, page, status=status)
    return render(
        request,
        "retention/holds.html",
        {
            "holds": listed,
            "covers": holds.coverage(db, actor, listed.items),
            "reasons": {h.id: holds.reasons(db, kek, h) for h in listed.items},
            "status": status,
            "statuses": holds.HOLD_STATUSES,
            "kinds": list(HoldKind),
            "scopes": list(HoldScope),
            **extra,
        },
        status_code=422 if extra.get("error") else 200,
    )


@router.get("/retention/holds")
def holds_page(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    page: PageQuery,
    status: Annotated[Literal["active", "released", "all"], Query()] = "active",
) -> Response:
    return _holds_page(request, db, actor, kek, page, status)


@router.post("/retention/holds")
def place_hold(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    kind: Annotated[str, Form(max_length=40)] = "",
    scope: Annotated[str, Form(max_length=40)] = "",
    targets: Annotated[str, Form(max_length=20_000)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    reference: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    form = {
        "kind": kind,
        "scope": scope,
        "targets": targets,
        "reason": reason,
        "reference": reference,
    }
    try:
        with db.begin_nested():
            holds.place_hold(
                db,
                actor,
                kek,
                kind=kind,
                scope=scope,
                targets=targets.split(),
                reason=reason,
                reference=reference or None,
            )
    except ValidationFailed as exc:
        return _holds_page(
            request, db, actor, kek, PageRequest(), error=exc.message, errors=exc.errors, form=form
        )
    return RedirectResponse("/retention/holds", status_code=303)


@router.post("/retention/holds/{hold_id}/release")
def release_hold(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    hold_id: Id,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        with db.begin_nested():
            holds.release_hold(db, actor, kek, hold_id=hold_id, reason=reason)
    except ValidationFailed as exc:
        return _holds_page(
            request,
            db,
            actor,
            kek,
            PageRequest(),
            error=exc.message,
            errors={"reason": "Enter why it is released"},
        )
    return RedirectResponse("/retention/holds", status_code=303)


@router.get("/retention/report")
def report_page(request: Request, db: DB, actor: PageActor) -> Response:
    return render(
        request,
        "retention/report.html",
        {"report": report.build(db, actor), "fresh": dates.freshness(db)},
    )
