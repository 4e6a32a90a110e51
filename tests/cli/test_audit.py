"""`steward audit`."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from steward.core import audit, clock, migrate
from steward.core.audit import AuditEvent
from tests.cli.conftest import Cli

_HASHED = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "tag",
    "subject_type",
    "subject_id",
    "details",
)


def _tamper(cli: Cli, sql: str, **params: object) -> None:
    _tamper_many(cli, [(sql, params)])


def _tamper_many(cli: Cli, statements: list[tuple[str, dict[str, object]]]) -> None:
    """Rewrite the trail as someone with direct database access could: triggers off first."""
    with cli.engine() as engine, engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_rewrite"))
        for sql, params in statements:
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


def test_anchor_appends_signed_heads_that_verify_checks(cli: Cli, tmp_path: Path) -> None:
    anchors = tmp_path / "kept-elsewhere" / "anchors.jsonl"
    anchors.parent.mkdir()
    cli.create_user("first")
    assert "Anchored event 1" in cli.ok("audit", "anchor", "--append", str(anchors)).stdout
    cli.create_user("second")
    cli.ok("audit", "anchor", "--append", str(anchors))
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in anchors.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [1, 3]  # each anchoring is itself an event

    result = cli.ok("audit", "verify", "--anchors", str(anchors))
    assert "Audit trail intact: 4 events; 2 anchored heads match (latest: event 3" in result.stdout

    # An auditor checks the signatures with the public key alone.
    public_key = tmp_path / "steward-audit.pem"
    public_key.write_text(cli.ok("audit", "public-key").stdout)
    assert public_key.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    cli.ok("audit", "verify", "--anchors", str(anchors), "--public-key", str(public_key))

    # Without --append the signed head is printed, for a log or a pipe.
    printed = json.loads(cli.ok("audit", "anchor").stdout)
    assert printed["seq"] == 4 and len(printed["signature"]) == 88


def test_verify_reports_a_tampered_anchors_file(cli: Cli, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    cli.create_user("first")
    cli.ok("audit", "anchor", "--append", str(anchors))
    line = json.loads(anchors.read_text())
    line["hash"] = "0" * 64
    anchors.write_text(json.dumps(line) + "\n")
    result = cli("audit", "verify", "--anchors", str(anchors))
    assert result.exit_code == 1
    assert "anchors line 1: the signature does not match" in result.stderr
    assert "Audit trail intact: 2 events, but the anchors file has problems" in result.stderr


def test_verify_against_anchors_catches_a_rewrite_with_the_key(cli: Cli, tmp_path: Path) -> None:
    """The forger has the database and the key file (so verify alone passes), not the
    anchors file."""
    anchors = tmp_path / "anchors.jsonl"
    for name in ("first", "second"):
        cli.create_user(name)
    cli.ok("audit", "anchor", "--append", str(anchors))
    with cli.session() as db:
        key = audit.keys_for(db.connection().engine).chain
        rows = db.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq)).all()
    prev, rewrites = audit.GENESIS_HASH, []
    for row in rows:
        fields = {name: getattr(row, name) for name in _HASHED}
        if row.seq == 2:
            fields["subject_id"] = "999"
        digest = audit.chain_hash(key, prev, **fields)
        rewrites.append(
            (
                "UPDATE audit_events SET subject_id = :s, prev_hash = :p, hash = :h WHERE seq = :q",
                {"s": fields["subject_id"], "p": prev, "h": digest, "q": row.seq},
            )
        )
        prev = digest
    _tamper_many(cli, [*rewrites, ("UPDATE audit_head SET hash = :h", {"h": prev})])

    assert "Audit trail intact" in cli.ok("audit", "verify").stdout
    result = cli("audit", "verify", "--anchors", str(anchors))
    assert result.exit_code == 1
    assert "BROKEN at event 2: event 2 differs from its anchor" in result.stderr


def test_a_wrong_key_file_is_a_clear_error(cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    cli.create_user("first")
    anchors = tmp_path / "anchors.jsonl"
    cli.ok("audit", "anchor", "--append", str(anchors))
    if cli.database_url is None:
        # On SQLCipher the key file also opens the database: a wrong one opens nothing.
        monkeypatch.setenv("STEWARD_KEY_FILE", str(tmp_path / "other.key"))
        result = cli("audit", "verify")
        assert result.exit_code == 1
        assert "Database error" in result.stderr
        return
    monkeypatch.setenv("STEWARD_KEY_FILE", str(tmp_path / "other.key"))
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "this key file is not the one the audit trail was chained with" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli("audit", "anchor")
    assert result.exit_code == 1
    assert "no anchor taken" in result.stderr
    result = cli(
        "users",
        "create",
        "--username",
        "newcomer",
        "--role",
        "dpo",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert result.exit_code == 1
    assert "will not append to the audit trail" in result.stderr


def test_public_key_needs_the_real_key_file(
    fresh_cli: Cli, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("STEWARD_KEY_FILE", str(tmp_path / "missing.key"))
    result = fresh_cli("audit", "public-key")
    assert result.exit_code == 1
    assert "not found" in result.stderr


def _plain_trail(cli: Cli, events: int) -> None:
    """A database as the release before the keyed chain left it: plain SHA-256 events."""
    with cli.engine() as engine:
        migrate.upgrade(engine, "e5b7c4d5a005")
        with engine.begin() as conn:
            prev = audit.GENESIS_HASH
            for seq in range(1, events + 1):
                fields = {
                    "seq": seq,
                    "occurred_at": clock.now(),
                    "actor_kind": "system",
                    "actor_id": None,
                    "tag": "user:created",
                    "subject_type": "user",
                    "subject_id": str(seq),
                    "details": "{}",
                }
                digest = audit.chain_hash(audit.PLAIN, prev, **fields)
                conn.execute(
                    insert(AuditEvent.__table__).values(**fields, prev_hash=prev, hash=digest)
                )
                prev = digest
            conn.execute(
                text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": events, "h": prev}
            )


def test_db_upgrade_rekeys_a_plain_trail_and_says_so(fresh_cli: Cli) -> None:
    _plain_trail(fresh_cli, 3)
    upgraded = fresh_cli.ok("db", "upgrade")
    assert "Checked the audit trail's 3 events and re-hashed them" in upgraded.stdout
    assert "Audit trail intact: 4 events" in fresh_cli.ok("audit", "verify").stdout
    assert "re-hashed" not in fresh_cli.ok("db", "upgrade").stdout  # once only


def test_db_upgrade_refuses_a_broken_plain_trail(fresh_cli: Cli) -> None:
    _plain_trail(fresh_cli, 3)
    _tamper(fresh_cli, "UPDATE audit_events SET subject_id = '999' WHERE seq = 2")
    result = fresh_cli("db", "upgrade")
    assert result.exit_code == 1
    assert "does not verify as it stands (event 2 was altered)" in result.stderr
    assert "at revision e5b7c4d5a005" in fresh_cli("audit", "verify").stderr
