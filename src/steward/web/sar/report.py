"""The subject access performance report: a page with charts drawn on the server (each with a
table of its figures beside it) and the same figures as CSV, over a period chosen with two
GOV.UK date inputs (by default the last twelve months)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse
from starlette.requests import Request

from steward.core.errors import ValidationFailed
from steward.core.files import csv_cell
from steward.core.permissions import Actor, Permission
from steward.sar import service
from steward.sar.policy import RequesterType
from steward.sar.service.report import Figures, Report
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

REQUESTER_LABELS = {
    RequesterType.DATA_SUBJECT: "The person themselves",
    RequesterType.PARENT: "Parent for a child",
    RequesterType.REPRESENTATIVE: "Solicitor or representative",
    RequesterType.CHILD: "Child for themselves",
    RequesterType.CARE_LEAVER: "Care leaver",
}
FIGURES = (
    ("received", "Received"),
    ("completed", "Completed"),
    ("on_time_percent", "% on time"),
    ("median_days_to_complete", "Median days to complete"),
    ("extensions", "Extensions"),
    ("refusals", "Refusals"),
)


def _period(
    start: DateParts, end: DateParts
) -> tuple[date | None, date | None, dict[str, str], dict[str, dict[str, str]]]:
    """The period as typed: either date left blank takes its default."""
    given = read_date(start, "from", what="The start of the period", required=False)
    until = read_date(end, "to", what="The end of the period", required=False)
    errors = {k: a.error for k, a in (("from", given), ("to", until)) if a.error}
    return given.value, until.value, errors, {"from": given.parts, "to": until.parts}


def _build(db: DB, actor: Actor, start: DateParts, end: DateParts) -> tuple[Report, dict[str, Any]]:
    first, last, errors, typed = _period(start, end)
    extra: dict[str, Any] = {"typed": typed}
    if errors:
        extra |= {"error": next(iter(errors.values())), "errors": errors}
        first = last = None
    try:
        report = service.report.build(db, actor, start=first, end=last)
    except ValidationFailed as exc:
        extra |= {"error": exc.message, "errors": exc.errors}
        report = service.report.build(db, actor)
    return report, extra


def _percent(value: float | None) -> str:
    return "none completed" if value is None else f"{value:g}%"


def _days(value: float | None) -> str:
    return "none completed" if value is None else f"{value:g} days"


def _chart(
    key: str, title: str, what: str, headers: tuple[str, str], rows: list[tuple[str, Any, str]]
) -> dict[str, Any]:
    """One chart: its bars, the table beside it, and a description a screen reader can read,
    all from the same rows of (label, value, value as shown)."""
    return {
        "id": key,
        "title": title,
        "description": f"Bar chart of {what}: " + ", ".join(f"{k} {shown}" for k, _, shown in rows),
        "rows": rows,
        "headers": headers,
    }


def _charts(report: Report) -> list[dict[str, Any]]:
    months = [(m.strftime("%b %Y"), f) for m, f in report.by_month]
    types = [(REQUESTER_LABELS[t], f) for t, f in report.by_requester]
    span = f"{report.start:%-d %B %Y} to {report.end:%-d %B %Y}"
    return [
        _chart(
            "received-by-month",
            "Requests received by month",
            f"requests received each month, {span}",
            ("Month", "Received"),
            [(m, f.received, str(f.received)) for m, f in months],
        ),
        _chart(
            "on-time-by-month",
            "Completed on time by month",
            f"the share of responses given on time each month, {span}",
            ("Month", "Completed on time"),
            [(m, f.on_time_percent, _percent(f.on_time_percent)) for m, f in months],
        ),
        _chart(
            "on-time-by-requester",
            "Completed on time by who asked",
            f"the share of responses given on time, by who asked, {span}",
            ("Who asked", "Completed on time"),
            [(t, f.on_time_percent, _percent(f.on_time_percent)) for t, f in types],
        ),
        _chart(
            "median-days-by-requester",
            "Median days to complete by who asked",
            f"the median days from arrival to response, by who asked, {span}",
            ("Who asked", "Median days"),
            [(t, f.median_days, _days(f.median_days)) for t, f in types],
        ),
    ]


@router.get("/sar/report")
def report_page(
    request: Request,
    db: DB,
    actor: PageActor,
    start: Annotated[DateParts, date_parts("from")],
    end: Annotated[DateParts, date_parts("to")],
) -> Response:
    report, extra = _build(db, actor, start, end)
    query = request.url.query
    return render(
        request,
        "sar/report.html",
        {
            "report": report,
            "charts": _charts(report),
            "types": [(REQUESTER_LABELS[t], f.as_dict()) for t, f in report.by_requester],
            "months": [(m, f.as_dict()) for m, f in report.by_month],
            "total": report.total.as_dict(),
            "figures": FIGURES,
            "csv_href": "/sar/report.csv"
            + (f"?{query}" if query and "errors" not in extra else ""),
            **extra,
        },
        status_code=422 if extra.get("errors") else 200,
    )


def csv_rows(report: Report) -> Iterator[list[str]]:
    """The report as rows: a heading, the total, each requester type, each month."""
    yield ["group", "value", *(key for key, _ in FIGURES)]

    def row(group: str, value: str, figures: Figures) -> list[str]:
        shown = figures.as_dict()
        return [csv_cell(c) for c in (group, value, *(shown[k] for k, _ in FIGURES))]

    yield row("total", f"{report.start.isoformat()} to {report.end.isoformat()}", report.total)
    for kind, figures in report.by_requester:
        yield row("requester_type", kind.value, figures)
    for month, figures in report.by_month:
        yield row("month", month.strftime("%Y-%m"), figures)


@router.get("/sar/report.csv")
def report_csv(
    db: DB,
    actor: PageActor,
    start: Annotated[DateParts, date_parts("from")],
    end: Annotated[DateParts, date_parts("to")],
) -> Response:
    actor.require(Permission.SAR_MANAGE)
    first, last, errors, _ = _period(start, end)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    rows = list(csv_rows(service.report.build(db, actor, start=first, end=last)))

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
            "Content-Disposition": 'attachment; filename="subject-access-performance.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
