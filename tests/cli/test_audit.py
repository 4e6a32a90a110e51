"""`steward audit`."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.cli.conftest import Cli


def _tamper(cli: Cli, sql: str, **params: object) -> None:
    """Rewrite the trail as someone with direct database access could: triggers off first."""
    with cli.engine() as engine, engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_rewrite"))
        conn.execute(text(sql), params)


def test_verify_an_empty_trail(cli: Cli) -> None:
    assert "Audit trail intact: 0 events" in cli.ok("audit", "verify").stdout


def test_verify_passes_then_names_the_altered_event(cli: Cli) -> None:
    for name in ("first", "second", "third"):
        cli.create_user(name)
    assert "Audit trail intact: 3 events" in cli.ok("audit", "verify").stdout
    _tamper(cli, "UPDATE audit_events SET subject_id = '999' WHERE seq = 2")
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "event 2" in result.stderr
    assert "altered" in result.stderr


def test_verify_names_a_deleted_event(cli: Cli) -> None:
    for name in ("first", "second", "third"):
        cli.create_user(name)
    _tamper(cli, "DELETE FROM audit_events WHERE seq = 2")
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "event 2" in result.stderr
    assert "missing" in result.stderr


def test_log_json_is_newest_first_and_limited(cli: Cli) -> None:
    for name in ("first", "second", "third", "fourth"):
        cli.create_user(name)
    events = json.loads(cli.ok("audit", "log", "--json", "--limit", "3").stdout)
    assert [e["seq"] for e in events] == [4, 3, 2]
    newest = events[0]
    assert set(newest) == {
        "seq",
        "occurred_at",
        "actor_kind",
        "actor_id",
        "tag",
        "subject_type",
        "subject_id",
        "details",
        "hash",
    }
    assert newest["tag"] == "user:created"
    assert newest["actor_kind"] == "system"
    assert newest["subject_type"] == "user"
    assert newest["details"] == {"role": "caseworker"}
    assert len(newest["hash"]) == 64
    assert newest["occurred_at"].endswith("+00:00")

    # Reading the trail is itself an event, and the chain stays whole.
    again = json.loads(cli.ok("audit", "log", "--json").stdout)
    assert again[0]["tag"] == "audit:log:read"
    assert again[0]["details"] == {"count": 3}
    assert [e["seq"] for e in again] == list(range(again[0]["seq"], 0, -1))
    assert "Audit trail intact" in cli.ok("audit", "verify").stdout


def test_log_table_and_limit_bounds(cli: Cli) -> None:
    cli.create_user("someone")
    assert "user:created" in cli.ok("audit", "log").stdout
    assert cli("audit", "log", "--limit", "0").exit_code == 2
