"""Partner submissions over the API (/api/v1/intake/submissions): send a file, list them,
read one's outcome and download its feedback report. The same services and the same scope as
the pages: a partner's token reaches its own partner's submissions only (another partner's
answers 404), a reviewer's every partner's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from steward.core.errors import Forbidden
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Permission
from steward.intake.policy import SubmissionStatus
from steward.intake.service import feedback, partners
from steward.web.deps import DB, ApiActor, AppSettings, api_actor
from steward.web.ids import Id
from steward.web.sar.outbox import download_response

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


class SubmissionList(BaseModel):
    total: int
    page: int
    pages: int
    submissions: list[SubmissionSummaryRead]


@router.get("/intake/submissions", dependencies=[_INTAKE], responses=REFUSALS)
def list_submissions(
    db: DB,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    partner: Annotated[
        str | None, Query(max_length=32, description="A partner's code (reviewers only)")
    ] = None,
    dataset: Annotated[str | None, Query(max_length=64)] = None,
    status: SubmissionStatus | None = None,
) -> SubmissionList:
    """Submissions newest first, 50 to a page: a partner's own; a reviewer's, every
    partner's or one's."""
    partner_id = None
    if partner and actor.can(Permission.INTAKE_REVIEW):
        partner_id = partners.partner_by_code(db, partner).id
    listing = feedback.submissions(
        db,
        actor,
        PageRequest(number=page),
        partner_id=partner_id,
        dataset=dataset or None,
        status=status.value if status else None,
    )
    return SubmissionList(
        total=listing.page.total,
        page=listing.page.number,
        pages=listing.page.pages,
        submissions=[SubmissionSummaryRead.model_validate(s.as_dict()) for s in listing.page.items],
    )


@router.get("/intake/submissions/{submission_id}", dependencies=[_INTAKE], responses=REFUSALS)
def read_submission(db: DB, actor: ApiActor, submission_id: Id) -> SubmissionOutcomeRead:
    """A submission's outcome: its counts and every issue by row, field and code."""
    submission = feedback.read(db, actor, submission_id)
    summary = feedback.summary_of(db, submission)
    return SubmissionOutcomeRead(
        submission_id=summary.submission_id,
        status=summary.status,
        rows=summary.rows,
        accepted=summary.accepted,
        unchanged=summary.unchanged,
        quarantined=summary.held,
        rejected=summary.rejected,
        refusal_code=summary.refusal_code,
        issues=[
            SubmissionIssueRead.model_validate(i.as_dict())
            for i in feedback.all_issues(db, submission)
        ],
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
