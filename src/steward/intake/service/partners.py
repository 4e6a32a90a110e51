"""Partner organisations, their contacts and accounts, and their data-sharing agreements.

An agreement is never edited: it is ended (and a new one recorded), so what a past
submission was received under stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.auth import User
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, ActorKind, Permission, Role
from steward.intake import datasets
from steward.intake.errors import Refused
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, AgreementDataset, Partner, PartnerUser
from steward.intake.policy import Code, LawfulBasis, PartnerKind

# Who keeps the register of partners and agreements: the information-governance roles.
MANAGE = Permission.INTAKE_REVIEW


def create_partner(
    db: Session, actor: Actor, *, code: str, name: str, kind: PartnerKind
) -> Partner:
    actor.require(MANAGE)
    code = code.strip().upper()
    if not code or not name.strip():
        raise ValidationFailed(
            "Give the partner a code and a name.",
            errors={"code": "Enter a code", "name": "Enter a name"},
        )
    if db.scalar(select(exists().where(Partner.code == code))):
        raise Conflict("A partner already has this code.", field="code")
    partner = Partner(
        code=code, name=name.strip(), kind=PartnerKind(kind), active=True, created_at=clock.now()
    )
    db.add(partner)
    db.flush()
    audit.record(
        db, actor, IntakeEvent.PARTNER_CREATED, subject_type="partner", subject_id=partner.id
    )
    return partner


def get_partner(db: Session, partner_id: int) -> Partner:
    partner = db.get(Partner, partner_id)
    if partner is None:
        raise NotFound("There is no such partner.")
    return partner


def partner_by_code(db: Session, code: str) -> Partner:
    partner = db.scalar(select(Partner).where(Partner.code == code.strip().upper()))
    if partner is None:
        raise NotFound("No partner has this code.")
    return partner


def link_user(db: Session, actor: Actor, *, partner_id: int, user_id: int) -> None:
    """Let a partner account submit for this partner (one partner per account)."""
    actor.require(MANAGE)
    get_partner(db, partner_id)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    if user.role != Role.PARTNER:
        raise ValidationFailed(
            "Only a partner organisation user's account can submit for a partner.",
            errors={"user": "Choose a partner organisation user's account"},
        )
    link = db.get(PartnerUser, user_id)
    if link is not None and link.partner_id != partner_id:
        raise Conflict("This account already submits for another partner.")
    if link is None:
        db.add(PartnerUser(user_id=user_id, partner_id=partner_id))
        db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.USER_LINKED,
        subject_type="partner",
        subject_id=partner_id,
        details={"user_id": user_id},
    )


def partner_of(db: Session, actor: Actor) -> Partner | None:
    """The partner a partner account submits for (None for staff and unlinked accounts)."""
    if actor.kind is not ActorKind.USER or actor.role != Role.PARTNER or actor.user_id is None:
        return None
    link = db.get(PartnerUser, actor.user_id)
    return db.get(Partner, link.partner_id) if link else None


def require_partner_scope(db: Session, actor: Actor, partner_id: int) -> None:
    """A partner account reaches its own partner's data only; staff who review intake reach
    every partner's; no one else reaches any."""
    if actor.can(Permission.INTAKE_REVIEW):
        return
    actor.require(Permission.INTAKE_SUBMIT)
    own = partner_of(db, actor)
    if own is None or own.id != partner_id:
        # Not "forbidden": a partner must not learn that another partner's submission exists.
        raise NotFound("There is no such submission.")


def create_agreement(
    db: Session,
    actor: Actor,
    *,
    partner_id: int,
    reference: str,
    title: str,
    lawful_basis: LawfulBasis,
    statutory_power: str,
    dataset_names: Iterable[str],
    retention_months: int,
    starts_on: date,
    ends_on: date | None = None,
    special_category_condition: str | None = None,
) -> Agreement:
    actor.require(MANAGE)
    get_partner(db, partner_id)
    names = sorted(set(dataset_names))
    known = set(datasets.names())
    errors: dict[str, str] = {}
    if not reference.strip():
        errors["reference"] = "Enter the agreement's reference"
    if not statutory_power.strip():
        errors["statutory_power"] = "Enter the statutory power the sharing rests on"
    if not names:
        errors["datasets"] = "Choose at least one data set"
    elif not set(names) <= known:
        errors["datasets"] = "Choose data sets from the list"
    if not 1 <= retention_months <= 1200:
        errors["retention_months"] = "Enter a number of months from 1 to 1200"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    if errors:
        raise ValidationFailed("Check the agreement's details.", errors=errors)
    if db.scalar(select(exists().where(Agreement.reference == reference.strip()))):
        raise Conflict("An agreement already has this reference.", field="reference")
    agreement = Agreement(
        partner_id=partner_id,
        reference=reference.strip(),
        title=title.strip() or reference.strip(),
        lawful_basis=LawfulBasis(lawful_basis),
        special_category_condition=(special_category_condition or "").strip() or None,
        statutory_power=statutory_power.strip(),
        retention_months=retention_months,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=clock.now(),
        created_by_user_id=actor.user_id,
    )
    db.add(agreement)
    db.flush()
    db.add_all(AgreementDataset(agreement_id=agreement.id, dataset=name) for name in names)
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.AGREEMENT_CREATED,
        subject_type="agreement",
        subject_id=agreement.id,
        details={"partner_id": partner_id, "datasets": names},
    )
    return agreement


def agreement_datasets(db: Session, agreement_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AgreementDataset.dataset)
            .where(AgreementDataset.agreement_id == agreement_id)
            .order_by(AgreementDataset.dataset)
        )
    )


def _in_force(on: date) -> list[object]:
    return [Agreement.starts_on <= on, or_(Agreement.ends_on.is_(None), Agreement.ends_on >= on)]


def agreement_for(db: Session, *, partner_id: int, dataset: str, on: date) -> Agreement:
    """The agreement in force on ``on`` that covers ``dataset``; refused (nothing recorded)
    when there is none, saying which is missing: any agreement, or this data set in one."""
    current = list(
        db.scalars(
            select(Agreement)
            .where(Agreement.partner_id == partner_id, *_in_force(on))  # type: ignore[arg-type]
            .order_by(Agreement.starts_on.desc(), Agreement.id.desc())
        )
    )
    if not current:
        raise Refused(Code.AGREEMENT_NONE)
    for agreement in current:
        if dataset in agreement_datasets(db, agreement.id):
            return agreement
    raise Refused(Code.AGREEMENT_DATASET)


def end_agreement(db: Session, actor: Actor, *, agreement_id: int, ends_on: date) -> Agreement:
    actor.require(MANAGE)
    agreement = db.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("There is no such agreement.")
    if ends_on < agreement.starts_on:
        raise ValidationFailed(
            "An agreement cannot end before it starts.",
            errors={"ends_on": "The end date must be on or after the start date"},
        )
    if agreement.ends_on is not None and agreement.ends_on < ends_on:
        raise Forbidden("This agreement has already ended; record a new one instead.")
    agreement.ends_on = ends_on
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.AGREEMENT_ENDED,
        subject_type="agreement",
        subject_id=agreement.id,
        details={"ends_on": ends_on.isoformat()},
    )
    return agreement
