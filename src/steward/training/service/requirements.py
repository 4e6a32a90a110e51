"""Requirements: who must complete which course, by when. Set one, end one, see who it
applies to in words and how many people that is today.

A requirement's filters (job role, team, employment type, Steward account role) are matched
exactly as compliance and the induction gate match them (``gate.audience``), so the count a
form previews is the count the figures will use. Requirements are never changed in place:
one is ended and another set, so the figures of any past date can be worked out again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import ROLE_NAMES, Actor, Permission
from steward.training import policy
from steward.training.catalogue_schemas import RequirementCreate, RequirementEnd, RequirementFilters
from steward.training.events import TrainingEvent
from steward.training.models import Requirement, StaffMember
from steward.training.policy import RequirementKind
from steward.training.service import catalogue, gate

SUBJECT_TYPE = "training_requirement"
EARLIEST_START = date(2000, 1, 1)
# Further ahead than this is almost always a mistyped year.
MAX_START_AHEAD = timedelta(days=2 * 366)

# How an employment type reads in "employed as temporary or contractor staff".
EMPLOYMENT_WORDS = {t.value: t.value for t in policy.EmploymentType}
ROLE_WORDS = {role.value: name for role, name in ROLE_NAMES.items()}


@dataclass(frozen=True, slots=True)
class RequirementView:
    requirement: Requirement
    # "in force", "from 1 May 2026" (not yet), or "ended".
    state: str
    who: str
    # Staff in scope today whom it applies to (whether or not it is in force today).
    people: int


def audience_of(filters: RequirementFilters) -> policy.Audience:
    def allowed(values: Sequence[str] | None) -> frozenset[str] | None:
        return None if values is None else frozenset(str(v) for v in values)

    return policy.Audience(
        job_roles=allowed(filters.job_roles),
        teams=allowed(filters.teams),
        employment_types=allowed(filters.employment_types),
        account_roles=allowed(filters.account_roles),
    )


def describe(audience: policy.Audience) -> str:
    """Who a requirement applies to, as a sentence: "Staff in the North or South team, who
    are temporary or contractor staff, with a Steward account as Manager"."""
    parts = []
    if audience.job_roles is not None:
        parts.append(f"whose job role is {_either(sorted(audience.job_roles))}")
    if audience.teams is not None:
        parts.append(f"in the {_either(sorted(audience.teams))} team")
    if audience.employment_types is not None:
        words = [EMPLOYMENT_WORDS.get(t, t) for t in sorted(audience.employment_types)]
        parts.append(f"employed as {_either(words)} staff")
    if audience.account_roles is not None:
        names = [ROLE_WORDS.get(r, r) for r in sorted(audience.account_roles)]
        parts.append(f"with a Steward account as {_either(names)}")
    if not parts:
        return "Everyone on the staff list"
    return "Staff " + ", ".join(parts)


def _either(values: Sequence[str]) -> str:
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " or " + values[-1]


def count_applying(db: Session, audiences: Sequence[policy.Audience], as_of: date) -> list[int]:
    """For each audience, how many staff in scope on ``as_of`` it matches: one read of the
    staff list, however many audiences (a course page shows a count per requirement)."""
    people = db.execute(
        select(StaffMember.job_role, StaffMember.team, StaffMember.employment_type, auth.User.role)
        .outerjoin(auth.User, auth.User.id == StaffMember.user_id)
        .where(
            StaffMember.start_date <= as_of,
            or_(StaffMember.leaving_date.is_(None), StaffMember.leaving_date > as_of),
        )
    ).all()
    return [
        sum(
            1
            for job_role, team, employment_type, role in people
            if audience.matches(
                job_role=job_role,
                team=team,
                employment_type=employment_type,
                account_role=None if role is None else str(role),
            )
        )
        for audience in audiences
    ]


def preview(
    db: Session, actor: Actor, filters: RequirementFilters, as_of: date | None = None
) -> tuple[str, int]:
    """Who a requirement with these filters would apply to, in words, and how many of the
    staff in scope today (or on ``as_of``) that is."""
    catalogue.require_read(actor)
    audience = audience_of(filters)
    (people,) = count_applying(db, [audience], as_of or clock.today())
    return describe(audience), people


def for_course(db: Session, actor: Actor, course_id: int) -> list[RequirementView]:
    """The course's requirements, those in force first, then those to come, then the ended;
    each with who it applies to and how many people that is today."""
    catalogue.get(db, actor, course_id)
    today = clock.today()
    found = list(
        db.scalars(
            select(Requirement)
            .where(Requirement.course_id == course_id)
            .order_by(Requirement.starts_on.desc(), Requirement.id.desc())
        )
    )
    audiences = [gate.audience(r) for r in found]
    counts = count_applying(db, audiences, today)
    views = [
        RequirementView(r, _state(r, today), describe(a), n)
        for r, a, n in zip(found, audiences, counts, strict=True)
    ]
    order = {"in force": 0, "ended": 2}
    return sorted(views, key=lambda v: order.get(v.state, 1))


def _state(requirement: Requirement, today: date) -> str:
    if requirement.ends_on is not None and requirement.ends_on <= today:
        return "ended"
    if requirement.starts_on > today:
        return f"from {catalogue.day(requirement.starts_on)}"
    return "in force"


