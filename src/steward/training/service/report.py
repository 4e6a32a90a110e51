"""The training compliance report: the organisation's figure and its breakdowns as of any
date, everyone who is not compliant with what they lack, and the figure at the last twelve
month ends. Every number is ``compliance.standings`` (or ``over_time``) counted; what each
one counts is said once (service/definitions.py) and shown beside it on the page, in the API, the
CSV and the command line.

Who sees what. Those who oversee training for the whole organisation (the DPO, IG officers,
the auditor, and the operator at the command line) see everyone. A manager holds the same
permission for their own people: their report, drill-downs and export cover only those who
report to them in HR's staff list, directly or through the managers below them, and say so.

Each view is one audit event (REPORT_READ, or REPORT_EXPORTED for what leaves Steward: the
CSV and the command line's JSON) with the date, the scope and counts, never a name."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, ActorKind, Permission
from steward.training import policy
from steward.training.events import TrainingEvent
from steward.training.models import StaffMember
from steward.training.policy import EmploymentType, Status
from steward.training.service import compliance, gate, trend
from steward.training.service.compliance import Line, PersonStanding
from steward.training.service.definitions import DEFINITIONS, TARGET_LABEL, topic_label

TREND_MONTHS = 12
# An as-of date this far ahead at most: what lapses if nothing is done, not a forecast.
MAX_DAYS_AHEAD = 366
EARLIEST = date(2000, 1, 1)


_IN_WINDOW, _COMPLIANT, _NOT_COMPLIANT = "in_window", "compliant", "not_compliant"


@functools.lru_cache(maxsize=16_384)
def _standing_of(statuses: tuple[Status, ...]) -> str:
    """How a person with these statuses counts: the same few combinations recur thousands of
    times in a report."""
    if policy.in_window(statuses):
        return _IN_WINDOW
    return _COMPLIANT if policy.is_compliant(statuses) else _NOT_COMPLIANT


@dataclass
class Figure:
    """Compliant out of counted: those in scope, less those still in their first window."""

    in_scope: int = 0
    in_window: int = 0
    compliant: int = 0  # compliant and not in their window

    @property
    def counted(self) -> int:
        return self.in_scope - self.in_window

    @property
    def non_compliant(self) -> int:
        return self.counted - self.compliant

    @property
    def percent(self) -> float | None:
        return policy.percent(self.compliant, self.counted)

    def add(self, statuses: Sequence[Status], people: int = 1) -> None:
        self.in_scope += people
        standing = _standing_of(tuple(statuses))
        if standing is _IN_WINDOW:
            self.in_window += people
        elif standing is _COMPLIANT:
            self.compliant += people

    def as_dict(self) -> dict[str, Any]:
        return {
            "in_scope": self.in_scope,
            "in_window": self.in_window,
            "counted": self.counted,
            "compliant": self.compliant,
            "non_compliant": self.non_compliant,
            "percent": self.percent,
        }


@dataclass
class CourseFigure:
    course_id: int
    code: str
    title: str
    topic: str
    counts: Counter[Status] = field(default_factory=Counter)

    @property
    def applies_to(self) -> int:
        return sum(self.counts.values())

    @property
    def percent(self) -> float | None:
        done = self.counts[Status.CURRENT] + self.counts[Status.DUE_SOON]
        return policy.percent(done, self.applies_to - self.counts[Status.NOT_YET_DUE])

    def as_dict(self) -> dict[str, Any]:
        return {
            "course_code": self.code,
            "title": self.title,
            "topic": self.topic,
            "applies_to": self.applies_to,
            **{status.value: self.counts[status] for status in Status},
            "percent": self.percent,
        }


@dataclass(frozen=True)
class NonCompliant:
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    employment_type: str
    missing: tuple[Line, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "staff_number": self.staff_number,
            "name": self.name,
            "team": self.team,
            "employment_type": self.employment_type,
            "missing": [
                {
                    "course_code": line.course_code,
                    "course_title": line.course_title,
                    "status": line.status.value,
                    "due_on": line.standing.due_on,
                }
                for line in self.missing
            ],
        }


@dataclass(frozen=True)
class Point:
    """The figure at one month end, overall and by topic."""

    on: date
    organisation: Figure
    topics: dict[str, Figure]


@dataclass(frozen=True)
class Scope:
    """Whose training a report covers: the organisation, or a manager's own people."""

    staff_ids: frozenset[int] | None  # None: everyone
    label: str

    @property
    def organisation(self) -> bool:
        return self.staff_ids is None


