"""What the retention and disposal commands share: acting as a named member of staff,
dates, JSON output."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from steward.cli.runtime import CliError, console
from steward.core import auth
from steward.core.permissions import Actor

AsUser = Annotated[
    str | None,
    typer.Option("--as", help="Act as this member of staff (username); default: the operator."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsOf = Annotated[str, typer.Option("--as-of", help="Date, YYYY-MM-DD.")]
CaseNumber = Annotated[str, typer.Argument(help="The case number, e.g. LS24P00042.")]
Version = Annotated[int, typer.Argument(help="The schedule version.")]
ListId = Annotated[int, typer.Argument(help="The disposal list's id.")]


def acting_as(db: Session, username: str | None) -> Actor:
    return Actor.system() if username is None else auth.get_user(db, username=username).actor


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{option}: give a date as YYYY-MM-DD, e.g. 2026-03-31.") from exc


def print_json(value: Any) -> None:
    console.print_json(json.dumps(value, default=str))
