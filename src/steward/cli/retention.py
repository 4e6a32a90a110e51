"""`steward retention` and `steward disposal`: the schedule, due records, holds and disposal.

Thin adapters over ``steward.retention.service``. Commands act as the system operator unless
``--as USERNAME`` names the member of staff acting (decisions and the second approval of a
destruction must be a named person: the service refuses the system for those).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from steward.cli.retention_common import (
    AsOf,
    AsUser,
    CaseNumber,
    Json,
    Version,
    acting_as,
    parse_date,
    print_json,
)

# `steward disposal` lives in its own module; main.py adds it from here beside `retention`.
from steward.cli.retention_disposal import disposal_app as disposal_app
from steward.cli.runtime import (
    CliError,
    console,
    err_console,
    iso,
    keyring,
    unit_of_work,
)
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.retention import schedule_format
from steward.retention.models import Hold, HoldKind, HoldScope
from steward.retention.service import dates, holds, report, schedules, undatable

app = typer.Typer(help="Retention schedule, due records and holds.", no_args_is_help=True)
schedule_app = typer.Typer(
    help="Load, show and approve the retention schedule.", no_args_is_help=True
)
holds_app = typer.Typer(help="Place, release and list holds.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")
app.add_typer(holds_app, name="holds")


# --- schedule ------------------------------------------------------------------------------


@schedule_app.command("load")
def schedule_load(
    file: Annotated[
        Path | None, typer.Argument(help="The schedule YAML (docs/retention.md).")
    ] = None,
    default: Annotated[bool, typer.Option("--default", help="Load the shipped default.")] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Check a schedule and store it as a draft, showing its impact. Nothing changes for any
    record until the draft is approved."""
    if (file is None) == (not default):
        raise CliError("Give a schedule file, or --default for the shipped schedule.")
    try:
        text = schedule_format.default_schedule_text() if default else file.read_text("utf-8")  # type: ignore[union-attr]
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"Cannot read {file}: {exc.__class__.__name__}.") from exc
    with unit_of_work() as db:
        try:
            loaded = schedules.load(db, acting_as(db, as_user), text)
        except ValidationFailed as exc:
            for where, problem in exc.errors.items():
                err_console.print(f"  {where}: {problem}", markup=False)
            raise
        version, impact = loaded.version, schedules.stored_impact(loaded)
    if as_json:
        print_json({"version": version, "status": "draft", "impact": [asdict(i) for i in impact]})
        return
    table = Table("class", "records", "earlier", "later", "unchanged", "gain a date", "lose a date")
    for i in impact:
        table.add_row(
            i.class_code,
            *(
                str(v)
                for v in (i.records, i.earlier, i.later, i.unchanged, i.gains_date, i.loses_date)
            ),
        )
    console.print(f"Schedule version {version} loaded as a draft. Its impact if approved:")
    console.print(table)
    console.print(f"Approve it with: steward retention schedule approve {version}")


@schedule_app.command("approve")
def schedule_approve(version: Version, as_user: AsUser = None) -> None:
    """Approve a draft: every record is re-dated under it."""
    with unit_of_work() as db:
        schedules.approve(db, acting_as(db, as_user), version=version)
    console.print(f"Schedule version {version} approved.")


@schedule_app.command("withdraw")
def schedule_withdraw(version: Version, as_user: AsUser = None) -> None:
    """Withdraw a draft nobody approved."""
    with unit_of_work() as db:
        schedules.withdraw(db, acting_as(db, as_user), version=version)
    console.print(f"Schedule version {version} withdrawn.")


@schedule_app.command("show")
def schedule_show(
    version: Annotated[
        int | None, typer.Option("--version", help="Default: the approved one.")
    ] = None,
    as_json: Json = False,
) -> None:
    """The schedule's rules: class, rule version, what happens when, and the authority."""
    with unit_of_work(read_only=True) as db:
        schedule = schedules.get(db, version) if version else schedules.require_approved(db)
        body = {
            "version": schedule.version,
            "status": schedule.status,
            "title": schedule.title,
            "owner": schedule.owner,
            "sha256": schedule.sha256,
            "approved_at": iso(schedule.approved_at),
            "rules": [
                {
                    "class": r.class_code,
                    "rule_version": r.version,
                    "rule": r.description,
                    "action": r.action,
                    "authority": r.authority,
                    "citation": r.citation,
                }
                for r in schedule.rules
            ],
        }
    if as_json:
        print_json(body)
        return
    console.print(
        f"Schedule version {body['version']} ({body['status']}): {body['title']}", markup=False
    )
    table = Table("class", "v", "rule", "authority")
    for r in body["rules"]:  # type: ignore[attr-defined]
        table.add_row(r["class"], str(r["rule_version"]), r["rule"], r["authority"])
    console.print(table)


# --- dates -----------------------------------------------------------------------------------


@app.command()
def sweep(as_json: Json = False) -> None:
    """Re-date every record under the approved schedule (set-based). Run it nightly (cron,
    systemd timer): the due list and the report read the dates it stores."""
    with unit_of_work() as db:
        count = dates.sweep(db, Actor.system())
    print_json({"scheduled": count}) if as_json else console.print(f"{count} records dated.")


