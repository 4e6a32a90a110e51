"""The record of processing, the asset register and the printed retention schedule through the
API (/api/v1/assurance/...): what the pages do, for automation, through the same services.
Reading needs assurance:view (the schedule: assurance:view or retention:manage); changing,
assurance:manage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from steward.assurance.processing.schemas import (
    CLASS_CODE,
    ActivityInput,
    AssetInput,
    MappingInput,
    ReviewInput,
)
from steward.assurance.processing.service import (
    activities,
    assets,
    exports,
    mapping,
    register_summary,
)
from steward.core import clock
from steward.core.permissions import Permission
from steward.retention.service import schedule_print
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, IsoDate, page_of_list
from steward.web.deps import DB, ApiActor, AppSettings, api_requires
from steward.web.downloads import download_response
from steward.web.ids import MAX_ID, Id

router = APIRouter(prefix="/assurance", tags=["assurance"], dependencies=[Depends(require_json)])

VIEW = [Depends(api_requires(Permission.ASSURANCE_VIEW))]
MANAGE = [Depends(api_requires(Permission.ASSURANCE_MANAGE))]
Responses = dict[int | str, dict[str, Any]]
CSV: Responses = {200: {"content": {"text/csv": {}}, "description": "The register as CSV"}}
PDF: Responses = {200: {"content": {"application/pdf": {}}, "description": "A PDF"}}
CONFLICT: Responses = {
    409: {"description": "Another entry with this name was saved at the same time"}
}
ClassCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CLASS_CODE)]


class ActivityRead(BaseModel):
    id: int
    name: str
    controller_contact: str
    dpo_contact: str
    purposes: str
    data_subjects: str
    data_categories: str
    recipients: str
    transfers: str
    erasure_limits: str
    security_measures: str
    lawful_basis: str | None
    special_category: bool
    criminal_offence: bool
    art9_condition: str | None
    sch1_condition: str | None
    owner_user_id: int | None
    owner: str | None = Field(description="The owning account's name")
    last_reviewed_on: date | None
    next_review_on: date | None
    version: int
    changed_at: datetime
    record_classes: list[str] = Field(description="Record classes mapped to the activity")
    complete: bool
    missing: list[str] = Field(description="The required answers the entry lacks")
    reviewed_recently: bool = Field(description="Reviewed in the last 12 months")
    review_overdue: bool


class VersionRead(BaseModel):
    version: int
    fields: dict[str, Any]
    recorded_at: datetime
    recorded_by: str | None


class ClassRead(BaseModel):
    code: str
    name: str
    rule: str | None = Field(description="The approved schedule's rule, in a sentence")
    activity_id: int | None
    activity: str | None


class AssetRead(BaseModel):
    id: int
    name: str
    kind: str
    location: str
    owner_user_id: int | None
    owner: str | None
    security_notes: str
    next_review_on: date | None
    review_overdue: bool
    activity_ids: list[int]
    class_codes: list[str]


class SummaryRead(BaseModel):
    as_of: date
    activities: int
    complete: int
    reviewed: int
    complete_and_reviewed: int
    record_classes: int
    unmapped_classes: int
    assets: int
    assets_without_owner: int
    assets_review_overdue: int


class RuleRead(BaseModel):
    class_code: str
    class_name: str
    rule_version: int
    trigger: str
    period: str
    action: str
    summary: str
    authority: str
    citation: str


class ScheduleRead(BaseModel):
    version: int
    title: str
    owner: str
    status: str
    loaded_at: datetime
    approved_at: datetime | None
    sha256: str
    rules: list[RuleRead]


class ScheduleVersionRead(BaseModel):
    version: int
    status: str
    title: str
    loaded_at: datetime


class ChangeRead(BaseModel):
    field: str
    before: str
    after: str


class ClassDiffRead(BaseModel):
    class_code: str
    class_name: str
    kind: str = Field(description="added, removed or changed")
    changes: list[ChangeRead]


class ScheduleDiffRead(BaseModel):
    from_version: int
    to_version: int
    unchanged: int
    classes: list[ClassDiffRead]


def _activity(row: activities.ActivityRow) -> ActivityRead:
    a = row.activity
    return ActivityRead(
        **{name: getattr(a, name) for name in activities.FIELDS},
        id=a.id,
        owner=row.owner,
        version=a.version,
        changed_at=a.changed_at,
        record_classes=list(row.mapped_classes),
        complete=row.complete,
        missing=list(row.missing),
        reviewed_recently=row.reviewed_recently,
        review_overdue=row.review_overdue,
    )


def _asset(row: assets.AssetRow) -> AssetRead:
    a = row.asset
    return AssetRead(
        id=a.id,
        name=a.name,
        kind=a.kind,
        location=a.location,
        owner_user_id=a.owner_user_id,
        owner=row.owner,
        security_notes=a.security_notes,
        next_review_on=a.next_review_on,
        review_overdue=row.review_overdue,
        activity_ids=[i for i, _ in row.activities],
        class_codes=list(row.class_codes),
    )


# --- activities ------------------------------------------------------------------------------


@router.get("/processing/activities", dependencies=VIEW)
def list_activities(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[ActivityRead]:
    """The record of processing, by name, each entry with what it lacks."""
    return ApiPage.of(activities.list_activities(db, actor, page), _activity)


@router.post("/processing/activities", dependencies=MANAGE, status_code=201, responses=CONFLICT)
def create_activity(db: DB, actor: ApiActor, body: ActivityInput) -> ActivityRead:
    """Record an activity. 422 names a field that breaks a rule (a Schedule 1 condition that
    does not fit the Article 9 condition, a name already used); nothing is saved then."""
    created = activities.create(db, actor, body)
    return _activity(activities.get(db, actor, created.id))


@router.get("/processing/activities/{activity_id}", dependencies=VIEW)
def get_activity(db: DB, actor: ApiActor, activity_id: Id) -> ActivityRead:
    return _activity(activities.get(db, actor, activity_id))


@router.put("/processing/activities/{activity_id}", dependencies=MANAGE)
def change_activity(db: DB, actor: ApiActor, activity_id: Id, body: ActivityInput) -> ActivityRead:
    """Replace the entry; the entry as it was is kept in its history."""
    activities.update(db, actor, activity_id, body)
    return _activity(activities.get(db, actor, activity_id))


@router.post("/processing/activities/{activity_id}/review", dependencies=MANAGE)
def review_activity(db: DB, actor: ApiActor, activity_id: Id, body: ReviewInput) -> ActivityRead:
    """Record a review; the next is due 12 months later unless another date is given."""
    activities.review(db, actor, activity_id, body)
    return _activity(activities.get(db, actor, activity_id))


@router.get("/processing/activities/{activity_id}/history", dependencies=VIEW)
def activity_history(
    db: DB, actor: ApiActor, activity_id: Id, page: ApiPageQuery
) -> ApiPage[VersionRead]:
    """Earlier versions of the entry, newest first, with who saved each and when."""
    found = activities.history(db, actor, activity_id)
    return ApiPage.of(
        page_of_list(found, page),
        lambda v: VersionRead(
            version=v.version, fields=v.fields, recorded_at=v.recorded_at, recorded_by=v.recorded_by
        ),
    )


@router.get("/processing/export.csv", dependencies=VIEW, response_class=Response, responses=CSV)
def activities_csv(db: DB, actor: ApiActor) -> Response:
    data = exports.activities_csv(db, actor).encode("utf-8")
    return download_response("record-of-processing.csv", "text/csv", data)


@router.get("/processing/export.pdf", dependencies=VIEW, response_class=Response, responses=PDF)
def activities_pdf(db: DB, actor: ApiActor, settings: AppSettings) -> Response:
    data = exports.activities_pdf(db, actor, organisation=settings.organisation_name)
    return download_response("record-of-processing.pdf", "application/pdf", data)


@router.get("/processing/summary", dependencies=VIEW)
def summary(
    db: DB,
    actor: ApiActor,
    as_of: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> SummaryRead:
    """The dashboard's figures: activities complete and reviewed, classes not mapped, assets
    without an owner or overdue for review."""
    figures = register_summary(db, as_of or clock.today())
    return SummaryRead.model_validate(figures, from_attributes=True)


# --- record classes --------------------------------------------------------------------------


@router.get("/processing/classes", dependencies=VIEW)
def list_classes(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    unmapped: Annotated[bool, Query(description="Only the classes not mapped")] = False,
) -> ApiPage[ClassRead]:
    rows = mapping.classes(db, actor, unmapped_only=unmapped)
    return ApiPage.of(page_of_list(rows, page), lambda r: ClassRead(**r.__dict__))


@router.put("/processing/classes/{class_code}", dependencies=MANAGE)
def map_class(db: DB, actor: ApiActor, class_code: ClassCode, body: MappingInput) -> ClassRead:
    """Map the class to an activity, or unmap it (``activity_id`` null)."""
    row = mapping.map_class(db, actor, class_code, body.activity_id)
    return ClassRead(**row.__dict__)


# --- assets ----------------------------------------------------------------------------------


@router.get("/assets", dependencies=VIEW)
def list_assets(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    kind: Annotated[str | None, Query(pattern="^(paper|electronic)$")] = None,
) -> ApiPage[AssetRead]:
    return ApiPage.of(assets.list_assets(db, actor, page, kind=kind), _asset)


@router.post("/assets", dependencies=MANAGE, status_code=201, responses=CONFLICT)
def create_asset(db: DB, actor: ApiActor, body: AssetInput) -> AssetRead:
    created = assets.create(db, actor, body)
    return _asset(assets.get(db, actor, created.id))


@router.get("/assets.csv", dependencies=VIEW, response_class=Response, responses=CSV)
def assets_csv(db: DB, actor: ApiActor) -> Response:
    """The asset register as CSV (beside, not under, /assets: "export.csv" there would read as
    an asset's id to PUT)."""
    data = exports.assets_csv(db, actor).encode("utf-8")
    return download_response("information-assets.csv", "text/csv", data)


@router.get("/assets/{asset_id}", dependencies=VIEW)
def get_asset(db: DB, actor: ApiActor, asset_id: Id) -> AssetRead:
    return _asset(assets.get(db, actor, asset_id))


@router.put("/assets/{asset_id}", dependencies=MANAGE)
def change_asset(db: DB, actor: ApiActor, asset_id: Id, body: AssetInput) -> AssetRead:
    assets.update(db, actor, asset_id, body)
    return _asset(assets.get(db, actor, asset_id))


# --- the retention schedule in print ---------------------------------------------------------

SCHEDULE_REFUSALS: Responses = {
    403: {"description": "Your role reads neither assurance nor the retention schedule"},
    409: {"description": "No retention schedule has been approved yet"},
}
Version = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryVersion = Annotated[int | None, Query(ge=1, le=MAX_ID)]
FromVersion = Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)]


