"""Who must do what and where each person stands, as of any date (definitions: policy).

``standings`` is the one computation every figure, page and reminder is built from: it reads
the staff in scope, the requirements in force with every course's redo versions, and each
person's latest counting completion of every course in one grouped query (the version each
course still requires is picked per row), then applies ``policy.standing`` in Python. Which
requirements apply is worked out once per kind of person (job role, team, employment type,
account role), not once per person. At 5,000 staff and 100,000 completions that is four
queries, whatever the number of courses (bench/training.py measures it).

``over_time`` answers the same question on several days (a trend: month ends) from one
reading of the completions, reduced to what a figure counts: each course's topic and status.
Both go through ``_binding``, so a day of the trend and ``standings`` on that day agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.training import policy
from steward.training.models import Completion, Course, CourseVersion, Requirement, StaffMember
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
class Brief:
    """Where someone stood on one day, as the figures count it: their team and employment
    type, and each course's topic and status (the full lines are ``standings``'). A trend
    counts how many people stood exactly so, instead of keeping one per person and day."""

    team: str | None
    employment_type: str
    topics: tuple[str, ...]
    statuses: tuple[Status, ...]  # one per course, in the order of ``topics``

    @property
    def compliant(self) -> bool:
        return policy.is_compliant(self.statuses)

    @property
    def in_window(self) -> bool:
        return policy.in_window(self.statuses)

    @classmethod
    def of(cls, person: PersonStanding) -> Brief:
        return cls(
            person.team,
            person.employment_type,
            tuple(line.topic for line in person.lines),
            tuple(line.status for line in person.lines),
        )


@dataclass(frozen=True, slots=True)
class _Staff:
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
class _Rule:
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
class _Redo:
    """What a course's redo versions mean on one day."""

    minimum_version: int
    released_on: date | None


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
    people = _people(db, as_of, as_of, staff_ids=staff_ids, team=team)
    rules = _rules(db, as_of, as_of)
    redos = _redos(db, rules)
    on_day = {c: _redo_on(redos.get(c, ()), as_of) for c in {r.course_id for r in rules}}
    latest = _latest_completions(db, on_day, as_of, staff_ids=staff_ids, team=team)
    applying = _Applying(rules)
    found = []
    for staff in people:
        mine = applying.to(staff)
        last_done = {r.course_id: latest.get((staff.id, r.course_id)) for r in mine}
        binding = _binding(staff, mine, on_day, last_done, as_of, due_soon_days)
        found.append(
            PersonStanding(
                staff.id,
                staff.staff_number,
                staff.name,
                staff.team,
                staff.employment_type,
                staff.manager_id,
                staff.user_id,
                tuple(
                    Line(
                        rule.course_id,
                        rule.course_code,
                        rule.course_title,
                        rule.topic,
                        rule.kind,
                        rule.module_slug,
                        standing,
                    )
                    for rule, standing in binding.values()
                ),
            )
        )
    return found


