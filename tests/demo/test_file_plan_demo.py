"""The file plan demo on the small demo organisation: most classes owned, a few reviews, one
case class without an owner, so the DPO's measure is below green with reasons to show; seeding
it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from steward.core import clock
from steward.core.permissions import Actor
from steward.demo import file_plan as demo_file_plan
from steward.retention.models import RecordClassReview
from steward.retention.service import class_reviews, schedules
from tests.demo.conftest import Seeded


def test_the_demo_owns_most_classes_and_reviews_a_few(seeded: Seeded) -> None:
    with seeded.factory() as db:
        schedules.ensure_default(db, Actor.system())
        db.commit()
    demo_file_plan.prepare(seeded.factory)
    demo_file_plan.prepare(seeded.factory)  # idempotent
    with seeded.factory() as db:
        assert db.scalar(select(func.count()).select_from(RecordClassReview)) == 3
        found = {c.code: c for c in class_reviews.standings(db, clock.today())}
        meeting = sorted(code for code, c in found.items() if c.meets)
        assert meeting == ["CASE.ADOPTION", "CASE.LAC", "CASE.PRIVATE", "CASE.PUBLIC", "SAR"]
        assert found["CASE.OTHER"].gaps == ["No owner"]
        assert "No rule in the schedule in force" in found["CORR"].gaps
