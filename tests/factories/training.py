"""Builders for staff, courses, requirements and completions, straight into the tables: the
services that import and record them are tested on their own."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.permissions import Actor
from steward.training.models import Course, CourseVersion, Requirement, StaffMember
from steward.training.policy import Delivery, EmploymentType, RequirementKind, Source, Topic
from steward.training.service import completions

_counter = itertools.count(1)


def make_staff(
    db: Session,
    *,
    name: str | None = None,
    staff_number: str | None = None,
    email: str | None = None,
    team: str | None = "North",
    job_role: str | None = "Family Court Adviser",
    employment_type: EmploymentType = EmploymentType.PERMANENT,
    start_date: date = date(2020, 1, 6),
    leaving_date: date | None = None,
    user_id: int | None = None,
    manager: StaffMember | None = None,
) -> StaffMember:
    n = next(_counter)
    staff = StaffMember(
        staff_number=staff_number or f"S{n:05d}",
        name=name or f"Staff Member {n}",
        email=email if email is not None else f"staff{n}@example.org",
        team=team,
        job_role=job_role,
        employment_type=employment_type.value,
        start_date=start_date,
        leaving_date=leaving_date,
        user_id=user_id,
        manager_id=manager.id if manager else None,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    db.add(staff)
    db.flush()
    return staff


def make_course(
    db: Session,
    *,
    code: str | None = None,
    title: str | None = None,
    topic: Topic = Topic.DATA_PROTECTION,
    delivery: Delivery = Delivery.E_LEARNING,
    validity_months: int | None = 12,
    pass_mark: int | None = 80,
    module_slug: str | None = None,
    released_on: date = date(2019, 1, 1),
) -> Course:
    n = next(_counter)
    course = Course(
        code=code or f"COURSE-{n}",
        title=title or f"Course {n}",
        topic=topic.value,
        delivery=delivery.value,
        duration_minutes=30,
        description="",
        version=1,
        validity_months=validity_months,
        pass_mark=pass_mark,
        module_slug=module_slug,
        lms_ids=[],
        created_at=clock.now(),
    )
    db.add(course)
    db.flush()
    db.add(CourseVersion(course_id=course.id, version=1, released_on=released_on, note=""))
    db.flush()
    return course


def make_requirement(
    db: Session,
    course: Course,
    *,
    kind: RequirementKind = RequirementKind.MANDATORY,
    due_within_days: int = 30,
    starts_on: date = date(2019, 1, 1),
    ends_on: date | None = None,
    job_roles: list[str] | None = None,
    teams: list[str] | None = None,
    employment_types: list[str] | None = None,
    account_roles: list[str] | None = None,
) -> Requirement:
    requirement = Requirement(
        course_id=course.id,
        kind=kind.value,
        job_roles=job_roles,
        teams=teams,
        employment_types=employment_types,
        account_roles=account_roles,
        due_within_days=due_within_days,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=clock.now(),
    )
    db.add(requirement)
    db.flush()
    return requirement


def complete(
    db: Session,
    staff: StaffMember,
    course: Course,
    on: date,
    *,
    version: int | None = None,
    source: Source = Source.MANUAL,
) -> None:
    completions.record(
        db,
        Actor.system(),
        completions.NewCompletion(
            staff_id=staff.id,
            course_id=course.id,
            course_version=version if version is not None else course.version,
            completed_on=on,
            source=source,
        ),
    )
