"""The rules of the breach register, pure (no database): the 72-hour clock, the workflow and
what a decision or a closure needs (UK GDPR Arts 33-34; DOMAIN.md §5).

The clock runs in clock hours, not working hours: 72 elapsed hours from the moment the
organisation became aware, through nights, weekends, bank holidays and a change of the
clocks (an hour "lost" in March is still an hour the ICO counts). So the deadline is
computed on UTC instants and only shown in UK time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

NOTIFY_WITHIN = timedelta(hours=72)
MAX_PEOPLE = 100_000_000


class Status(StrEnum):
    REPORTED = "reported"  # awaiting triage
    ASSESSING = "assessing"  # triaged, decisions being made
    CLOSED = "closed"


ALLOWED: dict[Status, frozenset[Status]] = {
    Status.REPORTED: frozenset({Status.ASSESSING}),
    Status.ASSESSING: frozenset({Status.ASSESSING, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def can_move(current: Status, to: Status) -> bool:
    return to in ALLOWED[current]


class Kind(StrEnum):
    INCIDENT = "incident"
    NEAR_MISS = "near_miss"  # caught before any personal data was affected


class Risk(StrEnum):
    """The risk to people's rights and freedoms, as assessed (Art 33(1), Art 34(1))."""

    UNLIKELY = "unlikely"
    RISK = "risk"
    HIGH = "high"


class IcoDecision(StrEnum):
    NOTIFIED = "notified"
    NOT_NOTIFIED = "not_notified"


class PeopleDecision(StrEnum):
    TOLD = "told"
    NOT_TOLD = "not_told"


