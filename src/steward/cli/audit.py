"""`steward audit`: prove the audit trail unbroken, and read it."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from steward.cli.runtime import console, fail, iso, unit_of_work
from steward.core import audit
from steward.core.permissions import Actor

app = typer.Typer(help="Audit trail: verify its hash chain and read events.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Recompute the hash chain over every event. Exits 1 and names the first bad event."""
    with unit_of_work(read_only=True) as db:
        result = audit.verify(db)
    if not result.ok:
        fail(
            f"Audit trail BROKEN at event {result.first_bad_seq}: {result.problem}. "
            f"{result.events} events before it verify."
        )
        raise typer.Exit(1)
    console.print(f"Audit trail intact: {result.events} events")


@app.command()
def log(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array instead of a table.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=10_000, help="How many events to show.")
    ] = 100,
) -> None:
    """Show the most recent events, newest first. Reading the trail is itself recorded."""
    with unit_of_work() as db:
        rows = [
            {
                "seq": event.seq,
                "occurred_at": iso(event.occurred_at),
                "actor_kind": event.actor_kind,
                "actor_id": event.actor_id,
                "tag": event.tag,
                "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "details": json.loads(event.details),
                "hash": event.hash,
            }
            for event in audit.list_events(db, Actor.system(), limit=limit)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Audit events (newest {len(rows)})")
    for column in ("Seq", "When (UTC)", "Actor", "Tag", "Subject"):
        table.add_column(column, no_wrap=True)
    table.add_column("Details")
    for row in rows:
        actor = str(row["actor_kind"]) + (f":{row['actor_id']}" if row["actor_id"] else "")
        subject = f"{row['subject_type']}:{row['subject_id']}" if row["subject_type"] else ""
        table.add_row(
            str(row["seq"]),
            str(row["occurred_at"])[:19].replace("T", " "),
            actor,
            str(row["tag"]),
            subject,
            Text(json.dumps(row["details"], separators=(",", ":")) if row["details"] else ""),
        )
    console.print(table)
