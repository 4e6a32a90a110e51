"""`steward training`: staff training, from the command line (for automation and bulk work).

Thin adapters over ``steward.training.service``, acting as ``Actor.system()``. Formats:
docs/training.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from steward.cli import import_reports
from steward.cli.runtime import unit_of_work
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.training.service import lms

app = typer.Typer(help="Staff training: completions, compliance, reminders.", no_args_is_help=True)


@app.command("import")
def import_completions(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="A Moodle completion CSV or xAPI statements (JSON); told apart by content.",
        ),
    ],
    course: Annotated[
        str | None,
        typer.Option(
            "--course",
            help=(
                "For a Moodle course completion report only: the course's code or LMS id, when "
                "the file no longer has the name Moodle gave it (completion-<shortname>.csv)."
            ),
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import completions from a learning management system. Completed and passed count;
    failed never does, nor a score below the course's pass mark. Importing the same file again
    adds nothing. Exits with status 1 if the file was refused or any row had a problem."""
    content = import_reports.read(file)
    try:
        with unit_of_work() as db:
            report = lms.import_completions(
                db, Actor.system(), content, filename=file.name, course=course
            )
    except ValidationFailed as exc:
        raise import_reports.refused(exc, as_json=as_json) from None
    import_reports.show(
        report, as_json=as_json, unit="Statement" if report.format == "xapi" else "Row"
    )