ORGANISATION = Scope(None, "the whole organisation")


@dataclass(frozen=True)
class Report:
    as_of: date
    scope: Scope
    target_percent: int
    organisation: Figure
    teams: list[tuple[str | None, Figure]]
    courses: list[CourseFigure]
    employment_types: list[tuple[EmploymentType, Figure]]
    topics: list[tuple[str, Figure]]
    non_compliant: list[NonCompliant]
    trend: list[Point]

    @property
    def meets_target(self) -> bool | None:
        percent = self.organisation.percent
        return None if percent is None else percent >= self.target_percent

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "scope": "organisation" if self.scope.organisation else "own_people",
            "scope_label": self.scope.label,
            "target": {
                "percent": self.target_percent,
                "label": TARGET_LABEL,
                "met": self.meets_target,
            },
            "organisation": self.organisation.as_dict(),
            "teams": [{"team": team, **f.as_dict()} for team, f in self.teams],
            "courses": [c.as_dict() for c in self.courses],
            "employment_types": [
                {"employment_type": kind.value, **f.as_dict()} for kind, f in self.employment_types
            ],
            "topics": [{"topic": topic, **f.as_dict()} for topic, f in self.topics],
            "trend": [
                {
                    "month_end": point.on,
                    **point.organisation.as_dict(),
                    "topics": {t: f.as_dict() for t, f in sorted(point.topics.items())},
                }
                for point in self.trend
            ],
            "non_compliant": [person.as_dict() for person in self.non_compliant],
            "definitions": dict(DEFINITIONS),
        }


# --- who may see what ----------------------------------------------------------------------


def scope_for(db: Session, actor: Actor) -> Scope:
    """The organisation for those who oversee it (training's managers and the assurance
    roles: the DPO, IG officers, the auditor); a manager's own people otherwise."""
    if actor.kind is ActorKind.SYSTEM:
        return ORGANISATION
    actor.require(Permission.TRAINING_VIEW_COMPLIANCE)
    if actor.can(Permission.TRAINING_MANAGE) or actor.can(Permission.ASSURANCE_VIEW):
        return ORGANISATION
    return Scope(frozenset(_reports_of(db, actor.user_id)), "the people who report to you")


def _reports_of(db: Session, user_id: int | None) -> set[int]:
    """Staff below this account's staff record in HR's lines of management."""
    if user_id is None:
        return set()
    me = db.scalar(select(StaffMember.id).where(StaffMember.user_id == user_id))
    if me is None:
        return set()
    below: dict[int, list[int]] = {}
    for staff_id, manager_id in db.execute(select(StaffMember.id, StaffMember.manager_id)):
        if manager_id is not None:
            below.setdefault(manager_id, []).append(staff_id)
    found: set[int] = set()
    waiting = list(below.get(me, []))
    while waiting:
        staff_id = waiting.pop()
        if staff_id not in found and staff_id != me:  # a loop in HR's data ends here
            found.add(staff_id)
            waiting += below.get(staff_id, [])
    return found


def check_as_of(as_of: date) -> None:
    latest = clock.today() + timedelta(days=MAX_DAYS_AHEAD)
    if not EARLIEST <= as_of <= latest:
        raise ValidationFailed(
            f"Choose a date from {EARLIEST:%-d %B %Y} to {latest:%-d %B %Y}.",
            errors={"as_of": f"The date must be from {EARLIEST.year} to a year from today"},
        )


# --- the report ----------------------------------------------------------------------------


def month_ends(as_of: date, months: int = TREND_MONTHS) -> list[date]:
    """The last ``months`` month ends on or before ``as_of``, oldest first."""
    first_of_next = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    end = first_of_next - timedelta(days=1)
    if end > as_of:
        end = date(as_of.year, as_of.month, 1) - timedelta(days=1)
    found = [end]
    while len(found) < months:
        found.append(date(found[-1].year, found[-1].month, 1) - timedelta(days=1))
    return found[::-1]


