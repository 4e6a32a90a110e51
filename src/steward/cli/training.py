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
from steward.training.policy import Delivery, Status, Topic
from steward.training.service import catalogue, lms, reminders
from steward.training.service import modules as module_sync
from steward.training.service import report as compliance_report
from steward.training.service.definitions import (
    DEFINITIONS,
    NO_TEAM,
    STATUS_LABELS,
    TARGET_LABEL,
    topic_label,
)
from steward.training.service.report import Figure, Report

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


# --- the compliance report ----------------------------------------------------------------


def _percent(figure: Figure) -> str:
    return "-" if figure.percent is None else f"{figure.percent:g}%"


def _figures(title: str, rows: list[tuple[str, Figure]]) -> Table:
    table = Table(title, "compliant", "counted", "in window", "in scope", "%", title_justify="left")
    for label, figure in rows:
        table.add_row(
            plain(label),
            str(figure.compliant),
            str(figure.counted),
            str(figure.in_window),
            str(figure.in_scope),
            _percent(figure),
        )
    return table


def _print(report: Report) -> None:
    org = report.organisation
    console.print(f"Training compliance as of {report.as_of.isoformat()} ({report.scope.label})")
    console.print(
        f"{_percent(org)} compliant: {org.compliant} of {org.counted} "
        f"({org.in_window} still in their first window, {org.in_scope} in scope). "
        f"{TARGET_LABEL}: {report.target_percent}%."
    )
    console.print(plain(DEFINITIONS["organisation"]), style="dim")
    console.print(_figures("team", [(t or NO_TEAM, f) for t, f in report.teams]))
    console.print(
        _figures(
            "employment type", [(k.value, f) for k, f in report.employment_types if f.in_scope]
        )
    )
    console.print(_figures("topic", [(topic_label(t), f) for t, f in report.topics]))
    courses = Table("course", "applies to", *(STATUS_LABELS[s].lower() for s in Status), "%")
    for course in report.courses:
        courses.add_row(
            plain(course.code),
            str(course.applies_to),
            *(str(course.counts[status]) for status in Status),
            "-" if course.percent is None else f"{course.percent:g}%",
        )
    console.print(courses)
    console.print(f"Not compliant: {len(report.non_compliant)}")
    for person in report.non_compliant:
        missing = ", ".join(
            f"{line.course_code} {line.status.value}"
            + (f" since {line.standing.due_on.isoformat()}" if line.standing.due_on else "")
            for line in person.missing
        )
        console.print(plain(f"  {person.staff_number}  {person.name}: {missing}"))


@app.command("report")
def report(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day to report on (YYYY-MM-DD); default today."),
    ] = None,
    trend: Annotated[
        bool,
        typer.Option(
            "--trend/--no-trend", help="With the figure at each of the last 12 month ends."
        ),
    ] = True,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print JSON: organisation, teams, courses, employment_types, topics, trend, "
            "non_compliant (with what each person lacks) and the definitions.",
        ),
    ] = False,
) -> None:
    """The organisation's training compliance, each team's, course's, employment type's and
    topic's, and every member of staff who is not compliant with what they lack."""
    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    with unit_of_work() as db:
        built = compliance_report.build(
            db, Actor.system(), day, trend=trend, exported="json" if as_json else None
        )
    if as_json:
        print_json(built.as_dict())
        return
    _print(built)
