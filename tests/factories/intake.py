"""Builders for partners, their accounts and agreements, through the intake service (whose
own checks are tested in tests/intake/test_partners.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from steward.core.auth import User
from steward.core.permissions import Actor, Role
from steward.intake.models import Agreement, Partner
from steward.intake.policy import LawfulBasis, PartnerKind
from steward.intake.service import partners
from tests.factories.core import make_user

_counter = itertools.count(1)
ALL_DATASETS = ("court_orders", "party_details", "safeguarding_checks")


def make_partner(
    db: Session,
    *,
    code: str | None = None,
    name: str | None = None,
    kind: PartnerKind = PartnerKind.LOCAL_AUTHORITY,
) -> Partner:
    n = next(_counter)
    return partners.create_partner(
        db,
        Actor.system(),
        code=code or f"LA-{n:03d}",
        name=name or f"Borsetshire County Council {n}",
        kind=kind,
    )


def make_agreement(
    db: Session,
    partner: Partner,
    *,
    dataset_names: Iterable[str] = ALL_DATASETS,
    starts_on: date = date(2020, 4, 1),
    ends_on: date | None = None,
    retention_months: int = 12,
) -> Agreement:
    n = next(_counter)
    return partners.create_agreement(
        db,
        Actor.system(),
        partner_id=partner.id,
        reference=f"DSA-{n:04d}",
        title=f"Information sharing with {partner.name}",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        statutory_power="Children Act 1989, s.7; Criminal Justice and Court Services Act 2000, s.12",
        dataset_names=dataset_names,
        retention_months=retention_months,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def make_partner_user(db: Session, partner: Partner, *, username: str | None = None) -> User:
    user = make_user(db, Role.PARTNER, username=username)
    partners.link_user(db, Actor.system(), partner_id=partner.id, user_id=user.id)
    return user


def partner_actor(user: User) -> Actor:
    return Actor.user(user.id, Role.PARTNER)
