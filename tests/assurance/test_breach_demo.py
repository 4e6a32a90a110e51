"""The demo's breaches: one told to the ICO within 72 hours, a near miss, one with its clock
running; loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.breaches import register
from steward.assurance.breaches.policy import ClockState
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.demo import breaches as demo
from tests.factories.core import make_user


def test_the_demo_has_a_breach_in_each_state(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    for username, role in (
        ("caseworker", Role.CASEWORKER),
        ("ig-officer", Role.IG_OFFICER),
        ("dpo", Role.DPO),
    ):
        make_user(db, role, username=username)
    db.commit()
    demo.prepare(session_factory, keyring)
    demo.prepare(session_factory, keyring)
    rows = register.register(db, Actor.system(), register.RegisterFilter(), PageRequest()).items
    assert sorted(r.clock.state for r in rows) == sorted(
        [ClockState.MET, ClockState.NOT_NEEDED, ClockState.RUNNING]
    )
    summary = register.breach_summary(db, clock.today())
    assert summary.notified == summary.notified_within_72_hours == 1
