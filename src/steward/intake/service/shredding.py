"""The end of what a partner sent: its file and row values destroyed when the agreement's
retention has run since the last of its rows was decided.

What was recorded from it is the records' own and follows the case's retention. What the
partner sent besides (the file, every row's values, an officer's sealed reasons) goes with
the submission's data key (crypto-shredding), and the sealed bytes are cleared too. The
counts, the codes of every issue, the outcomes and the provenance ids stay: the feedback and
quality figures still add up, and a record still says where it came from. The keyed hashes
of facts that were never recorded are cleared; those of recorded facts stay, so a partner
re-sending one is still told it is unchanged.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.permissions import Actor, Permission
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, Submission, SubmissionFile, SubmissionRow
from steward.intake.policy import RowOutcome, SubmissionStatus, shred_on


def due(db: Session, today: date) -> list[int]:
    """Submissions whose every row is decided and whose retention has run out by ``today``."""
    held = func.sum(case((SubmissionRow.outcome == RowOutcome.QUARANTINED, 1), else_=0))
    rows = db.execute(
        select(
            Submission.id,
            Submission.finished_at,
            Agreement.retention_months,
            func.max(SubmissionRow.decided_at),
            held,
        )
        .join(Agreement, Agreement.id == Submission.agreement_id)
        .outerjoin(SubmissionRow, SubmissionRow.submission_id == Submission.id)
        .where(
            Submission.shredded_at.is_(None),
            Submission.finished_at.is_not(None),
            Submission.status.in_((SubmissionStatus.COMPLETE, SubmissionStatus.REFUSED)),
        )
        .group_by(Submission.id, Submission.finished_at, Agreement.retention_months)
        .order_by(Submission.id)
    ).all()
    found = []
    for submission_id, finished_at, months, last_decided, waiting in rows:
        if waiting:
            continue  # a row still waits for an officer: its values are needed
        decided = max(t for t in (finished_at, last_decided) if t is not None)
        if shred_on(decided.astimezone(clock.UK).date(), months) <= today:
            found.append(submission_id)
    return found


def shred(db: Session, actor: Actor, submission: Submission) -> None:
    actor.require(Permission.INTAKE_REVIEW)
    if submission.shredded_at is not None:
        return
    if submission.data_key_id is not None:
        crypto.destroy_data_key(db, key_id=submission.data_key_id)
    db.execute(delete(SubmissionFile).where(SubmissionFile.submission_id == submission.id))
    db.execute(
        update(SubmissionRow)
        .where(SubmissionRow.submission_id == submission.id)
        .values(values_sealed=None, decision_reason_sealed=None)
    )
    db.execute(
        update(SubmissionRow)
        .where(
            SubmissionRow.submission_id == submission.id,
            SubmissionRow.outcome.not_in((RowOutcome.ACCEPTED, RowOutcome.UNCHANGED)),
        )
        .values(fact_key=None, fact_value=None)
    )
    submission.shredded_at = clock.now()
    db.flush()
    audit.record(
        db,
        actor,
        IntakeEvent.SUBMISSION_SHREDDED,
        subject_type="submission",
        subject_id=submission.id,
        details={"partner_id": submission.partner_id, "rows": submission.rows},
    )


def shred_expired(db: Session, actor: Actor, today: date) -> list[int]:
    """Shred every submission due by ``today``; returns their ids."""
    actor.require(Permission.INTAKE_REVIEW)
    done = []
    for submission_id in due(db, today):
        submission = db.get(Submission, submission_id)
        if submission is not None:
            shred(db, actor, submission)
            done.append(submission_id)
    return done
