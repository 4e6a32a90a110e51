"""Partner organisations, their contacts and accounts, and their data-sharing agreements:
every change to the register (the reads are in ``register``).

An agreement is never edited: it is ended (and a new one recorded), so what a past
submission was received under stays as it was. The register is kept by the
information-governance roles (``MANAGE``); a partner account reads its own partner's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.auth import User
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, ActorKind, Permission, Role
from steward.intake import datasets
from steward.intake.errors import Refused
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, AgreementDataset, Partner, PartnerUser
from steward.intake.policy import Code, LawfulBasis, PartnerKind

# Who keeps the register of partners and agreements: the information-governance roles.
MANAGE = Permission.INTAKE_REVIEW

# Upper case letters, digits and hyphens: a code is typed on command lines and read aloud.
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
# The columns' own limits (models.py), checked here so that a long value is a message to act
# on, not a database error.
NAME_MAX = 200
REFERENCE_MAX = 64
TITLE_MAX = 200
POWER_MAX = 300
CONDITION_MAX = 300
RETENTION_MONTHS = (1, 1200)


def _kind(value: str | PartnerKind) -> PartnerKind:
    try:
        return PartnerKind(value)
    except ValueError:
        raise ValidationFailed(
            "Choose what kind of organisation the partner is.",
            errors={"kind": "Choose the kind of organisation from the list"},
        ) from None


def _name_errors(name: str) -> dict[str, str]:
    if not name.strip():
        return {"name": "Enter the partner's name"}
    if len(name.strip()) > NAME_MAX:
        return {"name": f"The name must be {NAME_MAX} characters or fewer"}
    return {}


def create_partner(
    db: Session, actor: Actor, *, code: str, name: str, kind: PartnerKind | str
) -> Partner:
    actor.require(MANAGE)
    code = code.strip().upper()
    errors = _name_errors(name)
    if not code:
        errors["code"] = "Enter a code"
    elif not CODE_PATTERN.match(code):
        errors["code"] = "A code is up to 32 letters, digits and hyphens, for example LA-BARSET"
    if errors:
        raise ValidationFailed("Check the partner's details.", errors=errors)
    chosen = _kind(kind)
    if db.scalar(select(exists().where(Partner.code == code))):
        raise Conflict("A partner already has this code.", field="code")
    partner = Partner(
        code=code, name=name.strip(), kind=chosen, active=True, created_at=clock.now()
    )
    db.add(partner)
    db.flush()
    audit.record(
        db, actor, IntakeEvent.PARTNER_CREATED, subject_type="partner", subject_id=partner.id
    )
    return partner


def change_partner(
    db: Session,
    actor: Actor,
    partner_id: int,
    *,
    name: str | None = None,
    kind: PartnerKind | str | None = None,
    active: bool | None = None,
) -> Partner:
    """Change what is given of a partner's name, kind and whether it is active (its code is
    what other systems name it by, and stays). A partner that is not active sends nothing:
    ``agreement_for`` refuses it as having no agreement in force."""
    actor.require(MANAGE)
    partner = get_partner(db, partner_id)
    if name is not None and (errors := _name_errors(name)):
        raise ValidationFailed("Check the partner's details.", errors=errors)
    wanted = {
        "name": name.strip() if name is not None else partner.name,
        "kind": _kind(kind).value if kind is not None else partner.kind,
        "active": active if active is not None else partner.active,
    }
    changed = sorted(field for field, value in wanted.items() if getattr(partner, field) != value)
    if not changed:
        return partner
    for field in changed:
        setattr(partner, field, wanted[field])
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.PARTNER_CHANGED,
        subject_type="partner",
        subject_id=partner.id,
        details={"fields": changed, "active": partner.active},
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


# --- partner accounts ----------------------------------------------------------------------


def link_user(db: Session, actor: Actor, *, partner_id: int, user_id: int) -> None:
    """Let a partner account submit for this partner (one partner per account)."""
    actor.require(MANAGE)
    get_partner(db, partner_id)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    _link(db, actor, partner_id, user)


def link_username(db: Session, actor: Actor, *, partner_id: int, username: str) -> User:
    """As ``link_user``, the account named by its username (what people choose it by)."""
    actor.require(MANAGE)
    get_partner(db, partner_id)
    user = db.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise ValidationFailed(
            "There is no account with that username.",
            errors={"username": "Choose a partner organisation user's account from the list"},
        )
    _link(db, actor, partner_id, user)
    return user


def _link(db: Session, actor: Actor, partner_id: int, user: User) -> None:
    if user.role != Role.PARTNER:
        raise ValidationFailed(
            "Only a partner organisation user's account can submit for a partner.",
            errors={"username": "Choose a partner organisation user's account"},
        )
    link = db.get(PartnerUser, user.id)
    if link is not None and link.partner_id != partner_id:
        raise Conflict("This account already submits for another partner.", field="username")
    if link is not None:
        return  # linked already: nothing changes
    db.add(PartnerUser(user_id=user.id, partner_id=partner_id))
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.USER_LINKED,
        subject_type="partner",
        subject_id=partner_id,
        details={"user_id": user.id},
    )


def unlink_username(db: Session, actor: Actor, *, partner_id: int, username: str) -> None:
    """The account no longer submits for this partner (nor sees its submissions)."""
    actor.require(MANAGE)
    get_partner(db, partner_id)
    link = db.scalar(
        select(PartnerUser)
        .join(User, User.id == PartnerUser.user_id)
        .where(User.username == username.strip(), PartnerUser.partner_id == partner_id)
    )
    if link is None:
        raise ValidationFailed(
            "That account does not submit for this partner.",
            errors={"username": "Choose an account linked to this partner"},
        )
    user_id = link.user_id
    db.delete(link)
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.USER_UNLINKED,
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


# --- agreements ------------------------------------------------------------------------------


def _agreement_errors(
    *,
    reference: str,
    title: str,
    statutory_power: str,
    special_category_condition: str,
    names: list[str],
    retention_months: int,
    starts_on: date,
    ends_on: date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = "Enter the agreement's reference"
    elif len(reference) > REFERENCE_MAX:
        errors["reference"] = f"The reference must be {REFERENCE_MAX} characters or fewer"
    if len(title) > TITLE_MAX:
        errors["title"] = f"The title must be {TITLE_MAX} characters or fewer"
    if not statutory_power:
        errors["statutory_power"] = "Enter the statutory power the sharing rests on"
    elif len(statutory_power) > POWER_MAX:
        errors["statutory_power"] = f"The statutory power must be {POWER_MAX} characters or fewer"
    if len(special_category_condition) > CONDITION_MAX:
        errors["special_category_condition"] = (
            f"The condition must be {CONDITION_MAX} characters or fewer"
        )
    if not names:
        errors["datasets"] = "Choose at least one data set"
    elif not set(names) <= set(datasets.names()):
        errors["datasets"] = "Choose data sets from the list"
    low, high = RETENTION_MONTHS
    if not low <= retention_months <= high:
        errors["retention_months"] = f"Enter a number of months from {low} to {high}"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    return errors


def create_agreement(
    db: Session,
    actor: Actor,
    *,
    partner_id: int,
    reference: str,
    title: str,
    lawful_basis: LawfulBasis | str,
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
    reference, title = reference.strip(), title.strip()
    power, condition = statutory_power.strip(), (special_category_condition or "").strip()
    errors = _agreement_errors(
        reference=reference,
        title=title,
        statutory_power=power,
        special_category_condition=condition,
        names=names,
        retention_months=retention_months,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if lawful_basis not in set(LawfulBasis):
        errors["lawful_basis"] = "Choose the lawful basis from the list"
    if errors:
        raise ValidationFailed("Check the agreement's details.", errors=errors)
    if db.scalar(select(exists().where(Agreement.reference == reference))):
        raise Conflict("An agreement already has this reference.", field="reference")
    agreement = Agreement(
        partner_id=partner_id,
        reference=reference,
        title=title or reference,
        lawful_basis=LawfulBasis(lawful_basis),
        special_category_condition=condition or None,
        statutory_power=power,
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


def get_agreement(db: Session, agreement_id: int) -> Agreement:
    agreement = db.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("There is no such agreement.")
    return agreement


def agreement_by_reference(db: Session, reference: str) -> Agreement:
    agreement = db.scalar(select(Agreement).where(Agreement.reference == reference.strip()))
    if agreement is None:
        raise NotFound("No agreement has this reference.")
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
    when there is none, saying which is missing: any agreement, or this data set in one. A
    partner that is no longer active has none in force."""
    partner = db.get(Partner, partner_id)
    if partner is None or not partner.active:
        raise Refused(Code.AGREEMENT_NONE)
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
    """Set the last day an agreement is in force: today or later, never after an end it
    already has (an agreement is not extended or re-opened: a new one is recorded). What was
    received under it before stays received under it, so it cannot end in the past."""
    actor.require(MANAGE)
    agreement = get_agreement(db, agreement_id)
    today = clock.today()
    if agreement.ends_on is not None and agreement.ends_on < today:
        raise Conflict("This agreement has already ended; record a new one instead.")
    if ends_on < today:
        raise ValidationFailed(
            "An agreement cannot end in the past.",
            errors={"ends_on": "The end date must be today or in the future"},
        )
    if ends_on < agreement.starts_on:
        raise ValidationFailed(
            "An agreement cannot end before it starts.",
            errors={"ends_on": "The end date must be on or after the start date"},
        )
    if agreement.ends_on is not None and ends_on >= agreement.ends_on:
        raise Conflict(
            "This agreement already ends on that day or earlier. An agreement is never "
            "extended: record a new one instead.",
            field="ends_on",
        )
    agreement.ends_on = ends_on
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.AGREEMENT_ENDED,
        subject_type="agreement",
        subject_id=agreement.id,
        details={"partner_id": agreement.partner_id, "ends_on": ends_on.isoformat()},
    )
    return agreement