@app.command()
def due(
    as_of: AsOf,
    as_json: Json = False,
    as_user: AsUser = None,
    resweep: Annotated[
        bool, typer.Option("--sweep", help="Re-date every record first (audited).")
    ] = False,
) -> None:
    """Every record due for action on or before --as-of: date, action, rule, hold; from the
    dates stored by the last sweep (said on stderr; --sweep to re-date first)."""
    when = parse_date(as_of, "--as-of")
    with unit_of_work() as db:
        actor = acting_as(db, as_user)
        if resweep:
            dates.sweep(db, actor)
        rows = dates.due(db, actor, as_of=when)
        fresh = dates.freshness(db)
    as_of_note = fresh.dated_at.isoformat(timespec="minutes") if fresh.dated_at else "never"
    warn = " - more than a day old: is the nightly sweep running?" if fresh.stale else ""
    err_console.print(f"Dates as of {as_of_note}{warn}", markup=False)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table("due", "record", "class", "rule", "action", "held")
    for r in rows:
        table.add_row(
            r.due_on.isoformat(),
            r.identifier,
            r.class_code,
            f"v{r.rule_version} (schedule {r.schedule_version})",
            r.action,
            "HELD" if r.held else "",
        )
    console.print(table)
    console.print(f"{len(rows)} records due on or before {when.isoformat()}.")


@app.command()
def explain(case_number: CaseNumber, as_json: Json = False, as_user: AsUser = None) -> None:
    """A case's retention date and the facts it comes from (names: need-to-know applies)."""
    with unit_of_work() as db:
        found = dates.explain(db, acting_as(db, as_user), case_number=case_number)
    if as_json:
        print_json(asdict(found))
        return
    console.print(f"{found.case_number} ({found.class_code}): {found.rule}", markup=False)
    console.print(
        f"  due {found.due_on or 'no date yet'} - {found.action}; rule v{found.rule_version}, "
        f"schedule v{found.schedule_version}",
        markup=False,
    )
    for line in found.facts:
        console.print(f"  - {line}", markup=False)
    if found.held:
        console.print(f"  HELD by hold(s) {', '.join(map(str, found.hold_ids))}")


@app.command()
def event(
    case_number: CaseNumber,
    name: Annotated[str, typer.Argument(help="The event, e.g. adoption_order.")],
    occurred_on: Annotated[str, typer.Argument(help="When it happened, YYYY-MM-DD.")],
    as_user: AsUser = None,
) -> None:
    """Record a dated event a rule is triggered by, e.g. `event LS24A00001 adoption_order 2020-05-01`."""
    when = parse_date(occurred_on, "OCCURRED_ON")
    with unit_of_work() as db:
        dates.record_event(
            db, acting_as(db, as_user), case_number=case_number, event=name, occurred_on=when
        )
    console.print("Event recorded; the case is re-dated.")


@app.command("undatable")
def undatable_(
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of 50.")] = 1,
    as_json: Json = False,
    as_user: AsUser = None,
) -> None:
    """Records the schedule cannot date, each with what it lacks (no names shown)."""
    with unit_of_work() as db:
        listed = undatable.undatable(db, acting_as(db, as_user), page=page)
    if as_json:
        print_json(
            {
                "total": listed.total,
                "page": listed.page,
                "pages": listed.pages,
                "by_class": dict(listed.by_class),
                "records": [asdict(r) for r in listed.rows],
            }
        )
        return
    table = Table("record", "kind", "class", "what is missing")
    for r in listed.rows:
        table.add_row(r.identifier, r.kind.value, r.class_code, "; ".join(r.missing))
    console.print(table)
    console.print(
        f"{listed.total} records cannot be dated; page {listed.page} of {listed.pages}.",
        markup=False,
    )


@app.command("report")
def report_() -> None:
    """The DPO's retention report, as JSON."""
    with unit_of_work() as db:
        built = report.build(db, Actor.system())
    print_json(asdict(built))


# --- holds -----------------------------------------------------------------------------------


def _hold_json(db: Session, hold: Hold) -> dict[str, Any]:
    return {
        "id": hold.id,
        "kind": hold.kind,
        "scope": hold.scope,
        "reference": hold.reference,
        "targets": holds.target_labels(db, hold),
        "placed_at": iso(hold.placed_at),
        "released_at": iso(hold.released_at),
    }


@holds_app.command("place")
def hold_place(
    kind: Annotated[HoldKind, typer.Option("--kind", help="What the hold is for.")],
    scope: Annotated[HoldScope, typer.Option("--scope", help="What --target names.")],
    target: Annotated[
        list[str], typer.Option("--target", help="Case number, person id or class code; repeat.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the hold).")],
    reference: Annotated[
        str | None, typer.Option("--reference", help="The matter's reference.")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Hold cases, persons or a record class: nothing in scope is disposed of until released."""
    with unit_of_work() as db:
        hold = holds.place_hold(
            db,
            acting_as(db, as_user),
            keyring(),
            kind=kind,
            scope=scope,
            targets=target,
            reason=reason,
            reference=reference,
        )
        hold_id = hold.id
    console.print(f"Hold {hold_id} placed.")


@holds_app.command("release")
def hold_release(
    hold_id: Annotated[int, typer.Argument(help="The hold's id (holds list).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is released.")],
    as_user: AsUser = None,
) -> None:
    """Release a hold: what it covered may be disposed of again when due."""
    with unit_of_work() as db:
        holds.release_hold(db, acting_as(db, as_user), keyring(), hold_id=hold_id, reason=reason)
    console.print(f"Hold {hold_id} released.")


@holds_app.command("list")
def hold_list(
    all_: Annotated[bool, typer.Option("--all", help="Include released holds.")] = False,
    as_json: Json = False,
) -> None:
    """Holds in force (or all of them), with what they cover: identifiers, never names."""
    with unit_of_work() as db:
        rows = [
            _hold_json(db, h) for h in holds.list_holds(db, Actor.system(), active_only=not all_)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "kind", "scope", "targets", "placed", "released")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["kind"],
            r["scope"],
            ", ".join(r["targets"][:5]),
            r["placed_at"][:10],
            (r["released_at"] or "")[:10],
        )
    console.print(table)
