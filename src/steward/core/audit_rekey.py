"""Moving the audit chain from one key to another, inside a migration's transaction.

``steward db upgrade`` keys a trail written before the chain was keyed (plain SHA-256): the
whole chain is checked as it stands, every hash recomputed under the key file's chain key, and
the switch recorded. A downgrade below the keyed schema does the reverse.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, text, update

from steward.core import audit
from steward.core.audit import (
    GENESIS_HASH,
    PLAIN,
    ChainBroken,
    ChainKey,
    ChainWalk,
    EventTag,
    Verification,
    keys_for,
)
from steward.core.permissions import Actor

_events = cast(Table, audit.AuditEvent.__table__)
_head = cast(Table, audit.AuditHead.__table__)


def _allow_rewrites(connection: Connection) -> None:
    # IF EXISTS: whoever last rewrote the table may have left the triggers dropped;
    # _forbid_rewrites puts them back either way.
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
    else:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_rewrite ON audit_events"))


def _forbid_rewrites(connection: Connection) -> None:
    # The same triggers as the first migration made.
    if connection.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            connection.execute(
                text(
                    f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
                )
            )
    else:
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; "
                "END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER audit_events_no_rewrite BEFORE UPDATE OR DELETE ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
            )
        )


_REHASH_EVENT = (
    update(_events)
    .where(_events.c.seq == bindparam("s"))
    .values(prev_hash=bindparam("p"), hash=bindparam("h"))
)


def rehash_chain(
    connection: Connection, *, old: ChainKey, new: ChainKey, batch: int = 10_000
) -> tuple[int, str]:
    """Check the whole chain under ``old`` and re-hash every event under ``new``, in the
    caller's transaction; returns (events, the head's hash under ``old``). A chain that does
    not verify under ``old`` is refused (ChainBroken), never re-hashed: that would launder
    whatever was done to it."""
    row = connection.execute(
        select(_head.c.seq, _head.c.hash).where(_head.c.id == 1).with_for_update()
    ).first()
    if row is None:
        raise ChainBroken("The audit trail's head row is missing.")
    walk = ChainWalk(old, (int(row.seq), str(row.hash)))
    _allow_rewrites(connection)
    running, last_seq = GENESIS_HASH, 0
    while True:
        rows = connection.execute(
            select(*audit.CHAIN_COLUMNS)
            .where(_events.c.seq > last_seq)
            .order_by(_events.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        rehashed = []
        for event in rows:
            broken = walk.step(event)
            if broken is not None:
                raise ChainBroken(_refusal(broken))
            digest = audit.row_hash(new, running, event)
            rehashed.append({"s": event.seq, "p": running, "h": digest})
            running = digest
        connection.execute(_REHASH_EVENT, rehashed)
        last_seq = rows[-1].seq
    done = walk.finish()
    if not done.ok:
        raise ChainBroken(_refusal(done))
    connection.execute(update(_head).where(_head.c.id == 1).values(hash=running))
    _forbid_rewrites(connection)
    audit.forget_head(connection.engine)
    return done.events, walk.running


def _refusal(broken: Verification) -> str:
    return (
        f"The audit trail does not verify as it stands ({broken.problem}), so it was not "
        "re-hashed: find out what happened to it (restore it from a backup) first."
    )


def key_the_chain(connection: Connection) -> int:
    """Move a plain SHA-256 chain under the key file's chain key: every hash recomputed, and
    the switch recorded as an event naming the old head. Runs in the migration's transaction
    (core/migrate.py), so the schema and the chain change together or not at all."""
    keys = keys_for(connection.engine)
    count, plain_head = rehash_chain(connection, old=PLAIN, new=keys.chain)
    connection.execute(update(_head).where(_head.c.id == 1).values(key_id=keys.key_id))
    if count:
        head = connection.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)).one()
        fields = audit.event_fields(
            Actor.system(),
            EventTag.AUDIT_CHAIN_KEYED,
            subject_type=None,
            subject_id=None,
            details={"events": count, "plain_head": plain_head},
        )
        audit.append_to_chain(connection, keys.chain, (int(head.seq), str(head.hash)), fields)
    return count


def unkey_the_chain(connection: Connection) -> int:
    """Back to the plain chain, for a downgrade below the keyed schema."""
    count, _keyed_head = rehash_chain(connection, old=keys_for(connection.engine).chain, new=PLAIN)
    return count
