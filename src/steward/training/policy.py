"""The rules of training compliance: pure, no database, exhaustively unit-tested.

Definitions (shown beside each figure on the pages, so a reader knows what is counted):

- In scope on a date: started on or before it and not yet left (leaving date after it).
- A requirement applies to a member of staff when every filter it sets matches them and it
  is in force on the date.
- A completion counts on a date when it was completed on or before it and is of a version no
  older than the latest version released by then that required everyone to redo the course.
- Status of one requirement for one person on a date:
  CURRENT      a counting completion that has not lapsed and does not lapse within the
               due-soon window;
  DUE_SOON     a counting completion that lapses within the window;
  OVERDUE      the last counting completion has lapsed;
  NEVER_DONE   no counting completion, and the first deadline has passed;
  NOT_YET_DUE  no counting completion, still inside the window to complete it the first
               time (a new starter's induction window, or a redo version's).
- A person is compliant when no requirement applying to them is OVERDUE or NEVER_DONE, and
  in their window when every gap is NOT_YET_DUE. The organisation's figure is compliant
  people over people in scope, leaving out those still in their window; the target (95% by
  default) is the organisation's choice, not law.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class EmploymentType(StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"
    CONTRACTOR = "contractor"
    VOLUNTEER = "volunteer"


class Topic(StrEnum):
    DATA_PROTECTION = "data_protection"
    CYBER_SECURITY = "cyber_security"
    REMOTE_WORKING = "remote_working"
    RECORDS_MANAGEMENT = "records_management"
    SAR_HANDLING = "sar_handling"
    INFORMATION_SHARING = "information_sharing"
    MANAGEMENT = "management"
    OTHER = "other"


class Delivery(StrEnum):
    E_LEARNING = "e_learning"
    CLASSROOM = "classroom"
    WEBINAR = "webinar"
    READING = "reading"  # reading with acknowledgement


class RequirementKind(StrEnum):
    INDUCTION = "induction"  # before any access to personal data: the gate asks for these
    MANDATORY = "mandatory"  # everyone it applies to, refreshed at the course's interval
    SPECIALIST = "specialist"  # specialist roles: SAR handlers, records staff, managers


class Source(StrEnum):
    E_LEARNING = "e_learning"  # a built-in module's quiz, passed in Steward
    MOODLE = "moodle"  # a Moodle course-completion export
    XAPI = "xapi"  # an xAPI statement (completed or passed)
    MANUAL = "manual"  # recorded by a manager, with evidence


class Status(StrEnum):
    CURRENT = "current"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NEVER_DONE = "never_done"
    NOT_YET_DUE = "not_yet_due"


NON_COMPLIANT = frozenset({Status.OVERDUE, Status.NEVER_DONE})


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"  # to the person, before the due date
    OVERDUE = "overdue"  # to the person, once it has passed
    ESCALATION = "escalation"  # to their manager, once it is overdue
    # Sent by hand from the team page. Its row's due_on is the day it was sent, so the same
    # person is nudged about the same course at most once a day.
    NUDGE = "nudge"


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, the last day of a shorter month standing in for a missing
    one (31 January + 1 month is 28 or 29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    if day.day <= 28:  # every month has it: the common case, without the calendar's lookup
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_scope(start_date: date, leaving_date: date | None, as_of: date) -> bool:
    return start_date <= as_of and (leaving_date is None or leaving_date > as_of)


@dataclass(frozen=True, slots=True)
class Audience:
    """A requirement's filters; None accepts anyone."""

    job_roles: frozenset[str] | None = None
    teams: frozenset[str] | None = None
    employment_types: frozenset[str] | None = None
    account_roles: frozenset[str] | None = None

    def matches(
        self,
        *,
        job_role: str | None,
        team: str | None,
        employment_type: str,
        account_role: str | None,
    ) -> bool:
        return (
            _accepts(self.job_roles, job_role)
            and _accepts(self.teams, team)
            and _accepts(self.employment_types, employment_type)
            and _accepts(self.account_roles, account_role)
        )


def _accepts(allowed: frozenset[str] | None, value: str | None) -> bool:
    if allowed is None:
        return True
    return value is not None and value.casefold() in {a.casefold() for a in allowed}


@dataclass(frozen=True, slots=True)
class Redo:
    """A course version released with ``requires_redo``."""

    version: int
    released_on: date


def required_version(redos: Iterable[Redo], as_of: date) -> int:
    """The oldest version whose completion still counts on ``as_of``."""
    return max((r.version for r in redos if r.released_on <= as_of), default=1)


