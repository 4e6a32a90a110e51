"""The pure date rules, with hypothesis: 29 February, short months, rounding, triggers."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from steward.retention import policy
from steward.retention.models import Decision, DisposalStatus
from steward.retention.policy import (
    Action,
    Combined,
    Part,
    Period,
    PersonDate,
    PersonFacts,
    PersonTrigger,
    Pick,
    RecordFacts,
    Rounding,
    Rule,
    add_months,
    round_up,
)

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
months = st.integers(min_value=0, max_value=12 * 120)


def test_leap_day_birthdays_reach_an_age_on_the_first_of_march() -> None:
    assert add_months(date(2012, 2, 29), 12 * 25) == date(2037, 3, 1)
    assert add_months(date(2012, 2, 29), 12 * 28) == date(2040, 2, 29)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 3, 1)
    assert add_months(date(2023, 12, 31), 2) == date(2024, 3, 1)


@given(days, months)
def test_adding_months_is_never_early_and_never_more_than_three_days_late(
    day: date, n: int
) -> None:
    result = add_months(day, n)
    target_index = day.year * 12 + day.month - 1 + n
    assert (result.year * 12 + result.month - 1) in (target_index, target_index + 1)
    if result.day == day.day:
        assert result.year * 12 + result.month - 1 == target_index
    else:  # the day does not exist in the target month: the 1st of the next
        assert result.day == 1 and day.day > 28


@given(days, months, months)
def test_adding_is_monotonic(day: date, a: int, b: int) -> None:
    assert (add_months(day, a) <= add_months(day, b)) == (a <= b) or a == b


@given(days)
def test_rounding_goes_to_the_end_of_the_period_and_never_back(day: date) -> None:
    end_year = round_up(day, Rounding.END_OF_YEAR)
    assert (
        end_year >= day and (end_year.month, end_year.day) == (12, 31) and end_year.year == day.year
    )
    end_month = round_up(day, Rounding.END_OF_MONTH)
    assert end_month >= day and (end_month + timedelta(days=1)).day == 1
    assert round_up(day, Rounding.NONE) == day


def _youngest_plus_25() -> Rule:
    trigger = PersonTrigger(PersonDate.BIRTH, ("child_subject",), Pick.LATEST)
    return Rule("CASE.PRIVATE", "a", "c", trigger, Period(25), Rounding.NONE, Action.DESTROY)


def _closed(*births: date | None, is_open: bool = False) -> RecordFacts:
    persons = [PersonFacts("child_subject", b, None) for b in births]
    persons.append(PersonFacts("parent", date(1950, 1, 1), None))
    return RecordFacts(date(2010, 1, 1), date(2011, 1, 1), None, is_open, persons)


@given(st.lists(days, min_size=1, max_size=6))
def test_the_youngest_child_decides(births: list[date]) -> None:
    result = policy.evaluate(_youngest_plus_25(), _closed(*births))
    assert result.due_on == add_months(max(births), 300)


def test_an_unknown_birth_date_or_an_open_case_gives_no_date() -> None:
    assert (
        policy.evaluate(_youngest_plus_25(), _closed(date(2010, 1, 1), None)).note
        == "missing_facts"
    )
    assert policy.evaluate(_youngest_plus_25(), _closed()).note == "missing_facts"
    assert (
        policy.evaluate(_youngest_plus_25(), _closed(date(2010, 1, 1), is_open=True)).due_on is None
    )


def test_looked_after_child_75th_birthday_or_15_years_after_death_under_18() -> None:
    rule = Rule(
        "CASE.LAC",
        "a",
        "c",
        Combined(
            Pick.EARLIEST,
            (
                Part(PersonTrigger(PersonDate.BIRTH, ("child_subject",)), Period(75)),
                Part(
                    PersonTrigger(PersonDate.DEATH, ("child_subject",), died_under=18), Period(15)
                ),
            ),
        ),
        Period(),
        Rounding.NONE,
        Action.DESTROY,
    )

    def facts(born: date, died: date | None) -> RecordFacts:
        return RecordFacts(
            None, date(2020, 1, 1), None, False, [PersonFacts("child_subject", born, died)]
        )

    assert policy.evaluate(rule, facts(date(2000, 5, 1), None)).due_on == date(2075, 5, 1)
    assert policy.evaluate(rule, facts(date(2000, 5, 1), date(2010, 1, 1))).due_on == date(
        2025, 1, 1
    )
    # Died at 30: the death rule does not apply, the 75th birthday does.
    assert policy.evaluate(rule, facts(date(2000, 5, 1), date(2030, 5, 1))).due_on == date(
        2075, 5, 1
    )
    # Died the day before the 18th birthday: under 18.
    assert policy.evaluate(rule, facts(date(2000, 5, 1), date(2018, 4, 30))).due_on == date(
        2033, 4, 30
    )


def test_disposal_transitions_and_approval() -> None:
    assert policy.can_move(DisposalStatus.IN_REVIEW, DisposalStatus.APPROVED)
    assert not policy.can_move(DisposalStatus.IN_REVIEW, DisposalStatus.EXECUTING)
    assert not policy.can_move(DisposalStatus.COMPLETED, DisposalStatus.CANCELLED)
    assert not policy.may_approve([Decision.DESTROY, Decision.PENDING])
    assert policy.may_approve([Decision.DESTROY, Decision.RETAIN])
    assert policy.review_overdue(date(2026, 1, 1), date(2026, 2, 1))
    assert not policy.review_overdue(date(2026, 1, 1), date(2026, 1, 31))
