"""`steward retention` and `steward disposal`: the schedule, due records, holds and disposal.

Thin adapters over ``steward.retention.service``. Commands act as the system operator unless
``--as USERNAME`` names the member of staff acting (decisions and the second approval of a
destruction must be a named person: the service refuses the system for those).
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from steward.cli.runtime import (
    CliError,
    console,
    engine_for,
    err_console,
    iso,
    load_settings,
    require_migrated,
    unit_of_work,
)
from steward.core import auth
from steward.core.config import Environment
from steward.core.db import make_sessionmaker
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor
from steward.retention import schedule_format
from steward.retention.models import Decision, Hold, HoldKind, HoldScope
from steward.retention.service import dates, destruction, disposal, holds, report, schedules

app = typer.Typer(help="Retention schedule, due records and holds.", no_args_is_help=True)
disposal_app = typer.Typer(help="Disposal lists, decisions and destruction.", no_args_is_help=True)
schedule_app = typer.Typer(
    help="Load, show and approve the retention schedule.", no_args_is_help=True
)
holds_app = typer.Typer(help="Place, release and list holds.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")
app.add_typer(holds_app, name="holds")

# A test hook: kill this process inside the N-th item's transaction (after its rows are
# deleted, before the commit), to prove an interrupted disposal keeps or destroys each item
# wholly. Honoured only when STEWARD_ENV=test.
CRASH_AT = "STEWARD_TEST_DISPOSAL_CRASH_AT"

AsUser = Annotated[
    str | None,
    typer.Option("--as", help="Act as this member of staff (username); default: the operator."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsOf = Annotated[str, typer.Option("--as-of", help="Date, YYYY-MM-DD.")]
CaseNumber = Annotated[str, typer.Argument(help="The case number, e.g. LS24P00042.")]
Version = Annotated[int, typer.Argument(help="The schedule version.")]
ListId = Annotated[int, typer.Argument(help="The disposal list's id.")]


def _actor(db: Session, username: str | None) -> Actor:
    return Actor.system() if username is None else auth.get_user(db, username=username).actor


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{option}: give a date as YYYY-MM-DD, e.g. 2026-03-31.") from exc


def _print_json(value: Any) -> None:
    console.print_json(json.dumps(value, default=str))


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
            loaded = schedules.load(db, _actor(db, as_user), text)
        except ValidationFailed as exc:
            for where, problem in exc.errors.items():
                err_console.print(f"  {where}: {problem}", markup=False)
            raise
        version, impact = loaded.version, schedules.stored_impact(loaded)
    if as_json:
        _print_json({"version": version, "status": "draft", "impact": [asdict(i) for i in impact]})
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
        schedules.approve(db, _actor(db, as_user), version=version)
    console.print(f"Schedule version {version} approved.")


@schedule_app.command("withdraw")
def schedule_withdraw(version: Version, as_user: AsUser = None) -> None:
    """Withdraw a draft nobody approved."""
    with unit_of_work() as db:
        schedules.withdraw(db, _actor(db, as_user), version=version)
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
        _print_json(body)
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
    """Re-date every record under the approved schedule (set-based)."""
    with unit_of_work() as db:
        count = dates.sweep(db, Actor.system())
    _print_json({"scheduled": count}) if as_json else console.print(f"{count} records dated.")


@app.command()
def due(as_of: AsOf, as_json: Json = False, as_user: AsUser = None) -> None:
    """Every record due for action on or before --as-of: date, action, rule, hold."""
    when = _date(as_of, "--as-of")
    with unit_of_work() as db:
        rows = dates.due(db, _actor(db, as_user), as_of=when)
    if as_json:
        _print_json([asdict(r) for r in rows])
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
        found = dates.explain(db, _actor(db, as_user), case_number=case_number)
    if as_json:
        _print_json(asdict(found))
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
    when = _date(occurred_on, "OCCURRED_ON")
    with unit_of_work() as db:
        dates.record_event(
            db, _actor(db, as_user), case_number=case_number, event=name, occurred_on=when
        )
    console.print("Event recorded; the case is re-dated.")


@app.command("report")
def report_() -> None:
    """The DPO's retention report, as JSON."""
    with unit_of_work() as db:
        built = report.build(db, Actor.system())
    _print_json(asdict(built))


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
            _actor(db, as_user),
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
        holds.release_hold(db, _actor(db, as_user), hold_id=hold_id, reason=reason)
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
        _print_json(rows)
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


# --- disposal --------------------------------------------------------------------------------


def _list_json(db: Session, list_id: int) -> dict[str, Any]:
    found = disposal.get_list(db, Actor.system(), list_id)
    return {
        "id": found.id,
        "reference": found.reference,
        "as_of": found.as_of,
        "status": found.status,
        "schedule_version": found.schedule_version,
        "proposed_at": iso(found.proposed_at),
        "approved_at": iso(found.approved_at),
        "approved_by_user_id": found.approved_by_user_id,
        "items": [
            {
                "id": i.id,
                "kind": i.record_kind,
                "identifier": i.identifier,
                "class": i.class_code,
                "rule_version": i.rule_version,
                "due_on": i.due_on,
                "action": i.action,
                "decision": i.decision,
                "review_on": i.review_on,
                "outcome": i.outcome,
            }
            for i in found.items
        ],
    }


