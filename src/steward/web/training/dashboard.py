"""The training compliance dashboard: the organisation's figure against its target, charts
drawn on the server (each with a table of its figures beside it) of the figure over the last
twelve month ends, by team, by topic and by employment type, every course's standing, and
everyone not compliant, counted and paged; drill-downs to a team's people and to those who
lack a course; and the person-level report as CSV.

The DPO, IG officers and the auditor see the organisation; a manager sees the same page for
the people who report to them (training.service.report.scope_for), and it says so."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from starlette.requests import Request

from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.core.files import csv_cell
from steward.core.paging import PageRequest
from steward.training.policy import NON_COMPLIANT, Status
from steward.training.service import drilldown
from steward.training.service import report as service
from steward.training.service.compliance import PersonStanding
from steward.training.service.definitions import (
    DEFINITIONS,
    EMPLOYMENT_LABELS,
    NO_TEAM,
    STATUS_LABELS,
    TARGET_LABEL,
    topic_label,
)
from steward.training.service.report import Figure, Report
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

PAGE_SIZE = 25
STATUS_TAGS = {
    Status.CURRENT: "govuk-tag--green",
    Status.DUE_SOON: "govuk-tag--yellow",
    Status.OVERDUE: "govuk-tag--red",
    Status.NEVER_DONE: "govuk-tag--red",
    Status.NOT_YET_DUE: "govuk-tag--blue",
}
CSV_HEADER = [
    "staff_number",
    "name",
    "team",
    "employment_type",
    "standing",
    "course_code",
    "course_title",
    "topic",
    "requirement",
    "status",
    "due_on",
    "last_completed_on",
]


def _as_of(parts: DateParts) -> tuple[date, dict[str, Any]]:
    """The date as typed (blank: today) and, when it makes no date, the page's error."""
    answer = read_date(parts, "as_of", what="The date to report on", required=False)
    extra: dict[str, Any] = {"typed": answer.parts}
    day = answer.value or clock.today()
    if answer.error:
        extra |= {"error": answer.error, "errors": {"as_of": answer.error}}
        day = clock.today()
    else:
        try:
            service.check_as_of(day)
        except ValidationFailed as exc:
            extra |= {"error": exc.message, "errors": exc.errors}
            day = clock.today()
    return day, extra


def as_of_query(day: date, **more: str) -> str:
    """The query string that shows the same date again (and ``more``), for links."""
    return urlencode(
        {"as_of-day": day.day, "as_of-month": day.month, "as_of-year": day.year, **more}
    )


def _percent(figure: Figure) -> str:
    return "none counted" if figure.percent is None else f"{figure.percent:g}%"


def _chart(
    key: str, title: str, what: str, header: str, rows: list[tuple[str, Figure]], target: int
) -> dict[str, Any]:
    """One chart of percentages against the target, its table and its description, all from
    the same rows."""
    drawn = [
        {
            "label": label,
            "value": figure.percent,
            "shown": _percent(figure),
            "compliant": figure.compliant,
            "counted": figure.counted,
        }
        for label, figure in rows
    ]
    return {
        "id": key,
        "title": title,
        "header": header,
        "rows": drawn,
        "target": target,
        "description": f"Bar chart of {what}, against the organisation's target of {target}%: "
        + ", ".join(f"{r['label']} {r['shown']}" for r in drawn),
    }


def _charts(report: Report) -> list[dict[str, Any]]:
    target = report.target_percent
    charts = [
        _chart(
            "over-time",
            "Compliance at each month end",
            "the share of staff compliant at the end of each of the last twelve months",
            "Month end",
            [(f"{p.on:%b %Y}", p.organisation) for p in report.trend],
            target,
        ),
        _chart(
            "by-team",
            "Compliance by team",
            f"the share of each team's staff compliant on {report.as_of:%-d %B %Y}",
            "Team",
            [(team or NO_TEAM, f) for team, f in report.teams],
            target,
        ),
        _chart(
            "by-topic",
            "Compliance by topic",
            f"the share of staff compliant in each topic on {report.as_of:%-d %B %Y}",
            "Topic",
            [(topic_label(topic), f) for topic, f in report.topics],
            target,
        ),
        _chart(
            "by-employment-type",
            "Compliance by employment type",
            f"the share of staff compliant by employment type on {report.as_of:%-d %B %Y}",
            "Employment type",
            [(EMPLOYMENT_LABELS[kind], f) for kind, f in report.employment_types],
            target,
        ),
    ]
    return [c for c in charts if c["rows"]]


