"""The course catalogue, requirements and training settings through the API
(/api/v1/training/courses, /requirements, /settings): what the pages do, for automation.

Thin: the same services and schemas as the pages. Reading needs ``training:manage`` or
``training:view_compliance``; changing the catalogue ``training:manage``; changing the
settings ``training:settings`` (the data protection officer's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from steward.core.permissions import Actor, Permission
from steward.training.catalogue_schemas import (
    CourseChange,
    CourseCreate,
    PolicyChange,
    RequirementCreate,
    RequirementEnd,
    RequirementFilters,
    VersionRelease,
)
from steward.training.models import Course, CourseVersion, Requirement, TrainingPolicy
from steward.training.policy import Delivery, Topic
from steward.training.service import catalogue, gate, requirements, settings
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, page_of_list
from steward.web.deps import DB, ApiActor, api_actor, api_requires
from steward.web.ids import MAX_ID, Id


def _may_read(actor: Annotated[Actor, Depends(api_actor)]) -> None:
    """Refused before the body is read, so a caller without the permission learns nothing."""
    catalogue.require_read(actor)


router = APIRouter(
    prefix="/training",
    tags=["training"],
    dependencies=[Depends(require_json), Depends(_may_read)],
)

REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not manage training (or, for settings, is not the DPO)"},
    404: {"description": "No course or requirement with that id"},
}
MANAGE = [Depends(api_requires(Permission.TRAINING_MANAGE))]
CHANGES: dict[int | str, dict[str, Any]] = {
    **REFUSALS,
    409: {"description": "The course is retired, or the requirement already ends"},
    422: {"description": "A field breaks a rule: `errors` names it and says what to do"},
}


class CourseRead(BaseModel):
    id: int
    code: str
    title: str
    topic: str
    delivery: str
    duration_minutes: int
    description: str
    version: int
    validity_months: int | None = Field(description="None: a completion never lapses")
    pass_mark: int | None = Field(description="None: not assessed")
    lms_ids: list[str]
    module_slug: str | None
    retired_on: date | None
    requirements_in_force: int | None = Field(None, description="In the list only")


class VersionRead(BaseModel):
    version: int
    released_on: date
    requires_redo: bool
    note: str
    released_by_user_id: int | None


class RequirementRead(BaseModel):
    id: int
    course_id: int
    kind: str
    job_roles: list[str] | None
    teams: list[str] | None
    employment_types: list[str] | None
    account_roles: list[str] | None
    due_within_days: int
    starts_on: date
    ends_on: date | None
    who: str | None = Field(None, description="Whom it applies to, in words")
    people: int | None = Field(None, description="Staff in scope today whom it applies to")


class CourseDetail(CourseRead):
    versions: list[VersionRead]
    requirements: list[RequirementRead]


class PreviewRead(BaseModel):
    who: str
    people: int = Field(description="Staff in scope today whom a requirement would apply to")


class TrainingPolicyRead(BaseModel):
    induction_gate: bool
    gate_off_reason: str | None
    gate_off_at: datetime | None
    induction_days: int
    due_soon_days: int
    target_percent: int = Field(description="The organisation's target, not law")
    changed_at: datetime | None


def _course(course: Course, in_force: int | None = None) -> CourseRead:
    return CourseRead(
        id=course.id,
        code=course.code,
        title=course.title,
        topic=course.topic,
        delivery=course.delivery,
        duration_minutes=course.duration_minutes,
        description=course.description,
        version=course.version,
        validity_months=course.validity_months,
        pass_mark=course.pass_mark,
        lms_ids=list(course.lms_ids or []),
        module_slug=course.module_slug,
        retired_on=course.retired_on,
        requirements_in_force=in_force,
    )


def _version(version: CourseVersion) -> VersionRead:
    return VersionRead(
        version=version.version,
        released_on=version.released_on,
        requires_redo=version.requires_redo,
        note=version.note,
        released_by_user_id=version.released_by_user_id,
    )


def _requirement(
    r: Requirement, who: str | None = None, people: int | None = None
) -> RequirementRead:
    return RequirementRead(
        id=r.id,
        course_id=r.course_id,
        kind=r.kind,
        job_roles=r.job_roles,
        teams=r.teams,
        employment_types=r.employment_types,
        account_roles=r.account_roles,
        due_within_days=r.due_within_days,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        who=who,
        people=people,
    )


def _policy(p: TrainingPolicy) -> TrainingPolicyRead:
    return TrainingPolicyRead(
        induction_gate=p.induction_gate,
        gate_off_reason=p.gate_off_reason,
        gate_off_at=p.gate_off_at,
        induction_days=p.induction_days,
        due_soon_days=p.due_soon_days,
        target_percent=p.target_percent,
        changed_at=p.changed_at,
    )


def _detail(db: DB, actor: Actor, course: Course) -> CourseDetail:
    views = requirements.for_course(db, actor, course.id)
    return CourseDetail(
        **_course(course).model_dump(),
        versions=[_version(v) for v in catalogue.versions(db, actor, course.id)],
        requirements=[_requirement(v.requirement, v.who, v.people) for v in views],
    )


# --- courses -----------------------------------------------------------------------------------


@router.get("/courses", responses=REFUSALS)
def list_courses(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    topic: Topic | None = None,
    delivery: Delivery | None = None,
    include_retired: bool = False,
) -> ApiPage[CourseRead]:
    """Courses by code, each with its requirements in force today."""
    listed = catalogue.courses(
        db,
        actor,
        page,
        topic=topic,
        delivery=delivery,
        include_retired=include_retired,
    )
    return ApiPage.of(listed, lambda r: _course(r.course, r.requirements_in_force))


@router.post("/courses", status_code=201, responses=CHANGES, dependencies=MANAGE)
def add_course(db: DB, actor: ApiActor, body: CourseCreate) -> CourseDetail:
    """Add a course; its first version is released today."""
    return _detail(db, actor, catalogue.create(db, actor, body))


@router.get("/courses/{course_id}", responses=REFUSALS)
def get_course(db: DB, actor: ApiActor, course_id: Id) -> CourseDetail:
    """The course, its versions (newest first) and its requirements with whom they apply to."""
    return _detail(db, actor, catalogue.get(db, actor, course_id))


@router.patch("/courses/{course_id}", responses=CHANGES, dependencies=MANAGE)
def change_course(db: DB, actor: ApiActor, course_id: Id, body: CourseChange) -> CourseDetail:
    """Change the fields sent (null clears the refresher interval, pass mark or module)."""
    return _detail(db, actor, catalogue.change(db, actor, course_id, body))


@router.post(
    "/courses/{course_id}/versions", status_code=201, responses=CHANGES, dependencies=MANAGE
)
def release_version(db: DB, actor: ApiActor, course_id: Id, body: VersionRelease) -> CourseDetail:
    """Release the next version; with requires_redo, everyone it applies to redoes it."""
    catalogue.release_version(db, actor, course_id, body)
    return _detail(db, actor, catalogue.get(db, actor, course_id))


@router.post("/courses/{course_id}/retire", responses=CHANGES, dependencies=MANAGE)
def retire_course(db: DB, actor: ApiActor, course_id: Id) -> CourseDetail:
    """Retire the course from today: it applies to nobody from then on."""
    return _detail(db, actor, catalogue.retire(db, actor, course_id))


# --- requirements ------------------------------------------------------------------------------


@router.get("/requirements", responses=REFUSALS)
def list_requirements(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    course_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    in_force: bool = False,
) -> ApiPage[RequirementRead]:
    """Every requirement (of one course, or only those in force today)."""
    listed = requirements.listed(db, actor, course_id=course_id, in_force=in_force)
    return ApiPage.of(page_of_list(listed, page), _requirement)


@router.post("/requirements", status_code=201, responses=CHANGES, dependencies=MANAGE)
def set_requirement(db: DB, actor: ApiActor, body: RequirementCreate) -> RequirementRead:
    """Require a course of everyone matching the filters; an induction's days default to
    the organisation's induction days."""
    made = requirements.set_requirement(db, actor, body)
    who, people = requirements.preview(db, actor, body)
    return _requirement(made, who, people)


