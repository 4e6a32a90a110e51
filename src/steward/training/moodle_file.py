"""A Moodle CSV download, read into LMS records: pure, text in, records out.

Three kinds of download are read (docs/training.md lists their columns):

- the course completion report (Reports > Course completion > "Download in spreadsheet
  format (UTF-8 .csv)"): ID, Name, the identity fields such as "Email address" or "ID
  number", two columns per activity, and "Course complete" holding the date it was completed
  ("15/03/24, 14:05" in Moodle's English). The course is named only by the file's name,
  completion-<shortname>.csv, or chosen when importing;
- a custom report (Report builder, "Course participants" source) with a course column
  ("Course short name", "Course ID number"...), a learner column and "Time completed";
- an SQL report with the same, its date as ISO 8601 or a Unix timestamp.

Headings are matched whatever their case and spacing; other columns are passed over."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from steward.training.files import Problem, cell_problem, csv_records, header_key, is_blank
from steward.training.files import refuse as refuse_file
from steward.training.lms_file import (
    LIMIT,
    MAX_RECORDS,
    WHAT,
    CourseRef,
    LmsRecord,
    Outcome,
    Parsed,
    plausible,
    uk_day,
)
from steward.training.policy import Source

# Moodle's headings (and those SQL reports commonly use), by what each column holds.
EMAIL_COLUMNS = frozenset({"email", "email_address", "e_mail", "user_email", "mail"})
STAFF_COLUMNS = frozenset(
    {"id_number", "idnumber", "user_id_number", "user_idnumber", "staff_number", "employee_number"}
)
COURSE_COLUMNS = frozenset(
    {
        "course",
        "course_short_name",
        "course_shortname",
        "shortname",
        "course_id",
        "courseid",
        "course_id_number",
        "course_idnumber",
        "course_code",
    }
)
DATE_COLUMNS = frozenset(
    {
        "time_completed",
        "timecompleted",
        "course_complete",
        "course_completed",
        "completion_date",
        "date_completed",
        "completed_on",
        "course_completion_time_completed",
    }
)
# "Completed" is Yes/No in a custom report but the date in many SQL reports: read by value.
STATUS_COLUMNS = frozenset({"completed", "completion_status", "status", "course_completion_status"})
SCORE_COLUMNS = frozenset(
    {"grade", "final_grade", "course_total", "score", "percentage", "grade_percentage"}
)
_YES = frozenset(
    {"yes", "y", "true", "1", "complete", "completed", "complete (achieved pass grade)"}
)
_NO = frozenset(
    {
        "no",
        "n",
        "false",
        "0",
        "incomplete",
        "not complete",
        "not completed",
        "in progress",
        "not yet started",
        "not started",
    }
)


@dataclass(frozen=True)
class _Layout:
    email: int | None
    staff: int | None
    courses: tuple[int, ...]
    date: int | None
    status: int | None
    score: int | None
    width: int


def _layout(header: list[str]) -> _Layout:
    keys = [header_key(h) for h in header]

    def first(names: frozenset[str]) -> int | None:
        return next((i for i, k in enumerate(keys) if k in names), None)

    date_at = first(DATE_COLUMNS)
    status_at = first(STATUS_COLUMNS)
    return _Layout(
        email=first(EMAIL_COLUMNS),
        staff=first(STAFF_COLUMNS),
        courses=tuple(i for i, k in enumerate(keys) if k in COURSE_COLUMNS),
        date=date_at,
        status=status_at,
        score=first(SCORE_COLUMNS),
        width=len(keys),
    )


def moodle_filename_course(filename: str | None) -> str | None:
    """The course shortname in the name Moodle gives a completion report download
    (completion-<shortname>.csv; a browser may add " (1)")."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    found = re.fullmatch(r"completion-(.+?)(?: ?\(\d+\))?\.csv", name, flags=re.IGNORECASE)
    return found.group(1).lower() if found else None


def moodle_mangle(value: str) -> str:
    """A shortname as Moodle puts it in a download's name."""
    return re.sub(r"[^a-z0-9-]", "_", value.lower())


def read(text: str, *, filename: str | None, course: str | None, today: date) -> Parsed:
    parsed = Parsed("moodle_csv")
    records = csv_records(text, what=WHAT)
    first = next(records, None)
    if first is None or is_blank(first[1]):
        raise refuse_file(f"{WHAT} has no header row. The first row must name the columns.")
    layout = _layout(first[1])
    if layout.email is None and layout.staff is None:
        raise refuse_file(
            f"{WHAT} has no column naming the learner: add 'Email address' (or 'ID number' "
            "holding the staff number) to the report's columns, or to Moodle's identity fields "
            "(Site administration > Users > Permissions > User policies > Show user identity). "
            "Nothing was imported."
        )
    if layout.date is None and not (layout.status is not None and _status_is_date(text)):
        raise refuse_file(
            f"{WHAT} has no completion date column ('Course complete', 'Time completed' or "
            "'Completion date'). Nothing was imported."
        )
    given: tuple[CourseRef, ...] = ()
    if layout.courses and course:
        raise refuse_file(
            f"{WHAT} names its courses in a column; leave the course out. Nothing was imported."
        )
    if not layout.courses:
        if course:
            given = (CourseRef(course.strip()),)
        elif shortname := moodle_filename_course(filename):
            given = (CourseRef(shortname, from_filename=True),)
        else:
            raise refuse_file(
                f"{WHAT} does not say which course it is about. Keep the name Moodle gave the "
                "download (completion-<shortname>.csv), or choose the course. Nothing was "
                "imported."
            )
    for number, cells in records:
        if is_blank(cells):
            continue
        parsed.total += 1
        if parsed.total > MAX_RECORDS:
            raise refuse_file(f"{WHAT} has more than {MAX_RECORDS:,} rows; split it.")
        _moodle_row(parsed, number, cells, layout, given, today)
    if parsed.total == 0:
        raise refuse_file(f"{WHAT} has a header but no rows. Nothing was imported.")
    return parsed


