"""A requester's way through the public form in a real browser, shared by the browser test and
the accessibility gate (which checks each page on the way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BASE = "/request-your-data"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _continue(page: Any) -> None:
    page.click("[data-testid=continue]")


def fill_in(
    page: Any, *, on_page: Callable[[], None] = lambda: None, bad_first: bool = False
) -> str:
    """From the start page to the confirmation, as a parent asking for their child; calls
    ``on_page`` on every page; ``bad_first`` sends the name page empty once. Returns the
    reference shown on the confirmation."""
    page.goto(BASE)
    on_page()
    page.click("[data-testid=start]")
    page.wait_for_url(f"**{BASE}/who")
    on_page()
    page.check("#requester_type-2")  # my child
    _continue(page)
    page.wait_for_url(f"**{BASE}/name")
    if bad_first:
        _continue(page)
        page.wait_for_selector(".govuk-error-summary")
        on_page()
    page.fill("#full_name", "Dana Marsden")
    page.fill("#previous_names", "Dana Hughes")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/date-of-birth")
    page.fill("#date_of_birth", "12")
    page.fill("#date_of_birth-month", "6")
    page.fill("#date_of_birth-year", "1984")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/address")
    page.fill("#address", "4 Mill Lane\nLeeds\nLS2 7EW")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/contact")
    page.fill("#email", "dana@example.com")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/about")
    page.fill("#subject_name", "Jade Marsden")
    page.fill("#subject_date_of_birth", "3")
    page.fill("#subject_date_of_birth-month", "5")
    page.fill("#subject_date_of_birth-year", "2015")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/what")
    page.fill("#description", "Reports written about Jade for the family court")
    page.fill("#period", "2019 to 2021")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/proof-of-identity")
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/proof-of-authority")
    page.set_input_files(
        "#authority_file",
        {"name": "birth-certificate.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    on_page()
    _continue(page)
    page.wait_for_url(f"**{BASE}/check")
    on_page()
    page.click("[data-testid=send]")
    page.wait_for_url(f"**{BASE}/done")
    on_page()
    return str(page.inner_text("[data-testid=reference]")).strip()
