"""The partner data-quality pages, CSV and API: who sees which partner, the figures as shown,
charts drawn as SVG beside their tables with nothing inline, cells safe in a spreadsheet.

The figures themselves are checked by hand count in tests/intake/test_quality.py; here, one
partner's month is enough to see that the pages show what the service counts."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.intake.models import Partner
from steward.intake.policy import Code, Decision
from steward.intake.service import partners as partner_service
from tests.factories.intake import make_partner, make_partner_user
from tests.intake.quality_helpers import Sender
from tests.web.conftest import SignedIn

ApiToken = Callable[[Role], tuple[str, auth.User]]


@dataclass
class Partners:
    alpha: Partner
    beta: Partner


def _this_month(hour: int = 9) -> datetime:
    """Early in the current UK month (the 1st, or yesterday on the 1st), in UTC."""
    today = clock.today()
    day = today.replace(day=1) if today.day > 1 else today - timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=clock.UK).astimezone(UTC)


@pytest.fixture
def partners(db: Session, keyring: FileKeyring) -> Partners:
    """Alpha: one file this month of 4 rows (2 accepted, 1 rejected for its NHS number, 1 held
    for a conflict and decided a day later) and one refused. Beta, named like a formula: 2
    rows, 1 rejected for an unknown case."""
    alpha = Sender(db, keyring, make_partner(db, name="Alpha Borough Council"))
    sent = _this_month()
    file = alpha.file(sent)
    alpha.rows(file, 2)
    alpha.rows(file, 1, [("nhs_number", Code.NHS_CHECKSUM)])
    alpha.held(file, [Code.PERSON_CONFLICT], decided=(Decision.ACCEPT, sent + timedelta(hours=12)))
    alpha.refuse(sent + timedelta(hours=1), Code.FILE_HEADER)
    beta = Sender(db, keyring, make_partner(db, name="=Beta County Council"))
    other = beta.file(sent)
    beta.rows(other, 1)
    beta.rows(other, 1, [("case_number", Code.CASE_UNKNOWN)])
    db.commit()
    return Partners(alpha.partner, beta.partner)


def _partner_client(signed_in: SignedIn, db: Session, partner: Partner) -> TestClient:
    """Signed in as a partner organisation's user, linked to ``partner``."""
    client, user = signed_in(Role.PARTNER)
    partner_service.link_user(db, Actor.system(), partner_id=partner.id, user_id=user.id)
    db.commit()
    return client


def _no_inline(html: str) -> None:
    """The strict CSP: no inline script or style anywhere on the page."""
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)


@pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.DPO, Role.AUDITOR])
def test_the_page_of_partners_shows_each_summary_chart_and_codes(
    signed_in: SignedIn, partners: Partners, role: Role
) -> None:
    client, _ = signed_in(role)
    # In the menu for an auditor; a tab of "Partner data" for the IG team.
    reach = client.get("/" if role is Role.AUDITOR else "/intake/submissions")
    assert 'href="/intake/quality"' in reach.text
    page = client.get("/intake/quality")
    assert page.status_code == 200, page.text
    html = page.text
    _no_inline(html)
    assert "Alpha Borough Council" in html and "=Beta County Council" in html
    assert html.count('data-testid="partner"') == 2
    # Alpha's 90 days: 4 rows, 1 rejected (25%), none open, resolved in half a day.
    (row,) = [
        line.split("</tr>")[0]
        for line in html.split('data-testid="partner"')[1:]
        if "Alpha Borough Council" in line.split("</tr>")[0]
    ]
    cells = re.findall(r'numeric">([^<]*)</td>', row)
    assert cells == ["4", "25%", "0", "\u2013", "0.5 days"]
    # A chart per partner, drawn as an image with its title and description, and its table.
    assert html.count('role="img"') == 2
    assert f'data-testid="table-rejected-{partners.alpha.id}"' in html
    assert "rows rejected each month" in html
    # The commonest issues, by title and code.
    assert "NHS number check digit" in html and "nhs.checksum" in html
    assert "Unknown case number" in html
    assert "Conflicts with the recorded person" in html
    assert "The assurance dashboard&#39;s line for each partner" in html  # definitions shown