@router.post("/requirements/preview", responses=REFUSALS)
def preview_requirement(db: DB, actor: ApiActor, body: RequirementFilters) -> PreviewRead:
    """Whom a requirement with these filters would apply to today; nothing is changed."""
    who, people = requirements.preview(db, actor, body)
    return PreviewRead(who=who, people=people)


@router.post("/requirements/{requirement_id}/end", responses=CHANGES, dependencies=MANAGE)
def end_requirement(
    db: DB, actor: ApiActor, requirement_id: Id, body: RequirementEnd
) -> RequirementRead:
    """End the requirement from ends_on (default today; never in the past)."""
    return _requirement(requirements.end(db, actor, requirement_id, body))


# --- settings ----------------------------------------------------------------------------------


@router.get("/settings", responses=REFUSALS)
def get_settings(db: DB, actor: ApiActor) -> TrainingPolicyRead:
    """The organisation's training settings (the defaults until first changed)."""
    return _policy(settings.read(db, actor))


@router.patch(
    "/settings",
    responses=CHANGES,
    dependencies=[Depends(api_requires(Permission.TRAINING_SETTINGS))],
)
def change_settings(db: DB, actor: ApiActor, body: PolicyChange) -> TrainingPolicyRead:
    """Change the settings sent (the DPO only). Turning the gate off needs gate_off_reason."""
    settings.change(db, actor, body)
    return _policy(gate.current_policy(db))
