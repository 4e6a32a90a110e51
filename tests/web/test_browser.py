"""A real Chromium signs in and out through the real pages, served by uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from steward.core import auth, migrate
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "browser test password"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make browser)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with session_scope(make_sessionmaker(engine)) as db:
        auth.create_user(
            db, Actor.system(), username="ava.caseworker", role=Role.CASEWORKER, password=PASSWORD
        )
    engine.dispose()

    port = _free_port()
    env = {**os.environ, "STEWARD_DATA_DIR": str(data_dir), "STEWARD_ENV": "development"}
    env.pop("STEWARD_DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "steward.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx2.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                output = (
                    server.stdout.read().decode()
                    if server.stdout and server.poll() is not None
                    else ""
                )
                pytest.fail(f"server did not start: {output}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page(live_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(base_url=live_server)
        yield page
        browser.close()


def test_a_caseworker_signs_in_and_out(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert page.url.endswith("/sign-in")
    # GOV.UK Frontend's stylesheet and JavaScript are served and applied.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.govuk-button')).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")

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
    assert page.locator("[data-testid=role]").inner_text() == "caseworker"
    assert "Read the cases assigned to you" in page.locator("[data-testid=allowed]").inner_text()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.click("[data-testid=sign-out]")
    page.wait_for_url("**/sign-in?signed_out=1")
    assert "You have signed out" in page.content()
    page.goto("/account")
    assert "/sign-in" in page.url
