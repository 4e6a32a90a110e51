"""The performance report page: four charts drawn on the server as SVG, each named and
described, with a table of its figures beside it; the totals; the CSV with the same figures;
a refused date."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Role
from tests.sar.test_report import EXPECTED_TOTAL, TODAY, arrange
from tests.web.conftest import SignedIn


@pytest.fixture(autouse=True)
def mid_april() -> Iterator[None]:
    with clock.frozen(TODAY):
        yield


QUERY = "from-day=1&from-month=1&from-year=2026&to-day=31&to-month=3&to-year=2026"


def test_the_page_draws_charts_with_tables_and_the_csv_matches(
    signed_in: SignedIn,
    db: Session,
    keyring: KeyEncryptionKeys,
) -> None:
    arrange(db, keyring)
    db.commit()
    officer, _ = signed_in(Role.IG_OFFICER)

    page = officer.get(f"/sar/report?{QUERY}")

    assert page.status_code == 200
    text = page.text
    assert text.count('role="img"') == 4 and text.count("<desc id=") == 4
    assert 'aria-labelledby="received-by-month-title received-by-month-desc"' in text
    assert "Requests received by month" in text and "<caption" in text
    assert "style=" not in text and "<script>" not in text
    assert "60% (3 of 5)" in text  # the total on time
    assert 'data-testid="by-month"' in text and "January 2026" in text
    assert f"/sar/report.csv?{QUERY}" in text.replace("&amp;", "&")

    download = officer.get(f"/sar/report.csv?{QUERY}")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    total = rows[0]
    assert total["group"] == "total" and total["value"] == "2026-01-01 to 2026-03-31"
    shown = {k: v for k, v in total.items() if k not in ("group", "value")}
    expected = {k: v for k, v in EXPECTED_TOTAL.items() if k != "on_time"}
    assert shown == {k: str(v) for k, v in expected.items()}
    assert [r["value"] for r in rows if r["group"] == "month"] == ["2026-01", "2026-02", "2026-03"]
    parent = next(r for r in rows if r["value"] == "parent")
    assert parent["on_time_percent"] == ""

    bad = officer.get("/sar/report?from-day=31&from-month=2&from-year=2026")
    assert bad.status_code == 422 and "must be a real date" in bad.text
    assert officer.get("/sar/report.csv?from-day=40&from-month=1&from-year=2026").status_code == 422
