"""The demo's record of processing: recorded once, with the gaps it promises to show."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from steward.assurance.processing.service import register_summary
from steward.core import clock
from steward.core.permissions import Actor, Role
from steward.demo import processing as demo_processing
from steward.retention.service import schedules
from tests.factories.core import make_user


def test_the_demo_register_has_its_gaps_and_loads_once(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    schedules.ensure_default(db, Actor.system())
    for username, role in (
        ("dpo", Role.DPO),
        ("ig-officer", Role.IG_OFFICER),
        ("admin", Role.ADMIN),
    ):
        make_user(db, role, username=username)
    db.commit()
    before = register_summary(db, clock.today())
    assert demo_processing.prepare(session_factory, Actor.system(), organisation="Demo") == 5
    assert demo_processing.prepare(session_factory, Actor.system(), organisation="Demo") is None
    after = register_summary(db, clock.today())
    assert after.activities - before.activities == 5
    # Partner intake lacks its Schedule 1 condition, complaints its recipients.
    assert after.complete - before.complete == 3
    assert after.assets_without_owner - before.assets_without_owner == 1
    # Every class of the default schedule serves an activity.
    assert after.unmapped_classes == 0
