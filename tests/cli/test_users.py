"""`steward users`."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from steward.core import audit, auth, clock
from tests.cli.conftest import Cli

PASSWORD = "a long enough password"


def _users(cli: Cli) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(cli.ok("users", "list", "--json").stdout)
    return rows


def test_create_from_stdin_then_list_shows_it_without_secrets(cli: Cli) -> None:
    result = cli.ok(
        "users",
        "create",
        "-u",
        "jo.smith",
        "--role",
        "manager",
        "--team",
        "north",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert "Created account jo.smith" in result.stdout
    assert PASSWORD not in result.output
    [row] = _users(cli)
    assert row == {
        "id": row["id"],
        "username": "jo.smith",
        "role": "manager",
        "team": "north",
        "active": True,
        "locked": False,
        "totp_enabled": False,
        "last_signin_at": None,
    }
    listing = cli.ok("users", "list").stdout + cli.ok("users", "list", "--json").stdout
    assert "argon2" not in listing and "hash" not in listing
    with cli.session() as db:
        signed_in = auth.sign_in(db, cli.settings, username="jo.smith", password=PASSWORD)
        assert signed_in.user is not None


def test_create_with_a_hidden_prompt_asks_twice(cli: Cli) -> None:
    cli.ok("users", "create", "-u", "prompted", "--role", "dpo", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert [u["username"] for u in _users(cli)] == ["prompted"]


def test_a_short_password_is_refused_and_nothing_is_created(cli: Cli) -> None:
    result = cli(
        "users", "create", "-u", "shorty", "--role", "dpo", "--password-stdin", input="short\n"
    )
    assert result.exit_code == 1
    assert "Password must be 12 to 256 characters long." in result.stderr
    assert "Traceback" not in result.output
    assert _users(cli) == []
    with cli.session() as db:
        assert db.scalar(select(func.count()).select_from(audit.AuditEvent)) == 0


def test_a_duplicate_username_is_refused(cli: Cli) -> None:
    cli.create_user("dupe")
    result = cli(
        "users", "create", "-u", "dupe", "--role", "dpo", "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert [(u["username"], u["role"]) for u in _users(cli)] == [("dupe", "caseworker")]


def test_an_unknown_role_is_a_usage_error(cli: Cli) -> None:
    result = cli(
        "users",
        "create",
        "-u",
        "someone",
        "--role",
        "wizard",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert _users(cli) == []


def test_unknown_account_is_reported(cli: Cli) -> None:
    result = cli("users", "deactivate", "-u", "nobody")
    assert result.exit_code == 1
    assert "There is no account with that username." in result.stderr


def test_deactivate(cli: Cli) -> None:
    cli.create_user("leaver")
    cli.ok("users", "deactivate", "-u", "leaver")
    assert _users(cli)[0]["active"] is False
    with cli.session() as db:
        assert auth.sign_in(db, cli.settings, username="leaver", password=PASSWORD).user is None


def test_set_password(cli: Cli) -> None:
    cli.create_user("forgetful")
    new = "another long password"
    cli.ok("users", "set-password", "-u", "forgetful", "--password-stdin", input=new + "\n")
    with cli.session() as db:
        assert auth.sign_in(db, cli.settings, username="forgetful", password=new).user is not None


def test_unlock_resets_the_password_and_clears_the_lock(cli: Cli) -> None:
    cli.create_user("locked-out")
    assert "is not locked; nothing changed" in cli.ok("users", "unlock", "-u", "locked-out").stdout
    with cli.session() as db:
        user = auth.get_user(db, username="locked-out")
        user.locked_until = clock.now() + timedelta(minutes=10)
    assert _users(cli)[0]["locked"] is True
    new = "a fresh long password"
    cli.ok("users", "unlock", "-u", "locked-out", "--password-stdin", input=new + "\n")
    assert _users(cli)[0]["locked"] is False
    with cli.session() as db:
        assert auth.sign_in(db, cli.settings, username="locked-out", password=new).user is not None


def test_totp_enrolment(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.create_user("careful")
    secret = pyotp.random_base32()
    monkeypatch.setattr(pyotp, "random_base32", lambda: secret)
    result = cli.ok("users", "totp", "-u", "careful", input=pyotp.TOTP(secret).now() + "\n")
    assert secret in result.stdout
    assert "otpauth://totp/" in result.stdout
    assert "Two-factor sign-in is on" in result.stdout
    assert _users(cli)[0]["totp_enabled"] is True


def test_totp_with_a_wrong_code_stays_off(cli: Cli) -> None:
    cli.create_user("clumsy")
    result = cli("users", "totp", "-u", "clumsy", input="000000\n")
    assert result.exit_code == 1
    assert "That code is not right." in result.stderr
    assert _users(cli)[0]["totp_enabled"] is False


def test_the_operator_approves_a_grant_an_administrator_asked_for(cli: Cli) -> None:
    cli.create_user("boss", "admin")
    cli.create_user("newbie", "auditor")
    with cli.session() as db:
        admin, newbie = auth.get_user(db, username="boss"), auth.get_user(db, username="newbie")
        auth.change_role(db, admin.actor, user_id=newbie.id, role="dpo")
    [grant] = json.loads(cli.ok("users", "grants", "--json").stdout)
    assert (grant["username"], grant["role"], grant["requested_by"]) == ("newbie", "dpo", "boss")
    assert "newbie" in cli.ok("users", "grants").stdout
    cli.ok("users", "approve", str(grant["id"]))
    assert json.loads(cli.ok("users", "grants", "--json").stdout) == []
    assert [u["role"] for u in _users(cli) if u["username"] == "newbie"] == ["dpo"]
    result = cli("users", "approve", str(grant["id"]))
    assert result.exit_code == 1 and "already approved" in result.stderr


def test_change_role_at_the_command_line_ends_sessions_and_tokens(cli: Cli) -> None:
    cli.create_user("mover", "caseworker")
    token = cli.ok("tokens", "create", "-u", "mover").stdout.strip()
    cli.ok("users", "change-role", "-u", "mover", "--role", "manager")
    assert [u["role"] for u in _users(cli)] == ["manager"]
    with cli.session() as db:
        assert auth.user_for_token(db, token) is None


def test_set_password_ends_the_accounts_tokens(cli: Cli) -> None:
    cli.create_user("reset.me")
    token = cli.ok("tokens", "create", "-u", "reset.me").stdout.strip()
    cli.ok("users", "set-password", "-u", "reset.me", "--password-stdin", input="x brand new one\n")
    with cli.session() as db:
        assert auth.user_for_token(db, token) is None


def test_the_listing_shows_escape_sequences_in_a_team_instead_of_running_them(cli: Cli) -> None:
    # Stored directly: whatever input rules refuse today, rows written before them remain.
    hostile = "north\x1b[2J\x1b]0;owned\x07[bold]x[/bold]\u202e"
    cli.create_user("team.player", "caseworker")
    with cli.session() as db:
        auth.get_user(db, username="team.player").team = hostile
    listing = cli.ok("users", "list").stdout
    assert "\x1b" not in listing and "\x07" not in listing and "\u202e" not in listing
    assert "\\x1b[2J" in listing and "[bold]x[/bold]" in listing
