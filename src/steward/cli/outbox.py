"""`steward outbox`: the email Steward has sent or kept, for automation and for a site with no
mail server, where staff send the kept messages another way. Reading a message is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from steward.cli.retention_common import print_json
from steward.cli.runtime import CliError, console, keyring, load_settings, plain, unit_of_work
from steward.core import outbox
from steward.core.paging import PageRequest
from steward.core.permissions import Actor

app = typer.Typer(
    help="The outbox: email sent, or kept sealed when no mail server is set up.",
    no_args_is_help=True,
)


@app.command("list")
def list_messages(
    page: Annotated[int, typer.Option(min=1, help="Page of 50, newest first.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Messages, newest first, with recipient and subject (an audited read)."""
    settings = load_settings()
    with unit_of_work(settings) as db:
        found = outbox.messages(db, keyring(settings), Actor.system(), PageRequest(number=page))
        rows = [
            {
                "id": m.id,
                "created_at": m.created_at.isoformat(),
                "status": m.status,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                "to": m.recipient,
                "subject": m.subject,
                "attachments": m.attachment_count,
            }
            for m in found.items
        ]
    if as_json:
        print_json({"total": found.total, "page": found.number, "messages": rows})
        return
    table = Table("id", "status", "written", "to", "subject")
    for row in rows:
        table.add_row(
            *(plain(str(row[k])) for k in ("id", "status", "created_at", "to", "subject"))
        )
    console.print(table)
    console.print(f"{found.first}-{found.last} of {found.total}")


@app.command()
def show(
    message_id: Annotated[int, typer.Argument(min=1, help="The message's number (from list).")],
    save_attachments: Annotated[
        Path | None,
        typer.Option(help="Also write the attachments into this directory (it must exist)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One message whole: recipient, subject, body and attachments (an audited read)."""
    if save_attachments is not None and not save_attachments.is_dir():
        raise CliError(f"--save-attachments: {save_attachments} is not a directory.")
    settings = load_settings()
    with unit_of_work(settings) as db:
        kek = keyring(settings)
        shown = outbox.message(db, kek, Actor.system(), message_id)
        files = (
            [
                outbox.attachment(db, kek, Actor.system(), message_id, a.number)
                for a in shown.attachments
            ]
            if save_attachments is not None
            else []
        )
    s = shown.summary
    if save_attachments is not None:
        for number, found in enumerate(files, start=1):
            # The name as sent may hold path separators: keep only its last part.
            target = save_attachments / f"{message_id}-{number}-{Path(found.filename).name}"
            target.write_bytes(found.data)
            target.chmod(0o600)
    data = {
        "id": s.id,
        "created_at": s.created_at.isoformat(),
        "status": s.status,
        "sent_at": s.sent_at.isoformat() if s.sent_at else None,
        "failure": shown.failure,
        "to": s.recipient,
        "subject": s.subject,
        "body": shown.body,
        "attachments": [
            {"number": a.number, "filename": a.filename, "media_type": a.media_type, "size": a.size}
            for a in shown.attachments
        ],
    }
    if as_json:
        print_json(data)
        return
    for key in ("id", "status", "created_at", "sent_at", "to", "subject"):
        console.print(plain(f"{key}: {data[key]}"))
    console.print("")
    for line in shown.body.splitlines():
        console.print(plain(line))
    for a in shown.attachments:
        console.print(
            plain(f"attachment {a.number}: {a.filename} ({a.media_type}, {a.size} bytes)")
        )
