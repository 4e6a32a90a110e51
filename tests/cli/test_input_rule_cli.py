"""The core input rule on command arguments: token names, teams, hold reasons, references
and barcodes with NUL, bidirectional overrides or zero-width characters are refused before
any command runs, and the value is not printed back."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli


@pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b", "\x1b"])
@pytest.mark.parametrize(
    "args",
    [
        ("tokens", "create", "-u", "robot", "--name", "night{c}ly"),
        ("archives", "boxes", "add", "BOX{c}1"),
        ("users", "create", "someone", "--role", "caseworker", "--team", "nor{c}th"),
    ],
)
def test_an_argument_with_a_hidden_character_is_refused(
    cli: Cli, char: str, args: tuple[str, ...]
) -> None:
    result = cli(*(a.replace("{c}", char) for a in args))
    assert result.exit_code == 2
    assert "control characters or invisible formatting characters" in result.output
    assert char not in result.output
