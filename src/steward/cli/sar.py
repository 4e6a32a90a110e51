"""`steward sar`: subject access requests, for automation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from steward.cli.retention_common import parse_date, print_json
from steward.cli.runtime import CliError, console, keyring, load_settings, plain, unit_of_work
from steward.core.errors import ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor
from steward.sar import clock, policy, service
from steward.sar.delivery_models import BundleStatus
from steward.sar.models import SubjectAccessRequest
from steward.sar.schemas import SarCreate

app = typer.Typer(
    help="Subject access requests: the statutory clock; log, list and show requests.",
    no_args_is_help=True,
)


def _pause(value: str) -> clock.Pause:
    asked, sep, answered = value.partition(":")
    if not sep:
        raise CliError("--pause: give the day of asking and the day of the answer as FROM:TO.")
    return clock.Pause(parse_date(asked, "--pause"), parse_date(answered, "--pause"))


@app.command()
def deadline(
    received: Annotated[str, typer.Option(help="Day the request arrived (YYYY-MM-DD).")],
    extended: Annotated[
        bool, typer.Option("--extended", help="Extended by two further months (complex).")
    ] = False,
    pause: Annotated[
        list[str] | None,
        typer.Option(
            help="Clock stopped to clarify, FROM:TO both counted (YYYY-MM-DD:YYYY-MM-DD); repeat."
        ),
    ] = None,
    id_received: Annotated[
        str | None, typer.Option(help="Day the ID asked for arrived, if it was asked for.")
    ] = None,
    authority_received: Annotated[
        str | None, typer.Option(help="Day a representative's authority arrived.")
    ] = None,
    fee_received: Annotated[str | None, typer.Option(help="Day an allowed fee arrived.")] = None,
    region: Annotated[
        clock.Region | None,
        typer.Option(help="Bank holidays of this UK region (default: the organisation's)."),
    ] = None,
    twenty_eight_days: Annotated[
        bool, typer.Option("--28-days", help="The house rule of 28 days for the first deadline.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The day a response is due, by the ICO's method (DOMAIN.md §1), printed as YYYY-MM-DD."""
    start = clock.day_one(
        parse_date(received, "--received"),
        id_received=parse_date(id_received, "--id-received") if id_received else None,
        authority_received=(
            parse_date(authority_received, "--authority-received") if authority_received else None
        ),
        fee_received=parse_date(fee_received, "--fee-received") if fee_received else None,
    )
    pauses = [_pause(p) for p in pause or []]
    chosen = region or clock.Region.from_setting(load_settings().bank_holiday_region)
    method = clock.Method.TWENTY_EIGHT_DAYS if twenty_eight_days else clock.Method.CALENDAR_MONTH
    due = clock.due_date(start, region=chosen, extended=extended, pauses=pauses, method=method)
    if not as_json:
        console.print(due.isoformat())
        return
    first = clock.due_date(start, region=chosen, pauses=pauses, method=method)
    print_json(
        {
            "day_one": start.isoformat(),
            "due": due.isoformat(),
            "extended": extended,
            # An extension must be given, with reasons, before this day.
            "first_deadline": first.isoformat(),
            "paused_days": clock.paused_days(pauses),
            "region": chosen.value,
            "method": method.value,
        }
    )


def _summary(request: SubjectAccessRequest) -> dict[str, object]:
    state = service.clock_of(request)
    return {
        "reference": request.reference,
        "right": request.right,
        "status": request.status,
        "requester_type": request.requester_type,
        "received_on": request.received_on.isoformat(),
        "day_one": state.day_one.isoformat() if state.day_one else None,
        "due_on": state.due_on.isoformat(),
        "days_left": state.days_left,
        "extended": state.extended,
        "clock_stopped": state.stopped,
    }


@app.command("new")
def new(
    source: Annotated[
        typer.FileText,
        typer.Argument(help="The request as JSON (fields of SarCreate, docs/sar.md); - for stdin."),
    ],
) -> None:
    """Log a request received by letter, email, phone or in person; prints its reference."""
    try:
        data = SarCreate.model_validate_json(source.read())
    except ValidationError as exc:
        raise ValidationFailed(
            "The request is not valid; nothing was saved.",
            errors={".".join(map(str, e["loc"])) or "request": e["msg"] for e in exc.errors()},
        ) from None
    settings = load_settings()
    with unit_of_work(settings) as db:
        request = service.receive(
            db,
            keyring(settings),
            Actor.system(),
            data,
            default_region=clock.Region.from_setting(settings.bank_holiday_region),
        )
        console.print(request.reference)


