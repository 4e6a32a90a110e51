"""`steward documents`: the text-extraction worker, for cron and for sites that run it apart
from `steward serve` (which runs it in the background by itself)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from steward.cli.runtime import console, engine_for, load_settings, require_migrated
from steward.core import keyfile
from steward.core.crypto import FileKeyring
from steward.core.db import make_sessionmaker
from steward.records import service

app = typer.Typer(help="Documents: extracting their text for search.", no_args_is_help=True)


@app.command("extract")
def extract(
    all_pending: Annotated[
        bool,
        typer.Option(
            "--all-pending",
            help="Extract every pending document, one at a time (default: just one).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Extract the text of pending documents, each in a child process under hard limits.
    Safe to run alongside `steward serve` and other runs: each document is claimed once."""
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    settings = load_settings()
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    with engine_for(settings) as engine:
        require_migrated(engine)
        report = service.run_pending(
            make_sessionmaker(engine), keyring, max_jobs=None if all_pending else 1
        )
    if as_json:
        console.print_json(json.dumps({"extracted": report.total, **report.counts}))
        return
    if not report.total:
        console.print("No document is waiting for its text to be extracted.")
        return
    parts = ", ".join(
        f"{count} {status.replace('_', ' ')}" for status, count in report.counts.items()
    )
    console.print(f"Extracted the text of {report.total} document(s): {parts}.", markup=False)
