"""Alembic environment: one migration chain for SQLite (SQLCipher) and PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from steward.core.config import get_settings
from steward.core.db import make_engine
from steward.core.migrate import include_name
from steward.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


# A caller (tests, `steward db upgrade`) may hand over its own connection.
connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(get_settings())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
