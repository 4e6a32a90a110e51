"""Builders for audits, actions, attestations and self-assessments."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from steward.assurance.audits.models import Audit, Recommendation
from steward.assurance.audits.service import attestations, audits
from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_audit(db: Session, *, title: str = "ICO audit 2026", kind: str = "ico") -> Audit:
    today = clock.today()
    return audits.record_audit(
        db,
        Actor.system(),
        audits.NewAudit(
            title=title,
            kind=kind,
            auditor="Information Commissioner's Office",
            started_on=today - timedelta(days=200),
            reported_on=today - timedelta(days=150),
            overall_rating="reasonable",
            areas={"security": "reasonable", "records_management": "limited"},
        ),
    )


def make_action(
    db: Session,
    audit: Audit,
    owner: auth.User,
    *,
    priority: str = "high",
    agreed_on: date | None = None,
    reference: str = "A1",
) -> Recommendation:
    return audits.add_recommendation(
        db,
        Actor.system(),
        audit.id,
        audits.NewRecommendation(
            reference=reference,
            area="security",
            text="Review access to the case system every quarter",
            priority=priority,
            owner=owner.username,
            agreed_on=agreed_on or clock.today() + timedelta(days=30),
        ),
    )


def make_attestation(
    db: Session, kek: KeyEncryptionKeys, *, review_on: date, title: str = "DP policy approved"
) -> int:
    return attestations.record_attestation(
        db,
        kek,
        Actor.system(),
        attestations.NewAttestation(
            title=title,
            expectation_id="1.1.1",
            statement="The board approved the data protection policy.",
            attested_on=clock.today() - timedelta(days=10),
            review_on=review_on,
            document=PDF,
        ),
    ).id
