"""A request's life through the service: intake, evidence, the clock and its pauses, the
extension's limits, refusal reasons and the second person's approval; nothing personal in the
audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from steward.core.permissions import Role
from steward.sar import service
from steward.sar.clock import Region
from steward.sar.policy import Channel, RequesterType, Status
from steward.sar.schemas import PersonDetails, SarCreate
from tests.factories.core import make_user
from tests.factories.sar import make_request

EW = Region.ENGLAND_AND_WALES


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def test_a_request_gets_a_reference_and_a_clock(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    first = make_request(db, keyring, handler.actor)
    second = make_request(db, keyring, handler.actor)
    assert first.reference == "SAR-2026-00001" and second.reference == "SAR-2026-00002"
    # The oldest requests are destroyed first (two years after closing): numbering goes on
    # from the highest issued, never reusing a number still held by a later request.
    db.delete(first)
    db.flush()
    third = make_request(db, keyring, handler.actor)
    assert third.reference == "SAR-2026-00003"
    assert third.status == Status.RECEIVED
    state = service.clock_of(third)
    assert (state.day_one, state.due_on, state.days_left) == (
        date(2026, 3, 2),
        date(2026, 4, 2),
        13,
    )
    assert third.due_on == date(2026, 4, 2)
    assert service.details(db, keyring, handler.actor, third.id)["requester"]["full_name"] == (
        "Kayleigh Marsden"
    )
    # The name is sealed, and no event of the request's carries it.
    assert b"Marsden" not in third.details_sealed
    events = db.scalars(select(AuditEvent).where(AuditEvent.subject_type == "sar_request")).all()
    assert events and not any("Marsden" in json.dumps(e.details) for e in events)


def test_a_parent_asking_for_a_child_waits_for_authority(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    with pytest.raises(ValueError, match="say who it is about"):
        SarCreate(
            requester_type=RequesterType.PARENT,
            channel=Channel.EMAIL,
            received_on=date(2026, 3, 2),
            requester=PersonDetails(full_name="Dean Marsden"),
        )
    request = make_request(
        db,
        keyring,
        handler.actor,
        requester_type=RequesterType.PARENT,
        subject=PersonDetails(full_name="Tyler Marsden", date_of_birth=date(2015, 6, 1)),
    )
    assert request.status == Status.AWAITING_ID and request.authority_required
    assert service.clock_of(request).day_one is None
    service.evidence_received(db, handler.actor, request.id, authority_on=date(2026, 3, 9))
    assert request.status == Status.SEARCHING
    # Day 1 is the day the authority arrived: due a month after it.
    assert (service.clock_of(request).day_one, request.due_on) == (
        date(2026, 3, 9),
        date(2026, 4, 9),
    )


def test_clarification_stops_the_clock(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    request = make_request(db, keyring, handler.actor)
    service.ask_clarification(db, handler.actor, request.id, asked_on=date(2026, 3, 5))
    assert request.status == Status.CLARIFICATION and service.clock_of(request).stopped
    with pytest.raises(Conflict, match="its own step"):
        service.move(db, keyring, handler.actor, request.id, Status.CLARIFICATION)
    service.clarification_answered(db, handler.actor, request.id, answered_on=date(2026, 3, 10))
    assert request.status == Status.SEARCHING
    assert request.due_on == date(2026, 4, 8)  # the DOMAIN.md example: 6 days paused


def test_an_extension_is_once_before_the_first_deadline_with_reasons(
    db: Session, keyring: FileKeyring
) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    request = make_request(db, keyring, handler.actor)
    with pytest.raises(ValidationFailed):
        service.extend(db, keyring, handler.actor, request.id, reasons="  ")
    service.extend(db, keyring, handler.actor, request.id, reasons="Records span 14 years")
    assert request.due_on == date(2026, 6, 2)
    with pytest.raises(Conflict, match="only once"):
        service.extend(db, keyring, handler.actor, request.id, reasons="again")
    late = make_request(db, keyring, handler.actor, received_on=date(2026, 2, 2))
    with pytest.raises(Conflict, match="has passed"):
        service.extend(db, keyring, handler.actor, late.id, reasons="too late now")


def test_the_response_needs_a_second_person(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    approver = make_user(db, Role.DPO)
    request = make_request(db, keyring, handler.actor)
    with pytest.raises(InvalidTransition):
        service.move(db, keyring, handler.actor, request.id, Status.SENT)
    for step in (Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL):
        service.move(db, keyring, handler.actor, request.id, step)
    with pytest.raises(Forbidden, match="Someone other"):
        service.move(db, keyring, handler.actor, request.id, Status.SENT)
    service.move(db, keyring, approver.actor, request.id, Status.SENT)
    service.move(db, keyring, handler.actor, request.id, Status.CLOSED)
    assert request.closed_on == date(2026, 3, 20)
    assert [s.to_status for s in request.steps] == [
        "received",
        "searching",
        "reviewing",
        "awaiting_approval",
        "sent",
        "closed",
    ]


def test_a_refusal_gives_reasons(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    request = make_request(db, keyring, handler.actor)
    with pytest.raises(ValidationFailed, match="Say why"):
        service.move(db, keyring, handler.actor, request.id, Status.REFUSED)
    service.move(
        db,
        keyring,
        handler.actor,
        request.id,
        Status.REFUSED,
        reasons="Manifestly excessive: the same request weekly since January",
    )
    assert request.status == Status.REFUSED and request.steps[-1].note_sealed
    assert b"weekly" not in request.steps[-1].note_sealed


def test_the_queue_is_due_soonest_first_and_for_the_ig_team_only(
    db: Session, keyring: FileKeyring
) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    later = make_request(db, keyring, handler.actor, received_on=date(2026, 3, 10))
    sooner = make_request(db, keyring, handler.actor, received_on=date(2026, 2, 10))
    closed = make_request(db, keyring, handler.actor)
    service.move(db, keyring, handler.actor, closed.id, Status.WITHDRAWN, reasons="By letter")
    page = service.queue(db, handler.actor)
    assert [r.id for r in page.items] == [sooner.id, later.id] and page.total == 2
    assert [r.id for r in service.queue(db, handler.actor, overdue=True).items] == [sooner.id]
    with pytest.raises(Forbidden):
        service.queue(db, make_user(db, Role.CASEWORKER).actor)
