"""What every command shares: settings, the unit of work, password input and error rendering.

Commands stay thin because of this module: they parse options, open ``unit_of_work()``, call
services as ``Actor.system()`` and render. Failures a person can act on (domain errors, a
bad key file, bad settings, an unmigrated database) are turned into one red line on stderr
and exit status 1 here, in ``StewardGroup.invoke``, instead of in each command.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from steward.core import keyfile, migrate
from steward.core.config import Settings, get_settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.errors import DomainError, ValidationFailed
from steward.core.keyfile import KeyFileError
from steward.core.schemas import FORBIDDEN_CHARS, FORBIDDEN_MESSAGE

# Rich resolves sys.stdout/sys.stderr at print time, so module-level consoles still follow
# redirection (and click's test runner).
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

SYSTEM_ERRORS = (DomainError, KeyFileError)


class CliError(Exception):
    """A failure of the command line itself (settings, database state) with an actionable message."""


def fail(message: str) -> None:
    # markup off: messages may hold brackets (paths, revision ids) that Rich would swallow.
    err_console.print(message, style="red", markup=False, soft_wrap=True)


class StewardGroup(TyperGroup):
    """The root command group: every subcommand runs inside its ``invoke``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # The core input rule on every argument of every command (names, teams, reasons,
        # references, barcodes...), before any is parsed. The value is never echoed: it may
        # be personal data, and printing it could replay escape sequences to the terminal.
        for position, arg in enumerate(args, start=1):
            if FORBIDDEN_CHARS.search(arg):
                fail(f"Argument {position} {FORBIDDEN_MESSAGE}. Retype it rather than pasting.")
                raise typer.Exit(2)
        return list(super().parse_args(ctx, args))

    # ctx is Any: its class moved from click into typer's vendored copy between versions.
    def invoke(self, ctx: Any) -> Any:
        # Every file a command creates (the database and its journals, exports, certificates)
        # is for the operator's user only, whatever the shell's umask.
        os.umask(0o077)
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(exc.message)
            # The fields and rules broken: what the operator needs to put the input right.
            for field, problem in (exc.errors if isinstance(exc, ValidationFailed) else {}).items():
                fail(f"  {field}: {problem}")
        except (KeyFileError, CliError) as exc:
            fail(str(exc))
        except DBAPIError as exc:
            # Only the driver's first line: later lines (PostgreSQL's DETAIL) may quote values.
            first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            fail(f"Database error ({type(exc.orig).__name__}): {first_line}")
        raise typer.Exit(1)


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            location = "_".join(str(part) for part in error["loc"])
            # Name the variable, never echo its value: it may be a secret.
            problems.append(f"STEWARD_{location.upper()}: {message}" if location else message)
        raise CliError("Invalid settings: " + "; ".join(problems)) from exc


def keyring(settings: Settings | None = None) -> FileKeyring:
    """The key-encryption keys from the key file, for commands that seal or open text."""
    settings = settings or load_settings()
    return FileKeyring(keyfile.load_or_create(settings.resolved_key_file))


def head_revision() -> str | None:
    return ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_current_head()


def require_migrated(engine: Engine) -> None:
    current, head = migrate.current_revision(engine), head_revision()
    if current != head:
        state = "not initialised" if current is None else f"at revision {current}, latest {head}"
        raise CliError(
            f"The database is not migrated to the latest version ({state}). Run: steward db upgrade"
        )


@contextmanager
def engine_for(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    try:
        yield engine
    finally:
        # A command is one short process (or one test): leave no pooled connection behind.
        engine.dispose()


@contextmanager
def unit_of_work(settings: Settings | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """One commit for the whole block, against a database known to be at the latest revision."""
    import steward.models  # noqa: F401 - every mapped table registered before the first query

    with engine_for(settings or load_settings()) as engine:
        require_migrated(engine)
        with session_scope(make_sessionmaker(engine), read_only=read_only) as db:
            yield db


def read_password(*, from_stdin: bool, prompt: str = "Password") -> str:
    """A password from one line of stdin (for scripts) or a hidden prompt typed twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return password


def plain(value: object) -> Text:
    """Stored input as safe terminal text: control and format characters (escape sequences,
    bidirectional overrides) shown as visible escapes, and never read as Rich markup."""
    shown = "".join(
        ch if not unicodedata.category(ch).startswith("C") else ascii(ch)[1:-1] for ch in str(value)
    )
    return Text(shown)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def local_url(settings: Settings, host: str | None = None, port: int | None = None) -> str:
    host = host or settings.host
    # A wildcard address is where the server listens, not where a browser can go.
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or settings.port}"


class TypeAndPathOnly(logging.Filter):
    """Strips tracebacks, and the secret of a path that carries one, from log records. A traceback can carry personal data (values in an
    exception's message, SQL parameters), and the web app already logs each unexpected
    error by its type and path; uvicorn would log the same error again, traceback and all."""

    def filter(self, record: logging.LogRecord) -> bool:
        from steward.web.security import scrub_secrets

        # uvicorn's access log passes the path as an argument: a disclosure link's token
        # must not reach the log.
        if isinstance(record.args, tuple):
            record.args = tuple(scrub_secrets(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = scrub_secrets(record.msg)
        if record.exc_info:
            error = record.exc_info[1]
            kind = type(error).__name__ if error is not None else "error"
            record.msg = f"{record.getMessage().rstrip()} ({kind})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        return True


def serve_log_config() -> dict[str, Any]:
    """uvicorn's logging, with every handler stripping tracebacks, and Steward's own logger
    (errors by type and path) on the same stderr."""
    from uvicorn import config as uvicorn_config  # only `serve` needs the web stack

    config = copy.deepcopy(uvicorn_config.LOGGING_CONFIG)
    config["filters"] = {"type_and_path_only": {"()": TypeAndPathOnly}}
    for handler in config["handlers"].values():
        handler["filters"] = ["type_and_path_only"]
    config["loggers"]["steward"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
