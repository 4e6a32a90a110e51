"""The `steward` command: one sub-app per domain, plus `serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli import (
    archives,
    assurance,
    audit,
    db,
    demo,
    documents,
    identity,
    intake,
    keys,
    outbox,
    people,
    records,
    redact,
    retention,
    sar,
    staff,
    tokens,
    training,
    users,
)
from steward.cli.runtime import (
    StewardGroup,
    console,
    engine_for,
    load_settings,
    local_url,
    require_migrated,
    serve_log_config,
)

app = typer.Typer(
    cls=StewardGroup,
    name="steward",
    help=(
        "Steward: information governance for records about children and families. "
        "Settings come from STEWARD_* environment variables; commands act as the system "
        "operator and record what they change in the audit trail."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold passwords and keys
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(demo.app, name="demo")
app.add_typer(records.import_app, name="import")
app.add_typer(records.cases_app, name="cases")
app.add_typer(documents.app, name="documents")
app.add_typer(identity.app, name="people")  # with cli/people.py's commands on it
assert people.app is identity.app
app.add_typer(retention.app, name="retention")
app.add_typer(retention.disposal_app, name="disposal")
app.add_typer(archives.app, name="archives")
app.add_typer(sar.app, name="sar")
app.add_typer(outbox.app, name="outbox")
app.add_typer(redact.app, name="redact")
app.add_typer(staff.app, name="staff")
app.add_typer(training.app, name="training")
app.add_typer(intake.app, name="intake")
app.add_typer(assurance.app, name="assurance")


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to listen on. Default: STEWARD_HOST (127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=1, max=65535, help="Port to listen on. Default: STEWARD_PORT (8000)."
        ),
    ] = None,
) -> None:
    """Run the web application. Refuses to start on a database that is not fully migrated."""
    settings = load_settings()
    with engine_for(settings) as engine:
        require_migrated(engine)
    # Imported here: the web stack is heavy and other commands have no use for it.
    import uvicorn

    from steward.web.app import create_app

    application = create_app(settings)
    host = host or settings.host
    port = port or settings.port
    console.print(f"Steward is serving at {local_url(settings, host, port)} (Ctrl+C to stop)")
    # No access log: query strings (searches) could carry personal data into it.
    uvicorn.run(
        application,
        host=host,
        port=port,
        server_header=False,
        access_log=False,
        log_config=serve_log_config(),
    )
