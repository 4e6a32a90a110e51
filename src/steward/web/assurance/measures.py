"""The DPO's dashboard (/assurance), a measure's drill-down with its CSV and thresholds
(/assurance/measures/{key}), and the control catalogue with its versions and the DPO's edit
page (/assurance/catalogue). Parsing and rendering only: assurance.controls.service decides."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.requests import Request

from steward.assurance.areas import Area
from steward.assurance.audits.service import assessments
from steward.assurance.controls import service
from steward.assurance.controls.measures import MEASURES
from steward.assurance.controls.policy import RAG_LABELS, RAG_TAGS, Kind
from steward.core import auth, clock
from steward.core.errors import DomainError, ValidationFailed
from steward.core.files import csv_cell
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Permission
from steward.web.assurance.sections import sections_for
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date, refusal
from steward.web.ids import MAX_ID, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

PAGE_SIZE = 25
KEY_PATTERN = r"^[a-z0-9_]{1,64}$"
MeasureKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The measure's key")]


def _as_of(parts: DateParts) -> tuple[date, dict[str, Any]]:
    """The date as typed (blank: today) and, when it is refused, the page's error."""
    answer = read_date(parts, "as_of", what="The date to report on", required=False)
    extra: dict[str, Any] = {"typed": answer.parts}
    day = answer.value or clock.today()
    if answer.error:
        return clock.today(), extra | {"error": answer.error, "errors": {"as_of": answer.error}}
    try:
        service.check_as_of(day)
    except ValidationFailed as exc:
        return clock.today(), extra | {"error": exc.message, "errors": exc.errors}
    return day, extra


def as_of_query(day: date) -> str:
    return urlencode({"as_of-day": day.day, "as_of-month": day.month, "as_of-year": day.year})


def _common(actor: Actor, current: str, day: date, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "sections": sections_for(actor),
        "current_section": current,
        "as_of": day,
        "as_of_query": as_of_query(day),
        "is_today": day == clock.today(),
        "rag_labels": RAG_LABELS,
        "rag_tags": RAG_TAGS,
        **extra,
    }


def _trend_chart(trend: service.Trend) -> dict[str, Any]:
    percent = trend.measure.kind is Kind.PERCENT
    rows = [
        (
            f"{p.on:%b %Y}",
            p.value,
            "none counted" if p.value is None else (f"{p.value:g}%" if percent else f"{p.value:g}"),
        )
        for p in trend.points
    ]
    return {
        "id": f"trend-{trend.measure.key.replace('_', '-')}",
        "title": f"{trend.measure.title}, month by month",
        "description": f"Bar chart of {trend.measure.title.lower()} at each of the last "
        f"{len(rows)} month ends: " + ", ".join(f"{label} {shown}" for label, _, shown in rows),
        "rows": rows,
        "headers": ("Month end", "Figure"),
    }


