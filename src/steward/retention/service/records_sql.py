"""The SELECT that dates every record of one kind under a schedule's rules, set-based.

For each rule, the facts the trigger needs (the youngest child's birth date, the adoption
order's date, the last document's date) are gathered per record in one pass per table (one
GROUP BY over the linked persons, one over events, one over documents); the dates are
composed from those columns by the per-backend date functions of sql.py. No record is
loaded into Python. policy.evaluate is the same rule, record by record; the tests hold the
two to the same answers. evaluate.py writes what this SELECT produces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from steward.archives.models import PaperFile, PaperFileName, PaperFileStatus
from steward.records.models import Case, CaseStatus, Document, Party, Person
from steward.retention import policy
from steward.retention.models import (
    RecordKind,
    RetentionEvent,
    retention_dates,
)
from steward.retention.service.registry import RegisteredKind, class_literal
from steward.retention.service.sql import AddMonths, Earliest, Latest, LatestKnown, RoundUp

Col = ColumnElement[Any]


@dataclass(frozen=True)
class Source:
    """Where one kind of record keeps the facts triggers ask for."""

    kind: str  # a RecordKind, or a kind another domain registered (registry.py)
    table: Any
    id: Any
    class_id: Any
    created: Any
    closed: Any
    is_open: Col
    live: Col  # only records that still exist to be scheduled
    persons_from: Any  # the linked persons: FROM clause, record key, role, birth, death
    persons_key: Any
    role: Any
    born: Any
    died: Any | None


CASES = Source(
    RecordKind.CASE,
    Case.__table__,
    Case.id,
    Case.record_class_id,
    Case.opened_on,
    Case.closed_on,
    Case.status == CaseStatus.OPEN.value,
    true(),
    Party.__table__.join(Person, Person.id == Party.person_id),
    Party.case_id,
    Party.role,
    Person.date_of_birth,
    Person.date_of_death,
)
PAPER = Source(
    RecordKind.PAPER_FILE,
    PaperFile.__table__,
    PaperFile.id,
    PaperFile.record_class_id,
    PaperFile.date_from,
    PaperFile.date_to,
    false(),
    PaperFile.status == PaperFileStatus.ACTIVE.value,
    PaperFileName.__table__,
    PaperFileName.paper_file_id,
    PaperFileName.role,
    PaperFileName.date_of_birth,
    None,  # paper files record no dates of death
)
SOURCES = (CASES, PAPER)


def registered_source(kind: RegisteredKind, class_id: int) -> Source:
    """Another domain's records as a source: every record of the kind is of one class, and
    none has linked persons (evaluate gives it only a rule without person triggers)."""
    return Source(
        kind.kind,
        kind.table,
        kind.id,
        class_literal(class_id),
        kind.created,
        kind.closed,
        kind.is_open,
        true(),
        None,
        None,
        None,
        None,
        None,
    )


class _Facts:
    """The per-record facts every rule needs, gathered in one pass per table: one GROUP BY
    over the linked persons (each trigger an aggregate of its own), one over events, one
    over documents, each joined to the records once. Identical triggers share a column."""

    def __init__(self, source: Source, record_ids: Sequence[int] | None) -> None:
        self.source = source
        self.record_ids = record_ids
        self.person_columns: list[Col] = []  # the aggregates, labelled p0, p1, ...
        self.person_dates: dict[policy.Trigger, Any] = {}  # trigger -> builds its date
        self.event_columns: dict[str, Col] = {}
        self.roles: set[str] = set()
        self.needs_documents = False
        self._ctes: dict[str, Any] = {}

    def person(self, trigger: policy.PersonTrigger | policy.Combined) -> Any:
        """A bare person trigger aggregated across the persons, or a combination of persons'
        dates worked out per person and aggregated as the latest (policy.latest_per_person)."""
        if trigger not in self.person_dates:
            self.roles |= set(policy.roles_of(trigger))
            compose: Callable[[list[Col]], Col] = _first
            if isinstance(trigger, policy.PersonTrigger):
                aggregates = [_person_aggregate(trigger, self.source)]
            else:
                aggregates, compose = _per_person_aggregates(trigger, self.source)
            labels = [f"p{len(self.person_columns) + i}" for i in range(len(aggregates))]
            self.person_columns += [a.label(n) for a, n in zip(aggregates, labels, strict=True)]
            self.person_dates[trigger] = (labels, compose)
        labels, compose = self.person_dates[trigger]
        return lambda: compose([self._cte("persons").c[n] for n in labels])

    def event(self, event: str) -> Any:
        if event not in self.event_columns:
            name = f"e{len(self.event_columns)}"
            when = case((RetentionEvent.event == event, RetentionEvent.occurred_on), else_=null())
            self.event_columns[event] = func.max(when).label(name)
        label = self.event_columns[event].name
        return lambda: self._cte("events").c[label]

    def last_activity(self) -> Any:
        src = self.source
        if src.kind is not RecordKind.CASE:
            return lambda: func.coalesce(src.closed, src.created)
        self.needs_documents = True
        return lambda: LatestKnown(src.created, src.closed, self._cte("documents").c.last_doc)

    def _scoped(self, query: Any, key: Any) -> Any:
        return query if self.record_ids is None else query.where(key.in_(self.record_ids))

    def build(self) -> None:
        src = self.source
        if self.person_columns:
            query = (
                select(src.persons_key.label("rid"), *self.person_columns)
                .select_from(src.persons_from)
                .where(src.role.in_(sorted(self.roles)))
                .group_by(src.persons_key)
            )
            self._ctes["persons"] = self._scoped(query, src.persons_key).cte("fact_persons")
        if self.event_columns:
            query = (
                select(RetentionEvent.record_id.label("rid"), *self.event_columns.values())
                .where(
                    RetentionEvent.record_kind == str(src.kind),
                    RetentionEvent.event.in_(sorted(self.event_columns)),
                )
                .group_by(RetentionEvent.record_id)
            )
            self._ctes["events"] = self._scoped(query, RetentionEvent.record_id).cte("fact_events")
        if self.needs_documents:
            query = select(
                Document.case_id.label("rid"), func.max(Document.created_on).label("last_doc")
            ).group_by(Document.case_id)
            self._ctes["documents"] = self._scoped(query, Document.case_id).cte("fact_documents")

    def _cte(self, name: str) -> Any:
        return self._ctes[name]

    def joined(self) -> Any:
        joined = self.source.table
        for cte in self._ctes.values():
            joined = joined.outerjoin(cte, cte.c.rid == self.source.id)
        return joined


def _person_aggregate(trigger: policy.PersonTrigger, src: Source) -> Col:
    in_role = src.role.in_(trigger.roles)
    pick = func.max if trigger.pick is policy.Pick.LATEST else func.min
    if trigger.date is policy.PersonDate.BIRTH:
        # Unknown if anyone in the role lacks a birth date: they could be the youngest.
        members = func.sum(case((in_role, 1), else_=0))
        unknown = func.sum(case((and_(in_role, src.born.is_(None)), 1), else_=0))
        known = and_(members > 0, unknown == 0)
        return case((known, pick(case((in_role, src.born), else_=null()))), else_=null())
    if src.died is None:
        return cast(null(), Date)
    counts = and_(in_role, src.died.is_not(None))
    if trigger.died_under is not None:
        counts = and_(counts, src.died < AddMonths(src.born, 12 * trigger.died_under))
    return pick(case((counts, src.died), else_=null()))


def _first(columns: list[Col]) -> Col:
    return columns[0]


def _per_person_aggregates(
    trigger: policy.Combined, src: Source
) -> tuple[list[Col], Callable[[list[Col]], Col]]:
    """policy.latest_per_person in SQL: aggregates over the persons' rows, and how the date
    is composed from them once per record. Most persons have no date of death; for them
    every death part drops out and their date is their birth date shifted by a fixed number
    of months, so the latest of them is the latest birth date, shifted once per record
    (outside the GROUP BY: a date shift around an aggregate is repeated per row by SQLite,
    which cost the sweep 80%). Only the few who died are worked out row by row."""
    in_role = src.role.in_(policy.roles_of(trigger))
    months = _alive_shift(trigger)
    if months is None:
        value, unknown = _row_value(trigger, src)
        aggregates = [func.max(case((in_role, value), else_=null()))]
    else:
        alive = in_role if src.died is None else and_(in_role, src.died.is_(None))
        aggregates = [func.max(case((alive, src.born), else_=null()))]
        unknown = src.born.is_(None)
        if src.died is not None:
            full, full_unknown = _person_value(trigger, src, alive=False)
            dead = and_(in_role, src.died.is_not(None))
            value = _null_date() if full is None else full
            aggregates.append(func.max(case((dead, value), else_=null())))
            unknown = case((src.died.is_(None), src.born.is_(None)), else_=full_unknown)
    members = func.sum(case((in_role, 1), else_=0))
    unknowns = func.sum(case((and_(in_role, unknown), 1), else_=0))
    ok = case((and_(members > 0, unknowns == 0), 1), else_=0)

    def compose(columns: list[Col]) -> Col:
        found, *rest = columns[1:]
        if months is not None:
            found = AddMonths(found, months) if months else found
            if rest:
                found = LatestKnown(found, rest[0])
        return case((columns[0] == 1, found), else_=null())

    return [ok, *aggregates], compose


def _alive_shift(trigger: policy.Trigger) -> int | None:
    """For a person with no date of death: their date under ``trigger`` as their birth date
    plus this many months (adding months is monotonic, so the earliest of several shifts is
    the smallest), or None where it is not that simple (a latest-of with a death part is
    unknown for them)."""
    if isinstance(trigger, policy.PersonTrigger):
        return 0 if trigger.date is policy.PersonDate.BIRTH else None
    assert isinstance(trigger, policy.Combined)
    shifts: list[int] = []
    for part in trigger.parts:
        inner = _alive_shift(part.trigger)
        if inner is None:
            if trigger.pick is policy.Pick.LATEST or not _death_only(part.trigger):
                return None
            continue  # a death part does not apply to the living: the earliest ignores it
        shifts.append(inner + part.after.total_months)
    if not shifts:
        return None
    return min(shifts) if trigger.pick is policy.Pick.EARLIEST else max(shifts)


def _death_only(trigger: policy.Trigger) -> bool:
    return all(t.date is policy.PersonDate.DEATH for t in policy.person_triggers(trigger))


def _row_value(trigger: policy.Combined, src: Source) -> tuple[Col, Col]:
    """One person's row: their date under ``trigger`` (NULL if not known) and whether it is
    unknown rather than not applying (policy.person_value)."""
    value, unknown = _person_value(trigger, src, alive=src.died is None)
    return (_null_date() if value is None else value), unknown


def _null_date() -> Col:
    return cast(null(), Date)


def _person_value(trigger: policy.Trigger, src: Source, *, alive: bool) -> tuple[Col | None, Col]:
    """As policy.person_value, in SQL over one row; None for a date known to be NULL (a death
    part for someone alive), so the parts that cannot apply are left out of the SQL."""
    if isinstance(trigger, policy.PersonTrigger):
        if trigger.date is policy.PersonDate.BIRTH:
            return src.born, src.born.is_(None)
        if alive or src.died is None:
            return None, false()
        counts = src.died.is_not(None)
        if trigger.died_under is not None:
            counts = and_(counts, src.died < AddMonths(src.born, 12 * trigger.died_under))
        return case((counts, src.died), else_=null()), false()
    assert isinstance(trigger, policy.Combined)
    parts = []
    for part in trigger.parts:
        value, unknown = _person_value(part.trigger, src, alive=alive)
        months = part.after.total_months
        shifted = AddMonths(value, months) if months and value is not None else value
        parts.append((shifted, unknown))
    known = [v for v, _ in parts if v is not None]
    if trigger.pick is policy.Pick.LATEST:
        if len(known) < len(parts):
            return None, true()  # a part that does not apply leaves the latest unknown
        found: Col = known[0] if len(known) == 1 else Latest(*known)
        return found, found.is_(None)
    if not known:
        return None, or_(*(u for _, u in parts))
    found = known[0] if len(known) == 1 else Earliest(*known)
    return found, and_(found.is_(None), or_(*(u for _, u in parts)))


def _trigger(trigger: policy.Trigger, facts: _Facts) -> Any:
    """The trigger as a function building its SQL once the fact CTEs exist."""
    src = facts.source
    if isinstance(trigger, policy.RecordTrigger):
        if trigger.date is policy.RecordDate.CREATED:
            return lambda: src.created
        if trigger.date is policy.RecordDate.CLOSED:
            return lambda: src.closed
        return facts.last_activity()
    if isinstance(trigger, policy.EventTrigger):
        return facts.event(trigger.event)
    if isinstance(trigger, policy.PersonTrigger) or policy.is_per_person(trigger):
        return facts.person(trigger)
    form = policy.per_person_form(trigger)
    parts = [(_trigger(p.trigger, facts), p.after.total_months) for p in form.parts]

    def combined() -> Col:
        shifted = [AddMonths(fn(), months) if months else fn() for fn, months in parts]
        return (Latest if trigger.pick is policy.Pick.LATEST else Earliest)(*shifted)

    return combined


Governed = Sequence[tuple[int, Sequence[int], policy.Rule]]


def rule_of(class_id: Any, governed: Governed) -> Col:
    """The id of the rule governing a record class, NULL where none does."""
    whens = [(class_id.in_(classes), literal(rule_id)) for rule_id, classes, _ in governed]
    return case(*whens, else_=null()) if whens else null()


def follows_case(governed: Governed, case_row: Any) -> Col:
    """A paper file linked to an electronic case follows the case's date (DOMAIN.md section
    2) unless a rule of its own governs it: its class comes under a different rule from the
    case's. ``case_row`` is the case's retention_dates row, joined on the file's case."""
    own = rule_of(PaperFile.record_class_id, governed)
    return and_(
        PaperFile.case_id.is_not(None),
        case_row.c.record_id.is_not(None),
        or_(own.is_(None), own == case_row.c.rule_id),
    )