def over_time(
    db: Session,
    days: Sequence[date],
    *,
    staff_ids: Collection[int] | None = None,
    team: str | None = None,
) -> dict[date, Counter[Brief]]:
    """``standings`` on each of ``days``, in brief: how many people in scope that day stood
    exactly so (team, employment type, each course's status), from one reading of the
    staff, requirements and completions.

    Per person, course and day this is ``policy.standing`` taken apart: with a counting
    completion the status depends on that completion alone (``standing_after``, worked out
    once per completion date and day); without one, on the earliest first deadline of the
    requirements that apply (``first_due``: the one ``standings`` lets bind). Days that share
    the same requirements in force and redo versions are taken together, person by person."""
    ordered = sorted(set(days))
    if not ordered:
        return {}
    due_soon_days = gate.current_policy(db).due_soon_days
    people = _people(db, ordered[0], ordered[-1], staff_ids=staff_ids, team=team)
    rules = _rules(db, ordered[0], ordered[-1])
    epochs = _epochs(ordered, rules, _redos(db, rules))
    history = _history(db, ordered, staff_ids, team)
    found: dict[date, Counter[Brief]] = {day: Counter() for day in ordered}
    # (completion date, validity) → the status it gives on each day: shared by everyone who
    # completed a course of that interval that day.
    after: dict[tuple[date, int | None], list[Status]] = {}

    def statuses_after(completed: date, validity: int | None) -> list[Status]:
        found = after.get((completed, validity))
        if found is None:
            found = after[(completed, validity)] = [
                policy.standing_after(
                    completed, as_of=day, validity_months=validity, due_soon_days=due_soon_days
                ).status
                for day in ordered
            ]
        return found

    for staff in people:
        per_day: list[list[Status] | None] = [
            [] if policy.in_scope(staff.start_date, staff.leaving_date, day) else None
            for day in ordered
        ]
        topics_of: list[tuple[str, ...]] = [()] * len(ordered)
        done = history.get(staff.id, {})
        for epoch in epochs:
            ks = [k for k in epoch.indexes if per_day[k] is not None]
            if not ks:
                continue
            courses, topics = epoch.applying.courses(staff)
            for k in ks:
                topics_of[k] = topics
            for course_id, course_rules in courses:
                rule, redo = course_rules[0], epoch.redos[course_id]
                completed = _counting(done.get(course_id), redo.minimum_version)
                due: date | None = None
                i, last = 0, None
                for k in ks:
                    day = ordered[k]
                    while i < len(completed) and completed[i] <= day:
                        last = completed[i]
                        i += 1
                    if last is not None:
                        status = statuses_after(last, rule.validity_months)[k]
                    else:
                        if due is None:
                            due = min(
                                policy.first_due(
                                    start_date=staff.start_date,
                                    due_within_days=r.due_within_days,
                                    redo_released_on=redo.released_on,
                                    requirement_starts_on=r.starts_on,
                                )
                                for r in course_rules
                            )
                        status = policy.standing_before(due, as_of=day).status
                    statuses = per_day[k]
                    assert statuses is not None
                    statuses.append(status)
        for k, statuses in enumerate(per_day):
            if statuses is not None:
                found[ordered[k]][
                    Brief(staff.team, staff.employment_type, topics_of[k], tuple(statuses))
                ] += 1
    return found


@dataclass(frozen=True, slots=True)
class _Epoch:
    """Days of a trend that share the requirements in force and every course's redo state."""

    indexes: list[int]
    applying: _Applying
    redos: dict[int, _Redo]


def _epochs(
    days: list[date], rules: list[_Rule], redos: dict[int, list[policy.Redo]]
) -> list[_Epoch]:
    epochs: list[_Epoch] = []
    last_key: object = None
    for k, day in enumerate(days):
        in_force = [r for r in rules if r.in_force(day)]
        on_day = {r.course_id: _redo_on(redos.get(r.course_id, ()), day) for r in in_force}
        key = (tuple(id(r) for r in in_force), tuple(sorted(on_day.items(), key=lambda i: i[0])))
        if key == last_key:
            epochs[-1].indexes.append(k)
        else:
            epochs.append(_Epoch([k], _Applying(in_force), on_day))
            last_key = key
    return epochs


