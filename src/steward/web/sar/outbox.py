"""The outbox's pages: every email Steward has sent or kept, for the IG team (``sar:manage``).
Recipient and subject are opened for the list, so showing it is an audited read; so is a
message and each attachment downloaded."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from steward.core import outbox
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# A downloaded file is never rendered as a page of this site (as for case documents).
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def download_response(filename: str, media_type: str, data: bytes) -> Response:
    """A file to save, never shown inline: a letter or attachment is not a web page."""
    fallback = (
        filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    )
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "no-store",
        },
    )


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
