"""The audit trail is append-only and any alteration, deletion or reordering is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.audit import AuditEvent, AuditHead, EventTag
from steward.core.permissions import Actor, Role


def _append(db: Session, n: int) -> list[int]:
    actor = Actor.user(7, Role.DPO)
    return [
        audit.record(
            db,
            actor,
            EventTag.USER_CREATED,
            subject_type="user",
            subject_id=i,
            details={"role": "dpo"},
        )
        for i in range(n)
    ]


def _allow_rewrites(db: Session) -> None:
    """Drop the append-only triggers inside the test's transaction, as an attacker with
    database access could; the rollback after the test restores them."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("DROP TRIGGER audit_events_no_update"))
        db.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_rewrite"))


def test_an_untouched_chain_verifies(db: Session) -> None:
    seqs = _append(db, 5)
    result = audit.verify(db)
    assert result.ok, result.problem
    assert result.events >= 5
    assert seqs == list(range(seqs[0], seqs[0] + 5))


def test_events_recorded_together_chain_in_order_between_single_ones(db: Session) -> None:
    before = _append(db, 1)[0]
    actor = Actor.user(7, Role.DPO)
    audit.record_many(
        db,
        actor,
        EventTag.USER_CREATED,
        [
            audit.Entry(subject_type="user", subject_id=i, details={"role": "dpo"})
            for i in (10, 11, 12)
        ],
    )
    after = _append(db, 1)[0]
    assert after == before + 4
    together = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.seq > before, AuditEvent.seq < after)
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.subject_id, e.actor_id, e.details) for e in together] == [
        (str(i), 7, '{"role":"dpo"}') for i in (10, 11, 12)
    ]
    result = audit.verify(db)
    assert result.ok, result.problem


def test_free_text_in_events_recorded_together_records_none_of_them(db: Session) -> None:
    head = _append(db, 1)[0]
    with pytest.raises(ValueError, match="free text"):
        audit.record_many(
            db,
            Actor.system(),
            EventTag.USER_CREATED,
            [audit.Entry(details={"role": "dpo"}), audit.Entry(details={"name": "Mia Hart"})],
        )
    assert db.scalar(select(AuditHead.seq)) == head


def test_the_database_refuses_to_rewrite_events(db: Session) -> None:
    _append(db, 1)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(update(AuditEvent).values(tag="user:deactivated"))
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("DELETE FROM audit_events"))


def test_an_edited_event_is_named(db: Session) -> None:
    seqs = _append(db, 5)
    _allow_rewrites(db)
    db.execute(update(AuditEvent).where(AuditEvent.seq == seqs[2]).values(subject_id="999"))
    result = audit.verify(db)
    assert not result.ok
    assert result.first_bad_seq == seqs[2]
    assert "altered" in (result.problem or "")


def test_a_deleted_event_is_named(db: Session) -> None:
    seqs = _append(db, 5)
    _allow_rewrites(db)
    db.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seqs[1]})
    result = audit.verify(db)
    assert not result.ok
    assert result.first_bad_seq == seqs[1]
    assert "missing" in (result.problem or "")


def test_a_deleted_tail_is_detected(db: Session) -> None:
    seqs = _append(db, 3)
    _allow_rewrites(db)
    db.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seqs[-1]})
    result = audit.verify(db)
    assert not result.ok
    assert result.first_bad_seq == seqs[-1]


def test_swapped_events_are_detected(db: Session) -> None:
    seqs = _append(db, 4)
    _allow_rewrites(db)
    a, b = seqs[1], seqs[2]
    # Swap the two rows' contents while keeping the sequence numbers in place.
    db.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = :a"), {"a": a})
    db.execute(text("UPDATE audit_events SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
    db.execute(text("UPDATE audit_events SET seq = :b WHERE seq = -1"), {"b": b})
    result = audit.verify(db)
    assert not result.ok
    assert result.first_bad_seq == a


def test_a_forged_head_is_detected(db: Session) -> None:
    _append(db, 2)
    db.execute(update(AuditHead).values(hash="f" * 64))
    assert not audit.verify(db).ok


@pytest.mark.parametrize("value", ["Jane Smith", "<script>", "=cmd|' /C calc'!A0", "../etc/passwd"])
def test_free_text_cannot_enter_the_trail(db: Session, value: str) -> None:
    with pytest.raises(ValueError, match="id or tag"):
        audit.record(db, Actor.system(), EventTag.USER_CREATED, details={"note": value})


def test_events_rolled_back_with_their_transaction_leave_the_chain_whole(db: Session) -> None:
    _append(db, 1)
    with pytest.raises(RuntimeError), db.begin_nested():
        _append(db, 3)
        raise RuntimeError("the use-case failed")
    _append(db, 1)
    assert audit.verify(db).ok
