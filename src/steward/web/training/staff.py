"""Staff pages of training: the staff list (filtered, counted, paged), a member of staff's
page (details, manager, account, where they stand, what they have completed), linking them to
their account, and the two imports: HR's staff list and an LMS's completions.

Seeing staff needs training:view_compliance or training:manage; importing and linking need
training:manage (each checked by the service). An import's file is read in the request and
never stored: its report (row problems with what to put right) is the page's answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import DomainError
from steward.core.permissions import Actor, Permission
from steward.training.policy import EmploymentType, Source, Status
from steward.training.service import lms, staff_list
from steward.training.service import staff as staff_service
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.records_common import read_upload
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

STATUS_WORDS = {
    Status.CURRENT: "Current",
    Status.DUE_SOON: "Due soon",
    Status.OVERDUE: "Overdue",
    Status.NEVER_DONE: "Never done",
    Status.NOT_YET_DUE: "Not yet due",
}
SOURCE_WORDS = {
    Source.E_LEARNING: "Steward e-learning",
    Source.MOODLE: "Moodle",
    Source.XAPI: "xAPI (learning record store)",
    Source.MANUAL: "Recorded by a manager",
}
SCOPE_WORDS = {
    staff_list.Scope.CURRENT: "Current staff",
    staff_list.Scope.LEAVERS: "Leavers",
    staff_list.Scope.STARTERS: "Starting later",
    staff_list.Scope.ALL: "Everyone",
}
TYPE_WORDS = {
    EmploymentType.PERMANENT: "Permanent",
    EmploymentType.TEMPORARY: "Temporary",
    EmploymentType.CONTRACTOR: "Contractor",
    EmploymentType.VOLUNTEER: "Volunteer",
}
FilterText = Annotated[str, Query(max_length=64)]


def _words() -> dict[str, Any]:
    return {
        "status_words": {s.value: w for s, w in STATUS_WORDS.items()},
        "source_words": {s.value: w for s, w in SOURCE_WORDS.items()},
        "type_words": {t.value: w for t, w in TYPE_WORDS.items()},
        "scope_words": {s.value: w for s, w in SCOPE_WORDS.items()},
    }


def _may(actor: Actor) -> dict[str, bool]:
    return {"may_manage": actor.can(Permission.TRAINING_MANAGE)}


@router.get("/training/staff")
def staff_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    scope: FilterText = "",
    team: FilterText = "",
    employment_type: FilterText = "",
) -> Response:
    wanted = staff_list.StaffFilter.read(scope=scope, team=team, employment_type=employment_type)
    listing = staff_list.list_staff(db, actor, page, wanted)
    return render(
        request,
        "training/staff_list.html",
        {"listing": listing, "filters": wanted, **_words(), **_may(actor)},
    )


def _member(
    request: Request, db: DB, actor: Actor, staff_id: int, *, status_code: int = 200, **extra: Any
) -> Response:
    view = staff_list.view_staff(db, actor, staff_id)
    return render(
        request,
        "training/staff.html",
        {"view": view, **_words(), **_may(actor), **extra},
        status_code=status_code,
    )


@router.get("/training/staff/{staff_id}")
def member_page(request: Request, db: DB, actor: PageActor, staff_id: Id) -> Response:
    return _member(request, db, actor, staff_id)


@router.post("/training/staff/{staff_id}/account")
def change_account(
    request: Request,
    db: DB,
    actor: PageActor,
    staff_id: Id,
    action: Annotated[str, Form(max_length=10)] = "link",
    username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Link the account whose username is given, or (action=unlink) take the link off."""
    actor.require(Permission.TRAINING_MANAGE)
    try:
        with db.begin_nested():
            if action == "unlink":
                staff_service.unlink_account(db, actor, staff_id)
            else:
                staff_service.link_account(db, actor, staff_id, username)
    except DomainError as exc:
        shown = refusal(exc, fields=("username",), summary="account")
        return _member(request, db, actor, staff_id, form={"username": username}, **shown)
    return RedirectResponse(f"/training/staff/{staff_id}", status_code=303)


def _import_page(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(request, template, {**_words(), **extra}, status_code=status_code)


@router.get("/training/imports/staff")
def staff_import_form(request: Request, actor: PageActor) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _import_page(request, "training/import_staff.html", max_bytes=staff_service.MAX_BYTES)


@router.post("/training/imports/staff")
def staff_import(
    request: Request,
    db: DB,
    actor: PageActor,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    try:
        content, _ = read_upload(file)
        with db.begin_nested():
            report = staff_service.import_staff(db, actor, content)
    except DomainError as exc:
        return _import_page(
            request,
            "training/import_staff.html",
            max_bytes=staff_service.MAX_BYTES,
            **refusal(exc, fields=("file",), summary="file"),
        )
    return _import_page(
        request,
        "training/import_staff.html",
        max_bytes=staff_service.MAX_BYTES,
        report=report,
        **_row_errors(report.problems, "row"),
    )


@router.get("/training/imports/completions")
def completions_import_form(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _import_page(
        request,
        "training/import_completions.html",
        max_bytes=lms.MAX_BYTES,
        courses=lms.course_choices(db),
        form={},
    )


@router.post("/training/imports/completions")
def completions_import(
    request: Request,
    db: DB,
    actor: PageActor,
    file: Annotated[UploadFile | None, File()] = None,
    course: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    page: dict[str, Any] = {
        "max_bytes": lms.MAX_BYTES,
        "courses": lms.course_choices(db),
        "form": {"course": course},
    }
    try:
        content, filename = read_upload(file)
        with db.begin_nested():
            report = lms.import_completions(
                db, actor, content, filename=filename, course=course or None
            )
    except DomainError as exc:
        return _import_page(
            request,
            "training/import_completions.html",
            **page,
            **refusal(exc, fields=("file", "course"), summary="file"),
        )
    return _import_page(
        request,
        "training/import_completions.html",
        **page,
        report=report,
        **_row_errors(report.problems, report.unit),
    )


def _row_errors(problems: list[Any], unit: str) -> dict[str, Any]:
    """A report with row problems shows GOV.UK's error summary, linking to the table of them
    (the good rows were applied: the page still answers 200)."""
    if not problems:
        return {}
    rows = len({p.row for p in problems})
    message = (
        f"{rows:,} {unit}(s) could not be imported and changed nothing. The other {unit}s "
        "were imported. Put these right and import the file again."
    )
    return {"error": message, "errors": {"row-problems": message}}
