"""Consultations of partners and professionals: raised with who, why and a due date (who and
why sealed), chased, answered; each on the timeline and in the audit trail with ids and codes
only; overdue ones flagged on the page, which counts them."""

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
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.sar import service
from steward.sar.models import SarConsultation, SarStep, SubjectAccessRequest
from steward.sar.policy import RequesterType, Status
from steward.sar.schemas import PersonDetails
from tests.factories.core import make_user
from tests.factories.sar import make_request

consult = service.consultations
WHO = "Dr Imelda Quarrington, Northshire CAMHS"
WHY = "Letters from the child's therapist: would disclosure cause serious harm?"


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _request(db: Session, keyring: FileKeyring, actor: Actor) -> SubjectAccessRequest:
    return make_request(
        db,
        keyring,
        actor,
        requester_type=RequesterType.CARE_LEAVER,
        requester=PersonDetails(full_name="Tamsin Alderbrook"),
    )


def test_raise_chase_and_answer_a_consultation(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    request = _request(db, keyring, handler.actor)

    raised = consult.raise_consultation(
        db,
        keyring,
        handler.actor,
        request.id,
        kind="professional",
        who=WHO,
        why=WHY,
        due_on=date(2026, 3, 27),
    )
    assert b"Quarrington" not in raised.who_sealed and b"therapist" not in raised.why_sealed
    [shown] = consult.consultations(db, keyring, handler.actor, request.id).items
    assert (shown.who, shown.why, shown.outcome, shown.overdue) == (WHO, WHY, None, False)

    with clock.frozen(datetime(2026, 3, 30, 9, tzinfo=UTC)):
        [late] = consult.consultations(db, keyring, handler.actor, request.id).items
        assert late.overdue and consult.overdue_count(db, handler.actor, request.id) == 1
        consult.chase(db, handler.actor, request.id, raised.id, due_on=date(2026, 4, 3))
        [chased] = consult.consultations(db, keyring, handler.actor, request.id).items
        assert (chased.chases, chased.chased_on, chased.due_on, chased.overdue) == (
            1,
            date(2026, 3, 30),
            date(2026, 4, 3),
            False,
        )
        consult.answer(
            db,
            keyring,
            handler.actor,
            request.id,
            raised.id,
            outcome="object",
            note="Disclosure of the session notes would distress the child",
        )
        with pytest.raises(Conflict, match="already been answered"):
            consult.chase(db, handler.actor, request.id, raised.id)
    [answered] = consult.consultations(db, keyring, handler.actor, request.id).items
    assert (answered.outcome, answered.answered_on, answered.overdue) == (
        consult.Outcome.OBJECT,
        date(2026, 3, 30),
        False,
    )
    kinds = [s.kind for s in db.scalars(select(SarStep).where(SarStep.request_id == request.id))]
    assert kinds[-3:] == [
        "sar:consultation:raised",
        "sar:consultation:chased",
        "sar:consultation:answered",
    ]
    events = db.scalars(select(AuditEvent).where(AuditEvent.tag.like("sar:consultation:%"))).all()
    assert {e.tag for e in events} >= {
        "sar:consultation:raised",
        "sar:consultation:chased",
        "sar:consultation:answered",
        "sar:consultation:read",
    }
    text = json.dumps([e.details for e in events])
    assert "Quarrington" not in text and "therapist" not in text and "distress" not in text


def test_bad_input_is_refused_and_changes_nothing(db: Session, keyring: FileKeyring) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    request = _request(db, keyring, handler.actor)
    good = {
        "kind": "court",
        "who": "Family court",
        "why": "Court papers",
        "due_on": date(2026, 4, 1),
    }
    for change, field in [
        ({"kind": "neighbour"}, "kind"),
        ({"who": "   "}, "who"),
        ({"why": ""}, "why"),
        ({"due_on": None}, "due_on"),
        ({"due_on": date(2026, 3, 19)}, "due_on"),
        ({"who": "x" * 201}, "who"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            consult.raise_consultation(
                db,
                keyring,
                handler.actor,
                request.id,
                **(good | change),  # type: ignore[arg-type]
            )
        assert field in caught.value.errors
    assert not db.scalars(select(SarConsultation)).all()
    raised = consult.raise_consultation(db, keyring, handler.actor, request.id, **good)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        consult.answer(db, keyring, handler.actor, request.id, raised.id, outcome="maybe")
    with pytest.raises(ValidationFailed):
        consult.answer(
            db,
            keyring,
            handler.actor,
            request.id,
            raised.id,
            outcome="agree",
            answered_on=date(2026, 3, 21),
        )
    other = _request(db, keyring, handler.actor)
    with pytest.raises(NotFound):
        consult.chase(db, handler.actor, other.id, raised.id)
    service.move(db, keyring, handler.actor, request.id, Status.WITHDRAWN, reasons="Withdrawn")
    with pytest.raises(Conflict, match="finished"):
        consult.raise_consultation(db, keyring, handler.actor, request.id, **good)  # type: ignore[arg-type]
    caseworker = make_user(db, Role.CASEWORKER)
    with pytest.raises(Forbidden):
        consult.consultations(db, keyring, caseworker.actor, request.id)