def _status_is_date(text: str) -> bool:
    """An SQL report's "Completed" column holding dates stands in for the date column."""
    records = csv_records(text, what=WHAT)
    header = next(records)[1]
    at = _layout(header).status
    for _, cells in records:
        if at is not None and at < len(cells) and cells[at].strip():
            try:
                moodle_date(cells[at])
            except ValueError:
                return False
            return True
    return False


def _moodle_row(
    parsed: Parsed,
    number: int,
    cells: list[str],
    layout: _Layout,
    given: tuple[CourseRef, ...],
    today: date,
) -> None:
    problems: list[Problem] = []

    def cell(at: int | None, column: str) -> str | None:
        if at is None or at >= len(cells):
            return None
        value = cells[at].strip()
        if value == "-":  # Moodle's "nothing here"
            return None
        wrong = cell_problem(value)
        if wrong is None and len(value) > LIMIT:
            wrong = f"is longer than {LIMIT} characters"
        if wrong:
            problems.append(
                Problem(number, column, f"{column.replace('_', ' ').capitalize()} {wrong}")
            )
            return None
        return value or None

    if len(cells) > layout.width:
        parsed.problems.append(
            Problem(number, "row", "The row has more cells than the header has columns")
        )
        return
    email = cell(layout.email, "email")
    staff_number = cell(layout.staff, "id_number")
    courses = given or tuple(CourseRef(v) for v in (cell(i, "course") for i in layout.courses) if v)
    status = cell(layout.status, "completed")
    completed_text = cell(layout.date, "completion_date")
    score_text = cell(layout.score, "grade")
    if problems:
        parsed.problems += problems
        return
    if layout.date is None:  # an SQL report's date-valued "Completed"
        completed_text, status = status, None
    if status is not None and status.lower() not in _YES:
        if status.lower() in _NO:
            parsed.not_completed += 1
        else:
            parsed.problems.append(Problem(number, "completed", "Completed is neither Yes nor No"))
        return
    if completed_text is None:
        if status is not None:
            problems.append(
                Problem(number, "completion_date", "Completion date is missing for a completion")
            )
        else:
            parsed.not_completed += 1
            return
    if not email and not staff_number:
        problems.append(
            Problem(number, "email", "Learner is missing: the row has no email or ID number")
        )
    if not courses:
        problems.append(Problem(number, "course", "Course is missing"))
    completed_on = _checked_date(completed_text, number, "completion_date", today, problems)
    score = _percent(score_text, number, problems)
    if problems or completed_on is None:
        parsed.problems += problems
        return
    parsed.records.append(
        LmsRecord(
            row=number,
            source=Source.MOODLE,
            email=email.lower() if email else None,
            staff_number=staff_number.upper() if staff_number else None,
            courses=courses,
            completed_on=completed_on,
            outcome=Outcome.COMPLETED,
            score=score,
        )
    )


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    flags=re.IGNORECASE,
)
_DAY_FIRST = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?)?"
)
_LONG = re.compile(
    r"(?:[a-z]+,?\s+)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?)?"
)


def moodle_date(value: str) -> date:
    """A completion date as Moodle writes it (docs/training.md lists each form): ISO 8601,
    day first "15/03/24, 14:05" (Moodle's English), "Friday, 15 March 2024, 2:05 PM" (custom
    reports), or a Unix timestamp (SQL reports of timecompleted). ValueError otherwise."""
    text = value.strip().lower()
    if _ISO.fullmatch(text):
        return uk_day(datetime.fromisoformat(text.upper()))
    if re.fullmatch(r"\d{9,10}", text):
        return uk_day(datetime.fromtimestamp(int(text), tz=UTC))
    found = _DAY_FIRST.fullmatch(text)
    if found:
        day, month, year = found.groups()
        return plausible(date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day)))
    found = _LONG.fullmatch(text)
    if found and found.group(2) in _MONTHS:
        return plausible(date(int(found.group(3)), _MONTHS[found.group(2)], int(found.group(1))))
    raise ValueError(value)


def _checked_date(
    value: str | None, row: int, column: str, today: date, problems: list[Problem]
) -> date | None:
    if value is None:
        return None
    try:
        day = moodle_date(value)
    except ValueError:
        problems.append(
            Problem(
                row,
                column,
                f"{column.replace('_', ' ').capitalize()} is not a date Steward can read",
            )
        )
        return None
    if day > today:
        problems.append(
            Problem(
                row,
                column,
                f"{column.replace('_', ' ').capitalize()} is in the future: check the export",
            )
        )
        return None
    return day


def _percent(value: str | None, row: int, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    try:
        number = float(value.rstrip("%").strip())
    except ValueError:
        number = math.nan
    if not (0 <= number <= 100):
        problems.append(Problem(row, "grade", "Grade is not a percentage from 0 to 100"))
        return None
    return math.floor(number)
