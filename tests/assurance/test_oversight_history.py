"""Who has looked at this child's record: every read and change, with who, when, what and
under which access, and nothing about any other case."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.oversight.events import OversightEvent
from steward.assurance.oversight.policy import AccessKind
from steward.assurance.oversight.service import history
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Role
from steward.records import service as records
from tests.assurance.oversight_helpers import scene
from tests.factories.core import make_user


def _lines(db: Session, reader_role: Role, **asked: object) -> list[history.HistoryLine]:
    reader = make_user(db, reader_role)
    subject = history.find_subject(db, reader.actor, **asked)  # type: ignore[arg-type]
    return list(history.history(db, reader.actor, subject, PageRequest(size=500)).items)


def test_a_case_history_has_each_read_with_its_access_and_the_changes(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    lines = _lines(db, Role.AUDITOR, case_number=s.case.case_number)
    views = {(line.who, line.access) for line in lines if line.tag == "records:case:viewed"}
    assert views == {
        (s.assigned.username, AccessKind.ASSIGNED),
        (s.manager.username, AccessKind.TEAM),
        (s.ig.username, AccessKind.IG_DUTY),
        (s.glass.username, AccessKind.BREAK_GLASS),
    }
    document_read = [line for line in lines if line.tag == "records:document:viewed"]
    assert [(line.who, line.access, line.kind) for line in document_read] == [
        (s.glass.username, AccessKind.BREAK_GLASS, "Read")
    ]
    assert s.case.case_number in document_read[0].about
    changes = {line.tag for line in lines if line.kind == "Change"}
    assert {"records:case:created", "records:document:added"} <= changes
    # Newest first, and nothing about the other case.
    assert [line.seq for line in lines] == sorted((line.seq for line in lines), reverse=True)
    assert all(s.other.case_number not in line.about for line in lines)


def test_a_persons_history_covers_their_record_and_their_cases(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    lines = _lines(db, Role.DPO, person_id=s.child.id)
    tags = {line.tag for line in lines}
    assert {"records:person:viewed", "records:case:viewed", "records:document:viewed"} <= tags
    person_read = next(line for line in lines if line.tag == "records:person:viewed")
    assert person_read.who == s.ig.username and person_read.access is AccessKind.IG_DUTY
    assert all(s.other.case_number not in line.about for line in lines)


def test_every_read_keeps_the_access_it_had_when_the_assignment_is_gone(
    db: Session, keyring: FileKeyring
) -> None:
    """A document read and a person read record their access as they happen: taking the
    caseworker off the case later does not turn their earlier reads into "no access found"."""
    s = scene(db, keyring)
    records.view_document(db, keyring, s.assigned.actor, s.document.id)
    records.download_document(db, keyring, s.assigned.actor, s.document.id)
    records.view_person(db, s.assigned.actor, s.child.id)
    records.unassign(db, s.manager.actor, case_id=s.case.id, user_id=s.assigned.id)
    lines = _lines(db, Role.DPO, person_id=s.child.id)
    reads = {
        line.tag: line.access
        for line in lines
        if line.who == s.assigned.username and line.kind == "Read"
    }
    assert reads == {
        "records:case:viewed": AccessKind.ASSIGNED,
        "records:document:viewed": AccessKind.ASSIGNED,
        "records:document:downloaded": AccessKind.ASSIGNED,
        "records:person:viewed": AccessKind.ASSIGNED,
    }


def test_reading_a_history_is_recorded_and_shows_in_the_next_reading(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    auditor = make_user(db, Role.AUDITOR)
    subject = history.find_subject(db, auditor.actor, case_id=s.case.id)
    history.history(db, auditor.actor, subject)
    recorded = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == OversightEvent.ACCESS_HISTORY_READ.value)
    ).all()
    assert [(e.actor_id, e.subject_type, e.subject_id) for e in recorded] == [
        (auditor.id, "case", str(s.case.id))
    ]
    again = history.history(db, auditor.actor, subject).items
    assert again[0].access is AccessKind.OVERSIGHT and again[0].who == auditor.username


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.MANAGER, Role.IG_OFFICER, Role.ADMIN, Role.PARTNER]
)
def test_only_readers_of_the_audit_trail_see_a_history(
    db: Session, keyring: FileKeyring, role: Role
) -> None:
    s = scene(db, keyring)
    with pytest.raises(Forbidden):
        _lines(db, role, case_id=s.case.id)


@pytest.mark.parametrize(
    "asked",
    [
        {},
        {"case_number": "NO-SUCH-CASE"},
        {"case_number": "=cmd|' /C calc'!A0"},
        {"person_id": 999_999},
    ],
)
def test_a_record_that_is_not_there_is_refused_with_a_message(
    db: Session, asked: dict[str, object]
) -> None:
    auditor = make_user(db, Role.AUDITOR)
    before = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    with pytest.raises(ValidationFailed) as refused:
        history.find_subject(db, auditor.actor, **asked)  # type: ignore[arg-type]
    assert refused.value.errors
    after = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert after == before


def test_the_export_has_the_whole_history_and_is_recorded(
    db: Session, keyring: FileKeyring
) -> None:
    s = scene(db, keyring)
    auditor = make_user(db, Role.AUDITOR)
    subject = history.find_subject(db, auditor.actor, case_id=s.case.id)
    shown = history.history(db, auditor.actor, subject, PageRequest(size=2))
    exported = list(history.export(db, auditor.actor, subject))
    # The export adds its own record (and the page's reading) to what was counted.
    assert len(exported) == shown.total + 2
    assert exported[0].tag == OversightEvent.ACCESS_HISTORY_EXPORTED.value
