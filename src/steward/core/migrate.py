"""Run the Alembic chain from code (`steward db upgrade`, test fixtures)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect

from steward.core import audit_rekey

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"
# Full-text word indexes differ per backend (FTS5, tsvector), so they are written by hand in
# migrations and left out of model comparison.
BACKEND_SPECIFIC_TABLES = ("search_fts", "search_vectors")


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(BACKEND_SPECIFIC_TABLES))


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> int:
    """Migrate; returns how many audit events were re-hashed under the chain key (only ever
    on the upgrade that keys the chain).

    That re-keying runs in the migration's own transaction: a chain that does not verify
    stops the upgrade whole, and no database is ever left keyed in part."""
    with engine.begin() as connection:
        keyed_before = _audit_chain_keyed(connection)
        command.upgrade(_config(connection), revision)
        if not keyed_before and _audit_chain_keyed(connection):
            return audit_rekey.key_the_chain(connection)
    return 0


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        keyed_before = _audit_chain_keyed(connection)
        command.downgrade(_config(connection), revision)
        if keyed_before and _audit_chain_unkeyed(connection):
            audit_rekey.unkey_the_chain(connection)


def _audit_head_columns(connection: Connection) -> set[str] | None:
    inspector = inspect(connection)
    if not inspector.has_table("audit_head"):
        return None
    return {column["name"] for column in inspector.get_columns("audit_head")}


def _audit_chain_keyed(connection: Connection) -> bool:
    return "key_id" in (_audit_head_columns(connection) or set())


def _audit_chain_unkeyed(connection: Connection) -> bool:
    columns = _audit_head_columns(connection)
    return columns is not None and "key_id" not in columns


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
