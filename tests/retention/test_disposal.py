"""Disposal from proposal to certificate, in the test's rolled-back transaction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import crypto
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, InvalidTransition
from steward.core.permissions import Actor, Role
from steward.records.models import Case, Person
from steward.retention.models import (
    Decision,
    DisposalCertificate,
    DisposalItem,
    DisposalStatus,
    Outcome,
    Tombstone,
)
from steward.retention.service import certificates, destruction, disposal, holds
from tests.factories.core import make_user
from tests.factories.records import make_document
from tests.retention.helpers import case_with_children, default_schedule, due_on


@pytest.fixture
def staff(db: Session):  # type: ignore[no-untyped-def]
    return make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)


def _approved_list(db: Session, staff, keyring, as_of: date = date(2040, 1, 1)):  # type: ignore[no-untyped-def]
    reviewer, approver = staff
    listed = disposal.propose(db, reviewer.actor, as_of=as_of)
    disposal.decide(
        db,
        reviewer.actor,
        keyring,
        list_id=listed.id,
        item_ids=[],
        decision=Decision.DESTROY,
    )
    disposal.approve(db, approver.actor, keyring, list_id=listed.id)
    db.commit()
    return listed


def test_due_case_is_destroyed_with_tombstone_and_certificate(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    old = case_with_children(db, keyring, date(2010, 5, 1))
    young = case_with_children(db, keyring, date(2020, 5, 1))
    make_document(db, keyring, old, text="note about the old case")
    default_schedule(db)
    assert due_on(db, old) == date(2035, 5, 1)
    listed = _approved_list(db, staff, keyring)
    assert [i.record_id for i in listed.items] == [old.id]
    key_id, number, old_id, young_id = old.data_key_id, old.case_number, old.id, young.id

    report = destruction.execute(
        session_factory, staff[1].actor, list_id=listed.id, compact_database=False
    )

    assert report.destroyed == 1
    db.expire_all()
    assert db.get(Case, old_id) is None and db.get(Case, young_id) is not None
    key = db.get(crypto.DataKey, key_id)
    assert key is not None and key.wrapped_key is None
    stone = db.scalar(select(Tombstone).where(Tombstone.identifier == number))
    assert (
        stone is not None
        and stone.class_code == "CASE.PRIVATE"
        and stone.due_on == date(2035, 5, 1)
    )
    cert = db.scalar(select(DisposalCertificate).where(DisposalCertificate.list_id == listed.id))
    assert cert is not None and cert.destroyed_count == 1 and len(cert.sha256) == 64

    # Read as people read it: each step's person by username; the list gives its digest
    # until an item of it is changed.
    read = certificates.certificate_for(db, staff[0].actor, list_id=listed.id)
    assert read.approved_by == staff[1].username and read.destroyed_count == 1
    assert [r.class_code for r in read.rules] == ["CASE.PRIVATE"]
    assert certificates.digest_holds(db, read)
    item = db.scalar(select(DisposalItem).where(DisposalItem.list_id == listed.id))
    assert item is not None
    item.due_on = date(2035, 5, 2)
    db.flush()
    assert not certificates.digest_holds(db, read)


def test_a_hold_placed_after_approval_blocks_destruction(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    held = case_with_children(db, keyring, date(2010, 5, 1))
    other = case_with_children(db, keyring, date(2010, 6, 1))
    default_schedule(db)
    listed = _approved_list(db, staff, keyring)
    holds.place_hold(
        db,
        staff[0].actor,
        keyring,
        kind="litigation",
        scope="case",
        targets=[held.case_number],
        reason="Claim issued against the service",
    )
    db.commit()
    held_id, other_id, list_id = held.id, other.id, listed.id
    destruction.execute(session_factory, staff[1].actor, list_id=list_id, compact_database=False)
    db.expire_all()
    assert db.get(Case, held_id) is not None
    assert db.get(Case, other_id) is None
    outcomes = {
        i.record_id: i.outcome for i in disposal.get_list(db, staff[0].actor, list_id).items
    }
    assert outcomes == {held_id: Outcome.HELD, other_id: Outcome.DESTROYED}


def test_a_corrected_birth_date_after_approval_stops_destruction(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    case = case_with_children(db, keyring, date(2010, 5, 1))
    default_schedule(db)
    listed = _approved_list(db, staff, keyring)
    child = db.scalar(
        select(Person).where(Person.first_name == "Child0").order_by(Person.id.desc())
    )
    assert child is not None
    child.date_of_birth = date(2016, 5, 1)  # the child is younger: kept until 2041
    db.commit()
    case_id, list_id = case.id, listed.id
    destruction.execute(session_factory, staff[1].actor, list_id=list_id, compact_database=False)
    db.expire_all()
    assert db.get(Case, case_id) is not None
    assert disposal.get_list(db, staff[0].actor, list_id).items[0].outcome == Outcome.NOT_DUE


def test_a_person_in_a_retained_case_survives(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    from steward.records import service as records
    from steward.records.models import PartyRole

    old = case_with_children(db, keyring, date(2010, 5, 1), parents=0)
    kept = case_with_children(db, keyring, date(2020, 5, 1), parents=0)
    shared = records.create_person(
        db,
        Actor.system(),
        __import__("steward.records.schemas", fromlist=["PersonCreate"]).PersonCreate(
            first_name="Shared", last_name="Parent"
        ),
    )
    for c in (old, kept):
        records.add_party(
            db, Actor.system(), case_id=c.id, person_id=shared.id, role=PartyRole.PARENT
        )
    only_old = db.scalar(select(Person.id).where(Person.first_name == "Child0").order_by(Person.id))
    default_schedule(db)
    listed = _approved_list(db, staff, keyring)
    shared_id = shared.id
    destruction.execute(session_factory, staff[1].actor, list_id=listed.id, compact_database=False)
    db.expire_all()
    assert db.get(Person, shared_id) is not None
    assert db.get(Person, only_old) is None


def test_two_people_are_needed(db: Session, keyring: FileKeyring, staff) -> None:
    case_with_children(db, keyring, date(2010, 5, 1))
    default_schedule(db)
    reviewer, approver = staff
    listed = disposal.propose(db, reviewer.actor, as_of=date(2040, 1, 1))
    with pytest.raises(Conflict, match="no decision"):
        disposal.approve(db, approver.actor, keyring, list_id=listed.id)
    disposal.decide(db, approver.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy")
    with pytest.raises(Forbidden, match="second person"):
        disposal.approve(db, approver.actor, keyring, list_id=listed.id)
    third = make_user(db, Role.IG_OFFICER)
    disposal.approve(db, third.actor, keyring, list_id=listed.id)
    assert listed.status == DisposalStatus.APPROVED
    with pytest.raises(InvalidTransition):
        disposal.decide(
            db, reviewer.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy"
        )


def test_retained_items_get_a_review_date(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    case = case_with_children(db, keyring, date(2010, 5, 1))
    default_schedule(db)
    reviewer, approver = staff
    listed = disposal.propose(db, reviewer.actor, as_of=date(2040, 1, 1))
    with pytest.raises(Exception, match="why"):
        disposal.decide(
            db, reviewer.actor, keyring, list_id=listed.id, item_ids=[], decision="retain"
        )
    disposal.decide(
        db,
        reviewer.actor,
        keyring,
        list_id=listed.id,
        item_ids=[listed.items[0].id],
        decision="retain",
        reason="Sibling proceedings expected",
        review_on=date(2045, 1, 1),
    )
    disposal.approve(db, approver.actor, keyring, list_id=listed.id)
    db.commit()
    case_id = case.id
    destruction.execute(session_factory, approver.actor, list_id=listed.id, compact_database=False)
    db.expire_all()
    assert db.get(Case, case_id) is not None
    assert due_on(db, db.get(Case, case_id)) == date(2045, 1, 1)
