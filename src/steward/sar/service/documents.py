"""A request's documents (ID, proof of authority, anything else): sealed under the request's
own data key, so destroying that key shreds them with the rest of the request; every download
is on the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound
from steward.core.permissions import Actor
from steward.records.service import DocumentFile, safe_filename
from steward.sar import uploads
from steward.sar.events import SarEvent
from steward.sar.models import SarDocument, SubjectAccessRequest
from steward.sar.service.requests import SUBJECT_TYPE, get


@dataclass(frozen=True)
class DocumentLine:
    """A document as the request's list shows it: no name, no content."""

    id: int
    kind: uploads.DocumentKind
    media_type: str
    size_bytes: int
    received_at: datetime
    from_requester: bool


def body_context(document_id: int) -> str:
    return f"sar_document:{document_id}:content"


def name_context(document_id: int) -> str:
    return f"sar_document:{document_id}:filename"


def store(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    *,
    kind: uploads.DocumentKind,
    data: bytes,
    filename: str | None,
    media_type: str | None = None,
) -> SarDocument:
    """Check and seal a file under the request's key. Callers check who may add it."""
    media_type = media_type or uploads.check_file(data)
    document = SarDocument(
        request_id=request.id,
        kind=kind.value,
        media_type=media_type,
        size_bytes=len(data),
        received_at=clock.now(),
        added_by_user_id=actor.user_id,
        filename_sealed=b"",
        content_sealed=b"",
    )
    db.add(document)
    db.flush()
    key = request.data_key_id
    name = safe_filename(filename, media_type)
    document.filename_sealed = crypto.seal(
        db, kek, key_id=key, plaintext=name.encode(), context=name_context(document.id)
    )
    document.content_sealed = crypto.seal(
        db, kek, key_id=key, plaintext=data, context=body_context(document.id)
    )
    db.flush()
    audit.record(
        db,
        actor,
        SarEvent.DOCUMENT_ADDED,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"document_id": document.id, "kind": kind.value},
    )
    return document


def add_document(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    *,
    kind: uploads.DocumentKind,
    data: bytes,
    filename: str | None,
) -> SarDocument:
    """A document staff received another way (by post, in person) added to the request."""
    request = get(db, actor, request_id)
    return store(db, kek, actor, request, kind=kind, data=data, filename=filename)


def documents(db: Session, actor: Actor, request_id: int) -> list[DocumentLine]:
    request = get(db, actor, request_id)
    rows = db.execute(
        select(
            SarDocument.id,
            SarDocument.kind,
            SarDocument.media_type,
            SarDocument.size_bytes,
            SarDocument.received_at,
            SarDocument.added_by_user_id,
        )
        .where(SarDocument.request_id == request.id)
        .order_by(SarDocument.received_at, SarDocument.id)
    ).all()
    return [
        DocumentLine(
            id=row.id,
            kind=uploads.DocumentKind(row.kind),
            media_type=row.media_type,
            size_bytes=row.size_bytes,
            received_at=row.received_at,
            from_requester=row.added_by_user_id is None,
        )
        for row in rows
    ]


def download(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int, document_id: int
) -> DocumentFile:
    """The file and its (cleaned) name, opened under the request's key; the read is audited."""
    request = get(db, actor, request_id)
    document = db.get(SarDocument, document_id)
    if document is None or document.request_id != request.id:
        raise NotFound("This request has no such document.")
    key = request.data_key_id
    name = crypto.open_sealed(
        db, kek, key_id=key, sealed=document.filename_sealed, context=name_context(document.id)
    ).decode()
    data = crypto.open_sealed(
        db, kek, key_id=key, sealed=document.content_sealed, context=body_context(document.id)
    )
    audit.record(
        db,
        actor,
        SarEvent.DOCUMENT_DOWNLOADED,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"document_id": document.id},
    )
    return DocumentFile(data=data, media_type=document.media_type, filename=name)
