"""How well requests are answered: received, completed, the share completed on time, the
median days to complete, extensions and refusals -- over a date range (by default the last
twelve months), in total, by requester type and by month.

Each figure counts an event on its own date: a request is *received* on the day it arrived,
*completed* on the day its response went out (the step to "sent", or to "refused": a refusal
is the response, and it too must be given in time, Art 12(4)), *extended* on the day it was
extended, *refused* on the day it was refused. A month's row is what happened that month.
*On time*: completed on or before the due date as the clock stood on the day of completion
(pauses and an extension included). *Days to complete*: calendar days from the day the
request arrived to the day of completion, as the requester lived them. A withdrawn request
was never completed and counts only as received. Nothing personal is read: codes and dates.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from steward.core import audit, clock
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.sar.events import SarEvent
from steward.sar.models import SarStep, SubjectAccessRequest
from steward.sar.policy import RequesterType, Status
from steward.sar.service.requests import _require, clock_of

MAX_MONTHS = 120
RESPONDED = frozenset({Status.SENT.value, Status.REFUSED.value})


@dataclass
class Figures:
    received: int = 0
    completed: int = 0
    on_time: int = 0
    extended: int = 0
    refused: int = 0
    days: list[int] = field(default_factory=list)  # days to complete, one per completion

    @property
    def on_time_percent(self) -> float | None:
        """None when nothing was completed: 0% would say every response was late."""
        return round(100 * self.on_time / self.completed, 1) if self.completed else None

    @property
    def median_days(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    def as_dict(self) -> dict[str, object]:
        return {
            "received": self.received,
            "completed": self.completed,
            "on_time": self.on_time,
            "on_time_percent": self.on_time_percent,
            "median_days_to_complete": self.median_days,
            "extensions": self.extended,
            "refusals": self.refused,
        }


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    total: Figures
    by_requester: list[tuple[RequesterType, Figures]]
    by_month: list[tuple[date, Figures]]  # the first of each month in the range

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "total": self.total.as_dict(),
            "by_requester_type": {t.value: f.as_dict() for t, f in self.by_requester},
            "by_month": {m.strftime("%Y-%m"): f.as_dict() for m, f in self.by_month},
        }


def default_range(today: date) -> tuple[date, date]:
    """The last twelve months: from the first of the month eleven months ago, to today."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def _months(start: date, end: date) -> list[date]:
    found, at = [], date(start.year, start.month, 1)
    while at <= end:
        found.append(at)
        at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return found


def check_range(start: date, end: date) -> None:
    if start > end:
        raise ValidationFailed(
            "The start of the period must be on or before its end.",
            errors={"from": "The start must be on or before the end"},
        )
    if len(_months(start, end)) > MAX_MONTHS:
        raise ValidationFailed(
            f"Choose a period of at most {MAX_MONTHS // 12} years.",
            errors={"from": f"Choose a period of at most {MAX_MONTHS // 12} years"},
        )


def _responded_on(request: SubjectAccessRequest) -> tuple[date, str] | None:
    """The day the response went out (UK date) and whether it was sent or a refusal."""
    for step in request.steps:
        if step.to_status in RESPONDED and step.from_status != step.to_status:
            return step.at.astimezone(clock.UK).date(), str(step.to_status)
    return None


def _events(
    requests: Iterable[SubjectAccessRequest],
) -> Iterable[tuple[str, date, RequesterType, int | None, bool]]:
    """(what, when, requester type, days to complete, on time) for every counted event."""
    for request in requests:
        kind = RequesterType(request.requester_type)
        yield "received", request.received_on, kind, None, False
        if request.extended_on is not None:
            yield "extended", request.extended_on, kind, None, False
        responded = _responded_on(request)
        if responded is None:
            continue
        day, status = responded
        on_time = day <= clock_of(request, day).due_on
        yield "completed", day, kind, (day - request.received_on).days, on_time
        if status == Status.REFUSED.value:
            yield "refused", day, kind, None, False


def _add(figures: Figures, what: str, days: int | None, on_time: bool) -> None:
    if what == "received":
        figures.received += 1
    elif what == "extended":
        figures.extended += 1
    elif what == "refused":
        figures.refused += 1
    else:
        figures.completed += 1
        figures.on_time += on_time
        figures.days.append(days or 0)


def build(
    db: Session, actor: Actor, *, start: date | None = None, end: date | None = None
) -> Report:
    """The figures of the period (default: the last twelve months); the viewing is audited."""
    _require(actor)
    default_start, default_end = default_range(clock.today())
    start, end = start or default_start, end or default_end
    check_range(start, end)
    # Any request with an event in the period: received in it, extended in it, or responded
    # to since it began (a response comes after arrival, so one received before the end).
    touched = select(SubjectAccessRequest.id).where(
        SubjectAccessRequest.received_on <= end,
        or_(
            SubjectAccessRequest.received_on >= start,
            SubjectAccessRequest.extended_on >= start,
            SubjectAccessRequest.id.in_(
                select(SarStep.request_id).where(
                    SarStep.to_status.in_(RESPONDED), SarStep.at >= _start_of(start)
                )
            ),
        ),
    )
    requests = db.scalars(
        select(SubjectAccessRequest)
        .where(SubjectAccessRequest.id.in_(touched))
        .options(
            selectinload(SubjectAccessRequest.steps), selectinload(SubjectAccessRequest.pauses)
        )
        .order_by(SubjectAccessRequest.id)
    ).all()
    total = Figures()
    by_type = {t: Figures() for t in RequesterType}
    by_month: dict[date, Figures] = defaultdict(Figures)
    months = _months(start, end)
    for what, when, kind, days, on_time in _events(requests):
        if not start <= when <= end:
            continue
        for figures in (total, by_type[kind], by_month[date(when.year, when.month, 1)]):
            _add(figures, what, days, on_time)
    audit.record(
        db,
        actor,
        SarEvent.REPORT_VIEWED,
        details={"from": start.isoformat(), "to": end.isoformat()},
    )
    return Report(
        start,
        end,
        total,
        list(by_type.items()),
        [(m, by_month.get(m) or Figures()) for m in months],
    )


def _start_of(day: date) -> datetime:
    """A day before the period's first UK day begins: steps are stored in UTC, and events
    outside the period are dropped by their UK date anyway."""
    return datetime.combine(day - timedelta(days=1), time.min, tzinfo=UTC)
