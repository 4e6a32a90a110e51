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


_KINDS = (
    (RecordKind.CASE, Case, Case.id, Case.case_number),
    (RecordKind.PAPER_FILE, PaperFile, PaperFile.id, PaperFile.file_reference),
)


def _figure(db: Session, schedule_id: int, *where: Any, unheld: bool) -> Figure:
    """Counted and the oldest found from the dates alone, read in due order from the (schedule,
    kind, due date) index: joining each record for its identifier was a random read per
    record counted (seconds for the 400,000 past their date at a million cases). The same
    records: a date goes with its record (disposal and the sweep delete it; dates.py's due
    list counts so too). Each kind's first rows are joined for their identifiers, then the
    two short lists merged."""
    rd = RetentionDate
    count, oldest, firsts = 0, None, []
    for kind, table, key, identifier in _KINDS:
        chosen = [
            rd.schedule_id == schedule_id,
            rd.record_kind == kind.value,
            *([rd.record_id.not_in(held_ids(kind))] if unheld else []),
            *where,
        ]
        found, first = db.execute(select(func.count(), func.min(rd.due_on)).where(*chosen)).one()
        count += int(found or 0)
        oldest = first if oldest is None or (first is not None and first < oldest) else oldest
        label = cast(identifier, String).label("identifier")
        part = (
            select(
                rd.record_kind.label("kind"),
                rd.record_id.label("record_id"),
                label,
                rd.due_on.label("due_on"),
            )
            .join(table, key == rd.record_id)
            .where(*chosen)
            .order_by(rd.due_on, label)
            .limit(ROWS_SHOWN)
            .subquery()
        )
        firsts.append(select(part))
    q = union_all(*firsts).subquery("records")
    rows = db.execute(select(q).order_by(q.c.due_on, q.c.identifier).limit(ROWS_SHOWN)).all()
    return Figure(
        count,
        oldest,
        [DatedRecord(str(r.kind), int(r.record_id), str(r.identifier), r.due_on) for r in rows],
    )


def past_disposal(db: Session, as_of: date) -> Figure | None:
    """None when no schedule is approved: nothing can be dated, so nothing is overdue."""
    schedule = schedules.approved(db)
    if schedule is None:
        return None
    return _figure(db, schedule.id, RetentionDate.due_on < as_of, unheld=True)


def undatable_records(db: Session) -> Figure | None:
    schedule = schedules.approved(db)
    if schedule is None:
        return None
    # Missing facts leave no date (records_sql.py): the NULL dates are the index's first
    # entries, so the undatable are found among them, not among every record.
    missing = (RetentionDate.due_on.is_(None), RetentionDate.note == undatable.MISSING)
    return _figure(db, schedule.id, *missing, unheld=False)
