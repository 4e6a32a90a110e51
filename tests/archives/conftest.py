"""The CLI fixtures (a real, committed database per test) for `steward archives` tests."""

from tests.cli.conftest import cli, fresh_cli  # noqa: F401
