"""A request's disclosure bundle: build it (a background job with its progress page), see how
it stands and its redaction log (codes and counts only), and download it to check or print
(an audited read). For the IG team (``sar:manage``).

The file is streamed one sealed chunk at a time, from a session of its own: the request's
unit of work has committed (and closed) before the response's body is sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from steward.core.db import session_scope
from steward.core.errors import DomainError, NotFound
from steward.core.paging import Page
from steward.core.permissions import Actor
from steward.records.service import InductionRequired
from steward.sar import service
from steward.sar.service import bundle as bundles
from steward.sar.service.bundle import BundleStream, LogRow
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.downloads import DOWNLOAD_CSP
from steward.web.ids import MAX_ID, Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

STATUS_TAGS = {
    "queued": ("Waiting to be built", "govuk-tag--grey"),
    "building": ("Being built", "govuk-tag--blue"),
    "ready": ("Ready", "govuk-tag--green"),
    "failed": ("Failed", "govuk-tag--red"),
    "superseded": ("Replaced by a later build", "govuk-tag--grey"),
}


def stream_response(request: Request, found: BundleStream) -> Response:
    """The bundle as a download, read chunk by chunk in a read-only session of its own."""
    factory = request.app.state.session_factory
    kek = request.app.state.keyring

    def body() -> Iterator[bytes]:
        with session_scope(factory, read_only=True) as db:
            yield from found.chunks(db, kek)

    return StreamingResponse(
        body(),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Content-Length": str(found.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "no-store",
        },
    )


def _page(
    request: Request,
    db: DB,
    actor: Actor,
    request_id: int,
    page: PageQuery,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    sar = service.get(db, actor, request_id)
    shown = bundles.view(db, actor, request_id)
    approved = service.disclosure.is_approved(db, actor, request_id=request_id)
    log: Page[LogRow] = Page([], 0, 1, page.size)
    if shown is not None:
        start = (page.number - 1) * page.size
        log = Page(shown.log[start : start + page.size], len(shown.log), page.number, page.size)
    return render(
        request,
        "sar/bundle.html",
        {
            "sar": sar,
            "shown": shown,
            "approved": approved,
            "log": log,
            "tags": STATUS_TAGS,
            "meanings": {c.value: m for c, m in bundles.CODE_MEANINGS.items()},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/sar/requests/{request_id}/bundle")
def bundle_page(
    request: Request,
    db: DB,
    actor: PageActor,
    request_id: Id,
    page: PageQuery,
) -> Response:
    return _page(request, db, actor, request_id, page)


@router.post("/sar/requests/{request_id}/bundle")
def build(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id, page: PageQuery
) -> Response:
    try:
        with db.begin_nested():
            job = bundles.build_bundle(db, kek, actor, job_queue(request), request_id=request_id)
    except InductionRequired:
        raise  # the gate's own page, not a refusal of the build
    except DomainError as exc:
        return _page(
            request,
            db,
            actor,
            request_id,
            page,
            status_code=409,
            error=exc.message,
            errors={"build": exc.message},
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/sar/requests/{request_id}/bundle/download")
def download(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: PageActor,
    request_id: Id,
    bundle: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    chosen = bundle or _ready_id(db, actor, request_id)
    found = bundles.open_bundle(db, kek, actor, chosen)
    if found.request_id != request_id:
        raise NotFound("This request has no such bundle.")
    return stream_response(request, found)


@router.post("/sar/requests/{request_id}/bundle/print")
def download_to_print(
    request: Request, db: DB, kek: Keyring, actor: PageActor, request_id: Id
) -> Response:
    """The same file, recorded as printed (for the post)."""
    found = bundles.open_bundle(db, kek, actor, _ready_id(db, actor, request_id), for_print=True)
    return stream_response(request, found)


def _ready_id(db: DB, actor: Actor, request_id: int) -> int:
    service.get(db, actor, request_id)
    ready = bundles.ready(db, request_id)
    if ready is None:
        raise NotFound("This request has no bundle ready: build it first.")
    return ready.id