def _context(day: date, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "as_of": day,
        "as_of_query": as_of_query(day),
        "definitions": DEFINITIONS,
        "status_labels": STATUS_LABELS,
        "status_tags": STATUS_TAGS,
        "employment_labels": {k.value: v for k, v in EMPLOYMENT_LABELS.items()},
        "topic_label": topic_label,
        "no_team": NO_TEAM,
        "is_today": day == clock.today(),
        **extra,
    }


@router.get("/training/dashboard")
def dashboard(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    parts: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    day, extra = _as_of(parts)
    report = service.build(db, actor, day)
    listed = drilldown.page_of(report.non_compliant, PageRequest(page.number, PAGE_SIZE))
    return render(
        request,
        "training/dashboard.html",
        {
            **_context(day, extra),
            "report": report,
            "charts": _charts(report),
            "non_compliant": listed,
            "target_label": TARGET_LABEL,
            "csv_href": f"/training/dashboard.csv?{as_of_query(day)}",
        },
        status_code=422 if extra.get("errors") else 200,
    )


def _standing_of(person: PersonStanding) -> str:
    if person.in_window:
        return "In their first window"
    return "Compliant" if person.compliant else "Not compliant"


@router.get("/training/dashboard/team")
def team_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    parts: Annotated[DateParts, date_parts("as_of")],
    team: Annotated[str, Query(max_length=64, description="Blank: staff with no team")] = "",
) -> Response:
    day, extra = _as_of(parts)
    people = drilldown.team_people(
        db, actor, day, team or None, PageRequest(page.number, PAGE_SIZE)
    )
    return render(
        request,
        "training/dashboard_team.html",
        {
            **_context(day, extra),
            "team": team or NO_TEAM,
            "team_value": team,
            "people": people,
            "standing_of": _standing_of,
            "non_compliant_statuses": NON_COMPLIANT,
        },
        status_code=422 if extra.get("errors") else 200,
    )


@router.get("/training/dashboard/courses/{course_id}")
def course_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    course_id: Id,
    parts: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    day, extra = _as_of(parts)
    course, gaps = drilldown.course_gaps(
        db, actor, day, course_id, PageRequest(page.number, PAGE_SIZE)
    )
    return render(
        request,
        "training/dashboard_course.html",
        {**_context(day, extra), "course": course, "gaps": gaps},
        status_code=422 if extra.get("errors") else 200,
    )


def csv_rows(people: list[PersonStanding]) -> Iterator[list[str]]:
    """One row per person and course that applies to them (one with no course for someone
    nothing applies to), every cell neutralised against formula injection."""
    yield CSV_HEADER
    for person in people:
        head = [
            person.staff_number,
            person.name,
            person.team or "",
            person.employment_type,
            _standing_of(person),
        ]
        for line in person.lines or [None]:
            tail = (
                ["", "", "", "", "", "", ""]
                if line is None
                else [
                    line.course_code,
                    line.course_title,
                    line.topic,
                    line.kind.value,
                    line.status.value,
                    line.standing.due_on.isoformat() if line.standing.due_on else "",
                    line.standing.last_completed_on.isoformat()
                    if line.standing.last_completed_on
                    else "",
                ]
            )
            yield [csv_cell(cell) for cell in (*head, *tail)]


@router.get("/training/dashboard.csv")
def dashboard_csv(
    db: DB, actor: PageActor, parts: Annotated[DateParts, date_parts("as_of")]
) -> Response:
    answer = read_date(parts, "as_of", what="The date to report on", required=False)
    if answer.error:
        raise ValidationFailed(answer.error, errors={"as_of": answer.error})
    day = answer.value or clock.today()
    rows = list(csv_rows(drilldown.export(db, actor, day)))

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
            "Content-Disposition": f'attachment; filename="training-compliance-{day}.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
