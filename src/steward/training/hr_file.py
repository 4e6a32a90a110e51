"""HR's staff list as a CSV file (docs/training.md, "Staff from HR"): pure, text in, rows out.

Each row states one person as HR holds them today: the import makes Steward's record match
it (a blank team, manager, role, email or leaving date means there is none). Only the
username column is different: it is optional, and a blank one leaves an account link alone
(links are also made on the staff page). Checks that need the database or the other rows
(a manager's number, a staff number twice, an account) are the service's."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from steward.training.files import (
    Problem,
    cell_problem,
    csv_records,
    header_key,
    is_blank,
    uk_or_iso_date,
)
from steward.training.files import refuse as refuse_file
from steward.training.policy import EmploymentType

WHAT = "The HR file"
# Every column HR must send, in the order the docs list them, and how a message names each.
COLUMNS: dict[str, str] = {
    "staff_number": "staff number",
    "name": "name",
    "email": "email",
    "team": "team",
    "manager": "manager",
    "role": "role",
    "employment_type": "employment type",
    "start_date": "start date",
    "leaving_date": "leaving date",
}
OPTIONAL: dict[str, str] = {"username": "username"}
# Other headings HR systems use for the same columns.
ALIASES = {
    "employee_number": "staff_number",
    "full_name": "name",
    "email_address": "email",
    "work_email": "email",
    "manager_staff_number": "manager",
    "line_manager": "manager",
    "job_role": "role",
    "job_title": "role",
    "contract_type": "employment_type",
    "leave_date": "leaving_date",
    "end_date": "leaving_date",
    "steward_username": "username",
}
LIMITS = {"name": 200, "email": 320, "team": 64, "role": 100, "username": 64}
MAX_ROWS = 100_000
STAFF_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9._/-]{0,31}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TYPES = ", ".join(t.value for t in EmploymentType)
_Report = Callable[[str, str], None]  # (column, message)


@dataclass(frozen=True, slots=True)
class StaffRow:
    row: int
    staff_number: str
    name: str
    email: str | None
    team: str | None
    manager: str | None  # the manager's staff number
    job_role: str | None
    employment_type: EmploymentType
    start_date: date
    leaving_date: date | None
    username: str | None  # None: leave any link as it is


@dataclass(frozen=True, slots=True)
class Read:
    """One data row: the person it states, or the problems that stop it (never both). The
    staff number as written is kept either way: a refused row still names who it is about."""

    row: int
    staff_number: str
    staff: StaffRow | None
    problems: list[Problem]


def read(text: str) -> Iterator[Read]:
    """Each data row read and checked. Blank rows are passed over. Refuses the whole file
    (ValidationFailed) when its header is wrong or it has no rows."""
    records = csv_records(text, what=WHAT)
    first = next(records, None)
    if first is None or is_blank(first[1]):
        raise refuse_file(f"{WHAT} has no header row. The first row must name the columns.")
    columns = _columns(first[1])
    rows = 0
    for number, cells in records:
        if is_blank(cells):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise refuse_file(
                f"{WHAT} has more than {MAX_ROWS:,} rows. Split it and import each part; "
                "nothing was imported."
            )
        checked = _row(number, cells, columns)
        if isinstance(checked, StaffRow):
            yield Read(number, checked.staff_number, checked, [])
        else:
            index = columns.index("staff_number")
            written = cells[index].strip().upper() if index < len(cells) else ""
            yield Read(number, written, None, checked)
    if rows == 0:
        raise refuse_file(f"{WHAT} has a header but no rows. Nothing was imported.")


def _columns(header: list[str]) -> list[str | None]:
    """The column each position holds. Refuses a header missing a column, naming one twice,
    or with a column this import does not know."""
    keys = [header_key(h) for h in header]
    keys = [ALIASES.get(k, k) for k in keys]
    known = COLUMNS | OPTIONAL
    unknown = [str(i) for i, k in enumerate(keys, start=1) if k and k not in known]
    if unknown:
        # Named by position only: a first row that is really data holds names.
        raise refuse_file(
            f"{WHAT}'s header has {'columns' if len(unknown) > 1 else 'a column'} this import "
            f"does not know ({'columns' if len(unknown) > 1 else 'column'} {', '.join(unknown[:10])}). "
            "The columns are: "
            f"{', '.join(COLUMNS)}, and optionally username. Nothing was imported."
        )
    named = [k for k in keys if k]
    if len(set(named)) != len(named):
        raise refuse_file(f"{WHAT}'s header names a column twice. Nothing was imported.")
    missing = [c for c in COLUMNS if c not in named]
    if missing:
        raise refuse_file(
            f"{WHAT}'s header has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''}. Every column must be there, even if some "
            "cells are blank (see docs/training.md). Nothing was imported."
        )
    return [k or None for k in keys]


def _row(number: int, cells: list[str], columns: list[str | None]) -> StaffRow | list[Problem]:
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    if len(cells) > len(columns):
        problem(
            "row",
            "The row has more cells than the header has columns: is a comma in a cell unquoted?",
        )
        return problems
    raw = {c: "" for c in COLUMNS | OPTIONAL}
    for column, cell in zip(columns, cells, strict=False):
        if column is not None:
            raw[column] = cell
    values: dict[str, str | None] = {}
    for column, cell in raw.items():
        value = cell.strip()
        wrong = cell_problem(cell)
        if wrong:
            problem(column, f"{_label(column)} {wrong}")
        elif column in LIMITS and len(value) > LIMITS[column]:
            problem(column, f"{_label(column)} is longer than {LIMITS[column]} characters")
        values[column] = value or None
    if problems:
        return problems

    staff_number = (values["staff_number"] or "").upper()
    if not staff_number:
        problem("staff_number", "Staff number is missing: every row needs one")
    elif not STAFF_NUMBER.fullmatch(staff_number):
        problem(
            "staff_number",
            "Staff number must be 1 to 32 letters, digits or . _ / - characters, "
            "starting with a letter or digit",
        )
    manager = (values["manager"] or "").upper() or None
    if manager is not None and not STAFF_NUMBER.fullmatch(manager):
        problem("manager", "Manager must be the manager's staff number")
    elif manager is not None and manager == staff_number:
        problem("manager", "Manager is this person's own staff number")
    if not values["name"]:
        problem("name", "Name is missing: every row needs one")
    email = (values["email"] or "").lower() or None
    if email is not None and not EMAIL.fullmatch(email):
        problem("email", "Email is not an email address (name@example.org)")
    employment_type = _employment_type(values["employment_type"], problem)
    start = _date(values["start_date"], "start_date", problem, required=True)
    leaving = _date(values["leaving_date"], "leaving_date", problem, required=False)
    if start is not None and leaving is not None and leaving <= start:
        problem(
            "leaving_date",
            "Leaving date is on or before the start date: it must be after it",
        )
    username = (values["username"] or "").lower() or None
    if problems or employment_type is None or start is None:
        return problems
    return StaffRow(
        row=number,
        staff_number=staff_number,
        name=str(values["name"]),
        email=email,
        team=values["team"],
        manager=manager,
        job_role=values["role"],
        employment_type=employment_type,
        start_date=start,
        leaving_date=leaving,
        username=username,
    )


def _label(column: str) -> str:
    return (COLUMNS | OPTIONAL).get(column, column).capitalize()


def _employment_type(value: str | None, problem: _Report) -> EmploymentType | None:
    if not value:
        problem("employment_type", f"Employment type is missing: give one of {TYPES}")
        return None
    try:
        return EmploymentType(value.strip().lower())
    except ValueError:
        problem("employment_type", f"Employment type is not one of {TYPES}")
        return None


def _date(value: str | None, column: str, problem: _Report, *, required: bool) -> date | None:
    label = COLUMNS[column]
    if not value:
        if required:
            problem(column, f"{label.capitalize()} is missing: write it as YYYY-MM-DD")
        return None
    try:
        return uk_or_iso_date(value)
    except ValueError:
        problem(
            column,
            f"{label.capitalize()} is not a real date: write it as YYYY-MM-DD (or DD/MM/YYYY)",
        )
        return None
