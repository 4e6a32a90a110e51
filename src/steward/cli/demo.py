"""`steward demo`: load demonstration data into a development installation."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from steward.cli.runtime import console, engine_for, load_settings, local_url, require_migrated
from steward.core import keyfile
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import ROLE_DESCRIPTIONS, Actor
from steward.demo import archives as demo_archives
from steward.demo import assurance_audits as demo_assurance_audits
from steward.demo import breaches as demo_breaches
from steward.demo import file_plan as demo_file_plan
from steward.demo import identity as demo_identity
from steward.demo import intake as demo_intake
from steward.demo import oversight as demo_oversight
from steward.demo import processing as demo_processing
from steward.demo import retention as demo_retention
from steward.demo import sar as demo_sar
from steward.demo import service
from steward.demo import training as demo_training
from steward.demo.records import batched

app = typer.Typer(
    help="Demonstration data for trying Steward out (refused in production).",
    no_args_is_help=True,
)


@app.command()
def seed(
    if_empty: Annotated[
        bool,
        typer.Option(
            "--if-empty",
            help="Do nothing if any account or case already exists (still shows how to sign in).",
        ),
    ] = False,
    cases: Annotated[
        int,
        typer.Option(
            "--cases", min=0, help="How many synthetic cases to create (0: accounts only)."
        ),
    ] = service.DEFAULT_CASES,
    seed_value: Annotated[
        int,
        typer.Option("--seed", help="Random seed: the same seed on the same day, the same data."),
    ] = service.DEFAULT_SEED,
) -> None:
    """Create demo staff accounts, one or more per role, sharing one demo password, then a
    synthetic organisation's cases (only where there are no cases yet)."""
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    settings = load_settings()
    actor = Actor.system()
    started = time.perf_counter()
    with engine_for(settings) as engine:
        require_migrated(engine)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as db:
            result = service.seed(db, actor, environment=settings.env, if_empty=if_empty)
        created = sum(1 for seeded in result.accounts if seeded.created)
        if result.skipped:
            console.print("Accounts or cases already exist: no demo data added.")
        else:
            console.print(f"Demo data: {created} account(s) created.")
            if cases:
                _seed_cases(factory, settings, cases=cases, seed=seed_value, started=started)
        with session_scope(factory) as db:
            summary = service.summary(db)
    _show_accounts(result, summary, settings, created=created)


def _seed_cases(
    factory: sessionmaker[Session], settings: Settings, *, cases: int, seed: int, started: float
) -> None:
    kek = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    with session_scope(factory) as db:
        started_records = service.start_records(
            db, kek, Actor.system(), environment=settings.env, cases=cases, seed=seed
        )
    if started_records is None:
        console.print("Cases already exist: no demo cases added.")
        return
    organisation, loader = started_records
    columns = (
        TextColumn("Demo cases"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("cases", total=organisation.case_count)
        for batch in batched(organisation.case_plans(), service.BATCH_CASES):
            with session_scope(factory) as db:  # whole cases only, should it be interrupted
                loader.load(db, batch)
            progress.advance(task, len(batch))
    loaded = loader.loaded
    demo_identity.prepare(factory, Actor.system())
    demo_archives.prepare(factory, Actor.system(), kek)
    demo_retention.prepare(factory, Actor.system(), kek)
    demo_sar.prepare(factory, kek, settings)
    training_started = time.perf_counter()
    trained = demo_training.prepare(
        factory, kek, seed=seed, names={s.username: s.name for s in organisation.staff}
    )
    if trained is not None:
        _show_training(trained, time.perf_counter() - training_started)
    intake_started = time.perf_counter()
    with Progress(
        TextColumn("Demo intake"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        task = bar.add_task("intake", total=None)
        intake = demo_intake.prepare(
            factory,
            kek,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if intake is not None:
        _show_intake(intake, time.perf_counter() - intake_started)
    # assurance: measures and catalogue
    # (end of assurance: measures and catalogue)
    # assurance: audits and action plan
    demo_assurance_audits.prepare(factory, kek)
    # (end of assurance: audits and action plan)
    # assurance: breaches
    demo_breaches.prepare(factory, kek)
    # (end of assurance: breaches)
    # assurance: processing register
    recorded = demo_processing.prepare(
        factory, Actor.system(), organisation=settings.organisation_name
    )
    if recorded is not None:
        console.print(f"Demo record of processing: {recorded} activities and their assets.")
    # (end of assurance: processing register)
    # assurance: oversight of access
    demo_oversight.prepare(factory, kek)
    # (end of assurance: oversight of access)
    # assurance: record classes' owners and reviews
    demo_file_plan.prepare(factory)
    # (end of assurance: record classes' owners and reviews)
    console.print(
        f"Demo data: {loaded.cases:,} cases, {loaded.persons:,} person records and "
        f"{loaded.documents:,} documents created in {time.perf_counter() - started:.1f} s "
        f"(seed {seed})."
    )


def _show_training(trained: demo_training.TrainingDemo, seconds: float) -> None:
    sources = ", ".join(f"{source} {count:,}" for source, count in trained.completions.items())
    figure = (
        f"; {trained.compliant_percent}% of staff compliant today"
        if trained.compliant_percent is not None
        else ""
    )
    console.print(
        f"Demo training: {trained.staff:,} staff ({trained.in_post:,} in post, "
        f"{trained.leavers:,} leavers), {sum(trained.completions.values()):,} completions "
        f"({sources}), {trained.attempts:,} module attempts{figure}; {seconds:.1f} s."
    )


def _show_intake(intake: demo_intake.IntakeDemo, seconds: float) -> None:
    held = intake.outcomes.get("quarantined", 0)
    console.print(
        f"Demo intake: {len(intake.plan.partners)} partners ({intake.agreements} agreements, "
        f"{intake.ended} ended), {len(intake.submitted):,} files over {intake.months} months, "
        f"{intake.rows:,} rows: {intake.outcomes.get('accepted', 0):,} accepted, "
        f"{intake.outcomes.get('unchanged', 0):,} sent before, {held:,} held for the IG "
        f"officer, {intake.outcomes.get('rejected', 0):,} rejected"
        + (f"; `partner` sends for {intake.plan.council.name}" if intake.linked else "")
        + f"; {seconds:.1f} s.",
        markup=False,
    )


def _show_accounts(
    result: service.SeedResult, summary: service.Summary, settings: Settings, *, created: int
) -> None:
    console.print(
        f"The installation holds {summary.cases:,} cases ({summary.open_cases:,} open), "
        f"{summary.persons:,} person records and {summary.documents:,} documents."
    )
    if not result.accounts:
        console.print("None of the demo accounts exist here; sign in with your own account.")
        return
    sees = {view.username: view.sees for view in summary.accounts}
    table = Table(title=f"Sign in at {local_url(settings, host='127.0.0.1')}")
    for column in ("Username", "Role", "Team", "What they do", "What they see"):
        table.add_column(column)
    for seeded in result.accounts:
        account = seeded.account
        table.add_row(
            account.username,
            account.role.value,
            account.team or "",
            ROLE_DESCRIPTIONS[account.role],
            sees.get(account.username, ""),
        )
    console.print(table)
    console.print(
        f"Password for every demo account: {service.DEMO_PASSWORD}"
        + ("" if created == len(result.accounts) else " (unless it has since been changed)"),
        markup=False,
        soft_wrap=True,
    )