@app.command("list")
def list_requests(
    status: Annotated[policy.Status | None, typer.Option(help="Only this status.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past due.")] = False,
    page: Annotated[int, typer.Option(min=1, help="Page of 50, due soonest first.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open requests (or those of --status), due soonest first."""
    with unit_of_work() as db:
        found = service.queue(
            db, Actor.system(), PageRequest(number=page), status=status, overdue=overdue
        )
        rows = [_summary(r) for r in found.items]
    if as_json:
        print_json({"total": found.total, "page": found.number, "requests": rows})
        return
    table = Table("reference", "status", "received", "due", "days left")
    for row in rows:
        table.add_row(
            *(str(row[k]) for k in ("reference", "status", "received_on", "due_on", "days_left"))
        )
    console.print(table)
    console.print(f"{found.first}-{found.last} of {found.total}")


@app.command()
def show(
    reference: Annotated[str, typer.Argument(help="The request's reference, e.g. SAR-2026-00042.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One request: its clock, its timeline and what the requester told us (an audited read)."""
    settings = load_settings()
    with unit_of_work(settings) as db:
        actor = Actor.system()
        request_id = service.id_for_reference(db, actor, reference)
        request = service.get(db, actor, request_id)
        shown = {
            **_summary(request),
            "details": service.details(db, keyring(settings), actor, request_id),
            "timeline": [
                {"at": s.at.isoformat(), "kind": s.kind, "to": s.to_status} for s in request.steps
            ],
        }
    if as_json:
        print_json(shown)
        return
    for key, value in shown.items():
        if key not in ("details", "timeline"):
            console.print(plain(f"{key}: {value}"))
    for step in shown["timeline"]:  # type: ignore[attr-defined]
        console.print(plain(f"  {step['at']}  {step['kind']}  -> {step['to']}"))


@app.command()
def report(
    since: Annotated[
        str | None,
        typer.Option("--from", help="First day of the period (YYYY-MM-DD); default 12 months ago."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last day of the period (YYYY-MM-DD); default today.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Performance: received, completed, % on time, median days to complete, extensions and
    refusals, in total, by requester type and by month (the figures of /sar/report)."""
    start = parse_date(since, "--from") if since else None
    end = parse_date(until, "--to") if until else None
    with unit_of_work() as db:
        built = service.report.build(db, Actor.system(), start=start, end=end)
    if as_json:
        print_json(built.as_dict())
        return
    keys = [
        "received",
        "completed",
        "on_time_percent",
        "median_days_to_complete",
        "extensions",
        "refusals",
    ]
    table = Table("", "received", "completed", "% on time", "median days", "extensions", "refusals")
    groups = [("total", built.total)]
    groups += [(t.value, f) for t, f in built.by_requester]
    groups += [(m.strftime("%Y-%m"), f) for m, f in built.by_month]
    for name, figures in groups:
        shown = figures.as_dict()
        table.add_row(name, *("-" if shown[k] is None else f"{shown[k]:g}" for k in keys))
    console.print(plain(f"{built.start.isoformat()} to {built.end.isoformat()}"))
    console.print(table)


@app.command("bundle")
def bundle(
    reference: Annotated[str, typer.Argument(help="The request's reference, e.g. SAR-2026-00042.")],
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the bundle (a PDF).", dir_okay=False)
    ],
) -> None:
    """Build the disclosure bundle of a request whose disclosure is approved, prove every
    redacted text absent from it, keep it sealed with the request, and write it to --out."""
    settings = load_settings()
    kek = keyring(settings)
    if out.exists() and not out.is_file():
        raise CliError(f"--out: {out} is not a file.")
    with unit_of_work(settings) as db:
        actor = Actor.system()
        request_id = service.id_for_reference(db, actor, reference)
        built = service.bundle.build_now(db, kek, actor, request_id=request_id)
        bundle_id, failed = built.id, built.status != BundleStatus.READY
        error = built.error
    if failed:
        # Committed first: the failure and its audit event stay on record.
        raise CliError(error or "The bundle could not be built.")
    with unit_of_work(settings) as db:
        found = service.bundle.open_bundle(db, kek, Actor.system(), bundle_id)
        with out.open("wb") as target:
            for chunk in found.chunks(db, kek):
                target.write(chunk)
    console.print(plain(f"{out}: {found.size:,} bytes, bundle {bundle_id}, sha256 {found.sha256}"))
