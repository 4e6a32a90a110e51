"""What the compliance computation reads, in as few queries as the data allows: the staff in
scope over a stretch of days, the requirements in force with their courses, every course's
redo versions, each person's latest counting completion of every course (one grouped query,
read from the index alone), and for a trend the completions that can count on its days.
Rows are copied out of the ORM into small immutable records: they are read thousands of
times a report. Internal to training.service: compliance.py and trend.py build on it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.training import policy
from steward.training.models import Completion, Course, CourseVersion, Requirement, StaffMember
from steward.training.policy import RequirementKind
from steward.training.service import gate


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: int
    staff_number: str
    name: str
    team: str | None
    employment_type: str
    manager_id: int | None
    user_id: int | None
    job_role: str | None
    start_date: date
    leaving_date: date | None
    account_role: str | None


@dataclass(frozen=True, slots=True)
class Rule:
    """A requirement with its course, copied out of the ORM: read thousands of times a run."""

    course_id: int
    course_code: str
    course_title: str
    topic: str
    module_slug: str | None
    validity_months: int | None
    retired_on: date | None
    kind: RequirementKind
    due_within_days: int
    starts_on: date
    ends_on: date | None
    audience: policy.Audience

    def in_force(self, day: date) -> bool:
        return (
            self.starts_on <= day
            and (self.ends_on is None or self.ends_on > day)
            and (self.retired_on is None or self.retired_on > day)
        )


@dataclass(frozen=True, slots=True)
class RedoState:
    """What a course's redo versions mean on one day."""

    minimum_version: int
    released_on: date | None


def people(
    db: Session,
    first: date,
    last: date,
    *,
    staff_ids: Collection[int] | None,
    team: str | None,
) -> list[StaffRow]:
    """Staff in scope on some day from ``first`` to ``last``, by name."""
    query = (
        select(
            StaffMember.id,
            StaffMember.staff_number,
            StaffMember.name,
            StaffMember.team,
            StaffMember.employment_type,
            StaffMember.manager_id,
            StaffMember.user_id,
            StaffMember.job_role,
            StaffMember.start_date,
            StaffMember.leaving_date,
            auth.User.role,
        )
        .outerjoin(auth.User, auth.User.id == StaffMember.user_id)
        .where(
            StaffMember.start_date <= last,
            or_(StaffMember.leaving_date.is_(None), StaffMember.leaving_date > first),
        )
        .order_by(StaffMember.name, StaffMember.id)
    )
    if staff_ids is not None:
        query = query.where(StaffMember.id.in_(list(staff_ids)))
    if team is not None:
        query = query.where(StaffMember.team == team)
    return [
        StaffRow(
            id=row.id,
            staff_number=row.staff_number,
            name=row.name,
            team=row.team,
            employment_type=row.employment_type,
            manager_id=row.manager_id,
            user_id=row.user_id,
            job_role=row.job_role,
            start_date=row.start_date,
            leaving_date=row.leaving_date,
            account_role=None if row.role is None else str(row.role),
        )
        for row in db.execute(query)
    ]


def rules(db: Session, first: date, last: date) -> list[Rule]:
    """Requirements in force on some day from ``first`` to ``last``, by course code."""
    found = db.execute(
        select(Requirement, Course)
        .join(Course, Course.id == Requirement.course_id)
        .where(
            Requirement.starts_on <= last,
            or_(Requirement.ends_on.is_(None), Requirement.ends_on > first),
            or_(Course.retired_on.is_(None), Course.retired_on > first),
        )
        .order_by(Course.code, Requirement.id)
    ).all()
    return [
        Rule(
            course.id,
            course.code,
            course.title,
            course.topic,
            course.module_slug,
            course.validity_months,
            course.retired_on,
            RequirementKind(requirement.kind),
            requirement.due_within_days,
            requirement.starts_on,
            requirement.ends_on,
            gate.audience(requirement),
        )
        for requirement, course in found
    ]


def redos(db: Session, rules: list[Rule]) -> dict[int, list[policy.Redo]]:
    """Every course's versions that required a redo, in one query."""
    redos: dict[int, list[policy.Redo]] = {}
    if not rules:
        return redos
    for course_id, version, released_on in db.execute(
        select(CourseVersion.course_id, CourseVersion.version, CourseVersion.released_on).where(
            CourseVersion.requires_redo.is_(True),
            CourseVersion.course_id.in_({r.course_id for r in rules}),
        )
    ):
        redos.setdefault(course_id, []).append(policy.Redo(version, released_on))
    return redos


def redo_on(redos: Sequence[policy.Redo], day: date) -> RedoState:
    return RedoState(policy.required_version(redos, day), policy.redo_released(redos, day))


