"""Persons: children, parents, relatives and professionals, each of whom may appear in many cases."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records.events import RecordsEvent
from steward.records.models import (
    Address,
    Case,
    Contact,
    Identifier,
    IdentifierScheme,
    Party,
    PartyRole,
    Person,
    PersonName,
)
from steward.records.schemas import PersonCreate
from steward.records.service import access, changes, search


def create_person(db: Session, actor: Actor, data: PersonCreate) -> Person:
    actor.require(Permission.CASES_WRITE)
    if data.identifiers:
        # One query for all of them, not one each: imports create persons by the thousand.
        taken = db.scalar(
            select(Identifier.scheme)
            .where(
                or_(
                    *(
                        and_(Identifier.scheme == i.scheme, Identifier.value == i.value)
                        for i in data.identifiers
                    )
                )
            )
            .limit(1)
        )
        if taken is not None:
            raise Conflict(
                f"A person with that {IdentifierScheme(taken).value.upper()} identifier already exists.",
                field="identifiers",
            )
    now = clock.now()
    person = Person(
        **data.model_dump(exclude={"other_names", "addresses", "contacts", "identifiers"}),
        created_at=now,
        updated_at=now,
        names=[PersonName(**n.model_dump()) for n in data.other_names],
        addresses=[Address(**a.model_dump()) for a in data.addresses],
        contacts=[Contact(**c.model_dump()) for c in data.contacts],
        identifiers=[Identifier(**i.model_dump()) for i in data.identifiers],
    )
    db.add(person)
    db.flush()
    search.index(
        db, kind="person", ref_id=person.id, case_id=None, body=searchable_names(person), new=True
    )
    audit.record(
        db, actor, RecordsEvent.PERSON_CREATED, subject_type="person", subject_id=person.id
    )
    return person


def searchable_names(person: Person | PersonCreate) -> str:
    """The words a person is found by in the search: every name they have or had."""
    others = person.names if isinstance(person, Person) else person.other_names
    names = [person.first_name, person.middle_names or "", person.last_name]
    for other in others:
        names += [other.first_name or "", other.middle_names or "", other.last_name or ""]
    return " ".join(n for n in names if n)


def view_person(db: Session, actor: Actor, person_id: int) -> tuple[Person, list[tuple[Case, str]]]:
    """The person and the cases (with their role) the actor may see them in; a read event."""
    access.require_any_case_access(db, actor)
    person = db.get(Person, person_id)
    visible = access.visible_person(db, actor, Person.id)
    if (
        person is None
        or db.scalar(select(Person.id).where(Person.id == person_id, visible)) is None
    ):
        # The same answer whether the person does not exist or is not the actor's to see.
        raise NotFound("There is no such person, or they are not in any case you can see.")
    cases = db.execute(
        select(Case, Party.role)
        .join(Party, Party.case_id == Case.id)
        .where(Party.person_id == person.id, access.visible_cases(db, actor))
        .order_by(Case.opened_on.desc())
    ).all()
    audit.record(
        db,
        actor,
        RecordsEvent.PERSON_VIEWED,
        subject_type="person",
        subject_id=person.id,
        details={"access": access.access_to_person(db, actor, person.id).value},
    )
    return person, [(case, role) for case, role in cases]


def add_party(
    db: Session, actor: Actor, *, case_id: int, person_id: int, role: PartyRole | str
) -> Party:
    actor.require(Permission.CASES_WRITE)
    case, _ = access.readable_case(db, actor, case_id)
    try:
        role = PartyRole(role)
    except ValueError as exc:
        raise ValidationFailed(
            "Choose the person's role in the case.", errors={"role": "Choose a role"}
        ) from exc
    if db.get(Person, person_id) is None:
        raise NotFound("There is no such person.")
    existing = db.scalar(
        select(Party).where(
            Party.case_id == case.id, Party.person_id == person_id, Party.role == role
        )
    )
    if existing is not None:
        return existing
    party = Party(case_id=case.id, person_id=person_id, role=role)
    db.add(party)
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.PARTY_ADDED,
        subject_type="case",
        subject_id=case.id,
        details={"person_id": person_id, "role": role.value},
    )
    changes.cases_changed(db, actor, [case.id])
    return party


def cases_with_parties(db: Session, person_ids: list[int]) -> set[int]:
    """The cases any of these persons is a party to: a document in one of them is already
    reached through the person, so a search for mentions elsewhere leaves it out. Ids only;
    callers check their own permission."""
    if not person_ids:
        return set()
    return set(
        db.scalars(select(Party.case_id).where(Party.person_id.in_(sorted(set(person_ids)))))
    )
