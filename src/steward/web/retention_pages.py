"""HTML pages of retention: the schedule with its impact and approval, the due list, holds,
disposal review with the second approval, certificates, a case's retention explained, and
the DPO's report.

Thin: the retention service checks every permission and records every change. Carrying out
an approved list is a command (`steward disposal execute`): it commits item by item and can
run for a long time, which a web request should not. Pages show identifiers (case numbers,
class codes, person ids), never names; only the explanation of one case names its people,
and only to those who may read the case.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import auth, clock
from steward.core.errors import DomainError, NotFound, ValidationFailed
from steward.core.permissions import Permission
from steward.records.models import Case
from steward.records.service import access
from steward.retention.models import HoldKind, HoldScope
from steward.retention.service import (
    certificates,
    dates,
    disposal,
    holds,
    report,
    schedules,
    undatable,
)
from steward.web.deps import DB, Keyring, PageActor, csrf_protect, writes
from steward.web.ids import MAX_ID, Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
MAX_DUE_SHOWN = 2000  # the command line and the disposal list take the whole list


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
    as_of: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        when = _iso(as_of, "as_of") if as_of else clock.today()
    except ValidationFailed as exc:
        context = {"rows": [], "as_of": clock.today(), "typed": as_of, "fresh": dates.freshness(db)}
        context |= {"error": exc.message, "errors": exc.errors}
        return render(request, "retention/due.html", context, status_code=422)
    rows = dates.due(db, actor, as_of=when, limit=MAX_DUE_SHOWN + 1)
    return render(
        request,
        "retention/due.html",
        {
            "rows": rows[:MAX_DUE_SHOWN],
            "more": len(rows) > MAX_DUE_SHOWN,
            "as_of": when,
            "fresh": dates.freshness(db),
        },
    )


@router.post("/retention/due/sweep")
def sweep_now(
    db: DB, actor: PageActor, as_of: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """Re-date every record now (audited): for when facts changed since the nightly sweep."""
    dates.sweep(db, actor)
    when = _iso(as_of, "as_of") if as_of else clock.today()
    return RedirectResponse(f"/retention/due?as_of={when.isoformat()}", status_code=303)


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


def _holds_page(request: Request, db: DB, actor: PageActor, kek: Keyring, **extra: Any) -> Response:
    rows = [
        (h, holds.target_labels(db, h), holds.reasons(db, kek, h))
        for h in holds.list_holds(db, actor, active_only=False)
    ]
    return render(
        request,
        "retention/holds.html",
        {"rows": rows, "kinds": list(HoldKind), "scopes": list(HoldScope), **extra},
        status_code=422 if extra.get("error") else 200,
    )


@router.get("/retention/holds")
def holds_page(request: Request, db: DB, actor: PageActor, kek: Keyring) -> Response:
    return _holds_page(request, db, actor, kek)


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
        return _holds_page(request, db, actor, kek, error=exc.message, errors=exc.errors, form=form)
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
            error=exc.message,
            errors={"reason": "Enter why it is released"},
        )
    return RedirectResponse("/retention/holds", status_code=303)


# --- disposal ------------------------------------------------------------------------------


@router.get("/retention/disposal")
def disposal_lists(request: Request, db: DB, actor: PageActor) -> Response:
    return render(
        request, "retention/disposal_lists.html", {"lists": disposal.list_lists(db, actor)}
    )


@router.post("/retention/disposal")
def propose(
    request: Request, db: DB, actor: PageActor, as_of: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        with db.begin_nested():
            made = disposal.propose(db, actor, as_of=_iso(as_of, "as_of"))
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"as_of": exc.message}
        return render(
            request,
            "retention/disposal_lists.html",
            {
                "lists": disposal.list_lists(db, actor),
                "error": exc.message,
                "errors": errors,
                "as_of": as_of,
            },
            status_code=422,
        )
    return RedirectResponse(f"/retention/disposal/{made.id}", status_code=303)


def _list_page(
    request: Request, db: DB, actor: PageActor, kek: Keyring, list_id: int, **extra: Any
) -> Response:
    found = disposal.get_list(db, actor, list_id)
    people = {i.decided_by_user_id for i in found.items} | {
        found.proposed_by_user_id,
        found.approved_by_user_id,
    }
    names = auth.usernames(db, (u for u in people if u is not None))
    return render(
        request,
        "retention/disposal.html",
        {
            "found": found,
            "reasons": disposal.retain_reasons(db, kek, found),
            "names": names,
            "can_approve": actor.can(Permission.RETENTION_APPROVE),
            **extra,
        },
        status_code=422 if extra.get("error") else 200,
    )


@router.get("/retention/disposal/{list_id}")
def disposal_page(
    request: Request, db: DB, actor: PageActor, kek: Keyring, list_id: Id
) -> Response:
    return _list_page(request, db, actor, kek, list_id)


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
    review_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        with db.begin_nested():
            when = _iso(review_on, "review_on") if review_on else None
            disposal.decide(
                db,
                actor,
                kek,
                list_id=list_id,
                item_ids=[item_id] if item_id else [],
                decision=decision,
                reason=reason or None,
                review_on=when,
            )
    except ValidationFailed as exc:
        return _list_page(request, db, actor, kek, list_id, error=exc.message, errors=exc.errors)
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
