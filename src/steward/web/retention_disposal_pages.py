"""HTML pages of disposal: lists proposed, decided item by item (a bulk decision after a
confirmation page), approved by a second person (offered only to someone who decided none of
the items, once every item is decided), carried out as a background job with progress, and
the certificate. Thin: the retention service checks every permission and records every
change; pages show case numbers and file references, never names.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import auth, jobs
from steward.core.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.retention.models import DisposalItem, DisposalStatus
from steward.retention.service import certificate_pdf, certificates, disposal, sealing
from steward.retention.service import jobs as retention_jobs
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


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
    typed: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
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
    job = retention_jobs.start_disposal(db, actor, job_queue(request), list_id=list_id)
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
    typed: Annotated[DateParts, date_parts("review_on")],
    decision: Annotated[str, Form(max_length=16)] = "",
    item_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
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
        {
            "cert": cert,
            "digest_holds": certificates.digest_holds(db, cert),
        },
    )


@router.get("/retention/disposal/{list_id}/certificate.pdf")
def certificate_download(db: DB, actor: PageActor, settings: AppSettings, list_id: Id) -> Response:
    name, data = certificate_pdf.printed(
        db, actor, list_id=list_id, organisation=settings.organisation_name
    )
    return download_response(name, "application/pdf", data)
