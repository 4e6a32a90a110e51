"""`steward sar`: subject access requests, for automation."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli.retention_common import parse_date, print_json
from steward.cli.runtime import CliError, console, load_settings
from steward.sar import clock

app = typer.Typer(help="Subject access requests: the statutory clock.", no_args_is_help=True)


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
