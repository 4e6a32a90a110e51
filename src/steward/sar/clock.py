"""The statutory clock of a subject access request (UK GDPR Art 12(3); ICO "Right of access").

Pure: dates in, dates out. The rules, with the ICO's worked examples, are in DOMAIN.md §1:

* Day 1 is the latest of the days the organisation received the request, the ID it asked
  for, proof of a representative's authority, and a fee where one is allowed. Day 1 counts
  even when it is not a working day.
* Due: the same date in the next month (three months when extended); where that month has
  no such date, its last day; where that day is a weekend or bank holiday, the next working
  day. A fixed 28 days is an acceptable house alternative for the first deadline.
* Days the clock is stopped to ask for clarification (from the day of asking to the day
  the answer arrives, both included) do not count: they push the deadline out, and the
  deadline for telling the requester of an extension with it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from steward.core.errors import ValidationFailed


class Region(StrEnum):
    """UK bank-holiday regions: each has its own bank holidays (2 January and St Andrew's Day
    in Scotland; St Patrick's Day and 12 July in Northern Ireland)."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"

    @classmethod
    def from_setting(cls, code: str) -> Region:
        """The organisation's ``bank_holiday_region`` setting (ENG, WLS, SCT, NIR)."""
        try:
            return _SETTING_CODES[code.strip().upper()]
        except KeyError:
            raise ValidationFailed(
                f"Unknown bank-holiday region {code!r}: use ENG, WLS, SCT or NIR.",
                errors={"region": "Choose England and Wales, Scotland or Northern Ireland"},
            ) from None


_SETTING_CODES = {
    "ENG": Region.ENGLAND_AND_WALES,
    "WLS": Region.ENGLAND_AND_WALES,
    "SCT": Region.SCOTLAND,
    "NIR": Region.NORTHERN_IRELAND,
}
# The `holidays` package's subdivisions of GB; Wales keeps England's bank holidays.
_SUBDIVISION = {
    Region.ENGLAND_AND_WALES: "ENG",
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}


class Method(StrEnum):
    """How the first deadline is counted; an extension is always three months from day 1."""

    CALENDAR_MONTH = "calendar_month"  # the ICO's method
    TWENTY_EIGHT_DAYS = "28_days"  # a house rule some organisations prefer: never later


EXTENDED_MONTHS = 3
HOUSE_DAYS = 28


@dataclass(frozen=True)
class Pause:
    """The clock stopped to ask for clarification: ``asked`` to ``answered``, both counted."""

    asked: date
    answered: date

    def __post_init__(self) -> None:
        if self.answered < self.asked:
            raise ValidationFailed(
                "A clarification cannot be answered before it was asked for.",
                errors={"pause": "The answer date must be on or after the date of asking"},
            )

    @property
    def days(self) -> int:
        return (self.answered - self.asked).days + 1


def day_one(
    received: date,
    *,
    id_received: date | None = None,
    authority_received: date | None = None,
    fee_received: date | None = None,
) -> date:
    """The day the clock starts: the latest of what the organisation was waiting for."""
    return max(d for d in (received, id_received, authority_received, fee_received) if d)


def add_months(start: date, months: int) -> date:
    """The same date ``months`` later; the last day of that month where it has no such date."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def bank_holidays(region: Region, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[region], years=year))


def is_working_day(day: date, region: Region) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(region, day.year)


def next_working_day(day: date, region: Region) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, region):
        day += timedelta(days=1)
    return day


def paused_days(pauses: Iterable[Pause]) -> int:
    """Days the clock stood still. Overlapping pauses count each day once."""
    stopped: set[date] = set()
    for pause in pauses:
        stopped.update(pause.asked + timedelta(days=n) for n in range(pause.days))
    return len(stopped)


def due_date(
    start: date,
    *,
    region: Region = Region.ENGLAND_AND_WALES,
    extended: bool = False,
    pauses: Iterable[Pause] = (),
    method: Method = Method.CALENDAR_MONTH,
) -> date:
    """When the response is due, counted from day 1 (``start``)."""
    if extended:
        deadline = add_months(start, EXTENDED_MONTHS)
    elif method is Method.TWENTY_EIGHT_DAYS:
        deadline = start + timedelta(days=HOUSE_DAYS)
    else:
        deadline = add_months(start, 1)
    return next_working_day(deadline + timedelta(days=paused_days(pauses)), region)


def days_left(due: date, today: date) -> int:
    """Calendar days until the due date: 0 on the day, negative once overdue."""
    return (due - today).days
