"""The partner register's pages and API: kept by the IG officer and the DPO, read by a partner
account for its own organisation only, and closed to everyone else."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.core.permissions import Actor, Role
from steward.intake.models import Agreement, Partner, PartnerContact, PartnerUser
from steward.intake.service import contacts
from tests.factories.core import make_user
from tests.factories.intake import make_agreement, make_partner, make_partner_user
from tests.web.conftest import SignedIn, csrf_from, sign_in

ApiToken = Callable[[Role], tuple[str, auth.User]]
HOSTILE = '<script>alert("x")</script>'
STAFF = [Role.IG_OFFICER, Role.DPO]


def _post(client: TestClient, path: str, data: dict[str, object]) -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_from(client, "/"), **data})


def _date(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --- the register, as the IG officer and the DPO keep it ------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_the_list_counts_pages_filters_and_escapes(
    signed_in: SignedIn, db: Session, role: Role
) -> None:
    for n in range(52):
        make_partner(db, code=f"PG-{n:02d}", name=f"Paged Council {n:02d}")
    hostile = make_partner(db, code="CT-HOSTILE", name=HOSTILE, kind="court")
    db.commit()
    client, _ = signed_in(role)
    first = client.get("/intake/partners?q=paged")
    assert first.status_code == 200
    assert "Showing <b>1</b> to <b>50</b> of <b>52</b> partners" in first.text
    assert 'href="/intake/partners?q=paged&amp;page=2"' in first.text
    second = client.get("/intake/partners?q=paged&page=2")
    assert "Paged Council 51" in second.text and "Paged Council 00" not in second.text
    courts = client.get("/intake/partners?kind=court")
    assert "of <b>1</b> partners" in courts.text
    assert HOSTILE not in courts.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in courts.text
    assert f'href="/intake/partners/{hostile.id}"' in courts.text
    assert client.get("/intake/partners?kind=parish").status_code == 422
    assert client.get("/intake/partners?active=no").text.count('data-testid="row"') == 0
    # The menu's "Partner data" leads to its pages, this one a tab of them.
    assert 'href="/intake/submissions"' in client.get("/").text
    assert 'href="/intake/partners"' in client.get("/intake/submissions").text


def test_adding_a_partner_from_its_form(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    assert client.get("/intake/partners/new").status_code == 200
    made = _post(
        client, "/intake/partners/new", {"code": "la-barset", "name": "Barset", "kind": "court"}
    )
    assert made.status_code == 303
    partner = db.scalars(select(Partner).where(Partner.code == "LA-BARSET")).one()
    assert made.headers["location"] == f"/intake/partners/{partner.id}"
    again = _post(
        client, "/intake/partners/new", {"code": "LA-BARSET", "name": "Again", "kind": "court"}
    )
    assert again.status_code == 409
    assert '<a href="#code">A partner already has this code.</a>' in again.text
    assert "<title>Error: " in again.text
    empty = _post(client, "/intake/partners/new", {"code": "", "name": "", "kind": ""})
    assert empty.status_code == 422
    for field in ("code", "name"):
        assert f'href="#{field}"' in empty.text


def test_changing_a_partner_from_its_form(signed_in: SignedIn, db: Session) -> None:
    partner = make_partner(db, name="Old name")
    db.commit()
    client, _ = signed_in(Role.DPO)
    form = client.get(f"/intake/partners/{partner.id}/edit")
    assert form.status_code == 200 and 'value="Old name"' in form.text
    changed = _post(
        client,
        f"/intake/partners/{partner.id}/edit",
        {"name": HOSTILE, "kind": "health", "active": "no"},
    )
    assert changed.status_code == 303
    db.refresh(partner)
    assert (partner.name, partner.kind, partner.active) == (HOSTILE, "health", False)
    page = client.get(f"/intake/partners/{partner.id}")
    assert HOSTILE not in page.text and 'data-testid="inactive"' in page.text
    refused = _post(
        client, f"/intake/partners/{partner.id}/edit", {"name": "", "kind": "x", "active": ""}
    )
    assert refused.status_code == 422


def test_the_partner_page_shows_agreements_contacts_and_accounts(
    signed_in: SignedIn, db: Session
) -> None:
    partner = make_partner(db, name="Barsetshire County Council")
    in_force = make_agreement(db, partner, dataset_names=["party_details"])
    ended = make_agreement(db, partner, dataset_names=["court_orders"], ends_on=date(2021, 3, 31))
    contacts.add_contact(
        db,
        Actor.system(),
        partner.id,
        name=HOSTILE,
        email="data@barset.gov.uk",
        job_title="Data manager",
    )
    linked = make_partner_user(db, partner, username="barset-sender")
    waiting = make_user(db, Role.PARTNER, username="new-sender")
    make_user(db, Role.CASEWORKER, username="not-a-partner")
    db.commit()
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get(f"/intake/partners/{partner.id}")
    assert page.status_code == 200
    text = page.text
    in_force_table = text[text.index('data-testid="in-force"') : text.index('data-testid="ended"')]
    assert in_force.reference in in_force_table and "Party details" in in_force_table
    assert ended.reference in text[text.index('data-testid="ended"') :]
    assert "Court order notifications" in text
    assert HOSTILE not in text and "data@barset.gov.uk" in text
    assert "barset-sender" in text
    # Accounts are chosen by username, never by id; only partner accounts linked to none.
    assert '<option value="new-sender">new-sender</option>' in text
    assert f'value="{waiting.id}"' not in text and "not-a-partner" not in text
    assert linked.username not in re.findall(r'<option value="([^"]+)"', text)


def test_contacts_are_added_and_removed_from_the_partner_page(
    signed_in: SignedIn, db: Session
) -> None:
    partner = make_partner(db)
    db.commit()
    client, _ = signed_in(Role.IG_OFFICER)
    path = f"/intake/partners/{partner.id}/contacts"
    bad = _post(client, path, {"contact_name": "Sam", "contact_email": "sam at barset"})
    assert bad.status_code == 422
    assert 'href="#contact_email"' in bad.text and 'id="contact_email"' in bad.text
    assert 'value="Sam"' in bad.text
    good = _post(
        client,
        path,
        {
            "contact_name": "Sam Jones",
            "contact_email": "sam@barset.gov.uk",
            "receives_notices": "yes",
        },
    )
    assert good.status_code == 303
    contact = db.scalars(
        select(PartnerContact).where(PartnerContact.partner_id == partner.id)
    ).one()
    assert (contact.name, contact.receives_notices) == ("Sam Jones", True)
    contact_id = contact.id
    removed = _post(client, f"{path}/{contact_id}/remove", {})
    assert removed.status_code == 303
    db.expire_all()
    assert db.get(PartnerContact, contact_id) is None
    assert _post(client, f"{path}/{contact_id}/remove", {}).status_code == 404


def test_accounts_are_linked_by_username_and_unlinked(signed_in: SignedIn, db: Session) -> None:
    partner, other = make_partner(db), make_partner(db)
    user = make_user(db, Role.PARTNER, username="la-sender")
    taken = make_partner_user(db, other, username="other-sender")
    db.commit()
    client, _ = signed_in(Role.IG_OFFICER)
    path = f"/intake/partners/{partner.id}/accounts"
    assert _post(client, path, {"username": "la-sender"}).status_code == 303
    assert db.get(PartnerUser, user.id) is not None
    conflict = _post(client, path, {"username": taken.username})
    assert conflict.status_code == 409
    assert "already submits for another partner" in conflict.text
    assert _post(client, path, {"username": ""}).status_code == 422
    unlinked = _post(client, f"{path}/unlink", {"username": "la-sender"})
    assert unlinked.status_code == 303
    db.expire_all()
    assert db.get(PartnerUser, user.id) is None
    assert _post(client, f"{path}/unlink", {"username": "la-sender"}).status_code == 422


def test_recording_and_ending_an_agreement_from_their_forms(
    signed_in: SignedIn, db: Session
) -> None:
    partner = make_partner(db)
    db.commit()
    client, _ = signed_in(Role.DPO)
    path = f"/intake/partners/{partner.id}/agreements/new"
    form = client.get(path)
    assert form.status_code == 200
    for expected in (
        'name="datasets" type="checkbox" value="party_details"',
        'id="lawful_basis"',
        'name="starts_on-day"',
        'name="ends_on-year"',
    ):
        assert expected in form.text
    answers: dict[str, object] = {
        "reference": "DSA-2026-001",
        "title": "Sharing with the council",
        "lawful_basis": "public_task",
        "statutory_power": "Children Act 1989, s.7",
        "datasets": ["party_details", "court_orders"],
        "retention_months": "12",
        **_date("starts_on", date(2025, 4, 1)),
    }
    bad = _post(client, path, {**answers, "datasets": [], "starts_on-month": "13"})
    assert bad.status_code == 422
    assert 'href="#starts_on"' in bad.text
    refused = _post(client, path, {**answers, "datasets": [], "lawful_basis": "whim"})
    assert refused.status_code == 422
    assert 'href="#datasets"' in refused.text and 'href="#lawful_basis"' in refused.text
    assert db.scalars(select(Agreement).where(Agreement.partner_id == partner.id)).all() == []
    made = _post(client, path, answers)
    assert made.status_code == 303
    agreement = db.scalars(select(Agreement).where(Agreement.partner_id == partner.id)).one()
    assert (agreement.lawful_basis, agreement.ends_on) == ("public_task", None)

    end = f"/intake/agreements/{agreement.id}/end"
    assert client.get(end).status_code == 200
    past = _post(client, end, _date("ends_on", clock.today() - timedelta(days=1)))
    assert past.status_code == 422
    today = clock.today()
    assert _post(client, end, _date("ends_on", today)).status_code == 303
    db.refresh(agreement)
    assert agreement.ends_on == today
    later = _post(client, end, _date("ends_on", today + timedelta(days=30)))
    assert later.status_code == 409
    assert 'href="#ends_on"' in later.text


# --- a partner account: its own organisation only --------------------------------------------


def test_a_partner_account_sees_its_own_organisation_and_what_it_may_send(
    app: FastAPI, db: Session
) -> None:
    own = make_partner(db, name=HOSTILE)
    other = make_partner(db, name="Another Council")
    make_agreement(db, own, dataset_names=["safeguarding_checks"])
    make_agreement(db, own, dataset_names=["court_orders"], ends_on=date(2021, 1, 1))
    make_agreement(db, other, dataset_names=["party_details"])
    user = make_partner_user(db, own)
    db.commit()
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    sign_in(client, user.username)
    home = client.get("/")
    assert 'href="/intake/organisation"' in home.text and 'href="/intake/partners"' not in home.text
    page = client.get("/intake/organisation")
    assert page.status_code == 200
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    assert "Safeguarding check results" in page.text
    assert 'href="/intake/datasets/safeguarding_checks/template.csv"' in page.text
    assert "court_orders/template.csv" not in page.text and "Another Council" not in page.text
    sets = client.get("/intake/datasets")
    assert sets.text.count('data-testid="dataset"') == 1
    assert 'data-testid="opinion"' in sets.text  # the professional view is opinion
    template = client.get("/intake/datasets/safeguarding_checks/template.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert "attachment" in template.headers["content-disposition"]
    assert next(csv.reader(io.StringIO(template.text))) == [
        "case_number",
        "first_name",
        "last_name",
        "date_of_birth",
        "check_type",
        "outcome",
        "checked_on",
        "professional_view",
    ]
    assert client.get("/intake/datasets/party_details/template.csv").status_code == 404
    assert client.get("/intake/datasets/court_orders/template.csv").status_code == 404
    for path in (
        "/intake/partners",
        f"/intake/partners/{own.id}",
        f"/intake/partners/{other.id}",
        "/intake/partners/new",
        f"/intake/partners/{own.id}/agreements/new",
    ):
        assert client.get(path).status_code == 403, path
    client.close()


def test_an_unlinked_partner_account_is_told_to_ask(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.PARTNER)
    page = client.get("/intake/organisation")
    assert page.status_code == 200 and 'data-testid="not-linked"' in page.text
    assert 'data-testid="no-datasets"' in client.get("/intake/datasets").text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.ADMIN, Role.AUDITOR])
def test_everyone_else_is_refused(signed_in: SignedIn, db: Session, role: Role) -> None:
    partner = make_partner(db)
    agreement = make_agreement(db, partner)
    db.commit()
    client, _ = signed_in(role)
    for path in (
        "/intake/partners",
        f"/intake/partners/{partner.id}",
        "/intake/organisation",
        "/intake/datasets",
        "/intake/datasets/party_details/template.csv",
        f"/intake/agreements/{agreement.id}/end",
    ):
        assert client.get(path).status_code == 403, path
    assert (
        _post(
            client, "/intake/partners/new", {"code": "X", "name": "X", "kind": "court"}
        ).status_code
        == 403
    )
    assert 'href="/intake/partners"' not in client.get("/").text


# --- the API ---------------------------------------------------------------------------------


def test_the_api_keeps_the_register(client: TestClient, api_token: ApiToken, db: Session) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    sender = make_user(db, Role.PARTNER, username="api-sender")
    db.commit()
    h = _bearer(secret)
    made = client.post(
        "/api/v1/intake/partners",
        json={"code": "pf-west", "name": "West Police", "kind": "police"},
        headers=h,
    )
    assert made.status_code == 201, made.text
    partner_id = made.json()["id"]
    assert made.json()["code"] == "PF-WEST"
    assert (
        client.post(
            "/api/v1/intake/partners",
            json={"code": "PF-WEST", "name": "x", "kind": "police"},
            headers=h,
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/intake/partners",
            json={"code": "X", "name": "x", "kind": "police", "id": 9},
            headers=h,
        ).status_code
        == 422
    )
    listed = client.get("/api/v1/intake/partners?kind=police", headers=h).json()
    assert listed["total"] == 1 and listed["items"][0]["agreements_in_force"] == 0
    changed = client.patch(
        f"/api/v1/intake/partners/{partner_id}", json={"name": "West Mercia Police"}, headers=h
    )
    assert changed.json()["name"] == "West Mercia Police"
    contact = client.post(
        f"/api/v1/intake/partners/{partner_id}/contacts",
        json={"name": "Pat", "email": "pat@police.example.org"},
        headers=h,
    )
    assert contact.status_code == 201 and contact.json()["receives_notices"] is True
    assert (
        client.post(
            f"/api/v1/intake/partners/{partner_id}/contacts",
            json={"name": "Pat", "email": "pat"},
            headers=h,
        ).status_code
        == 422
    )
    linked = client.post(
        f"/api/v1/intake/partners/{partner_id}/accounts", json={"username": "api-sender"}, headers=h
    )
    assert linked.status_code == 201 and linked.json() == {"username": "api-sender", "active": True}
    agreement = client.post(
        f"/api/v1/intake/partners/{partner_id}/agreements",
        json={
            "reference": "DSA-API-1",
            "lawful_basis": "public_task",
            "statutory_power": "Children Act 2004, s.11",
            "datasets": ["safeguarding_checks"],
            "retention_months": 24,
            "starts_on": "2025-01-01",
        },
        headers=h,
    )
    assert agreement.status_code == 201, agreement.text
    assert agreement.json()["state"] == "in_force" and agreement.json()["title"] == "DSA-API-1"
    detail = client.get(f"/api/v1/intake/partners/{partner_id}", headers=h).json()
    assert [a["reference"] for a in detail["agreements"]] == ["DSA-API-1"]
    assert [c["name"] for c in detail["contacts"]] == ["Pat"]
    assert [a["username"] for a in detail["accounts"]] == ["api-sender"]
    ended = client.post(
        f"/api/v1/intake/agreements/{agreement.json()['id']}/end",
        json={"ends_on": clock.today().isoformat()},
        headers=h,
    )
    assert ended.status_code == 200 and ended.json()["ends_on"] == clock.today().isoformat()
    assert (
        client.post(
            f"/api/v1/intake/agreements/{agreement.json()['id']}/end",
            json={"ends_on": (clock.today() + timedelta(days=9)).isoformat()},
            headers=h,
        ).status_code
        == 409
    )
    assert (
        client.delete(
            f"/api/v1/intake/partners/{partner_id}/contacts/{contact.json()['id']}", headers=h
        ).status_code
        == 204
    )
    assert (
        client.post(
            f"/api/v1/intake/partners/{partner_id}/accounts/unlink",
            json={"username": "api-sender"},
            headers=h,
        ).status_code
        == 204
    )
    assert db.get(PartnerUser, sender.id) is None
    sets = client.get("/api/v1/intake/datasets", headers=h).json()["items"]
    assert [s["name"] for s in sets] == ["court_orders", "party_details", "safeguarding_checks"]
    view = next(f for f in sets[2]["fields"] if f["name"] == "professional_view")
    assert view["opinion"] is True
    outcome = next(f for f in sets[2]["fields"] if f["name"] == "outcome")
    assert outcome["allowed_values"] == [
        "no_information",
        "information_held",
        "concerns_identified",
    ]
    template = client.get(sets[1]["template_url"], headers=h)
    assert template.status_code == 200 and template.text.startswith("case_number,role,first_name,")


def test_the_api_gives_a_partner_account_its_own_organisation_only(
    client: TestClient, db: Session
) -> None:
    own, other = make_partner(db), make_partner(db)
    make_agreement(db, own, dataset_names=["court_orders"])
    make_agreement(db, other)
    user = make_partner_user(db, own)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="test")
    db.commit()
    h = _bearer(secret)
    mine = client.get("/api/v1/intake/organisation", headers=h).json()
    assert mine["partner"]["code"] == own.code
    assert [d["name"] for d in mine["datasets"]] == ["court_orders"]
    assert [
        a["datasets"]
        for a in client.get(f"/api/v1/intake/partners/{own.id}/agreements", headers=h).json()[
            "items"
        ]
    ] == [["court_orders"]]
    assert (
        client.get(f"/api/v1/intake/partners/{other.id}/agreements", headers=h).status_code == 404
    )
    assert [
        d["name"] for d in client.get("/api/v1/intake/datasets", headers=h).json()["items"]
    ] == ["court_orders"]
    assert (
        client.get("/api/v1/intake/datasets/party_details/template.csv", headers=h).status_code
        == 404
    )
    for method, path in (
        ("GET", "/api/v1/intake/partners"),
        ("GET", f"/api/v1/intake/partners/{own.id}"),
        ("POST", f"/api/v1/intake/partners/{own.id}/agreements"),
    ):
        assert client.request(method, path, headers=h, json={}).status_code == 403, path


def test_the_api_refuses_a_caseworker(client: TestClient, api_token: ApiToken, db: Session) -> None:
    partner = make_partner(db)
    db.commit()
    secret, _ = api_token(Role.CASEWORKER)
    h = _bearer(secret)
    for path in (
        "/api/v1/intake/partners",
        f"/api/v1/intake/partners/{partner.id}",
        f"/api/v1/intake/partners/{partner.id}/agreements",
        "/api/v1/intake/datasets",
        "/api/v1/intake/organisation",
    ):
        assert client.get(path, headers=h).status_code == 403, path
