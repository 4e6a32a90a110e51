"""`steward training`: staff training, for automation and bulk work.

`steward training modules sync` brings the catalogue up to date with the built-in e-learning
modules (src/steward/training/modules/*.md, docs/training.md): run it after an upgrade that
ships new or changed modules. Running it again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from steward.cli.runtime import console, err_console, plain, unit_of_work
from steward.core.permissions import Actor
from steward.training.service import modules as module_sync

app = typer.Typer(help="Staff training: courses, completions and compliance.", no_args_is_help=True)
modules_app = typer.Typer(
    help="The built-in e-learning modules (Markdown with a quiz).", no_args_is_help=True
)
app.add_typer(modules_app, name="modules")


@modules_app.command("sync")
def sync_modules(
    folder: Annotated[
        Path | None,
        typer.Option(
            "--from",
            exists=True,
            file_okay=False,
            dir_okay=True,
            readable=True,
            help="Read the modules from this folder instead of those shipped with Steward.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add a course for each new module, update a course whose module changed, release a new
    course version when a module's version goes up (asking everyone to redo it where the
    module says so). A module file that cannot be used is listed with its problems and
    changes nothing; the others still go in. Exits with status 1 if any file was refused."""
    with unit_of_work() as db:
        result = module_sync.sync(db, Actor.system(), folder)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "modules": [
                        {
                            "file": row.file,
                            "outcome": row.outcome.value,
                            "code": row.code,
                            "course_id": row.course_id,
                            "version": row.version,
                            "requires_redo": row.requires_redo,
                            "changed": list(row.changed),
                            "problems": list(row.problems),
                        }
                        for row in result.rows
                    ],
                    "counts": {o.value: result.count(o) for o in module_sync.Outcome},
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        table = Table("module file", "course", "version", "outcome")
        for row in result.rows:
            outcome = row.outcome.value + (" (everyone redoes it)" if row.requires_redo else "")
            table.add_row(
                plain(row.file), plain(row.code or "-"), plain(row.version or "-"), outcome
            )
        console.print(table)
        for row in result.refused:
            err_console.print(module_sync.refused_message(row), style="red", markup=False)
    if result.refused:
        raise typer.Exit(1)
