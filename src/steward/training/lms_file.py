"""What a learning management system writes, as completions to match: the records both
formats are read into (moodle_file, xapi_file; the service tells them apart by the file's first
character and matches learners and courses: service.lms). Formats: docs/training.md,
"Completions from your LMS"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from steward.core import clock
from steward.training.files import Problem
from steward.training.policy import Source

WHAT = "The LMS file"
MAX_RECORDS = 200_000
LIMIT = 500  # characters in any value read (an email, a course id, a statement id)


class Outcome(StrEnum):
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CourseRef:
    """How the file names a course. ``from_filename``: Moodle's mangled shortname (lower case,
    anything but a-z, 0-9 and - made _), matched the same way."""

    value: str
    from_filename: bool = False


@dataclass(frozen=True, slots=True)
class LmsRecord:
    row: int
    source: Source
    email: str | None
    staff_number: str | None
    courses: tuple[CourseRef, ...]
    completed_on: date
    outcome: Outcome
    score: int | None = None
    external_id: str | None = None


@dataclass
class Parsed:
    format: str  # "moodle_csv" or "xapi"
    total: int = 0  # rows or statements read
    records: list[LmsRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_completed: int = 0  # Moodle rows with no completion
    other_verbs: int = 0  # xAPI statements of verbs that are not completions
    failed: int = 0  # failed, or passed/completed with success false


def uk_day(moment: datetime) -> date:
    """The day in the UK: a completion at 23:30 UTC in summer was done on the next UK day."""
    if moment.tzinfo is None:
        return plausible(moment.date())
    return plausible(moment.astimezone(clock.UK).date())


def plausible(day: date) -> date:
    if not 1990 <= day.year <= 2200:
        raise ValueError(day)
    return day
