"""Reading the breach register: the list (counted, paged, filtered), its CSV, one breach's
record with its timeline and links, the reporter's view, the figures for the assurance
dashboard (``breach_summary``) and the clocks still running for the home page.

Filters are codes, safe in an address. "Overdue" is decided in SQL on the same rule as
policy.clock: an incident whose organisation became aware more than 72 hours ago and whose
ICO decision is not recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from steward.assurance.breaches import policy
from steward.assurance.breaches.events import BreachEvent
from steward.assurance.breaches.models import Breach, BreachLink, BreachStep
from steward.assurance.breaches.policy import (
    CATEGORY_WORDS,
    Clock,
    DataCategory,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
    Status,
)
from steward.assurance.breaches.service import NOT_FOUND, SUBJECT, WITHHELD, _facts, _open
from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import DomainError, NotFound, ValidationFailed
from steward.core.files import csv_cell
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.records.models import Case, Person

# The narrative of a breach may name people: for the team handling it.
NARRATIVE = ("description", "data_involved", "reference_text", "cause", "effects", "containment")
# The record Art 33(5) asks for: why it was or was not reported, and what was learnt.
DECISIONS = ("ico_reason", "people_reason", "lessons")


def require_reader(actor: Actor) -> None:
    if not (actor.can(Permission.BREACH_MANAGE) or actor.can(Permission.ASSURANCE_VIEW)):
        actor.require(Permission.BREACH_MANAGE)


@dataclass(frozen=True)
class RegisterFilter:
    status: str = ""  # "open", "closed" or a Status value
    clock: str = ""  # "overdue" or "running"
    notified: str = ""  # "yes", "no" or "undecided"

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if self.status not in ("", "open", "closed", *Status):
            errors["status"] = "Choose a status from the list"
        if self.clock not in ("", "overdue", "running"):
            errors["clock"] = "Choose overdue or running"
        if self.notified not in ("", "yes", "no", "undecided"):
            errors["notified"] = "Choose whether the ICO was told"
        if errors:
            raise ValidationFailed(next(iter(errors.values())), errors=errors)


@dataclass(frozen=True)
class BreachRow:
    id: int
    reference: str
    status: Status
    kind: Kind | None
    reported_at: datetime
    discovered_at: datetime
    aware_at: datetime | None
    risk: Risk | None
    people_affected: int | None
    categories: tuple[DataCategory, ...]
    ico_decision: IcoDecision | None
    ico_notified_at: datetime | None
    ico_reference: str | None
    people_decision: PeopleDecision | None
    people_told_on: date | None
    closed_at: datetime | None
    clock: Clock
    reason_recorded: bool

    @property
    def category_words(self) -> list[str]:
        return [CATEGORY_WORDS[c] for c in self.categories]


def row_of(breach: Breach, now: datetime) -> BreachRow:
    kind = Kind(breach.kind) if breach.kind else None
    decision = IcoDecision(breach.ico_decision) if breach.ico_decision else None
    return BreachRow(
        id=breach.id,
        reference=breach.reference,
        status=Status(breach.status),
        kind=kind,
        reported_at=breach.reported_at,
        discovered_at=breach.discovered_at,
        aware_at=breach.aware_at,
        risk=Risk(breach.risk) if breach.risk else None,
        people_affected=breach.people_affected,
        categories=tuple(DataCategory(c) for c in breach.data_categories.split(",") if c),
        ico_decision=decision,
        ico_notified_at=breach.ico_notified_at,
        ico_reference=breach.ico_reference,
        people_decision=PeopleDecision(breach.people_decision) if breach.people_decision else None,
        people_told_on=breach.people_told_on,
        closed_at=breach.closed_at,
        clock=policy.clock(
            kind=kind,
            aware_at=breach.aware_at,
            ico_decision=decision,
            ico_notified_at=breach.ico_notified_at,
            now=now,
        ),
        reason_recorded=breach.ico_reason_sealed is not None,
    )


def _undecided_incident() -> ColumnElement[bool]:
    return and_(
        or_(Breach.kind.is_(None), Breach.kind != Kind.NEAR_MISS.value),
        Breach.aware_at.is_not(None),
        Breach.ico_decision.is_(None),
    )


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(_undecided_incident(), Breach.aware_at < now - policy.NOTIFY_WITHIN)


def _filtered(filters: RegisterFilter, now: datetime) -> Select[Breach]:
    query = select(Breach)
    if filters.status == "open":
        query = query.where(Breach.status != Status.CLOSED.value)
    elif filters.status:
        query = query.where(Breach.status == filters.status)
    if filters.clock == "overdue":
        query = query.where(overdue_clause(now))
    elif filters.clock == "running":
        query = query.where(_undecided_incident(), Breach.aware_at >= now - policy.NOTIFY_WITHIN)
    if filters.notified == "yes":
        query = query.where(Breach.ico_decision == IcoDecision.NOTIFIED.value)
    elif filters.notified == "no":
        query = query.where(Breach.ico_decision == IcoDecision.NOT_NOTIFIED.value)
    elif filters.notified == "undecided":
        query = query.where(Breach.ico_decision.is_(None))
    return query.order_by(Breach.reported_at.desc(), Breach.id.desc())


def register(
    db: Session, actor: Actor, filters: RegisterFilter, page: PageRequest
) -> Page[BreachRow]:
    """The register, newest report first."""
    require_reader(actor)
    now = clock.now()
    found: Page[Breach] = paginate(db, _filtered(filters, now), page)
    audit.record(db, actor, BreachEvent.REGISTER_READ, details={"page": page.number})
    return found.map(lambda b: row_of(b, now))


CSV_HEADER = [
    "reference",
    "status",
    "kind",
    "reported_at",
    "aware_at",
    "deadline",
    "clock",
    "hours",
    "risk",
    "people_affected",
    "data_categories",
    "ico_decision",
    "ico_notified_at",
    "ico_reference",
    "reason_recorded",
    "people_decision",
    "people_told_on",
    "closed_at",
]


def _iso(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""


def export(db: Session, actor: Actor, filters: RegisterFilter) -> Iterator[list[str]]:
    """The register as CSV rows: the structured facts only (no narrative, no reasons, which
    may name people), every cell neutralised against formula injection."""
    require_reader(actor)
    now = clock.now()
    rows = [row_of(b, now) for b in db.scalars(_filtered(filters, now))]
    audit.record(db, actor, BreachEvent.REGISTER_EXPORTED, details={"rows": len(rows)})
    yield CSV_HEADER
    for r in rows:
        yield [
            csv_cell(cell)
            for cell in (
                r.reference,
                r.status.value,
                r.kind.value if r.kind else "",
                _iso(r.reported_at),
                _iso(r.aware_at),
                _iso(r.clock.deadline),
                r.clock.state.value,
                "" if r.clock.hours is None else r.clock.hours,
                r.risk.value if r.risk else "",
                "" if r.people_affected is None else r.people_affected,
                ";".join(c.value for c in r.categories),
                r.ico_decision.value if r.ico_decision else "",
                _iso(r.ico_notified_at),
                r.ico_reference or "",
                "yes" if r.reason_recorded else "no",
                r.people_decision.value if r.people_decision else "",
                _iso(r.people_told_on),
                _iso(r.closed_at),
            )
        ]


# --- one breach ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkShown:
    kind: str  # "case" or "person"
    label: str  # the case number or person's name, or why it is not shown
    href: str | None


@dataclass(frozen=True)
class StepShown:
    step: str
    at: datetime
    by: str


@dataclass(frozen=True)
class BreachDetail:
    row: BreachRow
    reporter: str
    texts: dict[str, str]
    narrative_shown: bool
    links: list[LinkShown]
    hidden_links: int
    timeline: list[StepShown]
    closure_problems: dict[str, str]
    can_manage: bool


def _visible_case_ids(db: Session, actor: Actor, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    try:
        clause = records.visible_cases(db, actor)
    except DomainError:  # kept out by the induction gate: shown none
        return set()
    return set(db.scalars(select(Case.id).where(Case.id.in_(ids), clause)))


def _visible_people(db: Session, actor: Actor, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    try:
        clause = records.visible_person(db, actor, Person.id)
    except DomainError:
        return {}
    rows = db.execute(
        select(Person.id, Person.first_name, Person.last_name).where(Person.id.in_(ids), clause)
    )
    return {pid: f"{first} {last}" for pid, first, last in rows}


def _links(db: Session, actor: Actor, breach: Breach) -> tuple[list[LinkShown], int]:
    """The cases and people linked, named only for a viewer who may read them (need-to-know);
    the others are counted, not named."""
    found = list(
        db.scalars(
            select(BreachLink).where(BreachLink.breach_id == breach.id).order_by(BreachLink.id)
        )
    )
    case_ids = [x.case_id for x in found if x.case_id is not None]
    person_ids = [x.person_id for x in found if x.person_id is not None]
    cases = _visible_case_ids(db, actor, case_ids)
    numbers = dict(db.execute(select(Case.id, Case.case_number).where(Case.id.in_(cases))).all())
    people = _visible_people(db, actor, person_ids)
    shown: list[LinkShown] = []
    hidden = 0
    for x in found:
        if x.case_id is not None and x.case_id in numbers:
            shown.append(LinkShown("case", numbers[x.case_id], f"/cases/{x.case_id}"))
        elif x.person_id is not None and x.person_id in people:
            shown.append(LinkShown("person", people[x.person_id], f"/people/{x.person_id}"))
        else:
            hidden += 1
    return shown, hidden


def detail(db: Session, kek: KeyEncryptionKeys, actor: Actor, breach_id: int) -> BreachDetail:
    """One breach's record and timeline; reading it is audited."""
    require_reader(actor)
    breach = db.get(Breach, breach_id)
    if breach is None:
        raise NotFound(NOT_FOUND)
    manage = actor.can(Permission.BREACH_MANAGE)
    texts = {name: _open(db, kek, breach, name) for name in DECISIONS}
    for name in NARRATIVE:
        texts[name] = _open(db, kek, breach, name) if manage else WITHHELD
    steps = list(
        db.scalars(
            select(BreachStep).where(BreachStep.breach_id == breach.id).order_by(BreachStep.id)
        )
    )
    names = auth.usernames(
        db,
        [s.by_user_id for s in steps if s.by_user_id]
        + ([breach.reported_by_user_id] if breach.reported_by_user_id else []),
    )
    links, hidden = _links(db, actor, breach)
    problems = (
        policy.closure_problems(_facts(breach, texts["lessons"] or "-"))
        if Status(breach.status) is Status.ASSESSING
        else {}
    )
    audit.record(db, actor, BreachEvent.VIEWED, subject_type=SUBJECT, subject_id=breach.id)
    return BreachDetail(
        row=row_of(breach, clock.now()),
        reporter=names.get(breach.reported_by_user_id or 0, "Unknown"),
        texts=texts,
        narrative_shown=manage,
        links=links,
        hidden_links=hidden,
        timeline=[
            StepShown(s.step, s.at, names.get(s.by_user_id or 0, "The system")) for s in steps
        ],
        closure_problems=problems,
        can_manage=manage,
    )


