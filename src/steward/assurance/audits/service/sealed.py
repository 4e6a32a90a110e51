"""Sealing what people write and attach, under one data key per row: destroying that key
destroys the row's text and documents alone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.crypto import KeyEncryptionKeys

PURPOSE = "assurance_evidence"


def new_key(db: Session, kek: KeyEncryptionKeys) -> str:
    return crypto.create_data_key(db, kek, purpose=PURPOSE).id


def seal_text(db: Session, kek: KeyEncryptionKeys, key_id: str, context: str, text: str) -> bytes:
    return crypto.seal(db, kek, key_id=key_id, plaintext=text.encode(), context=context)


def open_text(db: Session, kek: KeyEncryptionKeys, key_id: str, context: str, sealed: bytes) -> str:
    return crypto.open_sealed(db, kek, key_id=key_id, sealed=sealed, context=context).decode()


def seal_bytes(
    db: Session, kek: KeyEncryptionKeys, key_id: str, context: str, data: bytes
) -> bytes:
    return crypto.seal(db, kek, key_id=key_id, plaintext=data, context=context)


def open_bytes(
    db: Session, kek: KeyEncryptionKeys, key_id: str, context: str, sealed: bytes
) -> bytes:
    return crypto.open_sealed(db, kek, key_id=key_id, sealed=sealed, context=context)
