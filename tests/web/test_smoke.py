from __future__ import annotations

from fastapi.testclient import TestClient

from steward.core.permissions import Role
from tests.web.conftest import SignedIn


def test_home_redirects_anonymous_to_sign_in(client: TestClient) -> None:
    assert client.get("/").headers["location"] == "/sign-in"


def test_signed_in_home_shows_role(signed_in: SignedIn) -> None:
    c, user = signed_in(Role.DPO)
    page = c.get("/")
    assert page.status_code == 200
    assert "Approve retention schedules" in page.text
    assert user.username in page.text
