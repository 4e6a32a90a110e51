"""The paper archive's files in and out through the API, as its pages do them
(archives_certificates_pages.py): a contractor's destruction certificate reconciled, a box
inventory checked and imported, and the inventory as CSV. Archive staff only
(``archives:manage``); through the same archives service, which records each in the trail.

An inventory is always imported as a background job here (``202`` with the job): the file,
which names people, is sealed while it waits and shredded when done, and a file with any bad
row imports nothing. ``POST /archives/inventory/check`` tries it first and lists the bad rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from steward.archives import service
from steward.archives.schemas import ReconciliationRead
from steward.core.permissions import Permission
from steward.web.api import require_multipart
from steward.web.api_contract import API_PREFIX, refuse_unknown_query
from steward.web.deps import DB, ApiActor, Keyring, api_requires
from steward.web.jobs_api import JobRead, job_url
from steward.web.jobs_pages import job_queue
from steward.web.records_common import read_upload

router = APIRouter(
    prefix="/archives",
    tags=["archives"],
    dependencies=[Depends(refuse_unknown_query), Depends(api_requires(Permission.ARCHIVES_MANAGE))],
)
_FILE = [Depends(require_multipart)]
_REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"description": "The file was refused whole: nothing changed (see `detail`)"}
}
CSV_FILE = Annotated[UploadFile, File(description="The CSV file (UTF-8)")]


class RowFailure(BaseModel):
    line: int = Field(description="The line of the file")
    reason: str = Field(description="What to put right on it")


class InventoryCheckRead(BaseModel):
    ok: bool = Field(description="True when every row can be imported")
    rows: int
    locations_added: int
    boxes_added: int
    boxes_moved: int
    boxes_updated: int
    files_added: int
    files_updated: int
    unchanged: int
    failed: int
    failures: list[RowFailure] = Field(description="The first 500 rows that cannot be imported")


@router.post(
    "/certificates",
    status_code=201,
    dependencies=_FILE,
    responses={
        **_REFUSED,
        201: {
            "description": "Reconciled: each certified file's outcome; the certificate is at "
            "the Location header",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        409: {"description": "This certificate has already been reconciled for that reference"},
    },
)
def reconcile_certificate(
    db: DB,
    actor: ApiActor,
    response: Response,
    file: CSV_FILE,
    reference: Annotated[
        str,
        Form(
            min_length=1,
            max_length=200,
            description="The reference the files were sent for destruction under",
            examples=["DEST-2026-004"],
        ),
    ],
) -> ReconciliationRead:
    """Reconcile a contractor's destruction certificate (a CSV of file references or box
    barcodes) with the files sent under ``reference``: each is destroyed, missing or
    unexpected."""
    content, _ = read_upload(file)
    result = service.reconcile_certificate(db, actor=actor, reference=reference, content=content)
    response.headers["Location"] = f"{API_PREFIX}/archives/certificates/{result.certificate_id}"
    return result


@router.post("/inventory/check", dependencies=_FILE, responses=_REFUSED)
def check_inventory(db: DB, actor: ApiActor, file: CSV_FILE) -> InventoryCheckRead:
    """Try a box inventory (docs/archives.md) without keeping anything: what it would add,
    move and update, and each row that cannot be imported, by line."""
    content, _ = read_upload(file)
    checked = service.import_inventory(db, actor, content, dry_run=True)
    found = checked.as_dict()
    found.pop("dry_run")
    found["failures"] = found["failures"][:500]
    return InventoryCheckRead(ok=checked.ok, **found)


@router.post(
    "/inventory",
    status_code=202,
    dependencies=_FILE,
    responses={
        202: {
            "description": "Started: follow the job at `url`, also in the Location header. A "
            "file with a bad row imports nothing, and the job fails naming the lines",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        **_REFUSED,
    },
)
def import_inventory(
    request: Request,
    response: Response,
    db: DB,
    actor: ApiActor,
    kek: Keyring,
    file: CSV_FILE,
) -> JobRead:
    """Import a box inventory in the background, whole or not at all."""
    content, _ = read_upload(file)
    job = service.start_import(db, actor, job_queue(request), kek, content)
    response.headers["Location"] = job_url(job.id)
    return JobRead.of(db, job)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every paper file, in the import's columns, names included",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export(db: DB, actor: ApiActor) -> StreamingResponse:
    """The whole inventory as CSV, safe to open in a spreadsheet (a cell that looks like a
    formula is shown, never run). Recorded as one read."""
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
            "Cache-Control": "no-store",
        },
    )
