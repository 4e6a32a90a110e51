"""Envelope encryption for document bodies and free-text notes.

Each protected scope (a case, say) gets its own random data key. The data key is stored only
wrapped (encrypted) by a key-encryption key (KEK) held outside the database. Rotating the KEK
re-wraps data keys without touching content; destroying a data key makes everything sealed
with it unrecoverable, which is how retention disposes of content (crypto-shredding).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Protocol
from weakref import WeakKeyDictionary

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, LargeBinary, String, event, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from steward.core import clock, keyfile
from steward.core.db import Base, UTCDateTime, key_file_path
from steward.core.errors import DomainError
from steward.core.keyfile import KeyFile

SEALED_FORMAT = b"\x01"
_KEY_CACHE = "steward.plain_data_keys"
NONCE_BYTES = 12
TAG_BYTES = 16


class KeyDestroyed(DomainError):
    """The content's data key was destroyed: the content no longer exists."""


class DecryptionFailed(DomainError):
    """Ciphertext was altered, or sealed for another record or key."""


class KeyEncryptionKeys(Protocol):
    """Wraps and unwraps data keys. The key file implements it; a KMS client can too."""

    @property
    def current_kek_id(self) -> str: ...

    def wrap(self, data_key: bytes, *, key_id: str) -> tuple[str, bytes]: ...

    def unwrap(self, wrapped: bytes, *, kek_id: str, key_id: str) -> bytes: ...


class FileKeyring:
    """KEKs from the key file, AES-256-GCM-wrapping each data key bound to its own id."""

    def __init__(self, keys: KeyFile) -> None:
        self.keys = keys

    @property
    def current_kek_id(self) -> str:
        return self.keys.current_kek_id

    def wrap(self, data_key: bytes, *, key_id: str) -> tuple[str, bytes]:
        kek_id = self.keys.current_kek_id
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys.keks[kek_id]).encrypt(nonce, data_key, key_id.encode())
        return kek_id, nonce + sealed

    def unwrap(self, wrapped: bytes, *, kek_id: str, key_id: str) -> bytes:
        try:
            kek = self.keys.keks[kek_id]
        except KeyError as exc:
            raise DecryptionFailed(f"key-encryption key {kek_id} is not in the key file") from exc
        if len(wrapped) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionFailed(f"data key {key_id} is truncated")
        try:
            return AESGCM(kek).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], key_id.encode()
            )
        except InvalidTag as exc:
            raise DecryptionFailed(f"data key {key_id} failed its integrity check") from exc


class DataKey(Base):
    __tablename__ = "data_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    kek_id: Mapped[str | None] = mapped_column(String(64))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def create_data_key(db: Session, kek: KeyEncryptionKeys, *, purpose: str) -> DataKey:
    key_id = str(uuid.uuid4())
    kek_id, wrapped = kek.wrap(AESGCM.generate_key(bit_length=256), key_id=key_id)
    row = DataKey(
        id=key_id, purpose=purpose, kek_id=kek_id, wrapped_key=wrapped, created_at=clock.now()
    )
    db.add(row)
    db.flush()
    return row


def _plain_key(db: Session, kek: KeyEncryptionKeys, key_id: str) -> bytes:
    # Unwrapped keys are remembered for the rest of the transaction only: a case's
    # documents are sealed one after another, and each would otherwise re-read its key.
    cache: dict[str, bytes] = db.info.setdefault(_KEY_CACHE, {})
    if key_id in cache:
        return cache[key_id]
    # Without an autoflush: a flush ends a subtransaction, which forgets the cache, so each
    # of many documents sealed in turn (their contents pending) would read its key again.
    with db.no_autoflush:
        row = db.get(DataKey, key_id)
    if row is None or row.wrapped_key is None or row.kek_id is None:
        raise KeyDestroyed("This content has been destroyed and cannot be read.")
    plain = kek.unwrap(row.wrapped_key, kek_id=row.kek_id, key_id=row.id)
    db.info.setdefault(_KEY_CACHE, {})[key_id] = plain
    return plain


@event.listens_for(Session, "after_transaction_end")
def _forget_plain_keys(session: Session, _transaction: SessionTransaction) -> None:
    session.info.pop(_KEY_CACHE, None)


def seal(
    db: Session, kek: KeyEncryptionKeys, *, key_id: str, plaintext: bytes, context: str
) -> bytes:
    """Encrypt ``plaintext``. ``context`` (e.g. "document:42:body") is bound in as associated
    data, so a sealed value copied onto another record will not open there."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = AESGCM(_plain_key(db, kek, key_id)).encrypt(nonce, plaintext, context.encode())
    return SEALED_FORMAT + nonce + body


def open_sealed(
    db: Session, kek: KeyEncryptionKeys, *, key_id: str, sealed: bytes, context: str
) -> bytes:
    if not sealed.startswith(SEALED_FORMAT):
        raise DecryptionFailed("unknown sealed-content format")
    # Too short to hold a nonce and tag: AESGCM would raise ValueError, not InvalidTag.
    if len(sealed) < len(SEALED_FORMAT) + NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("sealed content is truncated")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(_plain_key(db, kek, key_id)).decrypt(nonce, body, context.encode())
    except InvalidTag as exc:
        raise DecryptionFailed("sealed content failed its integrity check") from exc


def destroy_data_key(db: Session, *, key_id: str) -> DataKey:
    """Crypto-shred: overwrite the wrapped key. With SQLite's secure_delete on, the old bytes
    are zeroed in the file too."""
    db.info.get(_KEY_CACHE, {}).pop(key_id, None)
    row = db.get(DataKey, key_id)
    if row is None:
        raise KeyDestroyed("No such data key.")
    row.wrapped_key = None
    row.kek_id = None
    row.destroyed_at = clock.now()
    db.flush()
    return row


def rewrap_all(db: Session, kek: KeyEncryptionKeys) -> int:
    """Re-wrap every live data key under the current KEK. Content is untouched; the keyring
    must still hold the older KEKs until this has been committed."""
    count = 0
    live = select(DataKey).where(DataKey.wrapped_key.is_not(None)).execution_options(yield_per=1000)
    for row in db.scalars(live):
        assert row.wrapped_key is not None and row.kek_id is not None
        if row.kek_id == kek.current_kek_id:
            continue
        plain = kek.unwrap(row.wrapped_key, kek_id=row.kek_id, key_id=row.id)
        row.kek_id, row.wrapped_key = kek.wrap(plain, key_id=row.id)
        count += 1
    db.flush()
    return count


# --- keyed hashes ----------------------------------------------------------------------------

_sub_keys: WeakKeyDictionary[Engine, dict[bytes, bytes]] = WeakKeyDictionary()


def hash_key(db: Session, label: bytes) -> bytes:
    """The key for keyed hashes of one purpose (``label``), derived from the key file the
    database was opened with, as the audit chain's key is. A plain digest of personal data can
    be confirmed by anyone who guesses the data; one keyed like this cannot, without the key
    file, and it never changes with a rotation of the key-encryption keys."""
    engine = db.connection().engine
    keys = _sub_keys.setdefault(engine, {})
    if label not in keys:
        keys[label] = keyfile.load_or_create(key_file_path(engine)).derive(label)
    return keys[label]


def keyed_hash(key: bytes, *parts: bytes) -> str:
    """HMAC-SHA256 (hex) of ``parts``, each length-prefixed so that ("ab", "c") and ("a",
    "bc") differ."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest()
