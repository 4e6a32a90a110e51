"""Retention figures for the DPO's measures, straight off the approved schedule's dates
(the (schedule, due date) index): records past their disposal date that no hold in force
covers, with the oldest; and records the schedule cannot date. Aggregate SQL; the rows for a
drill-down are the oldest first, at most ROWS_SHOWN of them. Also: disposal lists carried out
with their certificate, and record classes with a rule, an owner and a review in 12 months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import String, cast, func, select, union_all
from sqlalchemy.orm import Session

from steward.archives.models import PaperFile
from steward.records.models import Case
from steward.retention.models import (
    DisposalCertificate,
    DisposalList,
    DisposalStatus,
    RecordKind,
    RetentionDate,
)
from steward.retention.service import class_reviews, schedules, undatable
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


def _figure(db: Session, schedule_id: int, *where: Any, unheld: bool, shown: int) -> Figure:
    """Counted from the dates alone, read from the (schedule, kind, due date) index: joining
    each record for its identifier was a random read per record counted (seconds for the
    400,000 past their date at a million cases). The same records: a date goes with its
    record (disposal and the sweep delete it; dates.py's due list counts so too). The held
    are counted apart, each looked up by its key, and taken off: testing every date counted
    against the held ids cost half as much again as counting. Each kind's first rows, in
    due order, are joined for their identifiers, then the two short lists merged; the
    oldest is the first of them."""
    rd = RetentionDate
    count, firsts = 0, []
    for kind, table, key, identifier in _KINDS:
        chosen = [rd.schedule_id == schedule_id, rd.record_kind == kind.value, *where]
        count += db.scalar(select(func.count()).where(*chosen)) or 0
        if unheld:
            # From the held, each one's date found by its key (the planner, asked for a
            # join, walked the dates instead and probed the held for each).
            held = held_ids(kind).subquery("held")
            dated = select(rd.record_id).where(*chosen, rd.record_id == held.c[0]).exists()
            count -= db.scalar(select(func.count()).select_from(held).where(dated)) or 0
            chosen.append(rd.record_id.not_in(held_ids(kind)))
        # The first rows chosen from the dates alone (ties in record order), and only those
        # joined for their identifiers: ordering by identifier joined every record counted
        # (30,000 undatable cases at a million, all with no date, so all tied).
        first_dates = (
            select(rd.record_kind, rd.record_id, rd.due_on)
            .where(*chosen)
            .order_by(rd.due_on, rd.record_id)
            .limit(shown)
            .subquery()
        )
        firsts.append(
            select(
                first_dates.c.record_kind.label("kind"),
                first_dates.c.record_id.label("record_id"),
                cast(identifier, String).label("identifier"),
                first_dates.c.due_on.label("due_on"),
            ).join(table, key == first_dates.c.record_id)
        )
    q = union_all(*firsts).subquery("records")
    rows = db.execute(select(q).order_by(q.c.due_on, q.c.kind, q.c.record_id).limit(shown)).all()
    return Figure(
        count,
        rows[0].due_on if rows else None,
        [DatedRecord(str(r.kind), int(r.record_id), str(r.identifier), r.due_on) for r in rows],
    )


def past_disposal(db: Session, as_of: date, *, shown: int | None = None) -> Figure | None:
    """None when no schedule is approved: nothing can be dated, so nothing is overdue.
    ``shown``: the oldest rows wanted (1 gives the oldest date alone, for a figure; None:
    ROWS_SHOWN)."""
    schedule = schedules.approved(db)
    if schedule is None:
        return None
    return _figure(
        db, schedule.id, RetentionDate.due_on < as_of, unheld=True, shown=shown or ROWS_SHOWN
    )


def undatable_records(db: Session, *, shown: int | None = None) -> Figure | None:
    schedule = schedules.approved(db)
    if schedule is None:
        return None
    missing = undatable.missing_facts(schedule.id)
    return _figure(db, schedule.id, *missing, unheld=False, shown=shown or ROWS_SHOWN)


@dataclass(frozen=True)
class ListRow:
    list_id: int
    reference: str
    completed_on: date


@dataclass(frozen=True)
class ListsCertified:
    completed: int
    certified: int
    uncertified: list[ListRow]


def disposal_lists_certified(db: Session, start: date, as_of: date) -> ListsCertified:
    """Disposal lists carried out to the end from ``start`` to ``as_of``, and whether each had
    its certificate of destruction by then. A list still under review, approved or being
    carried out is not a disposal yet, and is not counted."""
    end = datetime.combine(as_of, time.max, tzinfo=UTC)
    certified = (
        select(DisposalCertificate.id)
        .where(DisposalCertificate.list_id == DisposalList.id, DisposalCertificate.issued_at <= end)
        .exists()
    )
    rows = db.execute(
        select(DisposalList.id, DisposalList.reference, DisposalList.completed_at, certified)
        .where(
            DisposalList.status == DisposalStatus.COMPLETED.value,
            DisposalList.completed_at >= datetime.combine(start, time.min, tzinfo=UTC),
            DisposalList.completed_at <= end,
        )
        .order_by(DisposalList.completed_at, DisposalList.reference)
    ).all()
    missing = [
        ListRow(int(list_id), str(reference), completed_at.astimezone(UTC).date())
        for list_id, reference, completed_at, has_certificate in rows
        if completed_at is not None and not has_certificate
    ]
    return ListsCertified(len(rows), len(rows) - len(missing), missing)


def record_classes_reviewed(db: Session, as_of: date) -> list[class_reviews.ClassStanding]:
    return class_reviews.standings(db, as_of)
