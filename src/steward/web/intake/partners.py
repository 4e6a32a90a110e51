"""The register of partners and data-sharing agreements, as pages: the partners (counted,
paged, filtered), a partner's page (its agreements in force and ended with the data sets each
covers, its contacts and its accounts, with the forms to add them), adding and changing a
partner, recording an agreement and ending one. Kept by the information-governance roles
(intake:review), each action checked again by the service.

A partner account's own pages (its organisation, the data sets it may send) are in
``partners_organisation``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import clock
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor
from steward.intake import datasets
from steward.intake.policy import LAWFUL_BASIS_NAMES, PARTNER_KIND_NAMES
from steward.intake.service import contacts, partners, register
from steward.intake.service.register import AGREEMENT_STATE_NAMES, AgreementState, PartnerFilter
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

FilterText = Annotated[str, Query(max_length=64)]
Many = Annotated[list[str] | None, Form(max_length=100)]
MANAGE = partners.MANAGE
ACTIVE_WORDS = {"yes": "Active", "no": "Not active", "any": "Active or not"}
# The contact form shares the partner's page with the account forms: its fields are named
# apart, so the error summary links to the right one.
CONTACT_FIELDS = {
    "name": "contact_name",
    "email": "contact_email",
    "job_title": "contact_job_title",
}


def words() -> dict[str, Any]:
    return {
        "kind_words": {k.value: w for k, w in PARTNER_KIND_NAMES.items()},
        "basis_words": {b.value: w for b, w in LAWFUL_BASIS_NAMES.items()},
        "state_words": {s.value: w for s, w in AGREEMENT_STATE_NAMES.items()},
        "active_words": ACTIVE_WORDS,
        "dataset_titles": {name: d.title for name, d in datasets.latest().items()},
    }


def shown(exc: DomainError, *, fields: tuple[str, ...], summary: str) -> dict[str, Any]:
    """``refusal``, with a conflict about one field (a code already taken) linked to it."""
    page = refusal(exc, fields=fields, summary=summary)
    if not isinstance(exc, ValidationFailed) and exc.field in fields:
        page["errors"] = {exc.field: exc.message}
    return page


@router.get("/intake/partners")
def partners_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    kind: FilterText = "",
    active: FilterText = "",
    q: FilterText = "",
) -> Response:
    actor.require(MANAGE)
    wanted = PartnerFilter.read(kind=kind, active=active, search=q)
    listing = register.list_partners(db, actor, page, wanted)
    return render(
        request,
        "intake/partners_list.html",
        {"listing": listing, "filters": wanted, **words()},
    )


def _partner_form(
    request: Request,
    form: dict[str, Any],
    *,
    partner: Any = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "intake/partners_form.html",
        {"form": form, "partner": partner, **words(), **extra},
        status_code=status_code,
    )


@router.get("/intake/partners/new")
def new_partner_page(request: Request, actor: PageActor) -> Response:
    actor.require(MANAGE)
    return _partner_form(request, {})


@router.post("/intake/partners/new")
def new_partner(
    request: Request,
    db: DB,
    actor: PageActor,
    code: Annotated[str, Form(max_length=100)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    actor.require(MANAGE)
    form = {"code": code, "name": name, "kind": kind}
    try:
        with db.begin_nested():
            partner = partners.create_partner(db, actor, code=code, name=name, kind=kind)
    except DomainError as exc:
        return _partner_form(
            request, form, **shown(exc, fields=("code", "name", "kind"), summary="code")
        )
    return RedirectResponse(f"/intake/partners/{partner.id}", status_code=303)


def _partner_page(
    request: Request,
    db: DB,
    actor: Actor,
    partner_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view = register.view_partner(db, actor, partner_id)
    return render(
        request,
        "intake/partners_detail.html",
        {
            "view": view,
            "in_force": view.in_state(AgreementState.IN_FORCE),
            "not_yet": view.in_state(AgreementState.NOT_YET),
            "ended": view.in_state(AgreementState.ENDED),
            "contact": {},
            **words(),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/intake/partners/{partner_id}")
def partner_page(request: Request, db: DB, actor: PageActor, partner_id: Id) -> Response:
    actor.require(MANAGE)
    return _partner_page(request, db, actor, partner_id)


@router.get("/intake/partners/{partner_id}/edit")
def change_partner_page(request: Request, db: DB, actor: PageActor, partner_id: Id) -> Response:
    actor.require(MANAGE)
    partner = partners.get_partner(db, partner_id)
    form = {"name": partner.name, "kind": partner.kind, "active": "yes" if partner.active else "no"}
    return _partner_form(request, form, partner=partner)


@router.post("/intake/partners/{partner_id}/edit")
def change_partner(
    request: Request,
    db: DB,
    actor: PageActor,
    partner_id: Id,
    name: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    actor.require(MANAGE)
    partner = partners.get_partner(db, partner_id)
    form = {"name": name, "kind": kind, "active": active}
    try:
        if active not in ("yes", "no"):
            raise ValidationFailed(
                "Check the partner's details.",
                errors={"active": "Choose whether the partner is active"},
            )
        with db.begin_nested():
            partners.change_partner(
                db, actor, partner_id, name=name, kind=kind, active=active == "yes"
            )
    except DomainError as exc:
        return _partner_form(
            request,
            form,
            partner=partner,
            **shown(exc, fields=("name", "kind", "active"), summary="name"),
        )
    return RedirectResponse(f"/intake/partners/{partner_id}", status_code=303)


@router.post("/intake/partners/{partner_id}/contacts")
def add_contact(
    request: Request,
    db: DB,
    actor: PageActor,
    partner_id: Id,
    contact_name: Annotated[str, Form(max_length=1000)] = "",
    contact_email: Annotated[str, Form(max_length=1000)] = "",
    contact_job_title: Annotated[str, Form(max_length=1000)] = "",
    receives_notices: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    actor.require(MANAGE)
    typed = {
        "contact_name": contact_name,
        "contact_email": contact_email,
        "contact_job_title": contact_job_title,
        "receives_notices": receives_notices,
    }
    try:
        with db.begin_nested():
            contacts.add_contact(
                db,
                actor,
                partner_id,
                name=contact_name,
                email=contact_email,
                job_title=contact_job_title,
                receives_notices=receives_notices == "yes",
            )
    except DomainError as exc:
        if isinstance(exc, ValidationFailed):
            exc.errors = {CONTACT_FIELDS.get(k, k): v for k, v in exc.errors.items()}
        page = shown(exc, fields=tuple(CONTACT_FIELDS.values()), summary="contacts")
        return _partner_page(request, db, actor, partner_id, contact=typed, **page)
    return RedirectResponse(f"/intake/partners/{partner_id}#contacts", status_code=303)


@router.post("/intake/partners/{partner_id}/contacts/{contact_id}/remove")
def remove_contact(
    request: Request, db: DB, actor: PageActor, partner_id: Id, contact_id: Id
) -> Response:
    actor.require(MANAGE)
    contacts.remove_contact(db, actor, partner_id, contact_id)
    return RedirectResponse(f"/intake/partners/{partner_id}#contacts", status_code=303)


@router.post("/intake/partners/{partner_id}/accounts")
def link_account(
    request: Request,
    db: DB,
    actor: PageActor,
    partner_id: Id,
    username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Link the partner organisation user's account chosen by its username."""
    actor.require(MANAGE)
    try:
        with db.begin_nested():
            partners.link_username(db, actor, partner_id=partner_id, username=username)
    except DomainError as exc:
        page = shown(exc, fields=("username",), summary="username")
        return _partner_page(request, db, actor, partner_id, **page)
    return RedirectResponse(f"/intake/partners/{partner_id}#accounts", status_code=303)


