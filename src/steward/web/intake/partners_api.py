"""The partner register's API (/api/v1/intake): partners, their contacts and accounts, their
data-sharing agreements, the data sets and their CSV templates, and a partner account's own
organisation. Through the same services as the pages, which check who may do what: the
register is the information-governance roles'; a partner account reads its own organisation's
agreements and the data sets it may send, and another partner's are "not found"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from steward.intake.datasets import Dataset
from steward.intake.models import Partner, PartnerContact
from steward.intake.partner_schemas import (
    AgreementCreate,
    AgreementEnd,
    AgreementRead,
    DatasetFieldRead,
    DatasetRead,
    OrganisationRead,
    PartnerAccountIn,
    PartnerAccountRead,
    PartnerChange,
    PartnerContactCreate,
    PartnerContactRead,
    PartnerCreate,
    PartnerDetail,
    PartnerRead,
    PartnerSummaryRead,
)
from steward.intake.policy import LawfulBasis
from steward.intake.service import contacts, partners, register
from steward.intake.service.register import AgreementView, PartnerFilter
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, page_of_list
from steward.web.deps import DB, ApiActor, api_requires
from steward.web.ids import Id
from steward.web.intake.partners_organisation import DatasetName, template_response

router = APIRouter(tags=["intake"], dependencies=[Depends(require_json)])
_MANAGE = Depends(api_requires(partners.MANAGE))
FilterText = Annotated[str, Query(max_length=64)]


def partner_read(partner: Partner) -> PartnerRead:
    return PartnerRead.model_validate(partner, from_attributes=True)


def agreement_read(view: AgreementView) -> AgreementRead:
    a = view.agreement
    return AgreementRead(
        id=a.id,
        partner_id=a.partner_id,
        reference=a.reference,
        title=a.title,
        lawful_basis=LawfulBasis(a.lawful_basis),
        special_category_condition=a.special_category_condition,
        statutory_power=a.statutory_power,
        datasets=list(view.datasets),
        retention_months=a.retention_months,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        state=view.state.value,
    )


def _contact_read(contact: PartnerContact) -> PartnerContactRead:
    return PartnerContactRead.model_validate(contact, from_attributes=True)


def dataset_read(dataset: Dataset) -> DatasetRead:
    return DatasetRead(
        name=dataset.name,
        version=dataset.version,
        title=dataset.title,
        description=dataset.description,
        template_url=f"/api/v1/intake/datasets/{dataset.name}/template.csv",
        fields=[
            DatasetFieldRead(
                name=f.name,
                label=f.label,
                type=f.type.value,
                required=f.required,
                max_length=f.max_length,
                allowed_values=list(f.choices),
                opinion=f.opinion,
            )
            for f in dataset.fields
        ],
    )


@router.get("/intake/partners", dependencies=[_MANAGE])
def list_partners(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    kind: FilterText = "",
    active: Annotated[str, Query(description="yes (the default), no or any")] = "",
    q: Annotated[str, Query(max_length=64, description="Part of a name or code")] = "",
) -> ApiPage[PartnerSummaryRead]:
    """Partners by name."""
    wanted = PartnerFilter.read(kind=kind, active=active, search=q)
    listing = register.list_partners(db, actor, page, wanted)
    return ApiPage.of(
        listing,
        lambda row: PartnerSummaryRead(
            **partner_read(row.partner).model_dump(),
            agreements_in_force=row.agreements_in_force,
            accounts=row.accounts,
        ),
    )


@router.post(
    "/intake/partners",
    status_code=201,
    dependencies=[_MANAGE],
    responses={409: {"description": "A partner already has this code"}},
)
def create_partner(db: DB, actor: ApiActor, body: PartnerCreate) -> PartnerRead:
    return partner_read(
        partners.create_partner(db, actor, code=body.code, name=body.name, kind=body.kind)
    )


@router.get("/intake/partners/{partner_id}", dependencies=[_MANAGE])
def get_partner(db: DB, actor: ApiActor, partner_id: Id) -> PartnerDetail:
    """A partner with its contacts, the accounts that send for it, and its agreements."""
    view = register.view_partner(db, actor, partner_id)
    return PartnerDetail(
        **partner_read(view.partner).model_dump(),
        contacts=[_contact_read(c) for c in view.contacts],
        accounts=[PartnerAccountRead(username=a.username, active=a.active) for a in view.accounts],
        agreements=[agreement_read(v) for v in view.agreements],
    )


@router.patch("/intake/partners/{partner_id}", dependencies=[_MANAGE])
def change_partner(db: DB, actor: ApiActor, partner_id: Id, body: PartnerChange) -> PartnerRead:
    """Change the partner's name, kind or whether it is active; its code stays."""
    return partner_read(
        partners.change_partner(
            db, actor, partner_id, name=body.name, kind=body.kind, active=body.active
        )
    )


