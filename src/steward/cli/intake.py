"""`steward intake`: partner-data intake from the command line, for automation and bulk work.

Thin adapters over ``steward.intake.service``, acting as ``Actor.system()`` (the operator
holding the key file; each change records its audit event). Each area keeps its commands in
a section of its own below: the register of partners and agreements; submissions, whose
``submit`` checks a partner's file and records what passes, a batch of rows per transaction
with a progress bar (an interrupted run is carried on by ``resume``, nothing recorded twice),
and ``shred-expired``, which destroys what partners sent once its retention is over."""

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
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from steward.cli.retention_common import parse_date, print_json
from steward.cli.runtime import (
    CliError,
    console,
    engine_for,
    err_console,
    fail,
    keyring,
    load_settings,
    plain,
    require_migrated,
    unit_of_work,
)
from steward.core import clock
from steward.core.config import Environment, Settings
from steward.core.db import make_sessionmaker, session_scope
from steward.core.paging import PageRequest
from steward.core.permissions import Actor
from steward.intake.errors import Refused
from steward.intake.models import Agreement, Partner
from steward.intake.policy import LawfulBasis, PartnerKind
from steward.intake.service import partners, processing, register, shredding, submissions
from steward.intake.service.register import AgreementView, PartnerFilter

app = typer.Typer(
    help="Partner-data intake: partners, agreements, submissions and their retention.",
    no_args_is_help=True,
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


# --- partners and agreements (the register) ----------------------------------------------

partners_app = typer.Typer(help="Partner organisations: add and list them.", no_args_is_help=True)
agreements_app = typer.Typer(
    help="Data-sharing agreements: record, list and end them (never edit).", no_args_is_help=True
)
app.add_typer(partners_app, name="partners")
app.add_typer(agreements_app, name="agreements")

PartnerCode = Annotated[
    str, typer.Option("--partner", help="The partner's code, e.g. LA-BARSET.", show_default=False)
]
KINDS = ", ".join(k.value for k in PartnerKind)
BASES = ", ".join(b.value for b in LawfulBasis)


def _partner_row(
    partner: Partner, in_force: int | None = None, accounts: int | None = None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": partner.id,
        "code": partner.code,
        "name": partner.name,
        "kind": partner.kind,
        "active": partner.active,
    }
    if in_force is not None:
        row |= {"agreements_in_force": in_force, "accounts": accounts}
    return row


def _agreement_row(agreement: Agreement, datasets: list[str], state: str) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "reference": agreement.reference,
        "title": agreement.title,
        "lawful_basis": agreement.lawful_basis,
        "special_category_condition": agreement.special_category_condition,
        "statutory_power": agreement.statutory_power,
        "datasets": datasets,
        "retention_months": agreement.retention_months,
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else None,
        "state": state,
    }


def _view_row(view: AgreementView) -> dict[str, Any]:
    return _agreement_row(view.agreement, list(view.datasets), view.state.value)


@partners_app.command("add")
def add_partner(
    code: Annotated[str, typer.Option("--code", help="Short and stable, e.g. LA-BARSET.")],
    name: Annotated[str, typer.Option("--name", help="The organisation's name.")],
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {KINDS}.")],
    as_json: Json = False,
) -> None:
    """Add a partner organisation to the register."""
    with unit_of_work() as db:
        partner = partners.create_partner(db, Actor.system(), code=code, name=name, kind=kind)
        row = _partner_row(partner)
    if as_json:
        print_json(row)
        return
    console.print(plain(f"Added partner {row['code']} ({row['name']})."))


@partners_app.command("list")
def list_partners(
    kind: Annotated[str, typer.Option("--kind", help=f"Only this kind: {KINDS}.")] = "",
    active: Annotated[str, typer.Option("--active", help="yes (the default), no or any.")] = "",
    search: Annotated[str, typer.Option("--search", help="Part of a name or code.")] = "",
    as_json: Json = False,
) -> None:
    """The register's partners by name, each with its agreements in force and accounts."""
    wanted = PartnerFilter.read(kind=kind, active=active, search=search)
    rows: list[dict[str, Any]] = []
    with unit_of_work(read_only=True) as db:
        number = 1
        while True:
            page = register.list_partners(db, Actor.system(), PageRequest(number, 500), wanted)
            rows += [_partner_row(r.partner, r.agreements_in_force, r.accounts) for r in page.items]
            if not page.has_next:
                break
            number += 1
    if as_json:
        print_json({"total": len(rows), "partners": rows})
        return
    table = Table("code", "name", "kind", "active", "agreements in force", "accounts")
    for row in rows:
        table.add_row(
            *(plain(row[k]) for k in ("code", "name", "kind")),
            "yes" if row["active"] else "no",
            str(row["agreements_in_force"]),
            str(row["accounts"]),
        )
    console.print(table)
    console.print(f"{len(rows)} partner{'' if len(rows) == 1 else 's'}")


