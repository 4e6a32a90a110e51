"""Where a benchmark runs Steward: the embedded SQLCipher database in a data directory of its
own, or a schema of its own on a PostgreSQL server, each with the facts that matter for the
figures (versions, journal and sync settings) to put in the result's ``context``."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench import log
from steward.core.config import Environment, Settings
from steward.core.db import make_engine

POSTGRES_URL_ENV = "BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The server benchmarks use: ``BENCH_POSTGRES_URL``, else the local test database; an
    empty value skips PostgreSQL."""
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)


@dataclass
class Backend:
    name: str
    data_dir: Path
    database_url: str | None  # None: the embedded SQLCipher default in data_dir
    engine: Engine
    context: dict[str, Any]

    @property
    def settings(self) -> Settings:
        return bench_settings(self.data_dir, self.database_url)


def bench_settings(data_dir: Path, database_url: str | None) -> Settings:
    # Explicit values, so a STEWARD_DATABASE_URL in the environment cannot redirect the bench.
    return Settings(env=Environment.TEST, data_dir=data_dir, database_url=database_url)


@contextmanager
def sqlite_backend(tmp: Path) -> Iterator[Backend]:
    data_dir = tmp / "sqlite"
    engine = make_engine(bench_settings(data_dir, None))
    try:
        with engine.connect() as conn:
            cipher = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
            sqlite_version = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        yield Backend(
            "sqlite",
            data_dir,
            None,
            engine,
            {
                "engine": "SQLCipher (steward.core.db.make_engine defaults)",
                "sqlcipher": cipher,
                "sqlite": sqlite_version,
                "journal_mode": journal,
                "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, sync),
                "stdlib_sqlite_for_reference": sqlite3.sqlite_version,
            },
        )
    finally:
        engine.dispose()


@contextmanager
def postgres_backend(tmp: Path, url: str, schema: str) -> Iterator[Backend | None]:
    """A fresh ``schema`` on the server at ``url``, dropped afterwards; yields None (and says
    why) when PostgreSQL is not reachable."""
    base = make_url(url)
    admin = create_engine(base, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            version = conn.execute(text("SHOW server_version")).scalar()
            sync_commit = conn.execute(text("SHOW synchronous_commit")).scalar()
            fsync = conn.execute(text("SHOW fsync")).scalar()
    except OperationalError as exc:
        log(f"postgresql: not reachable at {base!r}, skipped ({str(exc.orig).strip()[:120]})")
        admin.dispose()
        yield None
        return
    scoped = base.update_query_dict({"options": f"-csearch_path={schema}"})
    scoped_url = scoped.render_as_string(hide_password=False)
    data_dir = tmp / "postgresql"
    engine = make_engine(bench_settings(data_dir, scoped_url))
    try:
        yield Backend(
            "postgresql",
            data_dir,
            scoped_url,
            engine,
            {
                "engine": "psycopg 3 (steward.core.db.make_engine defaults, pool_pre_ping)",
                "server_version": version,
                "schema": schema,
                "synchronous_commit": sync_commit,
                "fsync": fsync,
            },
        )
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
