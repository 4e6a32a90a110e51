"""The intake demo's files, written as a partner's systems write them: a CSV export (ISO dates,
or the day-first dates a court's system prints), a JSON array from a police force's system
(empty values as null), and an Excel workbook a local authority filled in (dates as date
cells). Formats: docs/intake.md; the reader: ``steward.intake.reading``.

The workbook is written by hand (a zip of the XML Excel writes), so the product needs no
spreadsheet-writing library for its demonstration data."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from steward.intake.datasets import Dataset, FieldType
from steward.intake.policy import FileFormat

Values = Mapping[str, str | None]


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _text(dataset: Dataset, name: str, value: str | None, *, day_first: bool) -> str:
    if value is None:
        return ""
    day = _iso(value) if dataset.field(name).type is FieldType.DATE else None
    return f"{day:%d/%m/%Y}" if day is not None and day_first else value


def csv_bytes(dataset: Dataset, rows: Sequence[Values], *, day_first: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(dataset.columns)
    for row in rows:
        writer.writerow(
            [_text(dataset, n, row.get(n), day_first=day_first) for n in dataset.columns]
        )
    return out.getvalue().encode("utf-8")


def json_bytes(dataset: Dataset, rows: Sequence[Values]) -> bytes:
    return json.dumps(
        [{name: row.get(name) for name in dataset.columns} for row in rows],
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")


# --- a one-sheet workbook ------------------------------------------------------------------

_EPOCH = datetime(1899, 12, 30)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_RELATIONSHIPS}">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 1 is a date (number format 14, d/m/yyyy): how Excel keeps a date typed into a cell.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: str | date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        serial = (datetime(value.year, value.month, value.day) - _EPOCH).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def xlsx_bytes(dataset: Dataset, rows: Sequence[Values]) -> bytes:
    """A workbook of one sheet: the header, then a row per row; a valid date in a date
    field is a date cell, anything else (a mistyped date too) text, as a person typed it."""
    table: list[list[str | date | None]] = [list(dataset.columns)]
    for row in rows:
        cells: list[str | date | None] = []
        for name in dataset.columns:
            value = row.get(name)
            day = _iso(value) if dataset.field(name).type is FieldType.DATE else None
            cells.append(day if day is not None else value)
        table.append(cells)
    body = "".join(
        f'<row r="{r}">'
        + "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(cells))
        + "</row>"
        for r, cells in enumerate(table, start=1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            # A fixed time stamp: the same rows, the same bytes (zipfile would use now).
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def file_bytes(
    dataset: Dataset, rows: Sequence[Values], file_format: FileFormat, *, day_first: bool = False
) -> bytes:
    if file_format is FileFormat.CSV:
        return csv_bytes(dataset, rows, day_first=day_first)
    if file_format is FileFormat.JSON:
        return json_bytes(dataset, rows)
    return xlsx_bytes(dataset, rows)
