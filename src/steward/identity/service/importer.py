"""Loading a legacy person index (CSV) as persons, set-based.

One CSV row is one person record of the old system. Rows are checked one by one (a problem
names the line and the column, never the value), then written a batch at a time with
multi-row inserts: persons, their address, their legacy identifier (``record_id``), and their
match profile and keys. Each batch commits on its own, so a million rows land in minutes and
an interrupted run resumes: a ``record_id`` already imported is skipped. That is why the
whole file is read once before the first batch: a byte that is not UTF-8 or a quote that
breaks the CSV structure refuses the file with nothing written, not halfway through.
"""

from __future__ import annotations

import codecs
import csv
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, clock
from steward.core.db import page_cache, session_scope
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.indexer import bulk_insert, write_index
from steward.identity.keys import Facts, profile_of
from steward.identity.models import KEY_INDEX, MatchKey
from steward.identity.normalise import normalise_postcode
from steward.identity.service.types import PeopleImportReport, RowProblem
from steward.records.models import Identifier, IdentifierScheme, Person

COLUMNS = ("record_id", "first_name", "middle_names", "last_name", "dob", "postcode", "address")
REQUIRED = ("record_id", "first_name", "last_name")
BATCH = 5_000
IMPORT_CACHE_KIB = 262_144  # 256 MB
REBUILD_INDEX_ROWS = 100_000  # from this many rows, a first load builds the key index at the end
STATISTICS_AFTER_ROWS = (
    20_000  # planner statistics refreshed at this many rows, and at each doubling
)
SQLITE_ANALYSIS_ROWS = 2_000  # rows per index ANALYZE samples on SQLite: seconds, not minutes
LOCK_WAIT_MS = 2_000
_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,63}\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the CSV reader counts lines (newline="")
_LIMITS = {"first_name": 100, "middle_names": 200, "last_name": 100, "address": 200}
_EARLIEST_DOB = date(1880, 1, 1)
LINES_NAMED = 10  # of the lines not in UTF-8; a whole file in another encoding has thousands


@dataclass(frozen=True)
class _Row:
    line: int
    record_id: str
    first_name: str
    middle_names: str | None
    last_name: str
    dob: date | None
    postcode: str | None
    address: str | None


def _text(raw: dict[str, str | None], column: str) -> str:
    return (raw.get(column) or "").strip()


def _check(line: int, raw: dict[str, str | None], notes: list[str]) -> _Row | list[str]:
    reasons: list[str] = []
    record_id = _text(raw, "record_id")
    if not _RECORD_ID.match(record_id):
        reasons.append("record_id: required; 1 to 64 letters, digits or . _ : / - characters")
    for column in ("first_name", "last_name"):
        if not _text(raw, column):
            reasons.append(f"{column}: required")
    for column, limit in _LIMITS.items():
        value = _text(raw, column)
        if len(value) > limit:
            reasons.append(f"{column}: longer than {limit} characters")
        if _CONTROL.search(value):
            reasons.append(f"{column}: contains control characters")
    dob: date | None = None
    dob_text = _text(raw, "dob")
    if dob_text:
        try:
            dob = date.fromisoformat(dob_text)
        except ValueError:
            reasons.append("dob: not a date written YYYY-MM-DD")
        else:
            if dob > clock.today() or dob < _EARLIEST_DOB:
                # A slip in an old index; the person record still has to be found.
                notes.append("dob: after today or before 1880; imported without a date of birth")
                dob = None
    postcode_text = _text(raw, "postcode")
    # A mistyped postcode is kept as written: the record still counts, it just cannot match on it.
    postcode = normalise_postcode(postcode_text) or (postcode_text.upper() or None)
    if postcode and len(postcode) > 10:
        reasons.append("postcode: longer than 10 characters")
    if reasons:
        return reasons
    return _Row(
        line=line,
        record_id=record_id,
        first_name=_text(raw, "first_name"),
        middle_names=_text(raw, "middle_names") or None,
        last_name=_text(raw, "last_name"),
        dob=dob,
        postcode=postcode,
        address=_text(raw, "address") or None,
    )


