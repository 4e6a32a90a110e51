"""Compliance on many days at once (a trend: the last twelve month ends), from one reading
of the staff, requirements and completions: ``over_time`` counts how many people stood
exactly so on each day, where ``compliance.standings`` lists every line of every person on
one day. The two agree day by day (tests/training/test_report.py holds them to it)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.training import policy
from steward.training.policy import Status
from steward.training.service import gate
from steward.training.service.compliance import PersonStanding
from steward.training.service.loading import (
    RedoState,
    Rule,
    StaffRow,
    counting,
    history,
    people,
    redo_on,
    redos,
    rules,
)


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
    once per completion date for every day, and shared); without one, on the earliest first
    deadline of the requirements that apply (``first_due``: the one ``standings`` lets
    bind). A course's days are taken a stretch at a time: the days over which its
    requirements in force and its redo version stay the same."""
    ordered = sorted(set(days))
    if not ordered:
        return {}
    due_soon_days = gate.current_policy(db).due_soon_days
    found_people = people(db, ordered[0], ordered[-1], staff_ids=staff_ids, team=team)
    in_force = rules(db, ordered[0], ordered[-1])
    stretches = _stretches(ordered, in_force, redos(db, in_force))
    done_by = history(db, ordered, staff_ids, team)
    vectors = _Vectors(ordered, due_soon_days)
    plans = _Plans(stretches)
    counted: list[Counter[tuple[str | None, str, tuple[str, ...], tuple[Status, ...]]]] = [
        Counter() for _ in ordered
    ]
    for staff in found_people:
        present = [
            k
            for k, day in enumerate(ordered)
            if policy.in_scope(staff.start_date, staff.leaving_date, day)
        ]
        if not present:
            continue
        first, last = present[0], present[-1]  # in scope is one stretch of days
        done = done_by.get(staff.id, {})
        plan = plans.of(staff)
        columns: list[list[Status | None]] = []
        for course_id, course_stretches in plan.courses:
            column: list[Status | None] = [None] * (last - first + 1)
            for stretch, applying in course_stretches:
                lo, hi = max(stretch.first, first), min(stretch.last, last)
                if lo <= hi:
                    column[lo - first : hi - first + 1] = vectors.column(
                        lo,
                        hi,
                        counting(done.get(course_id), stretch.redo.minimum_version),
                        applying,
                        staff.start_date,
                        stretch.redo,
                    )
            columns.append(column)
        for offset, statuses in enumerate(zip(*columns, strict=True) if columns else ()):
            if None in statuses:  # a course that applies on some of the days only
                kept = [(t, s) for t, s in zip(plan.topics, statuses, strict=True) if s is not None]
                key = (
                    staff.team,
                    staff.employment_type,
                    tuple(t for t, _ in kept),
                    tuple(s for _, s in kept),
                )
            else:
                key = (staff.team, staff.employment_type, plan.topics, statuses)
            counted[first + offset][key] += 1
        if not columns:
            for k in range(first, last + 1):
                counted[k][(staff.team, staff.employment_type, (), ())] += 1
    return {
        ordered[k]: Counter({Brief(*key): n for key, n in found.items()})
        for k, found in enumerate(counted)
    }


@dataclass(frozen=True, slots=True)
class _Stretch:
    """Consecutive days of a trend over which a course's requirements in force and its redo
    version stay the same."""

    first: int
    last: int
    rules: tuple[Rule, ...]
    redo: RedoState


def _stretches(
    days: list[date], rules: list[Rule], redos: dict[int, list[policy.Redo]]
) -> dict[int, list[_Stretch]]:
    """Course id (in course-code order) → its stretches."""
    by_course: dict[int, list[Rule]] = {}
    for rule in rules:
        by_course.setdefault(rule.course_id, []).append(rule)
    found: dict[int, list[_Stretch]] = {}
    for course_id, course_rules in by_course.items():
        stretches: list[_Stretch] = []
        for k, day in enumerate(days):
            in_force = tuple(r for r in course_rules if r.in_force(day))
            redo = redo_on(redos.get(course_id, ()), day)
            previous = stretches[-1] if stretches else None
            if previous and previous.rules == in_force and previous.redo == redo:
                stretches[-1] = _Stretch(previous.first, k, in_force, redo)
            else:
                stretches.append(_Stretch(k, k, in_force, redo))
        found[course_id] = [s for s in stretches if s.rules]
    return found


