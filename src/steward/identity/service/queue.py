"""The queue of suspected duplicates across all people, and comparing two records to merge.

The check (``check_duplicates``) reads every person, so it runs when someone asks and its
pairs are kept in ``identity_duplicate_pairs``; the queue pages through what awaits a
decision. A pair leaves the queue when its records are merged (through ``merge_persons``, the
one way to merge) or when someone records that they are not the same person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.models import DuplicatePair, PersonMerge
from steward.identity.service.duplicates import Engine, _UnionFind, duplicate_edges
from steward.identity.service.search import require_people_manage
from steward.records import service as records
from steward.records.models import Address, Case, NameKind, Party, Person

NOT_SAME = "not_same"


@dataclass(frozen=True)
class PersonSummary:
    """Enough to tell two person records apart in a list: name, DOB, postcode, cases."""

    person_id: int
    name: str
    date_of_birth: date | None
    postcode: str | None
    cases: int


@dataclass(frozen=True)
class QueuedPair:
    person: PersonSummary
    other: PersonSummary
    probability: float
    found_at: datetime


@dataclass(frozen=True)
class CheckReport:
    pairs: int  # awaiting a decision after the check
    new: int  # found for the first time by this check
    engine: str


def _pair_key(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise ValidationFailed(
            "A person record cannot be compared with itself.",
            errors={"other_person_id": "Choose a different person record"},
        )
    return (a, b) if a < b else (b, a)


def _not_merged() -> ColumnElement[bool]:
    return ~exists().where(
        PersonMerge.unmerged_at.is_(None),
        PersonMerge.person_id == DuplicatePair.person_id,
        PersonMerge.other_person_id == DuplicatePair.other_person_id,
    )


def _waiting() -> Select[Any]:
    return select(DuplicatePair).where(DuplicatePair.decision.is_(None), _not_merged())


def person_summaries(db: Session, person_ids: Iterable[int]) -> dict[int, PersonSummary]:
    """Name, date of birth, current postcode and number of cases of each person. No check or
    audit event: callers show these only to readers of every case, and record their read."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    people = db.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.date_of_birth).where(
            Person.id.in_(ids)
        )
    ).all()
    cases: dict[int, int] = {
        person_id: count
        for person_id, count in db.execute(
            select(Party.person_id, func.count(func.distinct(Party.case_id)))
            .where(Party.person_id.in_(ids))
            .group_by(Party.person_id)
        )
    }
    postcodes: dict[int, str] = {}
    # Current address first (no end date), then the latest; the first seen per person wins.
    for person_id, postcode in db.execute(
        select(Address.person_id, Address.postcode)
        .where(Address.person_id.in_(ids), Address.postcode.is_not(None))
        .order_by(
            Address.person_id,
            Address.to_date.is_not(None),
            Address.from_date.desc(),
            Address.id.desc(),
        )
    ):
        if postcode:
            postcodes.setdefault(person_id, postcode)
    return {
        pid: PersonSummary(pid, f"{first} {last}", dob, postcodes.get(pid), cases.get(pid, 0))
        for pid, first, last, dob in people
    }


def check_duplicates(db: Session, *, actor: Actor, engine: Engine = "auto") -> CheckReport:
    """Look for duplicates across all people and refresh the queue with what is found.

    Pairs judged "not the same person" keep their decision; pairs no longer found (a record
    corrected since) leave the queue; pairs already linked through merges, directly or
    through a third record, are not queued."""
    actor.require(Permission.PEOPLE_MANAGE)
    chosen, merged_pairs, edges = duplicate_edges(db, engine=engine)
    linked = _UnionFind()
    for x, y in merged_pairs:
        linked.union(x, y)
    found = {
        pair: p
        for pair, p in edges.items()
        if pair not in merged_pairs and linked.find(pair[0]) != linked.find(pair[1])
    }
    stored = {
        (row.person_id, row.other_person_id): row for row in db.scalars(select(DuplicatePair))
    }
    gone = [pair for pair, row in stored.items() if row.decision is None and pair not in found]
    for x, y in gone:
        db.execute(
            delete(DuplicatePair).where(
                and_(DuplicatePair.person_id == x, DuplicatePair.other_person_id == y)
            )
        )
    now = clock.now()
    new = 0
    for (x, y), p in found.items():
        row = stored.get((x, y))
        if row is None:
            db.add(DuplicatePair(person_id=x, other_person_id=y, probability=p, found_at=now))
            new += 1
        else:
            row.probability = p
    db.flush()
    waiting = db.scalar(select(func.count()).select_from(_waiting().subquery())) or 0
    audit.record(
        db,
        actor,
        IdentityEvent.DUPLICATES_CHECKED,
        details={"pairs": waiting, "new": new, "removed": len(gone), "engine": chosen},
    )
    return CheckReport(pairs=waiting, new=new, engine=chosen)