def reporters_view(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, breach_id: int
) -> tuple[BreachRow, dict[str, str]]:
    """A breach as its reporter sees it: what they wrote and where it stands. Someone else's
    report answers as a missing one."""
    actor.require(Permission.BREACH_REPORT)
    breach = db.get(Breach, breach_id)
    if breach is None or breach.reported_by_user_id != actor.user_id or actor.user_id is None:
        raise NotFound(NOT_FOUND)
    texts = {name: _open(db, kek, breach, name) for name in NARRATIVE[:3]}
    return row_of(breach, clock.now()), texts


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachSummary:
    as_of: date
    in_last_12_months: int
    near_misses: int
    notified: int
    notified_within_72_hours: int
    overdue_now: int
    not_notified: int
    not_notified_with_reason: int


def _end_of(day: date) -> datetime:
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.UK)
    return local.astimezone(UTC)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def breach_summary(db: Session, as_of: date) -> BreachSummary:
    """The dashboard's figures at the end of ``as_of`` (UK time), over the 12 months before:
    breaches reported; of the incidents notified, how many within 72 hours of awareness;
    decisions overdue at that moment; decisions not to notify, and how many give a reason."""
    day_end = _end_of(as_of)
    end = min(day_end, clock.now())  # "overdue at that moment": never later than now
    start = _end_of(_year_before(as_of))
    window = and_(Breach.reported_at >= start, Breach.reported_at < day_end)
    rows = db.execute(
        select(
            Breach.kind,
            Breach.aware_at,
            Breach.ico_decision,
            Breach.ico_notified_at,
            Breach.ico_reason_sealed.is_not(None),
        ).where(window)
    ).all()
    notified = [r for r in rows if r.ico_decision == IcoDecision.NOTIFIED.value]
    refused = [r for r in rows if r.ico_decision == IcoDecision.NOT_NOTIFIED.value]
    overdue = db.scalar(
        select(func.count())
        .select_from(Breach)
        .where(overdue_clause(end), Breach.reported_at <= end)
    )
    return BreachSummary(
        as_of=as_of,
        in_last_12_months=len(rows),
        near_misses=sum(r.kind == Kind.NEAR_MISS.value for r in rows),
        notified=len(notified),
        notified_within_72_hours=sum(
            r.aware_at is not None
            and r.ico_notified_at is not None
            and r.ico_notified_at <= policy.deadline(r.aware_at)
            for r in notified
        ),
        overdue_now=overdue or 0,
        not_notified=len(refused),
        not_notified_with_reason=sum(bool(r[4]) for r in refused),
    )


def open_clocks(db: Session, actor: Actor, limit: int) -> tuple[list[BreachRow], int]:
    """Open breaches awaiting the ICO decision, the soonest deadline first, and how many
    breaches are open in all (for the home page)."""
    actor.require(Permission.BREACH_MANAGE)
    now = clock.now()
    waiting = db.scalars(
        select(Breach)
        .where(Breach.status != Status.CLOSED.value, _undecided_incident())
        .order_by(Breach.aware_at, Breach.id)
        .limit(limit)
    )
    total = db.scalar(
        select(func.count()).select_from(Breach).where(Breach.status != Status.CLOSED.value)
    )
    return [row_of(b, now) for b in waiting], total or 0
