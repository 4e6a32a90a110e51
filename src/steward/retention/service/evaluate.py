"""Set-based evaluation: every record's retention_dates row written from one
INSERT ... SELECT per kind of record (the SELECT is records_sql.py), only where it changes;
rows of records gone or no longer governed deleted; reviewers' "retain until" dates applied.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CursorResult,
    Select,
    and_,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from steward.records.models import RecordClass
from steward.retention import policy
from steward.retention.models import (
    RecordKind,
    RetentionOverride,
    RetentionRule,
    RetentionSchedule,
    retention_dates,
)
from steward.retention.service.records_sql import SOURCES, Col, records_select


def class_rules(db: Session, schedule: RetentionSchedule) -> dict[int, RetentionRule]:
    """Record class id -> the rule that governs it: its own, or its nearest ancestor's."""
    classes = {c.id: c for c in db.scalars(select(RecordClass))}
    by_code = {r.class_code: r for r in schedule.rules}
    governed: dict[int, RetentionRule] = {}
    for class_id, record_class in classes.items():
        current: RecordClass | None = record_class
        while current is not None:
            if current.code in by_code:
                governed[class_id] = by_code[current.code]
                break
            current = classes.get(current.parent_id) if current.parent_id else None
    return governed


@dataclass(frozen=True)
class Swept:
    scheduled: int  # records with a row under the schedule, in the scope swept
    changed: int  # rows written: new, re-dated, or removed


# Columns a sweep may change; the key is (schedule_id, record_kind, record_id).
_VALUES = ("rule_id", "trigger_on", "due_on", "action", "note")
_COLUMNS = ["schedule_id", "record_kind", "record_id", *_VALUES]


def evaluate(
    db: Session,
    schedule: RetentionSchedule,
    rules: dict[str, policy.Rule],
    *,
    kind: RecordKind | None = None,
    record_ids: Sequence[int] | None = None,
) -> Swept:
    """Bring ``schedule``'s retention_dates up to date: for all records, or only
    ``record_ids`` of ``kind``. Every record's date is computed; only rows whose values
    change are written (an upsert that skips equal rows), and rows of records that no longer
    exist or are no longer governed are deleted, so a re-sweep of unchanged facts writes
    (almost) nothing."""
    dates = retention_dates
    scope = dates.c.schedule_id == schedule.id
    if kind is not None:
        scope = and_(scope, dates.c.record_kind == kind.value)
    if record_ids is not None:
        scope = and_(scope, dates.c.record_id.in_(record_ids))
    by_rule: dict[int, list[int]] = {}
    stored = {r.id: r for r in schedule.rules}
    for class_id, rule in class_rules(db, schedule).items():
        by_rule.setdefault(rule.id, []).append(class_id)
    governed = [
        (rule_id, class_ids, rules[stored[rule_id].class_code])
        for rule_id, class_ids in sorted(by_rule.items())
    ]
    all_classes = [c for _, classes, _ in governed for c in classes]
    changed = 0
    with _roomy(db):
        for source in SOURCES:
            if kind is not None and source.kind is not kind:
                continue
            current = select(source.id).where(source.class_id.in_(all_classes), source.live)
            stale = delete(dates).where(
                scope, dates.c.record_kind == source.kind.value, dates.c.record_id.not_in(current)
            )
            changed += _rowcount(db.execute(stale))
            if governed:
                query = records_select(
                    source, governed, schedule_id=schedule.id, record_ids=record_ids
                )
                changed += _rowcount(db.execute(_upsert(db, query)))
    _apply_overrides(db, schedule.id, scope)
    scheduled = db.scalar(select(func.count()).select_from(dates).where(scope)) or 0
    return Swept(scheduled, changed)


def _rowcount(result: Any) -> int:
    return typing.cast(CursorResult[Any], result).rowcount or 0


def _upsert(db: Session, query: Select[Any]) -> Any:
    """INSERT ... SELECT that updates a row only where a value differs. The two dialects
    spell it the same way through SQLAlchemy; only the constructor differs."""
    maker = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    statement = maker(retention_dates).from_select(_COLUMNS, query)
    excluded = statement.excluded
    differs = or_(*(retention_dates.c[c].is_distinct_from(excluded[c]) for c in _VALUES))
    return statement.on_conflict_do_update(
        index_elements=["schedule_id", "record_kind", "record_id"],
        set_={c: excluded[c] for c in _VALUES},
        where=differs,
    )


@contextmanager
def _roomy(db: Session) -> Iterator[None]:
    """On SQLite, bounded 64 MB page caches (main and temporary database) for the sweep's
    GROUP BY and join indexes: with the default 8 MB they spill and the sweep of a million
    records takes minutes instead of seconds. Restored afterwards (pooled connections)."""
    if db.get_bind().dialect.name != "sqlite":
        yield
        return
    # temp_store cannot change inside a transaction; a big enough cache for the temporary
    # database keeps its b-trees in memory all the same.
    before = {s: db.execute(text(f"PRAGMA {s}.cache_size")).scalar() for s in ("main", "temp")}
    for schema in before:
        db.execute(text(f"PRAGMA {schema}.cache_size = -65536"))
    try:
        yield
    finally:
        for schema, size in before.items():
            db.execute(text(f"PRAGMA {schema}.cache_size = {int(size or -2000)}"))


def _apply_overrides(db: Session, schedule_id: int, scope: Col) -> None:
    """A reviewer's "retain until" date replaces an earlier due date. Only records that have
    an override are looked at (there are few)."""
    dates = retention_dates
    override = RetentionOverride.__table__
    for kind in RecordKind:
        later = (
            select(override.c.review_on)
            .where(
                override.c.record_kind == kind.value,
                override.c.record_id == dates.c.record_id,
                override.c.review_on > dates.c.due_on,
            )
            .scalar_subquery()
        )
        db.execute(
            update(dates)
            .where(
                scope,
                dates.c.record_kind == kind.value,
                dates.c.record_id.in_(
                    select(override.c.record_id).where(override.c.record_kind == kind.value)
                ),
                later.is_not(None),
            )
            .values(due_on=later, note="retained")
        )
