"""Conventions every page shares (base.html, web/rendering.py): one current item in the menu,
"Error:" first in the title when the page shows an error summary, roles read as words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from steward.core.permissions import Role
from steward.web.rendering import PARTNER_DATA_TABS, current_href, label, role_label
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


def _menu(html: str) -> list[str]:
    menu = html.split('id="navigation"')[1].split("</ul>")[0]
    return re.findall(r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>([^<]+)</a>', menu)


def test_partner_data_is_one_menu_item_whose_pages_are_tabs(signed_in: SignedIn) -> None:
    """The IG team's partner pages share one menu item; each page shows them as tabs, the
    page's own marked current, and the menu item stays current on every one of them."""
    client, _ = signed_in(Role.IG_OFFICER)
    held = client.get("/intake/held").text
    menu = _menu(held)
    assert "Partner data" in menu
    assert not {"Held partner data", "Partners", "Partner submissions"} & set(menu)
    active = held.split("govuk-service-navigation__item--active")[1].split("</a>")[0]
    assert active.endswith(">Partner data")
    tabs = held.split('data-testid="section-tabs"')[1].split("</nav>")[0]
    assert re.findall(r">([^<]+)</a>", tabs) == [text for text, _ in PARTNER_DATA_TABS]
    assert 'href="/intake/held" aria-current="page"' in tabs
    assert 'data-testid="section-tabs"' not in client.get("/cases").text
    # The DPO reaches break-glass review through assurance; an auditor, who does not review
    # partner data, still has its quality in the menu.
    dpo, _ = signed_in(Role.DPO)
    assert "Break-glass review" not in _menu(dpo.get("/").text)
    auditor, _ = signed_in(Role.AUDITOR)
    assert "Partner data quality" in _menu(auditor.get("/").text)
