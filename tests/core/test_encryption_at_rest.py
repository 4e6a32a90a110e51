"""The embedded database file holds no plaintext: a stolen copy of the data directory, without
the key file, gives away nothing. Each test builds its own database in a fresh directory."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, LargeBinary, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from steward.core import auth, crypto, keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("STEWARD_TEST_DATABASE_URL")),
    reason="encryption at rest is a property of the embedded SQLCipher file; "
    "PostgreSQL's storage is the operator's to encrypt",
)


def _settings(data_dir: Path, **overrides: Any) -> Settings:
    # Explicit fields so a STEWARD_DATABASE_URL in the environment cannot redirect the test.
    fields: dict[str, Any] = {
        "env": Environment.TEST,
        "data_dir": data_dir,
        "database_url": None,
        "key_file": None,
    }
    fields.update(overrides)
    return Settings(**fields)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path / "data")


@pytest.fixture
def token() -> str:
    return secrets.token_hex(12)


def _migrated(settings: Settings, url: str | None = None) -> Engine:
    engine = make_engine(settings, url=make_url(url) if url else None)
    migrate.upgrade(engine)
    return engine


def _write_marked_records(engine: Engine, settings: Settings, token: str) -> None:
    """A user whose username and team carry the marker in plain columns, and a sealed body
    carrying it (the sealed bytes themselves never hold it)."""
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    body = f"Statement of the child, reference {token}".encode()
    with session_scope(make_sessionmaker(engine)) as db:
        auth.create_user(
            db,
            Actor.system(),
            username=f"marker-{token}",
            role=Role.CASEWORKER,
            password="a long enough password",
            team=f"Team {token}",
        )
        key = crypto.create_data_key(db, keyring, purpose="case")
        sealed = crypto.seal(db, keyring, key_id=key.id, plaintext=body, context="document:1:body")
        assert token.encode() not in sealed
        db.execute(text("CREATE TABLE scratch_documents (id INTEGER PRIMARY KEY, body BLOB)"))
        db.execute(
            text("INSERT INTO scratch_documents (id, body) VALUES (1, :body)").bindparams(
                body=sealed
            ),
        )
    # Sanity: the marker really went in, and reads back through the key.
    with session_scope(make_sessionmaker(engine)) as db:
        team = db.scalar(
            text("SELECT team FROM users WHERE username = :u"), {"u": f"marker-{token}"}
        )
        assert team == f"Team {token}"
        stored = db.scalar(
            text("SELECT body FROM scratch_documents WHERE id = 1").columns(body=LargeBinary)
        )
        assert (
            crypto.open_sealed(db, keyring, key_id=key.id, sealed=stored, context="document:1:body")
            == body
        )


def _files_holding(settings: Settings, marker: bytes) -> Iterator[Path]:
    for path in _scanned_files(settings):
        if marker in path.read_bytes():
            yield path


def _scanned_files(settings: Settings) -> list[Path]:
    key_file = settings.resolved_key_file.resolve()
    return [p for p in settings.data_dir.rglob("*") if p.is_file() and p.resolve() != key_file]


def test_no_plaintext_on_disk_after_the_database_is_closed(settings: Settings, token: str) -> None:
    engine = _migrated(settings)
    _write_marked_records(engine, settings, token)
    engine.dispose()

    assert settings.embedded_database_path in _scanned_files(settings)
    assert list(_files_holding(settings, token.encode())) == []


def test_no_plaintext_on_disk_while_the_database_is_open(settings: Settings, token: str) -> None:
    engine = _migrated(settings)
    try:
        _write_marked_records(engine, settings, token)
        with engine.connect():  # hold a connection, as a running server does
            wal = settings.embedded_database_path.with_name("steward.db-wal")
            assert wal.exists() and wal.stat().st_size > 0, "expected the write-ahead log in use"
            assert wal in _scanned_files(settings)
            assert list(_files_holding(settings, token.encode())) == []
    finally:
        engine.dispose()


def test_the_file_is_not_a_plain_sqlite_database(settings: Settings, token: str) -> None:
    engine = _migrated(settings)
    _write_marked_records(engine, settings, token)
    engine.dispose()

    path = settings.embedded_database_path
    assert not path.read_bytes()[:16].startswith(b"SQLite format 3")
    plain = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            plain.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        plain.close()


def test_the_file_does_not_open_under_another_key(
    settings: Settings, token: str, tmp_path: Path
) -> None:
    engine = _migrated(settings)
    _write_marked_records(engine, settings, token)
    engine.dispose()

    stranger = make_engine(_settings(settings.data_dir, key_file=tmp_path / "other.key"))
    try:
        with pytest.raises(DatabaseError, match="not a database"), stranger.connect() as conn:
            conn.execute(text("SELECT count(*) FROM users")).scalar()
    finally:
        stranger.dispose()


def test_the_scan_would_find_plaintext_in_an_unencrypted_file(
    settings: Settings, token: str
) -> None:
    """Control: the same records in plain SQLite are found, so the scans above can fail."""
    path = settings.data_dir / "plain.db"
    settings.data_dir.mkdir(mode=0o700, parents=True)
    engine = _migrated(settings, f"sqlite:///{path}")
    _write_marked_records(engine, settings, token)
    engine.dispose()
    assert path in list(_files_holding(settings, token.encode()))


def test_a_destroyed_data_key_leaves_no_bytes_in_the_decrypted_file(settings: Settings) -> None:
    """Crypto-shredding: once the destruction is committed and the write-ahead log
    checkpointed, no fragment of the wrapped key is left in the file (not even in freed page
    space). Checked on plain SQLite with the same pragmas, standing in for a decrypted copy.
    Until that checkpoint the old page image is still in the -wal file: disposal must run one."""
    path = settings.data_dir / "plain.db"
    settings.data_dir.mkdir(mode=0o700, parents=True)
    engine = _migrated(settings, f"sqlite:///{path}")
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as db:
            keys = [crypto.create_data_key(db, keyring, purpose="case") for _ in range(5)]
        key = keys[2]  # neighbours on the same page, so the freed space is not simply reused
        wrapped = key.wrapped_key
        assert wrapped is not None
        # Any 16-byte run of the wrapped key surviving would be a fragment of it.
        fragments = [wrapped[i : i + 16] for i in range(0, len(wrapped) - 15)]

        def on_disk() -> bytes:
            # Outside any transaction: the engine's BEGIN IMMEDIATE would block the checkpoint.
            raw = engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            return b"".join(p.read_bytes() for p in settings.data_dir.glob("plain.db*"))

        assert wrapped in on_disk()  # control: the wrapped key is there before shredding
        with session_scope(factory) as db:
            crypto.destroy_data_key(db, key_id=key.id)
        remains = on_disk()
        assert [f for f in fragments if f in remains] == []
        neighbour = keys[1].wrapped_key
        assert neighbour is not None and neighbour in remains  # neighbours are untouched
    finally:
        engine.dispose()
