"""Fixtures shared with other suites: the CLI's real database, the web app and sign-in."""

from tests.cli.conftest import cli, fresh_cli
from tests.web.conftest import api_token, app, client, signed_in

__all__ = ["api_token", "app", "cli", "client", "fresh_cli", "signed_in"]
