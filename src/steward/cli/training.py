"""`steward training`: staff training from the command line, for automation and bulk work.

Thin adapters over ``steward.training.service``, acting as ``Actor.system()``. Each area keeps
its commands in functions of its own below (imports, the course catalogue, modules, reports
and reminders). Formats: docs/training.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from steward.cli import import_reports
from steward.cli.retention_common import Json, parse_date, print_json
from steward.cli.runtime import (
    CliError,
    console,
    engine_for,
    err_console,
    keyring,
    load_settings,
    plain,
    require_migrated,
    unit_of_work,
)
from steward.core import clock
from steward.core.db import make_sessionmaker
from steward.core.errors import ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor
from steward.training.policy import Delivery, Topic
from steward.training.service import catalogue, lms, reminders
from steward.training.service import modules as module_sync

app = typer.Typer(
    help="Staff training: courses, requirements, completions, compliance, reminders.",
    no_args_is_help=True,
)

# --- completions from an LMS -------------------------------------------------------------


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


# --- the course catalogue ------------------------------------------------------------------


def _course_row(course: Any, in_force: int) -> dict[str, Any]:
    return {
        "id": course.id,
        "code": course.code,
        "title": course.title,
        "topic": course.topic,
        "delivery": course.delivery,
        "duration_minutes": course.duration_minutes,
        "version": course.version,
        "validity_months": course.validity_months,
        "pass_mark": course.pass_mark,
        "lms_ids": list(course.lms_ids or []),
        "module_slug": course.module_slug,
        "retired_on": course.retired_on.isoformat() if course.retired_on else None,
        "requirements_in_force": in_force,
    }


@app.command("courses")
def list_courses(
    topic: Annotated[
        str | None, typer.Option(help=f"Only this topic: {', '.join(t.value for t in Topic)}.")
    ] = None,
    delivery: Annotated[
        str | None,
        typer.Option(help=f"Only this delivery: {', '.join(d.value for d in Delivery)}."),
    ] = None,
    retired: Annotated[bool, typer.Option("--retired", help="Include retired courses.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The course catalogue by code, each with its requirements in force today."""
    try:
        chosen_topic = Topic(topic) if topic else None
        chosen_delivery = Delivery(delivery) if delivery else None
    except ValueError as exc:
        raise CliError(f"{exc}. See --help for the codes.") from None
    settings = load_settings()
    rows: list[dict[str, Any]] = []
    with unit_of_work(settings, read_only=True) as db:
        page_number = 1
        while True:
            listed = catalogue.courses(
                db,
                Actor.system(),
                PageRequest(number=page_number, size=500),
                topic=chosen_topic,
                delivery=chosen_delivery,
                include_retired=retired,
            )
            rows += [_course_row(r.course, r.requirements_in_force) for r in listed.items]
            if not listed.has_next:
                break
            page_number += 1
    if as_json:
        print_json({"total": len(rows), "courses": rows})
        return
    table = Table("code", "title", "topic", "delivery", "version", "refresher", "in force")
    for row in rows:
        refresher = f"{row['validity_months']} months" if row["validity_months"] else "never"
        table.add_row(
            *(plain(str(row[k])) for k in ("code", "title", "topic", "delivery", "version")),
            plain(refresher),
            plain(str(row["requirements_in_force"])),
        )
    console.print(table)
    console.print(f"{len(rows)} course{'' if len(rows) == 1 else 's'}")


# --- reminders and escalation (for cron) ------------------------------------------------


@app.command()
def remind(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date, YYYY-MM-DD. Default: today.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Send the reminders and escalations owed: safe to run every hour, and twice at once."""
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    settings = load_settings()
    with engine_for(settings) as engine:
        require_migrated(engine)
        done = reminders.run(
            make_sessionmaker(engine),
            keyring(settings),
            Actor.system(),
            as_of=day,
            settings=settings,
        )
    if as_json:
        print_json(
            {
                "as_of": done.as_of.isoformat(),
                "sent": done.sent,
                "emails": done.emails,
                "kept_in_outbox": done.kept_in_outbox,
                "failed": done.failed,
                "already_sent": done.already_sent,
                "no_email": done.no_email,
                "no_manager": done.no_manager,
            }
        )
        return
    sent = done.sent
    console.print(
        f"Sent {sent['due_soon']} reminder(s) due soon, {sent['overdue']} overdue and "
        f"{sent['escalation']} escalation(s) to managers in {done.emails} email(s) "
        f"as of {done.as_of.isoformat()}; {done.already_sent} already sent before.",
        markup=False,
    )
    if done.kept_in_outbox:
        console.print(
            f"{done.kept_in_outbox} email(s) kept in the outbox: no mail server is set up "
            "(STEWARD_SMTP_HOST). See `steward outbox list`.",
            markup=False,
        )
    if done.failed:
        console.print(
            f"{done.failed} email(s) refused by the mail server: they go on the next run.",
            markup=False,
        )
    if done.no_email:
        console.print(
            plain("No usable email address for staff number(s): " + ", ".join(done.no_email))
        )
    if done.no_manager:
        console.print(
            plain("Overdue with no manager in post to escalate to: " + ", ".join(done.no_manager))
        )


# --- built-in modules ---------------------------------------------------------------------

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
