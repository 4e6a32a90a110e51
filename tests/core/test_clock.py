"""Time has one source, tests can fix it, and every stored instant comes back as the same
instant in UTC on either database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import DataKey

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_now_is_timezone_aware_utc() -> None:
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_frozen_fixes_now_and_today_then_lets_go() -> None:
    with clock.frozen(NOON):
        assert clock.now() == NOON
        assert clock.today() == NOON.date()
    assert clock.now() != NOON


def test_a_naive_time_is_taken_as_utc() -> None:
    with clock.frozen(datetime(2026, 6, 1, 22, 30)):
        assert clock.now() == datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
        assert clock.today().isoformat() == "2026-06-01"


def test_today_is_the_uk_date_so_statutory_days_start_at_uk_midnight() -> None:
    # 23:30 UTC on 1 June is 00:30 BST on 2 June: a request arriving then arrived on the 2nd.
    with clock.frozen(datetime(2026, 6, 1, 23, 30, tzinfo=UTC)):
        assert clock.today().isoformat() == "2026-06-02"
    # In winter UK time is UTC.
    with clock.frozen(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)):
        assert clock.today().isoformat() == "2026-01-15"


def test_a_time_frozen_in_another_zone_is_still_reported_in_utc() -> None:
    late_in_new_york = datetime(2026, 6, 1, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    with clock.frozen(late_in_new_york):
        assert clock.now() == late_in_new_york
        assert clock.now().utcoffset() == timedelta(0)
        assert clock.today() == clock.now().date()


def test_the_clock_is_restored_after_an_error_and_when_nested() -> None:
    later = NOON + timedelta(days=1)
    with pytest.raises(RuntimeError), clock.frozen(NOON):
        raise RuntimeError
    assert clock.now() != NOON
    with clock.frozen(NOON):
        with clock.frozen(later):
            assert clock.now() == later
        assert clock.now() == NOON


def _store(db: Session, at: datetime) -> datetime | None:
    key_id = str(uuid.uuid4())
    db.execute(insert(DataKey).values(id=key_id, purpose="clock-test", created_at=at))
    return db.scalar(select(DataKey.created_at).where(DataKey.id == key_id))


offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    at=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
    zone=offsets,
)
def test_a_stored_instant_reads_back_as_the_same_instant_in_utc(
    db: Session, at: datetime, zone: timezone
) -> None:
    aware = at.replace(tzinfo=zone)
    stored = _store(db, aware)
    assert stored == aware
    assert stored is not None and stored.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused_on_the_way_in(db: Session) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        _store(db, datetime(2026, 6, 1, 12, 0))
