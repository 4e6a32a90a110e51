"""Partner data quality: a page of every partner (the dashboard's summary line for each, a
chart of the share of rows rejected each month drawn on the server beside a table of the
same figures, the commonest rejections and reasons rows were held), a page per partner
(month by month, issues by code, files refused, the time held rows took to decide), and the
figures as CSV. Each figure's definition is shown beside it.

Information governance, the DPO and the auditor see every partner; a partner organisation's
users see their own partner's figures, as feedback on what they send (service/quality.py)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from starlette.requests import Request

from steward.core.errors import ValidationFailed
from steward.core.files import csv_cell
from steward.intake.policy import Consequence
from steward.intake.service import quality as service
from steward.intake.service.quality import Month, PartnerReport, Report
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

TOP_CODES = 10
CONSEQUENCE_LABELS = {
    Consequence.REFUSE: "File refused",
    Consequence.REJECT: "Row rejected",
    Consequence.QUARANTINE: "Row held",
}
CSV_HEADER = [
    "partner_code",
    "partner_name",
    "month",
    "submissions",
    "refused",
    "rows",
    "accepted",
    "unchanged",
    "held",
    "rejected",
    "rejected_percent",
    "held_percent",
    "conflicts",
    "waiting",
    "decided",
    "median_days_to_resolve",
    "p90_days_to_resolve",
]
# The chart's scale: the smallest of these at or above the highest share, so that a few
# per cent rejected still reads as bars (a 0-100% scale would flatten them all).
SCALES = (1, 2, 5, 10, 20, 25, 50, 100)


def _period(
    start: DateParts, end: DateParts
) -> tuple[date | None, date | None, dict[str, str], dict[str, dict[str, str]]]:
    """The period as typed: either date left blank takes its default."""
    given = read_date(start, "from", what="The start of the period", required=False)
    until = read_date(end, "to", what="The end of the period", required=False)
    errors = {k: a.error for k, a in (("from", given), ("to", until)) if a.error}
    return given.value, until.value, errors, {"from": given.parts, "to": until.parts}


def _shown(value: float | None, unit: str = "%") -> str:
    """A figure as the page shows it: "12.5%", "3 days", "3"; a dash where there is none."""
    if value is None:
        return "\u2013"  # an en dash: no figure
    if unit == "%":
        return f"{value:g}%"
    return f"{value:g} {unit}" if unit else f"{value:g}"


def _scale(reports: Sequence[PartnerReport]) -> int:
    highest = max(
        (m.counts.rejected_percent or 0.0 for p in reports for m in p.months), default=0.0
    )
    return next((s for s in SCALES if s >= math.ceil(highest)), 100)


def _chart(partner: PartnerReport, top: int) -> dict[str, Any]:
    """One partner's share of rows rejected each month: the bars, the table beside them and
    the description a screen reader reads, all from the same months."""
    rows = [
        {
            "label": f"{m.month:%b %Y}",
            "value": m.counts.rejected_percent,
            "shown": _shown(m.counts.rejected_percent) if m.counts.rows else "no rows",
            "rows": m.counts.rows,
            "rejected": m.counts.rejected,
        }
        for m in partner.months
    ]
    return {
        "id": f"rejected-{partner.partner_id}",
        "title": f"{partner.name}: rows rejected each month",
        "top": top,
        "rows": rows,
        "description": "Bar chart of the share of rows rejected each month, on a scale of 0 to "
        f"{top}%: " + ", ".join(f"{r['label']} {r['shown']}" for r in rows),
    }


def _context(
    report: Report, typed: dict[str, dict[str, str]], extra: dict[str, Any], query: str
) -> dict[str, Any]:
    return {
        "start": report.start,
        "end": report.end,
        "typed": typed,
        "definitions": service.DEFINITIONS,
        "consequence_labels": CONSEQUENCE_LABELS,
        "shown": _shown,
        "query": query if query and "errors" not in extra else "",
        **extra,
    }


def _problem(exc: ValidationFailed) -> dict[str, Any]:
    return {"error": exc.message, "errors": exc.errors}


@router.get("/intake/quality")
def overview_page(
    request: Request,
    db: DB,
    actor: PageActor,
    start: Annotated[DateParts, date_parts("from")],
    end: Annotated[DateParts, date_parts("to")],
) -> Response:
    first, last, errors, typed = _period(start, end)
    extra: dict[str, Any] = {}
    try:
        if errors:
            raise ValidationFailed(next(iter(errors.values())), errors=errors)
        seen = service.overview(db, actor, start=first, end=last)
    except ValidationFailed as exc:
        extra = _problem(exc)
        seen = service.overview(db, actor)
    report = seen.report
    top = _scale(report.partners)
    codes = report.codes
    return render(
        request,
        "intake/quality_overview.html",
        {
            **_context(report, typed, extra, request.url.query),
            "seen": seen,
            "charts": [_chart(p, top) for p in report.partners],
            "rejections": [c for c in codes if c.consequence is Consequence.REJECT][:TOP_CODES],
            "holds": [c for c in codes if c.consequence is Consequence.QUARANTINE][:TOP_CODES],
        },
        status_code=422 if extra else 200,
    )


@router.get("/intake/quality/partners/{partner_id}")
def partner_page(
    request: Request,
    db: DB,
    actor: PageActor,
    partner_id: Id,
    start: Annotated[DateParts, date_parts("from")],
    end: Annotated[DateParts, date_parts("to")],
) -> Response:
    first, last, errors, typed = _period(start, end)
    extra: dict[str, Any] = {}
    try:
        if errors:
            raise ValidationFailed(next(iter(errors.values())), errors=errors)
        partner = service.report(db, actor, partner_id=partner_id, start=first, end=last)
    except ValidationFailed as exc:
        extra = _problem(exc)
        partner = service.report(db, actor, partner_id=partner_id)
    report = Report(partner.start, partner.end, [partner])
    return render(
        request,
        "intake/quality_partner.html",
        {
            **_context(report, typed, extra, request.url.query),
            "partner": partner,
            "chart": _chart(partner, _scale([partner])),
        },
        status_code=422 if extra else 200,
    )


def _line(partner: PartnerReport, month: str, m: Month | None) -> list[str]:
    counts = m.counts if m else partner.total
    resolution = m.resolution if m else partner.resolution
    cells: list[object] = [
        partner.code,
        partner.name,
        month,
        counts.submissions,
        counts.refused,
        counts.rows,
        counts.accepted,
        counts.unchanged,
        counts.held,
        counts.rejected,
        counts.rejected_percent,
        counts.held_percent,
        counts.conflicts,
        counts.waiting,
        resolution.decided,
        resolution.median_days,
        resolution.p90_days,
    ]
    return [csv_cell(cell) for cell in cells]


def csv_rows(partners: Sequence[PartnerReport], start: date, end: date) -> Iterator[list[str]]:
    """Each partner's months, then its whole period (month "start to end"), cells neutralised
    against formula injection (a partner's name is typed by people)."""
    yield CSV_HEADER
    for partner in partners:
        for m in partner.months:
            yield _line(partner, f"{m.month:%Y-%m}", m)
        yield _line(partner, f"{start.isoformat()} to {end.isoformat()}", None)


@router.get("/intake/quality.csv")
def quality_csv(
    db: DB,
    actor: PageActor,
    start: Annotated[DateParts, date_parts("from")],
    end: Annotated[DateParts, date_parts("to")],
    partner: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="One partner's figures only")
    ] = None,
) -> Response:
    first, last, errors, _ = _period(start, end)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    if partner is None:
        report = service.overview(db, actor, start=first, end=last).report
    else:
        one = service.report(db, actor, partner_id=partner, start=first, end=last)
        report = Report(one.start, one.end, [one])
    rows = list(csv_rows(report.partners, report.start, report.end))

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for line in rows:
            writer.writerow(line)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="partner-data-quality.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