def _batches(path: Path, report: PeopleImportReport) -> Iterator[list[_Row]]:
    seen: dict[str, int] = {}
    batch: list[_Row] = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationFailed(
                f"The file has no {', '.join(missing)} column: the header must name "
                f"{', '.join(COLUMNS)}.",
                errors={"file": "Missing columns"},
            )
        for raw in reader:
            last = reader.line_num
            line = last - _line_breaks(raw)
            if line < last:
                # One person is one line; a record running over lines is a quote left open.
                report.problems.append(RowProblem(line, _open_quote(line, last)))
                continue
            notes: list[str] = []
            checked = _check(line, raw, notes)
            if isinstance(checked, list):
                report.problems += [RowProblem(line, r) for r in checked]
                continue
            if checked.record_id in seen:
                report.problems.append(
                    RowProblem(
                        line, f"record_id: repeats the record_id of line {seen[checked.record_id]}"
                    )
                )
                continue
            seen[checked.record_id] = line
            report.notes += [RowProblem(line, n) for n in notes]
            batch.append(checked)
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _already_imported(db: Session, record_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        found.update(
            db.scalars(
                select(Identifier.value).where(
                    Identifier.scheme == IdentifierScheme.LEGACY, Identifier.value.in_(chunk)
                )
            )
        )
    return found


def _new_person_ids(db: Session, rows: list[_Row]) -> list[int]:
    """Insert the persons and return their ids, in row order."""
    connection = db.connection()
    # As SQLAlchemy itself would write it (on SQLite, text without the zone), since these
    # rows go straight through the driver.
    bind = Person.__table__.c.created_at.type._cached_bind_processor(connection.dialect)
    now: object = bind(clock.now()) if bind else clock.now()
    values = [
        (r.first_name, r.middle_names, r.last_name, r.dob, False, False, now, now) for r in rows
    ]
    columns = (
        "first_name",
        "middle_names",
        "last_name",
        "date_of_birth",
        "is_professional",
        "address_withheld",
        "created_at",
        "updated_at",
    )
    if connection.dialect.name == "sqlite":
        # BEGIN IMMEDIATE holds SQLite's write lock for the whole unit of work, so nobody can
        # take these ids between reading the maximum and inserting.
        first = (db.scalar(select(func.max(Person.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
        bulk_insert(
            connection,
            "persons",
            ("id", *columns),
            [(i, *v) for i, v in zip(ids, values, strict=True)],
        )
        return ids
    stmt = insert(Person).returning(Person.id, sort_by_parameter_order=True)
    return list(connection.scalars(stmt, [dict(zip(columns, v, strict=True)) for v in values]))


def _write(db: Session, actor: Actor, rows: list[_Row]) -> int:
    connection = db.connection()
    ids = _new_person_ids(db, rows)
    pairs = list(zip(ids, rows, strict=True))
    bulk_insert(
        connection,
        "addresses",
        ("person_id", "line1", "postcode"),
        [(pid, r.address or "", r.postcode) for pid, r in pairs if r.address or r.postcode],
    )
    bulk_insert(
        connection,
        "identifiers",
        ("person_id", "scheme", "value"),
        [(pid, IdentifierScheme.LEGACY.value, r.record_id) for pid, r in pairs],
    )
    entries = [
        (
            pid,
            r.record_id,
            profile_of(
                Facts(
                    first_name=r.first_name,
                    middle_names=r.middle_names,
                    last_name=r.last_name,
                    dob=r.dob,
                    postcodes=(r.postcode,) if r.postcode else (),
                    address=r.address,
                )
            ),
        )
        for pid, r in pairs
    ]
    write_index(connection, entries, replace=False)
    audit.record(
        db,
        actor,
        IdentityEvent.PEOPLE_IMPORTED,
        details={"created": len(ids), "first_person_id": ids[0], "last_person_id": ids[-1]},
    )
    return len(ids)


def _line_breaks(raw: dict[str | None, Any]) -> int:
    """How many line breaks the record's values hold: the lines it ran over, beyond its
    first (blank lines before it are skipped by the reader, so line numbers cannot tell)."""
    cells = (v if isinstance(v, list) else [v] for v in raw.values())
    return sum(len(_LINE_BREAK.findall(c)) for group in cells for c in group if c)


def _open_quote(first: int, last: int) -> str:
    return (
        f"a quote opened on line {first} is not closed until line {last}, so lines "
        f"{first} to {last} were read as one record; close the quote (write a quote inside a "
        'value as "")'
    )


def _decoded_lines(path: Path, bad: list[int]) -> Iterator[str]:
    """The file's lines, decoded strictly; the numbers of lines that are not UTF-8 go to
    ``bad`` (the line is passed on with replacement characters, so the CSV check goes on).
    A UTF-8 multi-byte character never contains a newline byte, so lines split safely."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            data = raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(number)
                yield data.decode("utf-8", "replace")


def _data_rows(path: Path) -> int:
    """The number of data rows, after reading the whole file once: refuses it, before
    anything is written, if any line is not UTF-8 or the CSV cannot be read to its end."""
    bad: list[int] = []
    # Strict: a quote left open at the end, or text after a closing quote, is an error here
    # rather than a record silently run together.
    reader = csv.reader(_decoded_lines(path, bad), strict=True)
    rows, started = 0, 1
    try:
        for _ in reader:
            rows, started = rows + 1, reader.line_num + 1
    except csv.Error as exc:
        if not bad:
            where = f"line {started}"
            raise ValidationFailed(
                f"The file cannot be read as CSV from {where} on ({exc}): usually a quote "
                "opened there and not closed. Nothing was imported.",
                errors={where: "a quote opened here is not closed"},
            ) from exc
    if bad:
        named = ", ".join(str(n) for n in bad[:LINES_NAMED])
        more = f" and {len(bad) - LINES_NAMED} more" if len(bad) > LINES_NAMED else ""
        raise ValidationFailed(
            f"The file is not UTF-8 text: line{'s' if len(bad) > 1 else ''} {named}{more} "
            "hold characters in another encoding (often Windows-1252 from Excel). Save it as "
            "UTF-8 (in Excel: CSV UTF-8) and import it again. Nothing was imported.",
            errors={f"line {n}": "not UTF-8; save the file as UTF-8" for n in bad[:LINES_NAMED]},
        )
    return max(rows - 1, 0)


def _keys_empty(session_factory: sessionmaker[Session]) -> bool:
    with session_scope(session_factory, read_only=True) as db:
        return db.scalar(select(MatchKey.person_id).limit(1)) is None


def _drop_key_index(session_factory: sessionmaker[Session]) -> bool:
    """Drop the key index for a first load; False (index kept) if it cannot be had at once.

    On PostgreSQL dropping takes an exclusive lock: a lookup holding the table would make the
    drop wait, and every lookup after it queue behind, so it waits at most a moment."""
    with session_scope(session_factory) as db:
        connection = db.connection()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
            try:
                with connection.begin_nested():
                    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {KEY_INDEX}")
            except OperationalError:
                return False
        else:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {KEY_INDEX}")
    return True


def _build_key_index(session_factory: sessionmaker[Session]) -> None:
    """(Re)build the key index once, sorted. On PostgreSQL concurrently: writers to the keys
    (person edits, another import) are not held for the minutes a large build takes. A
    factory bound to one connection (the caller's own transaction) builds it inside that."""
    bind = session_factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(_create_key_index("CONCURRENTLY "))
        return
    with session_scope(session_factory) as db:
        db.connection().exec_driver_sql(_create_key_index(""))


def _create_key_index(how: str) -> str:
    return f"CREATE INDEX {how}IF NOT EXISTS {KEY_INDEX} ON identity_match_keys (key, person_id)"


def refresh_statistics(session_factory: sessionmaker[Session]) -> None:
    """Fresh planner statistics for the identity tables after a bulk write: planned on the
    statistics of an empty table, a lookup may scan every key instead of using the index.
    ANALYZE reads a sample on both databases and never blocks readers or writers."""
    with session_scope(session_factory) as db:
        connection = db.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_ROWS}")
        for table in ("identity_match_keys", "identity_profiles", "persons", "identifiers"):
            connection.exec_driver_sql(f"ANALYZE {table}")


def import_people_csv(
    session_factory: sessionmaker[Session],
    path: Path,
    *,
    actor: Actor,
    progress: Callable[[int], None] | None = None,
) -> PeopleImportReport:
    """Import a legacy person index; idempotent on ``record_id``; one commit per batch.

    ``progress`` is called with the number of rows handled in each batch."""
    actor.require(Permission.PEOPLE_MANAGE)
    if not path.is_file():
        raise ValidationFailed("There is no such file.", errors={"file": "Not found"})
    report = PeopleImportReport()
    started = time.perf_counter()
    # Keys are random: inserted one by one into a large index, every batch rewrites most of
    # its pages. A large first load (nobody indexed yet, so no lookup has anything to lose)
    # drops the index and builds it once, sorted, at the end (also after an interruption).
    # Into a live index the keys go in place, so lookups stay indexed throughout.
    rebuild = (
        _data_rows(path) >= REBUILD_INDEX_ROWS
        and _keys_empty(session_factory)
        and _drop_key_index(session_factory)
    )
    # Statistics refreshed each time the import has doubled what it wrote: planned on the
    # statistics of a table a tenth of its size, PostgreSQL looked up each batch's record ids
    # by reading every legacy identifier (at 145,000 persons, 10,000 persons a minute
    # instead of 80,000). A few ANALYZEs, however large the file.
    analyse_at = STATISTICS_AFTER_ROWS
    try:
        for batch in _batches(path, report):
            with session_scope(session_factory) as db, page_cache(db, IMPORT_CACHE_KIB):
                done = _already_imported(db, [r.record_id for r in batch])
                fresh = [r for r in batch if r.record_id not in done]
                report.skipped += len(batch) - len(fresh)
                if fresh:
                    report.created += _write(db, actor, fresh)
            if report.created >= analyse_at:
                refresh_statistics(session_factory)
                analyse_at = 2 * report.created
            if progress is not None:
                progress(len(batch))
    finally:
        if rebuild:
            _build_key_index(session_factory)
    if report.created:
        refresh_statistics(session_factory)
    report.seconds = time.perf_counter() - started
    return report
