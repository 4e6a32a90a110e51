"""Restriction of processing (Art 18): while it stands, only the IG team reads the person's
cases, whatever else would give access (assignment, team, break-glass); lifting restores it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.crypto import DataKey, FileKeyring
from steward.core.errors import Conflict, Forbidden, NotFound
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.events import RecordsEvent
from steward.records.models import BreakGlass, Case, PersonCorrection, PersonRestriction
from steward.records.schemas import LiftIn, PersonCorrectionIn, RestrictionIn
from steward.records.service import NeedsBreakGlass
from tests.factories.core import make_user
from tests.factories.records import add_party, make_case, make_document, make_person

SYSTEM = Actor.system()
REASON = "Ms Zielinska contests the accuracy of the 2019 report"


def _setup(db: Session, keyring: FileKeyring) -> tuple[Case, int, int, Actor]:
    case = make_case(db, keyring, team="north")
    child = make_person(db, "Ava", "Zielinska", date(2015, 3, 2))
    add_party(db, case, child)
    document = make_document(db, keyring, case)
    worker = make_user(db, Role.CASEWORKER)
    service.assign(db, SYSTEM, case_id=case.id, user_id=worker.id)
    return case, child.id, document.id, Actor.user(worker.id, Role.CASEWORKER)


def _restrict(db: Session, keyring: FileKeyring, person_id: int) -> None:
    service.restrict_person(
        db,
        keyring,
        SYSTEM,
        person_id=person_id,
        data=RestrictionIn(reason=REASON, sar_reference="SAR-2026-00007"),
    )


def test_a_restriction_shuts_out_the_assigned_caseworker_until_lifted(
    db: Session, keyring: FileKeyring
) -> None:
    case, child_id, document_id, worker = _setup(db, keyring)
    assert service.view_case(db, worker, case.id)[0].id == case.id  # control: they can read it

    _restrict(db, keyring, child_id)

    with pytest.raises(service.CaseRestricted):
        service.view_case(db, worker, case.id)
    with pytest.raises(NotFound):
        service.view_document(db, keyring, worker, document_id)
    with pytest.raises(NotFound):
        service.view_person(db, worker, child_id)
    assert service.my_cases(db, worker).total >= 0  # the list still loads
    visible = db.scalar(
        select(func.count()).select_from(Case).where(service.visible_cases(db, worker))
    )
    assert visible == 0
    assert not [h for h in service.search(db, worker, "Zielinska")]

    for role in (Role.IG_OFFICER, Role.DPO):
        ig = Actor.user(make_user(db, role).id, role)
        assert service.view_case(db, ig, case.id)[0].id == case.id
        assert service.view_person(db, ig, child_id)[0].id == child_id

    service.lift_restriction(
        db, keyring, SYSTEM, person_id=child_id, data=LiftIn(reason="Accuracy now confirmed")
    )
    assert service.view_case(db, worker, case.id)[0].id == case.id
    assert service.view_person(db, worker, child_id)[0].id == child_id


def test_the_team_manager_is_shut_out_too(db: Session, keyring: FileKeyring) -> None:
    case, child_id, _, _ = _setup(db, keyring)
    manager = Actor.user(make_user(db, Role.MANAGER, team="north").id, Role.MANAGER)
    assert service.view_case(db, manager, case.id)[0].id == case.id
    _restrict(db, keyring, child_id)
    with pytest.raises(service.CaseRestricted):
        service.view_case(db, manager, case.id)


def test_break_glass_does_not_override_a_restriction(db: Session, keyring: FileKeyring) -> None:
    case, child_id, _, _ = _setup(db, keyring)
    stranger = Actor.user(make_user(db, Role.CASEWORKER).id, Role.CASEWORKER)
    # Glass broken before the restriction: the open grant no longer reads the case.
    service.break_glass(
        db, keyring, stranger, case_id=case.id, reason="Urgent safeguarding call from the school"
    )
    assert service.view_case(db, stranger, case.id)[0].id == case.id
    _restrict(db, keyring, child_id)
    # The usual answer (no hint of the restriction to someone not given the case)...
    with pytest.raises(NeedsBreakGlass):
        service.view_case(db, stranger, case.id)
    # ...and breaking glass again is refused, without opening anything.
    other = Actor.user(make_user(db, Role.CASEWORKER).id, Role.CASEWORKER)
    with pytest.raises(service.CaseRestricted):
        service.break_glass(
            db, keyring, other, case_id=case.id, reason="Urgent safeguarding call from the school"
        )
    assert db.scalar(select(func.count()).select_from(BreakGlass)) == 1


def test_restricting_and_lifting_are_audited_sealed_and_for_the_ig_team_only(
    db: Session, keyring: FileKeyring
) -> None:
    _, child_id, _, worker = _setup(db, keyring)
    with pytest.raises(Forbidden):
        service.restrict_person(
            db, keyring, worker, person_id=child_id, data=RestrictionIn(reason=REASON)
        )
    _restrict(db, keyring, child_id)
    with pytest.raises(Conflict):
        _restrict(db, keyring, child_id)
    status = service.restriction_status(db, child_id)
    assert status is not None and status.sar_reference == "SAR-2026-00007"
    raw = db.execute(text("SELECT reason FROM person_restrictions")).scalar_one()
    assert b"contests" not in bytes(raw)

    service.lift_restriction(
        db, keyring, SYSTEM, person_id=child_id, data=LiftIn(reason="Accuracy now confirmed")
    )
    with pytest.raises(Conflict):
        service.lift_restriction(
            db, keyring, SYSTEM, person_id=child_id, data=LiftIn(reason="again")
        )
    assert service.restriction_status(db, child_id) is None
    tags = list(
        db.scalars(select(audit.AuditEvent.tag).where(audit.AuditEvent.subject_id == str(child_id)))
    )
    assert tags.count(RecordsEvent.PERSON_RESTRICTED) == 1
    assert tags.count(RecordsEvent.PERSON_RESTRICTION_LIFTED) == 1
    details = " ".join(db.scalars(select(audit.AuditEvent.details)))
    assert "contests" not in details and "confirmed" not in details


def test_destroying_the_persons_case_shreds_their_corrections_and_restrictions(
    db: Session, keyring: FileKeyring
) -> None:
    case, child_id, _, _ = _setup(db, keyring)
    service.correct_person(
        db,
        keyring,
        SYSTEM,
        person_id=child_id,
        data=PersonCorrectionIn(last_name="Moss", reason="Deed poll seen"),
    )
    _restrict(db, keyring, child_id)
    keys = set(db.scalars(select(PersonCorrection.data_key_id))) | set(
        db.scalars(select(PersonRestriction.data_key_id))
    )
    assert len(keys) == 2

    service.destroy_case(db, SYSTEM, case_id=case.id)

    assert db.scalar(select(func.count()).select_from(PersonCorrection)) == 0
    assert db.scalar(select(func.count()).select_from(PersonRestriction)) == 0
    for key_id in keys:
        key = db.get(DataKey, key_id)
        assert key is not None and key.wrapped_key is None and key.destroyed_at is not None
