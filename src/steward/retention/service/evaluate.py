"""Set-based evaluation: every record of a class gets its dates from one INSERT ... SELECT.

For each rule, the facts the trigger needs (the youngest child's birth date, the adoption
order's date, the last document's date) are gathered per record by correlated aggregates in
one materialised CTE; the dates are composed from those columns by the per-backend date
functions of sql.py. No record is loaded into Python. policy.evaluate is the same rule,
record by record; the tests hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from steward.archives.models import PaperFile, PaperFileName, PaperFileStatus
from steward.records.models import Case, CaseStatus, Document, Party, Person, RecordClass
from steward.retention import policy
from steward.retention.models import (
    RecordKind,
    RetentionDate,
    RetentionEvent,
    RetentionOverride,
    RetentionRule,
    RetentionSchedule,
)
from steward.retention.service.sql import AddMonths, Earliest, Latest, LatestKnown, RoundUp

Col = ColumnElement[Any]


@dataclass(frozen=True)
class Source:
    """Where one kind of record keeps the facts triggers ask for."""

    kind: RecordKind
    table: Any
    id: Col
    class_id: Col
    created: Col
    closed: Col
    is_open: Col
    live: Col  # only records that still exist to be scheduled

    def persons(self, roles: Sequence[str]) -> tuple[Any, Col, Col | None, Col]:
        """(FROM clause, birth column, death column or None, WHERE) of the linked persons."""
        if self.kind is RecordKind.CASE:
            joined = Party.__table__.join(Person, Person.id == Party.person_id)
            where = and_(Party.case_id == self.id, Party.role.in_(roles))
            return joined, Person.date_of_birth, Person.date_of_death, where
        where = and_(PaperFileName.paper_file_id == self.id, PaperFileName.role.in_(roles))
        return PaperFileName.__table__, PaperFileName.date_of_birth, None, where

    def last_activity(self) -> Col:
        if self.kind is RecordKind.CASE:
            last_doc = (
                select(func.max(Document.created_on))
                .where(Document.case_id == self.id)
                .scalar_subquery()
            )
            return LatestKnown(self.created, self.closed, last_doc)
        return func.coalesce(self.closed, self.created)


CASES = Source(
    RecordKind.CASE,
    Case.__table__,
    Case.id,
    Case.record_class_id,
    Case.opened_on,
    Case.closed_on,
    Case.status == CaseStatus.OPEN.value,
    true(),
)
PAPER = Source(
    RecordKind.PAPER_FILE,
    PaperFile.__table__,
    PaperFile.id,
    PaperFile.record_class_id,
    PaperFile.date_from,
    PaperFile.date_to,
    literal(False),
    PaperFile.status == PaperFileStatus.ACTIVE.value,
)
SOURCES = (CASES, PAPER)


class _Atoms:
    """The per-record facts one rule needs, each computed once in the CTE."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.columns: list[Col] = []

    def add(self, expression: Col) -> str:
        name = f"f{len(self.columns)}"
        self.columns.append(expression.label(name))
        return name


def _trigger(trigger: policy.Trigger, atoms: _Atoms) -> Any:
    """The trigger as a function of the CTE's columns (names resolved once the CTE exists)."""
    src = atoms.source
    if isinstance(trigger, policy.RecordTrigger):
        expr = {
            policy.RecordDate.CREATED: src.created,
            policy.RecordDate.CLOSED: src.closed,
            policy.RecordDate.LAST_ACTIVITY: src.last_activity(),
        }[trigger.date]
        name = atoms.add(expr)
        return lambda cte: cte.c[name]
    if isinstance(trigger, policy.EventTrigger):
        name = atoms.add(
            select(func.max(RetentionEvent.occurred_on))
            .where(
                RetentionEvent.record_kind == src.kind.value,
                RetentionEvent.record_id == src.id,
                RetentionEvent.event == trigger.event,
            )
            .scalar_subquery()
        )
        return lambda cte: cte.c[name]
    if isinstance(trigger, policy.PersonTrigger):
        name = atoms.add(_person_fact(trigger, src))
        return lambda cte: cte.c[name]
    parts = [(_trigger(p.trigger, atoms), p.after.total_months) for p in trigger.parts]

    def combined(cte: Any) -> Col:
        shifted = [AddMonths(fn(cte), months) if months else fn(cte) for fn, months in parts]
        return (Latest if trigger.pick is policy.Pick.LATEST else Earliest)(*shifted)

    return combined


