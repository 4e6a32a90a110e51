"""Retention figures for the DPO's measures, straight off the approved schedule's dates
(the (schedule, due date) index): records past their disposal date that no hold in force
covers, with the oldest; and records the schedule cannot date. Aggregate SQL; the rows for a
drill-down are the oldest first, at most ROWS_SHOWN of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, cast, func, select, union_all
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile
from steward.records.models import Case
from steward.retention.models import RecordKind, RetentionDate
from steward.retention.service import schedules, undatable
from steward.retention.service.holds import held_ids

ROWS_SHOWN = 1_000


@dataclass(frozen=True)
class DatedRecord:
    kind: str
    record_id: int
    identifier: str
    due_on: date | None


@dataclass(frozen=True)
class Figure:
    count: int
    oldest_due_on: date | None
    rows: list[DatedRecord]


def _records(schedule_id: int, *where: Any, unheld: bool) -> Any:
    rd = RetentionDate
    parts = [
        select(
            rd.record_kind.label("kind"),
            rd.record_id.label("record_id"),
            cast(identifier, String).label("identifier"),
            rd.due_on.label("due_on"),
        )
        .join(table, key == rd.record_id)
        .where(
            rd.schedule_id == schedule_id,
            rd.record_kind == kind.value,
            *([rd.record_id.not_in(held_ids(kind))] if unheld else []),
            *where,
        )
        for kind, table, key, identifier in (
            (RecordKind.CASE, Case, Case.id, Case.case_number),
            (RecordKind.PAPER_FILE, PaperFile, PaperFile.id, PaperFile.file_reference),
        )
    ]
    return union_all(*parts).subquery("records")


def _figure(db: Session, q: Any) -> Figure:
    count, oldest = db.execute(select(func.count(), func.min(q.c.due_on))).one()
    rows = db.execute(select(q).order_by(q.c.due_on, q.c.identifier).limit(ROWS_SHOWN)).all()
    return Figure(
        int(count or 0),
        oldest,
        [DatedRecord(str(r.kind), int(r.record_id), str(r.identifier), r.due_on) for r in rows],
    )


def past_disposal(db: Session, as_of: date) -> Figure | None:
    """None when no schedule is approved: nothing can be dated, so nothing is overdue."""
    schedule = schedules.approved(db)
    if schedule is None:
        return None
    return _figure(db, _records(schedule.id, RetentionDate.due_on < as_of, unheld=True))


def undatable_records(db: Session) -> Figure | None:
    schedule = schedules.approved(db)
    if schedule is None:
        return None
    return _figure(db, _records(schedule.id, RetentionDate.note == undatable.MISSING, unheld=False))
