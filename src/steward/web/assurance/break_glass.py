"""Break-glass review: every use with its reason and current outcome, filtered by outcome,
"not yet reviewed" and date, downloadable as CSV; a use's page with its reviews and the form
to record (or change) the outcome. The old log at /break-glass now leads here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.assurance.oversight.policy import OUTCOME_WORDS
from steward.assurance.oversight.service import break_glass as review
from steward.assurance.oversight.service.break_glass import Show, UseFilter
from steward.core import auth, clock
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.web.assurance.oversight_common import csv_download, nav
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import read_date, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
HREF = "/assurance/break-glass"
SHOW_WORDS = {
    Show.ALL: "Every use",
    Show.UNREVIEWED: "Not yet reviewed",
    Show.JUSTIFIED: "Justified",
    Show.NOT_JUSTIFIED: "Not justified",
    Show.REFERRED: "Referred",
}
Note = Annotated[str, Form(max_length=4000)]


def read_filter(params: Mapping[str, str]) -> tuple[UseFilter, dict[str, Any], dict[str, str]]:
    """The filter from the address, what was typed (to show again) and what was wrong."""
    errors: dict[str, str] = {}
    show_text = (params.get("show") or "").strip()
    try:
        show = Show(show_text)
    except ValueError:
        show, errors["show"] = Show.ALL, "Choose which uses to show from the list"
    since = read_date(params, "from", what="The date from", required=False)
    until = read_date(params, "to", what="The date to", required=False)
    for name, answer in (("from", since), ("to", until)):
        if answer.error:
            errors[name] = answer.error
    if since.value and until.value and until.value < since.value:
        errors["to"] = "The date to must be the same as or after the date from"
    typed = {"show": show_text, "from": since.parts, "to": until.parts}
    return UseFilter(show, since.value, until.value), typed, errors


def _words() -> dict[str, Any]:
    return {
        "show_words": {s.value: w for s, w in SHOW_WORDS.items()},
        "outcome_words": {o.value: w for o, w in OUTCOME_WORDS.items()},
    }


# The old log's address answers with the review that replaced it (bookmarks, the home page).
@router.get("/break-glass")
@router.get(HREF)
def uses_page(
    request: Request, db: DB, keyring: Keyring, actor: PageActor, page: PageQuery
) -> Response:
    actor.require(Permission.AUDIT_READ)
    wanted, typed, errors = read_filter(request.query_params)
    context: dict[str, Any] = {**nav(actor, HREF), **_words(), "typed": typed}
    if errors:
        return render(
            request,
            "assurance/break_glass.html",
            {**context, "error": "Check the filter", "errors": errors, "uses": None},
            status_code=422,
        )
    uses = review.list_uses(db, keyring, actor, wanted, page)
    alerts = records.break_glass_alerts(db, actor) if actor.can(Permission.ASSURANCE_MANAGE) else []
    names = auth.usernames(db, {a.user_id for a in alerts if a.user_id is not None})
    return render(
        request,
        "assurance/break_glass.html",
        {
            **context,
            "uses": uses,
            "alerts": alerts,
            "names": names,
            "filtered": wanted != UseFilter(),
            "export_query": request.url.remove_query_params("page").query,
            "marked": request.query_params.get("marked", ""),
            "unreviewed": records.unreviewed_break_glass_count(db),
        },
    )


CSV_HEADER = (
    "Use",
    "Opened (UTC)",
    "Access until (UTC)",
    "Who",
    "Case",
    "Reason",
    "Outcome",
    "Reviewed by",
    "Reviewed (UTC)",
    "Note",
    "Follow-up",
)


@router.get(f"{HREF}/export.csv")
def uses_export(request: Request, db: DB, keyring: Keyring, actor: PageActor) -> Response:
    actor.require(Permission.AUDIT_READ)
    wanted, _, errors = read_filter(request.query_params)
    if errors:
        raise ValidationFailed("Check the filter.", errors=errors)
    rows = []
    for use in review.export_uses(db, keyring, actor, wanted):
        r = use.review
        rows.append(
            (
                use.id,
                use.opened_at.isoformat(),
                use.expires_at.isoformat(),
                use.user,
                use.case_number,
                use.reason,
                OUTCOME_WORDS[r.outcome] if r else "Not yet reviewed",
                r.reviewer if r else "",
                r.reviewed_at.isoformat() if r else "",
                r.note if r else "",
                r.follow_up if r else "",
            )
        )
    return csv_download(f"break-glass-{clock.today().isoformat()}.csv", CSV_HEADER, rows)


def _use_page(
    request: Request,
    db: DB,
    keyring: Keyring,
    actor: Actor,
    use_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    use, reviews = review.get_use(db, keyring, actor, use_id)
    return render(
        request,
        "assurance/break_glass_use.html",
        {
            **nav(actor, HREF),
            **_words(),
            "use": use,
            "reviews": reviews,
            "may_review": actor.can(Permission.ASSURANCE_MANAGE),
            "form": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get(HREF + "/{use_id}")
def use_page(request: Request, db: DB, keyring: Keyring, actor: PageActor, use_id: Id) -> Response:
    actor.require(Permission.AUDIT_READ)
    return _use_page(request, db, keyring, actor, use_id)


@router.post(HREF + "/{use_id}/review")
def use_review(
    request: Request,
    db: DB,
    keyring: Keyring,
    actor: PageActor,
    use_id: Id,
    outcome: Annotated[str, Form(max_length=32)] = "",
    note: Note = "",
    follow_up: Note = "",
    supersedes: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        with db.begin_nested():
            review.record_review(
                db,
                keyring,
                actor,
                break_glass_id=use_id,
                outcome=outcome,
                note=note,
                follow_up=follow_up,
                supersedes_id=int(supersedes) if supersedes.isdigit() else None,
            )
    except DomainError as exc:
        shown = refusal(exc, fields=("outcome", "note", "follow_up"), summary="outcome")
        form = {"outcome": outcome, "note": note, "follow_up": follow_up}
        return _use_page(request, db, keyring, actor, use_id, form=form, **shown)
    return RedirectResponse(f"{HREF}/{use_id}?recorded=1", status_code=303)
