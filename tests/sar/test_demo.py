"""The demo's requests: a handful at different points of their life, so `make run`'s queue is
not empty, one overdue and one waiting for the DPO's approval; loading twice adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.demo import sar as demo_sar
from steward.sar import service
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.service import assurance as sar_figures
from tests.factories.core import make_user


def test_the_demo_has_requests_in_many_states(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, settings: Settings
) -> None:
    officer = make_user(db, Role.IG_OFFICER, username="ig-officer")
    make_user(db, Role.DPO, username="dpo")
    db.commit()
    demo_sar.prepare(session_factory, keyring, settings)
    demo_sar.prepare(session_factory, keyring, settings)  # idempotent
    requests = db.scalars(select(SubjectAccessRequest)).all()
    assert len(requests) == len(demo_sar.REQUESTS) + len(demo_sar.HISTORY)
    states = Counter(Status(r.status) for r in requests)
    assert len(states) >= 5
    waiting = next(r for r in requests if r.status == Status.AWAITING_APPROVAL)
    assert waiting.submitted_by_user_id == officer.id  # the DPO can approve it
    counts = service.due_counts(db, officer.actor)
    assert counts.overdue >= 1
    assert any(r.extended_on for r in requests)


def test_the_demo_answered_a_year_of_requests_mostly_on_time(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, settings: Settings
) -> None:
    """The history the assurance dashboard reads: answered over the past year at the time each
    step happened, one late and one inside a lawful extension."""
    make_user(db, Role.IG_OFFICER, username="ig-officer")
    make_user(db, Role.DPO, username="dpo")
    db.commit()
    demo_sar.prepare(session_factory, keyring, settings)
    today = clock.today()
    answered = sar_figures.answered(db, today - timedelta(days=365), today)
    # The history, and the demo's request answered today (late).
    assert len(answered) == len(demo_sar.HISTORY) + 1
    months = {a.answered_on.month for a in answered}
    assert len(months) >= 6  # spread over the year, so the trend has a figure most months
    late = [a for a in answered if not a.on_time]
    assert len(late) == 2
    assert any(a.extended and a.on_time for a in answered)
