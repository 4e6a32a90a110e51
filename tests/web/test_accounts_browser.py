"""Issue 15, the administrator's journey in a real browser on the demo organisation: add an
account, find it locked after failed sign-ins, unlock it, reset its password, require
two-factor sign-in; then its owner signs in with the temporary password, is made to choose a
new one, and sets up two-factor sign-in from a QR code drawn on the server.

The journey runs on an account the test adds, not a demo one: the demo site is shared by
every browser test in the run, and the others sign in as the demo accounts."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.web.conftest import RolePage
from tests.web.live import DemoSite, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

USERNAME = "browser.auditor"
FIRST_PASSWORD = "a lantern by the lighthouse steps"
OWN_PASSWORD = "seven quiet herons over the marsh"


def _shots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("STEWARD_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def _watch_console(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return problems


def _other_browser(page: Any, site: DemoSite) -> Any:
    """Another person's browser: a context of its own (its own cookies) in the same Chromium."""
    return page.context.browser.new_context(base_url=site.base).new_page()


def _fits(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_an_admin_unlocks_resets_and_requires_two_factor_and_the_owner_follows(
    role_page: RolePage, demo_site: DemoSite, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    with role_page("admin") as admin:
        problems = _watch_console(admin)
        admin.goto("/users")
        assert admin.locator("h1").inner_text() == "Staff accounts"
        roles = admin.get_by_test_id("accounts").locator("td").all_inner_texts()
        assert "Data protection officer" in roles and "ig_officer" not in roles
        admin.fill("#username", USERNAME)
        admin.select_option("#role", "auditor")
        admin.fill("#team", "south")
        admin.fill("#password", FIRST_PASSWORD)
        admin.click("button:has-text('Add account')")
        admin.wait_for_url(re.compile(r"/users/\d+\?done=created$"))
        account_url = admin.url.split("?")[0]

        # Someone fails to sign in as the new account until it locks (the sixth try says so).
        stranger = _other_browser(admin, demo_site)
        for _ in range(6):
            stranger.goto("/sign-in")
            stranger.fill("#username", USERNAME)
            stranger.fill("#password", "not the password at all")
            stranger.click("button:has-text('Sign in')")
        assert "locked" in stranger.locator(".govuk-error-summary").inner_text()

        # The administrator finds it among the locked accounts.
        admin.goto("/users")
        admin.select_option("#filter-status", "locked")
        admin.click("button:has-text('Show accounts')")
        admin.wait_for_url("**/users?status=locked**")
        admin.screenshot(path=str(shots / "accounts-locked.png"), full_page=True)
        admin.click(f"a:has-text('{USERNAME}')")
        admin.wait_for_url(account_url)
        assert "Locked" in admin.get_by_test_id("status").inner_text()
        admin.screenshot(path=str(shots / "account-locked.png"), full_page=True)
        admin.click("button:has-text('Unlock')")
        admin.wait_for_url("**?done=unlocked")
        assert "Account unlocked" in admin.get_by_test_id("success").inner_text()

        admin.click("a:has-text('Reset password')")
        admin.check("#how-choose")
        assert admin.locator("#password").is_visible()  # the typed choice opens its field
        admin.screenshot(path=str(shots / "password-reset-form.png"), full_page=True)
        admin.check("#how")
        admin.click("button:has-text('Reset password')")
        temporary = admin.get_by_test_id("temporary-password").inner_text().strip()
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", temporary)
        admin.screenshot(path=str(shots / "password-reset.png"), full_page=True)

        admin.goto(account_url)
        admin.click("button:has-text('Require two-factor sign-in')")
        admin.wait_for_url("**?done=two_factor_required")
        assert "required" in admin.get_by_test_id("two-factor").inner_text()
        admin.screenshot(path=str(shots / "account-two-factor-required.png"), full_page=True)
        assert problems == []

        owner = _other_browser(admin, demo_site)
        problems = _watch_console(owner)
        owner.goto("/sign-in")
        owner.fill("#username", USERNAME)
        owner.fill("#password", temporary)
        owner.click("button:has-text('Sign in')")
        owner.wait_for_url("**/account/password")
        assert owner.get_by_test_id("must-change").is_visible()
        owner.goto("/")  # nothing else opens until the password is changed
        owner.wait_for_url("**/account/password")
        owner.fill("#current_password", temporary)
        owner.fill("#password", OWN_PASSWORD)
        owner.fill("#password_confirm", OWN_PASSWORD + " typo")
        owner.click("button:has-text('Change password')")
        assert (
            "Enter the same new password twice"
            in owner.locator(".govuk-error-summary").inner_text()
        )
        assert owner.title().startswith("Error:")
        owner.screenshot(path=str(shots / "change-password-error.png"), full_page=True)
        owner.fill("#current_password", temporary)
        owner.fill("#password", OWN_PASSWORD)
        owner.fill("#password_confirm", OWN_PASSWORD)
        owner.click("button:has-text('Change password')")

        # Then two-factor sign-in, which the administrator required.
        owner.wait_for_url("**/account/two-factor")
        assert owner.get_by_test_id("two-factor-required").is_visible()
        # The button posts a form: wait for the page it leads to before reading it.
        with owner.expect_navigation():
            owner.click("button:has-text('Set up two-factor sign-in')")
        qr = owner.get_by_test_id("totp-qr")
        assert qr.is_visible()
        assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
        assert "type the key" in (qr.get_attribute("alt") or "")
        assert owner.evaluate("document.querySelector('[data-testid=totp-qr]').naturalWidth") > 100
        owner.screenshot(path=str(shots / "two-factor-setup.png"), full_page=True)
        secret = owner.get_by_test_id("totp-secret").inner_text().strip()
        owner.fill("#code", pyotp.TOTP(secret).now())
        owner.click("button:has-text('Turn on two-factor sign-in')")
        owner.wait_for_url("**/account?done=two_factor")
        assert "Two-factor sign-in is on" in owner.get_by_test_id("success").inner_text()
        owner.screenshot(path=str(shots / "your-account.png"), full_page=True)
        assert problems == []


def test_account_pages_fit_a_phone(role_page: RolePage, tmp_path: Path) -> None:
    shots = _shots(tmp_path)
    with role_page("admin", width=320, height=800) as admin:
        problems = _watch_console(admin)
        admin.goto("/users")
        # The table scrolls inside its own region (steward-table-scroll, styled in steward.css).
        admin.screenshot(path=str(shots / "accounts-320.png"), full_page=True)
        admin.click("a:has-text('caseworker2')")
        admin.wait_for_url(re.compile(r"/users/\d+$"))
        assert _fits(admin)
        assert admin.get_by_test_id("reset-elsewhere").is_visible()
        admin.screenshot(path=str(shots / "account-320.png"), full_page=True)
        admin.goto("/account/password")
        assert _fits(admin)
        admin.goto("/account/two-factor")
        # The button posts a form: measure the page it leads to, not the one being left.
        with admin.expect_navigation():
            admin.click("button:has-text('Set up two-factor sign-in')")
        assert _fits(admin)
        admin.screenshot(path=str(shots / "two-factor-320.png"), full_page=True)
        assert problems == []
