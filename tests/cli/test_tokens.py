"""`steward tokens`."""

from __future__ import annotations

import json

from steward.core import auth
from tests.cli.conftest import Cli


def test_create_use_list_and_revoke(cli: Cli) -> None:
    cli.create_user("robot", "ig_officer")
    result = cli.ok("tokens", "create", "-u", "robot", "--name", "nightly export")
    token = result.stdout.strip()
    assert token.startswith(auth.TOKEN_PREFIX)
    assert "will not be shown again" in result.stderr
    with cli.session() as db:
        user = auth.user_for_token(db, token)
        assert user is not None and user.username == "robot"

    [row] = json.loads(cli.ok("tokens", "list", "-u", "robot", "--json").stdout)
    assert row["name"] == "nightly export"
    assert row["revoked_at"] is None
    assert token.startswith(row["prefix"])
    listing = cli.ok("tokens", "list", "-u", "robot").stdout
    assert "nightly export" in listing
    assert token not in listing and token not in json.dumps(row)

    assert "revoked" in cli.ok("tokens", "revoke", str(row["id"])).stdout
    with cli.session() as db:
        assert auth.user_for_token(db, token) is None
    [row] = json.loads(cli.ok("tokens", "list", "-u", "robot", "--json").stdout)
    assert row["revoked_at"] is not None


def test_revoking_an_unknown_token_fails_clearly(cli: Cli) -> None:
    result = cli("tokens", "revoke", "4242")
    assert result.exit_code == 1
    assert "There is no such API token." in result.stderr


def test_no_token_for_a_deactivated_account(cli: Cli) -> None:
    cli.create_user("gone")
    cli.ok("users", "deactivate", "-u", "gone")
    result = cli("tokens", "create", "-u", "gone")
    assert result.exit_code == 1
    assert "deactivated" in result.stderr
    assert result.stdout == ""


def test_a_broken_rule_names_the_field_to_put_right(cli: Cli) -> None:
    cli.create_user("robot", "ig_officer")
    result = cli("tokens", "create", "-u", "robot", "--name", "   ")
    assert result.exit_code == 1
    assert "name: Enter a name" in result.stderr


def test_a_token_name_with_escape_sequences_is_shown_escaped(cli: Cli) -> None:
    cli.create_user("robot")
    cli.ok("tokens", "create", "-u", "robot", "--name", "evil")
    # Stored directly: whatever input rules refuse today, rows written before them remain.
    with cli.session() as db:
        user = auth.get_user(db, username="robot")
        [token] = auth.list_tokens(db, user.actor, user_id=user.id)
        token.name = "evil\x1b[31m\x1b]52;c;cG9j\x07"
    listing = cli.ok("tokens", "list", "-u", "robot").stdout
    assert "\x1b" not in listing and "\x07" not in listing
    assert "\\x1b[31m" in listing


def test_a_new_token_says_when_it_expires(cli: Cli) -> None:
    cli.create_user("robot")
    result = cli.ok("tokens", "create", "-u", "robot")
    assert "expiring" in result.stderr
    [row] = json.loads(cli.ok("tokens", "list", "-u", "robot", "--json").stdout)
    assert row["expires_at"] is not None
