"""The CLI fixtures (a real, committed database per test) for the retention CLI tests."""

from tests.cli.conftest import cli, fresh_cli

__all__ = ["cli", "fresh_cli"]
