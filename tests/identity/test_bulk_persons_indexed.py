"""Persons the records write in bulk (a partner's file) bypass the ORM; identity must index
them all the same, or the next file's rows about them would make duplicates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.permissions import Actor
from steward.identity import PersonQuery, find_people
from steward.identity.models import MatchKey, MatchProfile
from steward.records import service as records
from steward.records.events import RecordsEvent
from steward.records.models import IdentifierScheme
from steward.records.schemas import AddressIn, IdentifierIn, PersonCreate
from tests.factories.records import make_person

SYSTEM = Actor.system()


def _keys(db: Session, person_id: int) -> set[int]:
    return set(db.scalars(select(MatchKey.key).where(MatchKey.person_id == person_id)))


def test_persons_created_in_bulk_are_found_and_keyed_as_one_made_alone(db: Session) -> None:
    leeds = AddressIn(line1="12 High Street", town="Leeds", postcode="LS1 4AB")
    alone = make_person(db, "Amara", "Okoye", date(2012, 7, 7), addresses=[leeds.model_dump()])
    made = records.create_persons(
        db,
        SYSTEM,
        [
            PersonCreate(
                first_name="Amara",
                last_name="Okoye",
                date_of_birth=date(2012, 7, 7),
                addresses=[leeds],
                identifiers=[IdentifierIn(scheme=IdentifierScheme.NHS, value="9434765919")],
            ),
            PersonCreate(first_name="Bruno", last_name="Lindqvist", date_of_birth=date(2014, 1, 2)),
        ],
    )
    assert (
        db.scalar(
            select(func.count()).select_from(MatchProfile).where(MatchProfile.person_id.in_(made))
        )
        == 2
    )
    assert _keys(db, made[0]) == _keys(db, alone.id) != set()  # the same facts, the same keys
    found = find_people(db, PersonQuery("Bruno", "Lindqvist", dob=date(2014, 1, 2)), actor=SYSTEM)
    assert [c.person_id for c in found][:1] == [made[1]]
    created = db.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.tag == RecordsEvent.PERSON_CREATED.value)
    ).all()
    assert {str(pid) for pid in made} <= set(created)


def test_an_nhs_number_added_in_bulk_leaves_the_match_keys_as_they_were(db: Session) -> None:
    person = make_person(db, "Celia", "Barros", date(2011, 5, 6))
    before = _keys(db, person.id)
    added = records.add_missing_identifiers(
        db, SYSTEM, [(person.id, [IdentifierIn(scheme=IdentifierScheme.NHS, value="9434765870")])]
    )
    assert added == {person.id: ["nhs"]}
    assert _keys(db, person.id) == before and before
