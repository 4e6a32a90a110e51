"""One commit per command: a use-case that fails part-way leaves nothing behind, not even its
audit events, and one that succeeds lands whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, auth, crypto, migrate
from steward.core.audit import AuditEvent, EventTag
from steward.core.config import Environment, Settings
from steward.core.crypto import DataKey, FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from tests.factories.core import DEFAULT_PASSWORD


class _UseCaseFailed(Exception):
    pass


def _state(factory: sessionmaker[Session], username: str) -> tuple[bool, int]:
    with factory() as db:
        exists = db.scalar(select(auth.User.id).where(auth.User.username == username)) is not None
        return exists, int(db.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_failed_command_leaves_neither_the_user_nor_its_events(
    session_factory: sessionmaker[Session],
) -> None:
    _, events_before = _state(session_factory, "half-done")
    with pytest.raises(_UseCaseFailed), session_scope(session_factory) as db:
        auth.create_user(
            db, Actor.system(), username="half-done", role=Role.MANAGER, password=DEFAULT_PASSWORD
        )
        audit.record(db, Actor.system(), EventTag.USER_PASSWORD_CHANGED, subject_type="user")
        db.flush()
        raise _UseCaseFailed
    assert _state(session_factory, "half-done") == (False, events_before)

    # The chain carries on from where it was, as if the failed command never ran.
    with session_scope(session_factory) as db:
        seq = audit.record(db, Actor.system(), EventTag.USER_DEACTIVATED)
        assert seq == events_before + 1
        assert audit.verify(db).ok


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interrupted_command_is_rolled_back_too(
    session_factory: sessionmaker[Session], keyring: FileKeyring, interruption: type[BaseException]
) -> None:
    with session_factory() as db:
        keys_before = int(db.scalar(select(func.count()).select_from(DataKey)) or 0)
    with pytest.raises(interruption), session_scope(session_factory) as db:
        crypto.create_data_key(db, keyring, purpose="case")
        audit.record(db, Actor.system(), EventTag.KEK_ROTATED)
        raise interruption
    with session_factory() as db:
        assert db.scalar(select(func.count()).select_from(DataKey)) == keys_before


def test_a_successful_command_is_committed_once_and_visible_after(
    session_factory: sessionmaker[Session],
) -> None:
    _, events_before = _state(session_factory, "landed")
    with session_scope(session_factory) as db:
        auth.create_user(
            db, Actor.system(), username="landed", role=Role.MANAGER, password=DEFAULT_PASSWORD
        )
    assert _state(session_factory, "landed") == (True, events_before + 1)


def test_rollback_is_real_on_a_database_file(tmp_path: Path) -> None:
    """The same, with no test transaction around it: a fresh embedded database, real commits."""
    settings = Settings(env=Environment.TEST, data_dir=tmp_path, database_url=None, key_file=None)
    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as db:
            audit.record(db, Actor.system(), EventTag.USER_CREATED)
        with pytest.raises(_UseCaseFailed), session_scope(factory) as db:
            auth.create_user(
                db, Actor.system(), username="ghost", role=Role.ADMIN, password=DEFAULT_PASSWORD
            )
            raise _UseCaseFailed
        engine.dispose()  # drop every connection: what is left is what was committed

        assert _state(factory, "ghost") == (False, 1)
        with factory() as db:
            assert audit.verify(db).ok
    finally:
        engine.dispose()


def test_a_reader_records_what_it_read_once_its_reads_are_over(fresh_engine: Engine) -> None:
    factory = make_sessionmaker(fresh_engine)
    with session_scope(factory, read_only=True) as reader:
        reader.execute(select(func.count()).select_from(auth.User))
        assert audit.record(reader, Actor.system(), EventTag.AUDIT_LOG_READ) is None
        # Not yet: the event waits for the reads to end, so the reader holds no lock.
        with factory() as other:
            assert other.scalar(select(func.count()).select_from(AuditEvent)) == 0
    with factory() as db:
        assert db.scalars(select(AuditEvent.tag)).all() == [EventTag.AUDIT_LOG_READ.value]
        assert audit.verify(db).ok


def test_a_reader_that_fails_records_nothing(fresh_engine: Engine) -> None:
    factory = make_sessionmaker(fresh_engine)
    with pytest.raises(_UseCaseFailed), session_scope(factory, read_only=True) as reader:
        audit.record(reader, Actor.system(), EventTag.AUDIT_LOG_READ)
        raise _UseCaseFailed
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_reader_cannot_write_and_leaves_its_connection_writable(fresh_engine: Engine) -> None:
    if fresh_engine.dialect.name != "sqlite":
        pytest.skip("query_only is SQLite's; PostgreSQL readers never block writers anyway")
    factory = make_sessionmaker(fresh_engine)
    with (
        pytest.raises(OperationalError, match="readonly"),
        session_scope(factory, read_only=True) as reader,
    ):
        auth.create_user(
            reader, Actor.system(), username="sneaky", role=Role.DPO, password=DEFAULT_PASSWORD
        )
        reader.flush()
    # The pool hands the same connection to the next writer: it must write normally.
    with session_scope(factory) as writer:
        auth.create_user(
            writer, Actor.system(), username="honest", role=Role.DPO, password=DEFAULT_PASSWORD
        )
    with factory() as db:
        assert db.scalars(select(auth.User.username)).all() == ["honest"]