@router.post("/intake/partners/{partner_id}/contacts", status_code=201, dependencies=[_MANAGE])
def add_contact(
    db: DB, actor: ApiActor, partner_id: Id, body: PartnerContactCreate
) -> PartnerContactRead:
    return _contact_read(
        contacts.add_contact(
            db,
            actor,
            partner_id,
            name=body.name,
            email=body.email,
            job_title=body.job_title,
            receives_notices=body.receives_notices,
        )
    )


@router.delete(
    "/intake/partners/{partner_id}/contacts/{contact_id}", status_code=204, dependencies=[_MANAGE]
)
def remove_contact(db: DB, actor: ApiActor, partner_id: Id, contact_id: Id) -> Response:
    contacts.remove_contact(db, actor, partner_id, contact_id)
    return Response(status_code=204)


@router.post(
    "/intake/partners/{partner_id}/accounts",
    status_code=201,
    dependencies=[_MANAGE],
    responses={409: {"description": "The account already sends for another partner"}},
)
def link_account(
    db: DB, actor: ApiActor, partner_id: Id, body: PartnerAccountIn
) -> PartnerAccountRead:
    """Let a partner organisation user's account send for this partner (one partner each)."""
    user = partners.link_username(db, actor, partner_id=partner_id, username=body.username)
    return PartnerAccountRead(username=user.username, active=user.is_active)


@router.post(
    "/intake/partners/{partner_id}/accounts/unlink", status_code=204, dependencies=[_MANAGE]
)
def unlink_account(db: DB, actor: ApiActor, partner_id: Id, body: PartnerAccountIn) -> Response:
    partners.unlink_username(db, actor, partner_id=partner_id, username=body.username)
    return Response(status_code=204)


@router.get("/intake/partners/{partner_id}/agreements")
def list_agreements(
    db: DB, actor: ApiActor, partner_id: Id, page: ApiPageQuery
) -> ApiPage[AgreementRead]:
    """A partner's agreements, newest first, with their state today. A partner account may
    read its own organisation's."""
    listed = register.agreements(db, actor, partner_id)
    return ApiPage.of(page_of_list(listed, page), agreement_read)


@router.post(
    "/intake/partners/{partner_id}/agreements",
    status_code=201,
    dependencies=[_MANAGE],
    responses={409: {"description": "An agreement already has this reference"}},
)
def create_agreement(
    db: DB, actor: ApiActor, partner_id: Id, body: AgreementCreate
) -> AgreementRead:
    """Record an agreement. It is never changed afterwards: it is ended, and a new one made."""
    agreement = partners.create_agreement(
        db,
        actor,
        partner_id=partner_id,
        reference=body.reference,
        title=body.title,
        lawful_basis=body.lawful_basis,
        statutory_power=body.statutory_power,
        dataset_names=body.datasets,
        retention_months=body.retention_months,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        special_category_condition=body.special_category_condition,
    )
    return agreement_read(register.agreement_view(db, actor, agreement.id))


@router.post(
    "/intake/agreements/{agreement_id}/end",
    dependencies=[_MANAGE],
    responses={409: {"description": "Already ended, or already ends on that day or earlier"}},
)
def end_agreement(db: DB, actor: ApiActor, agreement_id: Id, body: AgreementEnd) -> AgreementRead:
    """Set the agreement's last day in force: today or later, never after an end it has."""
    partners.end_agreement(db, actor, agreement_id=agreement_id, ends_on=body.ends_on)
    return agreement_read(register.agreement_view(db, actor, agreement_id))


@router.get("/intake/datasets")
def list_datasets(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[DatasetRead]:
    """Every data set, for those who keep the register; for a partner account, those its
    organisation's agreements in force cover."""
    listed = register.visible_datasets(db, actor)
    return ApiPage.of(page_of_list(listed, page), dataset_read)


@router.get(
    "/intake/datasets/{dataset}/template.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The header row"}},
)
def dataset_template(db: DB, actor: ApiActor, dataset: DatasetName) -> Response:
    """The data set's CSV template: its header row, the column names a file must have."""
    return template_response(register.visible_dataset(db, actor, dataset))


@router.get("/intake/organisation")
def organisation(db: DB, actor: ApiActor) -> OrganisationRead:
    """A partner account's own organisation: its agreements and what it may send."""
    mine = register.organisation(db, actor)
    return OrganisationRead(
        partner=partner_read(mine.partner) if mine.partner else None,
        agreements=[agreement_read(v) for v in mine.agreements],
        datasets=[dataset_read(d) for d in mine.datasets],
    )
