"""The organisation's wording of each kind of letter: listed, edited and previewed by the IG
team (``sar:manage``). Wording that would not render is refused with what is wrong, and the
form comes back as typed; a saved edit is a new version, the older ones kept."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor
from steward.sar import letters
from steward.sar.letters import LetterKind
from steward.sar.service import letters as service
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import refusal
from steward.web.ids import MAX_ID
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

PATH = "/sar/letter-templates"


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError:
        raise ValidationFailed(
            "Choose a kind of letter from the list.", errors={"kind": "Choose a kind of letter"}
        ) from None


def _page(
    request: Request,
    db: DB,
    actor: Actor,
    kind: LetterKind | None,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    current = service.template(db, actor, kind) if kind else None
    if current is None:
        extra["errors"] = {}  # no form on the page for a field to link to
    return render(
        request,
        "sar/letter_templates.html",
        {
            "templates": service.templates(db, actor),
            "current": current,
            "body": extra.pop("body", current.body if current else ""),
            "placeholders": letters.PLACEHOLDERS,
            **extra,
        },
        status_code=status_code,
    )


@router.get(PATH)
def letter_templates(
    request: Request,
    db: DB,
    actor: PageActor,
    kind: Annotated[str, Query(max_length=40)] = "",
    saved: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    chosen = _kind(kind) if kind else None
    return _page(request, db, actor, chosen, saved=saved)


@router.post(PATH)
def edit_letter_template(
    request: Request,
    db: DB,
    actor: PageActor,
    kind: Annotated[str, Form(max_length=40)] = "",
    body: Annotated[str, Form(max_length=40_000)] = "",
    action: Annotated[str, Form(max_length=20)] = "preview",
) -> Response:
    chosen: LetterKind | None = None
    try:
        chosen = _kind(kind)
        if action == "save":
            with db.begin_nested():
                row = service.save_template(db, actor, chosen, body)
            return RedirectResponse(
                f"{PATH}?kind={chosen.value}&saved={row.version}", status_code=303
            )
        preview = service.preview(actor, body)
    except DomainError as exc:
        return _page(request, db, actor, chosen, body=body, **refusal(exc, summary="body"))
    return _page(request, db, actor, chosen, preview=letters.paragraphs(preview), body=body)
