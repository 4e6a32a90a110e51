"""`steward db`: bring the database schema up to date and report its revision."""

from __future__ import annotations

import typer

from steward.cli.runtime import console, engine_for, head_revision, load_settings
from steward.core import migrate

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
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    if before == after:
        console.print(f"Database already at the latest revision ({after}).")
    else:
        console.print(f"Database upgraded from {before or 'empty'} to {after} (latest).")


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
