"""`steward tokens`: API tokens for scripts and integrations acting as a staff account."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from steward.cli.runtime import console, err_console, iso, load_settings, plain, unit_of_work
from steward.core import auth
from steward.core.permissions import Actor

app = typer.Typer(help="API tokens: create, list and revoke.", no_args_is_help=True)

Username = Annotated[str, typer.Option("--username", "-u", help="The account the token acts as.")]


@app.command()
def create(
    username: Username,
    name: Annotated[
        str, typer.Option("--name", "-n", help="What the token is for, to recognise it later.")
    ] = "command line",
) -> None:
    """Create an API token. It is printed once, on standard output, and never shown again.
    It stops working after STEWARD_TOKEN_DAYS days (90 by default)."""
    settings = load_settings()
    with unit_of_work(settings) as db:
        user = auth.get_user(db, username=username)
        token, secret = auth.create_token(
            db, Actor.system(), user_id=user.id, name=name, days=settings.token_days
        )
        token_id, expires_at = token.id, token.expires_at
    # The secret alone on stdout, so `TOKEN=$(steward tokens create ...)` captures just it.
    typer.echo(secret)
    err_console.print(
        plain(
            f"Token {token_id} created for {username}, expiring {iso(expires_at)}. "
            "Copy it now: it will not be shown again."
        ),
        style="yellow",
        soft_wrap=True,
    )


@app.command("list")
def list_(
    username: Username,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array instead of a table.")
    ] = False,
) -> None:
    """List an account's API tokens (their ids and prefixes, never the tokens themselves)."""
    with unit_of_work() as db:
        user = auth.get_user(db, username=username)
        rows = [
            {
                "id": token.id,
                "name": token.name,
                "prefix": token.display_prefix,
                "created_at": iso(token.created_at),
                "last_used_at": iso(token.last_used_at),
                "revoked_at": iso(token.revoked_at),
                "expires_at": iso(token.expires_at),
            }
            for token in auth.list_tokens(db, Actor.system(), user_id=user.id)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=plain(f"API tokens of {username} ({len(rows)})"))
    for column in ("Id", "Name", "Prefix", "Created", "Last used", "Expires", "Status"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            plain(row["name"]),
            f"{row['prefix']}…",
            str(row["created_at"])[:16].replace("T", " "),
            str(row["last_used_at"] or "never")[:16].replace("T", " "),
            str(row["expires_at"] or "")[:16].replace("T", " "),
            "revoked" if row["revoked_at"] else "active",
        )
    console.print(table)


@app.command()
def revoke(
    token_id: Annotated[int, typer.Argument(help="Id of the token (see `steward tokens list`).")],
) -> None:
    """Revoke an API token: it stops working at once. Revoking twice is harmless."""
    with unit_of_work() as db:
        auth.revoke_token(db, Actor.system(), token_id=token_id)
    console.print(f"Token {token_id} is revoked.")
