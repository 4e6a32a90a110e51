"""The audit, action plan, attestation and self-assessment pages and API: the DPO records an
ICO audit and its recommendations, an owner updates their own action with evidence (nobody
else's), the plan filters and exports safely, attestations show their state, self-assessment
keeps its history."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.audits.models import ActionUpdate, Audit, Recommendation
from steward.core import auth, clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from tests.assurance.audits_helpers import PDF, make_action, make_attestation, make_audit
from tests.factories.core import make_user
from tests.web.conftest import SignedIn, csrf_from


def _date(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _post(
    client: TestClient,
    form_page: str,
    action: str,
    data: dict[str, object],
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> Response:
    token = csrf_from(client, form_page)
    return client.post(action, data={"csrf_token": token, **data}, files=files)


def test_the_dpo_records_an_audit_and_a_recommendation(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    owner = make_user(db, Role.CASEWORKER)
    db.commit()
    today = clock.today()
    response = _post(
        client,
        "/assurance/audits/new",
        "/assurance/audits",
        {
            "title": "ICO data protection audit",
            "kind": "ico",
            "auditor": "Information Commissioner's Office",
            "overall_rating": "reasonable",
            "area-security": "reasonable",
            "area-records_management": "limited",
            **_date("started_on", today - timedelta(days=90)),
            **_date("reported_on", today - timedelta(days=30)),
        },
    )
    assert response.status_code == 303, response.text
    href = response.headers["location"]
    page = client.get(href)
    assert page.status_code == 200
    assert "Reasonable assurance" in page.text and "Limited assurance" in page.text
    audit_id = int(href.rsplit("/", 1)[1])
    added = _post(
        client,
        href,
        f"/assurance/audits/{audit_id}/recommendations",
        {
            "reference": "A1",
            "text": "<script>alert(1)</script> Review access quarterly",
            "priority": "urgent",
            "owner": owner.username,
            "area": "security",
            **_date("agreed_on", today - timedelta(days=1)),
        },
    )
    assert added.status_code == 303, added.text
    page = client.get(href)
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    assert owner.username in page.text
    plan = client.get("/assurance/actions")
    assert plan.status_code == 200 and "Overdue" in plan.text and "1</b> actions" in plan.text


def test_a_bad_audit_is_refused_with_each_field_named_and_nothing_kept(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    response = _post(
        client,
        "/assurance/audits/new",
        "/assurance/audits",
        {
            "title": "",
            "kind": "=cmd|",
            "started_on-day": "31",
            "started_on-month": "2",
            "started_on-year": "2026",
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    for anchor in ("#title", "#kind", "#started_on", "#reported_on", "#areas"):
        assert f'href="{anchor}"' in response.text
    assert db.scalars(select(Audit)).all() == []


def test_an_owner_updates_their_own_action_with_evidence(signed_in: SignedIn, db: Session) -> None:
    client, owner = signed_in(Role.CASEWORKER)
    rec = make_action(db, make_audit(db), owner, agreed_on=clock.today() - timedelta(days=2))
    db.commit()
    mine = client.get("/assurance/actions/mine")
    assert mine.status_code == 200 and f"/assurance/actions/{rec.id}" in mine.text
    page = f"/assurance/actions/{rec.id}"
    assert client.get(page).status_code == 200
    response = _post(
        client,
        page,
        f"{page}/updates",
        {"note": "Quarterly review booked", "status": "in_progress"},
        files={"evidence": ("../../etc/passwd.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303, response.text
    shown = client.get(page)
    assert "Quarterly review booked" in shown.text and "In progress" in shown.text
    update = db.scalars(select(ActionUpdate)).one()
    download = client.get(f"{page}/updates/{update.id}/evidence")
    assert download.status_code == 200 and download.content == PDF
    assert "passwd" not in download.headers["content-disposition"]
    # The caseworker reads their own action, never the plan.
    assert client.get("/assurance/actions").status_code == 403
    assert client.get("/assurance/audits").status_code == 403


def test_nobody_else_may_update_an_action_and_a_bad_file_changes_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    other, _ = signed_in(Role.CASEWORKER)
    auditor, _ = signed_in(Role.AUDITOR)
    owner_client, owner = signed_in(Role.MANAGER)
    rec = make_action(db, make_audit(db), owner)
    db.commit()
    page = f"/assurance/actions/{rec.id}"
    assert other.get(page).status_code == 403
    refused = _post(other, "/assurance/actions/mine", f"{page}/updates", {"note": "Mine"})
    assert refused.status_code == 403
    # The auditor reads the plan and the action but may not update it.
    assert auditor.get(page).status_code == 200
    assert auditor.get("/assurance/actions").status_code == 200
    assert _post(auditor, page, f"{page}/updates", {"note": "x"}).status_code == 403
    bad = _post(
        owner_client,
        page,
        f"{page}/updates",
        {"note": "Done"},
        files={"evidence": ("x.pdf", b"=cmd|' /C calc'!A0", "application/pdf")},
    )
    assert bad.status_code == 422 and "must be a PDF, Word document" in bad.text
    assert db.scalars(select(ActionUpdate)).all() == []


def test_the_plan_filters_and_its_csv_neutralises_formulas(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    owner = make_user(db, Role.CASEWORKER)
    found = make_audit(db, title='=HYPERLINK("http://x")')
    make_action(db, found, owner, priority="low", reference="B2")
    make_action(
        db,
        found,
        owner,
        priority="urgent",
        reference="A1",
        agreed_on=clock.today() - timedelta(days=1),
    )
    db.commit()
    urgent = client.get("/assurance/actions?priority=urgent")
    assert urgent.status_code == 200 and "1</b> actions" in urgent.text
    assert client.get("/assurance/actions?priority=nonsense").status_code == 422
    exported = client.get("/assurance/actions.csv?overdue=yes")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][0] == "Audit" and len(rows) == 2
    assert rows[1][0].startswith("'=") and rows[1][1] == "A1"


def test_attestations_show_their_state_and_refuse_a_bad_document(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    today = clock.today()
    make_attestation(db, keyring, review_on=today - timedelta(days=1), title="Old policy")
    db.commit()
    listing = client.get("/assurance/attestations?state=expired")
    assert listing.status_code == 200 and "Old policy" in listing.text and "Expired" in listing.text
    fields = {
        "title": "Terms of reference",
        "expectation_id": "1.2.3",
        "statement": "The IG board met and approved them.",
        **_date("attested_on", today),
        **_date("review_on", today + timedelta(days=365)),
    }
    bad = _post(
        client,
        "/assurance/attestations/new",
        "/assurance/attestations",
        fields,
        files={"document": ("minutes.exe", b"MZ\x90\x00", "application/pdf")},
    )
    assert bad.status_code == 422 and 'href="#document"' in bad.text
    good = _post(
        client,
        "/assurance/attestations/new",
        "/assurance/attestations",
        fields,
        files={"document": ("minutes.pdf", PDF, "application/pdf")},
    )
    assert good.status_code == 303, good.text
    shown = client.get(good.headers["location"])
    assert "The IG board met" in shown.text and "Current" in shown.text
    assert client.get(good.headers["location"] + "/document").content == PDF


def test_self_assessment_keeps_its_history(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    make_audit(db)
    db.commit()
    page = "/assurance/self-assessment/security"
    for rating, days in (("limited", 30), ("reasonable", 0)):
        response = _post(
            client,
            page,
            page,
            {
                "rating": rating,
                "statement": f"Judged {rating}",
                **_date("assessed_on", clock.today() - timedelta(days=days)),
            },
        )
        assert response.status_code == 303, response.text
    shown = client.get(page)
    assert "Superseded" in shown.text and "Judged limited" in shown.text
    assert "2</b> assessments" in shown.text
    overview = client.get("/assurance/self-assessment")
    assert overview.status_code == 200 and "Reasonable assurance" in overview.text
    # The dashboard shows each area's rating (a person's choice) beside its measures.
    dashboard = client.get("/assurance").text
    security = dashboard.split('data-testid="area-security"')[1].split("</section>")[0]
    assert "Self-assessment: <strong>Reasonable assurance</strong>" in security
    training = dashboard.split('data-testid="area-training"')[1].split("</section>")[0]
    assert "<strong>not yet assessed</strong>" in training
    assert client.get("/assurance/self-assessment/../etc").status_code == 404
    refused = _post(client, page, page, {"rating": "excellent", "statement": ""})
    assert refused.status_code == 422 and 'href="#rating"' in refused.text


def test_the_api_lists_in_the_envelope_and_refuses_a_caseworker(
    client: TestClient, db: Session, api_token: Callable[[Role], tuple[str, auth.User]]
) -> None:
    secret, _ = api_token(Role.AUDITOR)
    caseworker, owner = api_token(Role.CASEWORKER)
    rec = make_action(
        db, make_audit(db), owner, priority="high", agreed_on=clock.today() - timedelta(days=1)
    )
    db.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    listing = client.get("/api/v1/assurance/actions", headers=auth).json()
    assert listing["total"] == 1 and listing["items"][0]["red"] is True
    summary = client.get("/api/v1/assurance/action-plan/summary", headers=auth).json()
    assert summary["red"] == 1
    mine = {"Authorization": f"Bearer {caseworker}"}
    assert client.get("/api/v1/assurance/actions", headers=mine).status_code == 403
    assert client.get("/api/v1/assurance/my-actions", headers=mine).json()["total"] == 1
    posted = client.post(
        f"/api/v1/assurance/actions/{rec.id}/updates",
        headers=mine,
        data={"note": "Done it", "status": "done"},
        files={"evidence": ("e.pdf", PDF, "application/pdf")},
    )
    assert posted.status_code == 201, posted.text
    db.expire_all()
    assert db.get(Recommendation, rec.id).status == "done"  # type: ignore[union-attr]
    summary = client.get("/api/v1/assurance/action-plan/summary", headers=auth).json()
    assert summary["red"] == 0


def test_an_owner_finds_their_open_actions_on_their_home_page(
    signed_in: SignedIn, db: Session
) -> None:
    client, owner = signed_in(Role.CASEWORKER)
    assert 'data-testid="panel-audit-actions"' not in client.get("/").text
    rec = make_action(db, make_audit(db), owner, agreed_on=clock.today() - timedelta(days=1))
    db.commit()
    home = client.get("/")
    assert 'data-testid="panel-audit-actions"' in home.text
    assert f"/assurance/actions/{rec.id}" in home.text and "Overdue" in home.text


def test_an_areas_self_assessment_shows_its_measures_beside_the_rating(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    shown = client.get("/assurance/self-assessment/security").text
    assert 'data-testid="measures"' in shown
    assert 'href="/assurance/measures/accounts_two_factor"' in shown
    assert "Accounts with two-factor sign-in" in shown
    # An area's page lists only that area's measures.
    assert "/assurance/measures/sar_on_time" not in shown
    requests = client.get("/assurance/self-assessment/requests").text
    assert 'href="/assurance/measures/sar_on_time"' in requests
