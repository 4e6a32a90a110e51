"""`steward intake`: partner data from the command line.

Thin adapters over ``steward.intake.service``, acting as ``Actor.system()`` (the operator
holding the key file; every change is audited under it).

Submissions: ``submit`` checks a partner's file and records what passes, a batch of rows
per transaction with a progress bar (an interrupted run is carried on by ``resume``, nothing
recorded twice); ``shred-expired`` destroys what partners sent once its retention is over.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session, sessionmaker

from steward.cli.runtime import (
    CliError,
    console,
    engine_for,
    err_console,
    fail,
    keyring,
    load_settings,
    require_migrated,
    unit_of_work,
)
from steward.core import clock
from steward.core.config import Environment, Settings
from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import Actor
from steward.intake.errors import Refused
from steward.intake.service import partners, processing, shredding, submissions

app = typer.Typer(
    help="Partner data: submissions, their checks and their retention.", no_args_is_help=True
)

# A test hook: kill this process inside the N-th batch's transaction (its rows written, not
# yet committed), to prove an interrupted intake keeps or loses each row wholly. Honoured
# only when STEWARD_ENV=test.
CRASH_AT = "STEWARD_TEST_INTAKE_CRASH_AT"

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a summary.")]
BatchRows = Annotated[
    int,
    typer.Option(
        "--batch-rows",
        min=1,
        max=10_000,
        help="Rows checked and recorded per transaction (an interrupted run loses at most one batch's work).",
    ),
]


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def _factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    with engine_for(settings) as engine:
        require_migrated(engine)
        yield make_sessionmaker(engine)


def _crash_hook(settings: Settings) -> processing.BatchHook | None:
    crash_at = int(os.environ.get(CRASH_AT, "0") or 0) if settings.env is Environment.TEST else 0
    if not crash_at:
        return None

    def hook(n: int) -> None:
        if n == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _progress() -> Progress:
    return Progress(
        TextColumn("Checking rows"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _process(
    factory: sessionmaker[Session], settings: Settings, submission_id: int, batch_rows: int
) -> None:
    with _progress() as bar:
        task = bar.add_task("rows", total=None)
        processing.process(
            factory,
            keyring(settings),
            Actor.system(),
            submission_id,
            batch_rows=batch_rows,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            before_commit=_crash_hook(settings),
        )


def _outcome(factory: sessionmaker[Session], submission_id: int) -> dict[str, Any]:
    with session_scope(factory) as db:
        found = submissions.get_submission(db, Actor.system(), submission_id)
        return submissions.outcome_json(db, found)


def _summary(body: dict[str, Any]) -> None:
    console.print(
        f"Submission {body['submission_id']} ({body['status']}): {body['rows']:,} rows, "
        f"{body['accepted']:,} recorded, {body['unchanged']:,} unchanged, "
        f"{body['quarantined']:,} held for review, {body['rejected']:,} rejected.",
        markup=False,
    )
    shown = body["issues"][:50]
    for issue in shown:
        where = f"row {issue['row']}" + (f", {issue['field']}" if issue["field"] else "")
        console.print(f"  {where}: {issue['code']} - {issue['message']}", markup=False)
    if len(body["issues"]) > len(shown):
        console.print(
            f"  ... and {len(body['issues']) - len(shown):,} more (--json lists them all).",
            markup=False,
        )


@app.command("submit")
def submit(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, XLSX or JSON."),
    ],
    partner: Annotated[str, typer.Option("--partner", help="The partner's code, e.g. LA-BARSET.")],
    dataset: Annotated[
        str, typer.Option("--dataset", help="party_details, safeguarding_checks or court_orders.")
    ],
    as_json: Json = False,
    batch_rows: BatchRows = processing.BATCH_ROWS,
) -> None:
    """Check a partner's file and record the rows that pass (the operator submitting on the
    partner's behalf). A file refused whole exits with status 1 and records nothing."""
    settings = load_settings()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read {file}: {exc.strerror}") from None
    with _factory(settings) as factory:
        with session_scope(factory, read_only=True) as db:
            partner_id = partners.partner_by_code(db, partner).id
        try:
            with session_scope(factory) as db:
                submission_id = submissions.submit(
                    db,
                    keyring(settings),
                    Actor.system(),
                    dataset=dataset,
                    filename=file.name,
                    data=data,
                    partner_id=partner_id,
                    max_bytes=settings.intake_max_file_bytes,
                    inline_rows=0,  # processed below, a batch per transaction
                ).id
        except Refused as exc:
            with session_scope(factory) as db:
                submissions.note_refusal(
                    db, Actor.system(), partner_id=partner_id, dataset=dataset, code=exc.code
                )
            if as_json:
                _echo_json(submissions.refusal_json(exc))
            else:
                fail(f"Refused ({exc.code.value}): {exc.message}")
            raise typer.Exit(1) from None
        _process(factory, settings, submission_id, batch_rows)
        body = _outcome(factory, submission_id)
    if as_json:
        _echo_json(body)
    else:
        _summary(body)


@app.command("resume")
def resume(as_json: Json = False, batch_rows: BatchRows = processing.BATCH_ROWS) -> None:
    """Finish every submission left received or part-way through its checks (a run that was
    interrupted, a background job that stopped): each carries on after its last whole batch."""
    settings = load_settings()
    with _factory(settings) as factory:
        with session_scope(factory, read_only=True) as db:
            pending = processing.unfinished(db)
        results = []
        for submission_id in pending:
            _process(factory, settings, submission_id, batch_rows)
            results.append(_outcome(factory, submission_id))
    if as_json:
        _echo_json(results)
        return
    if not results:
        console.print("No submission was waiting to be finished.")
    for body in results:
        _summary(body)


@app.command("outcome")
def outcome(
    submission_id: Annotated[int, typer.Argument(help="The submission's number.")],
    as_json: Json = False,
) -> None:
    """A submission's outcome: counts, and every issue by row, field and code."""
    with unit_of_work() as db:
        body = submissions.outcome_json(
            db, submissions.get_submission(db, Actor.system(), submission_id)
        )
    if as_json:
        _echo_json(body)
    else:
        _summary(body)


@app.command("shred-expired")
def shred_expired(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Destroy the file and row values of every submission whose rows are all decided and
    whose agreement's retention has run out (counts, codes and provenance stay). Run daily."""
    try:
        today = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise CliError("--as-of: give a date as YYYY-MM-DD, e.g. 2026-03-31.") from None
    with unit_of_work() as db:
        shredded = shredding.shred_expired(db, Actor.system(), today or clock.today())
    if as_json:
        _echo_json({"shredded": shredded})
    else:
        console.print(f"{len(shredded)} submission(s) shredded.", markup=False)
