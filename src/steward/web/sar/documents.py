"""A request's documents, for the team: what the requester sent (ID, proof of authority) and
what staff add, each downloadable with the read on the audit trail; and the record that ID
was verified or authority accepted, which fixes day 1 of the clock."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.sar import service, uploads
from steward.web.deps import DB, Keyring, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id
from steward.web.records_common import attachment
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

EVIDENCE = {"id": "ID verified", "authority": "Authority accepted"}


def _show(
    request: Request,
    db: DB,
    actor: PageActor,
    request_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    sar = service.get(db, actor, request_id)
    context = {
        "title": "Documents",
        "sar": sar,
        "documents": service.documents.documents(db, actor, request_id),
        "kind_names": uploads.KIND_NAMES,
        "type_names": uploads.TYPE_NAMES,
        "kinds": list(uploads.DocumentKind),
        "evidence": EVIDENCE,
        "errors": errors or {},
        "form": form or {},
        "max_size": "10MB",
    }
    return render(request, "sar/documents.html", context, status_code=status_code)


@router.get("/sar/requests/{request_id}/documents")
def documents_page(request: Request, db: DB, actor: PageActor, request_id: Id) -> Response:
    return _show(request, db, actor, request_id)


@router.post("/sar/requests/{request_id}/documents")
def add_document(
    request: Request,
    db: DB,
    keyring: Keyring,
    actor: PageActor,
    request_id: Id,
    kind: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    service.get(db, actor, request_id)  # refuse before reading a stranger's file
    errors: dict[str, str] = {}
    if kind not in {k.value for k in uploads.DocumentKind}:
        errors["kind"] = "Select what the document is"
    if file is None or not file.filename:
        errors["file"] = "Select a file"
    if not errors and file is not None:
        try:
            service.documents.add_document(
                db,
                keyring,
                actor,
                request_id,
                kind=uploads.DocumentKind(kind),
                data=file.file.read(),
                filename=file.filename,
            )
        except ValidationFailed as exc:
            errors = {"file": next(iter(exc.errors.values()), exc.message)}
    if errors:
        return _show(
            request, db, actor, request_id, errors=errors, form={"kind": kind}, status_code=422
        )
    return RedirectResponse(f"/sar/requests/{request_id}/documents", status_code=303)


@router.get("/sar/requests/{request_id}/documents/{document_id}/download")
def download(
    db: DB, keyring: Keyring, actor: PageActor, request_id: Id, document_id: Id
) -> Response:
    return attachment(service.documents.download(db, keyring, actor, request_id, document_id))


@router.post("/sar/requests/{request_id}/documents/accepted")
def accepted(
    request: Request,
    db: DB,
    actor: PageActor,
    request_id: Id,
    accepted_on: Annotated[DateParts, date_parts("accepted_on")],
    what: Annotated[str, Form()] = "",
) -> Response:
    """ID verified or authority accepted on a date: the clock's day 1 may follow from it."""
    errors: dict[str, str] = {}
    if what not in EVIDENCE:
        errors["what"] = "Select whether ID was verified or authority accepted"
    answer = read_date(accepted_on, "accepted_on", what="The date")
    if answer.error:
        errors["accepted_on"] = answer.error
    elif answer.value is not None and answer.value > clock.today():
        errors["accepted_on"] = "The date must be today or in the past"
    if not errors:
        try:
            service.evidence_received(
                db,
                actor,
                request_id,
                id_on=answer.value if what == "id" else None,
                authority_on=answer.value if what == "authority" else None,
            )
        except ValidationFailed as exc:
            errors = {"accepted_on": next(iter(exc.errors.values()), exc.message)}
    if errors:
        form = {"what": what, "accepted_on": answer.parts}
        return _show(request, db, actor, request_id, errors=errors, form=form, status_code=422)
    return RedirectResponse(f"/sar/requests/{request_id}/documents", status_code=303)
