"""`steward audit`: prove the audit trail unbroken, anchor its head outside, and read it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from steward.cli.runtime import CliError, console, fail, iso, load_settings, unit_of_work
from steward.core import audit, audit_anchor, files, keyfile
from steward.core.permissions import Actor

app = typer.Typer(
    help="Audit trail: verify its keyed hash chain, anchor its head, and read events.",
    no_args_is_help=True,
)


def _read_text(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read the {what} {path}: {exc.strerror or exc}") from exc


@app.command()
def verify(
    anchors: Annotated[
        Path | None,
        typer.Option(
            "--anchors",
            help="Anchors file kept outside (from `steward audit anchor --append`): every "
            "anchored head must be in the trail unchanged.",
            dir_okay=False,
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="Check the anchors' signatures with this PEM public key (kept apart from "
            "the key file) instead of the one the key file gives.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Recompute the keyed hash chain over every event, and check it against the anchors.
    Exits 1 and names the first bad event or anchor."""
    anchor_file = audit_anchor.AnchorFile()
    with unit_of_work(read_only=True) as db:
        if anchors is not None:
            key = (
                audit_anchor.load_public_key(_read_text(public_key, "public key file"))
                if public_key is not None
                else audit.keys_for(db.connection().engine).public_key
            )
            anchor_file = audit_anchor.read_anchors(
                _read_text(anchors, "anchors file").decode("utf-8", "replace"), key
            )
        result = audit.verify(db, anchors=anchor_file.heads)
    for problem in anchor_file.problems:
        fail(problem)
    if not result.ok:
        if result.first_bad_seq is None:  # not checked at all: the wrong key file, say
            fail(f"Audit trail NOT VERIFIED: {result.problem}.")
        else:
            fail(
                f"Audit trail BROKEN at event {result.first_bad_seq}: {result.problem}. "
                f"{result.events} events before it verify."
            )
        raise typer.Exit(1)
    if anchor_file.problems:
        fail(f"Audit trail intact: {result.events} events, but the anchors file has problems.")
        raise typer.Exit(1)
    message = f"Audit trail intact: {result.events} events"
    if anchors is not None:
        latest = anchor_file.latest
        matched = result.anchors_matched
        message += f"; {matched} anchored head{' matches' if matched == 1 else 's match'}" + (
            f" (latest: event {latest.seq}, anchored {iso(latest.at)})" if latest else ""
        )
    console.print(message)


@app.command()
def anchor(
    append: Annotated[
        Path | None,
        typer.Option(
            "--append",
            help="Append the signed head to this file (created owner-only) instead of "
            "printing it. Keep it where the database's writers cannot reach.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Sign the trail's head (sequence number, hash, time) and print it as one JSON line, or
    append it to a file. Run it routinely (cron) and keep the lines outside the database:
    a later rewrite of any anchored event is then caught by `verify --anchors`."""
    with unit_of_work() as db:
        signed = audit_anchor.take(db)
        if append is None:
            typer.echo(signed.line())
        else:
            try:
                files.append_private(append, signed.line())
            except OSError as exc:
                raise CliError(f"Cannot append to {append}: {exc.strerror or exc}") from exc
        audit.record(
            db, Actor.system(), audit.EventTag.AUDIT_CHAIN_ANCHORED, details={"seq": signed.seq}
        )
    if append is not None:
        console.print(f"Anchored event {signed.seq} in {append}")


@app.command("public-key")
def public_key() -> None:
    """Print the public key that checks anchors' signatures (PEM). Give it to auditors: it
    lets them check anchors without the key file."""
    # The key file as it is, never a new one: a public key nobody anchored with is no use.
    keys = audit.AuditKeys.from_key_file(keyfile.load(load_settings().resolved_key_file))
    typer.echo(audit_anchor.public_key_pem(keys.public_key), nl=False)


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
