"""The audit trail's keys, derived from the key file and never stored in the database: the
chain key (HMAC-SHA256 over every event) and the Ed25519 key that signs anchors of the head.

They reach ``audit.record`` and ``audit.verify`` through the engine: ``make_engine`` notes the
key file it was opened with (``db.key_file_path``), the one thing every unit of work already
carries, so no call site passes a key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Engine

from steward.core import keyfile
from steward.core.db import key_file_path

_HMAC_BLOCK = 64

CHAIN_KEY_LABEL = b"steward audit chain v1"
SIGNING_KEY_LABEL = b"steward audit anchor signing v1"


class ChainKey:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer hash states computed once: per
    event it then costs two hash copies, half of what ``hmac.new`` does. ``PLAIN`` is the
    unkeyed SHA-256 chain of trails written before the chain was keyed."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, secret: bytes | None) -> None:
        if secret is None:
            self._inner = self._outer = None
            return
        if len(secret) > _HMAC_BLOCK:
            secret = hashlib.sha256(secret).digest()
        block = secret.ljust(_HMAC_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, data: bytes) -> str:
        if self._inner is None or self._outer is None:
            return hashlib.sha256(data).hexdigest()
        inner = self._inner.copy()
        inner.update(data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


PLAIN = ChainKey(None)


@dataclass(frozen=True)
class AuditKeys:
    """The chain key and the anchor-signing key, both derived from the key file."""

    chain: ChainKey
    signing: Ed25519PrivateKey
    key_id: str

    @classmethod
    def from_key_file(cls, keys: keyfile.KeyFile) -> AuditKeys:
        signing = Ed25519PrivateKey.from_private_bytes(keys.derive(SIGNING_KEY_LABEL))
        return cls(ChainKey(keys.derive(CHAIN_KEY_LABEL)), signing, key_id(signing.public_key()))

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing.public_key()


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short public name for a key file's audit keys: anyone holding the public key can
    compute it, and it reveals nothing of the chain key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


_keys: WeakKeyDictionary[Engine, AuditKeys] = WeakKeyDictionary()


def keys_for(engine: Engine) -> AuditKeys:
    """The audit keys of the key file ``engine`` was opened with, derived once per engine."""
    keys = _keys.get(engine)
    if keys is None:
        keys = AuditKeys.from_key_file(keyfile.load_or_create(key_file_path(engine)))
        _keys[engine] = keys
    return keys
