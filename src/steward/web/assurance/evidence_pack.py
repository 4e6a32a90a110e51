"""The evidence pack's page (/assurance/evidence-pack): choose the date, build it in the
background, follow it on the job's page, download it; and the packs already built. Parsing
and rendering only: assurance.pack.service decides who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from steward.assurance.controls import service as controls
from steward.assurance.pack import service as packs
from steward.core import clock
from steward.core.db import session_scope
from steward.core.errors import ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Permission
from steward.web.assurance.sections import sections_for
from steward.web.deps import DB, AppSettings, PageActor, csrf_protect
from steward.web.downloads import DOWNLOAD_CSP
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
HREF = "/assurance/evidence-pack"


def _page(
    request: Request,
    db: DB,
    actor: Actor,
    page: PageRequest,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    actor.require(Permission.ASSURANCE_VIEW)
    return render(
        request,
        "assurance/evidence_pack.html",
        {
            "sections": sections_for(actor),
            "current_section": HREF,
            "listing": packs.list_packs(db, actor, page),
            "keep_days": packs.KEEP_DAYS,
            "typed": {},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get(HREF)
def evidence_pack_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    return _page(request, db, actor, page)


@router.post(HREF)
def build_pack(
    request: Request,
    db: DB,
    actor: PageActor,
    settings: AppSettings,
    parts: Annotated[DateParts, date_parts("as_of")],
) -> Response:
    actor.require(Permission.ASSURANCE_VIEW)
    answer = read_date(parts, "as_of", what="The date of the evidence", required=False)
    if answer.error:
        errors = {"as_of": answer.error}
        return _page(
            request,
            db,
            actor,
            PageRequest(),
            status_code=422,
            typed=answer.parts,
            error=answer.error,
            errors=errors,
        )
    day = answer.value or clock.today()
    try:
        controls.check_as_of(day)
        _, job = packs.start(
            db, actor, job_queue(request), as_of=day, organisation=settings.organisation_name
        )
    except ValidationFailed as exc:
        return _page(
            request,
            db,
            actor,
            PageRequest(),
            status_code=422,
            typed=answer.parts,
            error=exc.message,
            errors=exc.errors,
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get(HREF + "/{pack_id}")
def pack_page(request: Request, db: DB, actor: PageActor, pack_id: Id) -> Response:
    view = packs.get_pack(db, actor, pack_id)
    return render(
        request,
        "assurance/evidence_pack_one.html",
        {
            "sections": sections_for(actor),
            "current_section": HREF,
            "view": view,
            "keep_days": packs.KEEP_DAYS,
        },
    )


def zip_response(request: Request, view: packs.PackView) -> StreamingResponse:
    """The zip, to save, never shown, never cached (it holds registers naming staff), read
    chunk by chunk in a read-only session of its own."""
    factory = request.app.state.session_factory
    kek = request.app.state.keyring
    pack_id = view.pack.id

    def body() -> Iterator[bytes]:
        with session_scope(factory, read_only=True) as db:
            yield from packs.read_chunks(db, kek, pack_id)

    return StreamingResponse(
        body(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{view.filename}"',
            "Content-Length": str(view.pack.size_bytes),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "no-store",
        },
    )


@router.get(HREF + "/{pack_id}/download")
def download_pack(request: Request, db: DB, actor: PageActor, pack_id: Id) -> Response:
    return zip_response(request, packs.download(db, actor, pack_id))
