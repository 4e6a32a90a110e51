"""The web fixtures (the real app, signed-in clients) for the identity pages' tests."""

from tests.web.conftest import app, client, signed_in  # noqa: F401 - re-exported fixtures
