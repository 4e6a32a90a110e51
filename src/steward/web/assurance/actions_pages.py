"""The action plan's pages: every open action across audits (filtered, counted, paged, and as
CSV), "my actions" for whoever owns some, an action's page with its dated updates, posting an
update with evidence (its owner or the DPO), and changing its owner, priority or date (the
DPO). The service checks who may do what."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from steward.assurance.audits.service import actions
from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.web.assurance.audits_words import MAX_FIELD, shown, typed_date, words
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import DateParts, date_parts, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
FilterText = Annotated[str, Query(max_length=16)]
UPDATE_FIELDS = ("status", "note", "reason", "evidence")
CHANGE_FIELDS = ("owner", "priority", "agreed_on")


def _filter(priority: str, status: str, owner: str, overdue: str) -> actions.ActionFilter:
    return actions.ActionFilter.read(priority=priority, status=status, owner=owner, overdue=overdue)


@router.get("/assurance/actions")
def plan_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    priority: FilterText = "",
    status: FilterText = "",
    owner: FilterText = "",
    overdue: FilterText = "",
) -> Response:
    wanted = _filter(priority, status, owner, overdue)
    listing = actions.action_plan(db, actor, page, wanted)
    summary = actions.action_plan_summary(db, clock.today())
    query = request.url.query
    return render(
        request,
        "assurance/actions.html",
        {
            "listing": listing,
            "filters": wanted,
            "owners": actions.owners(db),
            "summary": summary,
            "csv_href": "/assurance/actions.csv" + (f"?{query}" if query else ""),
            **words(actor),
        },
    )


@router.get("/assurance/actions.csv")
def plan_csv(
    db: DB,
    actor: PageActor,
    priority: FilterText = "",
    status: FilterText = "",
    owner: FilterText = "",
    overdue: FilterText = "",
) -> Response:
    rows = list(actions.export_rows(db, actor, _filter(priority, status, owner, overdue)))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="action-plan-{clock.today()}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/assurance/actions/mine")
def my_actions_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    listing = actions.my_actions(db, actor, page)
    return render(request, "assurance/my_actions.html", {"listing": listing, **words(actor)})


def _action_page(
    request: Request,
    db: DB,
    kek: Any,
    actor: Actor,
    recommendation_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view = actions.view_action(db, kek, actor, recommendation_id)
    return render(
        request,
        "assurance/action.html",
        {
            "view": view,
            "form": {},
            "status_options": [("", f"Keep it {view.line.status.label.lower()}")]
            + [(s.value, s.label) for s in view.next_statuses],
            **words(actor),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/assurance/actions/{recommendation_id}")
def action_page(
    request: Request, db: DB, kek: Keyring, actor: PageActor, recommendation_id: Id
) -> Response:
    return _action_page(request, db, kek, actor, recommendation_id)


@router.post("/assurance/actions/{recommendation_id}/updates")
def post_update(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    recommendation_id: Id,
    note: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    has_file = evidence is not None and bool(evidence.filename or evidence.size)
    # The body was capped on the way in (SecurityMiddleware): a bounded read.
    data = evidence.file.read() if evidence is not None and has_file else None
    if has_file and not data:
        data = b""  # chosen but empty: the service says so
    try:
        with db.begin_nested():
            actions.post_update(
                db,
                kek,
                actor,
                recommendation_id,
                actions.NewUpdate(note, status, reason, data if has_file else None),
            )
    except ValidationFailed as exc:
        if has_file and data == b"":
            exc = ValidationFailed(
                exc.message, errors=exc.errors | {"evidence": "The selected file is empty"}
            )
        return _action_page(
            request,
            db,
            kek,
            actor,
            recommendation_id,
            form={"note": note, "status": status, "reason": reason},
            **refusal(exc, fields=UPDATE_FIELDS, summary="update"),
        )
    return RedirectResponse(f"/assurance/actions/{recommendation_id}#updates", status_code=303)


@router.post("/assurance/actions/{recommendation_id}")
def change_action(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    recommendation_id: Id,
    agreed: Annotated[DateParts, date_parts("agreed_on")],
    owner: Annotated[str, Form(max_length=64)] = "",
    priority: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    errors: dict[str, str] = {}
    agreed_on = typed_date(agreed, "agreed_on", "The date agreed for the action", errors)
    try:
        with db.begin_nested():
            actions.change_action(
                db, actor, recommendation_id, owner=owner, priority=priority, agreed_on=agreed_on
            )
    except ValidationFailed as exc:
        return _action_page(
            request,
            db,
            kek,
            actor,
            recommendation_id,
            change={"owner": owner, "priority": priority},
            parts={"agreed_on": shown(agreed)},
            **refusal(
                ValidationFailed(exc.message, errors=exc.errors | errors),
                fields=CHANGE_FIELDS,
                summary="change",
            ),
        )
    return RedirectResponse(f"/assurance/actions/{recommendation_id}", status_code=303)


@router.get("/assurance/actions/{recommendation_id}/updates/{update_id}/evidence")
def evidence(
    db: DB, kek: Keyring, actor: PageActor, recommendation_id: Id, update_id: Id
) -> Response:
    found = actions.evidence(db, kek, actor, recommendation_id, update_id)
    return download_response(found.filename, found.media_type, found.data)
