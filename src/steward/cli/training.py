"""`steward training`: staff training compliance, for automation and the DPO's own checks."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from steward.cli.retention_common import parse_date, print_json
from steward.cli.runtime import console, plain, unit_of_work
from steward.core import clock
from steward.core.permissions import Actor
from steward.training.policy import Status
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
    help="Staff training: who must complete what, and who has, as of any date.",
    no_args_is_help=True,
)


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
