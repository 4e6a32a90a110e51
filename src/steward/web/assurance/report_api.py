"""The board report over the API (/api/v1/assurance/report): its figures as JSON and the PDF,
through the same steward.assurance.report the page and the CLI use. Needs ``assurance:view``;
each call is an audited export. Figures only: no names, no case or request references."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from steward.assurance import report as board_report
from steward.core import clock
from steward.core.permissions import Permission
from steward.web.api import require_json
from steward.web.api_contract import IsoDate
from steward.web.deps import DB, ApiActor, AppSettings, api_requires
from steward.web.downloads import download_response

router = APIRouter(
    prefix="/assurance",
    tags=["assurance"],
    dependencies=[Depends(require_json), Depends(api_requires(Permission.ASSURANCE_VIEW))],
)
READS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not see assurance"},
    422: {"description": "The date is not YYYY-MM-DD, is in the future or is too long ago"},
}
PDF: dict[int | str, dict[str, Any]] = {
    **READS,
    200: {"content": {"application/pdf": {}}, "description": "The board report as a PDF"},
}
AsOf = Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")]


class ThresholdsRead(BaseModel):
    green: float
    amber: float


class MeasureFigureRead(BaseModel):
    key: str
    title: str
    kind: str = Field(description="percent (higher is better) or count (lower is better)")
    definition: str
    shown: str = Field(description="The figure as the report prints it")
    value: float | None
    numerator: int | None
    denominator: int | None
    count: int | None
    note: str
    status: str = Field(description="green, amber, red, none or not_measured")
    thresholds: ThresholdsRead = Field(description="The organisation's choice, not the law's")


class AreaRead(BaseModel):
    area: str = Field(description="The ICO audit area (assurance.areas.Area)")
    title: str
    rating: str | None = Field(description="The latest self-assessment's rating by the day")
    assessed_on: date | None
    assessed_by_role: str | None = Field(description="The assessor's role, never a name")
    audit_rating: str | None = Field(description="The latest audit's rating of the area")
    audit_title: str | None
    status: str = Field(description="The worst status among the area's measures")
    opinion: str
    measures: list[MeasureFigureRead]


class OverallRead(BaseModel):
    rating: str | None
    source: str = Field(description="audit, follow_up or none")
    audit_title: str | None
    on: date | None


class PriorityRead(BaseModel):
    priority: str = Field(description="urgent, high, medium or low")
    total: int
    open: int
    done: int
    not_accepted: int
    overdue: int


class RedActionRead(BaseModel):
    reference: str = Field(description="The audit report's reference for the recommendation")
    audit_title: str
    text: str
    priority: str
    agreed_on: date


class ActionsRead(BaseModel):
    by_status: dict[str, int] = Field(description="open, in_progress, done, not_accepted")
    overdue: int
    overdue_urgent_or_high: list[RedActionRead]


class AttestationsRead(BaseModel):
    current: int
    due_soon: int
    expired: int


class BreachesRead(BaseModel):
    reported: int
    near_misses: int
    notified: int
    notified_within_72_hours: int
    overdue_now: int
    not_notified: int


class TrendPointRead(BaseModel):
    on: date
    value: float | None
    status: str


class TrendRead(BaseModel):
    key: str
    title: str
    kind: str
    points: list[TrendPointRead]


class BoardReportRead(BaseModel):
    as_of: date
    generated_at: datetime
    organisation: str | None
    catalogue_version: int | None = Field(description="None: the catalogue shipped with Steward")
    overall: OverallRead
    summary: list[str] = Field(description="The executive summary, a sentence each")
    areas: list[AreaRead]
    recommendations: list[PriorityRead]
    actions: ActionsRead
    attestations: AttestationsRead
    breaches: BreachesRead
    trends: list[TrendRead] = Field(description="Headline measures at the last 12 month ends")


@router.get("/report", responses=READS)
def read_report(
    db: DB, actor: ApiActor, settings: AppSettings, as_of: AsOf = None
) -> BoardReportRead:
    """The board report's figures on the day (default today)."""
    found = board_report.figures(
        db, actor, as_of or clock.today(), organisation=settings.organisation_name
    )
    return BoardReportRead.model_validate(board_report.to_json(found))


@router.get("/report.pdf", response_class=Response, responses=PDF)
def report_pdf(db: DB, actor: ApiActor, settings: AppSettings, as_of: AsOf = None) -> Response:
    """The board report as a PDF, to save (attachment, not cached)."""
    day = as_of or clock.today()
    found = board_report.figures(db, actor, day, organisation=settings.organisation_name)
    return download_response(f"board-report-{day}.pdf", "application/pdf", board_report.pdf(found))
