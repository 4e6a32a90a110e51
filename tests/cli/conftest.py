"""A real, committed database per CLI test.

The CLI builds its own engine from STEWARD_* settings and commits for real, so it cannot use
the shared savepoint fixture. On SQLite each test gets a fresh data directory (database and
key file). On PostgreSQL each test gets its own schema in the test database, selected with a
libpq ``options=-csearch_path=...`` in the URL, so nothing it commits (alembic's version table
included) lands in ``public``, where the rest of the suite runs; the schema is dropped after.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from steward.cli.main import app
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope

TEST_DATABASE_URL = os.environ.get("STEWARD_TEST_DATABASE_URL") or None
TEST_PORT = 8123


@dataclass
class Cli:
    runner: CliRunner
    data_dir: Path
    database_url: str | None
    schema: str | None

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    @property
    def settings(self) -> Settings:
        return Settings(
            env=Environment.TEST, data_dir=self.data_dir, database_url=self.database_url
        )

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        engine = make_engine(self.settings)
        try:
            yield engine
        finally:
            engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A committed unit of work on the CLI's database, for arranging and checking."""
        with self.engine() as engine, session_scope(make_sessionmaker(engine)) as db:
            yield db

    def create_user(self, username: str, role: str = "caseworker", *extra: str) -> None:
        self.ok(
            "users",
            "create",
            "--username",
            username,
            "--role",
            role,
            "--password-stdin",
            *extra,
            input="a long enough password\n",
        )


@pytest.fixture
def fresh_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The CLI on an empty, unmigrated database."""
    for name in list(os.environ):
        if name.startswith("STEWARD_") and name != "STEWARD_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("STEWARD_ENV", "test")
    monkeypatch.setenv("STEWARD_DATA_DIR", str(data_dir))
    monkeypatch.setenv("STEWARD_PORT", str(TEST_PORT))
    # Wide enough that Rich never wraps a table cell or message under test.
    monkeypatch.setenv("COLUMNS", "200")
    schema = url = None
    admin: Engine | None = None
    if TEST_DATABASE_URL:
        schema = f"cli_test_{secrets.token_hex(6)}"
        admin = create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = (
            make_url(TEST_DATABASE_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    try:
        yield Cli(CliRunner(), data_dir, url, schema)
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


@pytest.fixture
def cli(fresh_cli: Cli) -> Cli:
    """The CLI on a database migrated with `steward db upgrade`."""
    fresh_cli.ok("db", "upgrade")
    return fresh_cli


def all_commands() -> Sequence[tuple[str, ...]]:
    """Every command path, groups included, e.g. (), ("users",), ("users", "create")."""
    from typer.main import get_command

    paths: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(get_command(app), ())
    return paths
