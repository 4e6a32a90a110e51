"""The accessibility gate: every page each demo role can reach passes axe-core's WCAG 2.0, 2.1
and 2.2 A and AA rules, reflows at 320 px wide without sideways scrolling (WCAG 1.4.10), and
breaks nothing in our Content Security Policy.

Each role signs in on `make run`'s demo organisation and follows the GET links it is shown,
breadth first from the home page. URLs are grouped by pattern (numbers in the path read
``{id}``, the query by its keys), a few examples of each, so a list of 80 cases costs three
case pages, not eighty.

axe-core (npm, pinned in package.json) is served to the page from the app's own origin by a
Playwright route, so it loads under the app's real, strict CSP (script-src 'self'): the same
browser context records every CSP violation, and none is allowed, axe's included."""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from steward.core import keyfile
from steward.core.auth import User
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor
from steward.sar.letters import LetterKind
from steward.sar.policy import Channel
from steward.sar.schemas import PersonDetails
from steward.sar.service import letters
from steward.training.models import StaffMember
from tests.factories.sar import make_request
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.sar.disclosure_helpers import disclosure_demo_request
from tests.sar.journey_helpers import served_journey
from tests.sar.search_helpers import searched_demo_request
from tests.web.gate_helpers import gated_starter
from tests.web.intake_helpers import demo_partner, mixed_file
from tests.web.live import DemoSite, chromium_browser, needs_chromium, sign_in_as
from tests.web.sar_public_journey import fill_in
from tests.web.training_helpers import INDUCTION, answer_quiz, demo_trainee, latest_reference

pytestmark = [pytest.mark.browser, needs_chromium]

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Served on the app's own origin (script-src 'self'), never by the app itself.
AXE_URL = "/__a11y-gate__/axe.min.js"

ROLES = ["caseworker", "caseworker2", "manager", "ig-officer", "dpo", "admin", "auditor", "partner"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}
EXAMPLES_PER_PATTERN = 3
# Keeps the whole gate (8 roles) to a few minutes on a shared machine.
PAGES_PER_ROLE = 40

# Links not followed: signing out, files (downloads, exports, evidence and attested documents),
# the machine API, health checks.
SKIP = re.compile(
    r"^/(sign-out|api/|healthz|static/|assets/)|/download\b|/export\b|/evidence$|/document$|\.(csv|pdf|json|svg)$"
)
NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")

# Listens before any page script runs (an init script is not subject to the CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` (${e.sourceFile || "page"}:${e.lineNumber})`);
});
"""

RUN_AXE = """
async (tags) => {
  // GOV.UK's fonts swap in late on a busy machine; axe measures the page as people see it.
  await document.fonts.ready;
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}
"""


def pattern(url: str) -> str:
    """/cases/12?page=2 and /cases/40?page=3 are one pattern: /cases/{id}?page."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return NUMBER.sub("{id}", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def add(self, url: str, what: str) -> None:
        self.problems.append(f"{url}: {what}")

    def report(self, who: str) -> str:
        listed = "\n  ".join(self.problems)
        return f"{who}: {len(self.problems)} problem(s) on {len(self.visited)} page(s)\n  {listed}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` (npm ci installs axe-core)")
    return AXE_JS.read_text()


class Gate:
    """One browser context (the app's CSP in force) that checks the pages it is sent to."""

    def __init__(self, browser: Any, base: str, axe_source: str) -> None:
        self.context = browser.new_context(base_url=base, viewport=WIDE, accept_downloads=False)
        self.context.add_init_script(CSP_LISTENER)
        self.context.route(
            f"**{AXE_URL}",
            lambda route: route.fulfill(
                status=200, content_type="text/javascript", body=axe_source
            ),
        )
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._on_console)
        # An uncaught script error (GOV.UK's or MOJ's JavaScript failing to start) fails too.
        self.page.on("pageerror", lambda error: self.console.append(f"script error: {error}"))
        self.findings = Findings()
        self.origin = base

    def _on_console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def close(self) -> None:
        self.context.close()

    def check(self, path: str, *, expect_status: int = 200) -> list[str]:
        """Opens ``path``, checks it, and returns the same-origin links it shows."""
        response = self.page.goto(path)
        status = response.status if response else 0
        if status != expect_status:
            self.findings.add(path, f"HTTP {status}, expected {expect_status}")
        return self.inspect()

    def inspect(self) -> list[str]:
        """Checks the page as it is now; returns the links it shows."""
        page, findings = self.page, self.findings
        url = urlsplit(page.url)
        where = url.path + (f"?{url.query}" if url.query else "")
        findings.visited.append(where)
        page.wait_for_load_state("load")
        page.add_script_tag(url=AXE_URL)
        for v in page.evaluate(RUN_AXE, WCAG_TAGS):
            findings.add(where, f"axe {v['id']} ({v['impact']}): {v['help']} at {v['targets']}")
        for problem in page.evaluate(CONVENTIONS):
            findings.add(where, problem)
        page.set_viewport_size(NARROW)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            wide = page.evaluate(WIDEST_ELEMENTS, NARROW["width"])
            findings.add(where, f"{width}px wide at 320px (scrolls sideways); widest: {wide}")
        page.set_viewport_size(WIDE)
        for violation in page.evaluate("window.__cspViolations || []"):
            findings.add(where, f"CSP violation: {violation}")
        for message in self.console:
            findings.add(where, f"console: {message}")
        self.console.clear()
        return page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map((a) => a.href)"
        )

    def crawl(self, start: str = "/") -> None:
        """Breadth first from ``start``; the first example of every pattern is visited before
        any second one, so the page cap cuts repeats, not kinds of page."""
        seen_patterns: dict[str, int] = {}
        queued = {start}
        firsts, repeats = deque([start]), deque[str]()
        while (firsts or repeats) and len(self.findings.visited) < PAGES_PER_ROLE:
            path = firsts.popleft() if firsts else repeats.popleft()
            for href in self.check(path):
                link = urlsplit(href)
                if f"{link.scheme}://{link.netloc}" != self.origin:
                    continue
                target = link.path + (f"?{link.query}" if link.query else "")
                if target in queued or SKIP.search(link.path):
                    continue
                key = pattern(target)
                seen = seen_patterns.get(key, 0)
                if seen >= EXAMPLES_PER_PATTERN:
                    continue
                seen_patterns[key] = seen + 1
                queued.add(target)
                (repeats if seen else firsts).append(target)