def _with_case_row(schedule_id: int) -> tuple[Any, Any]:
    case_row = retention_dates.alias("case_date")
    joined = PaperFile.__table__.outerjoin(
        case_row,
        and_(
            case_row.c.schedule_id == schedule_id,
            case_row.c.record_kind == RecordKind.CASE.value,
            case_row.c.record_id == PaperFile.case_id,
        ),
    )
    return case_row, joined


def following_select(
    governed: Governed, *, schedule_id: int, record_ids: Sequence[int] | None = None
) -> Select[Any]:
    """The retention_dates rows of paper files that follow their case: the case's own."""
    case_row, joined = _with_case_row(schedule_id)
    query = (
        select(
            literal(schedule_id),
            literal(RecordKind.PAPER_FILE.value),
            PaperFile.id,
            case_row.c.rule_id,
            case_row.c.trigger_on,
            case_row.c.due_on,
            case_row.c.action,
            case_row.c.note,
        )
        .select_from(joined)
        .where(PAPER.live, follows_case(governed, case_row))
    )
    return query if record_ids is None else query.where(PaperFile.id.in_(record_ids))


def scheduled_ids(source: Source, governed: Governed, *, schedule_id: int) -> Any:
    """The records of ``source`` that have a date under the schedule: governed by a rule of
    their class, or (paper) following their case."""
    all_classes = [c for _, classes, _ in governed for c in classes]
    own = select(source.id).where(source.class_id.in_(all_classes), source.live)
    if source.kind is not RecordKind.PAPER_FILE:
        return own
    case_row, joined = _with_case_row(schedule_id)
    following = (
        select(PaperFile.id).select_from(joined).where(PAPER.live, follows_case(governed, case_row))
    )
    return own.union(following)


