"""How `steward staff import` and `steward training import` read their file and show what
happened: a summary and each row's problem on the terminal, or the report as JSON (the same
JSON the API returns), exiting 1 when the file was refused or any row had a problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import typer

from steward.cli.runtime import CliError, console, err_console, plain
from steward.core.errors import ValidationFailed

PROBLEMS_SHOWN = 50


class Report(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def summary(self) -> str: ...

    def as_dict(self) -> dict[str, Any]: ...


def read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read {file}: {exc.strerror}") from None


def echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def refused(exc: ValidationFailed, *, as_json: bool) -> typer.Exit:
    """The whole file refused: said on stderr, or as JSON on stdout with --json."""
    if as_json:
        echo_json({"error": exc.message, "errors": exc.errors, "changed": False})
    else:
        err_console.print(plain(exc.message), style="red", soft_wrap=True)
    return typer.Exit(1)


def show(report: Report, *, as_json: bool, unit: str = "Row") -> None:
    """Print the report; exit 1 if any row had a problem (the other rows were applied)."""
    data = report.as_dict()
    if as_json:
        echo_json(data)
    else:
        console.print(plain(report.summary), soft_wrap=True)
        errors: list[dict[str, Any]] = data["errors"]
        for error in errors[:PROBLEMS_SHOWN]:
            err_console.print(
                plain(f"  {unit} {error['row']}, {error['column']}: {error['message']}"),
                soft_wrap=True,
            )
        if len(errors) > PROBLEMS_SHOWN:
            err_console.print(
                f"  ...and {len(errors) - PROBLEMS_SHOWN:,} more (--json lists them all)."
            )
    if not report.ok:
        raise typer.Exit(1)
