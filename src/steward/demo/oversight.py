"""Demo hook of oversight of access: three break-glass uses by caseworkers of cases not
theirs (two reviewed by the DPO, one justified and one not, the third awaiting review), and
one access review closed a month ago with every account confirmed."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.oversight.models import AccessReviewEntry, AccessReviewRound
from steward.assurance.oversight.service import access_review
from steward.assurance.oversight.service import break_glass as review
from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import DomainError
from steward.core.permissions import Role
from steward.records import service as records
from steward.records.models import Case, CaseAssignment

REASONS = (
    "Police called out of hours about the child; the allocated worker is on leave",
    "Court listed the hearing for this morning and the allocated worker is off sick",
    "Curious about a case mentioned in the office",  # the one found not justified
)
OUTCOMES = (
    ("justified", ""),
    ("not_justified", "No emergency: the worker was told to ask the team manager next time"),
)


def prepare(factory: sessionmaker[Session], kek: KeyEncryptionKeys) -> None:
    """Idempotent: does nothing once an access review exists."""
    with session_scope(factory) as db:
        if db.scalar(select(AccessReviewRound.id).limit(1)) is not None:
            return
        dpo = db.scalar(select(auth.User).where(auth.User.role == Role.DPO).limit(1))
        workers = list(
            db.scalars(
                select(auth.User)
                .where(auth.User.role == Role.CASEWORKER, auth.User.is_active.is_(True))
                .order_by(auth.User.id)
                .limit(3)
            )
        )
    if dpo is None:
        return
    month_ago = clock.now() - timedelta(days=30)
    with clock.frozen(month_ago), session_scope(factory) as db:
        started = access_review.open_round(db, dpo.actor)
        entries = db.scalars(
            select(AccessReviewEntry).where(AccessReviewEntry.round_id == started.id)
        ).all()
        for entry in entries:
            access_review.decide(
                db, dpo.actor, round_id=started.id, entry_id=entry.id, decision="confirmed"
            )
        access_review.close_round(db, dpo.actor, started.id)
    for days_ago, (worker, reason) in zip(
        (6, 4, 2), zip(workers, REASONS, strict=False), strict=False
    ):
        with clock.frozen(clock.now() - timedelta(days=days_ago)), session_scope(factory) as db:
            case_id = db.scalar(
                select(Case.id)
                .where(
                    ~Case.id.in_(
                        select(CaseAssignment.case_id).where(CaseAssignment.user_id == worker.id)
                    )
                )
                .order_by(Case.id.desc())
                .limit(1)
            )
            if case_id is None:
                continue
            # A worker whose induction is outstanding, or a restricted case: no use, no fuss.
            with contextlib.suppress(DomainError), db.begin_nested():
                use = records.break_glass(db, kek, worker.actor, case_id=case_id, reason=reason)
                index = REASONS.index(reason)
                if index < len(OUTCOMES):
                    outcome, note = OUTCOMES[index]
                    review.record_review(
                        db, kek, dpo.actor, break_glass_id=use.id, outcome=outcome, note=note
                    )
