"""`steward retention`: Retention schedule, due records and holds."""

from __future__ import annotations

import typer

app = typer.Typer(help="Retention schedule, due records and holds.", no_args_is_help=True)
disposal_app = typer.Typer(help="Disposal lists, decisions and destruction.", no_args_is_help=True)