def build(
    db: Session,
    actor: Actor,
    as_of: date,
    *,
    trend: bool = True,
    exported: str | None = None,
) -> Report:
    """The report as of ``as_of`` for whoever asks (see ``scope_for``); ``exported`` names the
    format when it leaves Steward (the command line's JSON), recorded as such."""
    scope = scope_for(db, actor)
    check_as_of(as_of)
    people = standings_in(db, scope, as_of)
    report = summarise(
        people,
        as_of=as_of,
        scope=scope,
        target_percent=gate.current_policy(db).target_percent,
        trend=trend_points(db, scope, as_of) if trend else [],
    )
    details: dict[str, audit.DetailValue] = {
        "as_of": as_of.isoformat(),
        "view": "report",
        "scope": "organisation" if scope.organisation else "own_people",
        "people": report.organisation.in_scope,
        "non_compliant": len(report.non_compliant),
    }
    if exported:
        details["format"] = exported
    audit.record(
        db,
        actor,
        TrainingEvent.REPORT_EXPORTED if exported else TrainingEvent.REPORT_READ,
        details=details,
    )
    return report


def standings_in(db: Session, scope: Scope, as_of: date) -> list[PersonStanding]:
    """Everyone in ``scope`` with their standing on ``as_of``."""
    return compliance.standings(db, as_of, staff_ids=scope.staff_ids)


def trend_points(db: Session, scope: Scope, as_of: date) -> list[Point]:
    """The figure, overall and by topic, at each of the last twelve month ends."""
    points = []
    for day, briefs in sorted(
        trend.over_time(db, month_ends(as_of), staff_ids=scope.staff_ids).items()
    ):
        # Teams and employment types do not matter here: merge who stood alike first.
        alike: Counter[tuple[tuple[str, ...], tuple[Status, ...]]] = Counter()
        for brief, count in briefs.items():
            alike[(brief.topics, brief.statuses)] += count
        organisation, topics = Figure(), dict[str, Figure]()
        for (of_topics, statuses), count in alike.items():
            organisation.add(statuses, count)
            for topic, in_topic in _by_topic(of_topics, statuses).items():
                topics.setdefault(topic, Figure()).add(in_topic, count)
        points.append(Point(day, organisation, topics))
    return points


def _by_topic(topics: Iterable[str], statuses: Iterable[Status]) -> dict[str, list[Status]]:
    found: dict[str, list[Status]] = {}
    for topic, status in zip(topics, statuses, strict=True):
        found.setdefault(topic, []).append(status)
    return found


def summarise(
    people: list[PersonStanding],
    *,
    as_of: date,
    scope: Scope,
    target_percent: int,
    trend: list[Point],
) -> Report:
    """Every figure of the report from the people's standings (no database: the same counting
    for a report and for a check of it)."""
    organisation = Figure()
    teams: dict[str | None, Figure] = {}
    kinds = {kind: Figure() for kind in EmploymentType}
    topics: dict[str, Figure] = {}
    courses: dict[int, CourseFigure] = {}
    non_compliant = []
    for person in people:
        statuses = [line.status for line in person.lines]
        organisation.add(statuses)
        teams.setdefault(person.team, Figure()).add(statuses)
        kinds.setdefault(EmploymentType(person.employment_type), Figure()).add(statuses)
        for topic, of_topic in _by_topic((line.topic for line in person.lines), statuses).items():
            topics.setdefault(topic, Figure()).add(of_topic)
        for line in person.lines:
            course = courses.get(line.course_id)
            if course is None:
                course = courses[line.course_id] = CourseFigure(
                    line.course_id, line.course_code, line.course_title, line.topic
                )
            course.counts[line.status] += 1
        if person.missing:
            non_compliant.append(
                NonCompliant(
                    person.staff_id,
                    person.staff_number,
                    person.name,
                    person.team,
                    person.employment_type,
                    person.missing,
                )
            )
    return Report(
        as_of=as_of,
        scope=scope,
        target_percent=target_percent,
        organisation=organisation,
        teams=sorted(teams.items(), key=lambda t: (t[0] is None, (t[0] or "").casefold())),
        courses=sorted(courses.values(), key=lambda c: c.code),
        employment_types=list(kinds.items()),
        topics=sorted(topics.items(), key=lambda t: topic_label(t[0])),
        non_compliant=non_compliant,
        trend=trend,
    )