def test_a_partners_page_shows_its_months_codes_and_held_rows(
    signed_in: SignedIn, partners: Partners
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get(f"/intake/quality/partners/{partners.alpha.id}")
    assert page.status_code == 200, page.text
    html = page.text
    _no_inline(html)
    month = f"{_this_month().astimezone(clock.UK):%B %Y}"
    (this,) = [
        row.split("</tr>")[0]
        for row in html.split('data-testid="month"')[1:]
        if f">{month}</th>" in row.split("</tr>")[0]
    ]
    assert re.findall(r'numeric">([^<]*)</td>', this) == [
        "2",  # files
        "1",  # refused
        "4",  # rows
        "2",  # accepted
        "0",  # unchanged
        "1",  # held
        "1",  # rejected
        "25%",
        "25%",
        "1",  # conflicts
        "0",  # still waiting
        "1",  # decided
        "0.5",
        "0.5",
    ]
    assert "Wrong columns" in html and "file.header" in html  # files refused by code
    assert 'data-testid="open-held">0' in html
    assert "Median 0.5 days, 90th percentile 0.5 days" in html
    assert f'href="/intake/quality.csv?partner={partners.alpha.id}' in html


def test_the_csv_has_each_partners_months_and_period_with_safe_cells(
    signed_in: SignedIn, partners: Partners
) -> None:
    client, _ = signed_in(Role.DPO)
    response = client.get("/intake/quality.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0][:6] == [
        "partner_code",
        "partner_name",
        "month",
        "submissions",
        "refused",
        "rows",
    ]
    totals = [line for line in lines[1:] if " to " in line[2]]
    # By name, as a spreadsheet would sort them; the formula-like name is neutralised.
    assert [line[1] for line in totals] == ["'=Beta County Council", "Alpha Borough Council"]
    alpha = dict(zip(lines[0], totals[1], strict=True))
    assert (alpha["rows"], alpha["rejected"], alpha["rejected_percent"]) == ("4", "1", "25.0")
    assert (alpha["held"], alpha["decided"], alpha["median_days_to_resolve"]) == ("1", "1", "0.5")
    # Twelve months and the period, for each partner.
    assert len(lines) == 1 + 2 * 13
    one = client.get(f"/intake/quality.csv?partner={partners.beta.id}")
    assert {line[0] for line in list(csv.reader(io.StringIO(one.text)))[1:]} == {partners.beta.code}


def test_a_partner_sees_its_own_figures_and_no_one_elses(
    signed_in: SignedIn, db: Session, partners: Partners
) -> None:
    client = _partner_client(signed_in, db, partners.alpha)
    page = client.get("/intake/quality")
    assert page.status_code == 200
    assert "Alpha Borough Council" in page.text
    assert "Beta County Council" not in page.text
    assert "Unknown case number" not in page.text  # Beta's issue
    assert client.get(f"/intake/quality/partners/{partners.alpha.id}").status_code == 200
    assert client.get(f"/intake/quality/partners/{partners.beta.id}").status_code == 404
    assert client.get(f"/intake/quality.csv?partner={partners.beta.id}").status_code == 404
    whole = client.get("/intake/quality.csv")
    assert "Beta" not in whole.text


def test_a_partner_account_linked_to_no_partner_is_told_so(
    signed_in: SignedIn, partners: Partners
) -> None:
    client, _ = signed_in(Role.PARTNER)
    page = client.get("/intake/quality")
    assert page.status_code == 200
    assert 'data-testid="not-linked"' in page.text
    assert "Alpha" not in page.text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.ADMIN])
