"""`steward people`: People: find everyone's records through changed names and wrong data."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="People: find everyone's records through changed names and wrong data.",
    no_args_is_help=True,
)
