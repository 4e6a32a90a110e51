"""Pure retention rules: dates, triggers, and the disposal workflow. No database, no I/O.

The SQL evaluation (service/evaluate.py) implements exactly these rules set-based; the tests
compare the two on random dates, on both backends.

Date arithmetic: adding years or months to a day that does not exist in the target month
(29 February plus one year, 31 January plus one month) gives the first day of the next
month, never the last day of the short one. A child born on 29 February 2012 is taken to
reach 25 on 1 March 2037: keeping a record one day longer is safe, destroying it one day
early is not (and is how the Family Law Reform Act 1969 s.9 is usually read).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from steward.retention.models import Decision, DisposalStatus


class Action(StrEnum):
    DESTROY = "destroy"
    REVIEW = "review"
    ANONYMISE = "anonymise"
    TRANSFER = "transfer"
    KEEP_PERMANENTLY = "keep_permanently"


# Actions that put a record on a disposal list for a per-item decision.
DISPOSAL_ACTIONS = frozenset({Action.DESTROY, Action.REVIEW})


class Rounding(StrEnum):
    NONE = "none"
    END_OF_MONTH = "end_of_month"
    END_OF_YEAR = "end_of_year"


class RecordDate(StrEnum):
    CREATED = "created"
    CLOSED = "closed"
    LAST_ACTIVITY = "last_activity"


class PersonDate(StrEnum):
    BIRTH = "birth"
    DEATH = "death"


class Pick(StrEnum):
    LATEST = "latest"
    EARLIEST = "earliest"


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def describe(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        return " ".join(parts) or "0 years"


@dataclass(frozen=True)
class RecordTrigger:
    date: RecordDate

    def describe(self) -> str:
        return {
            RecordDate.CREATED: "the record was opened",
            RecordDate.CLOSED: "the record was closed",
            RecordDate.LAST_ACTIVITY: "the last activity on the record",
        }[self.date]


@dataclass(frozen=True)
class PersonTrigger:
    """A date of the persons linked in ``roles``, the latest or earliest across them.

    Birth dates: if any person in the role has no recorded birth date the result is unknown
    (that person could be the youngest). Death dates: only persons who have died count, and
    with ``died_under`` only those who died before that age."""

    date: PersonDate
    roles: tuple[str, ...]
    pick: Pick = Pick.LATEST
    died_under: int | None = None

    def describe(self) -> str:
        who = " or ".join(r.replace("_", " ") for r in self.roles)
        which = {
            (PersonDate.BIRTH, Pick.LATEST): f"birth of the youngest {who}",
            (PersonDate.BIRTH, Pick.EARLIEST): f"birth of the eldest {who}",
            (PersonDate.DEATH, Pick.LATEST): f"the last death of a {who}",
            (PersonDate.DEATH, Pick.EARLIEST): f"the first death of a {who}",
        }[(self.date, self.pick)]
        if self.died_under is not None:
            which += f" who died under {self.died_under}"
        return which


@dataclass(frozen=True)
class EventTrigger:
    event: str

    def describe(self) -> str:
        return f"the {self.event.replace('_', ' ')}"


@dataclass(frozen=True)
class Part:
    trigger: Trigger
    after: Period = Period()


@dataclass(frozen=True)
class Combined:
    """The latest or earliest of several dates, each with its own offset.

    Latest: unknown if any part is unknown (a part not yet known could be the latest).
    Earliest: the parts that apply (an absent death date means "does not apply")."""

    pick: Pick
    parts: tuple[Part, ...]

    def describe(self) -> str:
        inner = "; ".join(
            f"{p.after.describe()} after {p.trigger.describe()}"
            if p.after.total_months
            else p.trigger.describe()
            for p in self.parts
        )
        return f"the {self.pick.value} of: {inner}"


Trigger = RecordTrigger | PersonTrigger | EventTrigger | Combined


@dataclass(frozen=True)
class Rule:
    class_code: str
    authority: str
    citation: str
    trigger: Trigger
    period: Period
    rounding: Rounding
    action: Action
    description: str = ""

    def describe(self) -> str:
        if self.description:
            return self.description
        if self.action is Action.KEEP_PERMANENTLY:
            return "kept permanently"
        text = f"{self.period.describe()} after {self.trigger.describe()}"
        if self.rounding is not Rounding.NONE:
            text += f", to the {self.rounding.value.replace('_', ' ')}"
        return f"{self.action.value} {text}"


@dataclass(frozen=True)
class Schedule:
    title: str
    owner: str
    rules: tuple[Rule, ...]
    new_classes: tuple[tuple[str, str, str | None], ...] = field(default=())

    def rule_for(self, class_code: str) -> Rule | None:
        return next((r for r in self.rules if r.class_code == class_code), None)


# --- date arithmetic -------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months``; a day missing from the target month rolls to the 1st of the
    next (see the module docstring)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, day.day)
    return date(year + (month == 12), month % 12 + 1, 1)


def add_period(day: date, period: Period) -> date:
    return add_months(day, period.total_months)


def round_up(day: date, rounding: Rounding) -> date:
    if rounding is Rounding.END_OF_YEAR:
        return date(day.year, 12, 31)
    if rounding is Rounding.END_OF_MONTH:
        return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def age_reached(born: date, years: int) -> date:
    return add_months(born, 12 * years)


# --- facts and evaluation (the per-record path: explain, tests, the benchmark's peer) -----


@dataclass(frozen=True)
class PersonFacts:
    role: str
    date_of_birth: date | None
    date_of_death: date | None
    label: str = ""  # shown by explain only, never stored


@dataclass(frozen=True)
class RecordFacts:
    created: date | None
    closed: date | None
    last_activity: date | None
    is_open: bool
    persons: Sequence[PersonFacts] = ()
    events: dict[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    trigger_on: date | None
    due_on: date | None
    note: str | None  # why there is no date: open, missing_facts, permanent


def trigger_date(trigger: Trigger, facts: RecordFacts) -> date | None:
    if isinstance(trigger, RecordTrigger):
        return {
            RecordDate.CREATED: facts.created,
            RecordDate.CLOSED: facts.closed,
            RecordDate.LAST_ACTIVITY: facts.last_activity,
        }[trigger.date]
    if isinstance(trigger, PersonTrigger):
        return _person_date(trigger, facts.persons)
    if isinstance(trigger, EventTrigger):
        return facts.events.get(trigger.event)
    if is_per_person(trigger):
        return latest_per_person(trigger, facts.persons)
    dates = [
        _shifted(trigger_date(p.trigger, facts), p.after) for p in per_person_form(trigger).parts
    ]
    return _pick(trigger.pick, dates)


def _pick(pick: Pick, dates: Sequence[date | None]) -> date | None:
    if pick is Pick.LATEST:
        return None if any(d is None for d in dates) else max(d for d in dates if d)
    known = [d for d in dates if d is not None]
    return min(known) if known else None


# --- person-based rules, per person (DOMAIN.md section 2) -------------------------------
#
# A combination of persons' dates is worked out for each person on their own, and the
# record is kept until the latest of those dates: a sibling who died young does not
# shorten a living child's record. A combination mixing the record's own dates with
# persons' dates gathers its person parts into one per-person combination of the same pick
# (the earliest or latest of several dates does not depend on their order), so one person's
# death is never set against another's birth. A bare person trigger keeps its own pick
# across the persons (youngest or eldest), which is the same thing per person.


def person_triggers(trigger: Trigger) -> list[PersonTrigger]:
    if isinstance(trigger, PersonTrigger):
        return [trigger]
    if isinstance(trigger, Combined):
        return [t for p in trigger.parts for t in person_triggers(p.trigger)]
    return []


def is_person_level(trigger: Trigger) -> bool:
    if isinstance(trigger, PersonTrigger):
        return True
    return isinstance(trigger, Combined) and all(is_person_level(p.trigger) for p in trigger.parts)


def is_per_person(trigger: Trigger) -> bool:
    """A combination of persons' dates only: worked out person by person."""
    return isinstance(trigger, Combined) and is_person_level(trigger)


