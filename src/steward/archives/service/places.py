"""Locations and boxes: where paper is kept, and every move a box makes."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from steward.archives import policy
from steward.archives.events import ArchivesEvent
from steward.archives.models import ArchiveBox, ArchiveLocation, BoxMovement, BoxStatus
from steward.archives.schemas import LocationCreate
from steward.archives.service.access import require_manage
from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor


def derived_code(data: LocationCreate) -> str:
    if data.code:
        return data.code.strip().upper()
    parts = (
        (data.site, data.room, data.bay, data.shelf)
        if data.kind.value == "on_site"
        else ("OFFSITE", data.contractor, data.contractor_ref)
    )
    code = policy.location_code(parts)
    if not code:
        raise ValidationFailed(
            "Give the location a code, or the parts to make one from.",
            errors={"code": "Enter a code such as HQ-R2-B1-S3"},
        )
    return code[:64]


def location_by_code(db: Session, code: str) -> ArchiveLocation | None:
    return db.scalar(select(ArchiveLocation).where(ArchiveLocation.code == code.strip().upper()))


def create_location(db: Session, actor: Actor, data: LocationCreate) -> ArchiveLocation:
    require_manage(actor)
    code = derived_code(data)
    if location_by_code(db, code) is not None:
        raise Conflict("A location with that code already exists.", field="code")
    location = ArchiveLocation(
        code=code,
        kind=data.kind,
        site=data.site,
        room=data.room,
        bay=data.bay,
        shelf=data.shelf,
        contractor=data.contractor,
        contractor_ref=data.contractor_ref,
        created_at=clock.now(),
    )
    db.add(location)
    db.flush()
    audit.record(
        db,
        actor,
        ArchivesEvent.LOCATION_CREATED,
        subject_type="archive_location",
        subject_id=location.id,
        details={"kind": location.kind.value},
    )
    return location


def list_locations(db: Session, actor: Actor) -> list[tuple[ArchiveLocation, int]]:
    """Every location with how many boxes are in it now."""
    require_manage(actor)
    counts = (
        select(ArchiveBox.location_id, func.count(ArchiveBox.id).label("n"))
        .where(ArchiveBox.status != BoxStatus.DESTROYED)
        .group_by(ArchiveBox.location_id)
        .subquery()
    )
    rows = db.execute(
        select(ArchiveLocation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.location_id == ArchiveLocation.id)
        .order_by(ArchiveLocation.kind, ArchiveLocation.code)
    )
    return [(location, int(n)) for location, n in rows]


def get_location(db: Session, actor: Actor, location_id: int) -> ArchiveLocation:
    require_manage(actor)
    location = db.get(ArchiveLocation, location_id)
    if location is None:
        raise NotFound("There is no such location.")
    return location


def boxes_page(db: Session, actor: Actor, location_id: int, page: PageRequest) -> Page[ArchiveBox]:
    """One page of the boxes at a location, by barcode."""
    require_manage(actor)
    return paginate(
        db,
        select(ArchiveBox)
        .where(ArchiveBox.location_id == location_id)
        .order_by(ArchiveBox.barcode, ArchiveBox.id),
        page,
    )


def boxes_at(db: Session, actor: Actor, location_id: int) -> list[ArchiveBox]:
    require_manage(actor)
    return list(
        db.scalars(
            select(ArchiveBox)
            .where(ArchiveBox.location_id == location_id)
            .order_by(ArchiveBox.barcode)
        )
    )


def _location(db: Session, location_id: int | None) -> ArchiveLocation | None:
    if location_id is None:
        return None
    location = db.get(ArchiveLocation, location_id)
    if location is None:
        raise NotFound("There is no such location.")
    return location


def box_by_barcode(db: Session, barcode: str) -> ArchiveBox | None:
    return db.scalar(select(ArchiveBox).where(ArchiveBox.barcode == barcode.strip()))


def create_box(
    db: Session,
    actor: Actor,
    *,
    barcode: str,
    location_id: int | None,
    contractor_ref: str | None = None,
) -> ArchiveBox:
    require_manage(actor)
    barcode = barcode.strip()
    if not barcode or len(barcode) > 64:
        raise ValidationFailed(
            "A box needs a barcode of 1 to 64 characters.", errors={"barcode": "Enter a barcode"}
        )
    if box_by_barcode(db, barcode) is not None:
        raise Conflict("A box with that barcode already exists.", field="barcode")
    location = _location(db, location_id)
    now = clock.now()
    box = ArchiveBox(
        barcode=barcode,
        location_id=location.id if location else None,
        status=policy.box_status_at(location.kind if location else None),
        contractor_ref=contractor_ref or None,
        created_at=now,
        updated_at=now,
    )
    db.add(box)
    db.flush()
    if location is not None:
        _add_movement(db, actor, box, None, location, contractor_ref)
    audit.record(
        db, actor, ArchivesEvent.BOX_CREATED, subject_type="archive_box", subject_id=box.id
    )
    return box


def move_box(
    db: Session, actor: Actor, *, box_id: int, location_id: int, contractor_ref: str | None = None
) -> ArchiveBox:
    """Put a box somewhere else. The old place is kept in the box's history, never overwritten."""
    require_manage(actor)
    box = db.get(ArchiveBox, box_id)
    if box is None:
        raise NotFound("There is no such box.")
    if box.status == BoxStatus.DESTROYED:
        raise Conflict("This box has been destroyed; it cannot be moved.")
    target = _location(db, location_id)
    assert target is not None
    if box.location_id == target.id:
        raise Conflict("The box is already at that location.", field="location_id")
    previous = box.location
    box.location_id = target.id
    box.status = policy.box_status_at(target.kind)
    if contractor_ref:
        box.contractor_ref = contractor_ref
    box.updated_at = clock.now()
    _add_movement(db, actor, box, previous, target, contractor_ref)
    audit.record(
        db,
        actor,
        ArchivesEvent.BOX_MOVED,
        subject_type="archive_box",
        subject_id=box.id,
        details={"from": previous.id if previous else None, "to": target.id},
    )
    db.flush()
    return box


def _add_movement(
    db: Session,
    actor: Actor,
    box: ArchiveBox,
    from_location: ArchiveLocation | None,
    to_location: ArchiveLocation | None,
    contractor_ref: str | None,
) -> None:
    db.add(
        BoxMovement(
            box_id=box.id,
            from_location_id=from_location.id if from_location else None,
            to_location_id=to_location.id if to_location else None,
            moved_at=clock.now(),
            moved_by_user_id=actor.user_id,
            contractor_ref=contractor_ref or None,
        )
    )


def view_box(db: Session, actor: Actor, box_id: int) -> tuple[ArchiveBox, list[BoxMovement]]:
    """A box with its files (references and case numbers, no names) and its history."""
    require_manage(actor)
    box = db.scalars(
        select(ArchiveBox)
        .where(ArchiveBox.id == box_id)
        .options(selectinload(ArchiveBox.files), selectinload(ArchiveBox.location))
    ).first()
    if box is None:
        raise NotFound("There is no such box.")
    history = list(
        db.scalars(
            select(BoxMovement)
            .where(BoxMovement.box_id == box.id)
            .options(selectinload(BoxMovement.from_location), selectinload(BoxMovement.to_location))
            .order_by(BoxMovement.moved_at.desc(), BoxMovement.id.desc())
        )
    )
    return box, history
