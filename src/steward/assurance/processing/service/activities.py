"""Processing activities: list, read, record, change (the entry as it was kept as a version,
with who and when) and mark reviewed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.assurance.processing import policy
from steward.assurance.processing.events import ProcessingEvent
from steward.assurance.processing.models import (
    AssetActivity,
    ClassMapping,
    InformationAsset,
    ProcessingActivity,
    ProcessingActivityVersion,
)
from steward.assurance.processing.schemas import ActivityInput, ReviewInput
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

SUBJECT = "processing_activity"
FIELDS = tuple(ActivityInput.model_fields)


@dataclass(frozen=True)
class ActivityRow:
    activity: ProcessingActivity
    owner: str | None
    mapped_classes: tuple[str, ...]
    missing: tuple[str, ...]
    reviewed_recently: bool
    review_overdue: bool

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Version:
    version: int
    fields: dict[str, Any]
    recorded_at: datetime
    recorded_by: str | None


def conditions(a: ProcessingActivity | ActivityInput) -> policy.Conditions:
    art9 = a.art9_condition
    sch1 = a.sch1_condition
    basis = a.lawful_basis
    return policy.Conditions(
        lawful_basis=policy.LawfulBasis(basis) if basis else None,
        special_category=a.special_category,
        criminal_offence=a.criminal_offence,
        art9=policy.Art9Condition(art9) if art9 else None,
        sch1=policy.Sch1Condition(sch1) if sch1 else None,
    )


def gaps(a: ProcessingActivity, mapped: tuple[str, ...]) -> list[str]:
    values: dict[str, object] = {
        name: getattr(a, name) for name in policy.REQUIRED_FIELDS if name != "owner"
    }
    values["owner"] = a.owner_user_id
    values["mapped_classes"] = mapped
    return policy.missing(values, conditions(a))


def _mapped(db: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = db.execute(
            select(ClassMapping.activity_id, ClassMapping.class_code)
            .where(ClassMapping.activity_id.in_(ids))
            .order_by(ClassMapping.class_code)
        )
        for activity_id, code in rows:
            found[activity_id].append(code)
    return {k: tuple(v) for k, v in found.items()}


def rows_for(db: Session, items: list[ProcessingActivity], as_of: date) -> list[ActivityRow]:
    names = usernames(db, (a.owner_user_id for a in items))
    mapped = _mapped(db, [a.id for a in items])
    return [
        ActivityRow(
            activity=a,
            owner=names.get(a.owner_user_id) if a.owner_user_id else None,
            mapped_classes=mapped[a.id],
            missing=tuple(gaps(a, mapped[a.id])),
            reviewed_recently=policy.reviewed_recently(a.last_reviewed_on, as_of),
            review_overdue=policy.review_overdue(a.next_review_on, as_of),
        )
        for a in items
    ]


def list_activities(db: Session, actor: Actor, page: PageRequest) -> Page[ActivityRow]:
    require_view(actor)
    query = select(ProcessingActivity).order_by(ProcessingActivity.name, ProcessingActivity.id)
    found = paginate(db, query, page)
    rows = rows_for(db, list(found.items), clock.today())
    return Page(rows, found.total, found.number, found.size, found.capped)


def all_activities(db: Session) -> list[ProcessingActivity]:
    return list(db.scalars(select(ProcessingActivity).order_by(ProcessingActivity.name)))


def get(db: Session, actor: Actor, activity_id: int) -> ActivityRow:
    require_view(actor)
    activity = db.get(ProcessingActivity, activity_id)
    if activity is None:
        raise NotFound(f"There is no processing activity {activity_id}.")
    return rows_for(db, [activity], clock.today())[0]


def assets_of(db: Session, activity_id: int) -> list[str]:
    return list(
        db.scalars(
            select(InformationAsset.name)
            .join(AssetActivity, AssetActivity.asset_id == InformationAsset.id)
            .where(AssetActivity.activity_id == activity_id)
            .order_by(InformationAsset.name)
        )
    )


def history(db: Session, actor: Actor, activity_id: int) -> list[Version]:
    """Earlier versions of the entry, newest first."""
    get(db, actor, activity_id)
    stored = list(
        db.scalars(
            select(ProcessingActivityVersion)
            .where(ProcessingActivityVersion.activity_id == activity_id)
            .order_by(ProcessingActivityVersion.version.desc())
        )
    )
    names = usernames(db, (v.recorded_by_user_id for v in stored))
    return [
        Version(
            v.version,
            json.loads(v.fields),
            v.recorded_at,
            names.get(v.recorded_by_user_id) if v.recorded_by_user_id else None,
        )
        for v in stored
    ]


def _check(db: Session, data: ActivityInput, activity_id: int | None) -> None:
    errors = policy.condition_errors(conditions(data))
    if (
        data.last_reviewed_on
        and data.next_review_on
        and data.next_review_on <= data.last_reviewed_on
    ):
        errors["next_review_on"] = "The next review must be after the last review"
    if data.last_reviewed_on and data.last_reviewed_on > clock.today():
        errors["last_reviewed_on"] = "The last review cannot be in the future"
    clash = db.scalar(
        select(ProcessingActivity.id).where(
            func.lower(ProcessingActivity.name) == data.name.lower(),
            ProcessingActivity.id != (activity_id or 0),
        )
    )
    if clash is not None:
        errors["name"] = "Another activity has this name: choose another"
    if errors:
        raise ValidationFailed(
            "The activity could not be saved; nothing was changed.", errors=errors
        )
    check_owner(db, data.owner_user_id)


def _apply(activity: ProcessingActivity, data: ActivityInput) -> list[str]:
    changed = []
    for name in FIELDS:
        value = getattr(data, name)
        if isinstance(value, StrEnum):
            value = value.value
        if getattr(activity, name) != value:
            setattr(activity, name, value)
            changed.append(name)
    return changed


def create(db: Session, actor: Actor, data: ActivityInput) -> ProcessingActivity:
    require_manage(actor)
    _check(db, data, None)
    now = clock.now()
    activity = ProcessingActivity(
        version=1, created_at=now, changed_at=now, changed_by_user_id=actor.user_id
    )
    _apply(activity, data)
    db.add(activity)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise Conflict("Another activity with this name was saved at the same time.") from None
    audit.record(
        db, actor, ProcessingEvent.ACTIVITY_CREATED, subject_type=SUBJECT, subject_id=activity.id
    )
    return activity


def snapshot(activity: ProcessingActivity) -> dict[str, Any]:
    return {name: _plain(getattr(activity, name)) for name in FIELDS}


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _keep_version(db: Session, actor: Actor, activity: ProcessingActivity) -> None:
    db.add(
        ProcessingActivityVersion(
            activity_id=activity.id,
            version=activity.version,
            fields=json.dumps(snapshot(activity), sort_keys=True),
            recorded_at=activity.changed_at,
            recorded_by_user_id=activity.changed_by_user_id,
        )
    )
    activity.version += 1
    activity.changed_at = clock.now()
    activity.changed_by_user_id = actor.user_id


def update(db: Session, actor: Actor, activity_id: int, data: ActivityInput) -> ProcessingActivity:
    require_manage(actor)
    activity = get(db, actor, activity_id).activity
    _check(db, data, activity_id)
    before = snapshot(activity)
    changed = [name for name in FIELDS if before[name] != _plain(_value(data, name))]
    if not changed:
        return activity
    _keep_version(db, actor, activity)
    _apply(activity, data)
    db.flush()
    audit.record(
        db,
        actor,
        ProcessingEvent.ACTIVITY_CHANGED,
        subject_type=SUBJECT,
        subject_id=activity.id,
        details={"version": activity.version, "fields": changed},
    )
    return activity


def _value(data: ActivityInput, name: str) -> object:
    value = getattr(data, name)
    return value.value if isinstance(value, StrEnum) else value


def review(db: Session, actor: Actor, activity_id: int, data: ReviewInput) -> ProcessingActivity:
    """The owner or DPO looked at the entry on ``reviewed_on``: next review in 12 months unless
    another date is given."""
    require_manage(actor)
    activity = get(db, actor, activity_id).activity
    next_on = data.next_review_on or policy.add_months(data.reviewed_on, policy.REVIEW_MONTHS)
    errors: dict[str, str] = {}
    if data.reviewed_on > clock.today():
        errors["reviewed_on"] = "The review date cannot be in the future"
    if next_on <= data.reviewed_on:
        errors["next_review_on"] = "The next review must be after this review"
    if errors:
        raise ValidationFailed(
            "The review could not be recorded; nothing was changed.", errors=errors
        )
    _keep_version(db, actor, activity)
    activity.last_reviewed_on = data.reviewed_on
    activity.next_review_on = next_on
    db.flush()
    audit.record(
        db,
        actor,
        ProcessingEvent.ACTIVITY_REVIEWED,
        subject_type=SUBJECT,
        subject_id=activity.id,
        details={"version": activity.version, "next_review_on": next_on.isoformat()},
    )
    return activity


def field_titles() -> dict[str, str]:
    """Every field of an entry as a reader names it (for history and exports)."""
    titles = dict(policy.REQUIRED_FIELDS)
    titles.pop("owner")
    titles.update(
        {
            "special_category": "Special category data",
            "criminal_offence": "Criminal offence data",
            "art9_condition": "Article 9 condition",
            "sch1_condition": "Schedule 1 condition (DPA 2018)",
            "owner_user_id": "Owner",
            "last_reviewed_on": "Last reviewed",
            "next_review_on": "Next review",
        }
    )
    return titles


def words(name: str, value: object, owners: dict[int, str] | None = None) -> str:
    """A stored value as a reader reads it."""
    if value is None or value == "":
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "lawful_basis":
        return policy.LAWFUL_BASIS_TITLES[policy.LawfulBasis(str(value))]
    if name == "art9_condition":
        return policy.ART9_TITLES[policy.Art9Condition(str(value))]
    if name == "sch1_condition":
        return policy.sch1_title(policy.Sch1Condition(str(value)))
    if name == "owner_user_id" and isinstance(value, int):
        return (owners or {}).get(value, "An account no longer listed")
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return str(value)
