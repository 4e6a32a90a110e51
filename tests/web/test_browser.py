"""A real Chromium drives the real pages, served by uvicorn: signing in and out, and a
caseworker's day with case records (need-to-know, break-glass, upload and download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from steward.core import auth, keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import CaseType, PartyRole
from steward.records.schemas import CaseCreate, PersonCreate
from tests.web.live import CHROMIUM, chromium_page, serve
from tests.web.records_helpers import pdf_bytes

PASSWORD = "browser test password"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make browser)"
    ),
]


@dataclass(frozen=True)
class Live:
    base: str
    assigned_case: str  # case number of a case assigned to ava.caseworker
    unassigned_case_id: int  # a case of someone else's


def _seed(settings: Settings) -> tuple[str, int]:
    """Staff and two cases, written through the services before the server starts."""
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    engine = make_engine(settings)
    migrate.upgrade(engine)
    system = Actor.system()
    with session_scope(make_sessionmaker(engine)) as db:
        ava = auth.create_user(
            db, system, username="ava.caseworker", role=Role.CASEWORKER, password=PASSWORD
        )
        ben = auth.create_user(
            db, system, username="ben.caseworker", role=Role.CASEWORKER, password=PASSWORD
        )
        numbers = []
        for owner, number in ((ava, "BT/2024/0001"), (ben, "BT/2024/0002")):
            case = service.create_case(
                db,
                keyring,
                owner.actor,
                CaseCreate(
                    case_number=number,
                    case_type=CaseType.PRIVATE_LAW,
                    court="Family Court at Leeds",
                    local_authority="Leeds City Council",
                    opened_on=date(2024, 1, 15),
                ),
            )
            child = service.create_person(
                db,
                system,
                PersonCreate(
                    first_name="Mia", last_name="Thornbury", date_of_birth=date(2016, 7, 9)
                ),
            )
            service.add_party(
                db, system, case_id=case.id, person_id=child.id, role=PartyRole.CHILD_SUBJECT
            )
            numbers.append((case.case_number, case.id))
    engine.dispose()
    return numbers[0][0], numbers[1][1]


def sign_in(page, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real form and wait for the home page."""
    page.goto("/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir)
    assigned_case, unassigned_case_id = _seed(settings)

    with serve(data_dir) as base:
        yield Live(base, assigned_case, unassigned_case_id)


@pytest.fixture
def page(live_server: Live) -> Iterator[object]:
    with chromium_page(live_server.base) as page:
        yield page


def test_a_caseworker_signs_in_and_out(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert page.url.endswith("/sign-in")
    # GOV.UK Frontend's stylesheet and JavaScript are served and applied.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.govuk-button')).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
    # A selector, not wait_for_function: that evaluates a string, which our CSP rightly refuses.
    page.wait_for_selector("body.govuk-frontend-supported", state="attached")

    page.fill("#username", "ava.caseworker")
    page.fill("#password", "not the password")
    page.click("button:has-text('Sign in')")
    assert (
        page.locator(".govuk-error-summary")
        .inner_text()
        .count("Enter a correct username and password")
        >= 1
    )

    page.fill("#username", "ava.caseworker")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")
    # The role's summary sits behind "What your role can do", below the work waiting.
    page.click("text=What your role can do")
    assert page.locator("[data-testid=role]").inner_text() == "Caseworker"
    assert "Read the cases assigned to you" in page.locator("[data-testid=allowed]").inner_text()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.click("[data-testid=sign-out]")
    page.wait_for_url("**/sign-in?signed_out=1")
    assert "You have signed out" in page.content()
    page.goto("/account")
    assert "/sign-in" in page.url


def _screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: STEWARD_SCREENSHOT_DIR if set (to look at them), else tmp_path."""
    chosen = os.environ.get("STEWARD_SCREENSHOT_DIR")
    target = Path(chosen) if chosen else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target


def test_a_caseworker_opens_cases_uploads_and_downloads(  # type: ignore[no-untyped-def]
    page, live_server: Live, tmp_path: Path
) -> None:
    shots = _screenshot_dir(tmp_path)
    page.goto("/cases")
    page.wait_for_url("**/sign-in?next=/cases")
    page.fill("#username", "ava.caseworker")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/cases")

    # My cases lists only the assigned case; it opens.
    my_cases = page.locator("[data-testid=my-cases]").inner_text()
    assert live_server.assigned_case in my_cases and "BT/2024/0002" not in my_cases
    page.click(f"text={live_server.assigned_case}")
    page.wait_for_url("**/cases/*")
    assert page.locator("[data-testid=case-number]").inner_text() == live_server.assigned_case
    assert "Mia Thornbury" in page.locator("[data-testid=parties]").inner_text()
    assert "15 January 2024" in page.content()
    page.screenshot(path=str(shots / "case.png"), full_page=True)
    case_url = page.url

    # Someone else's case: the break-glass page, not the case.
    page.goto(f"/cases/{live_server.unassigned_case_id}")
    page.wait_for_url(f"**/cases/{live_server.unassigned_case_id}/break-glass")
    assert "not assigned to you" in page.locator("h1").inner_text()
    assert "BT/2024/0002" not in page.content()
    assert page.locator("[data-testid=break-glass-notice]").is_visible()
    page.screenshot(path=str(shots / "break-glass.png"), full_page=True)

    # Upload a PDF: first without a file (an error summary), then properly.
    page.goto(case_url)
    page.click("[data-testid=add-document]")
    page.wait_for_url("**/documents/new")
    page.screenshot(path=str(shots / "upload-form.png"), full_page=True)
    page.fill("#title", "Section 7 report")
    page.click("[data-testid=add]")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert summary.index("Select a file") < summary.index("Choose what kind")
    assert page.input_value("#title") == "Section 7 report"
    page.screenshot(path=str(shots / "upload-error.png"), full_page=True)

    pdf = pdf_bytes("Section 7 report for the court", "Mia is settled at school.")
    page.set_input_files(
        "#file", files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.select_option("#kind", "report_to_court")
    page.fill("#created_on-day", "2")
    page.fill("#created_on-month", "3")
    page.fill("#created_on-year", "2024")
    page.check("#subject_person_ids")
    page.screenshot(path=str(shots / "upload.png"), full_page=True)
    page.click("[data-testid=add]")
    page.wait_for_url("**/documents/*?added=1")
    assert "has been added" in page.locator("[data-testid=added]").inner_text()
    # Its text is read by the server's background worker after the upload: reload until it is.
    for _ in range(60):
        if page.locator("[data-testid=document-text]").count():
            break
        assert "not yet searchable" in page.locator("[data-testid=extraction-note]").inner_text()
        page.wait_for_timeout(500)
        page.reload()
    assert "Mia is settled at school" in page.locator("[data-testid=document-text]").inner_text()
    page.screenshot(path=str(shots / "document.png"), full_page=True)

    with page.expect_download() as info:
        page.click("[data-testid=download]")
    download = info.value
    assert download.suggested_filename == "report.pdf"
    assert Path(download.path()).read_bytes() == pdf

    # The document is on the case page now, in the table and the timeline.
    page.goto(case_url)
    assert "Section 7 report" in page.locator("[data-testid=documents]").inner_text()
    assert "2 March 2024" in page.locator("[data-testid=timeline]").inner_text()

    # The child's page lists the cases they are in that this caseworker may see: one.
    page.click("text=Mia Thornbury")
    page.wait_for_url("**/people/*")
    cases = page.locator("[data-testid=person-cases]").inner_text()
    assert live_server.assigned_case in cases and "BT/2024/0002" not in cases
    page.screenshot(path=str(shots / "person.png"), full_page=True)

    page.click("nav >> text=Search")
    page.fill("#q", "Thornbury")
    page.click("button:has-text('Search')")
    page.wait_for_url("**/search")
    assert "Mia Thornbury" in page.locator("[data-testid=people-results]").inner_text()
    page.screenshot(path=str(shots / "search.png"), full_page=True)
