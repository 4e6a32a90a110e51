"""Creating persons and adding parties by the batch, for callers that record many at once
(partner-data intake): the same rows, checks, search entries and audit events as
``create_person`` and ``add_party`` one by one, but one flush for the batch, so what is
derived from a person on flush (identity's match index) is rebuilt once for all of them, and
one announcement of the cases changed (retention's dates)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound
from steward.core.permissions import Actor, Permission
from steward.records.events import RecordsEvent
from steward.records.models import (
    Address,
    Case,
    Contact,
    Identifier,
    Party,
    PartyRole,
    Person,
    PersonName,
)
from steward.records.schemas import PersonCreate
from steward.records.service import changes, search
from steward.records.service.lookups import identifier_holders
from steward.records.service.persons import searchable_names


def create_persons(db: Session, actor: Actor, items: Sequence[PersonCreate]) -> list[Person]:
    """Each of ``items`` as a new person, in order. An identifier another person holds, or
    two of the items share, is a conflict and nothing is created."""
    actor.require(Permission.CASES_WRITE)
    if not items:
        return []
    wanted = [(str(i.scheme), i.value) for item in items for i in item.identifiers]
    if len(set(wanted)) != len(wanted) or identifier_holders(db, wanted):
        raise Conflict(
            "A person with one of these identifiers already exists.", field="identifiers"
        )
    now = clock.now()
    people = [
        Person(
            **data.model_dump(exclude={"other_names", "addresses", "contacts", "identifiers"}),
            created_at=now,
            updated_at=now,
            names=[PersonName(**n.model_dump()) for n in data.other_names],
            addresses=[Address(**a.model_dump()) for a in data.addresses],
            contacts=[Contact(**c.model_dump()) for c in data.contacts],
            identifiers=[Identifier(**i.model_dump()) for i in data.identifiers],
        )
        for data in items
    ]
    db.add_all(people)
    db.flush()
    search.index_new(db, kind="person", entries=[(p.id, None, searchable_names(p)) for p in people])
    for person in people:
        audit.record(
            db, actor, RecordsEvent.PERSON_CREATED, subject_type="person", subject_id=person.id
        )
    return people


def add_parties(
    db: Session, actor: Actor, links: Sequence[tuple[int, int, PartyRole | str]]
) -> None:
    """Join each (case id, person id, role); one already there is left as it is."""
    actor.require(Permission.CASES_WRITE)
    if not links:
        return
    wanted = [(case_id, person_id, PartyRole(role)) for case_id, person_id, role in links]
    case_ids = sorted({c for c, _, _ in wanted})
    person_ids = sorted({p for _, p, _ in wanted})
    for model, ids in ((Case, case_ids), (Person, person_ids)):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            if len(set(db.scalars(select(model.id).where(model.id.in_(chunk))))) != len(chunk):
                raise NotFound(f"There is no such {'case' if model is Case else 'person'}.")
    held: set[tuple[int, int, str]] = set()
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        held.update(
            (c, p, str(r))
            for c, p, r in db.execute(
                select(Party.case_id, Party.person_id, Party.role).where(
                    Party.person_id.in_(chunk), Party.case_id.in_(case_ids)
                )
            )
        )
    new = [link for link in dict.fromkeys(wanted) if (link[0], link[1], link[2].value) not in held]
    db.add_all(Party(case_id=c, person_id=p, role=r) for c, p, r in new)
    db.flush()
    for case_id, person_id, role in new:
        audit.record(
            db,
            actor,
            RecordsEvent.PARTY_ADDED,
            subject_type="case",
            subject_id=case_id,
            details={"person_id": person_id, "role": role.value},
        )
    changes.cases_changed(db, actor, sorted({c for c, _, _ in new}))
