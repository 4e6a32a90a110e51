"""A certificate per completion: the person, their manager and those who see training
compliance may have it; to anyone else it is as missing. It states who, what, which version,
when, the score, how, and a reference Steward can confirm; issuing it is audited."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session

from steward.core.errors import Forbidden, NotFound
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.training import module_files
from steward.training.events import TrainingEvent
from steward.training.policy import Source
from steward.training.service import certificates, elearning
from tests.factories.core import make_user
from tests.factories.training import complete, make_course, make_staff
from tests.sar.test_letters import flat, pdf_text
from tests.training.elearning_helpers import INDUCTION, answers, events, synced, trainee

ORG = "Northshire Family Advice"


def _passed(db: Session, user_actor: Actor) -> int:
    _, attempt = elearning.start(db, user_actor, INDUCTION)
    result = elearning.submit(
        db, user_actor, attempt.id, answers(module_files.shipped()[INDUCTION], wrong=1)
    )
    assert result.completion is not None
    return result.completion.id


def test_the_certificate_states_who_what_when_the_score_and_a_reference(db: Session) -> None:
    synced(db)
    user, person = trainee(db)
    person.name = "Amara <Okafor> & Co"
    completion_id = _passed(db, user.actor)
    issued = certificates.issue(db, user.actor, completion_id, organisation=ORG)
    text = flat(pdf_text(issued.data))
    for expected in (
        ORG,
        "Certificate of completion",
        "Amara <Okafor> & Co",
        "Data protection induction",
        "DP-INDUCTION, version 1",
        "Score 87% (pass mark 80%)",
        "Built-in e-learning module, assessed in Steward",
        f"Verification reference: {issued.reference}",
    ):
        assert expected in text, expected
    assert issued.reference.startswith(f"TRN-{completion_id:06d}-")
    assert issued.filename == f"certificate-dp-induction-{completion_id}.pdf"
    (event,) = events(db, TrainingEvent.CERTIFICATE_ISSUED)
    assert event.subject_id == str(completion_id)
    assert "Okafor" not in event.details
    assert json.loads(event.details) == {"staff_id": person.id, "course_id": _course_id(db)}


def _course_id(db: Session) -> int:
    course = elearning.course_of(db, INDUCTION)
    assert course is not None
    return course.id


def test_the_person_their_manager_and_compliance_viewers_may_have_it_nobody_else(
    db: Session,
) -> None:
    synced(db)
    # Their line manager, whose account's role is a caseworker's: it is the line that counts.
    boss_user, boss = trainee(db, Role.CASEWORKER)
    user, _ = trainee(db, manager=boss)
    completion_id = _passed(db, user.actor)
    allowed = [
        user.actor,
        boss_user.actor,
        make_user(db, Role.DPO).actor,
        make_user(db, Role.MANAGER).actor,
        make_user(db, Role.AUDITOR).actor,
        Actor.system(),
    ]
    for actor in allowed:
        assert certificates.issue(db, actor, completion_id, organisation=ORG).data[:4] == b"%PDF"
    colleague, _ = trainee(db)
    # A line manager, but of someone else (their account's role sees no one's compliance).
    other_boss, other_boss_staff = trainee(db, Role.CASEWORKER)
    trainee(db, manager=other_boss_staff)
    others = (colleague, other_boss, make_user(db, Role.ADMIN), make_user(db))
    for actor in (o.actor for o in others):
        with pytest.raises(NotFound, match="no such certificate"):
            certificates.issue(db, actor, completion_id, organisation=ORG)
    with pytest.raises(NotFound, match="no such certificate"):
        certificates.issue(db, user.actor, 987_654, organisation=ORG)


def test_a_completion_from_any_source_has_a_certificate(db: Session) -> None:
    course = make_course(db, code="FIRE-SAFETY", title="Fire safety", pass_mark=None)
    person = make_staff(db, name="Jo Lee")
    complete(db, person, course, date(2026, 2, 3), source=Source.MANUAL)
    (done,) = certificates.completed(db, person.id, PageRequest()).items
    issued = certificates.issue(db, Actor.system(), done.id, organisation=ORG)
    text = flat(pdf_text(issued.data))
    assert "Not scored" in text and "Recorded by a manager" in text and "3 February 2026" in text


def test_a_reference_is_confirmed_only_as_issued(db: Session) -> None:
    synced(db)
    user, person = trainee(db)
    completion_id = _passed(db, user.actor)
    reference = certificates.issue(db, user.actor, completion_id, organisation=ORG).reference
    dpo = make_user(db, Role.DPO).actor
    found = certificates.check(db, dpo, reference.lower())
    assert found is not None
    assert (found.completion_id, found.staff_number, found.course_code, found.score) == (
        completion_id,
        person.staff_number,
        "DP-INDUCTION",
        87,
    )
    forged = reference[:-1] + ("0" if reference[-1] != "0" else "1")
    for wrong in (forged, f"TRN-{completion_id + 1:06d}-{reference[-8:]}", "nonsense", ""):
        assert certificates.check(db, dpo, wrong) is None
    assert len(events(db, TrainingEvent.CERTIFICATE_CHECKED)) == 1
    with pytest.raises(Forbidden):
        certificates.check(db, user.actor, reference)