def _person_fact(trigger: policy.PersonTrigger, src: Source) -> Col:
    joined, born, died, where = src.persons(trigger.roles)
    pick = func.max if trigger.pick is policy.Pick.LATEST else func.min
    if trigger.date is policy.PersonDate.BIRTH:
        # Unknown if anyone in the role lacks a birth date: they could be the youngest.
        known = and_(func.count() > 0, func.count() == func.count(born))
        return (
            select(case((known, pick(born)), else_=null()))
            .select_from(joined)
            .where(where)
            .scalar_subquery()
        )
    if died is None:  # paper files record no dates of death
        return cast(null(), Date)
    condition = and_(where, died.is_not(None))
    if trigger.died_under is not None:
        condition = and_(condition, died < AddMonths(born, 12 * trigger.died_under))
    return select(pick(died)).select_from(joined).where(condition).scalar_subquery()


def rule_select(
    rule: policy.Rule,
    source: Source,
    *,
    schedule_id: int,
    rule_id: int,
    class_ids: Sequence[int],
    record_ids: Sequence[int] | None = None,
) -> Select[Any]:
    """SELECT producing retention_dates rows for every record of ``class_ids``."""
    atoms = _Atoms(source)
    trigger = _trigger(rule.trigger, atoms)
    facts = select(
        source.id.label("record_id"), source.is_open.label("is_open"), *atoms.columns
    ).where(source.class_id.in_(class_ids), source.live)
    if record_ids is not None:
        facts = facts.where(source.id.in_(record_ids))
    cte = facts.cte("facts").prefix_with("MATERIALIZED")
    start = trigger(cte)
    due = AddMonths(start, rule.period.total_months) if rule.period.total_months else start
    if rule.rounding is not policy.Rounding.NONE:
        due = RoundUp(due, rule.rounding.value)
    open_ = cte.c.is_open
    if rule.action is policy.Action.KEEP_PERMANENTLY:
        trigger_on, due_on, note = null(), null(), literal("permanent")
    else:
        trigger_on = start
        due_on = case((open_, null()), (start.is_(None), null()), else_=due)
        note = case((open_, "open"), (start.is_(None), "missing_facts"), else_=null())
    return select(
        literal(schedule_id),
        literal(source.kind.value),
        cte.c.record_id,
        literal(rule_id),
        trigger_on,
        due_on,
        literal(rule.action.value),
        note,
    ).select_from(cte)


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


def evaluate(
    db: Session,
    schedule: RetentionSchedule,
    rules: dict[str, policy.Rule],
    *,
    kind: RecordKind | None = None,
    record_ids: Sequence[int] | None = None,
) -> int:
    """(Re)write ``schedule``'s retention_dates: all records, or only ``record_ids`` of
    ``kind``. Returns how many rows were written."""
    dates = RetentionDate.__table__
    scope = dates.c.schedule_id == schedule.id
    if kind is not None:
        scope = and_(scope, dates.c.record_kind == kind.value)
    if record_ids is not None:
        scope = and_(scope, dates.c.record_id.in_(record_ids))
    db.execute(delete(dates).where(scope))
    by_rule: dict[int, list[int]] = {}
    stored = {r.id: r for r in schedule.rules}
    for class_id, rule in class_rules(db, schedule).items():
        by_rule.setdefault(rule.id, []).append(class_id)
    written = 0
    columns = ["schedule_id", "record_kind", "record_id", "rule_id"]
    columns += ["trigger_on", "due_on", "action", "note"]
    for source in SOURCES:
        if kind is not None and source.kind is not kind:
            continue
        for rule_id, class_ids in by_rule.items():
            query = rule_select(
                rules[stored[rule_id].class_code],
                source,
                schedule_id=schedule.id,
                rule_id=rule_id,
                class_ids=class_ids,
                record_ids=record_ids,
            )
            written += db.execute(insert(dates).from_select(columns, query)).rowcount or 0
    _apply_overrides(db, schedule.id, scope)
    return written


def _apply_overrides(db: Session, schedule_id: int, scope: Col) -> None:
    """A reviewer's "retain until" date replaces an earlier due date."""
    dates = RetentionDate.__table__
    override = RetentionOverride.__table__
    match = and_(
        override.c.record_kind == dates.c.record_kind, override.c.record_id == dates.c.record_id
    )
    db.execute(
        update(dates)
        .where(
            scope,
            dates.c.due_on.is_not(None),
            exists(select(override.c.id).where(match, override.c.review_on > dates.c.due_on)),
        )
        .values(
            due_on=select(override.c.review_on).where(match).scalar_subquery(),
            note="retained",
        )
    )
