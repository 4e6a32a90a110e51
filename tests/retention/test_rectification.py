"""Rectification (Art 16): correcting a person updates what is derived from them in the same
transaction (identity's index, retention's dates), keeps the earlier values sealed in the
person's history, and changes nothing when it fails."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.identity import service as identity
from steward.identity.service import PersonQuery
from steward.records import service as records
from steward.records.events import RecordsEvent
from steward.records.models import Address, IdentifierScheme, Party, Person, PersonCorrection
from steward.records.schemas import AddressIn, PersonCorrectionIn, PersonCreate
from steward.retention.service import rectification
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule, due_on

SYSTEM = Actor.system()


def _child_of(db: Session, case_id: int) -> Person:
    person = db.scalar(
        select(Person)
        .join(Party, Party.person_id == Person.id)
        .where(Party.case_id == case_id, Party.role == "child_subject")
    )
    assert person is not None
    return person


def _correct(db: Session, keyring: FileKeyring, person_id: int, **given: object) -> None:
    rectification.correct_person(
        db,
        keyring,
        SYSTEM,
        person_id=person_id,
        data=PersonCorrectionIn.model_validate({"reason": "Birth certificate seen", **given}),
    )


def test_a_corrected_birth_date_moves_the_cases_disposal_date_at_once(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)
    case = case_with_children(db, keyring, date(2005, 4, 12))
    assert due_on(db, case) == date(2030, 4, 12)  # the child's 25th birthday
    child = _child_of(db, case.id)

    _correct(db, keyring, child.id, date_of_birth="2007-09-30")

    assert due_on(db, case) == date(2032, 9, 30)  # no sweep run: moved in the same transaction
    assert child.date_of_birth == date(2007, 9, 30)


def test_a_failure_after_the_correction_leaves_everything_as_it_was(
    db: Session, keyring: FileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_schedule(db)
    case = case_with_children(db, keyring, date(2005, 4, 12))
    child = _child_of(db, case.id)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the dating failed")

    monkeypatch.setattr(rectification.dates, "reevaluate", broken)
    savepoint = db.begin_nested()
    with pytest.raises(RuntimeError):
        _correct(db, keyring, child.id, date_of_birth="2007-09-30", last_name="Moss")
    savepoint.rollback()
    db.expire_all()

    child = db.get(Person, child.id)  # type: ignore[assignment]
    assert child.date_of_birth == date(2005, 4, 12)
    assert child.last_name == "Zielinska"
    assert due_on(db, case) == date(2030, 4, 12)
    assert db.scalar(select(PersonCorrection.id)) is None


def test_identity_search_finds_the_person_by_the_corrected_name_at_once(
    db: Session, keyring: FileKeyring
) -> None:
    person = records.create_person(
        db,
        SYSTEM,
        PersonCreate(first_name="Ava", last_name="Zielinska", date_of_birth=date(2010, 1, 5)),
    )
    _correct(db, keyring, person.id, last_name="Kowalczyk")

    found = identity.find_people(
        db,
        PersonQuery(first_name="Ava", last_name="Kowalczyk", dob=date(2010, 1, 5)),
        actor=SYSTEM,
    )
    assert found and found[0].person_id == person.id
    assert found[0].band == "match"


def test_the_previous_values_are_sealed_not_in_plain_columns_or_the_audit_trail(
    db: Session, keyring: FileKeyring
) -> None:
    person = records.create_person(
        db,
        SYSTEM,
        PersonCreate(
            first_name="Ava",
            last_name="Quenby",
            date_of_birth=date(2010, 1, 5),
            addresses=[AddressIn(line1="1 Larkspur Row", postcode="LS1 4AB")],
        ),
    )
    address_id = db.scalar(select(Address.id).where(Address.person_id == person.id))
    rectification.correct_person(
        db,
        keyring,
        SYSTEM,
        person_id=person.id,
        data=PersonCorrectionIn(
            last_name="Thistlewood",
            addresses=[{"address_id": address_id, "postcode": "LS2 9ZZ"}],  # type: ignore[list-item]
            identifiers=[{"scheme": "nhs", "value": "9434765919"}],  # type: ignore[list-item]
            reason="Marriage certificate produced by Ms Thistlewood",
            sar_reference="SAR-2026-00001",
        ),
    )
    db.flush()
    row = db.scalar(select(PersonCorrection))
    assert row is not None
    assert row.fields.split() == ["last_name", f"address:{address_id}", "identifier:nhs"]
    assert row.sar_reference == "SAR-2026-00001"
    # No plaintext anywhere in the row: the old name, the new name, the reason.
    stored = db.execute(
        text("SELECT * FROM person_corrections WHERE id = :id"), {"id": row.id}
    ).one()
    raw = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in stored)
    for secret in (b"Quenby", b"Thistlewood", b"LS1 4AB", b"Marriage"):
        assert secret not in raw
    # Control: the current record holds the corrected name in the clear, so the scan would see it.
    assert db.get(Person, person.id).last_name == "Thistlewood"  # type: ignore[union-attr]

    event = db.scalar(
        select(audit.AuditEvent).where(audit.AuditEvent.tag == RecordsEvent.PERSON_CORRECTED)
    )
    assert event is not None
    details = json.loads(event.details)
    assert details["fields"] == sorted(["last_name", f"address:{address_id}", "identifier:nhs"])
    assert details["sar_reference"] == "sar-2026-00001"
    for secret in ("Quenby", "Thistlewood", "LS1", "Marriage"):
        assert secret not in event.details

    # The IG team opens the history; the read is recorded.
    history = records.correction_history(db, keyring, SYSTEM, person_id=person.id)
    assert history[0].previous == {
        "last_name": "Quenby",
        f"address:{address_id}": {"postcode": "LS1 4AB"},
        "identifier:nhs": None,
    }
    assert history[0].new is not None and history[0].new["last_name"] == "Thistlewood"
    assert history[0].reason == "Marriage certificate produced by Ms Thistlewood"
    assert {i.scheme: i.value for i in db.get(Person, person.id).identifiers} == {  # type: ignore[union-attr]
        IdentifierScheme.NHS: "9434765919"
    }
    reads = db.scalar(
        select(audit.AuditEvent.seq).where(
            audit.AuditEvent.tag == RecordsEvent.PERSON_CORRECTIONS_READ
        )
    )
    assert reads is not None


def test_a_caseworker_sees_which_fields_changed_but_not_the_values(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)
    case = case_with_children(db, keyring, date(2005, 4, 12))
    child = _child_of(db, case.id)
    _correct(db, keyring, child.id, first_name="Eva")
    worker = make_user(db, Role.CASEWORKER)
    records.assign(db, SYSTEM, case_id=case.id, user_id=worker.id)
    history = records.correction_history(
        db, keyring, Actor.user(worker.id, Role.CASEWORKER), person_id=child.id
    )
    assert [h.fields for h in history] == [["first_name"]]
    assert history[0].previous is None and history[0].reason is None


def test_bad_corrections_change_nothing(db: Session, keyring: FileKeyring) -> None:
    person = records.create_person(
        db,
        SYSTEM,
        PersonCreate(
            first_name="Ava",
            last_name="Zielinska",
            date_of_birth=date(2010, 1, 5),
            identifiers=[{"scheme": "nhs", "value": "111"}],  # type: ignore[list-item]
        ),
    )
    other = records.create_person(db, SYSTEM, PersonCreate(first_name="Bo", last_name="Lee"))
    cases = [
        ({"last_name": "Zielinska"}, ValidationFailed),  # nothing differs
        ({"date_of_death": "2009-01-01"}, ValidationFailed),  # before birth
        ({"first_name": None}, ValidationFailed),  # a person keeps a first name
        ({"identifiers": [{"scheme": "nhs", "value": "111"}]}, ValidationFailed),  # same
    ]
    for given, error in cases:
        with pytest.raises(error):
            _correct(db, keyring, person.id, **given)
    with pytest.raises(Conflict):
        _correct(db, keyring, other.id, identifiers=[{"scheme": "nhs", "value": "111"}])
    with pytest.raises(ValueError):
        PersonCorrectionIn.model_validate({"last_name": "X", "reason": ""})
    with pytest.raises(ValueError):
        PersonCorrectionIn.model_validate({"last_name": "X", "reason": "r", "sar_reference": "x"})
    with pytest.raises(Forbidden):
        rectification.correct_person(
            db,
            keyring,
            Actor.user(1, Role.CASEWORKER),
            person_id=person.id,
            data=PersonCorrectionIn(last_name="Moss", reason="because"),
        )
    db.expire_all()
    assert db.get(Person, person.id).last_name == "Zielinska"  # type: ignore[union-attr]
    assert db.scalar(select(PersonCorrection.id)) is None
