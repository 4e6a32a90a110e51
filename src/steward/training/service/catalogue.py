"""The course catalogue: add a course, change it, release a new version, retire it.

Those who manage training (``training:manage``) change it; those who see compliance read it
too, since a figure means little without knowing what is counted. A course's code never
changes (LMS exports and the command line name it by it) and a retired course is kept, with
its completions and history, but no longer applies to anyone.

A new version released with ``requires_redo`` makes completions of earlier versions stop
counting from its release day: ``policy.standing`` then gives everyone the requirement's days
from the release to redo it (CourseVersion is what ``gate.redos`` reads)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.training.catalogue_schemas import CourseChange, CourseCreate, VersionRelease
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, CourseVersion, Requirement, StaffMember
from steward.training.policy import Delivery, Topic
from steward.training.service import gate

SUBJECT_TYPE = "training_course"
# A version may be announced ahead of its release, but not by more than a year: further
# ahead is almost always a mistyped year.
MAX_RELEASE_AHEAD = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class CourseRow:
    course: Course
    # Requirements in force today: a course with none applies to nobody.
    requirements_in_force: int


def require_read(actor: Actor) -> None:
    if not (
        actor.can(Permission.TRAINING_MANAGE) or actor.can(Permission.TRAINING_VIEW_COMPLIANCE)
    ):
        raise Forbidden(
            "Only those who manage training or see training compliance can read the courses."
        )


def day(value: date) -> str:
    """A date as a message says it: "3 March 2026"."""
    return f"{value.day} {value:%B %Y}"


def in_force_on(as_of: date) -> list[ColumnElement[bool]]:
    """The conditions for a requirement being in force on ``as_of`` (as compliance reads it)."""
    return [
        Requirement.starts_on <= as_of,
        or_(Requirement.ends_on.is_(None), Requirement.ends_on > as_of),
    ]


def courses(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    topic: Topic | None = None,
    delivery: Delivery | None = None,
    include_retired: bool = False,
) -> Page[CourseRow]:
    """Courses by code, each with how many requirements are in force on it today."""
    require_read(actor)
    today = clock.today()
    in_force = (
        select(func.count(Requirement.id))
        .where(Requirement.course_id == Course.id, *in_force_on(today))
        .correlate(Course)
        .scalar_subquery()
    )
    query = select(Course, in_force).order_by(Course.code, Course.id)
    if topic is not None:
        query = query.where(Course.topic == topic.value)
    if delivery is not None:
        query = query.where(Course.delivery == delivery.value)
    if not include_retired:
        query = query.where(or_(Course.retired_on.is_(None), Course.retired_on > today))
    found = paginate(db, query, page, scalars=False)
    return found.map(lambda row: CourseRow(row[0], row[1]))


def get(db: Session, actor: Actor, course_id: int) -> Course:
    require_read(actor)
    course = db.get(Course, course_id)
    if course is None:
        raise NotFound("There is no such course.")
    return course


def versions(db: Session, actor: Actor, course_id: int) -> list[CourseVersion]:
    """Every version of the course, newest first."""
    get(db, actor, course_id)
    return list(
        db.scalars(
            select(CourseVersion)
            .where(CourseVersion.course_id == course_id)
            .order_by(CourseVersion.version.desc())
        )
    )


def completed_by(db: Session, actor: Actor, course_id: int) -> int:
    """How many of today's staff have completed the course, any version: those a new version
    requiring a redo would send back to it."""
    get(db, actor, course_id)
    today = clock.today()
    return (
        db.scalar(
            select(func.count(func.distinct(Completion.staff_id)))
            .join(StaffMember, StaffMember.id == Completion.staff_id)
            .where(
                Completion.course_id == course_id,
                StaffMember.start_date <= today,
                or_(StaffMember.leaving_date.is_(None), StaffMember.leaving_date > today),
            )
        )
        or 0
    )


def is_retired(course: Course, as_of: date | None = None) -> bool:
    return course.retired_on is not None and course.retired_on <= (as_of or clock.today())


def create(db: Session, actor: Actor, data: CourseCreate) -> Course:
    """Add a course to the catalogue, with its first version released today."""
    actor.require(Permission.TRAINING_MANAGE)
    if db.scalar(select(Course.id).where(Course.code == data.code)) is not None:
        raise ValidationFailed(
            f"The code {data.code} is already used by another course: choose another.",
            errors={"code": f"The code {data.code} is already used: choose another"},
        )
    _check_lms_ids(db, data.lms_ids, course_id=None)
    course = Course(
        code=data.code,
        title=data.title,
        topic=data.topic.value,
        delivery=data.delivery.value,
        duration_minutes=data.duration_minutes,
        description=data.description,
        version=1,
        validity_months=data.validity_months,
        pass_mark=data.pass_mark,
        module_slug=data.module_slug,
        lms_ids=data.lms_ids,
        created_at=clock.now(),
    )
    db.add(course)
    db.flush()
    db.add(
        CourseVersion(
            course_id=course.id,
            version=1,
            released_on=clock.today(),
            requires_redo=False,
            note="First version.",
            released_by_user_id=actor.user_id,
        )
    )
    db.flush()
    audit.record(
        db,
        actor,
        TrainingEvent.COURSE_CREATED,
        subject_type=SUBJECT_TYPE,
        subject_id=course.id,
        details={
            "topic": course.topic,
            "delivery": course.delivery,
            "validity_months": course.validity_months,
            "pass_mark": course.pass_mark,
        },
    )
    return course


def change(db: Session, actor: Actor, course_id: int, data: CourseChange) -> Course:
    """Change the fields sent; nothing sent that differs, nothing recorded."""
    actor.require(Permission.TRAINING_MANAGE)
    course = _open_course(db, actor, course_id, "changed")
    wanted = data.model_dump(include=data.model_fields_set)
    if "lms_ids" in wanted:
        _check_lms_ids(db, wanted["lms_ids"], course_id=course.id)
    changed = []
    for name, value in wanted.items():
        value = value.value if hasattr(value, "value") else value
        if getattr(course, name) != value:
            setattr(course, name, value)
            changed.append(name)
    if not changed:
        return course
    db.flush()
    # A new refresher interval changes who is current: the gate works it out again.
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.COURSE_CHANGED,
        subject_type=SUBJECT_TYPE,
        subject_id=course.id,
        details={"fields": sorted(changed)},
    )
    return course


def release_version(
    db: Session, actor: Actor, course_id: int, data: VersionRelease
) -> CourseVersion:
    """Release the course's next version. With ``requires_redo``, completions of earlier
    versions stop counting from its release day and everyone it applies to redoes it."""
    actor.require(Permission.TRAINING_MANAGE)
    course = _open_course(db, actor, course_id, "given a new version")
    today = clock.today()
    released_on = data.released_on or today
    latest = db.scalar(
        select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.version.desc())
        .limit(1)
    )
    if latest is not None and released_on < latest.released_on:
        message = (
            f"Version {latest.version} was released on {day(latest.released_on)}: "
            "a new version cannot be released before it."
        )
        raise ValidationFailed(message, errors={"released_on": message})
    if released_on > today + MAX_RELEASE_AHEAD:
        message = "The release date must be within a year from today: check the year."
        raise ValidationFailed(message, errors={"released_on": message})
    number = max(course.version, latest.version if latest else 0) + 1
    version = CourseVersion(
        course_id=course.id,
        version=number,
        released_on=released_on,
        requires_redo=data.requires_redo,
        note=data.note,
        released_by_user_id=actor.user_id,
    )
    course.version = number
    db.add(version)
    db.flush()
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.COURSE_VERSION_RELEASED,
        subject_type=SUBJECT_TYPE,
        subject_id=course.id,
        details={
            "version": number,
            "requires_redo": data.requires_redo,
            "released_on": released_on.isoformat(),
        },
    )
    return version


def retire(db: Session, actor: Actor, course_id: int) -> Course:
    """Retire the course from today: it stops applying to anyone, and its requirements with
    it; its completions and history are kept."""
    actor.require(Permission.TRAINING_MANAGE)
    course = _open_course(db, actor, course_id, "retired again")
    today = clock.today()
    in_force = (
        db.scalar(
            select(func.count(Requirement.id)).where(
                Requirement.course_id == course.id, *in_force_on(today)
            )
        )
        or 0
    )
    course.retired_on = today
    db.flush()
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.COURSE_RETIRED,
        subject_type=SUBJECT_TYPE,
        subject_id=course.id,
        details={"requirements_in_force": in_force},
    )
    return course


def _open_course(db: Session, actor: Actor, course_id: int, what: str) -> Course:
    course = get(db, actor, course_id)
    if course.retired_on is not None:
        raise Conflict(
            f"This course was retired on {day(course.retired_on)}: it cannot be {what}. "
            "Add a new course instead."
        )
    return course


def _check_lms_ids(db: Session, lms_ids: Iterable[str], *, course_id: int | None) -> None:
    """An LMS record must lead to one course: an id another course already answers to is
    refused. A catalogue holds tens of courses, so they are compared here, not in SQL (the
    ids are a JSON list, which the two backends query differently)."""
    wanted = set(lms_ids)
    if not wanted:
        return
    for code, ids in db.execute(
        select(Course.code, Course.lms_ids).where(Course.id != (course_id or 0))
    ):
        clash = sorted(wanted & set(ids or []))
        if clash:
            message = (
                f"The LMS id {clash[0]} already names course {code}: an LMS id names one course."
            )
            raise ValidationFailed(message, errors={"lms_ids": message})