def redo_released(redos: Iterable[Redo], as_of: date) -> date | None:
    """When the version now required was released (None: the first version)."""
    days = [r.released_on for r in redos if r.released_on <= as_of]
    return max(days) if days else None


@dataclass(frozen=True, slots=True)
class Standing:
    status: Status
    # The date it is (or was) due: the first deadline, or when the last completion lapses.
    # None only for a completion that never lapses.
    due_on: date | None
    last_completed_on: date | None


def standing(
    *,
    as_of: date,
    start_date: date,
    due_within_days: int,
    last_completed_on: date | None,
    validity_months: int | None,
    due_soon_days: int,
    redo_released_on: date | None = None,
    requirement_starts_on: date | None = None,
) -> Standing:
    """One person's status on one requirement on ``as_of``.

    ``last_completed_on`` must already be the latest *counting* completion (on or before
    ``as_of``, of a version still required). The first deadline runs from the latest of the
    start date, the redo version's release and the requirement coming into force: nobody is
    overdue on a course the day it is made mandatory."""
    if last_completed_on is not None:
        return standing_after(
            last_completed_on,
            as_of=as_of,
            validity_months=validity_months,
            due_soon_days=due_soon_days,
        )
    return standing_before(
        first_due(
            start_date=start_date,
            due_within_days=due_within_days,
            redo_released_on=redo_released_on,
            requirement_starts_on=requirement_starts_on,
        ),
        as_of=as_of,
    )


def standing_after(
    last_completed_on: date, *, as_of: date, validity_months: int | None, due_soon_days: int
) -> Standing:
    """``standing`` once a completion counts: it depends on nothing but that completion, the
    course's interval and the due-soon window (a trend over many days reuses it)."""
    if validity_months is None:
        return Standing(Status.CURRENT, None, last_completed_on)
    lapses_on = add_months(last_completed_on, validity_months)
    if lapses_on <= as_of:
        return Standing(Status.OVERDUE, lapses_on, last_completed_on)
    if lapses_on - as_of <= timedelta(days=due_soon_days):
        return Standing(Status.DUE_SOON, lapses_on, last_completed_on)
    return Standing(Status.CURRENT, lapses_on, last_completed_on)


def first_due(
    *,
    start_date: date,
    due_within_days: int,
    redo_released_on: date | None = None,
    requirement_starts_on: date | None = None,
) -> date:
    """The first deadline of a requirement never (or not since a redo) completed."""
    clock_from = max(d for d in (start_date, redo_released_on, requirement_starts_on) if d)
    return clock_from + timedelta(days=due_within_days)


def standing_before(first_due_on: date, *, as_of: date) -> Standing:
    """``standing`` with no counting completion: inside the first window, or past it."""
    if as_of < first_due_on:
        return Standing(Status.NOT_YET_DUE, first_due_on, None)
    return Standing(Status.NEVER_DONE, first_due_on, None)


def latest_counting(
    completions: Iterable[tuple[date, int]], *, as_of: date, minimum_version: int
) -> date | None:
    """The latest (completed_on, version) that counts on ``as_of``."""
    days = [d for d, v in completions if d <= as_of and v >= minimum_version]
    return max(days) if days else None


def is_compliant(statuses: Sequence[Status]) -> bool:
    return not any(s in NON_COMPLIANT for s in statuses)


def in_window(statuses: Sequence[Status]) -> bool:
    """Everything missing is still inside its first window: left out of the percentage."""
    return any(s is Status.NOT_YET_DUE for s in statuses) and is_compliant(statuses)


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def passes(score: int, pass_mark: int | None) -> bool:
    return pass_mark is None or score >= pass_mark


def score_percent(correct: int, asked: int) -> int:
    """Whole percent, rounded down: 7 of 9 is 77, never rounded up over a pass mark."""
    return 0 if asked == 0 else (100 * correct) // asked


def reminders_due(
    standing: Standing, *, as_of: date, due_soon_days: int
) -> tuple[ReminderKind, ...]:
    """What `steward training remind` sends about one line on ``as_of``: a reminder to the
    person before the due date (inside the due-soon window, whether a refresher or a first
    deadline), and once it has passed a reminder to them and an escalation to their manager.
    Each is sent once for its due date (the Reminder table's key), however often it runs."""
    if standing.status in NON_COMPLIANT:
        return (ReminderKind.OVERDUE, ReminderKind.ESCALATION)
    due = standing.due_on
    if standing.status is Status.DUE_SOON or (
        standing.status is Status.NOT_YET_DUE
        and due is not None
        and due - as_of <= timedelta(days=due_soon_days)
    ):
        return (ReminderKind.DUE_SOON,)
    return ()
