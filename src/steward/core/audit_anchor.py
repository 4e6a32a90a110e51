"""Anchors: the audit trail's head, signed, kept outside the database.

The chain key stops someone who can write to the database from recomputing the chain, but
not someone who also has the key file. An anchor pins the head as it was: ``steward audit
anchor`` signs (sequence number, hash, time) with an Ed25519 key derived from the key file,
and the operator keeps the line somewhere the database's writers cannot reach. Any later
rewrite of an anchored event, by anyone, no longer matches the anchor. The signature proves
an anchor was taken by Steward; an auditor checks it with the public key alone
(``steward audit public-key``), without the key file.

One anchor is one JSON line, so anchors append to a file, a log, or an email.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import DomainError

FORMAT = "steward-audit-anchor-v1"
_HASH = re.compile(r"^[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: datetime
    key_id: str
    signature: bytes

    def line(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "seq": self.seq,
                "hash": self.hash,
                "at": self.at.isoformat(),
                "key_id": self.key_id,
                "signature": base64.b64encode(self.signature).decode(),
            },
            separators=(",", ":"),
        )


def _signed_bytes(seq: int, digest: str, at: datetime, key_id: str) -> bytes:
    # Every field, in a fixed order with a fixed separator: nothing in a line goes unsigned.
    return f"{FORMAT}\n{seq}\n{digest}\n{at.isoformat()}\n{key_id}".encode()


def take(db: Session) -> Anchor:
    """Sign the head as committed. The caller records the anchoring in the trail after it,
    so the next anchor covers this one's record too."""
    keys = audit.keys_for(db.connection().engine)
    head = db.execute(
        select(audit.AuditHead.seq, audit.AuditHead.hash, audit.AuditHead.key_id).where(
            audit.AuditHead.id == 1
        )
    ).one()
    if head.key_id != keys.key_id:
        raise audit.AuditKeyMismatch(
            "This key file is not the one the audit trail was chained with: no anchor taken."
        )
    at = clock.now()
    signature = keys.signing.sign(_signed_bytes(head.seq, head.hash, at, keys.key_id))
    return Anchor(int(head.seq), str(head.hash), at, keys.key_id, signature)


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


class BadPublicKey(DomainError):
    pass


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem)
    except ValueError as exc:
        raise BadPublicKey("the public key file is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BadPublicKey("the public key file does not hold an Ed25519 key")
    return key


@dataclass
class AnchorFile:
    """What an anchors file says: the heads it pins (sequence number to hash), from lines
    whose signature holds, and a problem for every line that is not a good anchor."""

    heads: dict[int, str] = field(default_factory=dict)
    latest: Anchor | None = None
    problems: list[str] = field(default_factory=list)


def read_anchors(text: str, public_key: Ed25519PublicKey) -> AnchorFile:
    result = AnchorFile()
    expected_key_id = audit.key_id(public_key)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchor = _parse(line)
        except (ValueError, KeyError, TypeError, binascii.Error):
            result.problems.append(f"anchors line {number}: not an anchor (malformed)")
            continue
        if anchor.key_id != expected_key_id:
            result.problems.append(
                f"anchors line {number}: signed with key {anchor.key_id}, not with this "
                f"public key ({expected_key_id})"
            )
            continue
        try:
            public_key.verify(
                anchor.signature,
                _signed_bytes(anchor.seq, anchor.hash, anchor.at, anchor.key_id),
            )
        except InvalidSignature:
            result.problems.append(
                f"anchors line {number}: the signature does not match (the line was altered)"
            )
            continue
        if result.heads.get(anchor.seq, anchor.hash) != anchor.hash:
            result.problems.append(
                f"anchors line {number}: event {anchor.seq} is anchored twice with different hashes"
            )
            continue
        result.heads[anchor.seq] = anchor.hash
        if result.latest is None or anchor.seq >= result.latest.seq:
            result.latest = anchor
    return result


def _parse(line: str) -> Anchor:
    data = json.loads(line)
    if not isinstance(data, dict) or data["format"] != FORMAT:
        raise ValueError("not an anchor")
    seq, digest, at, key_id = data["seq"], data["hash"], data["at"], data["key_id"]
    if (
        not isinstance(seq, int)
        or seq < 0
        or not isinstance(digest, str)
        or not _HASH.match(digest)
    ):
        raise ValueError("bad head")
    moment = datetime.fromisoformat(at)
    # The signature covers the time as written; one that re-serialises differently is not ours.
    if moment.tzinfo is None or moment.isoformat() != at or not isinstance(key_id, str):
        raise ValueError("bad time or key")
    return Anchor(seq, digest, moment, key_id, base64.b64decode(data["signature"], validate=True))