@disposal_app.command("propose")
def propose(as_of: AsOf, as_user: AsUser = None, as_json: Json = False) -> None:
    """Build a disposal list of what is due for destruction or review by --as-of."""
    when = _date(as_of, "--as-of")
    with unit_of_work() as db:
        made = disposal.propose(db, _actor(db, as_user), as_of=when)
        body = _list_json(db, made.id)
    if as_json:
        _print_json(body)
    else:
        console.print(
            f"Disposal list {body['id']} ({body['reference']}) proposed with {len(body['items'])} items."
        )


@disposal_app.command("show")
def show(list_id: ListId, as_json: Json = False) -> None:
    """A disposal list with each item's decision and outcome."""
    with unit_of_work(read_only=True) as db:
        body = _list_json(db, list_id)
    if as_json:
        _print_json(body)
        return
    console.print(f"{body['reference']}: {body['status']}, as of {body['as_of']}")
    table = Table("item", "record", "class", "due", "action", "decision", "outcome")
    for i in body["items"]:
        table.add_row(
            str(i["id"]),
            i["identifier"],
            i["class"],
            str(i["due_on"]),
            i["action"],
            i["decision"],
            i["outcome"],
        )
    console.print(table)


@disposal_app.command("decide")
def decide(
    list_id: ListId,
    decision: Annotated[Decision, typer.Option("--decision", help="destroy or retain")],
    item: Annotated[
        list[int] | None,
        typer.Option("--item", help="Item id; repeat. Default: every undecided item."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is kept (retain).")] = None,
    review_on: Annotated[
        str | None, typer.Option("--review-on", help="Review date (retain).")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Record a reviewer's decision on items of a list."""
    when = _date(review_on, "--review-on") if review_on else None
    with unit_of_work() as db:
        count = disposal.decide(
            db,
            _actor(db, as_user),
            list_id=list_id,
            item_ids=item or [],
            decision=decision,
            reason=reason,
            review_on=when,
        )
    console.print(f"{count} item(s) decided: {decision.value}.")


@disposal_app.command("approve")
def approve(
    list_id: ListId, as_user: Annotated[str, typer.Option("--as", help="The approver (username).")]
) -> None:
    """The second approval: a different person from those who proposed and decided."""
    with unit_of_work() as db:
        disposal.approve(db, _actor(db, as_user), list_id=list_id)
    console.print(
        f"Disposal list {list_id} approved. Carry it out with: steward disposal execute {list_id} --as {as_user}"
    )


@disposal_app.command("execute")
def execute(list_id: ListId, as_user: AsUser = None, as_json: Json = False) -> None:
    """Destroy the approved items, each in its own transaction; safe to rerun after an
    interruption (it carries on from the first item not yet done)."""
    settings = load_settings()
    crash_at = int(os.environ.get(CRASH_AT, "0") or 0) if settings.env is Environment.TEST else 0

    def hook(n: int) -> None:
        if n == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with engine_for(settings) as engine:
        require_migrated(engine)
        factory = make_sessionmaker(engine)
        with factory() as db:
            actor = _actor(db, as_user)
        done = destruction.execute(
            factory, actor, list_id=list_id, before_commit=hook if crash_at else None
        )
    if as_json:
        _print_json(asdict(done))
    else:
        console.print(
            f"Destroyed {done.destroyed}, sent to the contractor {done.marked}, kept {done.kept}. "
            f"Certificate: steward disposal certificate {list_id}"
        )


@disposal_app.command("certificate")
def certificate(list_id: ListId, as_json: Json = False) -> None:
    """The destruction certificate of a carried-out list."""
    with unit_of_work(read_only=True) as db:
        cert = destruction.certificate_for(db, Actor.system(), list_id=list_id)
        body = {
            "reference": cert.reference,
            "issued_at": iso(cert.issued_at),
            "destroyed": cert.destroyed_count,
            "paper": cert.paper_count,
            "kept": cert.kept_count,
            "method": cert.method,
            "rules": json.loads(cert.rules),
            "approvers": json.loads(cert.approvers),
            "sha256": cert.sha256,
        }
    if as_json:
        _print_json(body)
        return
    for key, value in body.items():
        console.print(f"{key}: {value}", markup=False)


@disposal_app.command("list")
def list_(as_json: Json = False) -> None:
    """Disposal lists, newest first."""
    with unit_of_work(read_only=True) as db:
        rows = [
            {"id": d.id, "reference": d.reference, "as_of": d.as_of, "status": d.status}
            for d in disposal.list_lists(db, Actor.system())
        ]
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        console.print(f"{r['id']}  {r['reference']}  {r['status']}  as of {r['as_of']}")
