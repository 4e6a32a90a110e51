"""Figures about subject access requests for the DPO's measures (steward.assurance reads
them; this module knows nothing of assurance). Codes, references and dates only.

A request counts as answered on the day its response went out (sent, or a refusal with
reasons) and as on time when that day is on or before its due date as the clock stood then:
a lawful extension and any pause for clarification move the date, exactly as the request's
own page shows it (service.report's rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from steward.core import clock
from steward.sar import policy
from steward.sar.models import SarStep, SubjectAccessRequest
from steward.sar.service.report import RESPONDED, _responded_on
from steward.sar.service.requests import clock_of

_ANSWERED_OR_DONE = policy.FINAL | {policy.Status.SENT}


@dataclass(frozen=True)
class Answered:
    request_id: int
    reference: str
    due_on: date
    answered_on: date
    extended: bool

    @property
    def on_time(self) -> bool:
        return self.answered_on <= self.due_on


@dataclass(frozen=True)
class Overdue:
    request_id: int
    reference: str
    status: str
    due_on: date
    days_over: int


def answered(db: Session, start: date, end: date) -> list[Answered]:
    """Every request answered between ``start`` and ``end`` (UK dates), oldest first."""
    since = datetime.combine(start - timedelta(days=1), time.min, tzinfo=clock.UK)
    touched = select(SarStep.request_id).where(
        SarStep.to_status.in_(RESPONDED), SarStep.at >= since
    )
    requests = db.scalars(
        select(SubjectAccessRequest)
        .where(SubjectAccessRequest.id.in_(touched), SubjectAccessRequest.received_on <= end)
        .options(
            selectinload(SubjectAccessRequest.steps), selectinload(SubjectAccessRequest.pauses)
        )
        .order_by(SubjectAccessRequest.id)
    ).all()
    found = []
    for request in requests:
        responded = _responded_on(request)
        if responded is None or not start <= responded[0] <= end:
            continue
        day = responded[0]
        found.append(
            Answered(
                request.id,
                request.reference,
                clock_of(request, day).due_on,
                day,
                request.extended_on is not None,
            )
        )
    return sorted(found, key=lambda a: (a.answered_on, a.request_id))


def overdue(db: Session, as_of: date) -> list[Overdue]:
    """Open requests past their due date on ``as_of``, most overdue first. The stored due
    date only moves later (a pause still open pushes it day by day), so SQL picks the
    candidates and the clock confirms each: a request whose clock is stopped for
    clarification, or not yet started (ID awaited), is not overdue."""
    candidates = db.scalars(
        select(SubjectAccessRequest)
        .where(
            SubjectAccessRequest.status.not_in([s.value for s in _ANSWERED_OR_DONE]),
            SubjectAccessRequest.due_on < as_of,
            SubjectAccessRequest.received_on <= as_of,
        )
        .options(selectinload(SubjectAccessRequest.pauses))
    ).all()
    found = []
    for request in candidates:
        standing = clock_of(request, as_of)
        if standing.stopped or standing.day_one is None or standing.due_on >= as_of:
            continue
        found.append(
            Overdue(
                request.id,
                request.reference,
                request.status,
                standing.due_on,
                (as_of - standing.due_on).days,
            )
        )
    return sorted(found, key=lambda o: (o.due_on, o.request_id))
