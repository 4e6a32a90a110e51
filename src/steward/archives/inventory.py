"""Reading a box inventory CSV as a storage contractor supplies it. Pure: text in, rows out.

Columns are documented in docs/archives.md. A blank cell means "not given", never "clear
it": importing an inventory that leaves a column blank keeps what Steward already holds
(the bulk update that wiped ArchivesSpace data is the failure avoided here). Error messages
name the line and the column, never the value, which may be a name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from steward.archives.names import NameNotationError, WrittenName, parse_names

COLUMNS = (
    "box_barcode",
    "contractor_ref",
    "location_code",
    "site",
    "room",
    "bay",
    "shelf",
    "contractor",
    "contractor_location",
    "file_reference",
    "case_number",
    "record_class",
    "date_from",
    "date_to",
    "names_on_file",
)
REQUIRED = ("box_barcode",)
MAX_LENGTH = {
    "box_barcode": 64,
    "contractor_ref": 100,
    "location_code": 64,
    "site": 100,
    "room": 100,
    "bay": 50,
    "shelf": 50,
    "contractor": 100,
    "contractor_location": 100,
    "file_reference": 64,
    "case_number": 32,
    "record_class": 64,
    "date_from": 10,
    "date_to": 10,
    "names_on_file": 10_000,
}
MAX_BYTES = 200 * 1024 * 1024


class InventoryMalformed(ValueError):
    """The file as a whole cannot be read as an inventory: nothing of it is applied."""


@dataclass(frozen=True)
class InventoryRow:
    line: int
    box_barcode: str
    contractor_ref: str | None
    location_code: str | None
    site: str | None
    room: str | None
    bay: str | None
    shelf: str | None
    contractor: str | None
    contractor_location: str | None
    file_reference: str | None
    case_number: str | None
    record_class: str | None
    date_from: date | None
    date_to: date | None
    names: list[WrittenName] | None  # None: the column was blank, keep what is held

    @property
    def has_location(self) -> bool:
        return bool(self.location_code or self.site or self.contractor)


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


def decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise InventoryMalformed("The inventory is larger than 200 MB; split it into parts.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InventoryMalformed("The file is not UTF-8 text; save it as CSV UTF-8.") from None
    if "\x00" in text:
        raise InventoryMalformed("The file contains NUL bytes; it is not a CSV file.")
    return text


def read_rows(text: str) -> Iterator[InventoryRow | RowError]:
    """Each data row, read and checked, or the reason it cannot be used."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InventoryMalformed(
            "The first line must name the columns, including "
            + ", ".join(missing)
            + " (see docs/archives.md)."
        )
    unknown = [str(i) for i, h in enumerate(header, start=1) if h and h not in COLUMNS]
    if unknown:
        # By position only: a first line that is really a data row holds names and dates.
        raise InventoryMalformed(
            (
                f"Columns {', '.join(unknown[:20])} of the first line are not inventory columns."
                if len(unknown) > 1
                else f"Column {unknown[0]} of the first line is not an inventory column."
            )
            + f" The first line must name columns from: {', '.join(COLUMNS)} "
            "(see docs/archives.md)."
        )
    if len(set(header)) != len(header):
        raise InventoryMalformed("A column is named twice in the first line.")
    reader.fieldnames = header
    start = 2
    try:
        for raw in reader:
            yield _row(start, raw)
            start = reader.line_num + 1
    except csv.Error as exc:
        # The line the broken record starts on: a quote left open runs on to the end.
        raise InventoryMalformed(
            f"Line {start} is not valid CSV ({exc}); is a quote left open?"
        ) from None


def _row(line: int, raw: dict[str | None, object]) -> InventoryRow | RowError:
    if None in raw:
        return RowError(line, "more values than the first line has columns")
    cells: dict[str, str | None] = {}
    for column in COLUMNS:
        value = str(raw.get(column) or "").strip()
        if len(value) > MAX_LENGTH[column]:
            return RowError(line, f"{column}: longer than {MAX_LENGTH[column]} characters")
        if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            return RowError(line, f"{column}: contains control characters")
        cells[column] = value or None
    if not cells["box_barcode"]:
        return RowError(line, "box_barcode: every row needs the box's barcode")
    dates: dict[str, date | None] = {}
    for column in ("date_from", "date_to"):
        try:
            dates[column] = _date(cells[column])
        except ValueError:
            return RowError(line, f"{column}: not a real date; write it as YYYY-MM-DD")
    if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
        return RowError(line, "date_to: before date_from")
    names: list[WrittenName] | None = None
    if cells["names_on_file"]:
        if not cells["file_reference"]:
            return RowError(line, "names_on_file: names belong to a file; give file_reference")
        try:
            names = parse_names(cells["names_on_file"])
        except NameNotationError as exc:
            return RowError(line, f"names_on_file: {exc}")
    if not cells["file_reference"] and any(
        cells[c] for c in ("case_number", "record_class", "date_from", "date_to")
    ):
        return RowError(line, "file_reference: file details were given without the file")
    return InventoryRow(
        line=line,
        box_barcode=str(cells["box_barcode"]),
        contractor_ref=cells["contractor_ref"],
        location_code=cells["location_code"],
        site=cells["site"],
        room=cells["room"],
        bay=cells["bay"],
        shelf=cells["shelf"],
        contractor=cells["contractor"],
        contractor_location=cells["contractor_location"],
        file_reference=cells["file_reference"],
        case_number=cells["case_number"].upper() if cells["case_number"] else None,
        record_class=cells["record_class"].upper() if cells["record_class"] else None,
        date_from=dates["date_from"],
        date_to=dates["date_to"],
        names=names,
    )


def _date(value: str | None) -> date | None:
    if not value:
        return None
    if len(value) != 10:
        raise ValueError(value)
    return date.fromisoformat(value)
