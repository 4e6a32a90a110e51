"""The compliance report's drill-downs (a team's people, those who lack a course) and its
person-level export, in the same scope as the report (report.scope_for): a manager's own
people, everyone for those who oversee the organisation. Each look is one audit event with
counts, never a name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import NotFound
from steward.core.paging import Page, PageRequest
from steward.core.permissions import Actor
from steward.training import policy
from steward.training.events import TrainingEvent
from steward.training.models import Course, StaffMember
from steward.training.service.compliance import Line, PersonStanding
from steward.training.service.report import Scope, check_as_of, scope_for, standings_in

T = TypeVar("T")


def page_of(items: Sequence[T], request: PageRequest) -> Page[T]:
    """One page of a list already in memory (the report holds its people)."""
    return Page(
        items[request.offset : request.offset + request.size],
        len(items),
        request.number,
        request.size,
    )


def team_people(
    db: Session, actor: Actor, as_of: date, team: str | None, request: PageRequest
) -> Page[PersonStanding]:
    """The members of ``team`` (None: those with no team) in scope on ``as_of``, by name,
    each with where they stand; paged."""
    scope = scope_for(db, actor)
    check_as_of(as_of)
    people = [p for p in standings_in(db, scope, as_of) if p.team == team]
    if not people and team is not None and not _team_exists(db, scope, team):
        raise NotFound("There is no such team among the staff you can see.")
    _read(db, actor, as_of, scope, view="team", people=len(people))
    return page_of(people, request)


def _team_exists(db: Session, scope: Scope, team: str) -> bool:
    query = select(StaffMember.id).where(StaffMember.team == team).limit(1)
    if scope.staff_ids is not None:
        query = query.where(StaffMember.id.in_(scope.staff_ids))
    return db.scalar(query) is not None


@dataclass(frozen=True)
class CourseGap:
    """Someone a course applies to who lacks it (overdue or never done)."""

    person: PersonStanding
    line: Line


def course_gaps(
    db: Session, actor: Actor, as_of: date, course_id: int, request: PageRequest
) -> tuple[Course, Page[CourseGap]]:
    """Those overdue on (or who never did) the course on ``as_of``, by name; paged."""
    scope = scope_for(db, actor)
    check_as_of(as_of)
    course = db.get(Course, course_id)
    if course is None:
        raise NotFound("There is no such course.")
    gaps = [
        CourseGap(person, line)
        for person in standings_in(db, scope, as_of)
        for line in person.lines
        if line.course_id == course_id and line.status in policy.NON_COMPLIANT
    ]
    _read(db, actor, as_of, scope, view="course", people=len(gaps), course_id=course_id)
    return course, page_of(gaps, request)


def export(db: Session, actor: Actor, as_of: date) -> list[PersonStanding]:
    """Everyone in scope with each course's standing, for the CSV (recorded as exported)."""
    scope = scope_for(db, actor)
    check_as_of(as_of)
    people = standings_in(db, scope, as_of)
    audit.record(
        db,
        actor,
        TrainingEvent.REPORT_EXPORTED,
        details={
            "as_of": as_of.isoformat(),
            "format": "csv",
            "scope": "organisation" if scope.organisation else "own_people",
            "people": len(people),
            "lines": sum(len(p.lines) for p in people),
        },
    )
    return people


def _read(
    db: Session,
    actor: Actor,
    as_of: date,
    scope: Scope,
    *,
    view: str,
    people: int,
    course_id: int | None = None,
) -> None:
    details: dict[str, audit.DetailValue] = {
        "as_of": as_of.isoformat(),
        "view": view,
        "scope": "organisation" if scope.organisation else "own_people",
        "people": people,
    }
    if course_id is not None:
        details["course_id"] = course_id
    audit.record(db, actor, TrainingEvent.REPORT_READ, details=details)
