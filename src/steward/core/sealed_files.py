"""Files kept sealed in the database, a chunk a row (a SAR's disclosure bundle, an evidence
pack): each chunk encrypted under the owner's data key and bound to its place (``context``:
owner and sequence number), so a chunk copied into another file, or moved within one, will
not open. Destroying the data key shreds the file.

A chunk table has ``seq`` and ``sealed`` columns beside its owner's key column(s) (``owner``:
e.g. {"bundle_id": 7}). Chunks are written through Core, one row at a time: the session never
holds more than one chunk's bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import NotFound

CHUNK_BYTES = 1 << 20
Context = Callable[[int], str]  # a chunk's sequence number -> its associated data


@dataclass(frozen=True)
class SealedFile:
    chunks: int
    size: int
    sha256: str  # of the plain bytes


def seal_file(
    db: Session,
    kek: KeyEncryptionKeys,
    *,
    key_id: str,
    source: BinaryIO,
    table: type[Any],
    owner: Mapping[str, int],
    context: Context,
) -> SealedFile:
    """Read ``source`` to its end and keep it sealed in ``table``'s rows of ``owner``."""
    digest, size, seq = hashlib.sha256(), 0, 0
    while block := source.read(CHUNK_BYTES):
        digest.update(block)
        size += len(block)
        sealed = crypto.seal(db, kek, key_id=key_id, plaintext=block, context=context(seq))
        db.execute(insert(table).values(**owner, seq=seq, sealed=sealed))
        seq += 1
    return SealedFile(chunks=seq, size=size, sha256=digest.hexdigest())


def open_file(
    db: Session,
    kek: KeyEncryptionKeys,
    *,
    key_id: str,
    chunks: int,
    table: type[Any],
    owner: Mapping[str, int],
    context: Context,
    missing: str,
) -> Iterator[bytes]:
    """The file's plain bytes, a chunk at a time; ``missing`` is the message if a chunk is
    gone (the file cannot be given in part)."""
    belongs = [getattr(table, column) == value for column, value in owner.items()]
    for seq in range(chunks):
        sealed = db.scalar(select(table.sealed).where(*belongs, table.seq == seq))
        if sealed is None:
            raise NotFound(missing)
        yield crypto.open_sealed(db, kek, key_id=key_id, sealed=sealed, context=context(seq))