def _people(
    db: Session,
    first: date,
    last: date,
    *,
    staff_ids: Collection[int] | None,
    team: str | None,
) -> list[_Staff]:
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
        _Staff(
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


def _rules(db: Session, first: date, last: date) -> list[_Rule]:
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
        _Rule(
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


def _redos(db: Session, rules: list[_Rule]) -> dict[int, list[policy.Redo]]:
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


def _redo_on(redos: Sequence[policy.Redo], day: date) -> _Redo:
    return _Redo(policy.required_version(redos, day), policy.redo_released(redos, day))


# Beyond this many staff a filter by id is done in Python: a long IN list costs more to send
# and plan than the rows it saves.
_MAX_IN_LIST = 500


def _staff_clauses(
    staff_ids: Collection[int] | None, team: str | None
) -> tuple[list[ColumnElement[bool]], set[int] | None]:
    """The completions' filter for ``staff_ids`` / ``team``, and the ids still to keep in
    Python (a long list)."""
    clauses: list[ColumnElement[bool]] = []
    wanted: set[int] | None = None
    if staff_ids is not None:
        wanted = set(staff_ids)
        if len(wanted) <= _MAX_IN_LIST:
            clauses.append(Completion.staff_id.in_(wanted))
    if team is not None:
        clauses.append(
            Completion.staff_id.in_(select(StaffMember.id).where(StaffMember.team == team))
        )
    return clauses, wanted


def _latest_completions(
    db: Session,
    on_day: dict[int, _Redo],
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
    clauses, wanted = _staff_clauses(staff_ids, team)
    for staff_id, course_id, completed_on in db.execute(query.where(*clauses)):
        if (wanted is None or staff_id in wanted) and course_id in on_day:
            latest[(staff_id, course_id)] = completed_on
    return latest


@dataclass(slots=True)
class _Done:
    """One person's completions of one course, oldest first (for a trend: the latest of each
    stretch between two of its days, per version)."""

    days: list[date]
    versions: list[int]


def _history(
    db: Session,
    days: list[date],
    staff_ids: Collection[int] | None,
    team: str | None,
) -> dict[int, dict[int, _Done]]:
    """Staff id → course id → completions: of each stretch up to one of ``days`` (and before
    the first), only the latest of each version, which is all a day of the trend can count.
    Every course's, so that the query reads the index alone (a course no longer required is
    simply never asked about)."""
    history: dict[int, dict[int, _Done]] = {}
    if staff_ids is not None and not staff_ids:
        return history
    stretch = case(
        *((Completion.completed_on <= day, n) for n, day in enumerate(days)),
        else_=len(days),
    )
    latest = func.max(Completion.completed_on)
    clauses, wanted = _staff_clauses(staff_ids, team)
    query = (
        select(Completion.staff_id, Completion.course_id, latest, Completion.course_version)
        .where(Completion.completed_on <= days[-1], *clauses)
        .group_by(Completion.staff_id, Completion.course_id, stretch, Completion.course_version)
        .order_by(Completion.staff_id, Completion.course_id, latest)
    )
    for staff_id, course_id, completed_on, version in db.execute(query):
        if wanted is not None and staff_id not in wanted:
            continue
        mine = history.get(staff_id)
        if mine is None:
            mine = history[staff_id] = {}
        done = mine.get(course_id)
        if done is None:
            done = mine[course_id] = _Done([], [])
        done.days.append(completed_on)
        done.versions.append(version)
    return history


def _counting(done: _Done | None, minimum_version: int) -> list[date]:
    """The completion days of a version that still counts, oldest first."""
    if done is None:
        return []
    if minimum_version <= 1:
        return done.days
    return [d for d, v in zip(done.days, done.versions, strict=True) if v >= minimum_version]


class _Applying:
    """Which rules apply to a member of staff, worked out once per kind of person: the
    filters read only job role, team, employment type and account role."""

    def __init__(self, rules: list[_Rule]) -> None:
        self._rules = rules
        self._known: dict[tuple[str | None, str | None, str, str | None], list[_Rule]] = {}
        self._grouped: dict[
            tuple[str | None, str | None, str, str | None],
            tuple[list[tuple[int, list[_Rule]]], tuple[str, ...]],
        ] = {}

    def to(self, staff: _Staff) -> list[_Rule]:
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

    def courses(self, staff: _Staff) -> tuple[list[tuple[int, list[_Rule]]], tuple[str, ...]]:
        """The same, grouped by course (in course-code order), and the courses' topics."""
        key = (staff.job_role, staff.team, staff.employment_type, staff.account_role)
        found = self._grouped.get(key)
        if found is None:
            grouped: dict[int, list[_Rule]] = {}
            for rule in self.to(staff):
                grouped.setdefault(rule.course_id, []).append(rule)
            found = self._grouped[key] = (
                list(grouped.items()),
                tuple(rules[0].topic for rules in grouped.values()),
            )
        return found


def _binding(
    staff: _Staff,
    rules: list[_Rule],
    on_day: dict[int, _Redo],
    last_done: dict[int, date | None],
    as_of: date,
    due_soon_days: int,
) -> dict[int, tuple[_Rule, Standing]]:
    """Course id → the requirement that binds this person on it, and where they stand."""
    lines: dict[int, tuple[_Rule, Standing]] = {}
    for rule in rules:
        standing = policy.standing(
            as_of=as_of,
            start_date=staff.start_date,
            due_within_days=rule.due_within_days,
            last_completed_on=last_done[rule.course_id],
            validity_months=rule.validity_months,
            due_soon_days=due_soon_days,
            redo_released_on=on_day[rule.course_id].released_on,
            requirement_starts_on=rule.starts_on,
        )
        kept = lines.get(rule.course_id)
        # Two requirements on one course: the earlier first deadline is the one that binds.
        if kept is None or _earlier(standing, kept[1]):
            lines[rule.course_id] = (rule, standing)
    return lines


def _earlier(standing: Standing, kept: Standing) -> bool:
    if standing.due_on is None or kept.due_on is None:
        return kept.due_on is None and standing.due_on is not None
    return standing.due_on < kept.due_on
