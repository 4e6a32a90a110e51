"""A live Steward for browser tests: the real app under uvicorn on a free port, a real
Chromium (Debian's) driven by Playwright, and a demo organisation to try each role's journey on.

``demo_site`` (a session fixture in tests/web/conftest.py) seeds ``steward demo seed`` into a
data directory of its own once per run; ``role_page(username)`` signs a demo account in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

CHROMIUM = Path("/usr/bin/chromium")
DEMO_CASES = 80  # enough for every list to page and every role to have work waiting
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (make browser)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data_dir: Path) -> Iterator[str]:
    """The real app under uvicorn on a free port, on the embedded database in ``data_dir``;
    yields its base URL once /healthz answers (the browser tests of every domain use it)."""
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
        # Generous: CI runs the SQLite and PostgreSQL suites at once on two cores, and a
        # loaded machine takes far longer to import the app than a quiet one.
        deadline = time.monotonic() + 150
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


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright; open contexts (each with its own cookies) on it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(base: str, *, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A fresh browser (its own cookies) with one page on ``base``."""
    with chromium_browser() as browser:
        page = browser.new_page(
            base_url=base, accept_downloads=True, viewport={"width": width, "height": height}
        )
        yield page


@dataclass(frozen=True)
class DemoSite:
    base: str
    data_dir: Path
    password: str


def seed_demo(data_dir: Path, *, cases: int = DEMO_CASES) -> None:
    """`steward db upgrade` and `steward demo seed`, as `make run` does, into ``data_dir``."""
    env = {**os.environ, "STEWARD_DATA_DIR": str(data_dir), "STEWARD_ENV": "development"}
    env.pop("STEWARD_DATABASE_URL", None)
    # Through the interpreter running the tests, so a worktree's PYTHONPATH picks its own code.
    steward = [sys.executable, "-c", "from steward.cli.main import app; app()"]
    for args in (["db", "upgrade"], ["demo", "seed", "--cases", str(cases)]):
        done = subprocess.run([*steward, *args], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"steward {' '.join(args)} failed: {done.stdout}{done.stderr}")


def sign_in_as(page: Any, username: str, password: str) -> None:
    """Sign in through the real form and wait for the home page."""
    page.goto("/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")