@dataclass(frozen=True, slots=True)
class _Plan:
    """For one kind of person: each course that applies on some day, with the stretches
    where it does and the requirements that apply then; and the courses' topics."""

    courses: list[tuple[int, list[tuple[_Stretch, list[Rule]]]]]
    topics: tuple[str, ...]


class _Plans:
    def __init__(self, stretches: dict[int, list[_Stretch]]) -> None:
        self._stretches = stretches
        self._known: dict[tuple[str | None, str | None, str, str | None], _Plan] = {}

    def of(self, staff: StaffRow) -> _Plan:
        key = (staff.job_role, staff.team, staff.employment_type, staff.account_role)
        found = self._known.get(key)
        if found is None:
            courses = []
            topics = []
            for course_id, stretches in self._stretches.items():
                applying = [
                    (stretch, [r for r in stretch.rules if _applies(r, staff)])
                    for stretch in stretches
                ]
                applying = [(stretch, rules) for stretch, rules in applying if rules]
                if applying:
                    courses.append((course_id, applying))
                    topics.append(applying[0][1][0].topic)
            found = self._known[key] = _Plan(courses, tuple(topics))
        return found


def _applies(rule: Rule, staff: StaffRow) -> bool:
    return rule.audience.matches(
        job_role=staff.job_role,
        team=staff.team,
        employment_type=staff.employment_type,
        account_role=staff.account_role,
    )


class _Vectors:
    """Statuses on each day of a trend, worked out once per completion day (or first
    deadline) and shared by everyone who has it."""

    def __init__(self, days: list[date], due_soon_days: int) -> None:
        self.days = days
        self.due_soon_days = due_soon_days
        self._after: dict[tuple[date, int | None], list[Status]] = {}
        self._before: dict[date, list[Status]] = {}

    def after(self, completed: date, validity: int | None) -> list[Status]:
        found = self._after.get((completed, validity))
        if found is None:
            found = self._after[(completed, validity)] = [
                policy.standing_after(
                    completed, as_of=day, validity_months=validity, due_soon_days=self.due_soon_days
                ).status
                for day in self.days
            ]
        return found

    def before(self, due: date) -> list[Status]:
        found = self._before.get(due)
        if found is None:
            found = self._before[due] = [
                policy.standing_before(due, as_of=day).status for day in self.days
            ]
        return found

    def column(
        self,
        lo: int,
        hi: int,
        completed: tuple[date, ...],
        rules: list[Rule],
        start_date: date,
        redo: RedoState,
    ) -> list[Status]:
        """One course's status on days ``lo`` to ``hi``, for one person: a slice of a shared
        vector for each run of days that one completion (or none yet) governs."""
        validity = rules[0].validity_months
        days = self.days
        found: list[Status] = []
        at = bisect_right(completed, days[lo])
        while lo <= hi:
            # Up to the day before the next completion counts, this one governs.
            end = hi if at == len(completed) else min(hi, bisect_left(days, completed[at]) - 1)
            if at:
                vector = self.after(completed[at - 1], validity)
            else:
                vector = self.before(_first_due(rules, start_date, redo))
            found += vector[lo : end + 1]
            lo = end + 1
            if lo <= hi:
                at = bisect_right(completed, days[lo])
        return found


def _first_due(rules: list[Rule], start_date: date, redo: RedoState) -> date:
    """The earliest first deadline of a course's requirements: the one that binds."""
    return min(
        policy.first_due(
            start_date=start_date,
            due_within_days=r.due_within_days,
            redo_released_on=redo.released_on,
            requirement_starts_on=r.starts_on,
        )
        for r in rules
    )