@agreements_app.command("add")
def add_agreement(
    partner: PartnerCode,
    reference: Annotated[str, typer.Option("--reference", help="e.g. DSA-2025-014.")],
    dataset_names: Annotated[
        str, typer.Option("--datasets", help="The data sets it covers, comma-separated.")
    ],
    basis: Annotated[str, typer.Option("--basis", help=f"The lawful basis: {BASES}.")],
    power: Annotated[
        str, typer.Option("--power", help='The statutory power, e.g. "Children Act 1989, s.7".')
    ],
    retention_months: Annotated[
        int, typer.Option("--retention-months", help="Months what it sends is kept.")
    ],
    starts: Annotated[str, typer.Option("--starts", help="First day in force, YYYY-MM-DD.")],
    ends: Annotated[
        str | None, typer.Option("--ends", help="Last day in force, YYYY-MM-DD (optional).")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Default: the reference.")] = "",
    special_category: Annotated[
        str | None,
        typer.Option("--special-category", help="The Article 9 / Schedule 1 condition, if any."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Record a data-sharing agreement. It is never edited afterwards: end it and record a
    new one."""
    starts_on = parse_date(starts, "--starts")
    ends_on = parse_date(ends, "--ends") if ends else None
    with unit_of_work() as db:
        found = partners.partner_by_code(db, partner)
        agreement = partners.create_agreement(
            db,
            Actor.system(),
            partner_id=found.id,
            reference=reference,
            title=title,
            lawful_basis=basis,
            statutory_power=power,
            dataset_names=[n.strip() for n in dataset_names.split(",") if n.strip()],
            retention_months=retention_months,
            starts_on=starts_on,
            ends_on=ends_on,
            special_category_condition=special_category,
        )
        row = _view_row(register.agreement_view(db, Actor.system(), agreement.id))
    if as_json:
        print_json(row)
        return
    console.print(
        plain(f"Recorded agreement {row['reference']} ({row['state'].replace('_', ' ')}).")
    )


@agreements_app.command("list")
def list_agreements(partner: PartnerCode, as_json: Json = False) -> None:
    """A partner's agreements, newest first, with their state today and data sets."""
    with unit_of_work(read_only=True) as db:
        found = partners.partner_by_code(db, partner)
        rows = [_view_row(v) for v in register.agreements(db, Actor.system(), found.id)]
    if as_json:
        print_json({"total": len(rows), "agreements": rows})
        return
    table = Table("reference", "data sets", "lawful basis", "starts", "ends", "state")
    for row in rows:
        table.add_row(
            plain(row["reference"]),
            plain(", ".join(row["datasets"])),
            plain(row["lawful_basis"]),
            row["starts_on"],
            row["ends_on"] or "",
            row["state"].replace("_", " "),
        )
    console.print(table)


@agreements_app.command("end")
def end_agreement(
    reference: Annotated[str, typer.Option("--reference", help="The agreement's reference.")],
    ends: Annotated[str, typer.Option("--ends", help="Its last day in force, YYYY-MM-DD.")],
    as_json: Json = False,
) -> None:
    """End an agreement on a day from today on, never after an end it already has."""
    ends_on = parse_date(ends, "--ends")
    with unit_of_work() as db:
        agreement = partners.agreement_by_reference(db, reference)
        partners.end_agreement(db, Actor.system(), agreement_id=agreement.id, ends_on=ends_on)
        row = _view_row(register.agreement_view(db, Actor.system(), agreement.id))
    if as_json:
        print_json(row)
        return
    console.print(plain(f"Agreement {row['reference']} ends on {row['ends_on']}."))


@app.command("link-user")
def link_user(
    partner: PartnerCode,
    username: Annotated[str, typer.Option("--username", help="A partner organisation user.")],
) -> None:
    """Let a partner organisation user's account send for this partner (one partner each)."""
    with unit_of_work() as db:
        found = partners.partner_by_code(db, partner)
        partners.link_username(db, Actor.system(), partner_id=found.id, username=username)
        code = found.code
    console.print(plain(f"{username} now sends for {code}."))


# --- submissions ---------------------------------------------------------------------


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
