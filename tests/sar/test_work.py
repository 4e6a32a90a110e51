"""The team's work on requests through the service: the queue's filters, the home page's
counts, handing a request to another handler, the timeline with its notes unsealed, the task
lists and the decision, and the subject-access hold released when a request finishes."""

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
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.retention.models import Hold
from steward.retention.service import holds
from steward.sar import policy, service
from steward.sar.events import SarEvent
from steward.sar.models import SarDecision, SarTask, SubjectAccessRequest
from steward.sar.policy import Channel, Outcome, RequesterType, Right, Status
from tests.factories.core import make_user
from tests.factories.records import make_person
from tests.factories.sar import make_request


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _new(
    db: Session, keyring: FileKeyring, actor: Actor, **changes: object
) -> SubjectAccessRequest:
    return make_request(db, keyring, actor, channel=Channel.EMAIL, **changes)


def test_the_queue_filters_by_requester_type_and_due_soon(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    own = _new(db, keyring, officer, received_on=date(2026, 2, 25))  # due 25 March
    leaver = _new(db, keyring, officer, requester_type=RequesterType.CARE_LEAVER)
    listed = service.queue(db, officer, requester_type=RequesterType.CARE_LEAVER)
    assert [r.id for r in listed.items] == [leaver.id]
    soon = service.queue(db, officer, due_within_days=7)
    assert [r.id for r in soon.items] == [own.id]
    counts = service.due_counts(db, officer)
    assert (counts.overdue, counts.due_soon) == (0, 1)
    _new(db, keyring, officer, received_on=date(2026, 1, 5))
    assert service.due_counts(db, officer).overdue == 1
    with pytest.raises(Forbidden):
        service.due_counts(db, make_user(db, Role.CASEWORKER).actor)


def test_a_request_goes_only_to_someone_who_handles_requests(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    dpo = make_user(db, Role.DPO)
    caseworker = make_user(db, Role.CASEWORKER)
    request = _new(db, keyring, officer.actor)
    names = {h.username for h in service.handlers(db, officer.actor)}
    assert {officer.username, dpo.username} <= names and caseworker.username not in names
    with pytest.raises(ValidationFailed):
        service.assign(db, officer.actor, request.id, user_id=caseworker.id)
    assert request.handler_user_id == officer.id
    service.assign(db, officer.actor, request.id, user_id=dpo.id)
    assert request.handler_user_id == dpo.id
    step = service.timeline(db, keyring, officer.actor, request.id)[0]
    assert (step.kind, step.by) == (SarEvent.ASSIGNED, officer.username)


def test_the_timeline_reads_newest_first_with_notes_unsealed_and_audited(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = _new(db, keyring, officer.actor)
    service.move(
        db, keyring, officer.actor, request.id, Status.WITHDRAWN, reasons="No longer wanted"
    )
    steps = service.timeline(db, keyring, officer.actor, request.id)
    assert [s.kind for s in steps] == [SarEvent.MOVED, SarEvent.RECEIVED]
    assert steps[0].note == "No longer wanted" and steps[0].status_changed
    assert (steps[0].from_status, steps[0].to_status) == (Status.RECEIVED, Status.WITHDRAWN)
    reads = db.scalars(
        select(AuditEvent).where(
            AuditEvent.tag == SarEvent.READ, AuditEvent.subject_id == str(request.id)
        )
    ).all()
    assert reads and all("longer" not in e.details for e in reads)


def test_every_right_has_a_task_list_ending_in_a_reply() -> None:
    for right in Right:
        codes = [t.code for t in policy.TASKS[right]]
        assert codes and codes[-1] == "reply" and len(set(codes)) == len(codes)
    art19 = {t.code for t in policy.TASKS[Right.RECTIFICATION]}
    assert "tell_recipients" in art19


def test_tasks_are_ticked_once_each_and_only_from_the_right_s_list(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = _new(db, keyring, officer.actor, right=Right.ERASURE)
    with pytest.raises(ValidationFailed):
        service.complete_tasks(db, officer.actor, request.id, ["correct_record"])  # rectification's
    with pytest.raises(ValidationFailed):
        service.complete_tasks(db, officer.actor, request.id, [])
    service.complete_tasks(db, officer.actor, request.id, ["check_grounds", "check_exceptions"])
    with pytest.raises(Conflict):
        service.complete_tasks(db, officer.actor, request.id, ["check_grounds"])
    states = {t.code: t for t in service.tasks_of(db, officer.actor, request.id)}
    assert states["check_grounds"].done and states["check_grounds"].done_by == officer.username
    assert not states["erase"].done
    assert len(db.scalars(select(SarTask).where(SarTask.request_id == request.id)).all()) == 2
    events = db.scalars(select(AuditEvent).where(AuditEvent.tag == SarEvent.TASK_DONE)).all()
    assert len(events) == 2


def test_the_decision_is_recorded_once_with_sealed_reasons(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = _new(db, keyring, officer.actor, right=Right.OBJECTION)
    assert service.decision_of(db, keyring, officer.actor, request.id) is None
    with pytest.raises(ValidationFailed):
        service.decide(db, keyring, officer.actor, request.id, outcome="maybe", reasons="x")
    with pytest.raises(ValidationFailed):
        service.decide(db, keyring, officer.actor, request.id, outcome=Outcome.REFUSED, reasons=" ")
    reasons = "Compelling grounds: the court ordered the report to be kept (Mrs Marsden)"
    service.decide(db, keyring, officer.actor, request.id, outcome=Outcome.REFUSED, reasons=reasons)
    with pytest.raises(Conflict):
        service.decide(db, keyring, officer.actor, request.id, outcome=Outcome.DONE, reasons="y")
    view = service.decision_of(db, keyring, officer.actor, request.id)
    assert view is not None and (view.outcome, view.reasons) == (Outcome.REFUSED, reasons)
    sealed = db.scalar(select(SarDecision.reasons_sealed))
    assert sealed and b"Marsden" not in sealed
    decided = db.scalar(select(AuditEvent).where(AuditEvent.tag == SarEvent.DECIDED))
    assert decided is not None and json.loads(decided.details) == {"outcome": "refused"}
    service.move(db, keyring, officer.actor, request.id, Status.WITHDRAWN, reasons="Withdrawn")
    with pytest.raises(Conflict):
        service.complete_tasks(db, officer.actor, request.id, ["reply"])


@pytest.mark.parametrize(
    ("path", "reasons"),
    [
        ([Status.WITHDRAWN], "Withdrawn by letter"),
        ([Status.REFUSED], "Manifestly excessive"),
        (
            [Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL, Status.SENT],
            None,
        ),
    ],
)
def test_a_finished_request_releases_its_subject_access_hold(
    db: Session, keyring: FileKeyring, path: list[Status], reasons: str | None
) -> None:
    officer, dpo = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    request = _new(db, keyring, officer.actor)
    person = make_person(db, "Kayleigh", "Marsden")
    hold = holds.hold_for_subject_access(
        db, officer.actor, keyring, sar_reference=request.reference, person_ids=[person.id]
    )
    other = holds.hold_for_subject_access(
        db, officer.actor, keyring, sar_reference="SAR-2026-99999", person_ids=[person.id]
    )
    for to in path:
        assert hold.released_at is None  # held while the request is still open
        actor = dpo.actor if to is Status.SENT else officer.actor
        service.move(db, keyring, actor, request.id, to, reasons=reasons)
    if path[-1] is Status.SENT:
        assert hold.released_at is None  # sent, not yet closed: still held
        service.move(db, keyring, officer.actor, request.id, Status.CLOSED)
    db.refresh(hold)
    assert hold.released_at is not None
    assert db.get(Hold, other.id).released_at is None  # type: ignore[union-attr]