@router.get("/assurance")
def dashboard_page(
    request: Request,
    db: DB,
    actor: PageActor,
    parts: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    day, extra = _as_of(parts)
    board = service.dashboard(db, actor, day)
    return render(
        request,
        "assurance/dashboard.html",
        {
            **_common(actor, "/assurance", day, extra),
            "board": board,
            # Each area's rating is a person's (self-assessment) or an auditor's: shown beside
            # the evidence, never computed from it.
            "standing": {s.area: s for s in assessments.standing(db, actor)},
            "charts": [_trend_chart(t) for t in board.trends],
        },
        status_code=422 if extra.get("errors") else 200,
    )


def _measure_page(
    request: Request,
    db: DB,
    actor: Actor,
    key: str,
    day: date,
    page: PageRequest,
    extra: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    found = service.drilldown(db, actor, key, day, PageRequest(page.number, PAGE_SIZE))
    chosen = found.result.thresholds
    return render(
        request,
        "assurance/measure.html",
        {
            **_common(actor, "/assurance", day, extra),
            "found": found,
            "measure": found.result.measure,
            "csv_href": f"/assurance/measures/{key}/export.csv?{as_of_query(day)}",
            "can_manage": actor.can(Permission.ASSURANCE_MANAGE),
            "form": extra.get("form")
            or {"green": f"{chosen.green:g}", "amber": f"{chosen.amber:g}"},
            "defaults": found.result.measure.defaults,
        },
        status_code=status_code,
    )


@router.get("/assurance/measures/{key}")
def measure_page(
    request: Request,
    db: DB,
    actor: PageActor,
    key: MeasureKey,
    page: PageQuery,
    parts: Annotated[DateParts, date_parts("as_of")],
    saved: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    day, extra = _as_of(parts)
    return _measure_page(
        request,
        db,
        actor,
        key,
        day,
        page,
        extra | {"saved": saved == "yes"},
        status_code=422 if extra.get("errors") else 200,
    )


def _number(text: str, name: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValidationFailed(
            "Enter each threshold as a number, such as 95.", errors={name: "Enter a number"}
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationFailed("Enter each threshold as a number.", errors={name: "Enter a number"})
    return value


@router.post("/assurance/measures/{key}/thresholds")
def change_thresholds(
    request: Request,
    db: DB,
    actor: PageActor,
    key: MeasureKey,
    green: Annotated[str, Form(max_length=20)] = "",
    amber: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    service.measure_of(key)
    try:
        with db.begin_nested():
            service.set_thresholds(db, actor, key, _number(green, "green"), _number(amber, "amber"))
    except DomainError as exc:
        shown = refusal(exc, fields=("green", "amber"), summary="green")
        status = shown.pop("status_code")
        return _measure_page(
            request,
            db,
            actor,
            key,
            clock.today(),
            PageRequest(1, PAGE_SIZE),
            {"typed": {}, "form": {"green": green, "amber": amber}, **shown},
            status_code=status,
        )
    return RedirectResponse(f"/assurance/measures/{key}?saved=yes", status_code=303)


@router.get("/assurance/measures/{key}/export.csv")
def measure_csv(
    db: DB,
    actor: PageActor,
    key: MeasureKey,
    parts: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    answer = read_date(parts, "as_of", what="The date to report on", required=False)
    if answer.error:
        raise ValidationFailed(answer.error, errors={"as_of": answer.error})
    day = answer.value or clock.today()
    measure, rows = service.export(db, actor, key, day)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for line in [list(measure.columns), *(list(r.cells) for r in rows)]:
            writer.writerow([csv_cell(cell) for cell in line])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="measure-{key}-{day}.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def _catalogue_page(
    request: Request,
    db: DB,
    actor: Actor,
    page: PageRequest,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    actor.require(Permission.ASSURANCE_VIEW)
    now = service.current(db)
    versions = service.history(db, actor, PageRequest(page.number, PAGE_SIZE))
    publishers = auth.usernames(
        db, [v.published_by_user_id for v in versions.items if v.published_by_user_id]
    )
    return render(
        request,
        "assurance/catalogue.html",
        {
            "sections": sections_for(actor),
            "current_section": "/assurance/catalogue",
            "now": now,
            "versions": versions,
            "publishers": publishers,
            "measures": MEASURES,
            "area_labels": {a.value: a.label for a in Area},
            "can_manage": actor.can(Permission.ASSURANCE_MANAGE),
            "form": extra.pop("form", None) or {"catalogue": now.source, "note": ""},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/assurance/catalogue")
def catalogue_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    published: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    return _catalogue_page(request, db, actor, page, published=published)


@router.post("/assurance/catalogue")
def publish_catalogue(
    request: Request,
    db: DB,
    actor: PageActor,
    catalogue: Annotated[str, Form(max_length=300_000)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        with db.begin_nested():
            row = service.publish(db, actor, catalogue, note)
    except DomainError as exc:
        shown = refusal(exc, fields=("catalogue", "note"), summary="catalogue")
        return _catalogue_page(
            request,
            db,
            actor,
            PageRequest(1, PAGE_SIZE),
            form={"catalogue": catalogue, "note": note},
            **shown,
        )
    return RedirectResponse(f"/assurance/catalogue?published={row.version}", status_code=303)


@router.get("/assurance/catalogue/versions/{number}")
def catalogue_version_page(
    request: Request,
    db: DB,
    actor: PageActor,
    number: Id,
) -> Response:
    row = service.version(db, actor, number)
    return render(
        request,
        "assurance/catalogue_version.html",
        {
            "sections": sections_for(actor),
            "current_section": "/assurance/catalogue",
            "row": row,
            "publisher": auth.usernames(db, [row.published_by_user_id]).get(
                row.published_by_user_id
            )
            if row.published_by_user_id
            else None,
        },
    )