def get(db: Session, actor: Actor, requirement_id: int) -> Requirement:
    catalogue.require_read(actor)
    found = db.get(Requirement, requirement_id)
    if found is None:
        raise NotFound("There is no such requirement.")
    return found


def listed(
    db: Session, actor: Actor, *, course_id: int | None = None, in_force: bool = False
) -> list[Requirement]:
    """Requirements by course and start (the API's listing; tens to a catalogue)."""
    catalogue.require_read(actor)
    query = select(Requirement).order_by(
        Requirement.course_id, Requirement.starts_on, Requirement.id
    )
    if course_id is not None:
        query = query.where(Requirement.course_id == course_id)
    if in_force:
        query = query.where(*catalogue.in_force_on(clock.today()))
    return list(db.scalars(query))


def set_requirement(db: Session, actor: Actor, data: RequirementCreate) -> Requirement:
    """Require the course of everyone matching the filters, from ``starts_on`` (today)."""
    actor.require(Permission.TRAINING_MANAGE)
    course = catalogue.get(db, actor, data.course_id)
    if course.retired_on is not None:
        raise Conflict(
            f"This course was retired on {catalogue.day(course.retired_on)}: a requirement "
            "on it would apply to nobody."
        )
    today = clock.today()
    starts_on = data.starts_on or today
    if not EARLIEST_START <= starts_on <= today + MAX_START_AHEAD:
        message = (
            f"The start date must be between {catalogue.day(EARLIEST_START)} and "
            f"{catalogue.day(today + MAX_START_AHEAD)}: check the year."
        )
        raise ValidationFailed(message, errors={"starts_on": message})
    due = data.due_within_days
    if due is None:
        if data.kind is not RequirementKind.INDUCTION:
            message = "Enter how many days staff have to complete it, for example 30."
            raise ValidationFailed(message, errors={"due_within_days": message})
        due = gate.current_policy(db).induction_days
    _refuse_duplicate(db, data, starts_on)
    requirement = Requirement(
        course_id=course.id,
        kind=data.kind.value,
        job_roles=data.job_roles,
        teams=data.teams,
        employment_types=_codes(data.employment_types),
        account_roles=_codes(data.account_roles),
        due_within_days=due,
        starts_on=starts_on,
        ends_on=None,
        created_at=clock.now(),
        created_by_user_id=actor.user_id,
    )
    db.add(requirement)
    db.flush()
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.REQUIREMENT_SET,
        subject_type=SUBJECT_TYPE,
        subject_id=requirement.id,
        details={
            "course_id": course.id,
            "kind": requirement.kind,
            "due_within_days": due,
            "starts_on": starts_on.isoformat(),
            # Codes as they are; team and job-role names are counted (they are words).
            "employment_types": requirement.employment_types,
            "account_roles": requirement.account_roles,
            "teams": None if data.teams is None else len(data.teams),
            "job_roles": None if data.job_roles is None else len(data.job_roles),
        },
    )
    return requirement


def end(db: Session, actor: Actor, requirement_id: int, data: RequirementEnd) -> Requirement:
    """End the requirement from ``ends_on`` (today): from that day it applies to nobody.
    Never in the past: the figures already reported for past days stay as they were."""
    actor.require(Permission.TRAINING_MANAGE)
    requirement = get(db, actor, requirement_id)
    if requirement.ends_on is not None:
        raise Conflict(
            f"This requirement already ends on {catalogue.day(requirement.ends_on)}: "
            "set a new one if staff must do the course again."
        )
    today = clock.today()
    ends_on = data.ends_on or today
    if ends_on < today:
        message = (
            "The end date must be today or later: ending it in the past would change "
            "figures already reported."
        )
        raise ValidationFailed(message, errors={"ends_on": message})
    requirement.ends_on = ends_on
    db.flush()
    gate.forget(db)
    audit.record(
        db,
        actor,
        TrainingEvent.REQUIREMENT_ENDED,
        subject_type=SUBJECT_TYPE,
        subject_id=requirement.id,
        details={"course_id": requirement.course_id, "ends_on": ends_on.isoformat()},
    )
    return requirement


def _codes(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _normal(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(str(v).casefold() for v in values))


def _refuse_duplicate(db: Session, data: RequirementCreate, starts_on: date) -> None:
    """The same course, kind and filters already in force on or after ``starts_on``: a second
    copy would change nothing but the figures' readability."""
    wanted = (
        _normal(data.job_roles),
        _normal(data.teams),
        _normal(_codes(data.employment_types)),
        _normal(_codes(data.account_roles)),
    )
    for other in db.scalars(
        select(Requirement).where(
            Requirement.course_id == data.course_id,
            Requirement.kind == data.kind.value,
            or_(Requirement.ends_on.is_(None), Requirement.ends_on > starts_on),
        )
    ):
        mine = (
            _normal(other.job_roles),
            _normal(other.teams),
            _normal(other.employment_types),
            _normal(other.account_roles),
        )
        if mine == wanted:
            raise Conflict(
                f"The same requirement is already set, from {catalogue.day(other.starts_on)}. "
                "End it first to change its days or its start."
            )
