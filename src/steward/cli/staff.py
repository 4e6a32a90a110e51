"""`steward staff`: the staff list from HR, which training compliance counts.

Thin adapter over ``steward.training.service.staff``, acting as ``Actor.system()`` (the import
records one audit event with its counts). Format: docs/training.md, "Staff from HR"."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from steward.cli import import_reports
from steward.cli.runtime import unit_of_work
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.training.service import staff

app = typer.Typer(help="Staff from HR: who training compliance counts.", no_args_is_help=True)


@app.command("import")
def import_staff(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="HR's staff list, CSV UTF-8."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import HR's staff list: starters added, changes applied, leavers given their leaving
    date. A row with a problem changes nothing and is listed with its row and column; the
    other rows are applied. Importing the same file again changes nothing. Exits with status
    1 if the file was refused or any row had a problem."""
    content = import_reports.read(file)
    try:
        with unit_of_work() as db:
            report = staff.import_staff(db, Actor.system(), content)
    except ValidationFailed as exc:
        raise import_reports.refused(exc, as_json=as_json) from None
    import_reports.show(report, as_json=as_json)
