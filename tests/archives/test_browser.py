"""A real Chromium on the real server: the IG officer finds a box, moves it off site, and
searches the paper archive for a woman under her maiden name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from steward.archives import service as archives
from steward.archives.models import LocationKind
from steward.archives.schemas import LocationCreate, NameOnFile, PaperFileCreate
from steward.core import auth, migrate
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from tests.web.live import CHROMIUM, serve
from tests.web.test_browser import PASSWORD, Live, page, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def _seed(settings: Settings) -> None:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    system = Actor.system()
    with session_scope(make_sessionmaker(engine)) as db:
        auth.create_user(db, system, username="iris.ig", role=Role.IG_OFFICER, password=PASSWORD)
        shelf = archives.create_location(
            db, system, LocationCreate(kind=LocationKind.ON_SITE, site="HQ", room="B", shelf="1")
        )
        archives.create_location(
            db,
            system,
            LocationCreate(kind=LocationKind.OFF_SITE, contractor="Vault", contractor_ref="A1"),
        )
        box = archives.create_box(db, system, barcode="CAF000001", location_id=shelf.id)
        archives.add_file(
            db,
            system,
            PaperFileCreate(
                file_reference="PF-LS94P00417",
                box_id=box.id,
                case_number="LS94P00417",
                names=[
                    NameOnFile(name="Sarah Ashdown née Pellow", date_of_birth=date(1962, 6, 30))
                ],
            ),
        )
    engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data_dir = tmp_path_factory.mktemp("archives-browser")
    _seed(Settings(env=Environment.DEVELOPMENT, data_dir=data_dir))
    with serve(data_dir) as base:
        yield Live(base, "", 0)


def test_the_ig_officer_moves_a_box_and_finds_paper_by_person(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sign_in(page, "iris.ig")

    page.click("a.govuk-service-navigation__link:has-text('Paper archive')")
    page.click("a:has-text('HQ-B-1')")
    page.click("a:has-text('CAF000001')")
    page.select_option("#location_id", label="OFFSITE-VAULT-A1")
    page.fill("#contractor_ref", "V-77")
    page.click("button:has-text('Move box')")
    assert "Off site" in page.locator("dl.govuk-summary-list").inner_text()
    assert "V-77" in page.locator("[data-testid=history]").inner_text()

    page.goto("/archives/search")
    page.fill("#name", "Sarah Pellow")  # she gives her maiden name; the file has both
    page.fill("input[name=dob-day]", "30")
    page.fill("input[name=dob-month]", "6")
    page.fill("input[name=dob-year]", "1962")
    page.click("button:has-text('Search')")
    hits = page.locator("[data-testid=hits]").inner_text()
    assert "PF-LS94P00417" in hits and "previous surname" in hits
    assert "Pellow" not in page.url  # the words went in the form body
    page.screenshot(path=str(tmp_path / "paper-search.png"), full_page=True)
