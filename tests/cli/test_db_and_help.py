"""`steward db`, `--help` everywhere, settings errors and `steward serve`'s guard."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from sqlalchemy import text

from steward.core import migrate
from tests.cli.conftest import TEST_PORT, Cli, all_commands


def test_db_upgrade_twice_is_idempotent(fresh_cli: Cli) -> None:
    first = fresh_cli.ok("db", "upgrade")
    assert "upgraded from empty" in first.stdout
    second = fresh_cli.ok("db", "upgrade")
    assert "already at the latest revision" in second.stdout
    with fresh_cli.engine() as engine:
        assert migrate.current_revision(engine) is not None
    assert "(latest)" in fresh_cli.ok("db", "current").stdout


def test_db_current_on_an_empty_database_says_what_to_do(fresh_cli: Cli) -> None:
    assert "not initialised. Run: steward db upgrade" in fresh_cli.ok("db", "current").stdout


def test_commands_refuse_an_unmigrated_database(fresh_cli: Cli) -> None:
    result = fresh_cli("users", "list")
    assert result.exit_code == 1
    assert "not migrated" in result.stderr
    assert "steward db upgrade" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_postgresql_runs_stay_in_their_own_schema(cli: Cli) -> None:
    if cli.schema is None:
        pytest.skip("PostgreSQL only")
    with cli.engine() as engine, engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = :s ORDER BY table_name"
            ),
            {"s": cli.schema},
        ).scalars()
        assert {"alembic_version", "users", "audit_events"} <= set(tables)
        assert conn.execute(text("SHOW search_path")).scalar() == cli.schema


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "steward")
def test_every_command_has_help(fresh_cli: Cli, path: tuple[str, ...]) -> None:
    result = fresh_cli.ok(*path, "--help")
    assert "Usage:" in result.stdout


def test_every_command_and_option_is_described() -> None:
    from typer.main import get_command

    from steward.cli.main import app

    undocumented = []

    def walk(command: Any, path: str) -> None:
        if not (command.help or "").strip():
            undocumented.append(path)
        for param in command.params:
            if param.name != "help" and not (getattr(param, "help", None) or "").strip():
                undocumented.append(f"{path} {param.name}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(get_command(app), "steward")
    assert undocumented == []


def test_invalid_settings_are_reported_without_a_traceback(
    fresh_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_ENV", "production")
    result = fresh_cli("db", "current")
    assert result.exit_code == 1
    assert "STEWARD_SECRET_KEY must be set to a random value of 32+ characters" in result.stderr
    assert "Traceback" not in result.output


def test_serve_refuses_an_unmigrated_database(fresh_cli: Cli) -> None:
    result = fresh_cli("serve")
    assert result.exit_code == 1
    assert "not migrated" in result.stderr


def test_serve_runs_the_app_from_settings(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    built: list[Any] = []
    served: dict[str, Any] = {}
    fake_app = object()

    def create_app(settings: Any, **_kw: Any) -> object:
        built.append(settings)
        return fake_app

    # The real steward.web.app is written separately; serve imports it only when run.
    monkeypatch.setitem(
        sys.modules, "steward.web.app", types.SimpleNamespace(create_app=create_app)
    )
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    result = cli.ok("serve", "--port", "8765")
    assert "http://127.0.0.1:8765" in result.stdout
    assert served["app"] is fake_app
    assert (served["host"], served["port"]) == ("127.0.0.1", 8765)
    assert built[0].port == TEST_PORT  # the setting; --port overrides it only for this run
