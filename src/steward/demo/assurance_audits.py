"""Demo hook of audits and the action plan: an ICO audit like the organisation's own
(reasonable assurance overall, scoped to security and records management), its
recommendations with owners among the demo accounts (some done, some in hand, some overdue,
one urgent and red), a follow-up review, attestations (one expired) and a self-assessment
of each audited area. Every word is synthetic."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.areas import Area
from steward.assurance.audits.models import Audit
from steward.assurance.audits.service import actions, assessments, attestations, audits
from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.permissions import Actor
from steward.demo.pdf import text_pdf

# The demo's stand-ins for evidence, minutes and policies: real one-page PDFs that open in any
# viewer (an auditor reading the evidence pack opens them).
EVIDENCE = text_pdf("Evidence of progress", "Evidence of the work done on the recommendation.")


def _minutes(title: str) -> bytes:
    return text_pdf(title, f"{title}.\n\nApproved at the meeting; the minutes record the decision.")


# (reference, area, text, priority, owner, days from today agreed, status reached)
RECOMMENDATIONS = (
    (
        "S1",
        Area.SECURITY,
        "Enforce two-factor sign-in for every account that reads case "
        "content, and report exceptions to the IG board monthly.",
        "urgent",
        "admin",
        -21,
        "open",
    ),
    (
        "S2",
        Area.SECURITY,
        "Review access rights of leavers and movers within five working "
        "days and keep evidence of each review.",
        "high",
        "manager",
        -5,
        "in_progress",
    ),
    (
        "S3",
        Area.SECURITY,
        "Test the restore of case records from backup at least once a year.",
        "medium",
        "admin",
        45,
        "open",
    ),
    (
        "S4",
        Area.SECURITY,
        "Record the review of every break-glass access.",
        "high",
        "ig-officer",
        -60,
        "done",
    ),
    (
        "R1",
        Area.RECORDS_MANAGEMENT,
        "Review the retention schedule annually and record the approval of each version.",
        "high",
        "dpo",
        30,
        "in_progress",
    ),
    (
        "R2",
        Area.RECORDS_MANAGEMENT,
        "Bring the off-site paper archive into the information asset register with a named owner.",
        "medium",
        "ig-officer",
        -14,
        "open",
    ),
    (
        "R3",
        Area.RECORDS_MANAGEMENT,
        "Keep certificates of destruction for paper disposal.",
        "low",
        "ig-officer",
        -90,
        "done",
    ),
)


def prepare(factory: sessionmaker[Session], kek: KeyEncryptionKeys) -> int:
    """Seed once; returns how many recommendations were added (0 if an audit exists)."""
    with session_scope(factory) as db:
        if db.scalar(select(Audit.id).limit(1)) is not None:
            return 0
        return _seed(db, kek)


def _seed(db: Session, kek: KeyEncryptionKeys) -> int:
    system = Actor.system()
    today = clock.today()
    found = audits.record_audit(
        db,
        system,
        audits.NewAudit(
            title="ICO data protection audit",
            kind="ico",
            auditor="Information Commissioner's Office",
            started_on=today - timedelta(days=260),
            reported_on=today - timedelta(days=200),
            overall_rating="reasonable",
            areas={"security": "reasonable", "records_management": "reasonable"},
        ),
    )
    users = {
        u.username: u
        for u in db.scalars(
            select(auth.User).where(auth.User.username.in_([r[4] for r in RECOMMENDATIONS]))
        )
    }
    added = 0
    for reference, area, text, priority, owner, days, status in RECOMMENDATIONS:
        user = users.get(owner)
        if user is None:
            continue
        rec = audits.add_recommendation(
            db,
            system,
            found.id,
            audits.NewRecommendation(
                reference, area.value, text, priority, owner, today + timedelta(days=days)
            ),
        )
        added += 1
        if status != "open":
            actions.post_update(
                db,
                kek,
                user.actor,
                rec.id,
                actions.NewUpdate("Work under way; evidence attached.", status, evidence=EVIDENCE),
            )
    audits.record_follow_up(
        db,
        kek,
        system,
        found.id,
        reviewed_on=today - timedelta(days=20),
        findings="Follow-up by the ICO: two recommendations done, the urgent one overdue.",
        rating="",
    )
    for title, expectation, attested, review in (
        ("Data protection policy approved by the board", "2.1.1", 300, 65),
        ("IG board terms of reference agreed", "1.1.2", 380, -15),
        ("Records management policy reviewed", "9.1.1", 340, 20),
    ):
        attestations.record_attestation(
            db,
            kek,
            system,
            attestations.NewAttestation(
                title,
                expectation,
                "Approved at the meeting; the minutes are attached.",
                today - timedelta(days=attested),
                today + timedelta(days=review),
                _minutes(title),
            ),
        )
    for area, rating in ((Area.SECURITY, "limited"), (Area.RECORDS_MANAGEMENT, "reasonable")):
        assessments.record_assessment(
            db,
            kek,
            system,
            area,
            rating=rating,
            statement="Rated from the measures and the audit's open actions.",
            assessed_on=today - timedelta(days=10),
        )
    return added
