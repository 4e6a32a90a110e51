"""The board report's page (/assurance/report): choose the day, read what the report holds,
download it as a PDF (/assurance/report.pdf?as_of=YYYY-MM-DD). Parsing and rendering only:
steward.assurance.report gathers the figures, checks who may have them and audits the export."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.requests import Request

from steward.assurance import report as board_report
from steward.assurance.areas import Area
from steward.assurance.controls import service as controls
from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.core.permissions import Permission
from steward.web.assurance.sections import sections_for
from steward.web.deps import DB, AppSettings, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

HOME = "/assurance/report"
WHAT = "The date to report on"


def parse_as_of(text: str) -> date:
    """``as_of`` as YYYY-MM-DD (blank: today), checked as the dashboard checks it."""
    if not text:
        return clock.today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "Give the date to report on as YYYY-MM-DD, for example 2026-03-31.",
            errors={"as_of": "Enter the date as YYYY-MM-DD"},
        ) from None
    controls.check_as_of(day)
    return day


def _chosen(parts: DateParts) -> tuple[date, dict[str, Any]]:
    """The day typed (blank: today) and, when it is refused, the page's error."""
    answer = read_date(parts, "as_of", what=WHAT, required=False)
    extra: dict[str, Any] = {"typed": answer.parts}
    if answer.error:
        return clock.today(), extra | {"error": answer.error, "errors": {"as_of": answer.error}}
    day = answer.value or clock.today()
    try:
        controls.check_as_of(day)
    except ValidationFailed as exc:
        return clock.today(), extra | {"error": exc.message, "errors": exc.errors}
    return day, extra


@router.get(HOME)
def report_page(
    request: Request,
    actor: PageActor,
    parts: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    actor.require(Permission.ASSURANCE_VIEW)
    day, extra = _chosen(parts)
    return render(
        request,
        "assurance/report.html",
        {
            "sections": sections_for(actor),
            "current_section": HOME,
            "as_of": day,
            "is_today": day == clock.today(),
            "pdf_href": f"{HOME}.pdf?as_of={day.isoformat()}",
            "areas": [a.label for a in Area],
            **extra,
        },
        status_code=422 if extra.get("errors") else 200,
    )


@router.get(HOME + ".pdf")
def report_pdf(
    db: DB,
    actor: PageActor,
    settings: AppSettings,
    as_of: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_VIEW)
    day = parse_as_of(as_of)
    found = board_report.figures(db, actor, day, organisation=settings.organisation_name)
    return download_response(f"board-report-{day}.pdf", "application/pdf", board_report.pdf(found))
