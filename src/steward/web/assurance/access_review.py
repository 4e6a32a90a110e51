"""The periodic access review: the rounds so far, a round's accounts with the DPO's decision on
each (an account is changed on its own page, then recorded here as changed), and closing it.
The DPO runs it; auditors read it as evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.assurance.oversight.policy import DECISION_WORDS, UNUSED_DAYS
from steward.assurance.oversight.service import access_review
from steward.core import clock
from steward.core.errors import DomainError
from steward.core.permissions import ROLE_NAMES, Actor, Permission
from steward.web.assurance.oversight_common import nav
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
HREF = "/assurance/access-review"


def _words(actor: Actor) -> dict[str, Any]:
    return {
        **nav(actor, HREF),
        "role_words": {r.value: w for r, w in ROLE_NAMES.items()},
        "decision_words": {d.value: w for d, w in DECISION_WORDS.items()},
        "may_manage": actor.can(Permission.ASSURANCE_MANAGE),
        "unused_days": UNUSED_DAYS,
        "may_manage_users": actor.can(Permission.USERS_MANAGE),
    }


def _rounds_page(
    request: Request, db: DB, actor: Actor, page: Any, *, status_code: int = 200, **extra: Any
) -> Response:
    rounds = access_review.list_rounds(db, actor, page)
    summary = access_review.access_review_summary(db, clock.today())
    return render(
        request,
        "assurance/access_review.html",
        {**_words(actor), "rounds": rounds, "summary": summary, **extra},
        status_code=status_code,
    )


@router.get(HREF)
def rounds_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    return _rounds_page(request, db, actor, page)


@router.post(HREF)
def start_round(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        with db.begin_nested():
            started = access_review.open_round(db, actor)
    except DomainError as exc:
        return _rounds_page(request, db, actor, page, **refusal(exc, summary="start"))
    return RedirectResponse(f"{HREF}/{started.id}", status_code=303)


def _round_page(
    request: Request,
    db: DB,
    actor: Actor,
    round_id: int,
    page: Any,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view, entries = access_review.get_round(db, actor, round_id, page)
    now = clock.now()
    return render(
        request,
        "assurance/access_review_round.html",
        {
            **_words(actor),
            "view": view,
            "entries": entries,
            "unused": {
                e.id
                for e in entries.items
                if e.last_signin_at is not None and (now - e.last_signin_at).days >= UNUSED_DAYS
            },
            **extra,
        },
        status_code=status_code,
    )


@router.get(HREF + "/{round_id}")
def round_page(
    request: Request, db: DB, actor: PageActor, round_id: Id, page: PageQuery
) -> Response:
    return _round_page(request, db, actor, round_id, page)


@router.post(HREF + "/{round_id}/accounts/{entry_id}")
def decide(
    request: Request,
    db: DB,
    actor: PageActor,
    round_id: Id,
    entry_id: Id,
    page: PageQuery,
    decision: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        with db.begin_nested():
            access_review.decide(db, actor, round_id=round_id, entry_id=entry_id, decision=decision)
    except DomainError as exc:
        return _round_page(
            request, db, actor, round_id, page, **refusal(exc, summary=f"entry-{entry_id}")
        )
    return RedirectResponse(
        f"{HREF}/{round_id}?page={page.number}#entry-{entry_id}", status_code=303
    )


@router.post(HREF + "/{round_id}/close")
def close(request: Request, db: DB, actor: PageActor, round_id: Id, page: PageQuery) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        with db.begin_nested():
            access_review.close_round(db, actor, round_id)
    except DomainError as exc:
        return _round_page(request, db, actor, round_id, page, **refusal(exc, summary="close"))
    return RedirectResponse(f"{HREF}/{round_id}", status_code=303)
