"""Pages of the paper archive's ends: a contractor's box inventory imported, contractors'
destruction certificates reconciled per file, and the inventory as CSV. Archive staff only
(``archives:manage``, checked by the service on every call).

An inventory is checked whole before anything is kept: a file with any bad row changes
nothing, and the page lists each bad row by line with what to put right. The file (names of
people on it) is read in the request and never stored or queued; one larger than a form
takes goes through `steward archives import`, which commits in batches and resumes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from steward.archives import service
from steward.core.errors import DomainError, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.ids import Id
from steward.web.jobs_pages import job_queue
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

MAX_CERTIFICATE_BYTES = 20 * 1024 * 1024
# An inventory larger than this is imported as a background job with progress on its page.
INLINE_IMPORT_BYTES = 64 * 1024


def _certificates(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageRequest | None = None,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    listed = service.certificates_page(db, actor, page or PageRequest())
    return render(
        request,
        "archives/certificates.html",
        {"certificates": listed, "form": {}, **extra},
        status_code=status_code,
    )


@router.get("/archives/certificates")
def certificates(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    return _certificates(request, db, actor, page)


@router.post("/archives/certificates")
def reconcile(
    request: Request,
    db: DB,
    actor: PageActor,
    reference: Annotated[str, Form(max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    actor.require(Permission.ARCHIVES_MANAGE)
    try:
        if file is None or not file.filename:
            raise ValidationFailed(
                "Select the contractor's certificate.", errors={"file": "Select a CSV file"}
            )
        content = file.file.read(MAX_CERTIFICATE_BYTES + 1)
        with db.begin_nested():
            result = service.reconcile_certificate(
                db, actor=actor, reference=reference, content=content
            )
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        return _certificates(
            request,
            db,
            actor,
            status_code=422,
            error=exc.message,
            errors=errors,
            form={"reference": reference},
        )
    return RedirectResponse(f"/archives/certificates/{result.certificate_id}", status_code=303)


def _inventory(request: Request, *, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "archives/inventory.html",
        {
            "max_bytes": request.app.state.settings.max_body_bytes,
            "inline_bytes": INLINE_IMPORT_BYTES,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/archives/inventory")
def inventory_form(request: Request, actor: PageActor) -> Response:
    actor.require(Permission.ARCHIVES_MANAGE)
    return _inventory(request)


@router.post("/archives/inventory")
def import_inventory(
    request: Request,
    db: DB,
    actor: PageActor,
    kek: Keyring,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Every row is tried first as a dry run; only a file without a bad row is imported. A
    large file is imported in the background (sealed meanwhile, shredded when done)."""
    actor.require(Permission.ARCHIVES_MANAGE)
    try:
        if file is None or not file.filename:
            raise ValidationFailed(
                "Select the inventory file.", errors={"file": "Select a CSV file"}
            )
        content = file.file.read()
        if len(content) > INLINE_IMPORT_BYTES:
            job = service.start_import(db, actor, job_queue(request), kek, content)
            return RedirectResponse(f"/jobs/{job.id}", status_code=303)
        checked = service.import_inventory(db, actor, content, dry_run=True)
        if not checked.ok:
            return _inventory(
                request,
                status_code=422,
                error=(
                    f"{len(checked.failures):,} of {checked.rows:,} rows cannot be imported. "
                    "Nothing was imported: put these rows right and upload the file again."
                ),
                errors={"file": "The file has rows that cannot be imported"},
                failures=checked.failures[:500],
                more_failures=max(0, len(checked.failures) - 500),
            )
        with db.begin_nested():
            report = service.import_inventory(db, actor, content)
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else {}
        return _inventory(
            request,
            status_code=422,
            error=exc.message,
            errors=errors or {"file": exc.message},
        )
    return _inventory(request, report=report)


@router.get("/archives/certificates/{certificate_id}")
def certificate_page(request: Request, db: DB, actor: PageActor, certificate_id: Id) -> Response:
    certificate = service.view_certificate(db, actor, certificate_id)
    by_outcome: dict[str, list[Any]] = {"destroyed": [], "missing": [], "unexpected": []}
    for line in certificate.lines:
        by_outcome[line.outcome].append(line)
    return render(
        request,
        "archives/certificate.html",
        {"certificate": certificate, "by_outcome": by_outcome},
    )


@router.get("/archives/export.csv")
def export(db: DB, actor: PageActor) -> Response:
    actor.require(Permission.ARCHIVES_MANAGE)
    rows = list(service.inventory_rows(db, actor))  # inside the unit of work, before streaming

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="paper-archive-inventory.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
