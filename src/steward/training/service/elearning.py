"""Taking a built-in module: start an attempt, answer the quiz, be scored against the course's
pass mark. Every attempt is kept, passed or not; a pass is recorded as a completion through
``completions.record`` (the only way one is added), below the pass mark nothing is completed
and the person may try again.

After an attempt a person sees which questions they got wrong and the section to read again,
never the right answers: the quiz is how they show they learnt it, and the answers handed
out after a failed try would make the next try a copy. Audit events carry the attempt's ids,
score and counts, never the answers given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor
from steward.training import module_files, policy
from steward.training.events import TrainingEvent
from steward.training.models import Attempt, Completion, Course, StaffMember
from steward.training.module_files import Module, Question
from steward.training.policy import Source
from steward.training.service import completions, staff

SUBJECT_TYPE = "training_attempt"

NOT_LINKED = (
    "Your account is not linked to a member of staff on the organisation's staff list, so "
    "Steward cannot record a module you take. Ask your training administrator to link it "
    "(the staff list from HR links an account by its work email)."
)
NOT_IN_CATALOGUE = (
    "This module's course is not in the training catalogue (or has been retired), so it "
    "cannot be taken. Ask your training administrator to bring the built-in modules into the "
    "catalogue."
)
OUT_OF_STEP = (
    "This module has a new version that is not in the training catalogue yet, so it cannot "
    "be taken until it is. Ask your training administrator to bring the built-in modules into "
    "the catalogue."
)
CHANGED = "This module has changed since you started it. Open it again to take the new version."


@dataclass(frozen=True, slots=True)
class Offered:
    """A module as a person meets it: whether they can take it, and if not, why."""

    module: Module
    course: Course | None
    staff: StaffMember | None
    attempt: Attempt | None  # the attempt the quiz form answers (None: cannot take it)
    reason: str | None  # why it cannot be taken


@dataclass(frozen=True, slots=True)
class Result:
    attempt: Attempt
    course: Course
    module: Module | None  # None: the module has moved on to a newer version since
    asked: int
    correct: int
    wrong: tuple[Question, ...]
    completion: Completion | None

    @property
    def score(self) -> int:
        return self.attempt.score or 0

    @property
    def passed(self) -> bool:
        return bool(self.attempt.passed)

    @property
    def pass_mark(self) -> int | None:
        return self.course.pass_mark


def module(slug: str) -> Module:
    found = module_files.find(slug)
    if found is None:
        raise NotFound("There is no such module.")
    return found


def course_of(db: Session, slug: str, as_of: date | None = None) -> Course | None:
    """The catalogue's course for a module, unless it has been retired."""
    course = db.scalar(select(Course).where(Course.module_slug == slug).order_by(Course.id))
    day = as_of or clock.today()
    if course is None or (course.retired_on is not None and course.retired_on <= day):
        return None
    return course


def offer(db: Session, actor: Actor, slug: str) -> Offered:
    """What the module page shows: the module, and the attempt its quiz answers (started
    now, or the one this person left open on the same version), or why it cannot be taken."""
    found = module(slug)
    course = course_of(db, slug)
    person = staff.for_user(db, actor.user_id)
    if course is None:
        return Offered(found, None, person, None, NOT_IN_CATALOGUE)
    if course.version != found.version:
        return Offered(found, course, person, None, OUT_OF_STEP)
    if person is None:
        return Offered(found, course, None, None, NOT_LINKED)
    return Offered(found, course, person, _open_attempt(db, actor, person, course), None)


def start(db: Session, actor: Actor, slug: str) -> tuple[Module, Attempt]:
    """An attempt at the module's quiz for the actor's staff record (their open one on the
    same version, if they left one)."""
    offered = offer(db, actor, slug)
    if offered.attempt is None:
        raise Conflict(offered.reason or NOT_IN_CATALOGUE)
    return offered.module, offered.attempt


