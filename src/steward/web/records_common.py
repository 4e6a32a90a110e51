"""What the records pages and the records API share: building a document's details from a
form, reading the uploaded file, and serving a document's file safely."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from steward.core.errors import ValidationFailed
from steward.records import service
from steward.records.models import Case, RecordClass
from steward.records.schemas import CaseDetail, CaseRead, DocumentMeta, DocumentRead, PartyRead
from steward.web.downloads import DOWNLOAD_CSP

# What to tell a person about each field of a document's details, instead of Pydantic's wording.
FIELD_MESSAGES = {
    "title": "Enter a title of up to 300 characters",
    "kind": "Choose what kind of document this is",
    "created_on": "Enter the date the document was created",
    "security_marking": "Choose a security marking",
    "provenance": "Choose where the document came from",
    "author_name": "The author's name must be 200 characters or fewer",
    "subject_person_ids": "Choose people who are parties to this case",
    "record_class": "Choose a class of the file plan",
}

FUTURE_MESSAGES = {"created_on": "The date the document was created must be today or in the past"}
# A text field refused for the characters in it (a NUL, a control or invisible character), not
# its length: the message must say so, or the person shortens a title that was never too long.
TEXT_FIELD_NAMES = {
    "title": "The title",
    "author_name": "The author's name",
    "record_class": "The class of the file plan",
}


def document_meta(**fields: Any) -> DocumentMeta:
    """The document's details, or ValidationFailed naming each field that is wrong."""
    errors: dict[str, str] = {}
    try:
        meta = DocumentMeta(**fields)
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "title"
            errors.setdefault(field, _field_message(field, err["type"], err.get("ctx")))
        meta = None
    if errors or meta is None:
        raise ValidationFailed("Check the document's details.", errors=errors)
    return meta


def _field_message(field: str, kind: str, ctx: dict[str, Any] | None) -> str:
    if kind == "value_error" and field in TEXT_FIELD_NAMES and ctx and "error" in ctx:
        # The rule's own words ("must not contain control characters"): never the value.
        return f"{TEXT_FIELD_NAMES[field]} {ctx['error']}"
    messages = FUTURE_MESSAGES if kind == "date_in_future" else FIELD_MESSAGES
    return messages.get(field, "Check this answer")


def read_upload(upload: UploadFile | None) -> tuple[bytes, str | None]:
    """The uploaded file's bytes and its name as sent. A form posted without a file sends an
    empty part with no name: that is "no file", which the service would call "empty"."""
    if upload is None or (not upload.filename and not upload.size):
        raise ValidationFailed("Select a file to upload.", errors={"file": "Select a file"})
    # The body was capped on the way in (SecurityMiddleware), so this read is bounded.
    return upload.file.read(), upload.filename


def wake_extraction(app: Any) -> None:
    """Run after the response, so after the upload's commit: the worker finds the new
    document at once instead of at its next poll."""
    worker = getattr(app.state, "extraction_worker", None)
    if worker is not None:
        worker.wake()


def attachment(file: service.DocumentFile) -> Response:
    """The file as a download, never shown inline: a document is evidence, not a web page."""
    fallback = file.filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file.filename, safe='')}"
    )
    return Response(
        content=file.data,
        media_type=file.media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
        },
    )


def record_class_of(db: Session, case: Case) -> RecordClass | None:
    return next((c for c in service.list_classes(db) if c.id == case.record_class_id), None)


def case_detail(db: Session, case: Case) -> CaseDetail:
    record_class = record_class_of(db, case)
    return CaseDetail(
        **CaseRead.model_validate(case).model_dump(),
        record_class=record_class.code if record_class else "",
        parties=[PartyRead.model_validate(p) for p in case.parties],
        documents=[DocumentRead.model_validate(d) for d in case.documents],
    )
