"""`steward assurance`: the measures for automation (a board pack, a monitoring job). The
figures only: the records behind them stay on the drill-down pages, for those who may see them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from steward.assurance import report as board_report
from steward.assurance.controls import service
from steward.assurance.pack import service as packs
from steward.cli.retention_common import parse_date, print_json
from steward.cli.runtime import CliError, console, keyring, load_settings, plain, unit_of_work
from steward.core import clock
from steward.core.files import PRIVATE_MODE
from steward.core.permissions import Actor

app = typer.Typer(help="Assurance: where the organisation stands, from its own records.")


def _figures(result: service.Result) -> dict[str, Any]:
    c = result.computed
    return {
        "key": result.measure.key,
        "title": result.measure.title,
        "area": result.measure.area.value,
        "kind": result.measure.kind.value,
        "definition": result.measure.definition,
        "measured": c is not None,
        "value": result.value,
        "numerator": c.numerator if c else None,
        "denominator": c.denominator if c else None,
        "count": c.count if c else None,
        "note": c.note if c else "",
        "status": result.rag.value,
        "thresholds": {"green": result.thresholds.green, "amber": result.thresholds.amber},
    }


@app.command("measures")
def measures(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day to measure on (YYYY-MM-DD); default today."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every measure the control catalogue names: figure, status and definition."""
    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    with unit_of_work() as db:
        found = service.results(db, Actor.system(), day)
    if as_json:
        print_json({"as_of": day.isoformat(), "measures": [_figures(r) for r in found]})
        return
    table = Table(title=f"Measures as of {day.isoformat()}")
    for column in ("Area", "Measure", "Figure", "Status"):
        table.add_column(column)
    for result in found:
        table.add_row(
            result.measure.area.label, result.measure.title, result.shown, result.rag.value
        )
    console.print(table)


# assurance: evidence pack
@app.command("evidence-pack")
def evidence_pack(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the pack (a .zip).", dir_okay=False)
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day the measures are for (YYYY-MM-DD); default today."),
    ] = None,
) -> None:
    """The auditor's evidence pack: registers, schedule, certificates and the measures'
    figures in one zip, written owner-only to --out (registers name staff)."""
    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    settings = load_settings()
    kek = keyring(settings)
    if out.exists() and not out.is_file():
        raise CliError(f"--out: {out} is not a file.")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(out, flags, PRIVATE_MODE)
    os.fchmod(fd, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as target, unit_of_work(settings) as db:
            manifest = packs.build(
                db,
                Actor.system(),
                day,
                target,
                keyring=kek,
                organisation=settings.organisation_name,
            )
    except BaseException:
        out.unlink(missing_ok=True)  # never half a pack
        raise
    console.print(plain(f"{out}: {len(manifest.entries) + 1} files, as of {day.isoformat()}"))
    for left in manifest.left_out:
        console.print(plain(f"left out: {left.part}: {left.reason}"))


# (end of assurance: evidence pack)
# assurance: board report
def _writable(out: Path) -> None:
    """Refuse a path the PDF cannot be written to before any figure is gathered."""
    if out.is_dir():
        raise CliError(f"--out: {out} is a folder: give a file name, e.g. board-report.pdf.")
    if out.exists() and not out.is_file():
        raise CliError(f"--out: {out} is not a file.")
    folder = out.parent
    if not folder.is_dir():
        raise CliError(f"--out: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CliError(f"--out: {out} cannot be written (permission denied).")


@app.command("report")
def report(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day to report on (YYYY-MM-DD); default today."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the board report (a PDF).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's figures as JSON.")
    ] = False,
) -> None:
    """The board report: where the organisation stands, area by area, as a PDF (--out) and
    its figures as JSON (--json). Figures only: no names, no case references."""
    if out is None and not as_json:
        raise CliError("Give --out FILE.pdf to write the report, or --json for its figures.")
    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    if out is not None:
        _writable(out)
    settings = load_settings()
    with unit_of_work(settings) as db:
        found = board_report.figures(
            db, Actor.system(), day, organisation=settings.organisation_name
        )
    if out is not None:
        data = board_report.pdf(found)
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise CliError(f"--out: {out} could not be written ({exc.strerror}).") from exc
        if not as_json:  # stdout stays pure JSON with --json
            console.print(plain(f"{out}: the board report as of {day}, {len(data):,} bytes."))
    if as_json:
        print_json(board_report.to_json(found))


# (end of assurance: board report)
