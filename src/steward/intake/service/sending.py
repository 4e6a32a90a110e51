"""What the "Send data" screen offers: the data sets a partner may send today (those its
agreements in force cover), and, for staff sending on a partner's behalf, the partners.

The offer is a convenience; the submission itself is checked again against the agreement in
force (partners.agreement_for) and refused when it is not covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Permission
from steward.intake import datasets
from steward.intake.models import Agreement, AgreementDataset, Partner
from steward.intake.service import partners


@dataclass(frozen=True)
class Offer:
    """What one actor may send, and for whom."""

    # The partner a partner account sends for; None for staff (who choose) and for an
    # account not yet linked to a partner (``linked`` False), which can send nothing.
    partner: Partner | None
    linked: bool
    on_behalf: bool  # staff choosing the partner
    partners: list[tuple[int, str]]
    datasets: list[datasets.Dataset]
    # Agreement references in force, by data set name (a partner account's only).
    agreements: dict[str, str]


def covered_today(db: Session, partner_id: int, on: date) -> dict[str, str]:
    """Data set name -> the reference of the newest agreement in force on ``on`` covering it."""
    rows = db.execute(
        select(AgreementDataset.dataset, Agreement.reference)
        .join(Agreement, Agreement.id == AgreementDataset.agreement_id)
        .where(
            Agreement.partner_id == partner_id,
            Agreement.starts_on <= on,
            or_(Agreement.ends_on.is_(None), Agreement.ends_on >= on),
        )
        .order_by(Agreement.starts_on, Agreement.id)
    )
    return {name: reference for name, reference in rows}


def offer(db: Session, actor: Actor, on: date) -> Offer:
    if actor.can(Permission.INTAKE_REVIEW):
        choices = [
            (pid, name)
            for pid, name in db.execute(
                select(Partner.id, Partner.name).where(Partner.active).order_by(Partner.name)
            )
        ]
        return Offer(None, True, True, choices, list(datasets.latest().values()), {})
    if not actor.can(Permission.INTAKE_SUBMIT):
        raise Forbidden("Your role does not send partner data.")
    own = partners.partner_of(db, actor)
    if own is None:
        return Offer(None, False, False, [], [], {})
    covered = covered_today(db, own.id, on) if own.active else {}
    offered = [d for name, d in sorted(datasets.latest().items()) if name in covered]
    return Offer(own, True, False, [], offered, covered)
