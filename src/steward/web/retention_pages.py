"""HTML pages of retention: the schedule with its impact and approval, the due list, holds,
disposal review with the second approval, certificates, a case's retention explained, and
the DPO's report.

Thin: the retention service checks every permission and records every change. Carrying out
an approved list, and re-dating every record, commit as they go and can run for a long time,
which a web request should not: the pages start them as background jobs (core.jobs) and send
the person to the job's page, which shows progress. Every bulk decision and the second
approval have a confirmation page first. Pages show identifiers (case numbers, class codes),
never names; only the explanation of one case names its people, and only to those who may
read the case.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import auth, clock, jobs
from steward.core.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.records.models import Case
from steward.records.service import access
from steward.retention.models import (
    DisposalItem,
    DisposalStatus,
    HoldKind,
    HoldScope,
    RecordKind,
)
from steward.retention.policy import Action
from steward.retention.service import (
    certificates,
    dates,
    disposal,
    holds,
    report,
    schedules,
    sealing,
    undatable,
)
from steward.retention.service import jobs as retention_jobs
from steward.web.deps import DB, Keyring, PageActor, csrf_protect, writes
from steward.web.forms import read_date
from steward.web.ids import MAX_ID, Id
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
    as_of: Annotated[str | None, Query(max_length=10)] = None,
    day: Annotated[str, Query(alias="as_of-day", max_length=4)] = "",
    month: Annotated[str, Query(alias="as_of-month", max_length=4)] = "",
    year: Annotated[str, Query(alias="as_of-year", max_length=6)] = "",
    kind: Annotated[RecordKind | None, Query()] = None,
    action: Annotated[Action | None, Query()] = None,
    held: Annotated[Literal["yes", "no"] | None, Query()] = None,
) -> Response:
    """The due list as of a date (typed as day, month and year; ``as_of`` ISO for links),
    narrowed by kind, action or hold, a page at a time. Filters hold no personal data."""
    actor.require(Permission.RETENTION_MANAGE)
    filters = {"kind": kind, "action": action, "held": held}
    typed = {"as_of-day": day, "as_of-month": month, "as_of-year": year}
    context: dict[str, Any] = {
        "fresh": dates.freshness(db),
        "filters": filters,
        "kinds": list(RecordKind),
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


def _queue(request: Request) -> jobs.JobQueue:
    queue: jobs.JobQueue = request.app.state.job_queue
    return queue


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
    job = retention_jobs.start_redate(db, actor, _queue(request))
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
    access.require_any_case_access(actor)  # before the lookup: no probing for case ids
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


# --- disposal ------------------------------------------------------------------------------


def _lists_page(
    request: Request, db: DB, actor: PageActor, page: PageRequest, **extra: Any
) -> Response:
    return render(
        request,
        "retention/disposal_lists.html",
        {"lists": disposal.lists_page(db, actor, page), "as_of": {}, **extra},
        status_code=422 if extra.get("error") else 200,
    )


@router.get("/retention/disposal")
def disposal_lists(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    return _lists_page(request, db, actor, page)


@router.post("/retention/disposal")
def propose(
    request: Request,
    db: DB,
    actor: PageActor,
    as_of_day: Annotated[str, Form(alias="as_of-day", max_length=4)] = "",
    as_of_month: Annotated[str, Form(alias="as_of-month", max_length=4)] = "",
    as_of_year: Annotated[str, Form(alias="as_of-year", max_length=6)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    typed = {"as_of-day": as_of_day, "as_of-month": as_of_month, "as_of-year": as_of_year}
    answer = read_date(typed, "as_of", what="The date records are due by")
    try:
        if answer.value is None:
            raise ValidationFailed(
                answer.error or "Enter a date", errors={"as_of": answer.error or ""}
            )
        with db.begin_nested():
            made = disposal.propose(db, actor, as_of=answer.value)
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"as_of": exc.message}
        return _lists_page(
            request, db, actor, PageRequest(), error=exc.message, errors=errors, as_of=answer.parts
        )
    return RedirectResponse(f"/retention/disposal/{made.id}", status_code=303)


def _list_page(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    list_id: int,
    page: PageRequest,
    **extra: Any,
) -> Response:
    found = disposal.list_header(db, actor, list_id)
    summary = disposal.summarise(db, actor, list_id)
    items = disposal.items_page(db, actor, list_id, page)
    people = {i.decided_by_user_id for i in items.items} | {
        found.proposed_by_user_id,
        found.approved_by_user_id,
    }
    names = auth.usernames(db, (u for u in people if u is not None))
    reasons = {i.id: sealing.retain_reason(db, kek, i) for i in items.items if i.review_on}
    return render(
        request,
        "retention/disposal.html",
        {
            "found": found,
            "items": items,
            "summary": summary,
            "reasons": reasons,
            "names": names,
            "can_approve": disposal.may_approve_now(actor, found, summary),
            "approval_refusal": disposal.approval_refusal(actor, found, summary.deciders),
            "can_carry_out": actor.can(Permission.RETENTION_APPROVE),
            "job": jobs.latest_for(db, retention_jobs.DISPOSAL, found.id),
            **extra,
        },
        status_code=422 if extra.get("error") else 200,
    )


def _confirm(
    request: Request, db: DB, actor: PageActor, found: Any, action: str, **extra: Any
) -> Response:
    return render(
        request,
        "retention/disposal_confirm.html",
        {
            "found": found,
            "action": action,
            "counts": disposal.summarise(db, actor, found.id),
            **extra,
        },
    )


@router.get("/retention/disposal/{list_id}/decide-all")
def decide_all_confirm(request: Request, db: DB, actor: PageActor, list_id: Id) -> Response:
    """A confirmation before one decision is recorded for every undecided item."""
    found = disposal.list_header(db, actor, list_id)
    if found.status != DisposalStatus.IN_REVIEW:
        raise InvalidTransition(
            "Decisions can only be made while the list is in review. Go back to the list."
        )
    return _confirm(request, db, actor, found, "decide")


@router.get("/retention/disposal/{list_id}/approve")
def approve_confirm(request: Request, db: DB, actor: PageActor, list_id: Id) -> Response:
    found = disposal.list_header(db, actor, list_id)
    summary = disposal.summarise(db, actor, list_id)
    refusal = disposal.approval_refusal(actor, found, summary.deciders)
    if refusal is not None:
        raise Forbidden(refusal)
    if not disposal.may_approve_now(actor, found, summary):
        raise InvalidTransition(
            "This list cannot be approved now: every item needs a decision while it is in "
            "review. Go back to the list to see what is left."
        )
    return _confirm(request, db, actor, found, "approve")


@router.get("/retention/disposal/{list_id}/carry-out")
def carry_out_confirm(request: Request, db: DB, actor: PageActor, list_id: Id) -> Response:
    actor.require(Permission.RETENTION_APPROVE)
    found = disposal.list_header(db, actor, list_id)
    if found.status not in (DisposalStatus.APPROVED, DisposalStatus.EXECUTING):
        raise InvalidTransition(
            "Only an approved list can be carried out. Go back to the list to see what it needs."
        )
    running = jobs.active_for(db, retention_jobs.DISPOSAL, found.id)
    if running is not None:
        return RedirectResponse(f"/jobs/{running.id}", status_code=303)
    return _confirm(request, db, actor, found, "carry_out")


@router.post("/retention/disposal/{list_id}/carry-out")
def carry_out(request: Request, db: DB, actor: PageActor, list_id: Id) -> Response:
    """Start (or carry on with) destroying the approved items, in the background."""
    job = retention_jobs.start_disposal(db, actor, _queue(request), list_id=list_id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/retention/disposal/{list_id}")
def disposal_page(
    request: Request, db: DB, actor: PageActor, kek: Keyring, list_id: Id, page: PageQuery
) -> Response:
    return _list_page(request, db, actor, kek, list_id, page)


def _item_on_list(db: DB, actor: PageActor, list_id: int, item_id: int) -> DisposalItem:
    disposal.list_header(db, actor, list_id)
    item = db.get(DisposalItem, item_id)
    if item is None or item.list_id != list_id:
        raise NotFound("That item is not on this disposal list.")
    return item


@router.get("/retention/disposal/{list_id}/items/{item_id}/retain")
def retain_form(request: Request, db: DB, actor: PageActor, list_id: Id, item_id: Id) -> Response:
    """Keeping one item: why, and when it is looked at again (one question per page)."""
    item = _item_on_list(db, actor, list_id, item_id)
    return render(
        request,
        "retention/retain.html",
        {"found": item.disposal_list, "item": item, "form": {}, "review": {}},
    )


@router.post("/retention/disposal/{list_id}/decide")
def decide(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    list_id: Id,
    decision: Annotated[str, Form(max_length=16)] = "",
    item_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    reason: Annotated[str, Form(max_length=4000)] = "",
    review_day: Annotated[str, Form(alias="review_on-day", max_length=4)] = "",
    review_month: Annotated[str, Form(alias="review_on-month", max_length=4)] = "",
    review_year: Annotated[str, Form(alias="review_on-year", max_length=6)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    typed = {
        "review_on-day": review_day,
        "review_on-month": review_month,
        "review_on-year": review_year,
    }
    review = read_date(
        typed, "review_on", what="The date it is reviewed again", required=decision == "retain"
    )
    try:
        with db.begin_nested():
            if decision == "retain" and review.value is None:
                raise ValidationFailed(
                    review.error or "Enter a date", errors={"review_on": review.error or ""}
                )
            disposal.decide(
                db,
                actor,
                kek,
                list_id=list_id,
                item_ids=[item_id] if item_id else [],
                decision=decision,
                reason=reason or None,
                review_on=review.value,
            )
    except ValidationFailed as exc:
        if item_id is not None and decision == "retain":
            item = _item_on_list(db, actor, list_id, item_id)
            return render(
                request,
                "retention/retain.html",
                {
                    "found": item.disposal_list,
                    "item": item,
                    "form": {"reason": reason},
                    "review": review.parts,
                    "error": exc.message,
                    "errors": exc.errors,
                },
                status_code=422,
            )
        return _list_page(
            request, db, actor, kek, list_id, PageRequest(), error=exc.message, errors=exc.errors
        )
    return RedirectResponse(f"/retention/disposal/{list_id}", status_code=303)


@router.post("/retention/disposal/{list_id}/approve")
def approve(db: DB, actor: PageActor, kek: Keyring, list_id: Id) -> Response:
    disposal.approve(db, actor, kek, list_id=list_id)
    return RedirectResponse(f"/retention/disposal/{list_id}", status_code=303)


@router.get("/retention/disposal/{list_id}/certificate")
def certificate_page(request: Request, db: DB, actor: PageActor, list_id: Id) -> Response:
    cert = certificates.certificate_for(db, actor, list_id=list_id)
    return render(
        request,
        "retention/certificate.html",
        {"cert": cert, "rules": json.loads(cert.rules), "approvers": json.loads(cert.approvers)},
    )


@router.get("/retention/report")
def report_page(request: Request, db: DB, actor: PageActor) -> Response:
    return render(
        request,
        "retention/report.html",
        {"report": report.build(db, actor), "fresh": dates.freshness(db)},
    )
