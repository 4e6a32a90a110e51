"""Creating persons, adding identifiers and adding parties by the batch, for callers that
record many at once (partner-data intake): the same rows, checks, search entries and audit
events as ``create_person`` and ``add_party`` one by one, written set-wise.

The rows go in through Core inserts, not ORM objects: building, tracking and flushing an
object graph per person cost more than the database's own work (a profile of intake at 2,000
rows: 60% of its time recording, most of it the ORM's). Nothing here is left in the session,
so what the ORM derives on flush is announced instead: identity's match profiles
(``changes.persons_written``) and retention's dates (``changes.cases_changed``). The audit
events are chained in one go (``audit.record_many``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
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
    IdentifierScheme,
    Party,
    PartyRole,
    Person,
    PersonName,
)
from steward.records.schemas import IdentifierIn, PersonCreate
from steward.records.service import changes, search
from steward.records.service.lookups import identifier_holders, in_chunks
from steward.records.service.persons import searchable_names

_PARTS = {"other_names", "addresses", "contacts", "identifiers"}


def _insert(db: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(insert(model), rows)


def create_persons(db: Session, actor: Actor, items: Sequence[PersonCreate]) -> list[int]:
    """Each of ``items`` as a new person, in order; returns their ids. An identifier another
    person holds, or two of the items share, is a conflict and nothing is created."""
    actor.require(Permission.CASES_WRITE)
    if not items:
        return []
    wanted = [(str(i.scheme), i.value) for item in items for i in item.identifiers]
    if len(set(wanted)) != len(wanted) or identifier_holders(db, wanted):
        raise Conflict(
            "A person with one of these identifiers already exists.", field="identifiers"
        )
    now = clock.now()
    ids = list(
        db.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True),
            [
                {**data.model_dump(exclude=_PARTS), "created_at": now, "updated_at": now}
                for data in items
            ],
        )
    )
    pairs = list(zip(ids, items, strict=True))
    for model, part in (
        (PersonName, "other_names"),
        (Address, "addresses"),
        (Contact, "contacts"),
        (Identifier, "identifiers"),
    ):
        _insert(
            db,
            model,
            [
                {**item.model_dump(), "person_id": pid}
                for pid, data in pairs
                for item in getattr(data, part)
            ],
        )
    search.index_new(
        db, kind="person", entries=[(pid, None, searchable_names(data)) for pid, data in pairs]
    )
    changes.persons_written(db, ids)
    audit.record_many(
        db,
        actor,
        RecordsEvent.PERSON_CREATED,
        [audit.Entry(subject_type="person", subject_id=pid) for pid in ids],
    )
    return ids


def add_missing_identifiers(
    db: Session, actor: Actor, wanted: Sequence[tuple[int, Sequence[IdentifierIn]]]
) -> dict[int, list[str]]:
    """For each (person id, identifiers), add to the person those of a scheme they hold none
    of (a partner's NHS number for a person recorded without one); one they hold already is
    never replaced (that is a correction). Returns the schemes added to each person. A value
    another person holds, or two persons would be given, is a conflict, and nothing is added."""
    actor.require(Permission.CASES_WRITE)
    person_ids = sorted({pid for pid, items in wanted if items})
    held: dict[int, set[str]] = defaultdict(set)
    found: set[int] = set()
    for chunk in in_chunks(person_ids):
        found.update(db.scalars(select(Person.id).where(Person.id.in_(chunk))))
        for pid, scheme in db.execute(
            select(Identifier.person_id, Identifier.scheme).where(Identifier.person_id.in_(chunk))
        ):
            held[pid].add(str(scheme))
    if len(found) != len(person_ids):
        raise NotFound("There is no such person.")
    added: dict[int, list[str]] = defaultdict(list)
    new: list[dict[str, Any]] = []
    for pid, items in wanted:
        for item in items:
            scheme = IdentifierScheme(item.scheme)
            if scheme.value not in held[pid]:
                held[pid].add(scheme.value)
                added[pid].append(scheme.value)
                new.append({"person_id": pid, "scheme": scheme.value, "value": item.value})
    values = [(i["scheme"], i["value"]) for i in new]
    if len(set(values)) != len(values) or identifier_holders(db, values):
        raise Conflict("Another person already has one of these identifiers.", field="identifiers")
    if not new:
        return {}
    _insert(db, Identifier, new)
    for chunk in in_chunks(sorted(added)):
        db.execute(update(Person).where(Person.id.in_(chunk)).values(updated_at=clock.now()))
    # A match profile holds the legacy identifier alone (identity/keys.py): only a person
    # given one needs theirs rebuilt.
    changes.persons_written(
        db, [pid for pid, schemes in added.items() if IdentifierScheme.LEGACY.value in schemes]
    )
    audit.record_many(
        db,
        actor,
        RecordsEvent.PERSON_UPDATED,
        [
            audit.Entry(
                subject_type="person", subject_id=pid, details={"identifiers_added": schemes}
            )
            for pid, schemes in added.items()
        ],
    )
    return dict(added)


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
        for chunk in in_chunks(ids):
            if len(set(db.scalars(select(model.id).where(model.id.in_(chunk))))) != len(chunk):
                raise NotFound(f"There is no such {'case' if model is Case else 'person'}.")
    held: set[tuple[int, int, str]] = set()
    for chunk in in_chunks(person_ids):
        held.update(
            (c, p, str(r))
            for c, p, r in db.execute(
                select(Party.case_id, Party.person_id, Party.role).where(
                    Party.person_id.in_(chunk), Party.case_id.in_(case_ids)
                )
            )
        )
    new = [link for link in dict.fromkeys(wanted) if (link[0], link[1], link[2].value) not in held]
    _insert(db, Party, [{"case_id": c, "person_id": p, "role": r.value} for c, p, r in new])
    audit.record_many(
        db,
        actor,
        RecordsEvent.PARTY_ADDED,
        [
            audit.Entry(
                subject_type="case",
                subject_id=case_id,
                details={"person_id": person_id, "role": role.value},
            )
            for case_id, person_id, role in new
        ],
    )
    changes.cases_changed(db, actor, sorted({c for c, _, _ in new}))