def test_other_staff_are_refused_pages_csv_and_api(
    signed_in: SignedIn, api_token: ApiToken, partners: Partners, role: Role
) -> None:
    client, _ = signed_in(role)
    assert 'href="/intake/quality"' not in client.get("/").text
    for path in (
        "/intake/quality",
        f"/intake/quality/partners/{partners.alpha.id}",
        "/intake/quality.csv",
    ):
        assert client.get(path).status_code == 403, path
    token, _ = api_token(role)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/intake/quality", headers=headers).status_code == 403
    path = f"/api/v1/intake/quality/partners/{partners.alpha.id}"
    assert client.get(path, headers=headers).status_code == 403


def test_a_period_that_is_not_a_date_or_ends_after_today_is_shown_as_an_error(
    signed_in: SignedIn, partners: Partners
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get("/intake/quality?from-day=31&from-month=2&from-year=2026")
    assert page.status_code == 422
    assert "govuk-error-summary" in page.text and "must be a real date" in page.text
    tomorrow = clock.today() + timedelta(days=1)
    query = f"to-day={tomorrow.day}&to-month={tomorrow.month}&to-year={tomorrow.year}"
    page = client.get(f"/intake/quality/partners/{partners.alpha.id}?{query}")
    assert page.status_code == 422
    assert "The end must be today or earlier" in page.text
    assert client.get(f"/intake/quality.csv?{query}").status_code == 422


def test_the_api_gives_the_summary_and_a_partners_months_with_definitions(
    client: TestClient, api_token: ApiToken, db: Session, partners: Partners
) -> None:
    token, _ = api_token(Role.AUDITOR)
    headers = {"Authorization": f"Bearer {token}"}
    summary = client.get("/api/v1/intake/quality", headers=headers)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["on"] == clock.today().isoformat()
    assert body["start"] == (clock.today() - timedelta(days=89)).isoformat()
    alpha = next(p for p in body["partners"] if p["partner_id"] == partners.alpha.id)
    assert alpha == {
        "partner_id": partners.alpha.id,
        "partner_code": partners.alpha.code,
        "partner_name": "Alpha Borough Council",
        "rows": 4,
        "rejected": 1,
        "rejected_percent": 25.0,
        "open_held": 0,
        "oldest_held_days": None,
        "decided": 1,
        "median_resolution_days": 0.5,
    }
    assert "rejected_percent" in body["definitions"]
    one = client.get(f"/api/v1/intake/quality/partners/{partners.alpha.id}", headers=headers)
    assert one.status_code == 200, one.text
    report = one.json()
    assert len(report["months"]) == 12
    assert report["total"]["rows"] == 4 and report["total"]["refused"] == 1
    assert report["resolution"] == {"decided": 1, "median_days": 0.5, "p90_days": 0.5}
    assert {c["code"] for c in report["codes"]} == {"nhs.checksum", "person.conflict"}
    assert report["refusals"][0]["code"] == "file.header"
    start = clock.today().replace(day=1) - timedelta(days=40)
    ranged = client.get(
        f"/api/v1/intake/quality/partners/{partners.alpha.id}?from={start.isoformat()}",
        headers=headers,
    )
    assert ranged.json()["start"] == start.isoformat()
    future = (clock.today() + timedelta(days=1)).isoformat()
    refused = client.get(f"/api/v1/intake/quality?on={future}", headers=headers)
    assert refused.status_code == 422


def test_a_partners_token_reaches_its_own_partner_only(
    client: TestClient, db: Session, partners: Partners
) -> None:
    user = make_partner_user(db, partners.beta)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="quality")
    db.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    summary = client.get("/api/v1/intake/quality", headers=headers).json()
    assert [p["partner_id"] for p in summary["partners"]] == [partners.beta.id]
    own = f"/api/v1/intake/quality/partners/{partners.beta.id}"
    assert client.get(own, headers=headers).status_code == 200
    other = f"/api/v1/intake/quality/partners/{partners.alpha.id}"
    assert client.get(other, headers=headers).status_code == 404
