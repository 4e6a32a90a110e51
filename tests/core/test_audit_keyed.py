"""The chain is keyed from the key file and anchored outside: rewrites by someone who can
write to the database are caught, and so are rewrites by someone who also has the key file,
back to the last anchor kept elsewhere."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from steward.core import audit, audit_anchor, keyfile
from steward.core.audit import AuditEvent, AuditHead, ChainKey, EventTag
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role


def _append(db: Session, n: int) -> list[int]:
    actor = Actor.user(7, Role.DPO)
    seqs = [
        audit.record(db, actor, EventTag.USER_CREATED, subject_type="user", subject_id=i)
        for i in range(n)
    ]
    return [seq for seq in seqs if seq is not None]


def _allow_rewrites(db: Session) -> None:
    """Drop the append-only triggers inside the test's transaction, as an attacker with
    database access could; the rollback after the test restores them."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("DROP TRIGGER audit_events_no_update"))
        db.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_rewrite"))


def _rewrite(db: Session, key: ChainKey, seq: int, *, subject_id: str) -> None:
    """Change one event and recompute every hash from it to the head under ``key``, then
    move the head: a thorough forger's rewrite."""
    _allow_rewrites(db)
    db.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(subject_id=subject_id))
    prev = db.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) or "0" * 64
    events = db.execute(
        select(AuditEvent.__table__).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)
    ).all()
    for event in events:
        digest = audit.row_hash(key, prev, event)
        db.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == event.seq)
            .values(prev_hash=prev, hash=digest)
        )
        prev = digest
    db.execute(update(AuditHead).values(hash=prev))


def _chain_key(db: Session) -> ChainKey:
    return audit.keys_for(db.connection().engine).chain


def _anchor(db: Session) -> audit_anchor.Anchor:
    return audit_anchor.take(db)


def _heads(db: Session, *anchors: audit_anchor.Anchor) -> dict[int, str]:
    public_key = audit.keys_for(db.connection().engine).public_key
    read = audit_anchor.read_anchors("\n".join(a.line() for a in anchors), public_key)
    assert read.problems == []
    return read.heads


@given(secret=st.binary(min_size=1, max_size=100), data=st.binary(max_size=300))
def test_the_chain_key_is_hmac_sha256(secret: bytes, data: bytes) -> None:
    assert ChainKey(secret).digest(data) == hmac.new(secret, data, hashlib.sha256).hexdigest()
    assert audit.PLAIN.digest(data) == hashlib.sha256(data).hexdigest()


def test_a_rewrite_that_recomputes_every_plain_hash_is_caught(db: Session) -> None:
    seqs = _append(db, 5)
    assert audit.verify(db).ok
    _rewrite(db, audit.PLAIN, seqs[1], subject_id="999")
    result = audit.verify(db)
    assert not result.ok
    assert result.first_bad_seq == seqs[1]
    assert "altered" in (result.problem or "")


def test_without_anchors_a_rewrite_by_someone_with_the_key_file_goes_unseen(db: Session) -> None:
    """The limit docs/security.md states: the key alone does not stop its holder."""
    seqs = _append(db, 5)
    _rewrite(db, _chain_key(db), seqs[1], subject_id="999")
    assert audit.verify(db).ok


def test_a_rewrite_with_the_key_is_caught_by_an_anchor_taken_before_it(db: Session) -> None:
    seqs = _append(db, 3)
    first = _anchor(db)
    _append(db, 3)
    second = _anchor(db)
    assert audit.verify(db, anchors=_heads(db, first, second)).ok
    _rewrite(db, _chain_key(db), seqs[1], subject_id="999")
    assert audit.verify(db).ok  # the key holder's rewrite passes the chain check...
    result = audit.verify(db, anchors=_heads(db, first, second))
    assert not result.ok  # ...but not the anchors
    assert result.first_bad_seq == first.seq
    assert "anchor" in (result.problem or "")


def test_events_after_the_last_anchor_are_only_as_safe_as_the_key(db: Session) -> None:
    _append(db, 2)
    anchored = _anchor(db)
    later = _append(db, 2)
    _rewrite(db, _chain_key(db), later[0], subject_id="999")
    assert audit.verify(db, anchors=_heads(db, anchored)).ok


def test_a_trail_cut_short_before_an_anchor_is_caught(db: Session) -> None:
    _append(db, 3)
    anchored = _anchor(db)
    _allow_rewrites(db)
    db.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": anchored.seq - 1})
    db.execute(update(AuditHead).values(seq=anchored.seq - 2))
    db.execute(
        text("UPDATE audit_head SET hash = (SELECT hash FROM audit_events WHERE seq = :s)"),
        {"s": anchored.seq - 2},
    )
    assert audit.verify(db).ok
    result = audit.verify(db, anchors=_heads(db, anchored))
    assert not result.ok
    assert "not in the trail" in (result.problem or "")


def _tampered(line: str, **changes: object) -> str:
    data = json.loads(line)
    data.update(changes)
    return json.dumps(data)


def test_a_tampered_anchors_file_is_reported(db: Session) -> None:
    _append(db, 2)
    good = _anchor(db).line()
    public_key = audit.keys_for(db.connection().engine).public_key
    other_key = audit.AuditKeys.from_key_file(
        keyfile.KeyFile(Path("x"), secrets.token_bytes(32), "k", {"k": b"0" * 32})
    )
    lines = [
        good,
        _tampered(good, hash="f" * 64),  # the head changed to fit a rewrite
        _tampered(good, seq=json.loads(good)["seq"] + 1),
        _tampered(good, signature="AAAA" + json.loads(good)["signature"][4:]),
        _tampered(good, key_id=other_key.key_id),
        "not json",
        _tampered(good, at="2026-01-01T00:00:00"),
    ]
    read = audit_anchor.read_anchors("\n".join(lines), public_key)
    assert len(read.heads) == 1
    assert [p.split(":")[0] for p in read.problems] == [f"anchors line {n}" for n in range(2, 8)]
    assert "signature does not match" in read.problems[0]
    assert "signature does not match" in read.problems[2]
    assert "signed with key" in read.problems[3]
    assert "malformed" in read.problems[4]
    # Another key file's anchors do not pass as this one's.
    assert audit_anchor.read_anchors(good, other_key.public_key).problems


def _key_file_settings(tmp_path: Path) -> Settings:
    return Settings(env=Environment.TEST, data_dir=tmp_path, key_file=tmp_path / "other.key")


def test_the_wrong_key_file_is_named_as_such(fresh_engine: Engine, tmp_path: Path) -> None:
    with session_scope(make_sessionmaker(fresh_engine)) as db:
        _append(db, 2)
    stranger = make_engine(_key_file_settings(tmp_path), url=fresh_engine.url)
    try:
        with session_scope(make_sessionmaker(stranger), read_only=True) as db:
            result = audit.verify(db)
        assert not result.ok
        assert result.first_bad_seq is None
        assert "not the one the audit trail was chained with" in (result.problem or "")
        with (
            pytest.raises(audit.AuditKeyMismatch, match="will not append"),
            session_scope(make_sessionmaker(stranger)) as db,
        ):
            _append(db, 1)
        with (
            pytest.raises(audit.AuditKeyMismatch, match="no anchor"),
            session_scope(make_sessionmaker(stranger)) as db,
        ):
            audit_anchor.take(db)
    finally:
        stranger.dispose()
    with session_scope(make_sessionmaker(fresh_engine), read_only=True) as db:
        assert audit.verify(db).ok
