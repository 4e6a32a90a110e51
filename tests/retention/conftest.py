"""Fixtures shared with other suites: the CLI's real database, the web app and sign-in."""

from tests.cli.conftest import cli, fresh_cli
from tests.web.conftest import app, client, signed_in

__all__ = ["app", "cli", "client", "fresh_cli", "signed_in"]
