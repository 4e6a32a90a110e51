"""Builders for the paper archive's tests."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.archives import service
from steward.archives.models import ArchiveBox, ArchiveLocation, LocationKind, PaperFile
from steward.archives.schemas import LocationCreate, NameOnFile, PaperFileCreate
from steward.core.audit import AuditEvent
from steward.core.permissions import Actor

SYSTEM = Actor.system()
_n = itertools.count(1)


def location(db: Session, *, off_site: bool = False) -> ArchiveLocation:
    n = next(_n)
    data = (
        LocationCreate(
            kind=LocationKind.OFF_SITE, contractor="Deep Store Ltd", contractor_ref=f"A{n}"
        )
        if off_site
        else LocationCreate(kind=LocationKind.ON_SITE, site="HQ", room=f"R{n}", bay="1", shelf="2")
    )
    return service.create_location(db, SYSTEM, data)


def box(db: Session, where: ArchiveLocation | None = None) -> ArchiveBox:
    return service.create_box(
        db, SYSTEM, barcode=f"BX{next(_n):06d}", location_id=where.id if where else None
    )


def paper_file(
    db: Session,
    in_box: ArchiveBox | None = None,
    *,
    names: list[tuple[str, date | None]] = (),  # type: ignore[assignment]
    case_number: str | None = None,
    reference: str | None = None,
) -> PaperFile:
    return service.add_file(
        db,
        SYSTEM,
        PaperFileCreate(
            file_reference=reference or f"PF-{next(_n):06d}",
            box_id=in_box.id if in_box else None,
            case_number=case_number,
            names=[NameOnFile(name=n, date_of_birth=d) for n, d in names],
        ),
    )


def events(db: Session, tag: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if tag:
        query = query.where(AuditEvent.tag == tag)
    return list(db.scalars(query))


def event_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(AuditEvent)) or 0)
