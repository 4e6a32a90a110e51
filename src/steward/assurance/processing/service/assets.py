"""The information asset register: paper and electronic assets, each with an owning account,
the activities it supports, the record classes it holds, security notes and a review date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.assurance.processing import policy
from steward.assurance.processing.events import ProcessingEvent
from steward.assurance.processing.models import (
    AssetActivity,
    AssetClass,
    InformationAsset,
    ProcessingActivity,
)
from steward.assurance.processing.schemas import AssetInput
from steward.assurance.processing.service import mapping
from steward.assurance.processing.service.common import (
    check_owner,
    require_manage,
    require_view,
    usernames,
)
from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor

SUBJECT = "information_asset"
SIMPLE = ("name", "kind", "location", "owner_user_id", "security_notes", "next_review_on")


@dataclass(frozen=True)
class AssetRow:
    asset: InformationAsset
    owner: str | None
    activities: tuple[tuple[int, str], ...]
    class_codes: tuple[str, ...]
    review_overdue: bool


def rows_for(db: Session, items: list[InformationAsset], as_of: date) -> list[AssetRow]:
    names = usernames(db, (a.owner_user_id for a in items))
    titles = dict(db.execute(select(ProcessingActivity.id, ProcessingActivity.name)).all())
    return [
        AssetRow(
            asset=a,
            owner=names.get(a.owner_user_id) if a.owner_user_id else None,
            activities=tuple(
                sorted(
                    ((link.activity_id, titles[link.activity_id]) for link in a.activity_links),
                    key=lambda t: t[1],
                )
            ),
            class_codes=tuple(link.class_code for link in a.class_links),
            review_overdue=policy.review_overdue(a.next_review_on, as_of),
        )
        for a in items
    ]


def list_assets(
    db: Session, actor: Actor, page: PageRequest, *, kind: str | None = None
) -> Page[AssetRow]:
    require_view(actor)
    if kind is not None and kind not in ("paper", "electronic"):
        raise ValidationFailed(
            "Choose paper or electronic.", errors={"kind": "Choose paper or electronic"}
        )
    query = select(InformationAsset).order_by(InformationAsset.name, InformationAsset.id)
    if kind:
        query = query.where(InformationAsset.kind == kind)
    found = paginate(db, query, page)
    return Page(
        rows_for(db, list(found.items), clock.today()),
        found.total,
        found.number,
        found.size,
        found.capped,
    )


def all_assets(db: Session) -> list[InformationAsset]:
    return list(db.scalars(select(InformationAsset).order_by(InformationAsset.name)))


def get(db: Session, actor: Actor, asset_id: int) -> AssetRow:
    require_view(actor)
    asset = db.get(InformationAsset, asset_id)
    if asset is None:
        raise NotFound(f"There is no information asset {asset_id}.")
    return rows_for(db, [asset], clock.today())[0]


def _check(db: Session, data: AssetInput, asset_id: int | None) -> None:
    errors: dict[str, str] = {}
    clash = db.scalar(
        select(InformationAsset.id).where(
            func.lower(InformationAsset.name) == data.name.lower(),
            InformationAsset.id != (asset_id or 0),
        )
    )
    if clash is not None:
        errors["name"] = "Another asset has this name: choose another"
    known = set(db.scalars(select(ProcessingActivity.id)))
    if set(data.activity_ids) - known:
        errors["activity_ids"] = "Choose activities from the list"
    codes = {code for code, _, _ in mapping.file_plan(db)}
    if set(data.class_codes) - codes:
        errors["class_codes"] = "Choose record classes from the file plan"
    if errors:
        raise ValidationFailed("The asset could not be saved; nothing was changed.", errors=errors)
    check_owner(db, data.owner_user_id)


def _apply(asset: InformationAsset, data: AssetInput) -> list[str]:
    changed = [name for name in SIMPLE if getattr(asset, name) != getattr(data, name)]
    for name in changed:
        setattr(asset, name, getattr(data, name))
    activities = sorted(set(data.activity_ids))
    if [link.activity_id for link in asset.activity_links] != activities:
        asset.activity_links = [AssetActivity(activity_id=i) for i in activities]
        changed.append("activities")
    codes = sorted(set(data.class_codes))
    if [link.class_code for link in asset.class_links] != codes:
        asset.class_links = [AssetClass(class_code=c) for c in codes]
        changed.append("record_classes")
    return changed


def create(db: Session, actor: Actor, data: AssetInput) -> InformationAsset:
    require_manage(actor)
    _check(db, data, None)
    now = clock.now()
    asset = InformationAsset(created_at=now, changed_at=now, changed_by_user_id=actor.user_id)
    _apply(asset, data)
    db.add(asset)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise Conflict("Another asset with this name was saved at the same time.") from None
    audit.record(
        db, actor, ProcessingEvent.ASSET_CREATED, subject_type=SUBJECT, subject_id=asset.id
    )
    return asset


def update(db: Session, actor: Actor, asset_id: int, data: AssetInput) -> InformationAsset:
    require_manage(actor)
    asset = get(db, actor, asset_id).asset
    _check(db, data, asset_id)
    changed = _apply(asset, data)
    if changed:
        asset.changed_at = clock.now()
        asset.changed_by_user_id = actor.user_id
        db.flush()
        audit.record(
            db,
            actor,
            ProcessingEvent.ASSET_CHANGED,
            subject_type=SUBJECT,
            subject_id=asset.id,
            details={"fields": changed},
        )
    return asset
