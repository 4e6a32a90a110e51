"""The DPO's compliance dashboard, its drill-downs, the CSV and the API, through the app."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.permissions import Role
from steward.training.models import Course
from steward.training.policy import EmploymentType
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.web.conftest import SignedIn

AS_OF = "as_of-day=1&as_of-month=6&as_of-year=2026"


def _workforce(db: Session, people: int = 3) -> Course:
    course = make_course(db, code="DP-REFRESH", title="Data protection refresher")
    make_requirement(db, course)
    trained = make_staff(db, name="Ada Trained", team="North")
    complete(db, trained, course, date(2026, 1, 5))
    for n in range(people):
        make_staff(db, name=f"Untrained {n:02d}", team="South", staff_number=f"U{n:03d}")
    make_staff(
        db,
        name='=HYPERLINK("http://evil")',
        team="+Team",
        staff_number="@X1",
        employment_type=EmploymentType.CONTRACTOR,
    )
    return course


def test_the_dpo_sees_the_figure_against_the_target_with_charts_and_tables(
    signed_in: SignedIn, db: Session
) -> None:
    _workforce(db)
    client, _ = signed_in(Role.DPO)
    db.commit()
    page = client.get(f"/training/dashboard?{AS_OF}")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-testid="headline-percent">20% compliant' in html
    assert "1 of 5 staff" in html
    assert "The organisation&#39;s target (its own choice, not a legal requirement)" in html
    assert "Not met" in html
    for chart in ("over-time", "by-team", "by-topic", "by-employment-type"):
        assert f'data-testid="chart-{chart}"' in html
        assert f'data-testid="table-{chart}"' in html
    assert html.count('role="img"') == 4
    assert "style=" not in html and "<script>" not in html
    assert "Staff in scope who are compliant" in html  # the definition beside the figure
    assert "Showing <b>1</b> to <b>4</b> of <b>4</b> staff not compliant" in html
    assert "/training/dashboard/team?as_of-day=1&amp;as_of-month=6&amp;as_of-year=2026" in html


def test_the_list_of_those_not_compliant_pages(signed_in: SignedIn, db: Session) -> None:
    _workforce(db, people=30)
    client, _ = signed_in(Role.IG_OFFICER)
    db.commit()
    first = client.get(f"/training/dashboard?{AS_OF}").text
    assert "Showing <b>1</b> to <b>25</b> of <b>31</b> staff not compliant" in first
    second = client.get(f"/training/dashboard?{AS_OF}&page=2").text
    assert "Showing <b>26</b> to <b>31</b> of <b>31</b> staff not compliant" in second
    assert "Untrained 29" in second and "Untrained 00" not in second


def test_a_date_that_is_not_a_date_is_refused_on_the_page(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    page = client.get("/training/dashboard?as_of-day=31&as_of-month=2&as_of-year=2026")
    assert page.status_code == 422
    assert "govuk-error-summary" in page.text
    assert "The date to report on must be a real date" in page.text
    far = client.get("/training/dashboard?as_of-day=1&as_of-month=1&as_of-year=1990")
    assert far.status_code == 422


def test_a_team_and_a_course_drill_down(signed_in: SignedIn, db: Session) -> None:
    course = _workforce(db)
    client, _ = signed_in(Role.DPO)
    db.commit()
    team = client.get(f"/training/dashboard/team?{AS_OF}&team=South")
    assert team.status_code == 200
    assert team.text.count('data-testid="person"') == 3
    assert "Not compliant" in team.text and "Ada Trained" not in team.text
    nobody = client.get(f"/training/dashboard/team?{AS_OF}&team=Nowhere")
    assert nobody.status_code == 404
    gaps = client.get(f"/training/dashboard/courses/{course.id}?{AS_OF}")
    assert gaps.status_code == 200
    assert "Showing <b>1</b> to <b>4</b> of <b>4</b> staff overdue or never done" in gaps.text
    assert "Ada Trained" not in gaps.text
    assert client.get(f"/training/dashboard/courses/999999?{AS_OF}").status_code == 404


def test_the_csv_neutralises_formulas(signed_in: SignedIn, db: Session) -> None:
    _workforce(db)
    client, _ = signed_in(Role.DPO)
    db.commit()
    response = client.get(f"/training/dashboard.csv?{AS_OF}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["staff_number", "name", "team", "employment_type", "standing"]
    assert len(rows) == 1 + 5
    hostile = next(r for r in rows if "HYPERLINK" in r[1])
    assert hostile[:3] == ["'@X1", '\'=HYPERLINK("http://evil")', "'+Team"]
    assert hostile[9] == "never_done"
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_a_manager_sees_their_own_people_and_says_so(signed_in: SignedIn, db: Session) -> None:
    _workforce(db)
    client, user = signed_in(Role.MANAGER)
    me = make_staff(db, name="Mo Manager", team="North", user_id=user.id)
    make_staff(db, name="Rae Report", team="North", manager=me)
    db.commit()
    html = client.get(f"/training/dashboard?{AS_OF}").text
    assert 'data-testid="scope"' in html
    assert "Rae Report" in html
    assert "Untrained 00" not in html and "Ada Trained" not in html
    assert "0% compliant" in html
    home = client.get("/").text
    assert "Training of the people who report to you" in home


def test_the_dpo_home_page_links_to_the_dashboard(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    home = client.get("/").text
    assert re.search(r'data-testid="panel-training".*?href="/training/dashboard"', home, re.S)
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert "/training/dashboard" not in caseworker.get("/").text
    assert caseworker.get("/training/dashboard").status_code == 403


def test_the_api_gives_the_same_report(
    api_token: Callable[[Role], tuple[str, auth.User]], client: object, db: Session
) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    _workforce(db)
    token, _ = api_token(Role.DPO)
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/training/report?as_of=2026-06-01", headers=headers).json()
    assert body["organisation"]["percent"] == 20.0
    assert body["target"]["label"].endswith("not a legal requirement)")
    assert {t["team"] for t in body["teams"]} == {"North", "South", "+Team"}
    assert len(body["non_compliant"]) == 4
    assert body["non_compliant"][0]["missing"][0]["course_code"] == "DP-REFRESH"
    bad = client.get("/api/v1/training/report?as_of=2026-02-30", headers=headers)
    assert bad.status_code == 422
    no_trend = client.get(
        "/api/v1/training/report?as_of=2026-06-01&trend=false", headers=headers
    ).json()
    assert no_trend["trend"] == []
    caseworker, _ = api_token(Role.CASEWORKER)
    db.commit()
    refused = client.get(
        "/api/v1/training/report", headers={"Authorization": f"Bearer {caseworker}"}
    )
    assert refused.status_code == 403
