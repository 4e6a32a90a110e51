"""Reading the files HR and learning management systems send: pure, bytes in, text and cells out.

What both imports share: a file is refused whole (nothing changes) when it cannot be read as
a whole (empty, too large, not UTF-8, not CSV); a row is refused alone when one of its cells
is wrong, and says so by row and column, never by quoting the value (which may be a name).
Rows are numbered as a spreadsheet numbers them: the header is row 1, the first row under it
row 2, a blank line still a row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from steward.core.errors import ValidationFailed
from steward.core.schemas import FORBIDDEN_CHARS

# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection"): a
# file that carries one is refused at that cell rather than kept to be exported again.
FORMULA_START = ("=", "+", "-", "@")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_HEADER_SPACING = re.compile(r"[\s\-_./]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one row (or one xAPI statement) was not applied: its number, the column (or the
    statement's field) at fault, and what to do about it."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


def refuse(message: str) -> ValidationFailed:
    """The whole file refused: nothing in it was applied."""
    return ValidationFailed(message, errors={"file": message})


def decode(content: bytes, *, max_bytes: int, what: str) -> str:
    """The file as text: UTF-8, with or without a byte-order mark. ``what`` names the file in
    the messages ("The HR file")."""
    if len(content) > max_bytes:
        raise refuse(
            f"{what} is larger than {max_bytes // (1024 * 1024)} MB. Split it into smaller "
            "files and import each; nothing was imported."
        )
    if not content.strip():
        raise refuse(f"{what} is empty. Nothing was imported.")
    if content.startswith(_UTF16_BOMS):
        raise refuse(
            f"{what} is saved as UTF-16. Save it as 'CSV UTF-8' (or UTF-8 JSON) and import it "
            "again; nothing was imported."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise refuse(
            f"{what} is not UTF-8 text (the first character that is not is on line {line}). "
            "Save it as 'CSV UTF-8' and import it again; nothing was imported."
        ) from None
    if "\x00" in text:
        raise refuse(f"{what} contains NUL bytes: it is not a text file. Nothing was imported.")
    return text


def header_key(name: str) -> str:
    """A column heading as a key: "Staff number", "staff_number" and "Staff-Number" are one."""
    return _HEADER_SPACING.sub("_", name.strip().lower()).strip("_")


def csv_records(text: str, *, what: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every record, the header first (row 1). A broken quote refuses
    the whole file, since every later row would be read wrong."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error:
        raise refuse(
            f"{what} is not valid CSV from row {number + 1}: is a quote left open? "
            "Nothing was imported."
        ) from None


def is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def cell_problem(value: str) -> str | None:
    """What is wrong with a cell whatever its column: a formula, or hidden characters."""
    if value.lstrip().startswith(FORMULA_START):
        return (
            "starts with =, +, - or @, which a spreadsheet would run as a formula: "
            "remove that first character"
        )
    if FORBIDDEN_CHARS.search(value):
        return "contains control or invisible characters: retype it rather than pasting"
    return None


def uk_or_iso_date(value: str) -> date:
    """A date written YYYY-MM-DD, or DD/MM/YYYY as a UK spreadsheet shows it. ValueError if
    it is neither, or not a real date."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _plausible(date.fromisoformat(value))
    found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return _plausible(date(year, month, day))
    raise ValueError(value)


def _plausible(day: date) -> date:
    if not 1900 <= day.year <= 2200:
        raise ValueError(day)
    return day
