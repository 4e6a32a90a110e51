"""The induction gate: case content stays closed to anyone with an induction course
outstanding (DOMAIN.md §4: induction "completed before access to personal data").

Records' need-to-know check asks ``state`` on every read of case content, so the answer is
worked out once per unit of work (a few queries) and kept on the session. An organisation
that has set no induction requirement has nothing to check; once one exists, an account not
linked to a staff record is closed too (nobody can say it has done its induction).

Induction is what a person completes when they start. The gate asks for the induction in
force when they started: each induction requirement in force today that already applied on
their start date, at the version required then. A requirement set later, or a new version
of the course that everyone must redo, does not shut out staff already at work: compliance
shows it due (then overdue), reminders and the manager's escalation follow it up, and the
gate closes for everyone who starts from then on. An organisation that wants existing staff
shut out until they complete a new induction dates the requirement back before they
started. docs/training.md, "The induction gate", says the same for administrators."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.training import policy
from steward.training.models import (
    Completion,
    Course,
    CourseVersion,
    Requirement,
    StaffMember,
    TrainingPolicy,
)
from steward.training.policy import RequirementKind

_CACHE = "steward.training.gate"


@dataclass(frozen=True, slots=True)
class OutstandingCourse:
    course_id: int
    code: str
    title: str
    # The built-in module that completes it, if any: the gate page links to it.
    module_slug: str | None


@dataclass(frozen=True, slots=True)
class GateState:
    courses: tuple[OutstandingCourse, ...] = ()
    # Induction is required but this account has no staff record to show it was done.
    unlinked: bool = False

    @property
    def closed(self) -> bool:
        return bool(self.courses)


OPEN = GateState()


def current_policy(db: Session) -> TrainingPolicy:
    """The organisation's training settings, or the defaults if never changed."""
    found = db.get(TrainingPolicy, 1)
    return (
        found
        if found is not None
        else TrainingPolicy(
            id=1, induction_gate=True, induction_days=5, due_soon_days=30, target_percent=95
        )
    )


def state(db: Session, user_id: int | None) -> GateState:
    """Whether case content is closed to this account today, and what would open it."""
    if user_id is None:
        return OPEN
    cache: dict[int, GateState] = db.info.setdefault(_CACHE, {})
    if user_id not in cache:
        cache[user_id] = _state(db, user_id, clock.today())
    return cache[user_id]


def forget(db: Session) -> None:
    """Drop the remembered answers: a completion recorded in this unit of work opens the gate."""
    db.info.pop(_CACHE, None)


def _state(db: Session, user_id: int, today: date) -> GateState:
    if not current_policy(db).induction_gate:
        return OPEN
    in_force = db.execute(
        select(Requirement, Course)
        .join(Course, Course.id == Requirement.course_id)
        .where(
            Requirement.kind == RequirementKind.INDUCTION,
            Requirement.starts_on <= today,
            or_(Requirement.ends_on.is_(None), Requirement.ends_on > today),
            or_(Course.retired_on.is_(None), Course.retired_on > today),
        )
    ).all()
    if not in_force:
        return OPEN
    staff = db.scalar(select(StaffMember).where(StaffMember.user_id == user_id))
    if staff is None:
        courses = {course.id: course for _, course in in_force}
        return GateState(tuple(_outstanding(c) for c in courses.values()), unlinked=True)
    user = db.get(auth.User, user_id)
    account_role = str(user.role) if user is not None else None
    applying = {
        course.id: course
        for requirement, course in in_force
        # Set before they started: their induction (a later one is followed up, not gated).
        if requirement.starts_on <= staff.start_date
        and audience(requirement).matches(
            job_role=staff.job_role,
            team=staff.team,
            employment_type=staff.employment_type,
            account_role=account_role,
        )
    }
    missing = _not_completed(db, staff, list(applying.values()), today)
    return GateState(tuple(_outstanding(c) for c in missing))


def audience(requirement: Requirement) -> policy.Audience:
    def allowed(values: list[str] | None) -> frozenset[str] | None:
        return None if values is None else frozenset(values)

    return policy.Audience(
        job_roles=allowed(requirement.job_roles),
        teams=allowed(requirement.teams),
        employment_types=allowed(requirement.employment_types),
        account_roles=allowed(requirement.account_roles),
    )


def redos(db: Session, course_id: int) -> list[policy.Redo]:
    return [
        policy.Redo(version, released_on)
        for version, released_on in db.execute(
            select(CourseVersion.version, CourseVersion.released_on).where(
                CourseVersion.course_id == course_id, CourseVersion.requires_redo.is_(True)
            )
        )
    ]


def _not_completed(
    db: Session, staff: StaffMember, courses: list[Course], today: date
) -> list[Course]:
    """The courses with no completion (by today) of the version required on the person's
    start date (or today, for an account made before its owner starts): two queries, however
    many courses."""
    if not courses:
        return []
    ids = [course.id for course in courses]
    redone: dict[int, list[policy.Redo]] = defaultdict(list)
    for course_id, version, released_on in db.execute(
        select(CourseVersion.course_id, CourseVersion.version, CourseVersion.released_on).where(
            CourseVersion.course_id.in_(ids), CourseVersion.requires_redo.is_(True)
        )
    ):
        redone[course_id].append(policy.Redo(version, released_on))
    best: dict[int, int] = {
        course_id: version
        for course_id, version in db.execute(
            select(Completion.course_id, func.max(Completion.course_version))
            .where(
                Completion.staff_id == staff.id,
                Completion.course_id.in_(ids),
                Completion.completed_on <= today,
            )
            .group_by(Completion.course_id)
        )
    }
    started = min(staff.start_date, today)
    return [
        course
        for course in courses
        if course.id not in best
        or best[course.id] < policy.required_version(redone[course.id], started)
    ]


def _outstanding(course: Course) -> OutstandingCourse:
    return OutstandingCourse(course.id, course.code, course.title, course.module_slug)
