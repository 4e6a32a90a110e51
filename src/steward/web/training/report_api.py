"""The training compliance report over the API (/api/v1/training/report): the dashboard's
figures, for automation, through the same service (and the same scope: a manager's own
people, everyone for those who oversee the organisation). Each figure's definition travels
with the report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from steward.core import clock
from steward.core.permissions import Permission
from steward.training.service import report as service
from steward.web.api_contract import IsoDate
from steward.web.deps import DB, ApiActor, api_requires

router = APIRouter(
    tags=["training"],
    dependencies=[Depends(api_requires(Permission.TRAINING_VIEW_COMPLIANCE))],
)


class FigureRead(BaseModel):
    in_scope: int = Field(description="Staff in scope: started on or before the date, not left")
    in_window: int = Field(description="Left out of the percentage: still in a first window")
    counted: int = Field(description="in_scope less in_window")
    compliant: int
    non_compliant: int
    percent: float | None = Field(description="compliant / counted; None when nobody counts")


class TeamFigureRead(FigureRead):
    team: str | None = Field(description="HR's team; None for staff with no team")


class EmploymentTypeFigureRead(FigureRead):
    employment_type: str


class TopicFigureRead(FigureRead):
    topic: str


class CourseFigureRead(BaseModel):
    course_code: str
    title: str
    topic: str
    applies_to: int
    current: int
    due_soon: int
    overdue: int
    never_done: int
    not_yet_due: int
    percent: float | None = Field(
        description="current and due soon over applies_to less not_yet_due"
    )


class TrendPointRead(FigureRead):
    month_end: date
    topics: dict[str, FigureRead]


class MissingRead(BaseModel):
    course_code: str
    course_title: str
    status: str = Field(description="overdue or never_done")
    due_on: date | None = Field(description="When it lapsed or was first due")


class NonCompliantRead(BaseModel):
    staff_number: str
    name: str
    team: str | None
    employment_type: str
    missing: list[MissingRead]


class TargetRead(BaseModel):
    percent: int
    label: str = Field(description="The organisation's own target, not a legal requirement")
    met: bool | None


class TrainingReportRead(BaseModel):
    as_of: date
    scope: str = Field(description="organisation, or own_people for a manager")
    scope_label: str
    target: TargetRead
    organisation: FigureRead
    teams: list[TeamFigureRead]
    courses: list[CourseFigureRead]
    employment_types: list[EmploymentTypeFigureRead]
    topics: list[TopicFigureRead]
    trend: list[TrendPointRead] = Field(description="The figure at each of the last 12 month ends")
    non_compliant: list[NonCompliantRead]
    definitions: dict[str, str] = Field(description="What each figure counts, by figure")


@router.get(
    "/training/report",
    responses={
        403: {"description": "Your role does not see training compliance"},
        422: {"description": "The date is not a real date, or too far from today"},
    },
)
def training_report(
    db: DB,
    actor: ApiActor,
    as_of: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")] = None,
    trend: Annotated[bool, Query(description="Include the last 12 month ends")] = True,
) -> TrainingReportRead:
    """The organisation's compliance (a manager: their own people's) as of a date, each
    team's, course's, employment type's and topic's, and everyone not compliant."""
    built: dict[str, Any] = service.build(db, actor, as_of or clock.today(), trend=trend).as_dict()
    return TrainingReportRead.model_validate(built)