def _pair(db: DB, actor: ApiActor, old: int | None, new: int | None) -> tuple[int, int]:
    default = schedule_print.default_pair(db, actor) if old is None or new is None else (0, 0)
    return (old or default[0]), (new or default[1])


@router.get("/retention-schedule/versions", responses=SCHEDULE_REFUSALS)
def schedule_versions(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[ScheduleVersionRead]:
    found = schedule_print.versions(db, actor)
    return ApiPage.of(
        page_of_list(found, page),
        lambda s: ScheduleVersionRead(
            version=s.version, status=str(s.status), title=s.title, loaded_at=s.loaded_at
        ),
    )


COMPARE_REFUSALS: Responses = {
    **SCHEDULE_REFUSALS,
    404: {"description": "No schedule version with that number"},
}


@router.get("/retention-schedule/changes", responses=COMPARE_REFUSALS)
def schedule_changes(
    db: DB,
    actor: ApiActor,
    from_: FromVersion = None,
    to: QueryVersion = None,
) -> ScheduleDiffRead:
    """Classes added, removed and changed (trigger, period, action, authority) from one
    version to another. Without versions: a draft newer than the approved schedule against
    it, or the approved schedule against the version before it."""
    diff = schedule_print.differences(db, actor, *_pair(db, actor, from_, to))
    return ScheduleDiffRead(
        from_version=diff.old.version,
        to_version=diff.new.version,
        unchanged=diff.unchanged,
        classes=[
            ClassDiffRead(
                class_code=c.class_code,
                class_name=c.class_name,
                kind=c.kind,
                changes=[ChangeRead(**ch.__dict__) for ch in c.changes],
            )
            for c in diff.classes
        ],
    )


@router.get(
    "/retention-schedule/changes.pdf",
    response_class=Response,
    responses={**PDF, **COMPARE_REFUSALS},
)
def schedule_changes_pdf(
    db: DB,
    actor: ApiActor,
    from_: FromVersion = None,
    to: QueryVersion = None,
) -> Response:
    old, new = _pair(db, actor, from_, to)
    data = schedule_print.diff_pdf(db, actor, old, new)
    return download_response(f"retention-schedule-v{old}-to-v{new}.pdf", "application/pdf", data)


@router.get("/retention-schedule/{version}", responses=SCHEDULE_REFUSALS)
def schedule(db: DB, actor: ApiActor, version: Version) -> ScheduleRead:
    printed = schedule_print.printable(db, actor, version)
    return ScheduleRead(
        **{k: v for k, v in printed.__dict__.items() if k != "rules"},
        rules=[RuleRead(**r.__dict__) for r in printed.rules],
    )


@router.get(
    "/retention-schedule/{version}/pdf",
    response_class=Response,
    responses={**PDF, **SCHEDULE_REFUSALS},
)
def schedule_pdf(db: DB, actor: ApiActor, version: Version) -> Response:
    number, data = schedule_print.schedule_pdf(db, actor, version)
    return download_response(f"retention-schedule-v{number}.pdf", "application/pdf", data)
