"""Several writers append to one chain at once, and it stays one unbroken chain."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine

from steward.core import audit
from steward.core.audit import EventTag
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role


def test_concurrent_writers_build_one_unbroken_chain(fresh_engine: Engine, tmp_path: Path) -> None:
    # Two engines stand in for two app processes: each has its own guess of the head, and
    # both the same key file (fresh_engine's, in tmp_path).
    second = make_engine(Settings(env=Environment.TEST, data_dir=tmp_path), url=fresh_engine.url)
    errors: list[BaseException] = []

    def writer(engine: Engine, user_id: int) -> None:
        factory = make_sessionmaker(engine)
        try:
            for i in range(40):
                with session_scope(factory) as db:
                    for _ in range(1 + i % 3):
                        audit.record(
                            db,
                            Actor.user(user_id, Role.CASEWORKER),
                            EventTag.USER_CREATED,
                            subject_id=i,
                        )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=(e, n))
        for n, e in enumerate([fresh_engine, second, fresh_engine, second], 1)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.dispose()
    assert errors == []
    with session_scope(make_sessionmaker(fresh_engine)) as db:
        result = audit.verify(db)
    assert result.ok, result.problem
    assert result.events == 4 * sum(1 + i % 3 for i in range(40))


def test_verifying_the_trail_does_not_hold_up_writers(fresh_engine: Engine) -> None:
    factory = make_sessionmaker(fresh_engine)
    with session_scope(factory) as db:
        audit.record(db, Actor.system(), EventTag.USER_CREATED)
    with session_scope(factory, read_only=True) as reader:
        assert audit.verify(reader).ok
        # While the verifying transaction is still open, a writer commits at once.
        with session_scope(factory) as writer:
            audit.record(writer, Actor.system(), EventTag.USER_CREATED)
    with session_scope(factory) as db:
        assert audit.verify(db).events == 2