def _open_attempt(db: Session, actor: Actor, person: StaffMember, course: Course) -> Attempt:
    left_open = db.scalar(
        select(Attempt)
        .where(
            Attempt.staff_id == person.id,
            Attempt.course_id == course.id,
            Attempt.course_version == course.version,
            Attempt.submitted_at.is_(None),
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )
    if left_open is not None:
        return left_open
    attempt = Attempt(
        staff_id=person.id,
        course_id=course.id,
        course_version=course.version,
        started_at=clock.now(),
    )
    db.add(attempt)
    db.flush()
    audit.record(
        db,
        actor,
        TrainingEvent.ATTEMPT_STARTED,
        subject_type=SUBJECT_TYPE,
        subject_id=attempt.id,
        details={"staff_id": person.id, "course_id": course.id, "version": course.version},
    )
    return attempt


def _own_attempt(db: Session, actor: Actor, attempt_id: int) -> tuple[Attempt, Course]:
    """An attempt of the actor's own: anyone else's answers as a missing one does."""
    person = staff.for_user(db, actor.user_id)
    attempt = db.get(Attempt, attempt_id)
    if person is None or attempt is None or attempt.staff_id != person.id:
        raise NotFound("There is no such attempt.")
    course = db.get(Course, attempt.course_id)
    if course is None:  # pragma: no cover - a foreign key holds it
        raise NotFound("There is no such attempt.")
    return attempt, course


def slug_of(db: Session, actor: Actor, attempt_id: int) -> str:
    """The module an attempt of the actor's own is at."""
    _, course = _own_attempt(db, actor, attempt_id)
    if course.module_slug is None:  # pragma: no cover - only a module's course has attempts
        raise NotFound("There is no such attempt.")
    return course.module_slug


def submit(db: Session, actor: Actor, attempt_id: int, answers: Mapping[str, int | None]) -> Result:
    """Score the answers (question id -> index of the option chosen) against the course's pass
    mark. Every question must be answered; an unanswered one is refused and nothing is kept,
    so the person can answer it. A pass records the completion."""
    attempt, course = _own_attempt(db, actor, attempt_id)
    if attempt.submitted_at is not None:
        raise Conflict(
            "These answers have already been sent. Open the module again to take it again."
        )
    found = module_files.find(course.module_slug or "")
    if found is None or found.version != attempt.course_version or course.version != found.version:
        raise Conflict(CHANGED)
    chosen = _read_answers(found, answers)
    wrong = tuple(q for q in found.questions if chosen[q.id] != q.correct_index)
    asked, correct = len(found.questions), len(found.questions) - len(wrong)
    score = policy.score_percent(correct, asked)
    passed = policy.passes(score, course.pass_mark)
    attempt.answers = dict(chosen)
    attempt.score = score
    attempt.passed = passed
    attempt.submitted_at = clock.now()
    db.flush()
    audit.record(
        db,
        actor,
        TrainingEvent.ATTEMPT_SUBMITTED,
        subject_type=SUBJECT_TYPE,
        subject_id=attempt.id,
        details={
            "staff_id": attempt.staff_id,
            "course_id": course.id,
            "version": attempt.course_version,
            "asked": asked,
            "correct": correct,
            "score": score,
            "passed": passed,
        },
    )
    completion = None
    if passed:
        completion = completions.record(
            db,
            actor,
            completions.NewCompletion(
                staff_id=attempt.staff_id,
                course_id=course.id,
                course_version=attempt.course_version,
                completed_on=clock.today(),
                source=Source.E_LEARNING,
                score=score,
                attempt_id=attempt.id,
            ),
        ) or _completion_for(db, attempt)
    return Result(attempt, course, found, asked, correct, wrong, completion)


def _read_answers(found: Module, answers: Mapping[str, int | None]) -> dict[str, int]:
    unknown = set(answers) - {q.id for q in found.questions}
    if unknown:
        raise ValidationFailed(
            "The answers sent are not for this module's questions. Open the module again.",
            errors={"answers": "Answer the questions on the module page"},
        )
    errors: dict[str, str] = {}
    chosen: dict[str, int] = {}
    for question in found.questions:
        given = answers.get(question.id)
        if given is None or not 0 <= given < len(question.options):
            errors[question.id] = f"Choose an answer to question {question.number}"
        else:
            chosen[question.id] = given
    if errors:
        raise ValidationFailed("Answer every question before you send your answers.", errors=errors)
    return chosen


def result(db: Session, actor: Actor, attempt_id: int) -> Result:
    """A sent attempt as marked (the actor's own only)."""
    attempt, course = _own_attempt(db, actor, attempt_id)
    if attempt.submitted_at is None:
        raise Conflict("These answers have not been sent yet.")
    found = module_files.find(course.module_slug or "")
    given = attempt.answers or {}
    if found is None or found.version != attempt.course_version:
        # The module has moved on: the score stands, the questions marked are gone.
        return Result(attempt, course, None, 0, 0, (), _completion_for(db, attempt))
    wrong = tuple(q for q in found.questions if given.get(q.id) != q.correct_index)
    asked = len(found.questions)
    return Result(
        attempt, course, found, asked, asked - len(wrong), wrong, _completion_for(db, attempt)
    )


def _completion_for(db: Session, attempt: Attempt) -> Completion | None:
    """The completion a passed attempt earned: its own, or the one the same day's earlier
    pass already recorded (the same completion counts once)."""
    if not attempt.passed or attempt.submitted_at is None:
        return None
    own = db.scalar(select(Completion).where(Completion.attempt_id == attempt.id).limit(1))
    if own is not None:
        return own
    key = completions.fingerprint(
        source=Source.E_LEARNING,
        staff_id=attempt.staff_id,
        course_id=attempt.course_id,
        course_version=attempt.course_version,
        completed_on=attempt.submitted_at.astimezone(clock.UK).date(),
    )
    return db.scalar(select(Completion).where(Completion.fingerprint == key))


def attempts(
    db: Session, staff_id: int, course_id: int, *, latest: int = 5
) -> tuple[int, list[Attempt]]:
    """How many attempts a person has sent at a course, and the ``latest`` of them."""
    sent = (
        Attempt.staff_id == staff_id,
        Attempt.course_id == course_id,
        Attempt.submitted_at.is_not(None),
    )
    total = db.scalar(select(func.count()).select_from(Attempt).where(*sent)) or 0
    shown = db.scalars(
        select(Attempt)
        .where(*sent)
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
        .limit(latest)
    )
    return total, list(shown)
