"""Submissions and rows as the intake pipeline and the reviewers leave them, for the
data-quality tests (service and pages)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.intake.events import IntakeEvent
from steward.intake.models import Agreement, Partner, Submission, SubmissionRow
from steward.intake.policy import Code, Decision, RowOutcome, SubmissionStatus
from tests.factories.intake import make_agreement, make_row, make_submission

VALUES: dict[str, str | None] = {"case_number": "LS24P00001"}


class Sender:
    """Submissions and rows of one partner, as the pipeline and the reviewers leave them."""

    def __init__(self, db: Session, keyring: FileKeyring, partner: Partner) -> None:
        self.db, self.keyring, self.partner = db, keyring, partner
        self.agreement: Agreement = make_agreement(db, partner)

    def file(self, when: datetime, *, status: SubmissionStatus | None = None) -> Submission:
        return make_submission(
            self.db,
            self.keyring,
            self.partner,
            self.agreement,
            submitted_at=when,
            status=status or SubmissionStatus.COMPLETE,
        )

    def refuse(self, when: datetime, code: Code, dataset: str = "party_details") -> None:
        """A file refused whole: nothing stored, the refusal on the audit trail (as
        submissions.note_refusal keeps it)."""
        with clock.frozen(when):
            audit.record(
                self.db,
                Actor.system(),
                IntakeEvent.SUBMISSION_REFUSED,
                subject_type="partner",
                subject_id=self.partner.id,
                details={"dataset": dataset, "code": code.value},
            )

    def rows(
        self,
        submission: Submission,
        n: int,
        issues: Iterable[tuple[str | None, Code]] = (),
        outcome: RowOutcome | None = None,
    ) -> list[SubmissionRow]:
        found = list(issues)
        return [
            make_row(self.db, self.keyring, submission, VALUES, issues=found, outcome=outcome)
            for _ in range(n)
        ]

    def held(
        self,
        submission: Submission,
        codes: Iterable[Code],
        *,
        decided: tuple[Decision, datetime] | None = None,
    ) -> SubmissionRow:
        row = self.rows(submission, 1, [(None, code) for code in codes])[0]
        assert row.outcome == RowOutcome.QUARANTINED
        if decided is not None:
            decision, when = decided
            row.decision = decision
            row.decided_at = when
            row.outcome = (
                RowOutcome.REJECTED if decision is Decision.REJECT else RowOutcome.ACCEPTED
            )
        self.db.flush()
        return row
