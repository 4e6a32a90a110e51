"""Who must do what and where each person stands, as of any date (definitions: policy).

``standings`` is the one computation every figure, page and reminder is built from: it reads
the staff in scope, the requirements in force and, per course, each person's latest counting
completion (one grouped query per course), then applies ``policy.standing`` in Python. At
5,000 staff and 100,000 completions that is a few dozen queries, not one per person."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.training import policy
from steward.training.models import Completion, Course, Requirement, StaffMember
from steward.training.policy import RequirementKind, Standing, Status
from steward.training.service import gate


@dataclass(frozen=True, slots=True)
class Line:
    """One course a person must complete, and where they stand on it."""

    course_id: int
    course_code: str
    course_title: str
    topic: str
    kind: RequirementKind
    module_slug: str | None
    standing: Standing

    @property
    def status(self) -> Status:
        return self.standing.status


@dataclass(frozen=True, slots=True)
class PersonStanding:
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    employment_type: str
    manager_id: int | None
    user_id: int | None
    lines: tuple[Line, ...]

    @property
    def compliant(self) -> bool:
        return policy.is_compliant([line.status for line in self.lines])

    @property
    def in_window(self) -> bool:
        return policy.in_window([line.status for line in self.lines])

    @property
    def missing(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.status in policy.NON_COMPLIANT)


@dataclass(frozen=True, slots=True)
class _Rule:
    requirement: Requirement
    course: Course
    audience: policy.Audience
    minimum_version: int
    redo_released_on: date | None


def standings(
    db: Session,
    as_of: date,
    *,
    staff_ids: Collection[int] | None = None,
    team: str | None = None,
) -> list[PersonStanding]:
    """Every member of staff in scope on ``as_of`` (or those of ``staff_ids`` / ``team``),
    by name, each with a line per course that applies to them."""
    due_soon_days = gate.current_policy(db).due_soon_days
    query = (
        select(StaffMember, auth.User.role)
        .outerjoin(auth.User, auth.User.id == StaffMember.user_id)
        .where(
            StaffMember.start_date <= as_of,
            or_(StaffMember.leaving_date.is_(None), StaffMember.leaving_date > as_of),
        )
        .order_by(StaffMember.name, StaffMember.id)
    )
    if staff_ids is not None:
        query = query.where(StaffMember.id.in_(list(staff_ids)))
    if team is not None:
        query = query.where(StaffMember.team == team)
    people = db.execute(query).all()
    rules = _rules(db, as_of)
    latest = _latest_completions(db, rules, as_of, [s.id for s, _ in people])
    return [
        _person(staff, None if role is None else str(role), rules, latest, as_of, due_soon_days)
        for staff, role in people
    ]


def _rules(db: Session, as_of: date) -> list[_Rule]:
    found = db.execute(
        select(Requirement, Course)
        .join(Course, Course.id == Requirement.course_id)
        .where(
            Requirement.starts_on <= as_of,
            or_(Requirement.ends_on.is_(None), Requirement.ends_on > as_of),
            or_(Course.retired_on.is_(None), Course.retired_on > as_of),
        )
        .order_by(Course.code, Requirement.id)
    ).all()
    rules = []
    for requirement, course in found:
        redos = gate.redos(db, course.id)
        rules.append(
            _Rule(
                requirement,
                course,
                gate.audience(requirement),
                policy.required_version(redos, as_of),
                policy.redo_released(redos, as_of),
            )
        )
    return rules


def _latest_completions(
    db: Session, rules: list[_Rule], as_of: date, staff_ids: list[int]
) -> dict[tuple[int, int], date]:
    """(staff id, course id) → the latest completion that counts on ``as_of``."""
    latest: dict[tuple[int, int], date] = {}
    if not staff_ids:
        return latest
    minimums = {rule.course.id: rule.minimum_version for rule in rules}
    for course_id, minimum in minimums.items():
        rows = db.execute(
            select(Completion.staff_id, func.max(Completion.completed_on))
            .where(
                Completion.course_id == course_id,
                Completion.completed_on <= as_of,
                Completion.course_version >= minimum,
            )
            .group_by(Completion.staff_id)
        )
        wanted = set(staff_ids)
        for staff_id, completed_on in rows:
            if staff_id in wanted:
                latest[(staff_id, course_id)] = completed_on
    return latest


def _person(
    staff: StaffMember,
    account_role: str | None,
    rules: list[_Rule],
    latest: dict[tuple[int, int], date],
    as_of: date,
    due_soon_days: int,
) -> PersonStanding:
    lines: dict[int, Line] = {}
    for rule in rules:
        if not rule.audience.matches(
            job_role=staff.job_role,
            team=staff.team,
            employment_type=staff.employment_type,
            account_role=account_role,
        ):
            continue
        standing = policy.standing(
            as_of=as_of,
            start_date=staff.start_date,
            due_within_days=rule.requirement.due_within_days,
            last_completed_on=latest.get((staff.id, rule.course.id)),
            validity_months=rule.course.validity_months,
            due_soon_days=due_soon_days,
            redo_released_on=rule.redo_released_on,
            requirement_starts_on=rule.requirement.starts_on,
        )
        line = Line(
            rule.course.id,
            rule.course.code,
            rule.course.title,
            rule.course.topic,
            RequirementKind(rule.requirement.kind),
            rule.course.module_slug,
            standing,
        )
        kept = lines.get(rule.course.id)
        # Two requirements on one course: the earlier first deadline is the one that binds.
        if kept is None or _earlier(line, kept):
            lines[rule.course.id] = line
    return PersonStanding(
        staff.id,
        staff.staff_number,
        staff.name,
        staff.team,
        staff.employment_type,
        staff.manager_id,
        staff.user_id,
        tuple(lines.values()),
    )


def _earlier(line: Line, kept: Line) -> bool:
    if line.standing.due_on is None or kept.standing.due_on is None:
        return kept.standing.due_on is None and line.standing.due_on is not None
    return line.standing.due_on < kept.standing.due_on
