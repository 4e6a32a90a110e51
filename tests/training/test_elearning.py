"""Taking a built-in module: below the pass mark nothing is completed and the person sees
which questions were wrong (never the answers); a pass completes the course once; every
attempt is kept; nobody answers for anyone else; an account with no staff record is told why."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Role
from steward.training import module_files
from steward.training.events import TrainingEvent
from steward.training.models import Attempt, Completion
from steward.training.policy import RequirementKind, Source
from steward.training.service import elearning, gate
from tests.factories.core import make_user
from tests.factories.training import make_requirement
from tests.training.elearning_helpers import INDUCTION, answers, events, synced, trainee

MODULE = module_files.shipped()[INDUCTION]


def _completions(db: Session, staff_id: int) -> list[Completion]:
    return list(db.scalars(select(Completion).where(Completion.staff_id == staff_id)))


def test_below_the_pass_mark_nothing_is_completed_and_the_wrong_questions_are_named(
    db: Session,
) -> None:
    synced(db)
    user, person = trainee(db)
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    # Two wrong of eight is 75%, under the pass mark of 80.
    result = elearning.submit(db, user.actor, attempt.id, answers(MODULE, wrong=2))
    assert (result.score, result.passed, result.correct, result.asked) == (75, False, 6, 8)
    assert [q.id for q in result.wrong] == ["q1", "q2"]
    assert result.wrong[0].read_again is not None
    assert result.completion is None
    assert _completions(db, person.id) == []
    assert attempt.passed is False and attempt.submitted_at is not None


def test_one_wrong_still_passes_and_completes_the_course_once(db: Session) -> None:
    synced(db)
    user, person = trainee(db)
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    result = elearning.submit(db, user.actor, attempt.id, answers(MODULE, wrong=1))
    assert (result.score, result.passed) == (87, True)
    (completion,) = _completions(db, person.id)
    assert result.completion is completion
    assert (completion.source, completion.score, completion.attempt_id) == (
        Source.E_LEARNING.value,
        87,
        attempt.id,
    )
    assert completion.completed_on == clock.today()
    assert completion.course_version == MODULE.version
    # The same answers sent again are refused; nothing more is completed.
    with pytest.raises(Conflict, match="already been sent"):
        elearning.submit(db, user.actor, attempt.id, answers(MODULE))
    # Taken again and passed the same day: the attempt is kept, the completion counts once.
    _, again = elearning.start(db, user.actor, INDUCTION)
    assert again.id != attempt.id
    second = elearning.submit(db, user.actor, again.id, answers(MODULE))
    assert second.passed and second.completion is not None
    assert second.completion.id == completion.id
    assert len(_completions(db, person.id)) == 1
    assert len(events(db, TrainingEvent.COMPLETION_RECORDED)) == 1


def test_every_attempt_is_kept_and_audited_without_its_answers(db: Session) -> None:
    synced(db)
    user, person = trainee(db)
    for wrong in (3, 2, 0):
        _, attempt = elearning.start(db, user.actor, INDUCTION)
        elearning.submit(db, user.actor, attempt.id, answers(MODULE, wrong=wrong))
    kept = db.scalars(select(Attempt).where(Attempt.staff_id == person.id).order_by(Attempt.id))
    assert [(a.score, a.passed) for a in kept] == [(62, False), (75, False), (100, True)]
    course = elearning.course_of(db, INDUCTION)
    assert course is not None
    total, latest = elearning.attempts(db, person.id, course.id, latest=2)
    assert (total, [a.score for a in latest]) == (3, [100, 75])
    started = events(db, TrainingEvent.ATTEMPT_STARTED)
    submitted = events(db, TrainingEvent.ATTEMPT_SUBMITTED)
    assert len(started) == len(submitted) == 3
    details = json.loads(submitted[0].details)
    assert details | {"course_id": 0, "staff_id": 0} == {
        "staff_id": 0,
        "course_id": 0,
        "version": 1,
        "asked": 8,
        "correct": 5,
        "score": 62,
        "passed": False,
    }
    assert not any("answers" in e.details or "q1" in e.details for e in submitted)


def test_opening_a_module_again_takes_up_the_attempt_left_open(db: Session) -> None:
    synced(db)
    user, _ = trainee(db)
    first = elearning.offer(db, user.actor, INDUCTION).attempt
    again = elearning.offer(db, user.actor, INDUCTION).attempt
    assert first is not None and again is not None and first.id == again.id
    assert len(events(db, TrainingEvent.ATTEMPT_STARTED)) == 1


def test_an_unanswered_question_is_refused_and_the_attempt_stays_open(db: Session) -> None:
    synced(db)
    user, person = trainee(db)
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    partial = answers(MODULE) | {"q3": None}
    del partial["q5"]
    with pytest.raises(ValidationFailed) as refused:
        elearning.submit(db, user.actor, attempt.id, partial)
    assert refused.value.errors == {
        "q3": "Choose an answer to question 3",
        "q5": "Choose an answer to question 5",
    }
    assert attempt.submitted_at is None and attempt.answers is None
    with pytest.raises(ValidationFailed):
        elearning.submit(db, user.actor, attempt.id, answers(MODULE) | {"q1": 9})
    with pytest.raises(ValidationFailed, match="not for this module"):
        elearning.submit(db, user.actor, attempt.id, answers(MODULE) | {"q99": 0})
    assert _completions(db, person.id) == []


def test_nobody_sends_or_reads_anyone_elses_attempt(db: Session) -> None:
    synced(db)
    user, _ = trainee(db)
    other, _ = trainee(db)
    manager = make_user(db, Role.DPO)
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    for actor in (other.actor, manager.actor):
        with pytest.raises(NotFound, match="no such attempt"):
            elearning.submit(db, actor, attempt.id, answers(MODULE))
        with pytest.raises(NotFound, match="no such attempt"):
            elearning.result(db, actor, attempt.id)
    assert attempt.submitted_at is None


def test_an_account_without_a_staff_record_is_told_why(db: Session) -> None:
    synced(db)
    user = make_user(db, Role.CASEWORKER)
    offered = elearning.offer(db, user.actor, INDUCTION)
    assert offered.attempt is None and offered.reason == elearning.NOT_LINKED
    with pytest.raises(Conflict, match="not linked to a member of staff"):
        elearning.start(db, user.actor, INDUCTION)
    assert db.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_module_not_in_the_catalogue_cannot_be_taken(db: Session) -> None:
    user, _ = trainee(db)
    offered = elearning.offer(db, user.actor, INDUCTION)
    assert offered.attempt is None and offered.reason == elearning.NOT_IN_CATALOGUE
    with pytest.raises(NotFound):
        elearning.offer(db, user.actor, "no-such-module")


def test_a_new_version_released_mid_attempt_asks_for_a_fresh_start(db: Session) -> None:
    synced(db)
    user, _ = trainee(db)
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    attempt.course_version = 0  # as if started on the version before
    with pytest.raises(Conflict, match="changed since you started"):
        elearning.submit(db, user.actor, attempt.id, answers(MODULE))


def test_passing_the_induction_module_opens_the_gate(db: Session) -> None:
    synced(db)
    user, _ = trainee(db)
    course = elearning.course_of(db, INDUCTION)
    assert course is not None
    make_requirement(db, course, kind=RequirementKind.INDUCTION, starts_on=date(2020, 1, 1))
    gate.forget(db)
    assert gate.state(db, user.id).closed
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    elearning.submit(db, user.actor, attempt.id, answers(MODULE, wrong=2))
    assert gate.state(db, user.id).closed
    _, attempt = elearning.start(db, user.actor, INDUCTION)
    elearning.submit(db, user.actor, attempt.id, answers(MODULE))
    assert not gate.state(db, user.id).closed
