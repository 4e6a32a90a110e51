"""Who must do what and where each person stands, as of any date (definitions: policy).

``standings`` is the one computation every figure, page and reminder is built from: it reads
the staff in scope, the requirements in force with every course's redo versions, and each
person's latest counting completion of every course in one grouped query (the version each
course still requires is picked per row; service/loading.py), then applies
``policy.standing`` in Python. Which requirements apply is worked out once per kind of
person (job role, team, employment type, account role), not once per person, and each
distinct answer once per day. At 5,000 staff and 100,000 completions that is four queries,
whatever the number of courses (bench/training.py measures it). ``trend.over_time`` answers
the same question on many days at once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.training import policy
from steward.training.policy import RequirementKind, Standing, Status
from steward.training.service import gate
from steward.training.service.loading import (
    Applying,
    RedoState,
    Rule,
    StaffRow,
    latest_completions,
    people,
    redo_on,
    redos,
    rules,
)


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
    found_people = people(db, as_of, as_of, staff_ids=staff_ids, team=team)
    in_force = rules(db, as_of, as_of)
    versions = redos(db, in_force)
    on_day = {c: redo_on(versions.get(c, ()), as_of) for c in {r.course_id for r in in_force}}
    latest = latest_completions(db, on_day, as_of, staff_ids=staff_ids, team=team)
    applying = Applying(in_force)
    answers = _Answers(as_of, due_soon_days)
    found = []
    for staff in found_people:
        mine = applying.to(staff)
        last_done = {r.course_id: latest.get((staff.id, r.course_id)) for r in mine}
        binding = _binding(staff, mine, on_day, last_done, answers)
        found.append(
            PersonStanding(
                staff.id,
                staff.staff_number,
                staff.name,
                staff.team,
                staff.employment_type,
                staff.manager_id,
                staff.user_id,
                tuple(answers.line(rule, standing) for rule, standing in binding.values()),
            )
        )
    return found


class _Answers:
    """``policy.standing`` for many people on one day. With a counting completion the answer
    depends on that completion alone (``standing_after``), so each distinct one is worked out
    once and shared, as is the Line that shows it: both are immutable, and thousands of
    people completed a course on the same day."""

    def __init__(self, as_of: date, due_soon_days: int) -> None:
        self.as_of = as_of
        self.due_soon_days = due_soon_days
        self._after: dict[tuple[date, int | None], Standing] = {}
        self._lines: dict[tuple[int, Standing], Line] = {}

    def standing(
        self, staff: StaffRow, rule: Rule, last_done: date | None, redo: RedoState
    ) -> Standing:
        if last_done is None:
            return policy.standing_before(
                policy.first_due(
                    start_date=staff.start_date,
                    due_within_days=rule.due_within_days,
                    redo_released_on=redo.released_on,
                    requirement_starts_on=rule.starts_on,
                ),
                as_of=self.as_of,
            )
        key = (last_done, rule.validity_months)
        found = self._after.get(key)
        if found is None:
            found = self._after[key] = policy.standing_after(
                last_done,
                as_of=self.as_of,
                validity_months=rule.validity_months,
                due_soon_days=self.due_soon_days,
            )
        return found

    def line(self, rule: Rule, standing: Standing) -> Line:
        key = (id(rule), standing)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = Line(
                rule.course_id,
                rule.course_code,
                rule.course_title,
                rule.topic,
                rule.kind,
                rule.module_slug,
                standing,
            )
        return found


def _binding(
    staff: StaffRow,
    rules: list[Rule],
    on_day: dict[int, RedoState],
    last_done: dict[int, date | None],
    answers: _Answers,
) -> dict[int, tuple[Rule, Standing]]:
    """Course id → the requirement that binds this person on it, and where they stand."""
    lines: dict[int, tuple[Rule, Standing]] = {}
    for rule in rules:
        standing = answers.standing(staff, rule, last_done[rule.course_id], on_day[rule.course_id])
        kept = lines.get(rule.course_id)
        # Two requirements on one course: the earlier first deadline is the one that binds.
        if kept is None or _earlier(standing, kept[1]):
            lines[rule.course_id] = (rule, standing)
    return lines


def _earlier(standing: Standing, kept: Standing) -> bool:
    if standing.due_on is None or kept.due_on is None:
        return kept.due_on is None and standing.due_on is not None
    return standing.due_on < kept.due_on
