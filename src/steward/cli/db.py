"""`steward db`: bring the database schema up to date and report its revision."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from steward.archives import service as archives
from steward.cli.runtime import console, engine_for, head_revision, keyring, load_settings
from steward.core import migrate
from steward.core.config import Settings
from steward.core.db import make_sessionmaker, session_scope
from steward.retention.service import sealing

app = typer.Typer(
    help="Database schema: apply migrations and show the current revision.",
    no_args_is_help=True,
)


@app.command()
def upgrade() -> None:
    """Apply every pending migration, up to the latest revision. Safe to run repeatedly."""
    settings = load_settings()
    with engine_for(settings) as engine:
        before = migrate.current_revision(engine)
        rekeyed = migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        sealed = _seal_legacy_text(engine, settings)
    if rekeyed:
        console.print(
            f"Checked the audit trail's {rekeyed} events and re-hashed them under the key "
            "file's chain key (recorded in the trail). Start anchoring it: steward audit anchor."
        )
    if sealed:
        console.print(
            f"Sealed the reasons and notes of {sealed} record(s) kept in plain text before."
        )
    if before == after:
        console.print(f"Database already at the latest revision ({after}).")
    else:
        console.print(f"Database upgraded from {before or 'empty'} to {after} (latest).")


def _seal_legacy_text(engine: Engine, settings: Settings) -> int:
    """Free text written before it was sealed: a migration cannot open the key file, so it
    is sealed here, once the schema is current, and the plain text cleared in the same
    transaction. The key file is opened only when there is something to seal."""
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    with session_scope(make_sessionmaker(engine)) as db:
        if not (sealing.has_legacy_reasons(db) or archives.has_legacy_notes(db)):
            return 0
        kek = keyring(settings)
        return sealing.seal_legacy_reasons(db, kek) + archives.seal_legacy_notes(db, kek)


@app.command()
def current() -> None:
    """Show the database's revision and whether it is the latest."""
    settings = load_settings()
    with engine_for(settings) as engine:
        revision = migrate.current_revision(engine)
        backend = engine.dialect.name
    head = head_revision()
    if revision is None:
        console.print(f"Database ({backend}): not initialised. Run: steward db upgrade")
    elif revision == head:
        console.print(f"Database ({backend}): revision {revision} (latest)")
    else:
        console.print(
            f"Database ({backend}): revision {revision}; latest is {head}. Run: steward db upgrade"
        )
