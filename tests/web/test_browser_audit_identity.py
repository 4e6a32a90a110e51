"""Two journeys in a real browser on the demo organisation: the IG officer works the duplicates
queue (check, compare, merge), and the auditor filters the audit trail and exports it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Address, Party, Person
from steward.records.schemas import PersonCreate
from tests.web.conftest import RolePage
from tests.web.live import DemoSite, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

SHOTS = Path("/tmp/shots-audit")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_horizontal_scroll(page: Any) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"], f"page is {wide}px wide"


@pytest.fixture(scope="module")
def near_duplicate(demo_site: DemoSite) -> Iterator[tuple[int, int, str]]:
    """A second record of one of the demo's people (same name, date of birth and address,
    added to another case), written through the records service into the demo's database:
    the demo itself may hold no duplicate to work on."""
    settings = Settings(data_dir=demo_site.data_dir, env=Environment.DEVELOPMENT)
    engine = make_engine(settings)
    try:
        factory = make_sessionmaker(engine)
        with session_scope(factory) as db:
            original = db.scalars(
                select(Person)
                .join(Address, Address.person_id == Person.id)
                .where(Person.date_of_birth.is_not(None), Person.is_professional.is_(False))
                .order_by(Person.id)
                .limit(1)
            ).one()
            address = original.addresses[0]
            copy = records.create_person(
                db,
                Actor.system(),
                PersonCreate(
                    first_name=original.first_name,
                    last_name=original.last_name,
                    date_of_birth=original.date_of_birth,
                    addresses=[
                        {"line1": address.line1, "town": address.town, "postcode": address.postcode}
                    ],
                ),  # type: ignore[list-item]
            )
            case_id = db.scalar(
                select(Party.case_id).where(Party.person_id == original.id).limit(1)
            )
            assert case_id is not None
            records.add_party(
                db, Actor.system(), case_id=case_id, person_id=copy.id, role="relative"
            )
            pair = (original.id, copy.id, f"{original.first_name} {original.last_name}")
        yield pair
    finally:
        engine.dispose()


def test_ig_officer_works_the_duplicates_queue(
    role_page: RolePage, near_duplicate: tuple[int, int, str]
) -> None:
    low, high, name = near_duplicate
    with role_page("ig-officer") as page:
        page.goto("/people/duplicates")
        page.click("button:has-text('Check all people for duplicates now')")
        page.wait_for_url("**/people/duplicates?checked=1")
        assert "Duplicates checked across all people" in page.inner_text("[data-testid=success]")
        assert "awaiting a decision" in page.inner_text("[data-testid=count]")
        queue = page.inner_text("[data-testid=duplicate-queue]")
        assert name in queue and "Person record" not in queue
        _shot(page, "duplicates-queue-1280")

        page.click(f"a[href='/people/{low}/compare/{high}']")
        page.wait_for_url(f"**/people/{low}/compare/{high}")
        compare = page.inner_text("[data-testid=compare]")
        assert "Date of birth" in compare and "Cases and roles" in compare
        _shot(page, "compare-1280")

        page.click("[data-testid=merge-form] button:has-text('Merge')")  # not confirmed
        assert "Confirm that these two records are the same person" in page.inner_text(
            ".govuk-error-summary"
        )
        page.check("#confirm")
        page.click("[data-testid=merge-form] button:has-text('Merge')")
        page.wait_for_url(f"**/people/{low}/compare/{high}?merged=1")
        assert "are merged as one person" in page.inner_text("[data-testid=success]")
        assert page.locator("[data-testid=merge-form]").count() == 0
        _shot(page, "merged-1280")

        page.goto("/people/duplicates")
        assert f"/people/{low}/compare/{high}" not in page.content()

    with role_page("ig-officer", width=320, height=800) as page:
        first, last = name.split(" ", 1)
        page.goto("/search/people")
        page.fill("#first_name", first)
        page.fill("#last_name", last)
        page.click("button:has-text('Find')")
        results = page.inner_text("[data-testid=find-results]")
        assert name in results and "Born " in results and "case" in results
        _shot(page, "find-320")
        _no_horizontal_scroll(page)
        page.goto("/people/duplicates")
        _shot(page, "duplicates-queue-320")
        _no_horizontal_scroll(page)
        page.goto(f"/people/{low}/compare/{high}")
        _shot(page, "compare-320")
        _no_horizontal_scroll(page)


def test_auditor_filters_the_trail_and_exports_it(role_page: RolePage) -> None:
    with role_page("auditor") as page:
        page.goto("/audit")
        assert "Showing" in page.inner_text("[data-testid=count]")
        page.select_option("#user", label="auditor")
        page.select_option("#event", label="Signed in")
        page.click("button:has-text('Apply filters')")
        page.wait_for_url("**/audit?*")
        assert "user=" in page.url and "event=auth" in page.url
        table = page.inner_text("[data-testid=audit-events]")
        assert "Signed in" in table and "auditor" in table
        assert "auth:signin" not in table
        count = page.inner_text("[data-testid=count]")
        _shot(page, "audit-filtered-1280")

        with page.expect_download() as download:
            page.click("[data-testid=export]")
        content = Path(download.value.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(content)))
        assert rows, content
        assert {row["Event"] for row in rows} == {"Signed in"}
        assert {row["Who"] for row in rows} == {"auditor"}
        assert str(len(rows)) in count.replace(",", "")

        # The export is itself in the trail.
        page.goto("/audit?event=audit:log:exported")
        assert "Audit trail exported" in page.inner_text("[data-testid=audit-events]")

    with role_page("auditor", width=320, height=800) as page:
        page.goto("/audit")
        _shot(page, "audit-320")
        _no_horizontal_scroll(page)
