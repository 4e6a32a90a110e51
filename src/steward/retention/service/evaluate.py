"""Set-based evaluation: every record's retention_dates row written from one
INSERT ... SELECT per kind of record (the SELECT is records_sql.py), only where it changes;
rows of records gone or no longer governed deleted; reviewers' "retain until" dates applied.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CursorResult,
    Select,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile
from steward.core.db import page_cache
from steward.records.models import RecordClass
from steward.retention import policy
from steward.retention.models import (
    RecordKind,
    RetentionOverride,
    RetentionRule,
    RetentionSchedule,
    retention_dates,
)
from steward.retention.service import registry
from steward.retention.service.records_sql import (
    SOURCES,
    Col,
    Governed,
    Source,
    following_select,
    records_select,
    registered_source,
    scheduled_ids,
)


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
    kind: RecordKind | str | None = None,
    record_ids: Sequence[int] | None = None,
) -> Swept:
    """Bring ``schedule``'s retention_dates up to date: for all records, or only
    ``record_ids`` of ``kind``. Every record's date is computed; only rows whose values
    change are written (an upsert that skips equal rows), and rows of records that no longer
    exist or are no longer governed are deleted, so a re-sweep of unchanged facts writes
    (almost) nothing."""
    dates = retention_dates
    by_rule: dict[int, list[int]] = {}
    stored = {r.id: r for r in schedule.rules}
    for class_id, rule in class_rules(db, schedule).items():
        by_rule.setdefault(rule.id, []).append(class_id)
    governed = [
        (rule_id, class_ids, rules[stored[rule_id].class_code])
        for rule_id, class_ids in sorted(by_rule.items())
    ]
    targets = _targets(db, kind, record_ids)
    scopes = []
    changed = 0
    sources = [(s, governed) for s in SOURCES] + _registered_sources(db, governed)
    with _roomy(db):
        # Cases first: paper files that follow a case read its row.
        for source, its_rules in sources:
            if source.kind not in targets:
                continue
            ids = targets[source.kind]
            in_scope = and_(
                dates.c.schedule_id == schedule.id, dates.c.record_kind == str(source.kind)
            )
            if ids is not None:
                in_scope = and_(in_scope, dates.c.record_id.in_(ids))
            scopes.append(in_scope)
            current = scheduled_ids(source, its_rules, schedule_id=schedule.id)
            stale = delete(dates).where(in_scope, dates.c.record_id.not_in(current))
            changed += _rowcount(db.execute(stale))
            if not its_rules:
                continue
            query = records_select(source, its_rules, schedule_id=schedule.id, record_ids=ids)
            changed += _rowcount(db.execute(_upsert(db, query)))
            if source.kind is RecordKind.PAPER_FILE:
                follow = following_select(its_rules, schedule_id=schedule.id, record_ids=ids)
                changed += _rowcount(db.execute(_upsert(db, follow)))
            # Per kind, cases first: a file that follows its case follows a reviewer's
            # "retain until" on the case too.
            _apply_overrides(db, schedule.id, in_scope)
    scope = or_(*scopes) if scopes else false()
    scheduled = db.scalar(select(func.count()).select_from(dates).where(scope)) or 0
    return Swept(scheduled, changed)


def _registered_sources(db: Session, governed: Governed) -> list[tuple[Source, Governed]]:
    """Each registered kind with the one rule that governs its class (its own or its nearest
    ancestor's). A rule that dates from linked persons cannot date records that have none:
    such a kind is left undated (kept) rather than guessed."""
    found: list[tuple[Source, Governed]] = []
    for kind in registry.registered():
        class_id = registry.class_id(db, kind)
        if class_id is None:
            continue
        mine = [(r, [class_id], rule) for r, classes, rule in governed if class_id in classes]
        if any(policy.person_triggers(rule.trigger) for _, _, rule in mine):
            mine = []
        found.append((registered_source(kind, class_id), mine))
    return found


def _targets(
    db: Session, kind: RecordKind | str | None, record_ids: Sequence[int] | None
) -> dict[str, Sequence[int] | None]:
    """The records to re-date, per kind: re-dating cases re-dates the paper files that
    follow them."""
    if kind is None:
        return {k: record_ids for k in registry.all_kinds()}
    if kind is RecordKind.CASE:
        linked = None
        if record_ids is not None:
            linked = list(db.scalars(select(PaperFile.id).where(PaperFile.case_id.in_(record_ids))))
        return {RecordKind.CASE: record_ids, RecordKind.PAPER_FILE: linked}
    return {kind: record_ids}


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


def _roomy(db: Session) -> AbstractContextManager[None]:
    """Bounded 64 MB page caches (main and temporary database) for the sweep's GROUP BY and
    join indexes: with the default 8 MB they spill and the sweep of a million records takes
    minutes instead of seconds. temp_store cannot change inside a transaction; a big enough
    cache for the temporary database keeps its b-trees in memory all the same."""
    return page_cache(db, 65_536, schemas=("main", "temp"))


def _apply_overrides(db: Session, schedule_id: int, scope: Col) -> None:
    """A reviewer's "retain until" date replaces an earlier due date. Only records that have
    an override are looked at (there are few)."""
    dates = retention_dates
    override = RetentionOverride.__table__
    for kind in registry.all_kinds():
        later = (
            select(override.c.review_on)
            .where(
                override.c.record_kind == str(kind),
                override.c.record_id == dates.c.record_id,
                override.c.review_on > dates.c.due_on,
            )
            .scalar_subquery()
        )
        db.execute(
            update(dates)
            .where(
                scope,
                dates.c.record_kind == str(kind),
                dates.c.record_id.in_(
                    select(override.c.record_id).where(override.c.record_kind == str(kind))
                ),
                later.is_not(None),
            )
            .values(due_on=later, note="retained")
        )
