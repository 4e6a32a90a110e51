"""The public request form: a requester with no account, their answers kept between pages in
a sealed draft, their submission made into a request, and a rate limit per client.

The public actor holds no permission; these functions are the only ones that take it, and
each reaches only the draft whose token the caller holds. Saving a draft is not put on the
audit trail (anyone may start one, and a flood of them must not fill the trail); the
submission is, by the public actor, as every request's receipt is."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from steward.core import clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.sar import clock as sar_clock
from steward.sar import uploads
from steward.sar.models import SarDraft, SarDraftFile, SarPublicHit, SubjectAccessRequest
from steward.sar.schemas import SarCreate
from steward.sar.service import documents
from steward.sar.service.requests import create_request

DRAFT_LIFETIME = timedelta(hours=24)
DRAFT_PURPOSE = "sar_draft"


@dataclass(frozen=True)
class DraftFile:
    """A file on a draft as its owner sees it on the check-your-answers page."""

    kind: uploads.DocumentKind
    filename: str
    media_type: str
    size_bytes: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _answers_context(draft: SarDraft) -> str:
    return f"sar_draft:{draft.id}:answers"


def _file_context(file: SarDraftFile, part: str) -> str:
    return f"sar_draft_file:{file.id}:{part}"


def start_draft(db: Session, kek: KeyEncryptionKeys) -> tuple[str, SarDraft]:
    """A new empty draft, and the token (for the browser's cookie) that alone finds it."""
    purge_expired(db)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    draft = SarDraft(
        token_hash=_hash(token),
        data_key_id=crypto.create_data_key(db, kek, purpose=DRAFT_PURPOSE).id,
        answers_sealed=None,
        created_at=now,
        expires_at=now + DRAFT_LIFETIME,
    )
    db.add(draft)
    db.flush()
    save_answers(db, kek, draft, {})
    return token, draft


def find_draft(db: Session, token: str | None) -> SarDraft | None:
    """The caller's draft, if the token is one and it has not expired."""
    if not token or len(token) > 100:
        return None
    draft = db.scalar(select(SarDraft).where(SarDraft.token_hash == _hash(token)))
    if draft is None or draft.expires_at <= clock.now():
        return None
    return draft


def answers(db: Session, kek: KeyEncryptionKeys, draft: SarDraft) -> dict[str, Any]:
    if draft.answers_sealed is None:
        return {}
    plain = crypto.open_sealed(
        db,
        kek,
        key_id=draft.data_key_id,
        sealed=draft.answers_sealed,
        context=_answers_context(draft),
    )
    found: dict[str, Any] = json.loads(plain)
    return found


def save_answers(
    db: Session, kek: KeyEncryptionKeys, draft: SarDraft, values: dict[str, Any]
) -> None:
    draft.answers_sealed = crypto.seal(
        db,
        kek,
        key_id=draft.data_key_id,
        plaintext=json.dumps(values).encode(),
        context=_answers_context(draft),
    )
    db.flush()


def attach(
    db: Session,
    kek: KeyEncryptionKeys,
    draft: SarDraft,
    *,
    kind: uploads.DocumentKind,
    data: bytes,
    filename: str | None,
) -> None:
    """Check a file and seal it on the draft, replacing any earlier one of the same kind."""
    media_type = uploads.check_file(data)
    discard(db, draft, kind)
    file = SarDraftFile(
        kind=kind.value,
        media_type=media_type,
        size_bytes=len(data),
        filename_sealed=b"",
        content_sealed=b"",
    )
    draft.files.append(file)
    db.flush()
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    file.filename_sealed = crypto.seal(
        db,
        kek,
        key_id=draft.data_key_id,
        plaintext=name.encode(),
        context=_file_context(file, "name"),
    )
    file.content_sealed = crypto.seal(
        db, kek, key_id=draft.data_key_id, plaintext=data, context=_file_context(file, "content")
    )
    db.flush()


def discard(db: Session, draft: SarDraft, kind: uploads.DocumentKind) -> None:
    """Forget a file the answers no longer call for (authority, once the requester says the
    request is for themselves): nothing is kept that the request does not need."""
    for old in [f for f in draft.files if f.kind == kind.value]:
        draft.files.remove(old)
    db.flush()


def files(db: Session, kek: KeyEncryptionKeys, draft: SarDraft) -> dict[str, DraftFile]:
    """The draft's files by kind, with the names they were uploaded under."""
    found = {}
    for file in draft.files:
        name = crypto.open_sealed(
            db,
            kek,
            key_id=draft.data_key_id,
            sealed=file.filename_sealed,
            context=_file_context(file, "name"),
        ).decode()
        found[file.kind] = DraftFile(
            uploads.DocumentKind(file.kind), name, file.media_type, file.size_bytes
        )
    return found


def submit(
    db: Session,
    kek: KeyEncryptionKeys,
    draft: SarDraft,
    data: SarCreate,
    *,
    default_region: sar_clock.Region,
) -> SubjectAccessRequest:
    """The draft made into a request, by the public actor: its files re-sealed under the
    request's key, then the draft's answers and files deleted and its key destroyed. The
    draft keeps only the reference, for the confirmation page."""
    actor = Actor.public()
    request = create_request(
        db, kek, actor, data, default_region=default_region, handler_user_id=None
    )
    for file in list(draft.files):
        body = crypto.open_sealed(
            db,
            kek,
            key_id=draft.data_key_id,
            sealed=file.content_sealed,
            context=_file_context(file, "content"),
        )
        name = crypto.open_sealed(
            db,
            kek,
            key_id=draft.data_key_id,
            sealed=file.filename_sealed,
            context=_file_context(file, "name"),
        ).decode()
        documents.store(
            db,
            kek,
            actor,
            request,
            kind=uploads.DocumentKind(file.kind),
            data=body,
            filename=name,
            media_type=file.media_type,
        )
    _shred(db, draft)
    draft.reference = request.reference
    db.flush()
    return request


def _shred(db: Session, draft: SarDraft) -> None:
    draft.files.clear()
    draft.answers_sealed = None
    db.flush()
    key = db.get(crypto.DataKey, draft.data_key_id)
    if key is not None and key.wrapped_key is not None:
        crypto.destroy_data_key(db, key_id=draft.data_key_id)


def purge_expired(db: Session) -> int:
    """Drafts past their day: their keys destroyed, their rows (and files) deleted."""
    expired = list(db.scalars(select(SarDraft).where(SarDraft.expires_at <= clock.now())))
    for draft in expired:
        _shred(db, draft)
        db.delete(draft)
    db.flush()
    return len(expired)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` posts of one kind from one client in ``window``."""

    count: int
    window: timedelta


def client_hash(secret_key: str, address: str) -> str:
    """A keyed hash of the client's address: the same client counts together, and the table
    cannot be turned back into addresses without the secret key."""
    return hmac.new(
        secret_key.encode(), f"sar-public-client|{address}".encode(), hashlib.sha256
    ).hexdigest()


def take(db: Session, client: str, bucket: str, limit: Limit) -> int | None:
    """Count one post from ``client``, or, when they have used up ``limit``, count nothing
    and return how many seconds until they may post again."""
    now = clock.now()
    since = now - limit.window
    db.execute(
        delete(SarPublicHit)
        .where(SarPublicHit.at < now - timedelta(days=1))
        .execution_options(synchronize_session=False)
    )
    used = db.scalar(
        select(func.count()).where(
            SarPublicHit.client_hash == client,
            SarPublicHit.bucket == bucket,
            SarPublicHit.at > since,
        )
    )
    if (used or 0) >= limit.count:
        oldest = db.scalar(
            select(func.min(SarPublicHit.at)).where(
                SarPublicHit.client_hash == client,
                SarPublicHit.bucket == bucket,
                SarPublicHit.at > since,
            )
        )
        wait = (oldest + limit.window - now).total_seconds() if oldest else 60
        return max(1, math.ceil(wait))
    db.add(SarPublicHit(client_hash=client, bucket=bucket, at=now))
    db.flush()
    return None
