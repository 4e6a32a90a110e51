"""Partner-data figures for the DPO's measures, over the submissions received in a period:
those received under a data-sharing agreement in force on the day, and each partner's rows
accepted and rejected. Aggregate SQL grouped by partner; organisation names and counts only.
A submission's day is its UTC date (a file sent just after midnight in summer counts on the
previous day), which shifts nothing over a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from steward.intake.models import Agreement, Partner, Submission
from steward.intake.policy import SubmissionStatus


@dataclass(frozen=True)
class Unagreed:
    submission_id: int
    partner: str
    received_on: date


@dataclass(frozen=True)
class PartnerRows:
    partner: str
    accepted: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected


def _window(start: date, end: date) -> list[object]:
    return [
        Submission.submitted_at >= datetime.combine(start, time.min, tzinfo=UTC),
        Submission.submitted_at <= datetime.combine(end, time.max, tzinfo=UTC),
    ]


def under_agreement(db: Session, start: date, end: date) -> tuple[int, int, list[Unagreed]]:
    """(submissions under an agreement in force that day, submissions, the others)."""
    day = func.date(Submission.submitted_at)
    in_force = and_(
        Agreement.id.is_not(None),
        Agreement.starts_on <= day,
        or_(Agreement.ends_on.is_(None), Agreement.ends_on >= day),
    )
    rows = db.execute(
        select(Submission.id, Partner.name, Submission.submitted_at, in_force.label("ok"))
        .join(Partner, Partner.id == Submission.partner_id)
        .outerjoin(Agreement, Agreement.id == Submission.agreement_id)
        .where(*_window(start, end))  # type: ignore[arg-type]
        .order_by(Submission.submitted_at, Submission.id)
    ).all()
    others = [Unagreed(r[0], r[1], r[2].date()) for r in rows if not r[3]]
    return len(rows) - len(others), len(rows), others


def rows_by_partner(db: Session, start: date, end: date) -> list[PartnerRows]:
    """Rows accepted and rejected, per partner, over the checked submissions of the period."""
    found = db.execute(
        select(Partner.name, func.sum(Submission.accepted), func.sum(Submission.rejected))
        .join(Partner, Partner.id == Submission.partner_id)
        .where(*_window(start, end), Submission.status == SubmissionStatus.COMPLETE.value)  # type: ignore[arg-type]
        .group_by(Partner.name)
        .order_by(Partner.name)
    ).all()
    return [PartnerRows(r[0], int(r[1] or 0), int(r[2] or 0)) for r in found]
