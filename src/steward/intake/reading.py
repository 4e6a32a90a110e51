"""A partner's file, read into a table of text: every column a string, exactly the data set's
columns in its order, cells stripped, empty cells null, one row per data row in file order
(so data row ``i`` is the partner's spreadsheet row ``i + 2``: the header is row 1).

Nothing here judges a value (that is ``rules``); a file that cannot be read as the data set
asks is refused whole with ``Refused`` and its code. A refusal's message names at most the
data set's own column names, never a cell's content.

The file is untrusted: an .xlsx is a zip, so its entries' declared sizes are checked with the
standard library before any byte is expanded (a zip bomb is refused unopened), then streamed
through, bounded, to prove the declared sizes true, and only then handed to calamine.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

import numpy as np
import polars as pl
from python_calamine import CalamineWorkbook

from steward.intake.datasets import Dataset
from steward.intake.errors import Refused
from steward.intake.policy import MESSAGES, WHITESPACE, Code, FileFormat

BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# What a partner might send that is not one of ours: named so the refusal is certain.
_NOT_TABLES = (b"%PDF", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf")  # PDF, OLE2 (.xls), RTF
_EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".json": FileFormat.JSON,
    ".xlsx": FileFormat.XLSX,
    ".xlsm": FileFormat.XLSX,
}

# Limits for an .xlsx (a zip): a real partner workbook of a million rows is ~60 MB of XML,
# compressed about 10:1; a bomb declares far more, or compresses far better.
XLSX_MAX_ENTRIES = 1_000
XLSX_MAX_UNCOMPRESSED = 200 * 2**20
XLSX_MAX_RATIO = 100
_RATIO_FLOOR = 2**20  # below 1 MB expanded, a high ratio is harmless (tiny, repetitive XML)
_CHUNK = 2**20


def _refuse(code: Code, detail: str | None = None) -> Refused:
    return Refused(code, f"{MESSAGES[code]} {detail}" if detail else None)


# --- which format --------------------------------------------------------------------------


def detect_format(filename: str, data: bytes) -> FileFormat:
    """By content first (an .xlsx is a zip; JSON opens with [ or {), then by the name's
    extension; anything else (a PDF, a legacy .xls, a binary) is refused."""
    head = data[:8]
    if head.startswith(ZIP_MAGIC):
        return FileFormat.XLSX
    extension = PurePath(filename).suffix.lower()
    if not data:
        if extension in _EXTENSIONS:
            return _EXTENSIONS[extension]
        raise _refuse(Code.FILE_EMPTY)
    if head.startswith(_NOT_TABLES) or b"\x00" in data[:65536]:
        raise _refuse(Code.FILE_FORMAT)
    text = data[:1024].removeprefix(BOM).lstrip()
    if text[:1] in (b"[", b"{"):
        return FileFormat.JSON
    found = _EXTENSIONS.get(extension)
    if found is None or found is FileFormat.XLSX:  # an "xlsx" that is not a zip is not one
        raise _refuse(Code.FILE_FORMAT)
    return found


# --- the table -----------------------------------------------------------------------------


def read_table(
    data: bytes, *, file_format: FileFormat, dataset: Dataset, max_rows: int = 1_000_000
) -> pl.DataFrame:
    if not data:
        raise _refuse(Code.FILE_EMPTY)
    if file_format is FileFormat.CSV:
        header, body = _read_csv(data)
        # Python's whitespace is Rust's and \x1c-\x1f: without those, Rust's faster strip is
        # the same strip.
        if not any(separator in data for separator in (b"\x1c", b"\x1d", b"\x1e", b"\x1f")):
            return _shape(header, body, dataset, max_rows, strip=None)
    elif file_format is FileFormat.JSON:
        header, body = _read_json(data, max_rows)
    else:
        header, body = _read_xlsx(data)
    return _shape(header, body, dataset, max_rows)


def _shape(
    header: Sequence[str],
    body: pl.DataFrame,
    dataset: Dataset,
    max_rows: int,
    strip: str | None = WHITESPACE,
) -> pl.DataFrame:
    """The data set's columns in its order, matched to the file's header (trimmed, any case,
    any order); cells stripped (of ``strip``, None for Rust's whitespace), empty ones null;
    trailing empty rows dropped."""
    wanted = {name.lower(): name for name in dataset.columns}
    chosen: dict[str, str] = {}  # data set column -> body column
    unexpected = 0
    for name, source in zip(header, body.columns, strict=True):
        key = name.strip(WHITESPACE).lower()
        if not key:
            if (
                body.get_column(source).str.strip_chars(WHITESPACE).replace("", None).null_count()
                < body.height
            ):
                unexpected += 1  # a nameless column with data in it
            continue
        column = wanted.get(key)
        if column is None or column in chosen:
            unexpected += 1
            continue
        chosen[column] = source
    missing = [name for name in dataset.columns if name not in chosen]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"Missing: {', '.join(missing)}.")
        if unexpected:
            # Counted, not named: a file sent without its header row has data in its place.
            parts.append(
                f"{unexpected} column{'s' if unexpected != 1 else ''} not in the template."
            )
        raise _refuse(Code.FILE_HEADER, " ".join(parts))
    table = body.select(
        pl.col(chosen[name]).cast(pl.String).str.strip_chars(strip).replace("", None).alias(name)
        for name in dataset.columns
    )
    # Spreadsheets and editors leave empty rows at the end; an empty row inside stays, so
    # every row keeps its number.
    filled = table.select(pl.any_horizontal(pl.all().is_not_null()).alias("x")).get_column("x")
    last = filled.arg_true()
    height = 0 if last.len() == 0 else int(last[-1]) + 1
    if height == 0:
        raise _refuse(Code.FILE_EMPTY)
    if height > max_rows:
        raise _refuse(Code.FILE_TOO_MANY_ROWS, f"The limit is {max_rows:,} rows.")
    return table.head(height)


# --- CSV -----------------------------------------------------------------------------------


def _utf8(data: bytes) -> bytes:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(Code.FILE_ENCODING) from None
    return data.removeprefix(BOM)


def _read_csv(data: bytes) -> tuple[list[str], pl.DataFrame]:
    text = data.removeprefix(BOM)
    if not text[:4096].strip() and not text.strip():
        raise _refuse(Code.FILE_EMPTY)
    try:
        # Every column is text, which polars holds only as valid UTF-8: it refuses any other
        # byte, so the file need not be decoded once more just to check.
        frame = pl.read_csv(text, has_header=False, infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError:
        _utf8(text)  # which fault it is: the encoding, or the shape
        raise _refuse(Code.FILE_FORMAT) from None
    if frame.height == 0:
        raise _refuse(Code.FILE_EMPTY)
    _require_even(text, frame.width)
    header = [value or "" for value in frame.row(0)]
    return header, frame.slice(1)


def _require_even(text: bytes, width: int) -> None:
    """Every record has as many fields as the header (polars refuses longer ones but pads
    shorter ones with nulls, which would move a partner's values under the wrong column).
    An empty line is an empty row, not a short one.

    Counted on the bytes, in one pass over the commas, line ends and quotes: a comma or line
    end separates only when an even number of quotes comes before it (an opening and a
    closing quote, or a doubled one inside a quoted field, come in pairs)."""
    raw = np.frombuffer(text, dtype=np.uint8)
    hits = np.flatnonzero((raw == ord(",")) | (raw == ord("\n")) | (raw == ord('"')))
    kinds = raw[hits]
    quote = kinds == ord('"')
    if quote.any():
        outside = (np.cumsum(quote) % 2 == 0) & ~quote
        hits, kinds = hits[outside], kinds[outside]
    is_end = kinds == ord("\n")
    ends = hits[is_end]
    if ends.size == 0 or ends[-1] != raw.size - 1:
        ends = np.append(ends, raw.size)
    # a comma belongs to the record whose number is the count of line ends before it
    per_record = np.bincount(np.cumsum(is_end)[~is_end], minlength=ends.size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    blank = (lengths == 0) | ((lengths == 1) & (raw[np.minimum(starts, raw.size - 1)] == ord("\r")))
    if np.any((per_record != width - 1) & ~blank):
        raise _refuse(Code.FILE_FORMAT)


# --- JSON ----------------------------------------------------------------------------------


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, str):
        return value
    raise _refuse(Code.FILE_FORMAT, "Every value must be text, a number or null.")


def _number_text(value: float) -> str:
    """A whole number as its digits (an NHS number typed as a number reads as digits)."""
    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value)


def _read_json(data: bytes, max_rows: int) -> tuple[list[str], pl.DataFrame]:
    text = _utf8(data)
    try:
        parsed = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise _refuse(Code.FILE_FORMAT) from None
    if isinstance(parsed, dict) and set(parsed) == {"rows"}:
        parsed = parsed["rows"]
    if not isinstance(parsed, list) or not all(isinstance(row, dict) for row in parsed):
        raise _refuse(Code.FILE_FORMAT, 'Send an array of objects, or {"rows": [...]}.')
    if not parsed:
        raise _refuse(Code.FILE_EMPTY)
    if len(parsed) > max_rows:
        raise _refuse(Code.FILE_TOO_MANY_ROWS, f"The limit is {max_rows:,} rows.")
    # The header is every key any row has, in first-seen order and matched as a CSV header
    # is (trimmed, any case): a row may leave a key out (a null), but no row may bring one
    # the data set does not have, nor the same one twice.
    keys: dict[str, str] = {}  # matched -> as first sent
    rows: list[dict[str, Any]] = []
    for row in parsed:
        matched = {key.strip(WHITESPACE).lower(): value for key, value in row.items()}
        if len(matched) != len(row):
            raise _refuse(Code.FILE_HEADER)
        for key in row:
            keys.setdefault(key.strip(WHITESPACE).lower(), key)
        rows.append(matched)
    columns = [[_json_text(row.get(key)) for row in rows] for key in keys]
    body = pl.DataFrame(
        {f"column_{i}": values for i, values in enumerate(columns)},
        schema={f"column_{i}": pl.String for i in range(len(keys))},
    )
    return list(keys.values()), body


# --- XLSX ----------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb from what the archive declares, before expanding a byte; then stream
    every entry through, bounded, so calamine is handed only an archive whose declared sizes
    are true (zipfile stops at the declared size and checks the CRC)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(Code.FILE_FORMAT) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > XLSX_MAX_ENTRIES:
            raise _refuse(Code.FILE_BOMB)
        expanded = sum(entry.file_size for entry in entries)
        packed = sum(entry.compress_size for entry in entries)
        if expanded > XLSX_MAX_UNCOMPRESSED:
            raise _refuse(Code.FILE_BOMB)
        for entry in entries:
            if entry.file_size > _RATIO_FLOOR and entry.file_size > XLSX_MAX_RATIO * max(
                entry.compress_size, 1
            ):
                raise _refuse(Code.FILE_BOMB)
        if expanded > _RATIO_FLOOR and expanded > XLSX_MAX_RATIO * max(packed, 1):
            raise _refuse(Code.FILE_BOMB)
        if any(PurePath(entry.filename).name.lower() == "vbaproject.bin" for entry in entries):
            raise _refuse(Code.FILE_FORMAT, "Save the workbook without macros, as .xlsx.")
        try:
            for entry in entries:
                with archive.open(entry) as stream:
                    while stream.read(_CHUNK):
                        pass
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            NotImplementedError,
            EOFError,
            RuntimeError,
        ):
            raise _refuse(Code.FILE_FORMAT) from None


def _cell_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):  # a date in a cell Excel formats as a date-time
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time | timedelta):
        return str(value)
    return None if value is None else str(value)


def _read_xlsx(data: bytes) -> tuple[list[str], pl.DataFrame]:
    _check_zip(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise _refuse(Code.FILE_EMPTY)
        sheet = workbook.get_sheet_by_index(0)
        # Row 1 is the header, whatever is above or beside the data: the rows keep their numbers.
        rows = sheet.to_python(skip_empty_area=False)
    except Refused:
        raise
    except Exception:  # calamine's errors are its own; any of them means an unreadable workbook
        raise _refuse(Code.FILE_FORMAT) from None
    if not rows:
        raise _refuse(Code.FILE_EMPTY)
    width = max(len(row) for row in rows)
    header = [_cell_text(cell) or "" for cell in _padded(rows[0], width)]
    body_rows = rows[1:]
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in body_rows:
        for i, cell in enumerate(_padded(row, width)):
            columns[i].append(_cell_text(cell))
    body = pl.DataFrame(
        {f"column_{i}": values for i, values in enumerate(columns)},
        schema={f"column_{i}": pl.String for i in range(width)},
    )
    return header, body


def _padded(row: Sequence[Any], width: int) -> Iterable[Any]:
    yield from row
    for _ in range(width - len(row)):
        yield None
