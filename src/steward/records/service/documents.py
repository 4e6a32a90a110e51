"""Documents: added to a case with their body sealed under the case's key, read with an event."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records import policy
from steward.records.events import RecordsEvent
from steward.records.extract import ExtractionStatus
from steward.records.models import (
    Case,
    Document,
    DocumentContent,
    DocumentSubject,
    Party,
)
from steward.records.schemas import DocumentMeta
from steward.records.service import access, extraction, file_plan, search

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class DocumentFile:
    data: bytes
    media_type: str
    filename: str


def add_document(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    case_id: int,
    meta: DocumentMeta,
    data: bytes,
    filename: str | None,
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> Document:
    """Check the file (size, real type), seal it, and index its title. Its text is
    extracted later, in the background (service.extraction): never in this transaction."""
    actor.require(Permission.CASES_WRITE)
    case, _ = access.readable_case(db, actor, case_id)
    if len(data) > max_bytes:
        raise ValidationFailed(
            f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit.",
            errors={"file": "Choose a smaller file"},
        )
    media_type = policy.sniff_media_type(data)
    _check_subjects(db, case, meta.subject_person_ids)
    record_class_id = (
        file_plan.record_class(db, meta.record_class).id
        if meta.record_class
        else case.record_class_id
    )
    document = Document(
        case_id=case.id,
        title=meta.title,
        kind=meta.kind,
        author_user_id=actor.user_id,
        author_name=meta.author_name,
        created_on=meta.created_on,
        security_marking=meta.security_marking,
        provenance=meta.provenance,
        record_class_id=record_class_id,
        media_type=media_type,
        filename=policy.safe_filename(filename, media_type),
        size_bytes=len(data),
        extraction_note=None,
        extraction_status=ExtractionStatus.PENDING.value,
        added_at=clock.now(),
    )
    db.add(document)
    db.flush()
    db.add(
        DocumentContent(
            document_id=document.id,
            body=crypto.seal(
                db,
                kek,
                key_id=case.data_key_id,
                plaintext=data,
                context=extraction.body_context(document.id),
            ),
            text=None,
        )
    )
    db.add_all(
        DocumentSubject(document_id=document.id, person_id=pid)
        for pid in dict.fromkeys(meta.subject_person_ids)
    )
    db.flush()
    search.index(
        db,
        kind="document",
        ref_id=document.id,
        case_id=case.id,
        body=meta.title,
        new=True,
    )
    audit.record(
        db,
        actor,
        RecordsEvent.DOCUMENT_ADDED,
        subject_type="document",
        subject_id=document.id,
        details={"case_id": case.id, "kind": meta.kind.value},
    )
    return document


def _check_subjects(db: Session, case: Case, person_ids: list[int]) -> None:
    if not person_ids:
        return
    parties = set(
        db.scalars(
            select(Party.person_id).where(Party.case_id == case.id, Party.person_id.in_(person_ids))
        )
    )
    missing = [pid for pid in person_ids if pid not in parties]
    if missing:
        raise ValidationFailed(
            "A document can only be about people who are parties to its case.",
            errors={"subject_person_ids": "Choose parties of this case"},
        )


def _readable_document(db: Session, actor: Actor, document_id: int) -> tuple[Document, Case]:
    # The role is checked before the id is looked up, and a document in a case the actor may
    # not read answers as a missing one: guessing ids reveals neither documents nor cases.
    access.require_any_case_access(db, actor)
    document = db.get(Document, document_id)
    if document is None:
        raise NotFound(access.NOT_YOURS)
    return document, access.case_of_readable_item(db, actor, document.case_id)


def view_document(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, document_id: int
) -> tuple[Document, str]:
    """The document's details and its extracted text, recorded as a read."""
    document, case = _readable_document(db, actor, document_id)
    # A document with no text (a scan, an unreadable file) must not look intact once its
    # case's key is destroyed: the content is gone whether or not there was text to open.
    key = db.get(crypto.DataKey, case.data_key_id)
    if key is None or key.wrapped_key is None:
        raise crypto.KeyDestroyed("This document's content has been destroyed and cannot be read.")
    content = db.get(DocumentContent, document.id)
    text = ""
    if content is not None and content.text is not None:
        text = crypto.open_sealed(
            db,
            kek,
            key_id=case.data_key_id,
            sealed=content.text,
            context=extraction.text_context(document.id),
        ).decode()
    audit.record(
        db, actor, RecordsEvent.DOCUMENT_VIEWED, subject_type="document", subject_id=document.id
    )
    return document, text


def download_document(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, document_id: int
) -> DocumentFile:
    document, case = _readable_document(db, actor, document_id)
    content = db.get(DocumentContent, document.id)
    if content is None:
        raise NotFound("This document has no content.")
    data = crypto.open_sealed(
        db,
        kek,
        key_id=case.data_key_id,
        sealed=content.body,
        context=extraction.body_context(document.id),
    )
    audit.record(
        db, actor, RecordsEvent.DOCUMENT_DOWNLOADED, subject_type="document", subject_id=document.id
    )
    return DocumentFile(data=data, media_type=document.media_type, filename=document.filename)
