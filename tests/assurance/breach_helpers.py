"""Builders for breaches at a known point of their workflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from steward.assurance.breaches import service
from steward.assurance.breaches.models import Breach
from steward.assurance.breaches.policy import DataCategory, IcoDecision, Kind, Risk
from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor


def reported(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    description: str = "Court report emailed to the wrong solicitor",
    discovered_at: datetime | None = None,
) -> Breach:
    return service.report(
        db,
        kek,
        actor,
        service.ReportIn(
            description=description,
            discovered_at=discovered_at or clock.now() - timedelta(hours=1),
            data_involved="A report about two children",
            people_affected=3,
            reference_text="FC-2026-0001",
        ),
    )


def assessed(
    db: Session,
    kek: KeyEncryptionKeys,
    officer: Actor,
    breach: Breach,
    *,
    risk: Risk = Risk.RISK,
    kind: Kind = Kind.INCIDENT,
    aware_at: datetime | None = None,
) -> Breach:
    return service.assess(
        db,
        kek,
        officer,
        breach.id,
        service.AssessmentIn(
            kind=kind,
            aware_at=aware_at or breach.discovered_at,
            categories=(DataCategory.CHILDREN, DataCategory.CASE_RECORDS),
            people_affected=3,
            cause="Autocomplete picked the wrong address",
            effects="Distress to the family",
            containment="Recipient confirmed deletion",
            risk=risk,
        ),
    )


def notified(
    db: Session, kek: KeyEncryptionKeys, officer: Actor, breach: Breach, at: datetime
) -> Breach:
    return service.decide_ico(
        db,
        kek,
        officer,
        breach.id,
        service.IcoDecisionIn(
            decision=IcoDecision.NOTIFIED, notified_at=at, reference="IC-0001", reason=""
        ),
    )


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