def records_select(
    source: Source,
    governed: Governed,
    *,
    schedule_id: int,
    record_ids: Sequence[int] | None = None,
) -> Select[Any]:
    """One SELECT producing the retention_dates rows of every record of ``source`` that a
    rule governs: ``governed`` is (rule id, its class ids, the rule)."""
    facts = _Facts(source, record_ids)
    starts = [
        (rule_id, classes, rule, _trigger(rule.trigger, facts))
        for rule_id, classes, rule in governed
    ]
    facts.build()
    open_ = source.is_open
    rule_ids, trigger_on, due_on, actions, notes = [], [], [], [], []
    for rule_id, classes, rule, start_fn in starts:
        of_rule = source.class_id.in_(classes)
        permanent = rule.action is policy.Action.KEEP_PERMANENTLY
        start = start_fn()
        due: Col = AddMonths(start, rule.period.total_months) if rule.period.total_months else start
        if rule.rounding is not policy.Rounding.NONE:
            due = RoundUp(due, rule.rounding.value)
        rule_ids.append((of_rule, literal(rule_id)))
        actions.append((of_rule, literal(rule.action.value)))
        trigger_on.append((of_rule, null() if permanent else start))
        due_on.append((of_rule, null() if permanent else due))
        notes.append(
            (
                of_rule,
                literal("permanent")
                if permanent
                else case((open_, "open"), (start.is_(None), "missing_facts"), else_=null()),
            )
        )
    all_classes = [c for _, classes, _ in governed for c in classes]
    query = (
        select(
            literal(schedule_id),
            literal(str(source.kind)),
            source.id,
            case(*rule_ids),
            case(*trigger_on),
            case((open_, null()), else_=case(*due_on)),
            case(*actions),
            case(*notes),
        )
        .select_from(facts.joined())
        # "+ 0" keeps SQLite's planner off the class index: the rules govern nearly every
        # record, and reading a million rows through that index (a rowid lookup each, in
        # class order) cost a second more at 1M than scanning the table in key order.
        .where((source.class_id + 0).in_(all_classes), source.live)
    )
    if source.kind is RecordKind.PAPER_FILE:
        case_row, joined = _with_case_row(schedule_id)
        following = select(PaperFile.id).select_from(joined).where(follows_case(governed, case_row))
        query = query.where(PaperFile.id.not_in(following.correlate(None)))
    return query if record_ids is None else query.where(source.id.in_(record_ids))
