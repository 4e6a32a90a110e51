"""The Alembic chain builds exactly the schema the models describe, on this backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from steward.core.migrate import include_name
from steward.models import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_name": include_name},
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], "run `alembic revision --autogenerate` and review the new migration"
