"""Dates under the approved schedule: the sweep, the due list, and explaining one case.

The sweep re-dates every record set-based (seconds at a million records): it runs nightly
(`steward retention sweep`), on approval of a schedule, and when someone asks for it on the
due page. ``reevaluate`` re-dates a few (a recorded event, one case explained). The due list
and the report read the stored dates and say when they were last brought up to date; what
acts on dates never trusts them: a disposal proposal sweeps first, and each destruction
re-dates its record inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, false, select, union_all
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile
from steward.core import audit, clock
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.paging import COUNT_CAP, Page, PageRequest, count, paginate
from steward.core.permissions import Actor, Permission
from steward.records.models import Case, CaseStatus, Document, Party, Person, RecordClass
from steward.records.service import access
from steward.retention import policy
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    Hold,
    HoldScope,
    RecordKind,
    RetentionDate,
    RetentionEvent,
    RetentionRule,
)
from steward.retention.service import evaluate, holds, registry, schedules

MAX_DUE_ROWS = 100_000
# A nightly sweep leaves dates at most a day old; older than this, pages warn.
STALE_AFTER = timedelta(hours=26)


def sweep(db: Session, actor: Actor) -> int:
    """Re-date every record under the approved schedule; returns how many are scheduled."""
    actor.require(Permission.RETENTION_MANAGE)
    schedule = schedules.require_approved(db)
    swept = evaluate.evaluate(db, schedule, schedules.parsed_rules(schedule))
    schedule.dated_at = clock.now()
    audit.record(
        db,
        actor,
        RetentionAudit.SWEEP_RUN,
        details={"records": swept.scheduled, "changed": swept.changed},
    )
    return swept.scheduled


def reevaluate(db: Session, kind: RecordKind | str, record_ids: Sequence[int]) -> None:
    """Re-date these records now (no event: it follows a change that recorded its own)."""
    schedule = schedules.approved(db)
    if schedule is None or not record_ids:
        return
    evaluate.evaluate(
        db, schedule, schedules.parsed_rules(schedule), kind=kind, record_ids=list(record_ids)
    )


def on_cases_changed(
    db: Session,
    actor: Actor,
    case_ids: Sequence[int],
    events: Mapping[int, Mapping[str, date]],
) -> None:
    """Records announced new or changed cases (records/service/changes.py): record the
    events given with them, then date them and the paper files that follow them at once,
    so a new case is on the due list without waiting for the nightly sweep."""
    if events:
        _record_given_events(db, actor, events)
    reevaluate(db, RecordKind.CASE, case_ids)


def _record_given_events(
    db: Session, actor: Actor, events: Mapping[int, Mapping[str, date]]
) -> None:
    """Events given in bulk (an import's adoption order dates), each recorded and audited as
    ``record_event`` would, without the per-case lookups."""
    existing = {
        (r.record_id, r.event): r
        for r in db.scalars(
            select(RetentionEvent).where(
                RetentionEvent.record_kind == RecordKind.CASE.value,
                RetentionEvent.record_id.in_(list(events)),
            )
        )
    }
    now = clock.now()
    for case_id, given in sorted(events.items()):
        for name, occurred_on in sorted(given.items()):
            row = existing.get((case_id, name)) or RetentionEvent(
                record_kind=RecordKind.CASE, record_id=case_id, event=name
            )
            row.occurred_on = occurred_on
            row.recorded_at = now
            row.recorded_by_user_id = actor.user_id
            db.add(row)
            audit.record(
                db,
                actor,
                RetentionAudit.EVENT_RECORDED,
                subject_type="case",
                subject_id=case_id,
                details={"event": name},
            )
    db.flush()


@dataclass(frozen=True)
class DueRow:
    kind: str  # a RecordKind, or a kind another domain registered (registry.py)
    record_id: int
    identifier: str
    class_code: str
    due_on: date
    action: str
    rule_version: int
    schedule_version: int
    held: bool
    note: str | None


# Each kind of record: its table's key and the identifier people know it by.
_IDENTIFIED = (
    (RecordKind.CASE, Case, Case.id, Case.case_number),
    (RecordKind.PAPER_FILE, PaperFile, PaperFile.id, PaperFile.file_reference),
)


def _identified() -> list[tuple[str, Any, Any, Any]]:
    own = [(str(kind), table, key, identifier) for kind, table, key, identifier in _IDENTIFIED]
    return own + [(k.kind, k.table, k.id, k.identifier) for k in registry.registered()]


def due_rows_query(schedule_id: int, as_of: date):  # type: ignore[no-untyped-def]
    """One SELECT over cases, paper files and every registered kind of record due on or
    before ``as_of``, with hold status."""
    rd = RetentionDate
    parts = [
        select(
            rd.record_kind,
            rd.record_id,
            cast(identifier, String).label("identifier"),
            RetentionRule.class_code,
            rd.due_on,
            rd.action,
            RetentionRule.version,
            rd.record_id.in_(holds.held_ids(registry.kind_of(kind))).label("held"),
            rd.note,
        )
        .join(table, key == rd.record_id)
        .join(RetentionRule, RetentionRule.id == rd.rule_id)
        .where(rd.schedule_id == schedule_id, rd.record_kind == kind, rd.due_on <= as_of)
        for kind, table, key, identifier in _identified()
    ]
    return union_all(*parts).subquery("due")


@dataclass(frozen=True)
class Freshness:
    """When the stored dates were last brought up to date, and whether that is too long ago."""

    dated_at: datetime | None
    stale: bool


def freshness(db: Session) -> Freshness:
    schedule = schedules.approved(db)
    when = schedule.dated_at if schedule is not None else None
    return Freshness(when, when is None or clock.now() - when > STALE_AFTER)


def due(db: Session, actor: Actor, *, as_of: date, limit: int = MAX_DUE_ROWS) -> list[DueRow]:
    """Every record due for action on or before ``as_of``, earliest first, as the stored
    dates say (see ``freshness``; ``sweep`` first to act on them). Hold status is live."""
    actor.require(Permission.RETENTION_MANAGE)
    schedule = schedules.require_approved(db)
    rows = _due(db, schedule.id, schedule.version, as_of, limit)
    audit.record(
        db,
        actor,
        RetentionAudit.DUE_LISTED,
        details={"as_of": as_of.isoformat(), "count": len(rows)},
    )
    return rows


def due_page(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    as_of: date,
    kind: RecordKind | str | None = None,
    action: str | None = None,
    held: bool | None = None,
) -> Page[DueRow]:
    """One page of the due list, earliest first, narrowed by kind, action or hold."""
    actor.require(Permission.RETENTION_MANAGE)
    schedule = schedules.require_approved(db)
    q = due_rows_query(schedule.id, as_of)
    query = select(q)
    if kind is not None:
        query = query.where(q.c.record_kind == str(kind))
    if action:
        query = query.where(q.c.action == action)
    if held is not None:
        query = query.where(q.c.held.is_(held) if held else q.c.held.is_not(True))
    found = paginate(
        db,
        query.order_by(q.c.due_on, q.c.record_kind, q.c.record_id),
        page,
        scalars=False,
        total=count(db, _due_ids(schedule.id, as_of, kind, action, held), COUNT_CAP),
    )
    audit.record(
        db,
        actor,
        RetentionAudit.DUE_LISTED,
        details={"as_of": as_of.isoformat(), "count": found.total, "page": page.number},
    )
    return found.map(lambda r: _row(r, schedule.version))


def _due_ids(
    schedule_id: int,
    as_of: date,
    kind: RecordKind | str | None,
    action: str | None,
    held: bool | None,
) -> Any:
    """The ids the due list counts, from the dates alone: the page joins each record for
    its identifier, which at a million cases is a random read per record counted (seconds
    for the 400,000 due), where these are read in due-date order from one index. The same
    records: a date goes with its record (disposal, and the sweep, delete it), and its rule
    by foreign key."""
    rd = RetentionDate
    parts = []
    for each, *_ in _identified():
        if kind is not None and str(kind) != each:
            continue
        part = select(rd.record_id).where(
            rd.schedule_id == schedule_id, rd.record_kind == each, rd.due_on <= as_of
        )
        if action:
            part = part.where(rd.action == action)
        if held is not None:
            is_held = rd.record_id.in_(holds.held_ids(registry.kind_of(each)))
            part = part.where(is_held if held else ~is_held)
        parts.append(part)
    if not parts:
        return select(rd.record_id).where(false())
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _row(r: Any, version: int) -> DueRow:
    return DueRow(
        registry.kind_of(r.record_kind),
        int(r.record_id),
        r.identifier,
        r.class_code,
        _as_date(r.due_on),
        r.action,
        int(r.version),
        version,
        bool(r.held),
        r.note,
    )


def _due(db: Session, schedule_id: int, version: int, as_of: date, limit: int) -> list[DueRow]:
    q = due_rows_query(schedule_id, as_of)
    result = db.execute(
        select(q).order_by(q.c.due_on, q.c.record_kind, q.c.record_id).limit(max(1, limit))
    ).all()
    return [_row(r, version) for r in result]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- explaining one case ----------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    case_id: int
    case_number: str
    class_code: str
    rule: str
    authority: str
    citation: str
    rule_version: int
    schedule_version: int
    action: str
    trigger_on: date | None
    due_on: date | None
    note: str | None
    facts: list[str]
    held: bool
    hold_ids: list[int]


def facts_for_case(db: Session, case: Case, *, labels: bool = False) -> policy.RecordFacts:
    """The facts of one case as policy.evaluate reads them (the per-record path)."""
    persons = db.execute(
        select(Party.role, Person.date_of_birth, Person.date_of_death, Person.first_name)
        .join(Person, Person.id == Party.person_id)
        .where(Party.case_id == case.id)
    ).all()
    last_doc = db.scalar(
        select(Document.created_on)
        .where(Document.case_id == case.id)
        .order_by(Document.created_on.desc())
        .limit(1)
    )
    activity = [d for d in (case.opened_on, case.closed_on, last_doc) if d]
    events = dict(
        db.execute(
            select(RetentionEvent.event, RetentionEvent.occurred_on).where(
                RetentionEvent.record_kind == RecordKind.CASE.value,
                RetentionEvent.record_id == case.id,
            )
        ).all()
    )
    return policy.RecordFacts(
        created=case.opened_on,
        closed=case.closed_on,
        last_activity=max(activity) if activity else None,
        is_open=case.status == CaseStatus.OPEN,
        persons=[
            policy.PersonFacts(
                str(r.role), r.date_of_birth, r.date_of_death, r.first_name if labels else ""
            )
            for r in persons
        ],
        events=events,
    )


def explain(db: Session, actor: Actor, *, case_number: str) -> Explanation:
    """The case's date and the facts it came from. The facts name people, so only someone
    who may read the case may ask (need-to-know, as for the case itself)."""
    case_id = db.scalar(select(Case.id).where(Case.case_number == case_number.strip().upper()))
    if case_id is None:
        raise ValidationFailed(
            "There is no case with that number.", errors={"case_number": "Check the number"}
        )
    case, _ = access.readable_case(db, actor, case_id)
    schedule = schedules.require_approved(db)
    rules = schedules.parsed_rules(schedule)
    reevaluate(db, RecordKind.CASE, [case.id])
    row = db.get(RetentionDate, (schedule.id, RecordKind.CASE.value, case.id))
    active = db.scalars(select(Hold).where(Hold.released_at.is_(None)).order_by(Hold.id))
    held_ids = [h.id for h in active if _covers(db, h, case)]
    if row is None:
        code = (
            db.scalar(select(RecordClass.code).where(RecordClass.id == case.record_class_id)) or "?"
        )
        raise ValidationFailed(
            f"No rule of the schedule covers the class {code}.",
            errors={"case_number": "No rule for its class"},
        )
    stored = db.get(RetentionRule, row.rule_id)
    assert stored is not None
    rule = rules[stored.class_code]
    facts = facts_for_case(db, case, labels=True)
    audit.record(db, actor, RetentionAudit.CASE_EXPLAINED, subject_type="case", subject_id=case.id)
    return Explanation(
        case.id,
        case.case_number,
        stored.class_code,
        rule.describe(),
        stored.authority,
        stored.citation,
        stored.version,
        schedule.version,
        row.action,
        _maybe_date(row.trigger_on),
        _maybe_date(row.due_on),
        row.note,
        describe_facts(rule, facts, _maybe_date(row.due_on)),
        bool(held_ids),
        held_ids,
    )


def _maybe_date(value: date | str | None) -> date | None:
    return None if value is None else _as_date(value)


def _covers(db: Session, hold: Hold, case: Case) -> bool:
    ids = {t.target_id for t in hold.targets}
    if hold.scope == HoldScope.CASE:
        return case.id in ids
    if hold.scope == HoldScope.RECORD_CLASS:
        return case.record_class_id in ids
    persons = set(db.scalars(select(Party.person_id).where(Party.case_id == case.id)))
    return bool(ids & persons)


def describe_facts(rule: policy.Rule, facts: policy.RecordFacts, due_on: date | None) -> list[str]:
    """Sentences such as "youngest child Ava, born 2011-03-02, reaches 25 on 2036-03-02"."""
    lines: list[str] = []
    _describe(rule.trigger, facts, lines, rule.period)
    if facts.is_open:
        lines.append("the case is open: it has no disposal date until it is closed")
    if due_on is not None and rule.rounding is not policy.Rounding.NONE:
        lines.append(
            f"rounded to the {rule.rounding.value.replace('_', ' ')}: {due_on.isoformat()}"
        )
    return lines


def _describe(
    trigger: policy.Trigger, facts: policy.RecordFacts, lines: list[str], after: policy.Period
) -> None:
    if policy.is_per_person(trigger):
        _describe_per_person(trigger, facts, lines)
        return
    if isinstance(trigger, policy.Combined):
        trigger = policy.per_person_form(trigger)
        for part in trigger.parts:
            _describe(part.trigger, facts, lines, part.after)
        found = policy.trigger_date(trigger, facts)
        lines.append(
            f"{trigger.pick.value} of these: {found.isoformat() if found else 'not known yet'}"
        )
        return
    if isinstance(trigger, policy.PersonTrigger):
        _describe_persons(trigger, facts, lines, after)
        return
    found = policy.trigger_date(trigger, facts)
    when = found.isoformat() if found else "not recorded"
    text = f"{trigger.describe()}: {when}"
    if found and after.total_months:
        text += f"; {after.describe()} later is {policy.add_period(found, after).isoformat()}"
    lines.append(text)


def _describe_per_person(
    trigger: policy.Trigger, facts: policy.RecordFacts, lines: list[str]
) -> None:
    roles = policy.roles_of(trigger)
    role = " or ".join(r.replace("_", " ") for r in roles)
    chosen = [p for p in facts.persons if p.role in roles]
    if not chosen:
        lines.append(f"no {role} is recorded on the case")
        return
    for person in chosen:
        value = policy.person_value(trigger, person)
        born = person.date_of_birth.isoformat() if person.date_of_birth else "not recorded"
        text = f"{role} {person.label}, born {born}"
        if person.date_of_death:
            text += f", died {person.date_of_death.isoformat()}"
        when = value.on.isoformat() if value.on else "cannot be set" if value.unknown else "none"
        lines.append(f"{text}: their own date {when}")
    found = policy.trigger_date(trigger, facts)
    lines.append(
        f"kept until the latest of these: {found.isoformat() if found else 'not known yet'}"
    )


def _describe_persons(
    trigger: policy.PersonTrigger, facts: policy.RecordFacts, lines: list[str], after: policy.Period
) -> None:
    chosen = [p for p in facts.persons if p.role in trigger.roles]
    role = " or ".join(r.replace("_", " ") for r in trigger.roles)
    if not chosen:
        lines.append(f"no {role} is recorded on the case")
        return
    if trigger.date is policy.PersonDate.BIRTH:
        missing = [p for p in chosen if p.date_of_birth is None]
        for p in missing:
            lines.append(f"{role} {p.label} has no recorded date of birth: the date cannot be set")
        if missing:
            return
        found = policy.trigger_date(trigger, facts)
        person = next(p for p in chosen if p.date_of_birth == found)
        which = "youngest" if trigger.pick is policy.Pick.LATEST else "eldest"
        assert found is not None
        text = f"{which} {role} {person.label}, born {found.isoformat()}"
        if after.total_months and not after.months:
            text += f", reaches {after.years} on {policy.add_period(found, after).isoformat()}"
        elif after.total_months:
            text += f"; {after.describe()} later is {policy.add_period(found, after).isoformat()}"
        lines.append(text)
        return
    found = policy.trigger_date(trigger, facts)
    if found is None:
        lines.append(f"{trigger.describe()}: none recorded (does not apply)")
        return
    person = next(p for p in chosen if p.date_of_death == found)
    lines.append(
        f"{role} {person.label} died on {found.isoformat()}; {after.describe()} later is "
        f"{policy.add_period(found, after).isoformat()}"
    )


def record_event(
    db: Session, actor: Actor, *, case_number: str, event: str, occurred_on: date
) -> RetentionEvent:
    """Record a dated event a rule can be triggered by (e.g. adoption_order), and re-date."""
    if not (actor.can(Permission.RETENTION_MANAGE) or actor.can(Permission.CASES_WRITE)):
        raise Forbidden("Your role does not allow this.")
    case_id = db.scalar(select(Case.id).where(Case.case_number == case_number.strip().upper()))
    if case_id is None:
        raise ValidationFailed(
            "There is no case with that number.", errors={"case_number": "Check the number"}
        )
    case, _ = access.readable_case(db, actor, case_id)
    if occurred_on > clock.today():
        raise ValidationFailed(
            "The event's date is in the future.", errors={"occurred_on": "Enter a past date"}
        )
    existing = db.scalar(
        select(RetentionEvent).where(
            RetentionEvent.record_kind == RecordKind.CASE.value,
            RetentionEvent.record_id == case.id,
            RetentionEvent.event == event,
        )
    )
    row = existing or RetentionEvent(record_kind=RecordKind.CASE, record_id=case.id, event=event)
    row.occurred_on = occurred_on
    row.recorded_at = clock.now()
    row.recorded_by_user_id = actor.user_id
    db.add(row)
    db.flush()
    reevaluate(db, RecordKind.CASE, [case.id])
    audit.record(
        db,
        actor,
        RetentionAudit.EVENT_RECORDED,
        subject_type="case",
        subject_id=case.id,
        details={"event": event},
    )
    return row
