"""Documents: added to a case with their body sealed under the case's key, read with an event."""

from __future__ import annotations

from collections.abc import Sequence
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
    DocumentKind,
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


@dataclass(frozen=True)
class DocumentIn:
    """One document to add with ``add_documents``."""

    case_id: int
    meta: DocumentMeta
    data: bytes
    filename: str | None


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
    (document,) = add_documents(
        db, kek, actor, [DocumentIn(case_id, meta, data, filename)], max_bytes=max_bytes
    )
    return document


def add_documents(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    items: Sequence[DocumentIn],
    *,
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> list[Document]:
    """``add_document`` for many documents at once (a partner's file of court orders): each
    checked, sealed and indexed alike, with one flush per step for them all instead of three
    per document. Any one refused refuses them all."""
    actor.require(Permission.CASES_WRITE)
    cases = {
        case_id: access.readable_case(db, actor, case_id)[0]
        for case_id in dict.fromkeys(i.case_id for i in items)
    }
    documents = []
    for item in items:
        case = cases[item.case_id]
        if len(item.data) > max_bytes:
            raise ValidationFailed(
                f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit.",
                errors={"file": "Choose a smaller file"},
            )
        media_type = policy.sniff_media_type(item.data)
        _check_subjects(db, case, item.meta.subject_person_ids)
        meta = item.meta
        record_class_id = (
            file_plan.record_class(db, meta.record_class).id
            if meta.record_class
            else case.record_class_id
        )
        documents.append(
            Document(
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
                filename=policy.safe_filename(item.filename, media_type),
                size_bytes=len(item.data),
                extraction_note=None,
                extraction_status=ExtractionStatus.PENDING.value,
                added_at=clock.now(),
            )
        )
    db.add_all(documents)
    db.flush()
    for document, item in zip(documents, items, strict=True):
        db.add(
            DocumentContent(
                document_id=document.id,
                body=crypto.seal(
                    db,
                    kek,
                    key_id=cases[item.case_id].data_key_id,
                    plaintext=item.data,
                    context=extraction.body_context(document.id),
                ),
                text=None,
            )
        )
        db.add_all(
            DocumentSubject(document_id=document.id, person_id=pid)
            for pid in dict.fromkeys(item.meta.subject_person_ids)
        )
    db.flush()
    search.index_new(
        db,
        kind="document",
        entries=[(d.id, d.case_id, i.meta.title) for d, i in zip(documents, items, strict=True)],
    )
    for document in documents:
        audit.record(
            db,
            actor,
            RecordsEvent.DOCUMENT_ADDED,
            subject_type="document",
            subject_id=document.id,
            details={"case_id": document.case_id, "kind": DocumentKind(document.kind).value},
        )
    return documents


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


def _readable_document(
    db: Session, actor: Actor, document_id: int
) -> tuple[Document, Case, policy.Access]:
    # The role is checked before the id is looked up, and a document in a case the actor may
    # not read answers as a missing one: guessing ids reveals neither documents nor cases.
    access.require_any_case_access(db, actor)
    document = db.get(Document, document_id)
    if document is None:
        raise NotFound(access.NOT_YOURS)
    return document, *access.case_of_readable_item(db, actor, document.case_id)


def view_document(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, document_id: int
) -> tuple[Document, str]:
    """The document's details and its extracted text, recorded as a read."""
    document, case, how = _readable_document(db, actor, document_id)
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
        db,
        actor,
        RecordsEvent.DOCUMENT_VIEWED,
        subject_type="document",
        subject_id=document.id,
        details={"access": how.value},
    )
    return document, text


def download_document(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, document_id: int
) -> DocumentFile:
    document, case, how = _readable_document(db, actor, document_id)
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
        db,
        actor,
        RecordsEvent.DOCUMENT_DOWNLOADED,
        subject_type="document",
        subject_id=document.id,
        details={"access": how.value},
    )
    return DocumentFile(data=data, media_type=document.media_type, filename=document.filename)
