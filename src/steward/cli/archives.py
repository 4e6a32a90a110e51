"""`steward archives`: The paper archive: locations, boxes, files and retrievals."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The paper archive: locations, boxes, files and retrievals.", no_args_is_help=True
)
