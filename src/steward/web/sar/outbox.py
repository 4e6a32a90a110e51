"""The outbox's pages: every email Steward has sent or kept, for the IG team (``sar:manage``).
Recipient and subject are opened for the list, so showing it is an audited read; so is a
message and each attachment downloaded."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from steward.core import outbox
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/outbox")
def outbox_list(
    request: Request, db: DB, kek: Keyring, actor: PageActor, page: PageQuery
) -> Response:
    found = outbox.messages(db, kek, actor, page)
    return render(request, "sar/outbox.html", {"messages": found})


@router.get("/outbox/{message_id}")
def outbox_message(
    request: Request, db: DB, kek: Keyring, actor: PageActor, message_id: Id
) -> Response:
    shown = outbox.message(db, kek, actor, message_id)
    return render(
        request,
        "sar/outbox_message.html",
        {"message": shown, "paragraphs": [p for p in shown.body.split("\n\n") if p.strip()]},
    )


@router.get("/outbox/{message_id}/attachments/{number}/download")
def outbox_attachment(
    db: DB, kek: Keyring, actor: PageActor, message_id: Id, number: Id
) -> Response:
    found = outbox.attachment(db, kek, actor, message_id, number)
    return download_response(found.filename, found.media_type, found.data)
