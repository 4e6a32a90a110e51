"""The board report's page, its PDF download and the same over the API: who may have it,
the download's headers (an attachment, never cached), a bad date refused with a message."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from steward.core import auth, clock
from steward.core.permissions import Role
from tests.assurance.pdf_text import pdf_text
from tests.web.conftest import SignedIn

Token = Callable[[Role], tuple[str, auth.User]]


def _is_download(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "board-report-" in headers["content-disposition"]
    assert headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF")  # type: ignore[attr-defined]


def test_the_dpo_finds_the_page_and_downloads_the_report(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    dashboard = client.get("/assurance")
    assert 'data-testid="board-report-link"' in dashboard.text
    page = client.get("/assurance/report")
    assert page.status_code == 200
    assert 'href="/assurance/report"' in page.text and 'aria-current="page"' in page.text
    today = clock.today().isoformat()
    assert f'href="/assurance/report.pdf?as_of={today}"' in page.text
    assert "Download the board report (PDF)" in page.text
    assert not re.findall(r"<script(?![^>]*\bsrc=)", page.text)  # no inline script
    chosen = client.get(
        "/assurance/report", params={"as_of-day": "31", "as_of-month": "3", "as_of-year": "2026"}
    )
    assert 'href="/assurance/report.pdf?as_of=2026-03-31"' in chosen.text
    download = client.get("/assurance/report.pdf", params={"as_of": "2026-03-31"})
    assert download.status_code == 200
    _is_download(download)
    assert "As of 31 March 2026" in " ".join(pdf_text(download.content).split())


def test_a_bad_date_is_refused_with_a_message(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    typed = client.get(
        "/assurance/report", params={"as_of-day": "31", "as_of-month": "2", "as_of-year": "2026"}
    )
    assert typed.status_code == 422 and "must be a real date" in typed.text
    future = client.get(
        "/assurance/report", params={"as_of-day": "1", "as_of-month": "1", "as_of-year": "2999"}
    )
    assert future.status_code == 422 and "cannot be in the future" in future.text
    bad = client.get("/assurance/report.pdf", params={"as_of": "2026-13-01"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_the_auditor_has_it_and_a_caseworker_does_not(signed_in: SignedIn) -> None:
    auditor, _ = signed_in(Role.AUDITOR)
    assert auditor.get("/assurance/report").status_code == 200
    _is_download(auditor.get("/assurance/report.pdf"))
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/assurance/report").status_code == 403
    assert caseworker.get("/assurance/report.pdf").status_code == 403


def test_the_api_gives_the_figures_and_the_pdf(client: TestClient, api_token: Token) -> None:
    secret, _ = api_token(Role.DPO)
    headers = {"Authorization": f"Bearer {secret}"}
    found = client.get("/api/v1/assurance/report?as_of=2026-03-31", headers=headers)
    assert found.status_code == 200
    body = found.json()
    assert body["as_of"] == "2026-03-31" and len(body["areas"]) == 7
    assert [p["priority"] for p in body["recommendations"]] == ["urgent", "high", "medium", "low"]
    _is_download(client.get("/api/v1/assurance/report.pdf?as_of=2026-03-31", headers=headers))
    bad = client.get("/api/v1/assurance/report?as_of=2999-01-01", headers=headers)
    assert bad.status_code == 422
    worker, _ = api_token(Role.CASEWORKER)
    refused = client.get("/api/v1/assurance/report", headers={"Authorization": f"Bearer {worker}"})
    assert refused.status_code == 403