def last_check(db: Session) -> datetime | None:
    """When the duplicate check last ran, as the audit trail recorded it."""
    return db.scalar(
        select(audit.AuditEvent.occurred_at)
        .where(audit.AuditEvent.tag == IdentityEvent.DUPLICATES_CHECKED.value)
        .order_by(audit.AuditEvent.seq.desc())
        .limit(1)
    )


def duplicate_queue(
    db: Session, *, actor: Actor, page: PageRequest = PageRequest()
) -> Page[QueuedPair]:
    """One page of the pairs awaiting a decision, likeliest first. Shows names and dates of
    birth, so it is for those who merge records (people:manage) and its reading is recorded."""
    require_people_manage(db, actor)
    found = paginate(
        db,
        _waiting().order_by(
            DuplicatePair.probability.desc(),
            DuplicatePair.person_id,
            DuplicatePair.other_person_id,
        ),
        page,
    )
    people = person_summaries(
        db, [p for row in found.items for p in (row.person_id, row.other_person_id)]
    )
    audit.record(
        db,
        actor,
        IdentityEvent.DUPLICATES_LISTED,
        details={"pairs": len(found.items), "total": found.total},
    )
    return found.map(
        lambda row: QueuedPair(
            people[row.person_id], people[row.other_person_id], row.probability, row.found_at
        )
    )


def pending_duplicates_count(db: Session, actor: Actor) -> int:
    """How many suspected duplicate pairs await a decision (for the home page). A count only:
    nothing about anyone is read, so nothing is recorded."""
    actor.require(Permission.PEOPLE_MANAGE)
    return int(db.scalar(select(func.count()).select_from(_waiting().subquery())) or 0)


def record_not_same(
    db: Session, *, actor: Actor, person_id: int, other_person_id: int
) -> DuplicatePair:
    """Record that two person records are two people: the pair leaves the queue and is not
    offered as a duplicate again, whatever later checks find."""
    require_people_manage(db, actor)
    low, high = _pair_key(person_id, other_person_id)
    for pid in (low, high):
        if db.get(Person, pid) is None:
            raise NotFound("There is no such person.")
    row = db.get(DuplicatePair, (low, high))
    if row is None:
        row = DuplicatePair(
            person_id=low, other_person_id=high, probability=0.0, found_at=clock.now()
        )
        db.add(row)
    row.decision = NOT_SAME
    row.decided_at = clock.now()
    row.decided_by = actor.user_id
    db.flush()
    audit.record(
        db,
        actor,
        IdentityEvent.PAIR_NOT_SAME,
        subject_type="person",
        subject_id=low,
        details={"other_person_id": high},
    )
    return row


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    summary: PersonSummary
    previous_names: list[str]
    aliases: list[str]
    cases: list[tuple[Case, str]]  # the case and the person's role in it


@dataclass(frozen=True)
class Comparison:
    left: PersonDetail
    right: PersonDetail
    probability: float | None  # from the last check, if it found the pair
    merge_id: int | None  # the active merge of the two, if merged
    not_same: bool


def _detail(db: Session, actor: Actor, person_id: int) -> PersonDetail:
    # Through the records service: its access check and its "person read" audit event.
    person, cases = records.view_person(db, actor, person_id)
    summary = person_summaries(db, [person_id])[person_id]

    def written(kind: NameKind) -> list[str]:
        return [
            " ".join(p for p in (n.first_name, n.middle_names, n.last_name) if p)
            for n in person.names
            if n.kind == kind
        ]

    return PersonDetail(person, summary, written(NameKind.PREVIOUS), written(NameKind.ALIAS), cases)


def compare_persons(
    db: Session, *, actor: Actor, person_id: int, other_person_id: int
) -> Comparison:
    """Both records in full, side by side, for deciding whether they are one person."""
    require_people_manage(db, actor)
    low, high = _pair_key(person_id, other_person_id)
    left, right = _detail(db, actor, low), _detail(db, actor, high)
    row = db.get(DuplicatePair, (low, high))
    merge_id = db.scalar(
        select(PersonMerge.id).where(
            PersonMerge.person_id == low,
            PersonMerge.other_person_id == high,
            PersonMerge.unmerged_at.is_(None),
        )
    )
    return Comparison(
        left,
        right,
        row.probability if row is not None and row.probability > 0 else None,
        merge_id,
        row is not None and row.decision == NOT_SAME,
    )
