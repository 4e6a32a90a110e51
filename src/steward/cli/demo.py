"""`steward demo`: load demonstration data into a development installation."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from steward.cli.runtime import console, load_settings, local_url, unit_of_work
from steward.core.permissions import ROLE_DESCRIPTIONS, Actor
from steward.demo import service

app = typer.Typer(
    help="Demonstration data for trying Steward out (refused in production).",
    no_args_is_help=True,
)


@app.command()
def seed(
    if_empty: Annotated[
        bool,
        typer.Option(
            "--if-empty",
            help="Do nothing if any account already exists (still shows how to sign in).",
        ),
    ] = False,
) -> None:
    """Create demo staff accounts, one or more per role, sharing one demo password."""
    settings = load_settings()
    with unit_of_work(settings) as db:
        result = service.seed(db, Actor.system(), environment=settings.env, if_empty=if_empty)
    created = sum(1 for seeded in result.accounts if seeded.created)
    if result.skipped:
        console.print("Accounts already exist: no demo data added.")
    else:
        console.print(f"Demo data: {created} account(s) created.")
    if not result.accounts:
        console.print("None of the demo accounts exist here; sign in with your own account.")
        return
    table = Table(title=f"Sign in at {local_url(settings, host='127.0.0.1')}")
    for column in ("Username", "Role", "Team", "What they do"):
        table.add_column(column)
    for seeded in result.accounts:
        account = seeded.account
        table.add_row(
            account.username,
            account.role.value,
            account.team or "",
            ROLE_DESCRIPTIONS[account.role],
        )
    console.print(table)
    console.print(
        f"Password for every demo account: {service.DEMO_PASSWORD}"
        + ("" if created == len(result.accounts) else " (unless it has since been changed)"),
        markup=False,
        soft_wrap=True,
    )
