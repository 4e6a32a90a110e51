"""A request's letters: those made so far, making one of a kind from the organisation's
wording and the request's own facts, downloading it (an audited read), sending it by email
through the outbox, or recording that it was posted. For the IG team (``sar:manage``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import DomainError, ValidationFailed
from steward.core.outbox import Status as OutboxStatus
from steward.core.permissions import Actor
from steward.sar import letters
from steward.sar import service as sar
from steward.sar.letters import LetterKind
from steward.sar.service import letters as service
from steward.web.deps import DB, AppSettings, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import refusal
from steward.web.ids import Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# What each banner after a change says.
DONE = {
    "made": "The letter has been made. Download it to check it, then send it.",
    "emailed": "The letter has been sent by email.",
    "queued": (
        "No mail server is set up, so the email is waiting in the outbox: send it from there "
        "another way."
    ),
    "failed": (
        "The mail server did not accept the email. It is kept in the outbox as not sent, and "
        "the letter is not marked as sent: try again later, or post it."
    ),
    "posted": "The letter is recorded as posted today.",
}


def _page(
    request: Request,
    db: DB,
    actor: Actor,
    request_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    found = sar.get(db, actor, request_id)
    return render(
        request,
        "sar/letters.html",
        {
            "sar": found,
            "letters": service.letters_of(db, actor, request_id),
            "kinds": [(k.value, letters.TITLES[k]) for k in LetterKind],
            "form": {},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


def _failed(
    request: Request, db: DB, actor: Actor, request_id: int, exc: DomainError, form: dict[str, str]
) -> Response:
    shown = refusal(exc, fields=("kind", "fee_amount"), summary="letters")
    return _page(request, db, actor, request_id, form=form, **shown)


@router.get("/sar/requests/{request_id}/letters")
def request_letters(
    request: Request,
    db: DB,
    actor: PageActor,
    request_id: Id,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _page(request, db, actor, request_id, done=DONE.get(done))


@router.post("/sar/requests/{request_id}/letters")
def make_letter(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    request_id: Id,
    kind: Annotated[str, Form(max_length=40)] = "",
    fee_amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        try:
            chosen = LetterKind(kind)
        except ValueError:
            raise ValidationFailed(
                "Choose which letter to make.", errors={"kind": "Choose which letter to make"}
            ) from None
        with db.begin_nested():
            service.make(
                db,
                kek,
                actor,
                request_id,
                chosen,
                organisation=settings.organisation_name,
                fee_amount=fee_amount or None,
            )
    except DomainError as exc:
        return _failed(
            request, db, actor, request_id, exc, {"kind": kind, "fee_amount": fee_amount}
        )
    return RedirectResponse(f"/sar/requests/{request_id}/letters?done=made", status_code=303)


@router.get("/sar/requests/{request_id}/letters/{letter_id}/download")
def download_letter(
    db: DB, kek: Keyring, actor: PageActor, request_id: Id, letter_id: Id
) -> Response:
    found = service.download(db, kek, actor, request_id, letter_id)
    return download_response(found.filename, found.media_type, found.data)


@router.post("/sar/requests/{request_id}/letters/{letter_id}/email")
def email_letter(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: PageActor,
    request_id: Id,
    letter_id: Id,
) -> Response:
    try:
        with db.begin_nested():
            message = service.email(db, kek, actor, request_id, letter_id, settings=settings)
    except DomainError as exc:
        return _failed(request, db, actor, request_id, exc, {})
    outcome = {OutboxStatus.SENT: "emailed", OutboxStatus.QUEUED: "queued"}.get(
        OutboxStatus(message.status), "failed"
    )
    return RedirectResponse(f"/sar/requests/{request_id}/letters?done={outcome}", status_code=303)


@router.post("/sar/requests/{request_id}/letters/{letter_id}/posted")
def letter_posted(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id, letter_id: Id
) -> Response:
    try:
        with db.begin_nested():
            service.mark_posted(db, kek, actor, request_id, letter_id)
    except DomainError as exc:
        return _failed(request, db, actor, request_id, exc, {})
    return RedirectResponse(f"/sar/requests/{request_id}/letters?done=posted", status_code=303)
