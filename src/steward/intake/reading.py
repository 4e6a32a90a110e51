"""INTERIM (wip/intake-pipeline): a stand-in for wip/intake-rules' reader, with its signatures,
so the pipeline can be built and tested before that branch lands. Replaced on merge."""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePath

import polars as pl

from steward.intake.datasets import Dataset
from steward.intake.errors import Refused
from steward.intake.policy import Code, FileFormat


def detect_format(filename: str, data: bytes) -> FileFormat:
    if data.startswith(b"PK\x03\x04"):
        return FileFormat.XLSX
    if not data.strip():
        raise Refused(Code.FILE_EMPTY)
    if data.lstrip()[:1] in (b"[", b"{"):
        return FileFormat.JSON
    if PurePath(filename).suffix.lower() in (".csv", ".txt"):
        return FileFormat.CSV
    raise Refused(Code.FILE_FORMAT)


def read_table(
    data: bytes, *, file_format: FileFormat, dataset: Dataset, max_rows: int = 1_000_000
) -> pl.DataFrame:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise Refused(Code.FILE_ENCODING) from None
    if file_format is FileFormat.CSV:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not rows:
            raise Refused(Code.FILE_EMPTY)
        header, body = [h.strip().lower() for h in rows[0]], rows[1:]
        records = [dict(zip(header, row, strict=False)) for row in body if any(row)]
    elif file_format is FileFormat.JSON:
        parsed = json.loads(text)
        records = [{k.lower(): v for k, v in r.items()} for r in parsed]
        header = list(dataset.columns)
        if any(k not in header for r in records for k in r):
            raise Refused(Code.FILE_HEADER)
    else:
        raise Refused(Code.FILE_FORMAT)
    if sorted(header) != sorted(dataset.columns):
        raise Refused(Code.FILE_HEADER)
    if not records:
        raise Refused(Code.FILE_EMPTY)
    if len(records) > max_rows:
        raise Refused(Code.FILE_TOO_MANY_ROWS)
    columns = {
        name: [(str(r.get(name) or "").strip() or None) for r in records]
        for name in dataset.columns
    }
    return pl.DataFrame(columns, schema={n: pl.String for n in dataset.columns})
