"""`steward demo seed`: the demo accounts (``--cases 0``; the demo cases are tested in
tests/demo/)."""

from __future__ import annotations

import json

import pytest

from steward.core import auth
from steward.demo.service import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.cli.conftest import TEST_PORT, Cli


def _usernames(cli: Cli) -> list[str]:
    return [row["username"] for row in json.loads(cli.ok("users", "list", "--json").stdout)]


def test_seed_creates_one_account_per_role_and_says_how_to_sign_in(cli: Cli) -> None:
    result = cli.ok("demo", "seed", "--if-empty", "--cases", "0")
    assert f"http://127.0.0.1:{TEST_PORT}" in result.stdout
    assert DEMO_PASSWORD in result.stdout
    for account in DEMO_ACCOUNTS:
        assert account.username in result.stdout
    assert sorted(_usernames(cli)) == sorted(a.username for a in DEMO_ACCOUNTS)
    rows = {r["username"]: r for r in json.loads(cli.ok("users", "list", "--json").stdout)}
    assert {r["role"] for r in rows.values()} == {
        "caseworker",
        "manager",
        "ig_officer",
        "dpo",
        "admin",
        "auditor",
        "partner",
    }
    assert all(r["team"] for r in rows.values() if r["role"] in {"caseworker", "manager"})
    with cli.session() as db:
        signed_in = auth.sign_in(db, cli.settings, username="dpo", password=DEMO_PASSWORD)
        assert signed_in.user is not None


def test_seed_if_empty_is_idempotent(cli: Cli) -> None:
    cli.ok("demo", "seed", "--if-empty", "--cases", "0")
    before = _usernames(cli)
    again = cli.ok("demo", "seed", "--if-empty", "--cases", "0")
    assert "no demo data added" in again.stdout
    assert f"http://127.0.0.1:{TEST_PORT}" in again.stdout
    assert _usernames(cli) == before


def test_seed_if_empty_leaves_a_real_installation_alone(cli: Cli) -> None:
    cli.create_user("real-person")
    result = cli.ok("demo", "seed", "--if-empty", "--cases", "0")
    assert "no demo data added" in result.stdout
    assert _usernames(cli) == ["real-person"]


def test_seed_without_if_empty_fills_in_missing_accounts_only(cli: Cli) -> None:
    cli.create_user("admin", "admin")
    result = cli.ok("demo", "seed", "--cases", "0")
    assert f"{len(DEMO_ACCOUNTS) - 1} account(s) created" in result.stdout
    assert "unless it has since been changed" in result.stdout
    assert len(_usernames(cli)) == len(DEMO_ACCOUNTS)
    with cli.session() as db:
        # The existing account keeps its own password.
        assert auth.sign_in(db, cli.settings, username="admin", password=DEMO_PASSWORD).user is None


def test_production_needs_a_real_secret_key(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_ENV", "production")
    result = cli("demo", "seed", "--if-empty")
    assert result.exit_code == 1
    assert (
        "STEWARD_SECRET_KEY must be set to a random value of 32+ characters in production"
        in result.stderr
    )


def test_production_refuses_demo_data(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_ENV", "production")
    monkeypatch.setenv("STEWARD_SECRET_KEY", "s" * 40)
    result = cli("demo", "seed", "--if-empty")
    assert result.exit_code == 1
    assert "never loaded in production" in result.stderr
    assert DEMO_PASSWORD not in result.output
    monkeypatch.setenv("STEWARD_ENV", "test")
    assert _usernames(cli) == []
