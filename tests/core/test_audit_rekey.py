"""`steward db upgrade` moves a trail written before the chain was keyed under the key:
checked as a plain chain first, re-hashed in the migration's transaction, and recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from steward.core import audit, clock, migrate
from steward.core.audit import AuditEvent, AuditHead, EventTag
from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import Actor

BEFORE_KEYING = "e5b7c4d5a005"
_events: Any = AuditEvent.__table__
_head: Any = AuditHead.__table__


def _record(engine: Engine, n: int) -> None:
    with session_scope(make_sessionmaker(engine)) as db:
        for i in range(n):
            audit.record(
                db, Actor.system(), EventTag.USER_CREATED, subject_type="user", subject_id=i
            )


def _append_plain(engine: Engine) -> str:
    """One event as the version before keying wrote it: plain SHA-256."""
    with engine.begin() as conn:
        seq, prev = conn.execute(select(_head.c.seq, _head.c.hash)).one()
        fields = {
            "seq": seq + 1,
            "occurred_at": clock.now(),
            "actor_kind": "system",
            "actor_id": None,
            "tag": "user:deactivated",
            "subject_type": "user",
            "subject_id": "1",
            "details": "{}",
        }
        digest = audit.chain_hash(audit.PLAIN, prev, **fields)
        conn.execute(insert(_events).values(**fields, prev_hash=prev, hash=digest))
        conn.execute(update(_head).values(seq=seq + 1, hash=digest))
    return digest


def _hashes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(_events.c.hash).order_by(_events.c.seq)).scalars())


def _verify(engine: Engine) -> audit.Verification:
    with session_scope(make_sessionmaker(engine), read_only=True) as db:
        return audit.verify(db)


def test_a_plain_trail_is_checked_rekeyed_and_the_switch_recorded(fresh_engine: Engine) -> None:
    _record(fresh_engine, 3)
    keyed_hashes = _hashes(fresh_engine)
    migrate.downgrade(fresh_engine, BEFORE_KEYING)  # back to the plain chain
    assert not set(_hashes(fresh_engine)) & set(keyed_hashes)
    plain_head = _append_plain(fresh_engine)

    migrate.upgrade(fresh_engine)

    result = _verify(fresh_engine)
    assert result.ok, result.problem
    assert result.events == 5
    with fresh_engine.connect() as conn:
        last = conn.execute(select(_events).order_by(_events.c.seq.desc()).limit(1)).one()
    hashes = _hashes(fresh_engine)
    assert last.tag == EventTag.AUDIT_CHAIN_KEYED.value
    assert json.loads(last.details) == {"events": 4, "plain_head": plain_head}
    # Every hash is the keyed one again, the downgrade's plain ones gone.
    assert hashes[:3] == keyed_hashes[:3]
    assert plain_head not in hashes
    # The append-only triggers, lifted for the re-hash, are back.
    with pytest.raises(DBAPIError, match="append-only"), fresh_engine.begin() as conn:
        conn.execute(update(_events).values(subject_id="999"))


def test_a_broken_plain_trail_stops_the_upgrade_and_changes_nothing(fresh_engine: Engine) -> None:
    _record(fresh_engine, 3)
    migrate.downgrade(fresh_engine, BEFORE_KEYING)
    with fresh_engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_rewrite"))
        conn.execute(update(_events).where(_events.c.seq == 2).values(subject_id="999"))
    before = _hashes(fresh_engine)

    with pytest.raises(audit.ChainBroken, match="event 2 was altered"):
        migrate.upgrade(fresh_engine)

    assert migrate.current_revision(fresh_engine) == BEFORE_KEYING
    assert _hashes(fresh_engine) == before
