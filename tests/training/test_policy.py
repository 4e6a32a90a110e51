"""The pure rules of training compliance (training/policy.py), exhaustively: dates at their
boundaries by hand, and the properties that must hold for every date by hypothesis."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.training import policy
from steward.training.policy import (
    NON_COMPLIANT,
    Audience,
    Redo,
    Standing,
    Status,
    add_months,
    first_due,
    in_scope,
    in_window,
    is_compliant,
    latest_counting,
    passes,
    percent,
    redo_released,
    required_version,
    score_percent,
    standing,
    standing_after,
    standing_before,
)

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=-240, max_value=240)
validities = st.one_of(st.none(), st.integers(min_value=1, max_value=60))
windows = st.integers(min_value=0, max_value=120)
statuses = st.lists(st.sampled_from(list(Status)), max_size=8)

# --- add_months ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 6, 30), 0, date(2026, 6, 30)),
        (date(2025, 6, 2), 12, date(2026, 6, 2)),
    ],
)
def test_add_months_at_month_ends(day: date, n: int, expected: date) -> None:
    assert add_months(day, n) == expected


def _reference_add_months(day: date, n: int) -> date:
    total = day.year * 12 + day.month - 1 + n
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@given(dates, months)
def test_add_months_is_the_calendar_rule(day: date, n: int) -> None:
    moved = add_months(day, n)
    assert moved == _reference_add_months(day, n)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == n
    assert moved.day == day.day or moved.day == calendar.monthrange(moved.year, moved.month)[1]


@given(dates, dates, st.integers(min_value=0, max_value=120))
def test_add_months_keeps_order(a: date, b: date, n: int) -> None:
    earlier, later = sorted((a, b))
    assert add_months(earlier, n) <= add_months(later, n)


@given(dates, st.integers(min_value=0, max_value=120))
def test_a_whole_number_of_years_keeps_the_day_except_29_february(day: date, years: int) -> None:
    moved = add_months(day, 12 * years)
    assert moved.year == day.year + years and moved.month == day.month
    assert moved.day == day.day or (day.month, day.day, moved.day) == (2, 29, 28)


# --- in scope ---------------------------------------------------------------------------------


def test_in_scope_from_the_start_date_until_the_leaving_date() -> None:
    start, leaving = date(2026, 3, 2), date(2026, 9, 30)
    assert not in_scope(start, leaving, date(2026, 3, 1))
    assert in_scope(start, leaving, start)
    assert in_scope(start, leaving, date(2026, 9, 29))
    assert not in_scope(start, leaving, leaving)  # gone from their leaving date
    assert in_scope(start, None, date(2099, 1, 1))
    assert not in_scope(start, start, start)  # left the day they started: never counted


@given(dates, st.one_of(st.none(), dates), dates)
def test_in_scope_is_the_half_open_interval(start: date, leaving: date | None, day: date) -> None:
    expected = start <= day and (leaving is None or day < leaving)
    assert in_scope(start, leaving, day) is expected


# --- audiences --------------------------------------------------------------------------------


def test_an_audience_with_no_filter_is_everyone() -> None:
    assert Audience().matches(
        job_role=None, team=None, employment_type="volunteer", account_role=None
    )


def test_every_filter_set_must_match_ignoring_case() -> None:
    sar = Audience(
        job_roles=frozenset({"SAR Officer"}),
        teams=frozenset({"North"}),
        employment_types=frozenset({"permanent", "temporary"}),
        account_roles=frozenset({"ig_officer"}),
    )
    fits: dict[str, Any] = {
        "job_role": "sar officer",
        "team": "NORTH",
        "employment_type": "Temporary",
        "account_role": "ig_officer",
    }
    assert sar.matches(**fits)
    for key, wrong in (
        ("job_role", "Family Court Adviser"),
        ("team", "South"),
        ("employment_type", "contractor"),
        ("account_role", "caseworker"),
    ):
        assert not sar.matches(**(fits | {key: wrong})), key
    # A filter set on something the person lacks (no team, no account) does not match.
    assert not sar.matches(**(fits | {"team": None}))
    assert not sar.matches(**(fits | {"account_role": None}))


def test_an_empty_filter_matches_nobody() -> None:
    assert not Audience(teams=frozenset()).matches(
        job_role=None, team="North", employment_type="permanent", account_role=None
    )


@given(
    st.one_of(st.none(), st.frozensets(st.sampled_from(["a", "B", "c"]))),
    st.one_of(st.none(), st.sampled_from(["a", "b", "C", "d"])),
)
def test_one_filter_accepts_exactly_its_values(
    allowed: frozenset[str] | None, value: str | None
) -> None:
    audience = Audience(job_roles=allowed)
    expected = allowed is None or (
        value is not None and value.casefold() in {a.casefold() for a in allowed}
    )
    assert (
        audience.matches(job_role=value, team=None, employment_type="permanent", account_role=None)
        is expected
    )


# --- versions that must be redone ---------------------------------------------------------------


def test_required_version_and_its_release() -> None:
    redos = [Redo(2, date(2025, 1, 10)), Redo(4, date(2026, 5, 1))]
    assert required_version([], date(2026, 1, 1)) == 1
    assert redo_released([], date(2026, 1, 1)) is None
    assert required_version(redos, date(2025, 1, 9)) == 1
    assert required_version(redos, date(2025, 1, 10)) == 2  # from its release day
    assert redo_released(redos, date(2025, 1, 10)) == date(2025, 1, 10)
    assert required_version(redos, date(2026, 4, 30)) == 2
    assert required_version(redos, date(2026, 5, 1)) == 4
    assert redo_released(redos, date(2026, 6, 1)) == date(2026, 5, 1)


@given(st.lists(st.builds(Redo, st.integers(1, 20), dates), max_size=6), dates)
def test_required_version_is_the_latest_released_redo(redos: list[Redo], day: date) -> None:
    released = [r for r in redos if r.released_on <= day]
    assert required_version(redos, day) == max((r.version for r in released), default=1)
    assert redo_released(redos, day) == max((r.released_on for r in released), default=None)


def test_latest_counting_completion() -> None:
    done = [(date(2024, 1, 5), 1), (date(2025, 2, 1), 2), (date(2026, 3, 1), 1)]
    assert latest_counting(done, as_of=date(2026, 6, 1), minimum_version=1) == date(2026, 3, 1)
    assert latest_counting(done, as_of=date(2026, 6, 1), minimum_version=2) == date(2025, 2, 1)
    assert latest_counting(done, as_of=date(2026, 2, 28), minimum_version=1) == date(2025, 2, 1)
    assert latest_counting(done, as_of=date(2024, 1, 4), minimum_version=1) is None
    assert latest_counting(done, as_of=date(2026, 6, 1), minimum_version=3) is None
    assert latest_counting([], as_of=date(2026, 6, 1), minimum_version=1) is None


@given(st.lists(st.tuples(dates, st.integers(1, 4))), dates, st.integers(1, 4))
def test_latest_counting_is_the_latest_on_time_of_a_counting_version(
    done: list[tuple[date, int]], day: date, minimum: int
) -> None:
    found = latest_counting(done, as_of=day, minimum_version=minimum)
    counting = [d for d, v in done if d <= day and v >= minimum]
    assert found == (max(counting) if counting else None)


# --- standing ----------------------------------------------------------------------------------


def _after(last: date, as_of: date, validity: int | None = 12, window: int = 30) -> Standing:
    return standing(
        as_of=as_of,
        start_date=date(2000, 1, 1),
        due_within_days=30,
        last_completed_on=last,
        validity_months=validity,
        due_soon_days=window,
    )


def test_a_refresher_is_current_then_due_soon_then_overdue_on_its_lapse_day() -> None:
    done = date(2025, 6, 2)
    lapses = date(2026, 6, 2)
    assert _after(done, date(2026, 5, 2)) == Standing(Status.CURRENT, lapses, done)  # 31 days
    assert _after(done, date(2026, 5, 3)).status is Status.DUE_SOON  # exactly 30 days before
    assert _after(done, date(2026, 6, 1)) == Standing(Status.DUE_SOON, lapses, done)
    assert _after(done, lapses) == Standing(Status.OVERDUE, lapses, done)
    assert _after(done, date(2030, 1, 1)).status is Status.OVERDUE
    assert _after(done, done).status is Status.CURRENT  # the day it was done


def test_a_due_soon_window_of_nothing_goes_straight_to_overdue() -> None:
    done = date(2025, 6, 2)
    assert _after(done, date(2026, 6, 1), window=0).status is Status.CURRENT
    assert _after(done, date(2026, 6, 2), window=0).status is Status.OVERDUE


def test_a_course_that_never_lapses_stays_current() -> None:
    done = date(2010, 1, 1)
    assert _after(done, date(2090, 1, 1), validity=None) == Standing(Status.CURRENT, None, done)


def test_the_last_day_of_a_short_month_is_the_lapse_day() -> None:
    done = date(2025, 8, 31)
    assert _after(done, date(2026, 2, 27), validity=6).status is Status.DUE_SOON
    assert _after(done, date(2026, 2, 28), validity=6).status is Status.OVERDUE


def _never(
    as_of: date,
    *,
    start: date = date(2026, 3, 2),
    within: int = 5,
    redo: date | None = None,
    starts: date | None = None,
) -> Standing:
    return standing(
        as_of=as_of,
        start_date=start,
        due_within_days=within,
        last_completed_on=None,
        validity_months=12,
        due_soon_days=30,
        redo_released_on=redo,
        requirement_starts_on=starts,
    )


def test_a_new_starter_has_their_window_and_then_never_did_it() -> None:
    assert _never(date(2026, 3, 2)) == Standing(Status.NOT_YET_DUE, date(2026, 3, 7), None)
    assert _never(date(2026, 3, 6)).status is Status.NOT_YET_DUE
    assert _never(date(2026, 3, 7)) == Standing(Status.NEVER_DONE, date(2026, 3, 7), None)
    assert _never(date(2026, 3, 2), within=0).status is Status.NEVER_DONE  # due on day one


def test_the_first_deadline_runs_from_the_latest_of_start_redo_and_requirement() -> None:
    start = date(2020, 1, 6)
    assert _never(date(2026, 5, 10), start=start, redo=date(2026, 5, 1), within=14).due_on == (
        date(2026, 5, 15)
    )
    assert _never(date(2026, 5, 10), start=start, starts=date(2026, 5, 8)).due_on == date(
        2026, 5, 13
    )
    # Nobody is overdue on a course the day it becomes mandatory.
    assert _never(date(2026, 5, 8), start=start, starts=date(2026, 5, 8)).status is (
        Status.NOT_YET_DUE
    )
    assert _never(date(2026, 5, 10), start=date(2026, 5, 9), redo=date(2026, 5, 1)).due_on == (
        date(2026, 5, 14)
    )


@given(
    as_of=dates,
    start=dates,
    within=st.integers(0, 400),
    last=st.one_of(st.none(), dates),
    validity=validities,
    window=windows,
    redo=st.one_of(st.none(), dates),
    starts=st.one_of(st.none(), dates),
)
def test_standing_is_its_two_halves(
    as_of: date,
    start: date,
    within: int,
    last: date | None,
    validity: int | None,
    window: int,
    redo: date | None,
    starts: date | None,
) -> None:
    found = standing(
        as_of=as_of,
        start_date=start,
        due_within_days=within,
        last_completed_on=last,
        validity_months=validity,
        due_soon_days=window,
        redo_released_on=redo,
        requirement_starts_on=starts,
    )
    if last is not None:
        assert found == standing_after(
            last, as_of=as_of, validity_months=validity, due_soon_days=window
        )
        assert found.last_completed_on == last
        if validity is None:
            assert (found.status, found.due_on) == (Status.CURRENT, None)
        else:
            lapses = add_months(last, validity)
            assert found.due_on == lapses
            expected = (
                Status.OVERDUE
                if as_of >= lapses
                else Status.DUE_SOON
                if (lapses - as_of).days <= window
                else Status.CURRENT
            )
            assert found.status is expected
    else:
        due = max(d for d in (start, redo, starts) if d is not None) + timedelta(days=within)
        assert (
            first_due(
                start_date=start,
                due_within_days=within,
                redo_released_on=redo,
                requirement_starts_on=starts,
            )
            == due
        )
        assert found == standing_before(due, as_of=as_of)
        assert found.due_on == due and found.last_completed_on is None
        assert found.status is (Status.NOT_YET_DUE if as_of < due else Status.NEVER_DONE)


ORDER = [Status.CURRENT, Status.DUE_SOON, Status.OVERDUE]


@given(dates, dates, dates, validities, windows)
def test_a_completion_only_ever_gets_older(
    done: date, a: date, b: date, validity: int | None, window: int
) -> None:
    """Time passing never improves a standing: current, then due soon, then overdue."""
    earlier, later = sorted((a, b))
    first = standing_after(done, as_of=earlier, validity_months=validity, due_soon_days=window)
    then = standing_after(done, as_of=later, validity_months=validity, due_soon_days=window)
    assert ORDER.index(first.status) <= ORDER.index(then.status)
    assert first.due_on == then.due_on


@given(dates, dates, dates)
def test_a_window_once_passed_stays_passed(due: date, a: date, b: date) -> None:
    earlier, later = sorted((a, b))
    if standing_before(due, as_of=earlier).status is Status.NEVER_DONE:
        assert standing_before(due, as_of=later).status is Status.NEVER_DONE


# --- compliant, in their window ------------------------------------------------------------------


def test_compliance_of_a_persons_lines() -> None:
    assert is_compliant([]) and not in_window([])  # nothing applies: nothing missing
    assert is_compliant([Status.CURRENT, Status.DUE_SOON])
    assert not is_compliant([Status.CURRENT, Status.OVERDUE])
    assert not is_compliant([Status.NEVER_DONE])
    assert in_window([Status.NOT_YET_DUE, Status.CURRENT])
    assert not in_window([Status.NOT_YET_DUE, Status.NEVER_DONE])  # a real gap counts
    assert not in_window([Status.CURRENT])


@given(statuses)
def test_compliant_and_in_window_for_any_lines(found: list[Status]) -> None:
    assert is_compliant(found) is not any(s in NON_COMPLIANT for s in found)
    assert in_window(found) is (is_compliant(found) and Status.NOT_YET_DUE in found)
    if in_window(found):
        assert is_compliant(found)
    assert {Status.OVERDUE, Status.NEVER_DONE} == NON_COMPLIANT


# --- numbers ----------------------------------------------------------------------------------------


def test_percent() -> None:
    assert percent(0, 0) is None
    assert percent(0, 5) == 0.0
    assert percent(2, 3) == 66.7
    assert percent(1, 3) == 33.3
    assert percent(3, 3) == 100.0
    assert percent(999, 1000) == 99.9


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percent_is_in_range_to_one_place(part: int, extra: int) -> None:
    whole = part + extra - 1 if part else extra
    found = percent(min(part, whole), whole)
    assert found is not None and 0 <= found <= 100
    assert found == round(found, 1)


def test_scores_round_down_and_pass_marks() -> None:
    assert score_percent(7, 9) == 77  # never rounded up over a pass mark
    assert score_percent(0, 0) == 0
    assert score_percent(9, 9) == 100
    assert passes(80, 80) and not passes(79, 80)
    assert passes(0, None)  # not assessed


@given(st.integers(0, 50), st.integers(1, 50))
def test_a_score_is_never_more_than_the_share_correct(correct: int, asked: int) -> None:
    correct = min(correct, asked)
    score = score_percent(correct, asked)
    assert score <= 100 * correct / asked < score + 1


def test_the_definitions_are_in_the_module() -> None:
    doc = policy.__doc__ or ""
    for word in ("In scope", "CURRENT", "DUE_SOON", "OVERDUE", "NEVER_DONE", "NOT_YET_DUE"):
        assert word in doc
