"""Partner data quality over the API: the assurance dashboard's line for each partner
(/api/v1/intake/quality) and one partner's figures by month (/api/v1/intake/quality/partners/
{id}), through the same service and scope as the pages: information governance, the DPO and
the auditor see every partner, a partner's users their own. Each figure's definition travels
with it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from steward.core import clock
from steward.intake.service import quality as service
from steward.intake.service.quality import CodeCount, Counts, Resolution
from steward.web.api_contract import IsoDate
from steward.web.deps import DB, ApiActor
from steward.web.ids import Id

router = APIRouter(tags=["intake"])


class PartnerQualityRead(BaseModel):
    partner_id: int
    partner_code: str
    partner_name: str
    rows: int = Field(description="Rows received in the 90 days")
    rejected: int = Field(description="Rows rejected when checked")
    rejected_percent: float | None = Field(description="rejected / rows; None with no rows")
    open_held: int = Field(description="Held rows waiting at the end of the day, whenever sent")
    oldest_held_days: int | None = Field(description="Days the oldest open held row has waited")
    decided: int = Field(description="Held rows decided in the 90 days")
    median_resolution_days: float | None = Field(
        description="Median days from the file's arrival to the decision"
    )


class QualitySummaryRead(BaseModel):
    on: date = Field(description="The last of the 90 days")
    start: date = Field(description="The first of the 90 days")
    partners: list[PartnerQualityRead]
    definitions: dict[str, str] = Field(description="What each figure counts, by figure")


class QualityCountsRead(BaseModel):
    submissions: int
    refused: int
    rows: int
    accepted: int
    unchanged: int
    held: int
    rejected: int
    rejected_percent: float | None
    held_percent: float | None
    conflicts: int
    waiting: int


class QualityResolutionRead(BaseModel):
    decided: int
    median_days: float | None
    p90_days: float | None


class QualityMonthRead(BaseModel):
    month: date = Field(description="The first day of the month")
    counts: QualityCountsRead
    resolution: QualityResolutionRead


class QualityCodeRead(BaseModel):
    code: str
    title: str
    consequence: str = Field(description="refuse, reject or quarantine")
    rows: int = Field(description="Rows with the issue (for refusals: files refused)")
    percent: float | None = Field(description="Of rows received (for refusals: of files sent)")


class PartnerQualityReportRead(BaseModel):
    partner_id: int
    partner_code: str
    partner_name: str
    start: date
    end: date
    total: QualityCountsRead
    resolution: QualityResolutionRead
    months: list[QualityMonthRead]
    codes: list[QualityCodeRead] = Field(description="Issues found in rows, most rows first")
    refusals: list[QualityCodeRead] = Field(description="Files refused whole, by code")
    open_held: int
    oldest_held_days: int | None
    definitions: dict[str, str] = Field(description="What each figure counts, by figure")


def _counts(counts: Counts) -> QualityCountsRead:
    return QualityCountsRead.model_validate(counts.as_dict())


def _resolution(resolution: Resolution) -> QualityResolutionRead:
    return QualityResolutionRead.model_validate(resolution.as_dict())


def _codes(codes: list[CodeCount]) -> list[QualityCodeRead]:
    return [QualityCodeRead.model_validate(c.as_dict()) for c in codes]


@router.get(
    "/intake/quality",
    responses={
        403: {"description": "Your role does not see partner data quality"},
        422: {"description": "The date is in the future"},
    },
)
def quality_summary(
    db: DB,
    actor: ApiActor,
    on: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> QualitySummaryRead:
    """One line per partner you may see: the 90 days to the date."""
    day = on or clock.today()
    lines = service.summary(db, actor, on=day)
    return QualitySummaryRead(
        on=day,
        start=service.summary_start(day),
        partners=[PartnerQualityRead.model_validate(line.as_dict()) for line in lines],
        definitions=service.DEFINITIONS,
    )


@router.get(
    "/intake/quality/partners/{partner_id}",
    responses={
        403: {"description": "Your role does not see partner data quality"},
        404: {"description": "No partner you may see has this id"},
        422: {"description": "The period is not one that can be shown"},
    },
)
def partner_quality(
    db: DB,
    actor: ApiActor,
    partner_id: Id,
    start: Annotated[
        IsoDate | None, Query(alias="from", description="YYYY-MM-DD; default 12 months ago")
    ] = None,
    end: Annotated[
        IsoDate | None, Query(alias="to", description="YYYY-MM-DD; default today")
    ] = None,
) -> PartnerQualityReportRead:
    """One partner's figures over the period, month by month."""
    found = service.report(db, actor, partner_id=partner_id, start=start, end=end)
    return PartnerQualityReportRead(
        partner_id=found.partner_id,
        partner_code=found.code,
        partner_name=found.name,
        start=found.start,
        end=found.end,
        total=_counts(found.total),
        resolution=_resolution(found.resolution),
        months=[
            QualityMonthRead(
                month=m.month, counts=_counts(m.counts), resolution=_resolution(m.resolution)
            )
            for m in found.months
        ],
        codes=_codes(found.codes),
        refusals=_codes(found.refusals),
        open_held=found.open_held,
        oldest_held_days=found.oldest_held_days,
        definitions=service.DEFINITIONS,
    )