def per_person_form(trigger: Combined) -> Combined:
    """A mixed combination with its person parts gathered into one per-person part."""
    if is_person_level(trigger):
        return trigger
    person = [p for p in trigger.parts if is_person_level(p.trigger)]
    if len(person) < 2:
        return trigger
    rest = [p for p in trigger.parts if not is_person_level(p.trigger)]
    return Combined(trigger.pick, (*rest, Part(Combined(trigger.pick, tuple(person)))))


def roles_of(trigger: Trigger) -> tuple[str, ...]:
    return tuple(sorted({r for t in person_triggers(trigger) for r in t.roles}))


@dataclass(frozen=True)
class PersonValue:
    """One person's date under a per-person trigger: known, unknown (a date is missing, so
    the record cannot be dated), or neither (does not apply to them: they did not die)."""

    on: date | None
    unknown: bool


def person_value(trigger: Trigger, person: PersonFacts) -> PersonValue:
    if isinstance(trigger, PersonTrigger):
        if trigger.date is PersonDate.BIRTH:
            return PersonValue(person.date_of_birth, person.date_of_birth is None)
        died = person.date_of_death if _counts(trigger, person) else None
        return PersonValue(died, False)
    assert isinstance(trigger, Combined)
    values = [
        (_shifted(v.on, p.after), v.unknown)
        for p in trigger.parts
        for v in (person_value(p.trigger, person),)
    ]
    found = _pick(trigger.pick, [on for on, _ in values])
    if trigger.pick is Pick.LATEST:
        return PersonValue(found, found is None)
    return PersonValue(found, found is None and any(u for _, u in values))


