"""Shared fixtures: one migrated database per test run, one rolled-back transaction per test.

Set STEWARD_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
the suite on PostgreSQL; unset, it runs on an encrypted SQLCipher file, the embedded default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from steward.core import keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine

TEST_DATABASE_URL = os.environ.get("STEWARD_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("steward-data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    # Two-factor enrolment is off here so the suite can sign in as every role through the
    # sign-in page; tests/web/test_two_factor_required.py turns it on to test it.
    return Settings(
        env=Environment.TEST,
        data_dir=data_dir,
        database_url=TEST_DATABASE_URL,
        two_factor_required=False,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that commit into savepoints of one outer transaction, rolled back after the
    test (Warehouse's pattern): the code under test commits as in production."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield factory
    outer.rollback()
    connection.close()


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture(scope="session")
def keyring(settings: Settings) -> FileKeyring:
    return FileKeyring(keyfile.load_or_create(settings.resolved_key_file))


@pytest.fixture
def fresh_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, for tests whose units of work commit for real (several at once)."""
    settings = Settings(env=Environment.TEST, data_dir=tmp_path)
    if TEST_DATABASE_URL is None:
        engine = make_engine(settings)
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = f"fresh_{secrets.token_hex(4)}"
    admin = make_engine(settings, url=make_url(TEST_DATABASE_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(settings, url=url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
