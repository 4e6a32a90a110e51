"""Holds by case, person and record class; the subject access request hold; the due list."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.identity import service as identity
from steward.records.models import Party, PartyRole
from steward.retention.events import RetentionAudit
from steward.retention.models import RecordKind
from steward.retention.service import dates, disposal, holds
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule

AS_OF = date(2040, 1, 1)


def _held(db: Session) -> dict[str, bool]:
    return {r.identifier: r.held for r in dates.due(db, Actor.system(), as_of=AS_OF)}


def test_each_scope_holds_what_it_says(db: Session, keyring: FileKeyring) -> None:
    a, b, c = (case_with_children(db, keyring, date(2010, 1, 1)) for _ in range(3))
    default_schedule(db)
    officer = make_user(db, Role.IG_OFFICER).actor
    assert not any(_held(db).values())

    by_case = holds.place_hold(
        db,
        officer,
        keyring,
        kind="litigation",
        scope="case",
        targets=[a.case_number.lower()],
        reason="Claim for damages issued",
        reference="CLAIM-1",
    )
    child_b = db.scalar(
        select(Party.person_id).where(Party.case_id == b.id, Party.role == PartyRole.CHILD_SUBJECT)
    )
    assert child_b is not None
    holds.place_hold(
        db,
        officer,
        keyring,
        kind="police",
        scope="person",
        targets=[child_b],
        reason="Police request received",
    )
    held = _held(db)
    assert (held[a.case_number], held[b.case_number], held[c.case_number]) == (True, True, False)

    holds.release_hold(db, officer, keyring, hold_id=by_case.id, reason="Claim settled and closed")
    assert _held(db)[a.case_number] is False
    with pytest.raises(Conflict):
        holds.release_hold(
            db, officer, keyring, hold_id=by_case.id, reason="Claim settled and closed"
        )

    holds.place_hold(
        db,
        officer,
        keyring,
        kind="inquiry",
        scope="record_class",
        targets=["CASE"],
        reason="Public inquiry covering all case files",
    )
    assert all(_held(db).values())  # CASE covers CASE.PRIVATE beneath it
    assert holds.is_held(db, RecordKind.CASE, c.id)
    tags = db.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("retention:hold:%"))).all()
    assert (
        tags.count(RetentionAudit.HOLD_PLACED) == 3
        and tags.count(RetentionAudit.HOLD_RELEASED) == 1
    )
    details = db.scalars(
        select(AuditEvent.details).where(AuditEvent.tag == RetentionAudit.HOLD_PLACED)
    ).all()
    assert not any("Police" in d or "inquiry covering" in d for d in details)


def test_held_records_are_left_off_a_disposal_list(db: Session, keyring: FileKeyring) -> None:
    a, b = (case_with_children(db, keyring, date(2010, 1, 1)) for _ in range(2))
    default_schedule(db)
    officer = make_user(db, Role.IG_OFFICER).actor
    holds.place_hold(
        db,
        officer,
        keyring,
        kind="complaint",
        scope="case",
        targets=[a.case_number],
        reason="Complaint under investigation",
    )
    listed = disposal.propose(db, officer, as_of=AS_OF)
    assert [i.identifier for i in listed.items] == [b.case_number]


def test_a_subject_access_request_holds_its_subject_until_closed(
    db: Session, keyring: FileKeyring
) -> None:
    case = case_with_children(db, keyring, date(2010, 1, 1))
    default_schedule(db)
    subject = db.scalar(
        select(Party.person_id).where(Party.case_id == case.id, Party.role == PartyRole.PARENT)
    )
    assert subject is not None
    with pytest.raises(Forbidden):
        holds.hold_for_subject_access(
            db,
            make_user(db, Role.CASEWORKER).actor,
            keyring,
            sar_reference="sar-1",
            person_ids=[subject],
        )
    officer = make_user(db, Role.IG_OFFICER).actor
    hold = holds.hold_for_subject_access(
        db, officer, keyring, sar_reference="sar-1", person_ids=[subject]
    )
    assert hold.kind == "subject_access_request" and _held(db)[case.case_number]
    assert holds.release_subject_access(db, officer, keyring, sar_reference="sar-1") == 1
    assert not _held(db)[case.case_number]


def test_bad_holds_change_nothing(db: Session, keyring: FileKeyring) -> None:
    default_schedule(db)
    officer = make_user(db, Role.IG_OFFICER).actor
    with pytest.raises(ValidationFailed, match="nothing was held"):
        holds.place_hold(
            db,
            officer,
            keyring,
            kind="litigation",
            scope="case",
            targets=["NOPE0001"],
            reason="A real reason",
        )
    with pytest.raises(ValidationFailed):
        holds.place_hold(
            db, officer, keyring, kind="grudge", scope="case", targets=["X"], reason="A real reason"
        )
    with pytest.raises(ValidationFailed):
        holds.place_hold(
            db,
            officer,
            keyring,
            kind="police",
            scope="record_class",
            targets=["CASE"],
            reason="short",
        )
    with pytest.raises(Forbidden):
        holds.place_hold(
            db,
            make_user(db, Role.CASEWORKER).actor,
            keyring,
            kind="police",
            scope="record_class",
            targets=["CASE"],
            reason="A real reason",
        )
    assert holds.list_holds(db, officer) == []


def test_a_person_hold_follows_merges_while_they_stand(db: Session, keyring: FileKeyring) -> None:
    """Three records of one mother (one per case, merged A-B and B-C): a subject access hold
    placed on A holds all three cases; undoing a merge lets go of what it brought in."""
    cases = [case_with_children(db, keyring, date(2010, 1, 1)) for _ in range(4)]
    default_schedule(db)
    mother = [
        db.scalar(
            select(Party.person_id).where(Party.case_id == c.id, Party.role == PartyRole.PARENT)
        )
        for c in cases[:3]
    ]
    officer = make_user(db, Role.IG_OFFICER).actor
    first = identity.merge_persons(
        db, actor=officer, person_id=mother[0], other_person_id=mother[1]
    )
    identity.merge_persons(db, actor=officer, person_id=mother[2], other_person_id=mother[1])
    holds.hold_for_subject_access(
        db, officer, keyring, sar_reference="SAR-2026-00001", person_ids=[mother[0]]
    )
    held = _held(db)
    assert [held[c.case_number] for c in cases] == [True, True, True, False]
    assert holds.is_held(db, RecordKind.CASE, cases[2].id)
    identity.unmerge_persons(db, actor=officer, merge_id=first.id)
    held = _held(db)
    assert [held[c.case_number] for c in cases] == [True, False, False, False]