@router.post("/intake/partners/{partner_id}/accounts/unlink")
def unlink_account(
    request: Request,
    db: DB,
    actor: PageActor,
    partner_id: Id,
    username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    actor.require(MANAGE)
    try:
        with db.begin_nested():
            partners.unlink_username(db, actor, partner_id=partner_id, username=username)
    except DomainError as exc:
        page = refusal(exc, fields=("accounts",), summary="accounts")
        return _partner_page(request, db, actor, partner_id, **page)
    return RedirectResponse(f"/intake/partners/{partner_id}#accounts", status_code=303)


# --- agreements --------------------------------------------------------------------------

AGREEMENT_FIELDS = (
    "reference",
    "title",
    "lawful_basis",
    "special_category_condition",
    "statutory_power",
    "datasets",
    "retention_months",
    "starts_on",
    "ends_on",
)


def _agreement_form(
    request: Request,
    db: DB,
    partner_id: int,
    form: dict[str, Any],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    partner = partners.get_partner(db, partner_id)
    options = [(d.name, d.title, d.description) for d in datasets.latest().values()]
    return render(
        request,
        "intake/partners_agreement_form.html",
        {
            "partner": partner,
            "form": form,
            "dataset_options": sorted(options),
            **words(),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/intake/partners/{partner_id}/agreements/new")
def new_agreement_page(request: Request, db: DB, actor: PageActor, partner_id: Id) -> Response:
    actor.require(MANAGE)
    return _agreement_form(
        request, db, partner_id, {"datasets": [], "starts_on": {}, "ends_on": {}}
    )


@router.post("/intake/partners/{partner_id}/agreements/new")
def new_agreement(
    request: Request,
    db: DB,
    actor: PageActor,
    partner_id: Id,
    starts: Annotated[DateParts, date_parts("starts_on")],
    ends: Annotated[DateParts, date_parts("ends_on")],
    reference: Annotated[str, Form(max_length=1000)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    lawful_basis: Annotated[str, Form(max_length=32)] = "",
    special_category_condition: Annotated[str, Form(max_length=2000)] = "",
    statutory_power: Annotated[str, Form(max_length=2000)] = "",
    chosen: Annotated[list[str] | None, Form(alias="datasets", max_length=100)] = None,
    retention_months: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    actor.require(MANAGE)
    starts_on = read_date(starts, "starts_on", what="The date it comes into force")
    ends_on = read_date(ends, "ends_on", what="The date it ends", required=False)
    form = {
        "reference": reference,
        "title": title,
        "lawful_basis": lawful_basis,
        "special_category_condition": special_category_condition,
        "statutory_power": statutory_power,
        "datasets": chosen or [],
        "retention_months": retention_months,
        "starts_on": starts_on.parts,
        "ends_on": ends_on.parts,
    }
    try:
        errors = {
            name: answer.error
            for name, answer in (("starts_on", starts_on), ("ends_on", ends_on))
            if answer.error
        }
        months = retention_months.strip()
        if not months.isdigit() or len(months) > 6:
            errors["retention_months"] = "Enter the number of months, for example 12"
        if errors or starts_on.value is None:
            raise ValidationFailed("Check the agreement's details.", errors=errors)
        with db.begin_nested():
            partners.create_agreement(
                db,
                actor,
                partner_id=partner_id,
                reference=reference,
                title=title,
                lawful_basis=lawful_basis,
                statutory_power=statutory_power,
                dataset_names=chosen or [],
                retention_months=int(months),
                starts_on=starts_on.value,
                ends_on=ends_on.value,
                special_category_condition=special_category_condition,
            )
    except DomainError as exc:
        page = shown(exc, fields=AGREEMENT_FIELDS, summary="reference")
        return _agreement_form(request, db, partner_id, form, **page)
    return RedirectResponse(f"/intake/partners/{partner_id}#agreements", status_code=303)


def _end_form(
    request: Request,
    db: DB,
    actor: Actor,
    agreement_id: int,
    form: dict[str, Any],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    actor.require(MANAGE)
    view = register.agreement_view(db, actor, agreement_id)
    return render(
        request,
        "intake/partners_agreement_end.html",
        {
            "view": view,
            "partner": partners.get_partner(db, view.agreement.partner_id),
            "form": form,
            "today": clock.today(),
            **words(),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/intake/agreements/{agreement_id}/end")
def end_agreement_page(request: Request, db: DB, actor: PageActor, agreement_id: Id) -> Response:
    actor.require(MANAGE)
    return _end_form(request, db, actor, agreement_id, {"ends_on": {}})


@router.post("/intake/agreements/{agreement_id}/end")
def end_agreement(
    request: Request,
    db: DB,
    actor: PageActor,
    agreement_id: Id,
    typed: Annotated[DateParts, date_parts("ends_on")],
) -> Response:
    actor.require(MANAGE)
    ends = read_date(typed, "ends_on", what="The last day it is in force")
    form = {"ends_on": ends.parts}
    try:
        if ends.error or ends.value is None:
            raise ValidationFailed(
                "Check the end date.", errors={"ends_on": ends.error or "Enter the end date"}
            )
        with db.begin_nested():
            ended = partners.end_agreement(db, actor, agreement_id=agreement_id, ends_on=ends.value)
    except DomainError as exc:
        page = shown(exc, fields=("ends_on",), summary="ends_on")
        return _end_form(request, db, actor, agreement_id, form, **page)
    return RedirectResponse(f"/intake/partners/{ended.partner_id}#agreements", status_code=303)
