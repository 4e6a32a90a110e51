"""Partner submissions over the API (/api/v1/intake/submissions): send a file, list them,
read one's outcome and download its feedback report. The same services and the same scope as
the pages: a partner's token reaches its own partner's submissions only (another partner's
answers 404), a reviewer's every partner's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from steward.core.errors import Forbidden, NotFound
from steward.core.permissions import Actor, Permission
from steward.intake.errors import Refused
from steward.intake.policy import SubmissionStatus
from steward.intake.service import feedback, partners, submissions
from steward.web.api import require_multipart
from steward.web.api_contract import ApiPage, ApiPageQuery
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_actor
from steward.web.downloads import download_response
from steward.web.ids import Id
from steward.web.jobs_pages import job_queue
from steward.web.records_common import read_upload

router = APIRouter(tags=["partner data"])


def may_use_intake(actor: Annotated[Actor, Depends(api_actor)]) -> None:
    """Refused before the body is read: only partner accounts and reviewers use intake."""
    if not (actor.can(Permission.INTAKE_SUBMIT) or actor.can(Permission.INTAKE_REVIEW)):
        raise Forbidden("Your role does not send or review partner data.")


_INTAKE = Depends(may_use_intake)
REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not send or review partner data"},
    404: {"description": "No submission with that id that you may see"},
}


class SubmissionIssueRead(BaseModel):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1")
    field: str | None = Field(description="The column; None: the row as a whole")
    code: str = Field(description="The rule's stable code (docs/intake.md)")
    message: str = Field(description="What is wrong and what to do; never the value sent")


class SubmissionOutcomeRead(BaseModel):
    submission_id: int
    status: str = Field(description="received, validating, complete or refused")
    rows: int
    accepted: int
    unchanged: int = Field(0, description="Sent before: nothing new to record")
    quarantined: int = Field(description="Held for the information governance team")
    rejected: int
    refusal_code: str | None = None
    issues: list[SubmissionIssueRead]


class SubmissionSummaryRead(BaseModel):
    submission_id: int
    partner: str
    dataset: str
    dataset_title: str
    dataset_version: int
    filename: str
    received: datetime
    status: str
    refusal_code: str | None
    rows: int
    accepted: int
    unchanged: int
    quarantined: int
    rejected: int
    submitted_by: str | None = Field(description="The account that sent it")


def _partner_named(db: DB, actor: Actor, code: str | None) -> int | None:
    """The partner a file is sent for, by code: any, for a reviewer; a partner's account
    may name only its own (any other code answers as an unknown one does)."""
    if not code:
        return None
    if actor.can(Permission.INTAKE_REVIEW):
        return partners.partner_by_code(db, code).id
    own = partners.partner_of(db, actor)
    if own is None or own.code != code.strip().upper():
        raise NotFound("There is no such partner.")
    return own.id


class SubmissionRefusedRead(BaseModel):
    detail: str
    status: str = Field(description="refused")
    code: str = Field(description="The file-level rule's stable code, e.g. file.header")
    message: str


@router.post(
    "/intake/submissions",
    status_code=201,
    dependencies=[_INTAKE, Depends(require_multipart)],
    response_model=SubmissionOutcomeRead,
    responses={
        **REFUSALS,
        202: {
            "description": "A large file, being checked in the background: poll the "
            "submission at Location until its status is complete",
            "model": SubmissionOutcomeRead,
        },
        422: {
            "description": "The file was refused whole (nothing recorded), with its code",
            "model": SubmissionRefusedRead,
        },
    },
)
def send(
    request: Request,
    response: Response,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: ApiActor,
    dataset: Annotated[str, Form(max_length=64, description="The data set's name")],
    file: Annotated[UploadFile, File(description="CSV (UTF-8), XLSX or JSON")],
    partner: Annotated[
        str | None,
        Form(max_length=32, description="The partner's code: reviewers sending on its behalf"),
    ] = None,
) -> Any:
    """Send a partner's file (docs/intake.md). Small files are checked at once (201, the
    outcome); large ones in the background (202, Location to poll). A file refused whole
    records nothing and answers 422 with the refusal's code."""
    content, filename = read_upload(file)
    partner_id = _partner_named(db, actor, partner)
    try:
        with db.begin_nested():
            submission = submissions.submit(
                db,
                kek,
                actor,
                dataset=dataset,
                filename=filename or "upload",
                data=content,
                partner_id=partner_id,
                max_bytes=settings.intake_max_file_bytes,
                queue=job_queue(request),
            )
    except Refused as exc:
        own = partners.partner_of(db, actor)
        submissions.note_refusal(
            db,
            actor,
            partner_id=partner_id if partner_id is not None else (own.id if own else None),
            dataset=dataset,
            code=exc.code,
        )
        return JSONResponse(
            {"detail": exc.message, **submissions.refusal_json(exc)}, status_code=422
        )
    if submission.status in (SubmissionStatus.RECEIVED, SubmissionStatus.VALIDATING):
        response.status_code = 202
        response.headers["Location"] = f"/api/v1/intake/submissions/{submission.id}"
    return submissions.outcome_json(db, submission)


@router.get("/intake/submissions", dependencies=[_INTAKE], responses=REFUSALS)
def list_submissions(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    partner: Annotated[
        str | None, Query(max_length=32, description="A partner's code (reviewers only)")
    ] = None,
    dataset: Annotated[str | None, Query(max_length=64)] = None,
    status: SubmissionStatus | None = None,
) -> ApiPage[SubmissionSummaryRead]:
    """Submissions newest first: a partner's own; a reviewer's, every
    partner's or one's."""
    partner_id = None
    if partner and actor.can(Permission.INTAKE_REVIEW):
        partner_id = partners.partner_by_code(db, partner).id
    listing = feedback.submissions(
        db,
        actor,
        page,
        partner_id=partner_id,
        dataset=dataset or None,
        status=status.value if status else None,
    )
    return ApiPage.of(listing.page, lambda s: SubmissionSummaryRead.model_validate(s.as_dict()))


@router.get("/intake/submissions/{submission_id}", dependencies=[_INTAKE], responses=REFUSALS)
def read_submission(db: DB, actor: ApiActor, submission_id: Id) -> SubmissionOutcomeRead:
    """A submission's outcome: its counts and every issue by row, field and code."""
    submission = submissions.get_submission(db, actor, submission_id)
    outcome = submissions.outcome_json(db, submission)
    return SubmissionOutcomeRead.model_validate(
        {**outcome, "refusal_code": submission.refusal_code}
    )


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **REFUSALS,
    200: {"description": "The feedback report, as a download"},
}


@router.get(
    "/intake/submissions/{submission_id}/report.csv",
    dependencies=[_INTAKE],
    responses=FILE_RESPONSES,
    response_class=Response,
)
def report_csv(db: DB, actor: ApiActor, submission_id: Id) -> Response:
    """Every issue as CSV: row, field, code, message."""
    report = feedback.report_csv(db, actor, submission_id)
    return download_response(report.filename, report.media_type, report.data)


@router.get(
    "/intake/submissions/{submission_id}/report.pdf",
    dependencies=[_INTAKE],
    responses=FILE_RESPONSES,
    response_class=Response,
)
def report_pdf(db: DB, settings: AppSettings, actor: ApiActor, submission_id: Id) -> Response:
    """The feedback as a PDF report: summary, issues by code, issues by row."""
    report = feedback.report_pdf(db, actor, submission_id, organisation=settings.organisation_name)
    return download_response(report.filename, report.media_type, report.data)
