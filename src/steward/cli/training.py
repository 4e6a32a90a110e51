"""`steward training`: staff training from the command line, for automation and bulk work.

Thin adapters over ``steward.training.service``, acting as ``Actor.system()``. Each area keeps
its commands in functions of its own below (imports, the course catalogue, modules, reports
and reminders). Formats: docs/training.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from steward.cli import import_reports
from steward.cli.retention_common import print_json
from steward.cli.runtime import CliError, console, load_settings, plain, unit_of_work
from steward.core.errors import ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor
from steward.training.policy import Delivery, Topic
from steward.training.service import catalogue, lms

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