# Beyond this many staff a filter by id is done in Python: a long IN list costs more to send
# and plan than the rows it saves.
MAX_IN_LIST = 500


def staff_clauses(
    staff_ids: Collection[int] | None, team: str | None
) -> tuple[list[ColumnElement[bool]], set[int] | None]:
    """The completions' filter for ``staff_ids`` / ``team``, and the ids still to keep in
    Python (a long list)."""
    clauses: list[ColumnElement[bool]] = []
    wanted: set[int] | None = None
    if staff_ids is not None:
        wanted = set(staff_ids)
        if len(wanted) <= MAX_IN_LIST:
            clauses.append(Completion.staff_id.in_(wanted))
    if team is not None:
        clauses.append(
            Completion.staff_id.in_(select(StaffMember.id).where(StaffMember.team == team))
        )
    return clauses, wanted


def latest_completions(
    db: Session,
    on_day: dict[int, RedoState],
    as_of: date,
    *,
    staff_ids: Collection[int] | None,
    team: str | None,
) -> dict[tuple[int, int], date]:
    """(staff id, course id) → the latest completion that counts on ``as_of``."""
    latest: dict[tuple[int, int], date] = {}
    if not on_day or (staff_ids is not None and not staff_ids):
        return latest
    raised = {c: redo.minimum_version for c, redo in on_day.items() if redo.minimum_version > 1}
    # Every course's, so that the query reads the index alone; those not asked about are
    # dropped below.
    query = (
        select(Completion.staff_id, Completion.course_id, func.max(Completion.completed_on))
        .where(Completion.completed_on <= as_of)
        .group_by(Completion.staff_id, Completion.course_id)
    )
    if raised:
        # Each course's own oldest counting version, in the one query for every course.
        query = query.where(
            Completion.course_version >= case(raised, value=Completion.course_id, else_=1)
        )
    clauses, wanted = staff_clauses(staff_ids, team)
    for staff_id, course_id, completed_on in db.execute(query.where(*clauses)):
        if (wanted is None or staff_id in wanted) and course_id in on_day:
            latest[(staff_id, course_id)] = completed_on
    return latest


# One person's completions of one course, oldest first: (days, versions). Plain tuples of
# dates and numbers, which the garbage collector stops tracking: a trend holds ~50,000.
Done = tuple[tuple[date, ...], tuple[int, ...]]


def history(
    db: Session,
    days: list[date],
    staff_ids: Collection[int] | None,
    team: str | None,
) -> dict[int, dict[int, Done]]:
    """Staff id → course id → completions: of each stretch up to one of ``days`` (and before
    the first), only the latest of each version, which is all a day of the trend can count.
    Every course's, so that the query reads the index alone (a course no longer required is
    simply never asked about)."""
    found: dict[int, dict[int, Done]] = {}
    if staff_ids is not None and not staff_ids:
        return found
    stretch = case(
        *((Completion.completed_on <= day, n) for n, day in enumerate(days)),
        else_=len(days),
    )
    latest = func.max(Completion.completed_on)
    clauses, wanted = staff_clauses(staff_ids, team)
    query = (
        select(Completion.staff_id, Completion.course_id, latest, Completion.course_version)
        .where(Completion.completed_on <= days[-1], *clauses)
        .group_by(Completion.staff_id, Completion.course_id, stretch, Completion.course_version)
        .order_by(Completion.staff_id, Completion.course_id, latest)
    )
    rows = db.execute(query)
    for (staff_id, course_id), pair in groupby(rows, key=itemgetter(0, 1)):
        if wanted is not None and staff_id not in wanted:
            continue
        rows_of = list(pair)
        found.setdefault(staff_id, {})[course_id] = (
            tuple(row[2] for row in rows_of),
            tuple(row[3] for row in rows_of),
        )
    return found


def counting(done: Done | None, minimum_version: int) -> tuple[date, ...]:
    """The completion days of a version that still counts, oldest first."""
    if done is None:
        return ()
    days, versions = done
    if minimum_version <= 1:
        return days
    return tuple(d for d, v in zip(days, versions, strict=True) if v >= minimum_version)


class Applying:
    """Which rules apply to a member of staff, worked out once per kind of person: the
    filters read only job role, team, employment type and account role."""

    def __init__(self, rules: list[Rule]) -> None:
        self._rules = rules
        self._known: dict[tuple[str | None, str | None, str, str | None], list[Rule]] = {}

    def to(self, staff: StaffRow) -> list[Rule]:
        key = (staff.job_role, staff.team, staff.employment_type, staff.account_role)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = [
                rule
                for rule in self._rules
                if rule.audience.matches(
                    job_role=staff.job_role,
                    team=staff.team,
                    employment_type=staff.employment_type,
                    account_role=staff.account_role,
                )
            ]
        return found