# Our own page conventions, beside axe's rules (WCAG 1.3.1, 2.4.2, 2.4.6, 3.3.1).
CONVENTIONS = """
() => {
  const problems = [];
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 headings (one a page)`);
  if (document.querySelectorAll("main").length !== 1) problems.push("not exactly one <main>");
  for (const nav of document.querySelectorAll("nav")) {
    const current = nav.querySelectorAll("[aria-current=page]").length;
    if (current > 1) {
      problems.push(`${current} current items in the menu "${nav.getAttribute("aria-label")}"`);
    }
  }
  const summary = document.querySelector(".govuk-error-summary");
  if (summary && !document.title.startsWith("Error: ")) {
    problems.push(`an error summary, but the title "${document.title}" does not start "Error: "`);
  }
  if (!summary && document.title.startsWith("Error")) {
    problems.push(`the title "${document.title}" says Error with no error summary`);
  }
  for (const link of document.querySelectorAll(".govuk-error-summary__list a")) {
    const id = decodeURIComponent(link.hash.slice(1));
    if (!document.getElementById(id)) problems.push(`error summary link to missing #${id}`);
  }
  return problems;
}
"""

# The elements sticking out past the viewport, deepest first, to say what to fix.
WIDEST_ELEMENTS = """
(limit) => {
  const out = [];
  for (const el of document.querySelectorAll("main *, header *, footer *, body > div *")) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 1 && !el.closest(".steward-table-scroll")) {
      const id = el.id ? "#" + el.id : "";
      const cls = el.classList.length ? "." + [...el.classList].slice(0, 2).join(".") : "";
      out.push(`${el.tagName.toLowerCase()}${id}${cls} (${Math.round(r.right)}px)`);
    }
  }
  return out.slice(-4);
}
"""


@pytest.fixture
def gate(browser: Any, demo_site: DemoSite, axe_source: str) -> Iterator[Gate]:
    g = Gate(browser, demo_site.base, axe_source)
    try:
        yield g
    finally:
        g.close()


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_passes_axe_reflows_and_keeps_the_csp(
    gate: Gate, demo_site: DemoSite, username: str
) -> None:
    sign_in_as(gate.page, username, demo_site.password)
    gate.crawl("/")
    # A role that reached only its home page would pass without proving anything.
    assert len(gate.findings.visited) >= 3, gate.findings.visited
    assert not gate.findings.problems, gate.findings.report(username)


