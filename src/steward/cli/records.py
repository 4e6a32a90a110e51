"""`steward import` and `steward cases`: legacy migration in, one case out.

Thin adapters over ``steward.records.service``: they open the unit of work, act as
``Actor.system()`` (every change and every read is audited under it) and render.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from steward.cli.runtime import console, err_console, load_settings, unit_of_work
from steward.core import keyfile
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.records import service
from steward.records.schemas import CaseDetail, CaseRead, DocumentRead, PartyRead
from steward.records.service.importer import DEFAULT_BATCH_CASES

import_app = typer.Typer(
    help="Bring records in from another system (legacy migration).", no_args_is_help=True
)
cases_app = typer.Typer(help="Case records.", no_args_is_help=True)

MAX_FAILURES_SHOWN = 50
# Control characters (terminal escape sequences among them) in stored text are shown as
# U+FFFD: a name is data, and must not be able to move the cursor or recolour the screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain(value: object) -> Text:
    return Text("" if value is None else _CONTROL.sub("\ufffd", str(value)))


# --- steward import cases ------------------------------------------------------------------


@contextmanager
def _progress(total_bytes: int) -> Iterator[tuple[Progress, TaskID]]:
    # On stderr, so stdout carries only the summary (or the JSON report); transient, so a
    # finished bar leaves no trace; off when stderr is not a terminal (scripts, CI, logs).
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    with progress:
        yield progress, progress.add_task("Importing", total=max(total_bytes, 1))


def _tracked(stream: BinaryIO, progress: Progress, task: TaskID) -> Iterator[bytes]:
    for line in service.read_lines(stream):
        yield line
        progress.update(task, completed=stream.tell())


def _describe(report: service.ImportReport) -> str:
    return (
        f"Importing: {report.imported} imported, {report.skipped} skipped, {report.failed} failed"
    )


@import_app.command("cases")
def import_cases(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="JSON Lines file, one case per line (format: docs/import.md).",
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Check every line against the database as a real import would, then keep nothing.",
        ),
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size",
            min=1,
            help="Commit after this many lines (or 5 seconds), so an interrupted import keeps "
            "what it did and other users are not locked out meanwhile.",
        ),
    ] = DEFAULT_BATCH_CASES,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON instead of a summary.")
    ] = False,
) -> None:
    """Import cases from a legacy system. Each line is imported whole or not at all; re-running
    the same file imports only what is missing. Exits with status 1 if any line failed."""
    settings = load_settings()
    kek = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    report: service.ImportReport | None = None
    try:
        with (
            unit_of_work(settings) as db,
            file.open("rb") as stream,
            _progress(file.stat().st_size) as (progress, task),
        ):

            def on_line(so_far: service.ImportReport) -> None:
                nonlocal report
                report = so_far
                progress.update(task, description=_describe(so_far))

            report = service.import_cases(
                db,
                kek,
                Actor.system(),
                _tracked(stream, progress, task),
                dry_run=dry_run,
                checkpoint=db.commit,
                batch_cases=batch_size,
                on_line=on_line,
            )
    except KeyboardInterrupt:
        done = report.imported if report is not None else 0
        err_console.print(
            f"Interrupted. Cases committed before the last batch are kept (up to {done}); "
            "run the same command again to carry on: cases already imported are skipped.",
            markup=False,
        )
        raise typer.Exit(130) from None
    assert report is not None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: service.ImportReport) -> None:
    verb = "Would import" if report.dry_run else "Imported"
    if report.imported:
        console.print(
            f"{verb} {report.imported} case(s): {report.persons_created} new person(s), "
            f"{report.persons_matched} matched to persons already imported, "
            f"{report.parties_added} party role(s), {report.documents_added} document(s).",
            markup=False,
        )
    else:
        console.print(f"{verb} no new cases.", markup=False)
    if report.skipped:
        console.print(
            f"Skipped {report.skipped} case(s) already imported (lines "
            f"{_line_list(report.skipped_lines, report.skipped)}).",
            markup=False,
        )
    if report.failed:
        err_console.print(
            f"Failed: {report.failed} line(s), nothing of those cases was imported. "
            "Fix them and run the same file again.",
            style="red",
            markup=False,
        )
        for failure in report.failures[:MAX_FAILURES_SHOWN]:
            err_console.print(f"  line {failure.line}: {failure.reason}", markup=False)
        if report.failed > MAX_FAILURES_SHOWN:
            err_console.print(
                f"  ... and {report.failed - MAX_FAILURES_SHOWN} more (use --json for the list).",
                markup=False,
            )
    if report.dry_run:
        console.print("Dry run: nothing was saved.", markup=False)


def _line_list(lines: list[int], total: int, shown: int = 20) -> str:
    text = ", ".join(str(n) for n in lines[:shown])
    return text + (f", ... {total - shown} more" if total > shown else "")


# --- steward cases show --------------------------------------------------------------------


@cases_app.command("show")
def show(
    case_number: Annotated[str, typer.Argument(help="The case number, e.g. LS24P00123.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the case as JSON instead of a summary.")
    ] = False,
) -> None:
    """Show a case with its parties and documents. The read is recorded in the audit trail."""
    with unit_of_work() as db:
        actor = Actor.system()
        case_id = service.case_id_for_number(db, case_number)
        case, _ = service.view_case(db, actor, case_id)
        codes = {c.id: c.code for c in service.list_classes(db)}
        detail = CaseDetail(
            **CaseRead.model_validate(case).model_dump(),
            record_class=codes[case.record_class_id],
            parties=[PartyRead.model_validate(p) for p in sorted(case.parties, key=lambda p: p.id)],
            documents=[DocumentRead.model_validate(d) for d in case.documents],
        )
    if as_json:
        typer.echo(json.dumps(detail.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _print_case(detail)


def _print_case(case: CaseDetail) -> None:
    heading = Text(f"Case {case.case_number}", style="bold")
    console.print(heading)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    for label, value in (
        ("Type", case.case_type.value.replace("_", " ")),
        ("Status", case.status.value),
        ("Opened", case.opened_on.isoformat()),
        ("Closed", case.closed_on.isoformat() if case.closed_on else "-"),
        ("Court", case.court or "-"),
        ("Local authority", case.local_authority or "-"),
        ("Team", case.team or "-"),
        ("Record class", case.record_class),
    ):
        facts.add_row(label, _plain(value))
    console.print(facts)

    parties = Table(title=f"Parties ({len(case.parties)})", title_justify="left")
    for column in ("Person id", "Name", "Role", "Date of birth"):
        parties.add_column(column)
    for party in case.parties:
        person = party.person
        name = " ".join(n for n in (person.first_name, person.middle_names, person.last_name) if n)
        parties.add_row(
            str(person.id),
            _plain(name),
            party.role.value.replace("_", " "),
            person.date_of_birth.isoformat() if person.date_of_birth else "-",
        )
    console.print(parties)

    documents = Table(title=f"Documents ({len(case.documents)})", title_justify="left")
    for column in ("Id", "Created", "Kind", "Title", "Type", "Size"):
        documents.add_column(column)
    for document in case.documents:
        documents.add_row(
            str(document.id),
            document.created_on.isoformat(),
            document.kind.value.replace("_", " "),
            _plain(document.title),
            document.media_type,
            f"{document.size_bytes:,} B",
        )
    console.print(documents)
