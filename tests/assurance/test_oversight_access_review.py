"""The periodic access review: every active account, confirmed or changed by the DPO, closed
as evidence; the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.oversight.models import AccessReviewEntry
from steward.assurance.oversight.service import access_review
from steward.core import auth, clock
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from tests.factories.core import make_user


def _entries(db: Session, round_id: int) -> list[AccessReviewEntry]:
    return list(db.scalars(select(AccessReviewEntry).where(AccessReviewEntry.round_id == round_id)))


def test_a_review_covers_every_active_account_and_only_those(db: Session) -> None:
    dpo = make_user(db, Role.DPO)
    worker = make_user(db, Role.CASEWORKER, team="North")
    leaver = make_user(db, Role.CASEWORKER)
    auth.deactivate_user(db, Actor.system(), user_id=leaver.id)
    started = access_review.open_round(db, dpo.actor)
    entries = {e.user_id: e for e in _entries(db, started.id)}
    active = set(db.scalars(select(auth.User.id).where(auth.User.is_active.is_(True))))
    assert set(entries) == active
    assert leaver.id not in entries
    mine = entries[worker.id]
    assert (mine.username, mine.role, mine.team, mine.two_factor) == (
        worker.username,
        "caseworker",
        "North",
        False,
    )


def test_each_account_is_decided_before_the_review_closes(db: Session) -> None:
    dpo = make_user(db, Role.DPO)
    worker = make_user(db, Role.CASEWORKER)
    started = access_review.open_round(db, dpo.actor)
    with pytest.raises(Conflict):
        access_review.open_round(db, dpo.actor)  # one open review at a time
    with pytest.raises(ValidationFailed):
        access_review.close_round(db, dpo.actor, started.id)
    with pytest.raises(ValidationFailed):
        access_review.decide(db, dpo.actor, round_id=started.id, entry_id=1, decision="maybe")
    # The worker's role changes on the account's page; the review records it as changed.
    auth.change_role(db, Actor.system(), user_id=worker.id, role=Role.MANAGER)
    for entry in _entries(db, started.id):
        decision = "changed" if entry.user_id == worker.id else "confirmed"
        access_review.decide(
            db, dpo.actor, round_id=started.id, entry_id=entry.id, decision=decision
        )
    closed = access_review.close_round(db, dpo.actor, started.id)
    assert closed.closed_at is not None and closed.closed_by_id == dpo.id
    changed = next(e for e in _entries(db, started.id) if e.user_id == worker.id)
    assert (changed.role, changed.role_after, changed.decided_by_id) == (
        "caseworker",
        "manager",
        dpo.id,
    )
    first = _entries(db, started.id)[0]
    with pytest.raises(Conflict):
        access_review.decide(
            db, dpo.actor, round_id=started.id, entry_id=first.id, decision="changed"
        )
    with pytest.raises(Conflict):
        access_review.close_round(db, dpo.actor, started.id)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.IG_OFFICER, Role.ADMIN, Role.AUDITOR])
def test_only_the_dpo_runs_a_review(db: Session, role: Role) -> None:
    with pytest.raises(Forbidden):
        access_review.open_round(db, make_user(db, role).actor)


def test_auditors_read_reviews_and_caseworkers_do_not(db: Session) -> None:
    started = access_review.open_round(db, make_user(db, Role.DPO).actor)
    view, entries = access_review.get_round(db, make_user(db, Role.AUDITOR).actor, started.id)
    assert view.accounts == entries.total > 0
    with pytest.raises(Forbidden):
        access_review.get_round(db, make_user(db, Role.CASEWORKER).actor, started.id)


def test_the_summary_gives_the_last_review_and_unused_accounts(db: Session) -> None:
    with clock.frozen(clock.now() - timedelta(days=200)):
        make_user(db, Role.CASEWORKER)  # never signed in, created 200 days ago
    before = access_review.access_review_summary(db, clock.today())
    assert before.last_closed_on is None and before.unused_90_days >= 1
    dpo = make_user(db, Role.DPO)
    started = access_review.open_round(db, dpo.actor)
    for entry in _entries(db, started.id):
        access_review.decide(
            db, dpo.actor, round_id=started.id, entry_id=entry.id, decision="confirmed"
        )
    access_review.close_round(db, dpo.actor, started.id)
    after = access_review.access_review_summary(db, clock.today())
    assert after.last_closed_on == clock.today()
    assert after.accounts_confirmed == after.accounts_in_last_round == len(_entries(db, started.id))
    assert after.unused_90_days == before.unused_90_days
