"""Audit pages: the list of audits, recording one (scope, ratings), an audit's page with its
recommendations and follow-up reviews, and adding either. The service checks permissions:
assurance:view reads, assurance:manage records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.assurance.areas import Area
from steward.assurance.audits.service import audits
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.assurance.audits_words import MAX_FIELD, shown, typed_date, words
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=MAX_FIELD)]
AUDIT_FIELDS = ("title", "kind", "auditor", "started_on", "reported_on", "overall_rating", "areas")
RECOMMENDATION_FIELDS = ("reference", "area", "text", "priority", "owner", "agreed_on")
FOLLOW_UP_FIELDS = ("reviewed_on", "findings", "rating")


@router.get("/assurance/audits")
def audits_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    listing = audits.list_audits(db, actor, page)
    return render(request, "assurance/audits.html", {"listing": listing, **words(actor)})


def _form_page(request: Request, actor: Actor, *, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "assurance/audit_form.html",
        {"form": {}, "chosen": {}, **words(actor), **extra},
        status_code=status_code,
    )


@router.get("/assurance/audits/new")
def new_audit_page(request: Request, actor: PageActor) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    return _form_page(request, actor)


async def _area_choices(request: Request) -> dict[str, str]:
    """One select per area ("area-security"): its rating, "unrated", or blank (out of scope)."""
    submitted = await request.form()
    found = {area.value: str(submitted.get(f"area-{area.value}") or "")[:16] for area in Area}
    return {area: rating for area, rating in found.items() if rating}


@router.post("/assurance/audits")
def record_audit(
    request: Request,
    db: DB,
    actor: PageActor,
    chosen: Annotated[dict[str, str], Depends(_area_choices)],
    started: Annotated[DateParts, date_parts("started_on")],
    reported: Annotated[DateParts, date_parts("reported_on")],
    title: Short = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    auditor: Short = "",
    overall_rating: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    form = {"title": title, "kind": kind, "auditor": auditor, "overall_rating": overall_rating}
    errors: dict[str, str] = {}
    started_on = typed_date(started, "started_on", "The date the audit started", errors)
    reported_on = typed_date(reported, "reported_on", "The date of the report", errors)
    new = audits.NewAudit(title, kind, auditor, started_on, reported_on, overall_rating, chosen)
    try:
        with db.begin_nested():
            row = audits.record_audit(db, actor, new)
    except ValidationFailed as exc:
        # What was typed in a date box says more than the service's "enter the date".
        merged = exc.errors | errors
        ordered = {f: merged[f] for f in AUDIT_FIELDS if f in merged}
        refused = refusal(
            ValidationFailed("Check the audit's details: nothing was recorded.", errors=ordered),
            fields=AUDIT_FIELDS,
            summary="audit",
        )
        return _form_page(
            request,
            actor,
            form=form,
            chosen=chosen,
            parts={"started_on": shown(started), "reported_on": shown(reported)},
            **refused,
        )
    return RedirectResponse(f"/assurance/audits/{row.id}", status_code=303)


def _audit_page(
    request: Request,
    db: DB,
    kek: Any,
    actor: Actor,
    audit_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view = audits.view_audit(db, kek, actor, audit_id)
    return render(
        request,
        "assurance/audit.html",
        {"view": view, "form": {}, **words(actor), **extra},
        status_code=status_code,
    )


@router.get("/assurance/audits/{audit_id}")
def audit_page(request: Request, db: DB, kek: Keyring, actor: PageActor, audit_id: Id) -> Response:
    return _audit_page(request, db, kek, actor, audit_id)


@router.post("/assurance/audits/{audit_id}/recommendations")
def add_recommendation(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    audit_id: Id,
    agreed: Annotated[DateParts, date_parts("agreed_on")],
    reference: Annotated[str, Form(max_length=16)] = "",
    area: Annotated[str, Form(max_length=32)] = "",
    text: Long = "",
    priority: Annotated[str, Form(max_length=16)] = "",
    owner: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    errors: dict[str, str] = {}
    agreed_on = typed_date(agreed, "agreed_on", "The date agreed for the action", errors)
    form = {
        "reference": reference,
        "area": area,
        "text": text,
        "priority": priority,
        "owner": owner,
    }
    try:
        with db.begin_nested():
            audits.add_recommendation(
                db,
                actor,
                audit_id,
                audits.NewRecommendation(reference, area, text, priority, owner, agreed_on),
            )
    except DomainError as exc:
        if isinstance(exc, ValidationFailed):
            exc = ValidationFailed(exc.message, errors=exc.errors | errors)
        return _audit_page(
            request,
            db,
            kek,
            actor,
            audit_id,
            form=form,
            parts={"agreed_on": shown(agreed)},
            open_form="recommendation",
            **refusal(exc, fields=RECOMMENDATION_FIELDS, summary="recommendation"),
        )
    return RedirectResponse(f"/assurance/audits/{audit_id}#recommendations", status_code=303)


@router.post("/assurance/audits/{audit_id}/follow-ups")
def record_follow_up(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    audit_id: Id,
    reviewed: Annotated[DateParts, date_parts("reviewed_on")],
    findings: Long = "",
    rating: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    errors: dict[str, str] = {}
    reviewed_on = typed_date(reviewed, "reviewed_on", "The date of the review", errors)
    try:
        with db.begin_nested():
            audits.record_follow_up(
                db, kek, actor, audit_id, reviewed_on=reviewed_on, findings=findings, rating=rating
            )
    except DomainError as exc:
        if isinstance(exc, ValidationFailed):
            exc = ValidationFailed(exc.message, errors=exc.errors | errors)
        return _audit_page(
            request,
            db,
            kek,
            actor,
            audit_id,
            form={"findings": findings, "rating": rating},
            parts={"reviewed_on": shown(reviewed)},
            open_form="follow-up",
            **refusal(exc, fields=FOLLOW_UP_FIELDS, summary="follow-up"),
        )
    return RedirectResponse(f"/assurance/audits/{audit_id}#follow-ups", status_code=303)
