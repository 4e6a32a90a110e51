"""Paper-archive figures for the DPO's measures: boxes held with a known current location,
and paper files (or boxes) out of store longer than OUT_DAYS. Aggregate SQL; references and
dates only, never the names on a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.archives.models import ArchiveBox, BoxStatus, PaperFile, Retrieval, RetrievalStatus

OUT_DAYS = 30


@dataclass(frozen=True)
class BoxRow:
    box_id: int
    barcode: str


@dataclass(frozen=True)
class OutRow:
    retrieval_id: int
    reference: str
    out_on: date
    days_out: int


def _held(as_of: date) -> list[object]:
    end = datetime.combine(as_of, time.max, tzinfo=UTC)
    return [ArchiveBox.status != BoxStatus.DESTROYED.value, ArchiveBox.created_at <= end]


def boxes_located(db: Session, as_of: date) -> tuple[int, int, list[BoxRow]]:
    """(boxes with a current location, boxes held, the boxes without one)."""
    located, held = db.execute(
        select(func.count().filter(ArchiveBox.location_id.is_not(None)), func.count()).where(
            *_held(as_of)  # type: ignore[arg-type]
        )
    ).one()
    lost = db.execute(
        select(ArchiveBox.id, ArchiveBox.barcode)
        .where(*_held(as_of), ArchiveBox.location_id.is_(None))  # type: ignore[arg-type]
        .order_by(ArchiveBox.barcode)
    ).all()
    return int(located), int(held), [BoxRow(r[0], r[1]) for r in lost]


def files_out_long(db: Session, as_of: date) -> list[OutRow]:
    """Retrievals still out whose start was more than OUT_DAYS days before ``as_of``."""
    cutoff = datetime.combine(as_of - timedelta(days=OUT_DAYS), time.min, tzinfo=UTC)
    rows = db.execute(
        select(Retrieval.id, PaperFile.file_reference, ArchiveBox.barcode, Retrieval.out_at)
        .outerjoin(PaperFile, PaperFile.id == Retrieval.paper_file_id)
        .outerjoin(ArchiveBox, ArchiveBox.id == Retrieval.box_id)
        .where(Retrieval.status == RetrievalStatus.OUT.value, Retrieval.out_at < cutoff)
        .order_by(Retrieval.out_at, Retrieval.id)
    ).all()
    return [
        OutRow(r[0], r[1] or r[2] or "", out.date(), (as_of - out.date()).days)
        for r in rows
        if (out := r[3]) is not None
    ]