class DataCategory(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    CASE_RECORDS = "case_records"
    CHILDREN = "children"
    HEALTH = "health"
    SPECIAL = "special_category"
    CRIMINAL = "criminal"
    FINANCIAL = "financial"
    OTHER = "other"


CATEGORY_WORDS: dict[DataCategory, str] = {
    DataCategory.IDENTITY: "Names, dates of birth or identifiers",
    DataCategory.CONTACT: "Addresses or contact details",
    DataCategory.CASE_RECORDS: "Case records or reports",
    DataCategory.CHILDREN: "Information about children",
    DataCategory.HEALTH: "Health information",
    DataCategory.SPECIAL: "Other special category data",
    DataCategory.CRIMINAL: "Criminal offence data",
    DataCategory.FINANCIAL: "Financial information",
    DataCategory.OTHER: "Other personal data",
}


def deadline(aware_at: datetime) -> datetime:
    """When the ICO must have been told: 72 elapsed hours after awareness."""
    return aware_at + NOTIFY_WITHIN


class ClockState(StrEnum):
    NOT_STARTED = "not_started"  # not yet triaged: nobody has said when we became aware
    RUNNING = "running"
    OVERDUE = "overdue"  # past 72 hours and no decision yet
    MET = "met"  # notified within 72 hours
    LATE = "late"  # notified after 72 hours (with reasons for the delay)
    NOT_NOTIFIED = "not_notified"  # decided, with a reason, not to notify
    NOT_NEEDED = "not_needed"  # a near miss


@dataclass(frozen=True)
class Clock:
    state: ClockState
    deadline: datetime | None
    # Whole hours left (running) or past the deadline (overdue, late); None otherwise.
    hours: int | None = None
    minutes: int | None = None

    @property
    def open(self) -> bool:
        """A notifiable decision still waits: the clock is running or has run out."""
        return self.state in (ClockState.RUNNING, ClockState.OVERDUE)


def _split(span: timedelta) -> tuple[int, int]:
    minutes = int(span.total_seconds() // 60)
    return minutes // 60, minutes % 60


def clock(
    *,
    kind: Kind | None,
    aware_at: datetime | None,
    ico_decision: IcoDecision | None,
    ico_notified_at: datetime | None,
    now: datetime,
) -> Clock:
    """Where the 72-hour clock stands at ``now`` (the caller's injectable clock)."""
    if kind is Kind.NEAR_MISS:
        return Clock(ClockState.NOT_NEEDED, None)
    if aware_at is None:
        return Clock(ClockState.NOT_STARTED, None)
    due = deadline(aware_at)
    if ico_decision is IcoDecision.NOT_NOTIFIED:
        return Clock(ClockState.NOT_NOTIFIED, due)
    if ico_decision is IcoDecision.NOTIFIED and ico_notified_at is not None:
        if ico_notified_at <= due:
            return Clock(ClockState.MET, due)
        return Clock(ClockState.LATE, due, *_split(ico_notified_at - due))
    if now <= due:
        return Clock(ClockState.RUNNING, due, *_split(due - now))
    return Clock(ClockState.OVERDUE, due, *_split(now - due))


def ico_decision_problems(
    *,
    kind: Kind | None,
    risk: Risk | None,
    aware_at: datetime | None,
    decision: IcoDecision,
    notified_at: datetime | None,
    reference: str,
    reason: str,
    now: datetime,
) -> dict[str, str]:
    """What is wrong with a decision on telling the ICO; empty when it may be recorded."""
    errors: dict[str, str] = {}
    if kind is None or risk is None or aware_at is None:
        return {"decision": "Assess the breach first: its kind, when we became aware and the risk"}
    if kind is Kind.NEAR_MISS:
        return {
            "decision": "A near miss is not notified to the ICO; record it as an incident if "
            "personal data was affected"
        }
    if decision is IcoDecision.NOT_NOTIFIED:
        if risk is not Risk.UNLIKELY:
            errors["decision"] = (
                "A breach likely to result in a risk to people must be reported to the ICO; "
                "if it is unlikely to, change the risk assessment first"
            )
        if not reason.strip():
            errors["reason"] = "Enter why the breach is not being reported to the ICO"
        return errors
    if notified_at is None:
        errors["notified_at"] = "Enter when the ICO was told"
    elif notified_at > now:
        errors["notified_at"] = "When the ICO was told must be in the past"
    elif notified_at < aware_at:
        errors["notified_at"] = "When the ICO was told must be after we became aware"
    elif notified_at > deadline(aware_at) and not reason.strip():
        errors["reason"] = "Enter the reasons for telling the ICO after 72 hours"
    if not reference.strip():
        errors["reference"] = "Enter the ICO's reference for the report"
    return errors


def people_decision_problems(
    *,
    risk: Risk | None,
    decision: PeopleDecision,
    told_on: date | None,
    reason: str,
    aware_on: date | None,
    today: date,
) -> dict[str, str]:
    """What is wrong with a decision on telling the people affected (Art 34)."""
    if risk is None:
        return {"decision": "Assess the breach's risk first"}
    if decision is PeopleDecision.NOT_TOLD:
        if not reason.strip():
            return {"reason": "Enter why the people affected are not being told"}
        return {}
    if told_on is None:
        return {"told_on": "Enter the date the people affected were told"}
    if told_on > today:
        return {"told_on": "The date the people affected were told must be today or in the past"}
    if aware_on is not None and told_on < aware_on:
        return {"told_on": "The date the people affected were told must be after we became aware"}
    return {}


@dataclass(frozen=True)
class Facts:
    """What closing a breach looks at."""

    status: Status
    kind: Kind | None
    risk: Risk | None
    aware_at: datetime | None
    ico_decision: IcoDecision | None
    people_decision: PeopleDecision | None
    lessons: str


def closure_problems(facts: Facts) -> dict[str, str]:
    """Why the breach cannot be closed yet; empty when it can. Art 33(5): the record must say
    what happened, what was done and why it was or was not reported."""
    if not can_move(facts.status, Status.CLOSED):
        return {"status": "Only a breach being assessed can be closed"}
    errors: dict[str, str] = {}
    if facts.kind is None or facts.risk is None or facts.aware_at is None:
        errors["assessment"] = "Assess the breach before closing it"
    elif facts.kind is Kind.INCIDENT and facts.ico_decision is None:
        errors["ico"] = "Record the decision on telling the ICO, or the reason not to"
    if facts.risk is Risk.HIGH and facts.kind is Kind.INCIDENT and facts.people_decision is None:
        errors["people"] = (
            "The risk is high: record the decision on telling the people affected, "
            "or the reason not to"
        )
    if not facts.lessons.strip():
        errors["lessons"] = "Enter the lessons learnt"
    return errors
