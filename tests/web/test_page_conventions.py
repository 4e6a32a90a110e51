"""Conventions every page shares (base.html, web/rendering.py): one current item in the menu,
"Error:" first in the title when the page shows an error summary, roles read as words."""

from __future__ import annotations

from fastapi.testclient import TestClient

from steward.core.permissions import Role
from steward.web.rendering import current_href, label, role_label
from tests.web.conftest import SignedIn, csrf_from

MENU = ["/", "/cases", "/search", "/archives", "/archives/retrievals", "/search/people"]


def test_the_longest_matching_menu_item_is_the_only_current_one() -> None:
    assert current_href("/search/people", MENU) == "/search/people"
    assert current_href("/search", MENU) == "/search"
    assert current_href("/archives/retrievals/7", MENU) == "/archives/retrievals"
    assert current_href("/archives/boxes/7", MENU) == "/archives"
    assert current_href("/", MENU) == "/"
    # "/" is the home page only, and a prefix must end at a slash.
    assert current_href("/audit", MENU) is None
    assert current_href("/searching", MENU) is None


def test_a_page_under_two_menu_items_marks_one_current(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get("/search/people")
    assert page.status_code == 200
    assert page.text.count("govuk-service-navigation__item--active") == 1
    assert page.text.count('aria-current="page"') == 1


def test_the_title_starts_with_error_only_when_the_page_shows_an_error_summary(
    client: TestClient,
) -> None:
    assert "<title>Sign in \u2013 Steward</title>" in client.get("/sign-in").text
    token = csrf_from(client)
    refused = client.post(
        "/sign-in", data={"username": "nobody", "password": "wrong", "csrf_token": token}
    )
    assert "govuk-error-summary" in refused.text
    assert "<title>Error: Sign in \u2013 Steward</title>" in refused.text
    # The message is beside the field as well as in the summary.
    assert 'id="username-error"' in refused.text
    # A missing page is not a form error: no prefix.
    assert "<title>Page not found \u2013 Steward</title>" in client.get("/no-such-page").text


def test_roles_read_as_words() -> None:
    assert label(Role.DPO) == "Data protection officer"
    assert role_label("ig_officer") == "Information governance officer"
    assert role_label(Role.PARTNER) == "Partner organisation user"
    assert {role_label(r) for r in Role}.isdisjoint({r.value for r in Role})
    # The same word as another code keeps its own meaning: a document from a partner.
    assert label("partner") == "Partner"
