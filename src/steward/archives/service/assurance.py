"""Paper-archive figures for the DPO's measures: boxes held with a known current location,
paper files (or boxes) out of store longer than OUT_DAYS, and paper files sent for destruction
with the contractor's certificate. Aggregate SQL; references and dates only, never the names
on a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.archives.models import (
    ArchiveBox,
    BoxStatus,
    CertificateLine,
    CertificateOutcome,
    DestructionCertificate,
    PaperFile,
    PaperFileStatus,
    Retrieval,
    RetrievalStatus,
)

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


# The storage contractor is given this long to send its certificate after files are sent for
# destruction; until then a file is "awaiting its certificate", not counted against the
# figure. The organisation's choice (its contract with the contractor), like the thresholds.
CERTIFICATE_DAYS = 30


@dataclass(frozen=True)
class SentRow:
    file_id: int
    reference: str
    destruction_reference: str | None
    sent_on: date


@dataclass(frozen=True)
class PaperDestruction:
    counted: int  # sent for destruction in the window, certificate due by the day asked about
    certified: int
    awaiting: int  # sent less than CERTIFICATE_DAYS ago, not certified yet
    uncertified: list[SentRow]


def paper_destruction(db: Session, start: date, as_of: date) -> PaperDestruction:
    """Paper files sent for destruction (or recorded destroyed) from ``start`` to ``as_of``, and
    whether a contractor's certificate confirmed each one's destruction by then."""
    end = datetime.combine(as_of, time.max, tzinfo=UTC)
    sent_at = func.coalesce(PaperFile.marked_at, PaperFile.destroyed_at)
    certified = (
        select(CertificateLine.id)
        .join(DestructionCertificate, DestructionCertificate.id == CertificateLine.certificate_id)
        .where(
            CertificateLine.paper_file_id == PaperFile.id,
            CertificateLine.outcome == CertificateOutcome.DESTROYED.value,
            DestructionCertificate.received_at <= end,
        )
        .exists()
    )
    rows = db.execute(
        select(
            PaperFile.id,
            PaperFile.file_reference,
            PaperFile.destruction_reference,
            sent_at,
            certified,
        )
        .where(
            PaperFile.status.in_(
                [PaperFileStatus.MARKED_FOR_DESTRUCTION.value, PaperFileStatus.DESTROYED.value]
            ),
            sent_at >= datetime.combine(start, time.min, tzinfo=UTC),
            sent_at <= end,
        )
        .order_by(sent_at, PaperFile.file_reference)
    ).all()
    due_by = as_of - timedelta(days=CERTIFICATE_DAYS)
    counted = done = awaiting = 0
    missing = []
    for file_id, reference, destruction_reference, at, is_certified in rows:
        sent_on = _utc(at).date()
        if is_certified:
            counted, done = counted + 1, done + 1
        elif sent_on > due_by:
            awaiting += 1
        else:
            counted += 1
            missing.append(SentRow(file_id, reference, destruction_reference, sent_on))
    return PaperDestruction(counted, done, awaiting, missing)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
