"""Break-glass cannot be used to open cases in bulk: a reason must be a reason, uses are
limited per user (counted from the database, so every process sees the same count), past a
threshold the DPO is alerted, and each use waits on the DPO's review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Role
from steward.records import policy, service
from steward.records.models import Case
from tests.factories.core import make_user
from tests.factories.records import make_case

REASON = "Urgent safeguarding call from the school"
LIMITS = service.BreakGlassLimits(per_hour=3, per_day=4, alert_after=2)


def _cases(db: Session, keyring: FileKeyring, n: int) -> list[Case]:
    owner = make_user(db, Role.CASEWORKER)
    return [make_case(db, keyring, actor=owner.actor) for _ in range(n)]


def _tags(db: Session, user_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.tag).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.seq)
        )
    )


@pytest.mark.parametrize(
    "reason",
    [
        "asdfghjkla",  # the ten-letter nonsense of the report
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "test test test test test test",
        "1234567890 1234567890 !!",
        "need it",
    ],
)
def test_a_reason_that_says_nothing_is_refused(reason: str) -> None:
    assert policy.break_glass_reason_problem(reason) is not None


@pytest.mark.parametrize(
    "reason",
    [REASON, "Court hearing moved to today; worker is off sick", "Police called about child"],
)
def test_a_sentence_is_a_reason(reason: str) -> None:
    assert policy.break_glass_reason_problem(reason) is None


def test_a_nonsense_reason_opens_nothing(db: Session, keyring: FileKeyring) -> None:
    (case,) = _cases(db, keyring, 1)
    user = make_user(db, Role.CASEWORKER)
    with pytest.raises(ValidationFailed) as raised:
        service.break_glass(db, keyring, user.actor, case_id=case.id, reason="asdfghjkla")
    assert "reason" in raised.value.errors
    assert _tags(db, user.id) == []


def test_uses_past_the_hourly_limit_are_refused(db: Session, keyring: FileKeyring) -> None:
    cases = _cases(db, keyring, 4)
    user = make_user(db, Role.CASEWORKER)
    for case in cases[:3]:
        service.break_glass(db, keyring, user.actor, case_id=case.id, reason=REASON, limits=LIMITS)
    with pytest.raises(service.BreakGlassLimitReached) as raised:
        service.break_glass(
            db, keyring, user.actor, case_id=cases[3].id, reason=REASON, limits=LIMITS
        )
    assert isinstance(raised.value, Forbidden) and "3 times in the last hour" in str(raised.value)
    with pytest.raises(service.NeedsBreakGlass):
        service.view_case(db, user.actor, cases[3].id)


def test_the_daily_limit_holds_across_hours(db: Session, keyring: FileKeyring) -> None:
    cases = _cases(db, keyring, 5)
    user = make_user(db, Role.CASEWORKER)
    start = clock.now()
    for i, case in enumerate(cases[:4]):
        with clock.frozen(start + timedelta(hours=2 * i)):
            service.break_glass(
                db, keyring, user.actor, case_id=case.id, reason=REASON, limits=LIMITS
            )
    with clock.frozen(start + timedelta(hours=9)), pytest.raises(service.BreakGlassLimitReached):
        service.break_glass(
            db, keyring, user.actor, case_id=cases[4].id, reason=REASON, limits=LIMITS
        )
    with clock.frozen(start + timedelta(hours=25)):
        service.break_glass(
            db, keyring, user.actor, case_id=cases[4].id, reason=REASON, limits=LIMITS
        )


def test_limits_are_per_user(db: Session, keyring: FileKeyring) -> None:
    cases = _cases(db, keyring, 4)
    busy = make_user(db, Role.CASEWORKER)
    other = make_user(db, Role.MANAGER)
    for case in cases[:3]:
        service.break_glass(db, keyring, busy.actor, case_id=case.id, reason=REASON, limits=LIMITS)
    service.break_glass(db, keyring, other.actor, case_id=cases[3].id, reason=REASON, limits=LIMITS)


def test_past_the_threshold_each_use_alerts_the_dpo(db: Session, keyring: FileKeyring) -> None:
    cases = _cases(db, keyring, 3)
    user = make_user(db, Role.CASEWORKER)
    dpo = make_user(db, Role.DPO)
    for case in cases[:2]:
        service.break_glass(db, keyring, user.actor, case_id=case.id, reason=REASON, limits=LIMITS)
    assert service.break_glass_alerts(db, dpo.actor) == []
    service.break_glass(db, keyring, user.actor, case_id=cases[2].id, reason=REASON, limits=LIMITS)
    alerts = service.break_glass_alerts(db, dpo.actor)
    assert [(a.user_id, a.kind) for a in alerts] == [(user.id, "over_threshold")]
    assert "records:break_glass:alert" in _tags(db, user.id)


def test_a_refusal_is_recorded_and_shown_to_the_dpo(db: Session, keyring: FileKeyring) -> None:
    user = make_user(db, Role.CASEWORKER)
    dpo = make_user(db, Role.DPO)
    service.refuse(db, user.actor, case_id=7, error=service.BreakGlassLimitReached(5, "hour"))
    service.refuse(db, user.actor, case_id=999_999, error=service.NoSuchCase())
    assert _tags(db, user.id) == ["records:break_glass:limited", "records:break_glass:no_case"]
    kinds = {a.kind for a in service.break_glass_alerts(db, dpo.actor)}
    assert kinds == {"limit_reached", "no_such_case"}


def test_asking_for_missing_cases_counts_towards_the_limit(
    db: Session, keyring: FileKeyring
) -> None:
    (case,) = _cases(db, keyring, 1)
    user = make_user(db, Role.CASEWORKER)
    for missing in (900_001, 900_002, 900_003):
        with pytest.raises(service.NoSuchCase):
            service.break_glass(
                db, keyring, user.actor, case_id=missing, reason=REASON, limits=LIMITS
            )
        service.refuse(db, user.actor, case_id=missing, error=service.NoSuchCase())
    with pytest.raises(service.BreakGlassLimitReached):
        service.break_glass(db, keyring, user.actor, case_id=case.id, reason=REASON, limits=LIMITS)


def test_each_use_waits_for_the_dpos_review(db: Session, keyring: FileKeyring) -> None:
    cases = _cases(db, keyring, 2)
    user = make_user(db, Role.CASEWORKER)
    dpo = make_user(db, Role.DPO)
    before = service.unreviewed_break_glass_count(db)
    rows = [
        service.break_glass(db, keyring, user.actor, case_id=c.id, reason=REASON) for c in cases
    ]
    assert service.unreviewed_break_glass_count(db) == before + 2
    assert service.mark_reviewed(db, dpo.actor, break_glass_ids=[rows[0].id]) == 1
    assert service.unreviewed_break_glass_count(db) == before + 1
    log = service.break_glass_log(db, keyring, dpo.actor).items
    assert log[0][0].id == rows[1].id  # the unreviewed one first
    assert service.mark_reviewed(db, dpo.actor, break_glass_ids=[rows[0].id]) == 0
    with pytest.raises(Forbidden):
        service.mark_reviewed(db, user.actor, break_glass_ids=[rows[1].id])
    assert "records:break_glass:marked_reviewed" in _tags(db, dpo.id)
