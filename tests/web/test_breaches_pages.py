"""The breach register on the web and through the API: any member of staff reports from the
footer of every page and follows their own report; the IG team triages, decides and closes
on the register; the auditor reads it; a caseworker sees neither the register nor others'
reports. Refused input shows the form again and changes nothing; hostile text is inert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.breaches.models import Breach
from steward.assurance.breaches.policy import Risk
from steward.core import auth, clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from tests.assurance.breach_helpers import assessed, reported
from tests.factories.core import make_user
from tests.factories.records import make_case
from tests.web.conftest import SignedIn, csrf_from

ApiToken = Callable[[Role], tuple[str, auth.User]]
HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script> ../../etc/passwd"


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Breach)) or 0


def _when(prefix: str, hours_ago: int = 2) -> dict[str, str]:
    local = (clock.now() - timedelta(hours=hours_ago)).astimezone(clock.UK)
    return {
        f"{prefix}-day": str(local.day),
        f"{prefix}-month": str(local.month),
        f"{prefix}-year": str(local.year),
        f"{prefix}-time": f"{local.hour:02d}:{local.minute:02d}",
    }


def test_every_page_offers_staff_a_way_to_report_a_breach(signed_in: SignedIn) -> None:
    for role in (Role.CASEWORKER, Role.ADMIN, Role.AUDITOR):
        client, _ = signed_in(role)
        for path in ("/", "/account", "/training"):
            page = client.get(path)
            assert 'href="/breaches/report"' in page.text, (role, path)
    partner, _ = signed_in(Role.PARTNER)
    assert 'href="/breaches/report"' not in partner.get("/account").text


def test_a_caseworker_reports_and_follows_their_report(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    form = client.get("/breaches/report")
    assert form.status_code == 200 and "What happened?" in form.text
    sent = client.post(
        "/breaches/report",
        data={
            "csrf_token": csrf_from(client, "/breaches/report"),
            "description": HOSTILE,
            "data_involved": "Contact details of a parent",
            "people_affected": "2",
            "reference_text": "FC-1",
            **_when("discovered_at"),
        },
    )
    assert sent.status_code == 303, sent.text
    mine = client.get(sent.headers["location"])
    assert mine.status_code == 200 and "Report sent" in mine.text
    assert "<script>alert(1)</script>" not in mine.text and "&lt;script&gt;" in mine.text
    listed = client.get("/breaches/mine")
    assert "1</b> reports" in listed.text or "of <b>1</b>" in listed.text
    assert "Reported, awaiting triage" in listed.text


def test_a_report_with_missing_answers_is_refused_and_nothing_is_kept(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    before = _count(db)
    refused = client.post(
        "/breaches/report",
        data={
            "csrf_token": csrf_from(client, "/breaches/report"),
            "description": "",
            "discovered_at-day": "31",
            "discovered_at-month": "2",
            "discovered_at-year": "2026",
            "discovered_at-time": "25:00",
            "people_affected": "lots",
        },
    )
    assert refused.status_code == 422
    assert "There is a problem" in refused.text and 'href="#discovered_at"' in refused.text
    assert 'href="#people_affected"' in refused.text
    assert _count(db) == before


def test_a_caseworker_sees_neither_the_register_nor_anothers_report(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    other = reported(db, keyring, make_user(db).actor)
    db.commit()
    assert client.get("/assurance/breaches").status_code == 403
    assert client.get(f"/assurance/breaches/{other.id}").status_code == 403
    assert client.get("/assurance/breaches.csv").status_code == 403
    assert client.get(f"/breaches/mine/{other.id}").status_code == 404


def test_the_officer_triages_and_the_clock_shows(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    breach = reported(db, keyring, make_user(db).actor)
    db.commit()
    register = client.get("/assurance/breaches")
    assert register.status_code == 200 and breach.reference in register.text
    assert "Not started" in register.text
    csrf = csrf_from(client, f"/assurance/breaches/{breach.id}")
    saved = client.post(
        f"/assurance/breaches/{breach.id}/assessment",
        data={
            "csrf_token": csrf,
            "kind": "incident",
            "categories": ["children", "=cmd"],
            "people_affected": "3",
            "cause": "Wrong address",
            "containment": "Recalled",
            "risk": "high",
            **_when("aware_at", hours_ago=1),
        },
    )
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"])
    assert "The assessment has been saved" in page.text
    assert "hours" in page.text and "left (ICO to be told by" in page.text
    assert "Information about children" in page.text
    # Closing a high-risk breach without the individuals' decision is refused.
    refused = client.post(
        f"/assurance/breaches/{breach.id}/close", data={"csrf_token": csrf, "lessons": "x"}
    )
    assert refused.status_code == 422
    assert "telling the people affected" in refused.text
    db.refresh(breach)
    assert breach.status == "assessing"
    # A decision not to tell the ICO, for a high risk, is refused with the field named.
    ico = client.post(
        f"/assurance/breaches/{breach.id}/ico",
        data={"csrf_token": csrf, "decision": "not_notified", "reason": ""},
    )
    assert ico.status_code == 422 and 'href="#reason"' in ico.text
    people = client.post(
        f"/assurance/breaches/{breach.id}/people",
        data={"csrf_token": csrf, "people_decision": "not_told", "people_reason": ""},
    )
    assert people.status_code == 422 and 'href="#people_reason"' in people.text
    csv = client.get("/assurance/breaches.csv?status=open")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert breach.reference in csv.text and "Wrong address" not in csv.text


def test_the_auditor_reads_the_register_without_the_forms(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.AUDITOR)
    officer = make_user(db, Role.IG_OFFICER).actor
    breach = assessed(db, keyring, officer, reported(db, keyring, make_user(db).actor))
    db.commit()
    page = client.get(f"/assurance/breaches/{breach.id}")
    assert page.status_code == 200
    assert "Save the assessment" not in page.text and "Court report" not in page.text
    assert "shown to the information governance team only" in page.text
    csrf = csrf_from(client, "/account")
    assert (
        client.post(
            f"/assurance/breaches/{breach.id}/close", data={"csrf_token": csrf, "lessons": "x"}
        ).status_code
        == 403
    )


def test_the_home_page_shows_open_clocks_to_the_ig_team(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    officer = make_user(db, Role.IG_OFFICER).actor
    breach = assessed(
        db, keyring, officer, reported(db, keyring, make_user(db).actor), risk=Risk.RISK
    )
    db.commit()
    home = client.get("/")
    assert 'data-testid="panel-breaches"' in home.text and breach.reference in home.text
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert 'data-testid="panel-breaches"' not in caseworker.get("/").text


def test_the_api_reports_triages_and_refuses_closure(
    app: FastAPI, api_token: ApiToken, db: Session
) -> None:
    staff, _ = api_token(Role.CASEWORKER)
    officer, _ = api_token(Role.IG_OFFICER)
    auditor, _ = api_token(Role.AUDITOR)
    with TestClient(app, base_url="http://testserver") as c:
        made = c.post(
            "/api/v1/breaches",
            json={
                "description": "Lost a bag of files",
                "discovered_at": (clock.now() - timedelta(hours=3)).isoformat(),
                "data_involved": "Case papers",
                "people_affected": 4,
            },
            headers={"Authorization": f"Bearer {staff}"},
        )
        assert made.status_code == 201, made.text
        breach_id = made.json()["id"]
        mine = c.get("/api/v1/breaches/mine", headers={"Authorization": f"Bearer {staff}"})
        assert mine.json()["total"] == 1
        assert (
            c.get("/api/v1/assurance/breaches", headers={"Authorization": f"Bearer {staff}"})
        ).status_code == 403
        officer_h = {"Authorization": f"Bearer {officer}"}
        assessed_ = c.post(
            f"/api/v1/assurance/breaches/{breach_id}/assessment",
            json={
                "kind": "incident",
                "aware_at": (clock.now() - timedelta(hours=2)).isoformat(),
                "data_categories": ["case_records"],
                "people_affected": 4,
                "cause": "Left on a train",
                "containment": "Reported to transport police",
                "risk": "high",
            },
            headers=officer_h,
        )
        assert assessed_.status_code == 200, assessed_.text
        assert assessed_.json()["clock"]["state"] == "running"
        assert assessed_.json()["clock"]["hours"] in (69, 70)  # 72 hours less 2, less seconds
        closing = c.post(
            f"/api/v1/assurance/breaches/{breach_id}/close",
            json={"lessons": "Lockable bags"},
            headers=officer_h,
        )
        assert closing.status_code == 422 and "ico" in closing.json()["errors"]
        listed = c.get("/api/v1/assurance/breaches?clock=running", headers=officer_h)
        assert listed.status_code == 200 and listed.json()["total"] >= 1
        audit_h = {"Authorization": f"Bearer {auditor}"}
        read = c.get(f"/api/v1/assurance/breaches/{breach_id}", headers=audit_h)
        assert read.status_code == 200 and "Left on a train" not in read.text
        summary = c.get("/api/v1/assurance/breaches/summary", headers=audit_h)
        assert summary.status_code == 200 and summary.json()["overdue_now"] >= 0
        assert (
            c.post(
                f"/api/v1/assurance/breaches/{breach_id}/close",
                json={"lessons": "x"},
                headers=audit_h,
            ).status_code
            == 403
        )


def test_the_register_counts_filters_and_refuses_a_bad_filter(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    officer = make_user(db, Role.IG_OFFICER).actor
    reporter = make_user(db).actor
    with clock.frozen(clock.now() - timedelta(days=5)):
        overdue = assessed(db, keyring, officer, reported(db, keyring, reporter))
    fresh = reported(db, keyring, reporter, description=HOSTILE)
    db.commit()
    page = client.get("/assurance/breaches?clock=overdue")
    assert page.status_code == 200 and "breaches" in page.text
    assert overdue.reference in page.text and fresh.reference not in page.text
    assert 'data-clock="overdue"' in page.text and "Overdue by" in page.text
    assert 'href="/assurance/breaches.csv?clock=overdue"' in page.text
    assert client.get("/assurance/breaches?status=%3Dcmd%7C").status_code == 422
    detail = client.get(f"/assurance/breaches/{fresh.id}")
    assert "<script>alert(1)</script>" not in detail.text and "&lt;script&gt;" in detail.text


def test_the_officer_links_a_case_by_its_number(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:

    client, _ = signed_in(Role.IG_OFFICER)
    case = make_case(db, keyring)
    breach = reported(db, keyring, make_user(db).actor)
    db.commit()
    csrf = csrf_from(client, f"/assurance/breaches/{breach.id}")
    missing = client.post(
        f"/assurance/breaches/{breach.id}/links",
        data={"csrf_token": csrf, "case_number": "../../etc"},
    )
    assert missing.status_code == 422 and 'href="#case_number"' in missing.text
    added = client.post(
        f"/assurance/breaches/{breach.id}/links",
        data={"csrf_token": csrf, "case_number": case.case_number},
    )
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert f'href="/cases/{case.id}"' in page.text and case.case_number in page.text
