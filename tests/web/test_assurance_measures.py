"""The DPO's dashboard, a measure's drill-down and CSV, the catalogue page and its edit form,
and the same over the API: who may see what, only the DPO changes anything, bad input is
refused with a message and changes nothing, hostile strings stay harmless."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.controls import catalogue, service
from steward.assurance.controls.models import CatalogueVersion
from steward.core import auth
from steward.core.permissions import Role
from tests.factories.training import make_course, make_requirement, make_staff
from tests.web.conftest import SignedIn, csrf_from

Token = Callable[[Role], tuple[str, auth.User]]


def _versions(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(CatalogueVersion)) or 0)


def test_the_dpo_home_leads_to_the_dashboard(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    home = client.get("/")
    assert 'data-testid="panel-assurance"' in home.text
    assert 'href="/assurance"' in home.text
    page = client.get("/assurance")
    assert page.status_code == 200
    for area in ("Requests for personal data", "Training and awareness", "Breach management"):
        assert area in page.text
    assert 'data-testid="measure-sar_overdue_open"' in page.text
    # Every measure is computed; one with nothing to count says so, never red.
    assert "Not measured yet" not in page.text and "None to count" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text  # a chart, with its table
    assert not re.findall(r"<script(?![^>]*\bsrc=)", page.text)  # no inline script
    assert 'aria-current="page"' in page.text  # the assurance sub-navigation


def test_a_caseworker_is_refused_and_an_auditor_reads(signed_in: SignedIn) -> None:
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/assurance").status_code == 403
    assert caseworker.get("/assurance/measures/sar_on_time").status_code == 403
    assert caseworker.get("/assurance/catalogue").status_code == 403
    auditor, _ = signed_in(Role.AUDITOR)
    assert auditor.get("/assurance").status_code == 200
    found = auditor.get("/assurance/measures/sar_overdue_open")
    assert found.status_code == 200
    assert 'data-testid="counts-only"' in found.text  # an auditor does not handle requests
    assert "Change the thresholds" not in found.text
    assert auditor.get("/assurance/measures/sar_overdue_open/export.csv").status_code == 403
    catalogue_page = auditor.get("/assurance/catalogue")
    assert catalogue_page.status_code == 200 and "catalogue-form" not in catalogue_page.text


def test_a_drilldown_lists_the_records_and_exports_them_safely(
    signed_in: SignedIn, db: Session
) -> None:
    course = make_course(db, validity_months=12)
    make_requirement(db, course)
    make_staff(db, name="=cmd|' /C calc'!A0")  # never done: not compliant
    make_staff(db, name="<script>alert(1)</script>")
    db.commit()
    client, _ = signed_in(Role.DPO)
    page = client.get("/assurance/measures/training_current")
    assert page.status_code == 200
    assert "of <b>2</b> records" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert "What it counts" in page.text and "not a legal requirement" in page.text
    exported = client.get("/assurance/measures/training_current/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["Staff number", "Name", "Team", "Missing"]
    names = {row[1] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in names  # neutralised: a spreadsheet shows it as text


def test_unknown_and_hostile_keys_are_not_found(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    assert client.get("/assurance/measures/no_such_measure").status_code == 404
    for key in ("..%2F..%2Fetc", "%3Cscript%3E", "=cmd|x"):
        assert client.get(f"/assurance/measures/{key}").status_code in (404, 422)


def test_a_bad_date_is_refused_on_the_page(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    page = client.get("/assurance?as_of-day=31&as_of-month=2&as_of-year=2026")
    assert page.status_code == 422
    assert "must be a real date" in page.text
    future = client.get("/assurance?as_of-day=1&as_of-month=1&as_of-year=2999")
    assert future.status_code == 422 and "cannot be in the future" in future.text


def test_the_dpo_changes_thresholds_and_bad_ones_change_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    token = csrf_from(client, "/assurance/measures/training_current")
    path = "/assurance/measures/training_current/thresholds"
    refused = client.post(path, data={"green": "80", "amber": "90", "csrf_token": token})
    assert refused.status_code == 422 and "amber must be at most green" in refused.text
    refused = client.post(path, data={"green": "<script>", "amber": "1", "csrf_token": token})
    assert refused.status_code == 422 and "&lt;script&gt;" in refused.text
    assert service.thresholds(db)["training_current"] == service.Thresholds(95, 85)
    saved = client.post(path, data={"green": "90", "amber": "75", "csrf_token": token})
    assert saved.status_code == 303
    db.expire_all()
    assert service.thresholds(db)["training_current"] == service.Thresholds(90, 75)
    auditor, _ = signed_in(Role.AUDITOR)
    token = csrf_from(auditor, "/assurance/measures/training_current")
    assert (
        auditor.post(path, data={"green": "1", "amber": "0", "csrf_token": token}).status_code
        == 403
    )


def test_the_dpo_publishes_a_catalogue_from_the_page(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    page = client.get("/assurance/catalogue")
    assert "Leadership and oversight" in page.text and 'data-testid="catalogue-form"' in page.text
    token = csrf_from(client, "/assurance/catalogue")
    data = yaml.safe_load(catalogue.shipped_text())
    data["categories"][0]["expectations"][2]["measure"] = "<script>alert(1)</script>"
    refused = client.post(
        "/assurance/catalogue", data={"catalogue": yaml.safe_dump(data), "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "unknown measure key" in refused.text and "<script>alert" not in refused.text
    assert _versions(db) == 0
    data["categories"][0]["expectations"][2]["measure"] = "audit_actions_overdue"
    data["title"] = "Edited by the DPO"
    published = client.post(
        "/assurance/catalogue",
        data={"catalogue": yaml.safe_dump(data), "note": "First edit", "csrf_token": token},
    )
    assert published.status_code == 303
    assert published.headers["location"] == "/assurance/catalogue?published=1"
    shown = client.get("/assurance/catalogue?published=1")
    assert "Version 1 of the catalogue is now in use" in shown.text
    assert "Edited by the DPO" in shown.text and "First edit" in shown.text
    assert "Edited by the DPO" in client.get("/assurance/catalogue/versions/1").text
    assert client.get("/assurance/catalogue/versions/2").status_code == 404
    ig, _ = signed_in(Role.IG_OFFICER)
    token = csrf_from(ig, "/assurance/catalogue")
    assert (
        ig.post("/assurance/catalogue", data={"catalogue": "x", "csrf_token": token}).status_code
        == 403
    )


def test_api_measures(client: TestClient, api_token: Token, db: Session) -> None:
    secret, _ = api_token(Role.DPO)
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/assurance/measures", headers=headers)
    assert listed.status_code == 200
    body = listed.json()
    assert {"items", "total", "page", "page_size", "next_page"} <= set(body)
    keys = {m["key"]: m for m in body["items"]}
    assert keys["disposals_certified"]["status"] == "none"  # no disposal yet: nothing to count
    one = client.get("/api/v1/assurance/measures/accounts_unused", headers=headers).json()
    assert one["rows_visible"] is True and one["columns"] == ["Username", "Role", "Last signed in"]
    assert client.get("/api/v1/assurance/measures/nope", headers=headers).status_code == 404
    assert (
        client.get("/api/v1/assurance/measures?as_of=2026-02-30", headers=headers).status_code
        == 422
    )
    refused = client.put(
        "/api/v1/assurance/measures/training_current/thresholds",
        json={"green": 50, "amber": 60},
        headers=headers,
    )
    assert refused.status_code == 422
    assert client.put(
        "/api/v1/assurance/measures/training_current/thresholds",
        json={"green": 90, "amber": 60},
        headers=headers,
    ).json() == {"green": 90.0, "amber": 60.0}
    cat = client.get("/api/v1/assurance/catalogue", headers=headers).json()
    assert cat["version"] is None and len(cat["expectations"]) > 20
    refused = client.post(
        "/api/v1/assurance/catalogue", json={"catalogue": "title: x"}, headers=headers
    )
    assert refused.status_code == 422 and _versions(db) == 0
    made = client.post(
        "/api/v1/assurance/catalogue",
        json={"catalogue": cat["source"] + "\n# v2\n", "note": "API"},
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    history = client.get("/api/v1/assurance/catalogue/versions", headers=headers).json()
    assert [v["version"] for v in history["items"]] == [1]


def test_api_need_to_know(client: TestClient, api_token: Token) -> None:
    secret, _ = api_token(Role.AUDITOR)
    headers = {"Authorization": f"Bearer {secret}"}
    one = client.get("/api/v1/assurance/measures/sar_overdue_open", headers=headers).json()
    assert one["rows_visible"] is False and one["rows"] is None
    assert (
        client.post(
            "/api/v1/assurance/catalogue", json={"catalogue": "x"}, headers=headers
        ).status_code
        == 403
    )
    worker, _ = api_token(Role.CASEWORKER)
    assert (
        client.get(
            "/api/v1/assurance/measures", headers={"Authorization": f"Bearer {worker}"}
        ).status_code
        == 403
    )
