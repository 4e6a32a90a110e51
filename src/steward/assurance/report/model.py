"""The board report's figures: what the PDF and the JSON are made from, and nothing else.

Figures, codes, dates, the organisation's own words about its controls (audit titles,
recommendation text) and roles. Never a person's name, a case or request reference, or any
text that is sealed (statements, update notes, breach narrative): the board report leaves the
building, so it says nothing about anyone the organisation holds records on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.policy import ActionStatus, Priority
from steward.assurance.controls.policy import Kind, Rag


@dataclass(frozen=True)
class MeasureFigure:
    key: str
    title: str
    kind: Kind
    definition: str
    shown: str  # as a person reads it: "60% (3 of 5)", "2", "None to count"
    value: float | None
    numerator: int | None
    denominator: int | None
    count: int | None
    note: str
    status: Rag
    green: float
    amber: float
    threshold_words: str


@dataclass(frozen=True)
class AreaFigures:
    area: Area
    rating: Rating | None  # the latest self-assessment on or before the day
    assessed_on: date | None
    assessed_by_role: str | None  # the assessor's role, never their name
    audit_rating: Rating | None  # the latest audit's rating of the area on or before the day
    audit_title: str | None
    measures: tuple[MeasureFigure, ...]
    worst: Rag
    opinion: str


@dataclass(frozen=True)
class Overall:
    rating: Rating | None
    source: str  # "audit", "follow_up" or "none"
    audit_title: str | None
    on: date | None  # when the rating was given (report or follow-up date)


@dataclass(frozen=True)
class PriorityFigures:
    priority: Priority
    total: int
    open: int  # open or in progress
    done: int
    not_accepted: int
    overdue: int  # open after the agreed date


@dataclass(frozen=True)
class RedAction:
    """An overdue urgent or high action, by the audit report's reference and its words."""

    reference: str
    audit_title: str
    text: str
    priority: Priority
    agreed_on: date


@dataclass(frozen=True)
class ActionProgress:
    by_status: tuple[tuple[ActionStatus, int], ...]
    overdue: int
    red: tuple[RedAction, ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_status)


@dataclass(frozen=True)
class Attestations:
    current: int
    due_soon: int
    expired: int


@dataclass(frozen=True)
class Breaches:
    reported: int  # incidents and near misses reported in the 12 months
    near_misses: int
    notified: int  # told to the ICO
    notified_within_72_hours: int
    overdue_now: int
    not_notified: int


@dataclass(frozen=True)
class TrendPoint:
    on: date
    value: float | None
    status: Rag


@dataclass(frozen=True)
class Trend:
    key: str
    title: str
    kind: Kind
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class BoardReport:
    as_of: date
    generated_at: datetime
    organisation: str
    catalogue_version: int | None  # None: the catalogue shipped with Steward
    overall: Overall
    areas: tuple[AreaFigures, ...]
    recommendations: tuple[PriorityFigures, ...]
    actions: ActionProgress
    attestations: Attestations
    breaches: Breaches
    trends: tuple[Trend, ...]
    summary: tuple[str, ...]  # the executive summary, a sentence a line
