"""Holds: litigation, inquiry, complaint, police, subject access request. While any hold
covers a record it is not disposed of; the check is a SQL clause, used by the due list, the
disposal list and again inside each destruction's own transaction.

A hold covers cases, persons (every case they are a party to, every paper file naming them
or belonging to those cases) or record classes (with every class beneath).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import case, false, or_, select, union
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from steward.archives.models import PaperFile, PaperFileName
from steward.core import audit, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.identity.models import PersonMerge
from steward.records import service as records
from steward.records.models import Case, Party, Person, RecordClass
from steward.retention.events import RetentionAudit
from steward.retention.models import Hold, HoldKind, HoldScope, HoldTarget, RecordKind
from steward.retention.service import registry, sealing

MIN_REASON = 10
MAX_REASON = 2000


# Each test is an uncorrelated IN: the set of held ids is computed once per query from the
# few active holds, not once per record (a sweep checks a million records).


def _targets(scope: HoldScope) -> Any:
    return (
        select(HoldTarget.target_id)
        .join(Hold, Hold.id == HoldTarget.hold_id)
        .where(Hold.released_at.is_(None), HoldTarget.scope == scope.value)
    )


@cache  # one CTE object: a statement that tests it twice names it once
def _held_persons() -> Any:
    """The persons a hold covers: those it names and every record merged with one of them,
    through any chain of merges still in force. A merge says two records are one human, and a
    hold on a person holds everything about that human (a subject access request's subject
    above all), whichever of the records the hold was placed on."""
    merge = PersonMerge
    held = _targets(HoldScope.PERSON).cte("held_persons", recursive=True)
    linked = (
        select(
            case(
                (merge.person_id == held.c.target_id, merge.other_person_id),
                else_=merge.person_id,
            )
        )
        .join(
            held,
            or_(merge.person_id == held.c.target_id, merge.other_person_id == held.c.target_id),
        )
        .where(merge.unmerged_at.is_(None))
    )
    # UNION, not UNION ALL: a person reached twice is not walked again, so cycles end.
    return select(held.union(linked).c.target_id)


def _held_case_parts() -> list[Any]:
    """Cases held by case or through a held person who is a party to them."""
    by_person = select(Party.case_id).where(Party.person_id.in_(_held_persons()))
    return [_targets(HoldScope.CASE), by_person]


def _held_cases() -> Any:
    return union(*_held_case_parts())


def held_case(case_id: Any, class_id: Any) -> ColumnElement[bool]:
    """True where an active hold covers the case (by case, class or any party)."""
    return or_(case_id.in_(_held_cases()), class_id.in_(_targets(HoldScope.RECORD_CLASS)))


def _held_registered(kind: registry.RegisteredKind) -> Any:
    """Another domain's records: held by a hold on their class (or a class above it), and
    through the persons they are about where the domain says how to find them."""
    by_class = (
        select(kind.id)
        .select_from(kind.table)
        .where(registry.class_id_column(kind).in_(_targets(HoldScope.RECORD_CLASS)))
    )
    if kind.held_through_persons is None:
        return by_class
    return union(by_class, kind.held_through_persons(_held_persons()))


def held_ids(kind: RecordKind | str) -> Any:
    """A SELECT of the ids of every held record of ``kind``, computed from the holds once:
    a sweep or due list over a million records then tests membership, not each hold."""
    kind = registry.kind_of(kind)  # "case" as stored reads RecordKind.CASE
    if not isinstance(kind, RecordKind):
        other = registry.get(kind)
        # A kind whose domain is not loaded holds nothing here; it is not destroyed either.
        return _held_registered(other) if other else select(HoldTarget.target_id).where(false())
    if kind is RecordKind.CASE:
        by_class = select(Case.id).where(Case.record_class_id.in_(_targets(HoldScope.RECORD_CLASS)))
        return union(*_held_case_parts(), by_class)  # flat: SQLite refuses nested compounds
    named = select(PaperFileName.paper_file_id).where(PaperFileName.person_id.in_(_held_persons()))
    by_case = select(PaperFile.id).where(PaperFile.case_id.in_(_held_cases()))
    by_class = select(PaperFile.id).where(
        PaperFile.record_class_id.in_(_targets(HoldScope.RECORD_CLASS))
    )
    return union(named, by_case, by_class)


def held_paper_file(file_id: Any, case_id: Any, class_id: Any) -> ColumnElement[bool]:
    """True where an active hold covers the paper file: its class, its electronic case (and
    that case's parties), or a person named on it."""
    named = select(PaperFileName.paper_file_id).where(PaperFileName.person_id.in_(_held_persons()))
    return or_(
        class_id.in_(_targets(HoldScope.RECORD_CLASS)),
        case_id.in_(_held_cases()),
        file_id.in_(named),
    )


def is_held(db: Session, kind: RecordKind | str, record_id: int) -> bool:
    """Asked again at the moment of destruction, inside its transaction."""
    kind = registry.kind_of(kind)
    other = None if isinstance(kind, RecordKind) else registry.get(kind)
    if other is not None:
        held = other.id.in_(_held_registered(other))
        return bool(db.scalar(select(held).select_from(other.table).where(other.id == record_id)))
    if kind is RecordKind.CASE:
        query = select(held_case(Case.id, Case.record_class_id)).where(Case.id == record_id)
    else:
        query = select(
            held_paper_file(PaperFile.id, PaperFile.case_id, PaperFile.record_class_id)
        ).where(PaperFile.id == record_id)
    return bool(db.scalar(query))


def _reason(text: str, field: str) -> str:
    text = (text or "").strip()
    if not MIN_REASON <= len(text) <= MAX_REASON:
        raise ValidationFailed(
            f"Give a reason of {MIN_REASON} to {MAX_REASON} characters.",
            errors={field: "Enter the reason"},
        )
    return text


def _resolve(db: Session, scope: HoldScope, targets: Sequence[str | int]) -> list[int]:
    """Ids for the given case numbers, person ids or class codes; every one must exist."""
    if not targets:
        raise ValidationFailed("Name at least one thing to hold.", errors={"targets": "Required"})
    ids: list[int] = []
    for target in targets:
        found: int | None
        if scope is HoldScope.CASE:
            found = db.scalar(
                select(Case.id).where(Case.case_number == str(target).strip().upper())
            )
        elif scope is HoldScope.PERSON:
            found = db.scalar(select(Person.id).where(Person.id == _int(target)))
        else:
            found = db.scalar(select(RecordClass.id).where(RecordClass.code == str(target).strip()))
        if found is None:
            raise ValidationFailed(
                f"No {scope.value.replace('_', ' ')} matches {str(target)[:40]!r}; nothing was held.",
                errors={"targets": "Check the case numbers, person ids or class codes"},
            )
        ids.append(found)
    if scope is HoldScope.RECORD_CLASS:
        ids = _with_descendants(db, ids)
    return sorted(set(ids))


def _int(value: str | int) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ValidationFailed(
            "A person is named by their id number.", errors={"targets": "Enter person ids"}
        ) from exc
    if not 0 < number < 2**63:  # past what the database holds: no such person, not a crash
        raise ValidationFailed(
            "No person has that id number; nothing was held.",
            errors={"targets": "Check the person ids"},
        )
    return number


def _with_descendants(db: Session, class_ids: list[int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for class_id, parent_id in db.execute(select(RecordClass.id, RecordClass.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(class_id)
    found, stack = set(class_ids), list(class_ids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return list(found)


def place_hold(
    db: Session,
    actor: Actor,
    kek: KeyEncryptionKeys,
    *,
    kind: HoldKind | str,
    scope: HoldScope | str,
    targets: Sequence[str | int],
    reason: str,
    reference: str | None = None,
) -> Hold:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        kind, scope = HoldKind(kind), HoldScope(scope)
    except ValueError as exc:
        raise ValidationFailed(
            "Choose the kind of hold and what it covers.",
            errors={"kind": "Choose a kind", "scope": "Choose cases, persons or a record class"},
        ) from exc
    if reference is not None and len(reference.strip()) > 100:
        raise ValidationFailed(
            "The reference is longer than 100 characters.", errors={"reference": "Shorten it"}
        )
    return _place(
        db,
        actor,
        kek,
        kind,
        scope,
        _resolve(db, scope, targets),
        _reason(reason, "reason"),
        (reference or "").strip() or None,
    )


def _place(
    db: Session,
    actor: Actor,
    kek: KeyEncryptionKeys,
    kind: HoldKind,
    scope: HoldScope,
    ids: list[int],
    reason: str,
    reference: str | None,
) -> Hold:
    hold = Hold(
        kind=kind,
        scope=scope,
        reference=reference,
        placed_at=clock.now(),
        placed_by_user_id=actor.user_id,
        targets=[HoldTarget(scope=scope, target_id=i) for i in ids],
    )
    db.add(hold)
    db.flush()
    sealing.seal_hold_reason(db, kek, hold, reason)
    db.flush()
    audit.record(
        db,
        actor,
        RetentionAudit.HOLD_PLACED,
        subject_type="retention_hold",
        subject_id=hold.id,
        details={"kind": kind.value, "scope": scope.value, "targets": ids[:200]},
    )
    return hold


def release_hold(
    db: Session, actor: Actor, kek: KeyEncryptionKeys, *, hold_id: int, reason: str
) -> Hold:
    actor.require(Permission.RETENTION_MANAGE)
    hold = db.get(Hold, hold_id)
    if hold is None:
        raise NotFound("There is no such hold.")
    if hold.released_at is not None:
        raise Conflict("This hold has already been released.")
    sealing.seal_release_reason(db, kek, hold, _reason(reason, "reason"))
    hold.released_at = clock.now()
    hold.released_by_user_id = actor.user_id
    db.flush()
    audit.record(
        db, actor, RetentionAudit.HOLD_RELEASED, subject_type="retention_hold", subject_id=hold.id
    )
    return hold


def hold_for_subject_access(
    db: Session,
    actor: Actor,
    kek: KeyEncryptionKeys,
    *,
    sar_reference: str,
    person_ids: Sequence[int],
) -> Hold:
    """Hold everything of a request's subject while the request is open (DPA 2018 s.173:
    altering or destroying what a requester is entitled to is an offence). The subject
    access request domain calls this when a request opens, and ``release_subject_access``
    when it closes."""
    actor.require(Permission.SAR_MANAGE)
    ids = _resolve(db, HoldScope.PERSON, list(person_ids))
    return _place(
        db,
        actor,
        kek,
        HoldKind.SUBJECT_ACCESS_REQUEST,
        HoldScope.PERSON,
        ids,
        "Subject access request open: everything about its subject is held (DPA 2018 s.173).",
        sar_reference,
    )


def release_subject_access(
    db: Session, actor: Actor, kek: KeyEncryptionKeys, *, sar_reference: str
) -> int:
    actor.require(Permission.SAR_MANAGE)
    holds = db.scalars(
        select(Hold).where(
            Hold.kind == HoldKind.SUBJECT_ACCESS_REQUEST,
            Hold.reference == sar_reference,
            Hold.released_at.is_(None),
        )
    ).all()
    for hold in holds:
        sealing.seal_release_reason(db, kek, hold, "Subject access request closed.")
        hold.released_at = clock.now()
        hold.released_by_user_id = actor.user_id
        db.flush()
        audit.record(
            db,
            actor,
            RetentionAudit.HOLD_RELEASED,
            subject_type="retention_hold",
            subject_id=hold.id,
        )
    return len(holds)


def list_holds(db: Session, actor: Actor, *, active_only: bool = True) -> list[Hold]:
    actor.require(Permission.RETENTION_MANAGE)
    query = select(Hold).options(selectinload(Hold.targets)).order_by(Hold.placed_at.desc())
    if active_only:
        query = query.where(Hold.released_at.is_(None))
    return list(db.scalars(query))


def reasons(db: Session, kek: KeyEncryptionKeys, hold: Hold) -> tuple[str | None, str | None]:
    """The hold's reason and release reason, opened for retention staff."""
    return sealing.hold_reason(db, kek, hold), sealing.release_reason(db, kek, hold)


def target_labels(db: Session, hold: Hold) -> list[str]:
    """Case numbers, class codes or person ids: identifiers only, never names."""
    ids = [t.target_id for t in hold.targets]
    if hold.scope == HoldScope.CASE:
        found = dict(db.execute(select(Case.id, Case.case_number).where(Case.id.in_(ids))).all())
        return [found.get(i, f"case {i} (destroyed)") for i in ids]
    if hold.scope == HoldScope.RECORD_CLASS:
        codes = dict(
            db.execute(
                select(RecordClass.id, RecordClass.code).where(RecordClass.id.in_(ids))
            ).all()
        )
        return [codes.get(i, str(i)) for i in ids]
    return [f"person {i}" for i in ids]


HOLD_STATUSES = ("active", "released", "all")


NAME_HIDDEN = "a person (the name shows once your induction is complete)"


@dataclass(frozen=True)
class Covered:
    """One thing a hold covers, as a person reads it, and where to look at it."""

    label: str
    href: str | None = None


def holds_page(db: Session, actor: Actor, page: PageRequest, *, status: str) -> Page[Hold]:
    actor.require(Permission.RETENTION_MANAGE)
    query = select(Hold).options(selectinload(Hold.targets))
    if status == "active":
        query = query.where(Hold.released_at.is_(None))
    elif status == "released":
        query = query.where(Hold.released_at.is_not(None))
    return paginate(db, query.order_by(Hold.placed_at.desc(), Hold.id.desc()), page)


def coverage(db: Session, actor: Actor, shown: Sequence[Hold]) -> dict[int, list[Covered]]:
    """What each hold covers: case numbers, people's names and class codes. Names of people
    are personal data, so showing them is recorded (their ids, never the names)."""
    actor.require(Permission.RETENTION_MANAGE)
    ids = {s: [t.target_id for h in shown if h.scope == s for t in h.targets] for s in HoldScope}
    cases = dict(
        db.execute(select(Case.id, Case.case_number).where(Case.id.in_(ids[HoldScope.CASE]))).all()
    )
    classes = dict(
        db.execute(
            select(RecordClass.id, RecordClass.code).where(
                RecordClass.id.in_(ids[HoldScope.RECORD_CLASS])
            )
        ).all()
    )
    # Names are case content: hidden (and said so) while the induction gate is closed.
    hidden = bool(ids[HoldScope.PERSON]) and records.induction_outstanding(db, actor)
    persons = (
        {}
        if hidden
        else {
            p.id: p for p in db.scalars(select(Person).where(Person.id.in_(ids[HoldScope.PERSON])))
        }
    )
    if persons:
        audit.record(
            db,
            actor,
            RetentionAudit.HOLDS_LISTED,
            details={"persons": sorted(persons)[:500]},
        )

    def one(scope: str, target_id: int) -> Covered:
        if scope == HoldScope.CASE:
            number = cases.get(target_id)
            if number is None:
                return Covered("a destroyed case")
            return Covered(number, f"/retention/cases/{target_id}")
        if scope == HoldScope.RECORD_CLASS:
            return Covered(classes.get(target_id, "a withdrawn class"))
        if hidden:
            return Covered(NAME_HIDDEN)
        person = persons.get(target_id)
        if person is None:
            return Covered("a person no longer held")
        return Covered(f"{person.first_name} {person.last_name}", f"/people/{target_id}")

    return {h.id: [one(h.scope, t.target_id) for t in h.targets] for h in shown}
