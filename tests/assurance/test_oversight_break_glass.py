"""Break-glass review: an outcome per use with a sealed note and follow-up; a second review
supersedes the first only when it says so; filters and the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.oversight.models import BreakGlassReview
from steward.assurance.oversight.policy import Outcome
from steward.assurance.oversight.service import break_glass as review
from steward.assurance.oversight.service.break_glass import Show, UseFilter
from steward.core import clock, crypto
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Role
from steward.records import service as records
from steward.records.models import BreakGlass
from tests.assurance.oversight_helpers import REASON, scene
from tests.factories.core import make_user
from tests.factories.records import make_case

NOTE = "Spoke to Ava Zielinska's worker: the call was genuine <script>alert(1)</script>"


def test_an_outcome_is_recorded_with_a_sealed_note_and_marks_the_use_reviewed(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    auditor = make_user(db, Role.AUDITOR)
    saved = review.record_review(
        db,
        keyring,
        make_user(db, Role.DPO).actor,
        break_glass_id=s.use.id,
        outcome="not_justified",
        note=NOTE,
        follow_up="Refresher on need-to-know",
    )
    assert saved.note is not None and b"Zielinska" not in saved.note
    assert saved.follow_up is not None and b"Refresher" not in saved.follow_up
    use, reviews = review.get_use(db, keyring, auditor.actor, s.use.id)
    assert use.review is not None and use.review.outcome is Outcome.NOT_JUSTIFIED
    assert use.review.note == NOTE and use.review.follow_up == "Refresher on need-to-know"
    assert use.reason == REASON and use.user == s.glass.username
    assert len(reviews) == 1
    assert db.get(BreakGlass, s.use.id).reviewed_at is not None  # type: ignore[union-attr]
    assert records.unreviewed_break_glass_count(db) == 0


def test_reviewing_a_use_twice_is_refused_unless_it_supersedes_the_current_review(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    dpo, auditor = make_user(db, Role.DPO), make_user(db, Role.DPO)  # two DPOs: one deputises
    first = review.record_review(
        db, keyring, dpo.actor, break_glass_id=s.use.id, outcome="justified"
    )
    with pytest.raises(Conflict):
        review.record_review(
            db, keyring, auditor.actor, break_glass_id=s.use.id, outcome="referred", note="x"
        )
    second = review.record_review(
        db,
        keyring,
        auditor.actor,
        break_glass_id=s.use.id,
        outcome="referred",
        note="Referred to HR",
        supersedes_id=first.id,
    )
    # A stale form (naming the first review again) is refused too.
    with pytest.raises(Conflict):
        review.record_review(
            db,
            keyring,
            dpo.actor,
            break_glass_id=s.use.id,
            outcome="justified",
            supersedes_id=first.id,
        )
    use, reviews = review.get_use(db, keyring, dpo.actor, s.use.id)
    assert use.review is not None and use.review.id == second.id
    assert [r.outcome for r in reviews] == [Outcome.REFERRED, Outcome.JUSTIFIED]
    assert reviews[0].supersedes_id == first.id


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [
        ("", "", "outcome"),
        ("=cmd|' /C calc'!A0", "", "outcome"),
        ("not_justified", "", "note"),
        ("referred", "   ", "note"),
        ("justified", "x" * 2001, "note"),
    ],
)
def test_a_bad_review_is_refused_and_changes_nothing(
    db: Session, keyring: FileKeyring, outcome: str, note: str, field: str
) -> None:
    s = scene(db, keyring)
    with pytest.raises(ValidationFailed) as refused:
        review.record_review(
            db,
            keyring,
            make_user(db, Role.DPO).actor,
            break_glass_id=s.use.id,
            outcome=outcome,
            note=note,
        )
    assert field in refused.value.errors
    assert db.scalars(select(BreakGlassReview)).all() == []


def test_an_auditor_reads_the_reviews_but_records_none(db: Session, keyring: FileKeyring) -> None:
    s = scene(db, keyring)
    auditor = make_user(db, Role.AUDITOR).actor
    assert review.list_uses(db, keyring, auditor).total == 1
    with pytest.raises(Forbidden):
        review.record_review(db, keyring, auditor, break_glass_id=s.use.id, outcome="justified")


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.IG_OFFICER, Role.ADMIN])
def test_only_readers_of_the_audit_trail_review_break_glass(
    db: Session, keyring: FileKeyring, role: Role
) -> None:
    s = scene(db, keyring)
    someone = make_user(db, role)
    with pytest.raises(Forbidden):
        review.list_uses(db, keyring, someone.actor)
    with pytest.raises(Forbidden):
        review.record_review(
            db, keyring, someone.actor, break_glass_id=s.use.id, outcome="justified"
        )


def test_uses_filter_by_outcome_unreviewed_and_date(db: Session, keyring: FileKeyring) -> None:
    s = scene(db, keyring)
    dpo = make_user(db, Role.DPO)
    later_case = make_case(db, keyring, team="North")
    with clock.frozen(clock.now() + timedelta(days=3)):
        later = records.break_glass(
            db, keyring, s.glass.actor, case_id=later_case.id, reason=REASON
        )
    review.record_review(db, keyring, dpo.actor, break_glass_id=s.use.id, outcome="justified")

    def ids(f: UseFilter) -> list[int]:
        return [u.id for u in review.list_uses(db, keyring, dpo.actor, f).items]

    assert ids(UseFilter()) == [later.id, s.use.id]  # unreviewed first
    assert ids(UseFilter(Show.UNREVIEWED)) == [later.id]
    assert ids(UseFilter(Show.JUSTIFIED)) == [s.use.id]
    assert ids(UseFilter(Show.NOT_JUSTIFIED)) == []
    today = clock.today()
    assert ids(UseFilter(since=today + timedelta(days=1))) == [later.id]
    assert ids(UseFilter(until=today)) == [s.use.id]


def test_the_dashboard_summary_counts_the_last_twelve_months(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    dpo = make_user(db, Role.DPO)
    old_case = make_case(db, keyring)
    with clock.frozen(clock.now() - timedelta(days=400)):
        records.break_glass(db, keyring, s.glass.actor, case_id=old_case.id, reason=REASON)
    first = review.record_review(
        db, keyring, dpo.actor, break_glass_id=s.use.id, outcome="justified"
    )
    review.record_review(
        db,
        keyring,
        dpo.actor,
        break_glass_id=s.use.id,
        outcome="not_justified",
        note="On reflection, no emergency",
        supersedes_id=first.id,
    )
    summary = review.break_glass_summary(db, clock.today())
    assert (summary.uses, summary.reviewed, summary.not_justified) == (1, 1, 1)
    before = review.break_glass_summary(db, clock.today() - timedelta(days=30))
    assert before.uses == 0


def test_a_destroyed_case_leaves_no_readable_note(db: Session, keyring: FileKeyring) -> None:
    """The note is sealed under the case's key: destroying the key destroys the note."""
    s = scene(db, keyring)
    dpo = make_user(db, Role.DPO)
    review.record_review(
        db, keyring, dpo.actor, break_glass_id=s.use.id, outcome="referred", note=NOTE
    )
    crypto.destroy_data_key(db, key_id=s.case.data_key_id)
    use, _ = review.get_use(db, keyring, dpo.actor, s.use.id)
    assert use.review is not None and use.review.note == review.KEY_DESTROYED
