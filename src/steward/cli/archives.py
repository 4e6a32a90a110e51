"""`steward archives`: the paper archive's inventory, person search, certificates and loans.

Thin adapters over ``steward.archives.service``, acting as ``Actor.system()`` (every change
and every read is audited under it). Formats: docs/archives.md.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from steward.archives import service
from steward.archives.schemas import PaperSearch
from steward.cli.runtime import CliError, console, err_console, unit_of_work
from steward.core.errors import ValidationFailed
from steward.core.files import open_private
from steward.core.permissions import Actor

app = typer.Typer(
    help="The paper archive: locations, boxes, files and retrievals.", no_args_is_help=True
)

MAX_FAILURES_SHOWN = 50
# Terminal escape sequences in stored text are shown as U+FFFD: a name must not drive the screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain(value: object) -> Text:
    return Text("-" if value is None else _CONTROL.sub("\ufffd", str(value)))


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read {file}: {exc.strerror}") from None


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _refuse(exc: ValidationFailed, *, as_json: bool) -> typer.Exit:
    """Show a refusal with each of its problems (the root handler shows the message only), as
    JSON on standard output with --json so scripts see why."""
    if as_json:
        _echo_json({"error": exc.message, "errors": exc.errors})
    else:
        err_console.print(exc.message, style="red", markup=False, soft_wrap=True)
        for where, problem in exc.errors.items():
            err_console.print(f"  {_plain(where)}: {_plain(problem)}", markup=False)
    return typer.Exit(1)


InventoryArg = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="The box inventory, CSV UTF-8."
    ),
]
CertificateArg = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="The contractor's certificate, CSV."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a summary.")]


@app.command("import")
def import_inventory(
    file: InventoryArg,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check every row as a real import would; keep nothing."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a box inventory CSV (columns: docs/archives.md). Re-running the same file changes
    nothing; a blank cell never clears what is held. Exits with status 1 if any row failed."""
    content = _read(file)
    progress = Progress(
        TextColumn("Importing"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    try:
        with progress, unit_of_work() as db:
            task = progress.add_task("rows", total=None)

            def on_row(done: int, total: int) -> None:
                if done % 200 == 0 or done == total:
                    progress.update(task, completed=done, total=total)

            report = service.import_inventory(
                db,
                Actor.system(),
                content,
                dry_run=dry_run,
                on_row=on_row,
                checkpoint=db.commit,
            )
    except ValidationFailed as exc:
        raise _refuse(exc, as_json=as_json) from None
    except KeyboardInterrupt:
        err_console.print(
            "Interrupted. Rows committed before the last batch are kept; run the same command "
            "again to carry on: rows already imported change nothing.",
            markup=False,
        )
        raise typer.Exit(130) from None
    if as_json:
        _echo_json(report.as_dict())
    else:
        _print_import(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_import(report: service.InventoryReport) -> None:
    verb = "Would add" if report.dry_run else "Added"
    console.print(
        f"{report.rows} row(s). {verb} {report.locations_added} location(s), "
        f"{report.boxes_added} box(es), {report.files_added} file(s); moved "
        f"{report.boxes_moved} box(es); updated {report.files_updated} file(s) and "
        f"{report.boxes_updated} box(es); {report.unchanged} row(s) already as held.",
        markup=False,
    )
    if report.failures:
        err_console.print(
            f"Failed: {len(report.failures)} row(s), nothing of those rows was imported. "
            "Fix them and run the same file again.",
            style="red",
            markup=False,
        )
        for failure in report.failures[:MAX_FAILURES_SHOWN]:
            err_console.print(f"  line {failure.line}: {failure.reason}", markup=False)
    if report.dry_run:
        console.print("Dry run: nothing was saved.", markup=False)


@app.command("search")
def search(
    name: Annotated[
        list[str] | None,
        typer.Option("--name", help="A name the person is or was known by; repeat for each."),
    ] = None,
    dob: Annotated[str | None, typer.Option("--dob", help="Date of birth, YYYY-MM-DD.")] = None,
    case: Annotated[str | None, typer.Option("--case", help="A case number.")] = None,
    person: Annotated[
        int | None,
        typer.Option("--person", help="A person record's id: files whose names are linked to it."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help="At most this many files, best first.")
    ] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Find paper files that may hold a person, with the reasons each was offered."""
    try:
        born = date.fromisoformat(dob) if dob else None
    except ValueError:
        raise CliError("--dob: write the date of birth as YYYY-MM-DD.") from None
    try:
        query = PaperSearch(
            names=name or [], date_of_birth=born, case_number=case, person_id=person, limit=limit
        )
    except ValidationError as exc:
        raise CliError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    with unit_of_work() as db:
        hits = service.search_paper_files(db, actor=Actor.system(), query=query)
    if as_json:
        _echo_json([h.model_dump(mode="json") for h in hits])
        return
    table = Table(title=f"Paper files ({len(hits)})", title_justify="left")
    for column in ("File", "Case", "Box", "Location", "Status", "Score", "Why", "Names"):
        table.add_column(column)
    for h in hits:
        table.add_row(
            _plain(h.file_reference),
            _plain(h.case_number),
            _plain(h.box_barcode),
            _plain(h.location_code),
            h.status.value,
            f"{h.score:g}",
            ", ".join(h.reasons),
            _plain("; ".join(n.name_as_written for n in h.matched_names) or None),
        )
    console.print(table)


@app.command("link")
def link(as_json: JsonOpt = False) -> None:
    """Link paper files to electronic cases created since, and their names to those cases'
    persons (run once after upgrading; adding or importing a file links it already)."""
    with unit_of_work() as db:
        report = service.link_archive(db, Actor.system())
    if as_json:
        _echo_json(
            {"files_given_a_case": report.files_given_a_case, "names_linked": report.names_linked}
        )
        return
    console.print(
        f"{report.files_given_a_case} file(s) linked to a case; "
        f"{report.names_linked} name(s) linked to a person."
    )


@app.command("reconcile")
def reconcile(
    certificate: CertificateArg,
    reference: Annotated[
        str, typer.Option("--reference", help="The disposal reference the files were sent under.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Reconcile a contractor's destruction certificate (CSV of box_barcode and/or
    file_reference) down to each file. A malformed certificate changes nothing."""
    content = _read(certificate)
    try:
        with unit_of_work() as db:
            result = service.reconcile_certificate(
                db, actor=Actor.system(), reference=reference, content=content
            )
    except ValidationFailed as exc:
        raise _refuse(exc, as_json=as_json) from None
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    console.print(
        f"Certificate {result.certificate_id} (sha256 {result.sha256[:16]}...): "
        f"{len(result.destroyed)} destroyed, {len(result.missing)} missing, "
        f"{len(result.unexpected)} unexpected; {len(result.boxes_destroyed)} box(es) gone.",
        markup=False,
    )
    for label, refs in (("Missing", result.missing), ("Unexpected", result.unexpected)):
        if refs:
            console.print(
                f"{label}: " + ", ".join(_CONTROL.sub("\ufffd", r) for r in refs), markup=False
            )


@app.command("retrievals")
def retrievals(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only files out past their due day.")
    ] = False,
    open_only: Annotated[bool, typer.Option("--open", help="Only requested or out.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Retrievals of paper files and boxes, soonest due first."""
    with unit_of_work(read_only=True) as db:
        rows = service.list_retrievals(
            db, Actor.system(), overdue_only=overdue, open_only=open_only
        )
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title=f"Retrievals ({len(rows)})", title_justify="left")
    for column in ("Id", "File or box", "Status", "Requested", "Out", "Due back", "Overdue"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            _plain(r.file_reference or r.box_barcode),
            r.status,
            r.requested_at.date().isoformat(),
            r.out_at.date().isoformat() if r.out_at else "-",
            r.due_back_on.isoformat() if r.due_back_on else "-",
            "yes" if r.overdue else "",
        )
    console.print(table)


@app.command("export")
def export(
    output: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write the CSV (created readable by you only); standard output if "
            "left out."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace OUTPUT if it exists (it is made 0600).")
    ] = False,
) -> None:
    """The whole inventory as CSV in the import's columns, safe to open in a spreadsheet. It
    holds names and dates of birth: the file is created with mode 0600."""
    with unit_of_work() as db, _export_stream(output, force=force) as stream:
        writer = csv.writer(stream)
        for row in service.inventory_rows(db, Actor.system()):
            writer.writerow(row)


@contextmanager
def _export_stream(output: Path | None, *, force: bool) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    try:
        with open_private(output, overwrite=force, newline="") as stream:
            yield stream
    except FileExistsError:
        raise CliError(f"{output} exists already; give --force to replace it.") from None
    except IsADirectoryError:
        raise CliError(f"{output} is a folder; give a file name.") from None
    except OSError as exc:
        raise CliError(f"Cannot write {output}: {exc.strerror}.") from None