def test_signed_out_and_error_pages_pass_too(gate: Gate, demo_site: DemoSite) -> None:
    gate.check("/sign-in")
    # A wrong password shows the error summary, and the title says so first.
    gate.page.fill("#username", "caseworker")
    gate.page.fill("#password", "not-the-password")
    with gate.page.expect_navigation():
        gate.page.click("button:has-text('Sign in')")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.check("/no-such-page", expect_status=404)
    sign_in_as(gate.page, "caseworker", demo_site.password)
    assert not gate.page.title().startswith("Error"), gate.page.title()
    gate.check("/no-such-page", expect_status=404)
    # A form sent back with errors: the summary, the messages beside the fields, the title.
    gate.page.goto("/cases")
    case = gate.page.eval_on_selector("a[href^='/cases/']", "a => new URL(a.href).pathname")
    gate.page.goto(f"{case}/documents/new")
    gate.page.click("[data-testid=add]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    assert not gate.findings.problems, gate.findings.report("signed out and error pages")


def _letter_in_outbox(data_dir: Path) -> tuple[int, int]:
    """A subject access request on the demo site with a letter emailed into the outbox (no
    mail server there): the letters and outbox pages then show rows, not just empty lists."""
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            request = make_request(
                db,
                keyring,
                Actor.system(),
                channel=Channel.EMAIL,
                received_on=date.today(),
                requester=PersonDetails(
                    full_name="Gate Checker", address="1 Axe Lane, Leeds", email="g@example.org"
                ),
            )
            letter = letters.make(
                db, keyring, Actor.system(), request.id, LetterKind.COVERING, organisation="Demo"
            )
            message = letters.email(
                db, keyring, Actor.system(), request.id, letter.id, settings=settings
            )
            letters.make(
                db,
                keyring,
                Actor.system(),
                request.id,
                LetterKind.ACKNOWLEDGEMENT,
                organisation="Demo",
            )
            return request.id, message.id
    finally:
        engine.dispose()


def test_sar_letter_and_outbox_pages_pass_with_and_without_errors(
    gate: Gate, demo_site: DemoSite
) -> None:
    request_id, message_id = _letter_in_outbox(demo_site.data_dir)
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/sar/letter-templates")
    gate.check("/sar/letter-templates?kind=covering")
    gate.page.fill("#body", "Dear {{ nobody }}")
    gate.page.click("[data-testid=save]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.check(f"/sar/requests/{request_id}/letters")
    gate.page.click("[data-testid=make]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.check("/outbox")
    gate.check(f"/outbox/{message_id}")
    assert not gate.findings.problems, gate.findings.report("letters and outbox")


def test_the_public_request_form_passes_too(gate: Gate, demo_site: DemoSite) -> None:
    """Every page of the public subject access request form, an answer sent back with an
    error, the confirmation, and the pages for an expired or missing draft: no account."""
    reference = fill_in(gate.page, on_page=gate.inspect, bad_first=True)
    assert reference.startswith("SAR-"), reference
    gate.check("/request-your-data?expired=1")
    assert len(gate.findings.visited) >= 14, gate.findings.visited
    # The team's documents page of that request, with the parent's proof of authority on it,
    # and its form sent back with errors: found from the queue, as the team would.
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.page.goto("/sar?requester_type=parent")
    with gate.page.expect_navigation():
        gate.page.click(f"a:text-is('{reference}')")
    gate.page.goto(gate.page.url + "/documents")
    assert reference in gate.page.content()
    gate.inspect()
    gate.page.click("[data-testid=accept]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    assert not gate.findings.problems, gate.findings.report("public request form")


def test_a_subject_access_search_passes(gate: Gate, demo_site: DemoSite) -> None:
    """The search page of a searched request (not linked from the demo's menus yet): each
    source's results, and a triage sent back with errors."""
    request_id = searched_demo_request(demo_site.data_dir)
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    path = f"/sar/requests/{request_id}/search"
    for source in ("person", "paper_file", "document"):
        gate.check(f"{path}?source={source}")
    gate.page.goto(path)
    gate.page.click("[data-testid=hit] button:has-text('Save decision')")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    assert not gate.findings.problems, gate.findings.report("subject access search")


def test_the_disclosure_review_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """A request's disclosure (its documents gathered), a document's review page, and both
    sent back with errors: an add without a code's words, an approval with nothing sent."""
    request_id = disclosure_demo_request(demo_site.data_dir)
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    path = f"/sar/requests/{request_id}/disclosure"
    gate.check(path)
    item = gate.page.locator("[data-testid=disclosure-item] a").first.get_attribute("href")
    gate.check(str(item))
    gate.page.click("[data-testid=add-redaction] button")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.page.goto(path)
    gate.page.click("[data-testid=submit] button")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    # Real data: the real detector's proposals and kept findings highlighted on a document,
    # and the request's page pointing to its disclosure.
    detected, _, note = served_journey(demo_site.data_dir, approve=False)
    gate.check(f"/sar/requests/{detected}")
    gate.check(f"/sar/requests/{detected}/disclosure")
    gate.check(f"/sar/requests/{detected}/disclosure/{note}")
    assert not gate.findings.problems, gate.findings.report("disclosure review")


def test_the_people_rights_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """Correcting a person and restricting their records (IG only, so a crawl may not reach
    them within its page cap): the person's page, both forms, and the forms sent back with
    errors (nothing is changed: the reasons are left empty)."""
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.check("/people/1")
    for form in ("/people/1/correct", "/people/1/restrict"):
        gate.check(form)
        gate.page.click("form[novalidate] button[type=submit]")
        gate.page.wait_for_selector(".govuk-error-summary")
        assert gate.page.title().startswith("Error: "), gate.page.title()
        gate.inspect()
    gate.check("/people/1/lift-restriction")
    assert not gate.findings.problems, gate.findings.report("people rights pages")


# assurance: record classes' owners and reviews
def test_the_file_plan_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The file plan and a class's page (the records manager's), and its review form sent
    back with errors (no date, no outcome: nothing is recorded)."""
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.check("/retention/classes")
    first = gate.page.eval_on_selector(
        "[data-testid=classes] a[href^='/retention/classes/']", "a => new URL(a.href).pathname"
    )
    gate.check(first)
    gate.page.click("button:has-text('Record the review')")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    assert not gate.findings.problems, gate.findings.report("file plan pages")


# (end of assurance: record classes' owners and reviews)


def test_the_gate_sees_a_violation_a_wide_page_and_a_blocked_style(
    gate: Gate, demo_site: DemoSite
) -> None:
    """The gate can fail: an unlabelled field, a page wider than 320 px, an inline style (which
    the CSP blocks) and a second h1, put on the sign-in page by hand, are each reported."""
    gate.page.goto("/sign-in")
    gate.page.evaluate(
        """() => {
          const input = document.createElement("input");
          input.type = "text";
          const wide = document.createElement("div");
          wide.style.width = "600px";  // CSSOM: allowed by the CSP
          wide.textContent = "Too wide";
          const styled = document.createElement("p");
          styled.setAttribute("style", "color: red");  // an inline style: blocked
          const second = document.createElement("h1");
          second.textContent = "A second main heading";
          document.querySelector("main").append(input, wide, styled, second);
        }"""
    )
    gate.inspect()
    found = "\n".join(gate.findings.problems)
    assert "axe label" in found, found
    assert "wide at 320px" in found, found
    assert "CSP violation: style-src-attr" in found, found
    assert "2 h1 headings" in found, found


def test_subject_access_pages_pass_too(gate: Gate, demo_site: DemoSite) -> None:
    """The IG team's request pages, each checked whether or not the crawl's page cap reaches
    them: the queue filtered, the intake form and its errors, and a request at each kind of
    step (waiting for authority, extended, awaiting approval, finished)."""
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.check("/sar")
    gate.check("/sar?overdue=yes&requester_type=care_leaver")
    gate.check("/sar?due=week")
    gate.check("/sar?status=closed")
    gate.check("/sar/new")
    gate.page.click("[data-testid=log]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.page.goto("/sar")
    requests = gate.page.eval_on_selector_all(
        "[data-testid=queue] a", "links => links.map((a) => new URL(a.href).pathname)"
    )
    assert requests, "the demo has no open requests"
    for path in requests[:6]:
        gate.check(path)
    # A step refused: the request page with its error summary.
    gate.page.goto(requests[0])
    gate.page.click("[data-testid=move-withdrawn] button")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()


def test_subject_access_consultations_and_report_pages_pass(
    gate: Gate, demo_site: DemoSite
) -> None:
    """The consultations page (empty, with one raised, with a form sent back with errors and
    with the reply form open) and the performance report (charts drawn as SVG beside their
    tables, and with a date refused). The demo has no request to reach them by links, so
    one is logged with `steward sar new` in the demo's database."""
    import json
    import subprocess
    import sys

    from sqlalchemy import select

    from steward.core.config import Environment, Settings
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.sar.models import SubjectAccessRequest

    env = {**os.environ, "STEWARD_DATA_DIR": str(demo_site.data_dir), "STEWARD_ENV": "development"}
    env.pop("STEWARD_DATABASE_URL", None)
    request = {
        "requester_type": "care_leaver",
        "channel": "letter",
        "received_on": "2026-01-05",
        "requester": {"full_name": "Gate Keeper"},
    }
    done = subprocess.run(
        [sys.executable, "-c", "from steward.cli.main import app; app()", "sar", "new", "-"],
        input=json.dumps(request),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=demo_site.data_dir)
    engine = make_engine(settings)
    with session_scope(make_sessionmaker(engine)) as db:
        request_id = db.scalar(
            select(SubjectAccessRequest.id).where(
                SubjectAccessRequest.reference == done.stdout.strip()
            )
        )
    engine.dispose()
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    path = f"/sar/requests/{request_id}/consultations"
    gate.check(path)
    gate.page.click("button:has-text('Raise the consultation')")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.page.fill("#who", "Northshire children's services")
    gate.page.fill("#why", "Their assessment of the family")
    gate.page.fill("#due_on", "1")
    gate.page.fill("#due_on-month", "1")
    gate.page.fill("#due_on-year", "2099")
    gate.page.click("button:has-text('Raise the consultation')")
    gate.page.wait_for_selector("[data-testid=consultations]")
    gate.inspect()
    gate.page.click("a:has-text('Record the reply')")
    gate.page.wait_for_selector("#reply")
    gate.inspect()
    gate.check("/sar/report")
    gate.check("/sar/report?from-day=31&from-month=2&from-year=2026", expect_status=422)
    assert not gate.findings.problems, gate.findings.report("subject access pages")


def test_the_bundle_and_delivery_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """A request prepared with the real detector, approved by a second person and its
    bundle built by the default planner: the request and disclosure pages leading on to the
    bundle, the bundle page with its log, the delivery page and its form sent
    back with errors, the link and passcode shown once, and the requester's download page
    signed out: asking, refused a wrong passcode, and locked."""
    from tests.web.test_sar_delivery_browser import _approved_request

    request_id, _ = _approved_request(demo_site.data_dir)
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    # Approved: the request's next step, the disclosure leading on to its bundle.
    gate.check(f"/sar/requests/{request_id}")
    gate.check(f"/sar/requests/{request_id}/disclosure")
    assert gate.page.get_by_test_id("to-bundle").count() == 1
    gate.check(f"/sar/requests/{request_id}/bundle")
    assert gate.page.get_by_test_id("to-delivery").count() == 1
    gate.check(f"/sar/requests/{request_id}/delivery")
    # No channel chosen: the form comes back with an error.
    gate.page.click("button:has-text('Make the link and passcode')")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.page.check("#expires_in-7")
    gate.page.check("#passcode_channel-phone")
    gate.page.click("button:has-text('Make the link and passcode')")
    gate.page.wait_for_selector("[data-testid=passcode]")
    gate.inspect()
    link = gate.page.get_by_test_id("link").inner_text().strip()
    gate.page.context.clear_cookies()
    gate.check(link.removeprefix(demo_site.base))
    gate.page.fill("#passcode", "AAAA-BBBB-CCCC")
    gate.page.click("button:has-text('Download your information')")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    for _ in range(4):
        gate.page.fill("#passcode", "AAAA-BBBB-CCCC")
        with gate.page.expect_navigation():
            gate.page.click("button:has-text('Download your information')")
    assert "locked" in gate.page.locator("h1").inner_text()
    gate.inspect()
    assert not gate.findings.problems, gate.findings.report("bundle and delivery")


def _training_staff(data_dir: Path) -> int:
    """The example workforce on the demo site beside the demo's own (as `steward staff
    import` would bring it), one with completions from Moodle and xAPI: the demo's catalogue
    answers to the example files' course ids (docs/demo.md), so they import cleanly."""
    from steward.training.service import lms, staff
    from tests.training.test_lms_import import EXAMPLES

    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            staff.import_staff(db, Actor.system(), (EXAMPLES / "hr-staff.csv").read_bytes())
            for name in ("moodle-completions.csv", "xapi-statements.json"):
                report = lms.import_completions(db, Actor.system(), (EXAMPLES / name).read_bytes())
                assert report.ok, report.problems
            return int(staff.for_number(db, "S1002").id)
    finally:
        engine.dispose()


def test_the_staff_training_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The staff list (filtered, leavers), a member of staff with their standing and
    completions, the account form sent back with an error, and both import pages: empty,
    with a report and its row problems, and with a file refused whole."""
    ben = _training_staff(demo_site.data_dir)
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/training/staff")
    gate.check("/training/staff?scope=leavers&team=South&employment_type=permanent")
    gate.check(f"/training/staff/{ben}")
    gate.page.click("[data-testid=link]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    hr = (ROOT / "docs" / "examples" / "training" / "hr-staff.csv").read_bytes()
    for path, good, bad in [
        ("/training/imports/staff", hr, hr.replace(b",temporary,", b",agency,")),
        (
            "/training/imports/completions",
            (ROOT / "docs" / "examples" / "training" / "xapi-statements.json").read_bytes(),
            b'[{"verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}]',
        ),
    ]:
        gate.check(path)
        for content, name in ((good, "good"), (bad, "bad"), (b"", "empty")):
            gate.page.set_input_files(
                "#file", files=[{"name": f"{name}.csv", "mimeType": "text/csv", "buffer": content}]
            )
            gate.page.click("[data-testid=import]")
            gate.page.wait_for_selector("h1")
            if name != "good":
                assert gate.page.title().startswith("Error: "), gate.page.title()
            gate.inspect()
    assert not gate.findings.problems, gate.findings.report("staff training pages")


def _training_catalogue(data_dir: Path) -> tuple[int, int]:
    """A course on the demo site with a second version and a specialist requirement (never
    an induction one: the demo's users would all be shut out of their cases by the gate)."""
    from steward.training.catalogue_schemas import CourseCreate, RequirementCreate, VersionRelease
    from steward.training.service import catalogue, requirements

    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            course = catalogue.create(
                db,
                Actor.system(),
                CourseCreate(
                    code="GATE-SAR",
                    title="Handling subject access requests, for the accessibility gate",
                    topic="sar_handling",
                    delivery="classroom",
                    duration_minutes=150,
                    validity_months=24,
                    pass_mark=70,
                    lms_ids=["moodle:gate-sar", "https://lms.example.org/xapi/activities/sar"],
                    description="Finding, reviewing and redacting what a requester is owed.",
                ),
            )
            catalogue.release_version(
                db,
                Actor.system(),
                course.id,
                VersionRelease(note="Exemptions brought up to date", requires_redo=False),
            )
            requirement = requirements.set_requirement(
                db,
                Actor.system(),
                RequirementCreate.model_validate(
                    {
                        "course_id": course.id,
                        "kind": "specialist",
                        "account_roles": ["ig_officer"],
                        "employment_types": ["permanent", "temporary"],
                        "due_within_days": 60,
                    }
                ),
            )
            return course.id, requirement.id
    finally:
        engine.dispose()


def test_the_training_catalogue_and_settings_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The course list (filtered), a course with its versions and requirements, each form
    (and each sent back with errors), a requirement's preview, and the training settings with
    the induction gate's notice while it is off (turned back on at the end)."""
    course_id, requirement_id = _training_catalogue(demo_site.data_dir)
    sign_in_as(gate.page, "dpo", demo_site.password)
    course = f"/training/courses/{course_id}"
    gate.check("/training/courses")
    gate.check("/training/courses?topic=sar_handling&delivery=classroom&retired=yes")
    gate.check(course)
    assert gate.page.get_by_test_id("requirement").count() == 1
    for form, button in [
        ("/training/courses/new", "save"),
        (f"{course}/edit", "save"),
        (f"{course}/versions/new", "release"),
        (f"{course}/requirements/new", "save"),
    ]:
        gate.check(form)
        if form.endswith("/edit"):
            gate.page.fill("#title", "")
        gate.page.click(f"[data-testid={button}]")
        gate.page.wait_for_selector(".govuk-error-summary")
        assert gate.page.title().startswith("Error: "), gate.page.title()
        gate.inspect()
    gate.page.goto(f"{course}/requirements/new")
    gate.page.check("#kind")
    gate.page.click("[data-testid=preview-button]")
    gate.page.wait_for_selector("[data-testid=preview]")
    gate.inspect()
    gate.check(f"/training/requirements/{requirement_id}/end")
    gate.check(f"{course}/retire")
    gate.check("/training/settings")
    gate.page.fill("#target_percent", "0")
    gate.page.click("[data-testid=save]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    try:
        gate.page.goto("/training/settings")
        gate.page.check("#induction_gate-off")
        gate.page.fill("#gate_off_reason", "The accessibility gate looks at the notice.")
        gate.page.click("[data-testid=save]")
        gate.page.wait_for_selector("[data-testid=gate-off]")
        gate.inspect()
        gate.check("/training/courses")
        gate.check(course)
    finally:
        gate.page.goto("/training/settings")
        gate.page.check("#induction_gate")
        gate.page.click("[data-testid=save]")
        gate.page.wait_for_selector("[data-testid=saved]")
    assert gate.page.get_by_test_id("gate-off").count() == 0
    assert not gate.findings.problems, gate.findings.report("training catalogue")


def _training_team(data_dir: Path) -> int:
    """The demo manager's team on the staff list: one report overdue with a classroom
    session recorded (evidence attached) and one up to date, the automatic reminders sent.
    Returns the overdue report's staff id."""
    from sqlalchemy import select

    from steward.core import auth
    from steward.training.policy import Delivery
    from steward.training.service import manual, reminders
    from steward.training.service import staff as staff_service
    from tests.factories.training import complete, make_course, make_requirement, make_staff

    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    engine = make_engine(settings)
    today = date.today()
    try:
        factory = make_sessionmaker(engine)
        with session_scope(factory) as db:
            user = db.scalar(select(auth.User).where(auth.User.username == "manager"))
            assert user is not None
            me = staff_service.for_user(db, user.id) or make_staff(
                db, name="Demo Manager", staff_number="GATE-M", user_id=user.id
            )
            refresher = make_course(db, code="GATE-REFRESHER", title="Gate refresher")
            # Of these two only: the demo's own staff have their own training to show.
            make_requirement(db, refresher, job_roles=["Gate trainee"])
            classroom = make_course(
                db,
                code="GATE-CLASSROOM",
                title="Records workshop",
                delivery=Delivery.CLASSROOM,
                pass_mark=None,
            )
            complete(db, me, refresher, today)
            late = make_staff(
                db, name="Gate Overdue", staff_number="GATE-1", manager=me, job_role="Gate trainee"
            )
            complete(db, late, refresher, date(2020, 2, 1))
            fine = make_staff(
                db, name="Gate Current", staff_number="GATE-2", manager=me, job_role="Gate trainee"
            )
            complete(db, fine, refresher, today)
            manual.record(
                db,
                keyring,
                Actor.system(),
                manual.Attendance([late.id], classroom.id, today, "Leeds office", b"%PDF-1.7"),
            )
            late_id = late.id
        reminders.run(factory, keyring, Actor.system(), as_of=today, settings=settings)
        return late_id
    finally:
        engine.dispose()


def test_the_training_team_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """A manager's team (a report overdue, a session recorded with its evidence, reminders
    sent), one person's page, a reminder sent and then refused the same day, the classroom
    session form and its errors; the log of reminders and the administrator's form."""
    staff_id = _training_team(demo_site.data_dir)
    sign_in_as(gate.page, "manager", demo_site.password)
    gate.check("/training/team")
    gate.check(f"/training/team/{staff_id}")
    gate.page.click("[data-testid=remind]")
    gate.page.wait_for_selector("[data-testid=done]")
    gate.inspect()
    gate.page.click("[data-testid=remind]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.check("/training/team/record")
    gate.page.click("[data-testid=record]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.page.context.clear_cookies()
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/training/reminders")
    gate.check("/training/team/record")
    gate.check("/training/team")
    assert not gate.findings.problems, gate.findings.report("training team pages")


def test_my_training_and_the_module_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """A member of staff's training pages at each step: what they must do, the modules, a
    module with its quiz, the quiz sent back unanswered, a result not passed and one passed,
    My training with a completion; the training team's modules page and the certificate
    check (found and not found); and an account with no staff record."""
    from steward.training import module_files

    username, password = demo_trainee(demo_site.data_dir)
    sign_in_as(gate.page, username, password)
    gate.check("/training")
    gate.check("/training/modules")
    for slug in module_files.shipped():
        gate.check(f"/training/modules/{slug}")
    gate.check(f"/training/modules/{INDUCTION}")
    gate.page.click("[data-testid=send]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.page.goto(f"/training/modules/{INDUCTION}")
    answer_quiz(gate.page, wrong=2)
    assert gate.page.get_by_test_id("not-passed").count() == 1
    gate.inspect()
    with gate.page.expect_navigation():
        gate.page.get_by_test_id("try-again").click()
    answer_quiz(gate.page, wrong=0)
    assert gate.page.get_by_test_id("passed").count() == 1
    gate.inspect()
    gate.check("/training")
    gate.check(f"/training/modules/{INDUCTION}")  # with the attempts sent listed
    reference = latest_reference(demo_site.data_dir)
    gate.page.context.clear_cookies()
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/training/modules")
    gate.check("/training/certificates")
    gate.check(f"/training/certificates?reference={reference}")
    assert gate.page.get_by_test_id("genuine").count() == 1
    gate.check("/training/certificates?reference=TRN-000001-00000000")
    assert gate.page.get_by_test_id("not-genuine").count() == 1
    gate.page.context.clear_cookies()
    sign_in_as(gate.page, "partner", demo_site.password)
    gate.check("/training")
    assert not gate.findings.problems, gate.findings.report("my training")


def test_the_induction_gate_page_and_home_banner_pass(gate: Gate, demo_site: DemoSite) -> None:
    """A new starter whose induction is outstanding: their home page with its banner, and
    the page a case answers with (403) instead of the case."""
    with gated_starter(demo_site.data_dir, demo_site.password) as (username, case_id):
        sign_in_as(gate.page, username, demo_site.password)
        gate.check("/")
        assert gate.page.locator("[data-testid=gate-banner]").count() == 1
        gate.check(f"/cases/{case_id}", expect_status=403)
        assert gate.page.locator("[data-testid=induction-required]").count() == 1
    assert not gate.findings.problems, gate.findings.report("induction gate")


def _training_workforce(data_dir: Path) -> int:
    """Staff and a mandatory course on the demo site (no induction course: that would close
    case content to every other role's crawl), thirty of them lacking it so the list pages,
    and the demo manager given people who report to them. Returns the course's id."""
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            course = make_course(db, code="GATE-DP", title="Data protection refresher")
            make_requirement(db, course)
            manager = db.scalar(select(User.id).where(User.username == "manager"))
            # The demo links its manager to a staff record already; they manage these too.
            boss = db.scalar(select(StaffMember).where(StaffMember.user_id == manager))
            if boss is None:
                boss = make_staff(db, name="Gate Manager", team="Gate North", user_id=manager)
            for n in range(32):
                person = make_staff(
                    db,
                    name=f"Gate Person {n:02d}",
                    team="Gate North" if n % 2 else "Gate South with a long team name",
                    manager=boss if n < 6 else None,
                )
                if n % 8 == 0:
                    complete(db, person, course, date.today())
            return course.id
    finally:
        engine.dispose()


def test_the_training_compliance_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The DPO's dashboard (charts drawn as SVG beside their tables, the list of those not
    compliant and its second page, a date refused), a team's and a course's drill-downs, and
    a manager's view of their own people."""
    course_id = _training_workforce(demo_site.data_dir)
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/training/dashboard")
    gate.check("/training/dashboard?page=2")
    gate.check("/training/dashboard?as_of-day=31&as_of-month=2&as_of-year=2026", expect_status=422)
    gate.check("/training/dashboard/team?team=Gate%20North")
    gate.check("/training/dashboard/team?team=")
    gate.check(f"/training/dashboard/courses/{course_id}")
    sign_in_as(gate.page, "manager", demo_site.password)
    gate.check("/training/dashboard")
    assert not gate.findings.problems, gate.findings.report("training compliance pages")


def _partner_register(data_dir: Path) -> tuple[int, int]:
    """A partner on the demo site with agreements in force, not yet in force and ended, a
    contact, the demo's partner account sending for it (unless the demo links it already),
    and a partner account waiting to be linked. Returns the partner's and an agreement's ids."""
    from steward.core.auth import create_user
    from steward.core.permissions import Role
    from steward.intake.service import contacts, partners

    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    system = Actor.system()
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            partner = partners.create_partner(
                db, system, code="GATE-LA", name="Gate County Council", kind="local_authority"
            )
            made = [
                partners.create_agreement(
                    db,
                    system,
                    partner_id=partner.id,
                    reference=f"GATE-DSA-{n}",
                    title=f"Information sharing with the gate council ({n})",
                    lawful_basis="public_task",
                    statutory_power="Children Act 1989, s.7; Children Act 2004, s.11",
                    special_category_condition="Schedule 1, Part 2, para 18 (safeguarding)",
                    dataset_names=sets,
                    retention_months=12,
                    starts_on=starts,
                    ends_on=ends,
                )
                for n, (sets, starts, ends) in enumerate(
                    [
                        (["party_details", "safeguarding_checks"], date(2024, 4, 1), None),
                        (["court_orders"], date(2099, 1, 1), None),
                        (["court_orders"], date(2020, 4, 1), date(2023, 3, 31)),
                    ]
                )
            ]
            contacts.add_contact(
                db,
                system,
                partner.id,
                name="Gate Contact with a rather long name",
                email="gate.contact.with.a.long.address@gate-county-council.example.gov.uk",
                job_title="Information governance lead",
            )
            demo_partner = db.scalar(select(User).where(User.username == "partner"))
            if demo_partner is not None and partners.partner_of(db, demo_partner.actor) is None:
                partners.link_user(db, system, partner_id=partner.id, user_id=demo_partner.id)
            create_user(
                db,
                system,
                username="gate-sender",
                role=Role.PARTNER,
                password="gate sender long password 2026",
            )
            return partner.id, made[0].id
    finally:
        engine.dispose()


def _intake_quality(data_dir: Path, password: str) -> tuple[int, str]:
    """Two partners on the demo site with files over the last months (rows accepted,
    rejected, held and decided, a file refused), and a partner user for the first: the
    quality pages then show charts, codes and timings. Returns (partner id, username)."""
    from datetime import UTC, datetime, timedelta

    from steward.core import auth
    from steward.core.permissions import Role
    from steward.intake.models import Partner
    from steward.intake.policy import Code, Decision
    from steward.intake.service import partners
    from tests.factories.intake import make_partner
    from tests.intake.quality_helpers import Sender

    username = "partner-quality"
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            found = db.scalar(select(Partner).where(Partner.code == "A11Y-LA"))
            if found is not None:
                return found.id, username
            now = datetime.now(UTC)
            partner_id = 0
            for code, name in (("A11Y-LA", "Gateshire County Council"), ("A11Y-POL", "Axe Police")):
                sender = Sender(db, keyring, make_partner(db, code=code, name=name))
                for months_ago in range(4):
                    sent = now - timedelta(days=30 * months_ago + 2)
                    file = sender.file(sent)
                    sender.rows(file, 20 + months_ago)
                    sender.rows(file, months_ago + 1, [("nhs_number", Code.NHS_CHECKSUM)])
                    sender.rows(file, 1, [("postcode", Code.POSTCODE_FORMAT)])
                    sender.held(file, [Code.PERSON_CONFLICT])
                    sender.held(
                        file,
                        [Code.EARLIER_DIFFERS],
                        decided=(Decision.ACCEPT, sent + timedelta(days=1 + months_ago)),
                    )
                sender.refuse(now - timedelta(days=5), Code.FILE_HEADER)
                if code == "A11Y-LA":
                    partner_id = sender.partner.id
            user = auth.create_user(
                db, Actor.system(), username=username, role=Role.PARTNER, password=password
            )
            partners.link_user(db, Actor.system(), partner_id=partner_id, user_id=user.id)
            return partner_id, username
    finally:
        engine.dispose()


def test_the_partner_register_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The partners list (filtered), a partner's page with its agreements, contacts and
    accounts, each form (and each sent back with errors), the data sets page; and a partner
    account's own organisation and what it may send."""
    partner_id, agreement_id = _partner_register(demo_site.data_dir)
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    page = f"/intake/partners/{partner_id}"
    gate.check("/intake/partners")
    gate.check("/intake/partners?q=gate&kind=local_authority&active=any")
    gate.check(page)
    for button in ("add-contact", "link"):
        gate.page.goto(page)
        gate.page.click(f"[data-testid={button}]")
        gate.page.wait_for_selector(".govuk-error-summary")
        assert gate.page.title().startswith("Error: "), gate.page.title()
        gate.inspect()
    for form in ("/intake/partners/new", f"{page}/edit", f"{page}/agreements/new"):
        gate.check(form)
        if form.endswith("/edit"):
            gate.page.fill("#name", "")
        gate.page.click("[data-testid=save]")
        gate.page.wait_for_selector(".govuk-error-summary")
        assert gate.page.title().startswith("Error: "), gate.page.title()
        gate.inspect()
    gate.check(f"/intake/agreements/{agreement_id}/end")
    gate.page.click("[data-testid=end]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    gate.check("/intake/datasets")
    sign_in_as(gate.page, "partner", demo_site.password)
    gate.check("/intake/organisation")
    gate.check("/intake/datasets")
    assert not gate.findings.problems, gate.findings.report("partner register pages")


def test_the_partner_data_quality_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The page of partners and a partner's page with figures, charts and codes, each with a
    period refused; a partner's user on its own figures; and the demo's partner account
    (linked to no partner, or to the register test's)."""
    partner_id, username = _intake_quality(demo_site.data_dir, demo_site.password)
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.check("/intake/quality")
    assert gate.page.locator("[data-testid=partner]").count() >= 2
    gate.check("/intake/quality?from-day=31&from-month=2&from-year=2026", expect_status=422)
    gate.check(f"/intake/quality/partners/{partner_id}")
    assert gate.page.locator("svg[role=img]").count() == 1
    gate.check(
        f"/intake/quality/partners/{partner_id}?to-day=1&to-month=1&to-year=2099", expect_status=422
    )
    gate.page.context.clear_cookies()
    sign_in_as(gate.page, username, demo_site.password)
    gate.check("/intake/quality")
    gate.check(f"/intake/quality/partners/{partner_id}")
    gate.page.context.clear_cookies()
    sign_in_as(gate.page, "partner", demo_site.password)
    gate.check("/intake/quality")
    assert not gate.findings.problems, gate.findings.report("partner data quality")


def test_the_partner_submission_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The partner's screens, linked to a partner with an agreement: "Send data", refused
    with an error summary, a mixed file's feedback (all issues, one code's), its submissions;
    and the staff's side: every partner's submissions, filtered, and sending on a partner's
    behalf."""
    partner = demo_partner(demo_site.data_dir)
    sign_in_as(gate.page, "partner", demo_site.password)
    gate.check("/intake/send")
    gate.page.get_by_role("radio", name="Party details").check()
    gate.page.set_input_files(
        "#file", files=[{"name": "wrong.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}]
    )
    gate.page.click("[data-testid=send]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.page.get_by_role("radio", name="Party details").check()
    gate.page.set_input_files(
        "#file",
        files=[
            {
                "name": "parties.csv",
                "mimeType": "text/csv",
                "buffer": mixed_file(partner.case_numbers)[0],
            }
        ],
    )
    gate.page.click("[data-testid=send]")
    gate.page.wait_for_url("**/intake/submissions/*")
    gate.inspect()
    submission = urlsplit(gate.page.url).path
    gate.check(f"{submission}?code=nhs.checksum")
    gate.check(f"{submission}?code=nonsense", expect_status=422)
    gate.check("/intake/submissions")
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.check("/intake/submissions")
    gate.check("/intake/submissions?partner=&dataset=party_details&status=complete")
    gate.check(submission)
    gate.check("/intake/send")
    gate.page.click("[data-testid=send]")
    gate.page.wait_for_selector(".govuk-error-summary")
    gate.inspect()
    assert not gate.findings.problems, gate.findings.report("partner submission pages")


def test_the_held_partner_data_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The held queue (narrowed, and sent a filter it refuses), a held row beside the recorded
    person with its decision form, the form sent back with errors (the correction's fields
    open), the queue after a decision, the corrections told to partners, and the partner's
    own corrections page."""
    from tests.intake.review_helpers import RECORDED_DOB, seed_live

    held = seed_live(demo_site.data_dir, demo_site.password)
    sign_in_as(gate.page, "ig-officer", demo_site.password)
    gate.check("/intake/held")
    gate.check(f"/intake/held?partner={held.partner_id}")
    gate.check("/intake/held?code=no.such.code", expect_status=422)
    gate.check(f"/intake/held/{held.row_id}")
    gate.page.check("#decision-correct")
    gate.page.fill("#corrected-date_of_birth", "2015-02-30")
    gate.page.click("[data-testid=decide]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.page.fill("#corrected-date_of_birth", RECORDED_DOB.isoformat())
    gate.page.check("#link")
    gate.page.fill("#reason", "The birth certificate on the case file.")
    gate.page.click("[data-testid=decide]")
    gate.page.wait_for_url("**/intake/held?done=corrected")
    gate.inspect()
    gate.check("/intake/notices")
    gate.check(f"/intake/notices?partner={held.partner_id}")
    gate.page.context.clear_cookies()
    sign_in_as(gate.page, held.partner_username, demo_site.password)
    gate.check("/intake/corrections")
    assert not gate.findings.problems, gate.findings.report("held partner data pages")


# assurance: evidence pack
def test_the_evidence_pack_pages_pass(gate: Gate, demo_site: DemoSite) -> None:
    """The DPO's evidence pack: the page, its form sent back with an error, the job's page
    when done, and the pack's page with its download button (the crawl sees none built)."""
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/assurance/evidence-pack")
    gate.page.fill("#as_of", "40")
    gate.page.click("[data-testid=build]")
    gate.page.wait_for_selector(".govuk-error-summary")
    assert gate.page.title().startswith("Error: "), gate.page.title()
    gate.inspect()
    gate.page.goto("/assurance/evidence-pack")
    gate.page.click("[data-testid=build]")
    gate.page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job = urlsplit(gate.page.url).path
    for _ in range(120):  # the embedded queue builds it in a few seconds; bounded
        if gate.page.query_selector("[data-testid=job-done], [data-testid=job-failed]"):
            break
        gate.page.wait_for_timeout(500)
        gate.page.goto(job)
    assert gate.page.query_selector("[data-testid=job-done]"), gate.page.content()[:2000]
    gate.inspect()
    result = gate.page.eval_on_selector("[data-testid=job-result]", "a => a.pathname")
    gate.check(result)
    assert gate.page.query_selector("[data-testid=download]")
    gate.check("/assurance/evidence-pack")
    assert not gate.findings.problems, gate.findings.report("evidence pack pages")


# (end of assurance: evidence pack)
# assurance: board report
def test_the_board_report_page_passes(gate: Gate, demo_site: DemoSite) -> None:
    """The board report's page as the DPO opens it from the dashboard, for a chosen date, and
    sent back with a date it refuses (the PDF itself is a download, not crawled)."""
    sign_in_as(gate.page, "dpo", demo_site.password)
    gate.check("/assurance/report")
    gate.check("/assurance/report?as_of-day=31&as_of-month=3&as_of-year=2026")
    gate.check("/assurance/report?as_of-day=31&as_of-month=2&as_of-year=2026", expect_status=422)
    assert not gate.findings.problems, gate.findings.report("board report page")


# (end of assurance: board report)
