"""The oversight demo on the small demo organisation: break-glass uses by caseworkers (some
reviewed, one not justified), one access review closed with every account confirmed, and
seeding it twice adding nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from steward.assurance.oversight.models import AccessReviewRound, BreakGlassReview
from steward.assurance.oversight.service import access_review_summary, break_glass_summary
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.demo import oversight as demo_oversight
from steward.records.models import BreakGlass
from tests.demo.conftest import Seeded


def test_the_demo_has_break_glass_uses_and_a_closed_access_review(
    seeded: Seeded, keyring: FileKeyring
) -> None:
    demo_oversight.prepare(seeded.factory, keyring)
    demo_oversight.prepare(seeded.factory, keyring)  # idempotent
    with seeded.factory() as db:
        assert db.scalar(select(func.count()).select_from(AccessReviewRound)) == 1
        uses = db.scalar(select(func.count()).select_from(BreakGlass)) or 0
        reviews = db.scalar(select(func.count()).select_from(BreakGlassReview)) or 0
        assert uses >= 2 and 1 <= reviews < uses  # some reviewed, at least one waiting
        review = access_review_summary(db, clock.today())
        assert review.last_closed_on is not None
        assert review.accounts_confirmed == review.accounts_in_last_round > 0
        summary = break_glass_summary(db, clock.today())
        assert summary.uses == uses and summary.reviewed == reviews
