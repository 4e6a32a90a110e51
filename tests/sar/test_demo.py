"""The demo's requests: a handful at different points of their life, so `make run`'s queue is
not empty, one overdue and one waiting for the DPO's approval; loading twice adds nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.demo import sar as demo_sar
from steward.sar import service
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
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
    assert len(requests) == len(demo_sar.REQUESTS)
    states = Counter(Status(r.status) for r in requests)
    assert len(states) >= 5
    waiting = next(r for r in requests if r.status == Status.AWAITING_APPROVAL)
    assert waiting.submitted_by_user_id == officer.id  # the DPO can approve it
    counts = service.due_counts(db, officer.actor)
    assert counts.overdue >= 1
    assert any(r.extended_on for r in requests)