def latest_per_person(trigger: Trigger, persons: Iterable[PersonFacts]) -> date | None:
    """The latest of each person's own date; unknown if anyone's is, or nobody is in role."""
    roles = set(roles_of(trigger))
    values = [person_value(trigger, p) for p in persons if p.role in roles]
    if not values or any(v.unknown for v in values):
        return None
    known = [v.on for v in values if v.on is not None]
    return max(known) if known else None


def _shifted(day: date | None, period: Period) -> date | None:
    return None if day is None else add_period(day, period)


def _person_date(trigger: PersonTrigger, persons: Iterable[PersonFacts]) -> date | None:
    chosen = [p for p in persons if p.role in trigger.roles]
    if trigger.date is PersonDate.BIRTH:
        if not chosen or any(p.date_of_birth is None for p in chosen):
            return None
        births = [p.date_of_birth for p in chosen if p.date_of_birth]
        return max(births) if trigger.pick is Pick.LATEST else min(births)
    deaths = [p.date_of_death for p in chosen if p.date_of_death and _counts(trigger, p)]
    if not deaths:
        return None
    return max(deaths) if trigger.pick is Pick.LATEST else min(deaths)


def _counts(trigger: PersonTrigger, person: PersonFacts) -> bool:
    if trigger.died_under is None:
        return True
    if person.date_of_birth is None or person.date_of_death is None:
        return False
    return person.date_of_death < age_reached(person.date_of_birth, trigger.died_under)


def evaluate(rule: Rule, facts: RecordFacts) -> Evaluation:
    if rule.action is Action.KEEP_PERMANENTLY:
        return Evaluation(None, None, "permanent")
    start = trigger_date(rule.trigger, facts)
    if facts.is_open:
        return Evaluation(start, None, "open")
    if start is None:
        return Evaluation(None, None, "missing_facts")
    return Evaluation(start, round_up(add_period(start, rule.period), rule.rounding), None)


def missing(rule: Rule, facts: RecordFacts) -> list[str]:
    """What a record that cannot be dated lacks, in words that name no one: what someone
    fixing it must add."""
    if rule.action is Action.KEEP_PERMANENTLY or facts.is_open:
        return []
    if trigger_date(rule.trigger, facts) is not None:
        return []
    return sorted(set(_missing(rule.trigger, facts))) or ["a date the rule needs"]


def _missing(trigger: Trigger, facts: RecordFacts) -> list[str]:
    if isinstance(trigger, RecordTrigger):
        if trigger_date(trigger, facts) is not None:
            return []
        return [
            {
                RecordDate.CREATED: "no opening date",
                RecordDate.CLOSED: "no closure date",
                RecordDate.LAST_ACTIVITY: "no dates of activity",
            }[trigger.date]
        ]
    if isinstance(trigger, EventTrigger):
        if trigger.event in facts.events:
            return []
        return [f"no {trigger.event.replace('_', ' ')} date recorded"]
    if isinstance(trigger, PersonTrigger) or is_per_person(trigger):
        return _missing_persons(trigger, facts)
    return [m for p in trigger.parts for m in _missing(p.trigger, facts)]


def _missing_persons(trigger: Trigger, facts: RecordFacts) -> list[str]:
    roles = roles_of(trigger)
    who = " or ".join(r.replace("_", " ") for r in roles)
    chosen = [p for p in facts.persons if p.role in roles]
    if not chosen:
        return [f"no {who} recorded"]
    found: list[str] = []
    if any(p.date_of_birth is None for p in chosen) and any(
        t.date is PersonDate.BIRTH for t in person_triggers(trigger)
    ):
        found.append(f"a {who} has no date of birth")
    deaths = [t for t in person_triggers(trigger) if t.date is PersonDate.DEATH]
    if deaths and not found and trigger_date(trigger, facts) is None:
        found.append(f"no qualifying date of death of a {who}")
    return found


# --- disposal workflow -----------------------------------------------------------------

ALLOWED: dict[DisposalStatus, frozenset[DisposalStatus]] = {
    DisposalStatus.IN_REVIEW: frozenset({DisposalStatus.APPROVED, DisposalStatus.CANCELLED}),
    DisposalStatus.APPROVED: frozenset({DisposalStatus.EXECUTING, DisposalStatus.CANCELLED}),
    DisposalStatus.EXECUTING: frozenset({DisposalStatus.COMPLETED}),
    DisposalStatus.COMPLETED: frozenset(),
    DisposalStatus.CANCELLED: frozenset(),
}


def can_move(current: DisposalStatus, to: DisposalStatus) -> bool:
    return to in ALLOWED[current]


def may_approve(decisions: Iterable[Decision]) -> bool:
    """Approval needs every item decided: an undecided item is never destroyed by default."""
    return all(d is not Decision.PENDING for d in decisions)


def review_overdue(proposed_on: date, today: date, *, days: int = 30) -> bool:
    """Items left undecided this long are shown as overdue on the DPO's report."""
    return today > proposed_on + timedelta(days=days)
