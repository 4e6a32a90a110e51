"""Read-only counts and dates of retention work for the home page and case lists: records
due for review, disposal lists awaiting decisions, holds in force, records that cannot be
dated; and each case's next retention date. Counted in SQL; nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from steward.core import clock
from steward.core.permissions import Actor, Permission
from steward.retention.models import (
    DisposalList,
    DisposalStatus,
    Hold,
    RecordKind,
    RetentionDate,
    RetentionSchedule,
    ScheduleStatus,
)
from steward.retention.service import schedules, undatable

_APPROVED_ID = select(RetentionSchedule.id).where(
    RetentionSchedule.status == ScheduleStatus.APPROVED
)
_APPROVED = _APPROVED_ID.scalar_subquery()


def next_date_column(
    case_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> ColumnElement[date | None]:
    """Each case's retention date under the approved schedule, as a column correlated to
    ``case_id``, so a list of cases can be sorted by it in one query."""
    return (
        select(RetentionDate.due_on)
        .where(
            RetentionDate.schedule_id == _APPROVED,
            RetentionDate.record_kind == RecordKind.CASE.value,
            RetentionDate.record_id == case_id,
        )
        .scalar_subquery()
    )


def next_dates(db: Session, case_ids: Sequence[int]) -> dict[int, date]:
    """The retention dates of these cases (those the approved schedule dates)."""
    if not case_ids:
        return {}
    # The schedule's id as a value and the key in full: each case is then one key lookup.
    # Given a subquery and "due_on IS NOT NULL", SQLite walked the due-date index instead,
    # every dated record (200 ms at a million cases) for a page of 50.
    schedule_id = db.scalar(_APPROVED_ID)
    if schedule_id is None:
        return {}
    rows = db.execute(
        select(RetentionDate.record_id, RetentionDate.due_on).where(
            RetentionDate.schedule_id == schedule_id,
            RetentionDate.record_kind == RecordKind.CASE.value,
            RetentionDate.record_id.in_(list(case_ids)),
        )
    )
    return {int(r.record_id): r.due_on for r in rows if r.due_on is not None}


@dataclass(frozen=True)
class RetentionWork:
    schedule_approved: bool
    due: int  # records due for review or action today or earlier
    lists_in_review: list[tuple[int, str]]  # (id, reference) of lists awaiting decisions
    holds_in_force: int
    undatable: int


def work(db: Session, actor: Actor) -> RetentionWork:
    actor.require(Permission.RETENTION_MANAGE)
    in_review = [
        (int(r.id), str(r.reference))
        for r in db.execute(
            select(DisposalList.id, DisposalList.reference)
            .where(DisposalList.status == DisposalStatus.IN_REVIEW)
            .order_by(DisposalList.id)
        )
    ]
    holds = db.scalar(select(func.count()).where(Hold.released_at.is_(None))) or 0
    schedule = schedules.approved(db)
    if schedule is None:
        return RetentionWork(False, 0, in_review, holds, 0)
    schedule_id = schedule.id
    # Straight off the (schedule, due date) index: the due list's own query also joins
    # each record for its identifier and hold, which a count does not need.
    due_count = (
        db.scalar(
            select(func.count()).where(
                RetentionDate.schedule_id == schedule_id, RetentionDate.due_on <= clock.today()
            )
        )
        or 0
    )
    missing = db.scalar(select(func.count()).where(*undatable.missing_facts(schedule_id)))
    return RetentionWork(True, due_count, in_review, holds, missing or 0)
