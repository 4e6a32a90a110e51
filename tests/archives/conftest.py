"""Fixtures borrowed for the archives tests: the CLI's committed database per test, and the
real web app with clients signed in as each role."""

from tests.cli.conftest import cli, fresh_cli  # noqa: F401
from tests.web.conftest import app, client, signed_in  # noqa: F401
