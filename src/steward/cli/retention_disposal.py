"""`steward disposal`: disposal lists from proposal to certificate.

Thin adapters over ``steward.retention.service``; ``--as USERNAME`` names the member of
staff acting (decisions and the second approval must be a named person).
"""

from __future__ import annotations

import os
import signal
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from steward.cli.retention_common import (
    AsOf,
    AsUser,
    Json,
    ListId,
    acting_as,
    parse_date,
    print_json,
)
from steward.cli.runtime import (
    console,
    engine_for,
    iso,
    keyring,
    load_settings,
    require_migrated,
    unit_of_work,
)
from steward.core.config import Environment
from steward.core.db import make_sessionmaker
from steward.core.permissions import Actor
from steward.retention.models import Decision
from steward.retention.service import certificates, destruction, disposal

disposal_app = typer.Typer(help="Disposal lists, decisions and destruction.", no_args_is_help=True)

# A test hook: kill this process inside the N-th item's transaction (after its rows are
# deleted, before the commit), to prove an interrupted disposal keeps or destroys each item
# wholly. Honoured only when STEWARD_ENV=test.
CRASH_AT = "STEWARD_TEST_DISPOSAL_CRASH_AT"


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
    when = parse_date(as_of, "--as-of")
    with unit_of_work() as db:
        made = disposal.propose(db, acting_as(db, as_user), as_of=when)
        body = _list_json(db, made.id)
    if as_json:
        print_json(body)
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
        print_json(body)
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
    when = parse_date(review_on, "--review-on") if review_on else None
    with unit_of_work() as db:
        count = disposal.decide(
            db,
            acting_as(db, as_user),
            keyring(),
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
        disposal.approve(db, acting_as(db, as_user), keyring(), list_id=list_id)
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
            actor = acting_as(db, as_user)
        done = destruction.execute(
            factory, actor, list_id=list_id, before_commit=hook if crash_at else None
        )
    if as_json:
        print_json(asdict(done))
    else:
        console.print(
            f"Destroyed {done.destroyed}, sent to the contractor {done.marked}, kept {done.kept}. "
            f"Certificate: steward disposal certificate {list_id}"
        )


@disposal_app.command("certificate")
def certificate(list_id: ListId, as_json: Json = False) -> None:
    """The destruction certificate of a carried-out list."""
    with unit_of_work(read_only=True) as db:
        cert = certificates.certificate_for(db, Actor.system(), list_id=list_id)
        body = {
            "reference": cert.reference,
            "issued_at": iso(cert.issued_at),
            "destroyed": cert.destroyed_count,
            "paper": cert.paper_count,
            "kept": cert.kept_count,
            "method": cert.method,
            "rules": [
                {
                    "class": r.class_code,
                    "rule_version": r.rule_version,
                    "schedule_version": r.schedule_version,
                }
                for r in cert.rules
            ],
            # Who took each step, by username (the API's names, not ids).
            "approvers": {
                "proposed_by": cert.proposed_by,
                "decided_by": cert.decided_by,
                "approved_by": cert.approved_by,
                "executed_by": cert.executed_by,
            },
            "sha256": cert.sha256,
        }
    if as_json:
        print_json(body)
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
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['id']}  {r['reference']}  {r['status']}  as of {r['as_of']}")
