"""The set-based SQL gives the same dates as the pure rules, on this backend."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from steward.retention import policy
from steward.retention.policy import Rounding
from steward.retention.service.sql import AddMonths, Earliest, Latest, RoundUp

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(days, st.integers(min_value=0, max_value=1500), st.sampled_from(list(Rounding)))
def test_add_months_and_rounding_match(
    db: Session, day: date, months: int, rounding: Rounding
) -> None:
    expression = AddMonths(literal(day), months)
    if rounding is not Rounding.NONE:
        expression = RoundUp(expression, rounding.value)
    got = _as_date(db.scalar(select(expression)))
    assert got == policy.round_up(policy.add_months(day, months), rounding)


def test_fixed_cases(db: Session) -> None:
    for day, months, expected in (
        (date(2012, 2, 29), 300, date(2037, 3, 1)),
        (date(2024, 1, 31), 1, date(2024, 3, 1)),
        (date(2023, 1, 31), 1, date(2023, 3, 1)),
        (date(2020, 12, 31), 0, date(2020, 12, 31)),
    ):
        assert _as_date(db.scalar(select(AddMonths(literal(day), months)))) == expected


def test_earliest_ignores_unknown_latest_does_not(db: Session) -> None:
    a, b = literal(date(2020, 1, 1)), literal(date(2021, 1, 1))
    none = literal(None).cast(AddMonths(a, 0).type)
    assert _as_date(db.scalar(select(Earliest(a, b)))) == date(2020, 1, 1)
    assert _as_date(db.scalar(select(Earliest(none, b)))) == date(2021, 1, 1)
    assert _as_date(db.scalar(select(Latest(a, b)))) == date(2021, 1, 1)
    assert db.scalar(select(Latest(a, none))) is None
