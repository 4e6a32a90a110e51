"""The staff API of training (/api/v1/training): the staff list and one member of staff, their
account link, and the two imports (the JSON of `steward staff import --json` and `steward
training import --json`). Through the same services as the pages, which check permissions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from steward.core.permissions import Permission
from steward.training.models import StaffMember
from steward.training.service import lms, staff_list
from steward.training.service import staff as staff_service
from steward.training.staff_schemas import (
    AccountLinkIn,
    CompletionsImportRead,
    StaffCompletionRead,
    StaffDetail,
    StaffImportRead,
    StaffRead,
    StandingLineRead,
)
from steward.web.api import require_json, require_multipart
from steward.web.api_contract import ApiPage, ApiPageQuery
from steward.web.deps import DB, ApiActor, api_requires
from steward.web.ids import Id
from steward.web.records_common import read_upload

router = APIRouter(tags=["training"])
_MANAGE = Depends(api_requires(Permission.TRAINING_MANAGE))
FilterText = Annotated[str, Query(max_length=64)]


def _read(staff: StaffMember) -> StaffRead:
    return StaffRead(
        id=staff.id,
        staff_number=staff.staff_number,
        name=staff.name,
        email=staff.email,
        team=staff.team,
        job_role=staff.job_role,
        employment_type=staff.employment_type,
        start_date=staff.start_date,
        leaving_date=staff.leaving_date,
        manager_id=staff.manager_id,
        user_id=staff.user_id,
    )


@router.get("/training/staff")
def list_staff(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    scope: FilterText = "",
    team: FilterText = "",
    employment_type: FilterText = "",
) -> ApiPage[StaffRead]:
    """Staff by name: current staff unless ``scope`` is leavers, starters or
    all; ``team`` and ``employment_type`` narrow it."""
    wanted = staff_list.StaffFilter.read(scope=scope, team=team, employment_type=employment_type)
    listing = staff_list.list_staff(db, actor, page, wanted)
    return ApiPage.of(listing.page, _read)


@router.get("/training/staff/{staff_id}")
def get_staff(db: DB, actor: ApiActor, staff_id: Id) -> StaffDetail:
    """A member of staff, where they stand on each course required of them today, and their
    completions, newest first."""
    view = staff_list.view_staff(db, actor, staff_id)
    standing = view.standing
    return StaffDetail(
        **_read(view.staff).model_dump(),
        manager_name=view.manager.name if view.manager else None,
        username=view.username,
        in_scope=standing is not None,
        compliant=standing.compliant if standing else None,
        requirements=[
            StandingLineRead(
                course_id=line.course_id,
                course_code=line.course_code,
                course_title=line.course_title,
                kind=line.kind.value,
                status=line.status.value,
                due_on=line.standing.due_on,
                last_completed_on=line.standing.last_completed_on,
            )
            for line in (standing.lines if standing else ())
        ],
        completions=[
            StaffCompletionRead(
                course_id=c.course_id,
                course_code=c.course_code,
                course_version=c.course_version,
                completed_on=c.completed_on,
                source=c.source,
                score=c.score,
            )
            for c in view.completions
        ],
    )


@router.post(
    "/training/staff/{staff_id}/account",
    dependencies=[_MANAGE, Depends(require_json)],
    responses={409: {"description": "The account is linked to another member of staff"}},
)
def link_account(db: DB, actor: ApiActor, staff_id: Id, body: AccountLinkIn) -> StaffRead:
    """Link the member of staff to the Steward account with this username."""
    return _read(staff_service.link_account(db, actor, staff_id, body.username))


@router.delete(
    "/training/staff/{staff_id}/account",
    dependencies=[_MANAGE],
    responses={409: {"description": "Not linked to an account"}},
)
def unlink_account(db: DB, actor: ApiActor, staff_id: Id) -> StaffRead:
    return _read(staff_service.unlink_account(db, actor, staff_id))


@router.post(
    "/training/imports/staff",
    dependencies=[_MANAGE, Depends(require_multipart)],
    responses={422: {"description": "The file was refused whole: nothing changed"}},
)
def import_staff(
    db: DB,
    actor: ApiActor,
    file: Annotated[UploadFile, File(description="HR's staff list, CSV UTF-8")],
) -> StaffImportRead:
    """Import HR's staff list (docs/training.md). Rows with problems are listed in
    ``errors`` and changed nothing; the other rows were applied."""
    content, _ = read_upload(file)
    report = staff_service.import_staff(db, actor, content)
    return StaffImportRead.model_validate(report.as_dict())


@router.post(
    "/training/imports/completions",
    dependencies=[_MANAGE, Depends(require_multipart)],
    responses={422: {"description": "The file was refused whole: nothing changed"}},
)
def import_completions(
    db: DB,
    actor: ApiActor,
    file: Annotated[UploadFile, File(description="A Moodle CSV download or xAPI statements")],
    course: Annotated[
        str | None,
        Form(
            max_length=64,
            description="A Moodle course completion report's course (code or LMS id), when "
            "the file no longer has the name Moodle gave it",
        ),
    ] = None,
) -> CompletionsImportRead:
    """Import completions from an LMS (docs/training.md). The same file twice adds nothing."""
    content, filename = read_upload(file)
    report = lms.import_completions(db, actor, content, filename=filename, course=course or None)
    return CompletionsImportRead.model_validate(report.as_dict())
