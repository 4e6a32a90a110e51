"""The statutory clock: every worked example of DOMAIN.md §1, and the properties that must
hold for any request (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.core.errors import ValidationFailed
from steward.sar.clock import (
    Method,
    Pause,
    Region,
    add_months,
    day_one,
    due_date,
    is_working_day,
    paused_days,
)

EW = Region.ENGLAND_AND_WALES


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 9, 3), date(2025, 10, 3)),  # ICO example
        (date(2026, 9, 3), date(2026, 10, 5)),  # 3 Oct is a Saturday
        (date(2026, 1, 1), date(2026, 2, 2)),  # 1 Feb is a Sunday
        (date(2024, 11, 25), date(2024, 12, 27)),  # ICO: 25 and 26 Dec are bank holidays
        (date(2024, 1, 31), date(2024, 2, 29)),  # no 31 Feb; leap year
        (date(2026, 1, 31), date(2026, 3, 2)),  # last day of Feb is a Saturday
    ],
)
def test_the_domain_examples_fall_due_on_the_icos_dates(received: date, due: date) -> None:
    assert due_date(received, region=EW) == due


def test_an_extension_runs_three_months_from_day_one() -> None:
    assert due_date(date(2026, 1, 31), region=EW, extended=True) == date(2026, 4, 30)


def test_clarification_days_push_the_deadline_out() -> None:
    pause = Pause(asked=date(2026, 3, 5), answered=date(2026, 3, 10))
    assert pause.days == 6
    assert due_date(date(2026, 3, 2), region=EW, pauses=[pause]) == date(2026, 4, 8)


def test_day_one_is_the_latest_of_what_was_awaited() -> None:
    assert day_one(date(2026, 3, 2)) == date(2026, 3, 2)
    assert day_one(
        date(2026, 3, 2), id_received=date(2026, 3, 9), authority_received=date(2026, 3, 6)
    ) == date(2026, 3, 9)
    # Day 1 counts even when it is not a working day: a Saturday start runs from the Saturday.
    assert due_date(day_one(date(2026, 3, 7)), region=EW) == date(2026, 4, 7)


def test_the_house_rule_of_28_days_is_never_later_than_the_month() -> None:
    assert due_date(date(2026, 3, 2), region=EW, method=Method.TWENTY_EIGHT_DAYS) == date(
        2026, 3, 30
    )


def test_regions_keep_their_own_bank_holidays() -> None:
    # 2 January is a bank holiday in Scotland only; 17 March and 13 July 2026 (the Battle of
    # the Boyne, observed) in Northern Ireland only.
    assert due_date(date(2025, 12, 2), region=EW) == date(2026, 1, 2)
    assert due_date(date(2025, 12, 2), region=Region.SCOTLAND) == date(2026, 1, 5)
    assert due_date(date(2026, 2, 17), region=EW) == date(2026, 3, 17)
    assert due_date(date(2026, 2, 17), region=Region.NORTHERN_IRELAND) == date(2026, 3, 18)
    assert due_date(date(2026, 6, 13), region=Region.NORTHERN_IRELAND) == date(2026, 7, 14)
    assert Region.from_setting("wls") is EW


def test_bad_clock_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValidationFailed, match="answered before it was asked"):
        Pause(asked=date(2026, 3, 10), answered=date(2026, 3, 5))
    with pytest.raises(ValidationFailed, match="ENG, WLS, SCT or NIR"):
        Region.from_setting("XX")


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
regions = st.sampled_from(list(Region))


@st.composite
def pause_lists(draw: st.DrawFn, start: date) -> list[Pause]:
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        asked = start + timedelta(days=draw(st.integers(0, 40)))
        pauses.append(Pause(asked, asked + timedelta(days=draw(st.integers(0, 20)))))
    return pauses


@given(start=days, region=regions, data=st.data())
def test_the_due_date_is_a_working_day_no_earlier_than_the_month(
    start: date, region: Region, data: st.DataObject
) -> None:
    pauses = data.draw(pause_lists(start))
    due = due_date(start, region=region, pauses=pauses)
    assert is_working_day(due, region)
    assert due >= add_months(start, 1)
    assert due_date(start, region=region, extended=True, pauses=pauses) >= due
    # Never more than a long bank-holiday weekend after the month and its pauses.
    assert (due - add_months(start, 1)).days - paused_days(pauses) <= 4


@given(start=days, region=regions, data=st.data())
def test_more_pause_never_brings_the_deadline_forward(
    start: date, region: Region, data: st.DataObject
) -> None:
    pauses = data.draw(pause_lists(start))
    extra = data.draw(pause_lists(start))
    assert due_date(start, region=region, pauses=pauses + extra) >= due_date(
        start, region=region, pauses=pauses
    )


@given(start=days, region=regions)
def test_a_later_day_one_never_gives_an_earlier_deadline(start: date, region: Region) -> None:
    assert due_date(start + timedelta(days=1), region=region) >= due_date(start, region=region)
