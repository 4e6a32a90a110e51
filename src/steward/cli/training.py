"""`steward training`: staff training from the command line, for automation.

`remind` is for cron: it sends every reminder and escalation owed today (or on --as-of)
through the outbox, each one once however often it runs, and says what it did in counts and
staff numbers. People with no email address on the staff list are reported, not failed."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli.retention_common import Json, parse_date, print_json
from steward.cli.runtime import (
    console,
    engine_for,
    keyring,
    load_settings,
    plain,
    require_migrated,
)
from steward.core import clock
from steward.core.db import make_sessionmaker
from steward.core.permissions import Actor
from steward.training.service import reminders

app = typer.Typer(help="Staff training: reminders, imports and reports.", no_args_is_help=True)


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
