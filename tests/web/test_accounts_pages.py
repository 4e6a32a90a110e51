"""Issue 9, accounts through the pages and the API: an administrator cannot make a DPO alone,
the DPO's and the administrator's home show what needs them, CSRF tokens are bound to the
session, GET /account/two-factor changes nothing, required two-factor sign-in is enforced,
production sends HSTS and __Host- cookies, and a new token shows when it expires."""

from __future__ import annotations

import re

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth
from steward.core.audit import AuditEvent, EventTag
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.records import service as records
from steward.web.app import create_app
from tests.factories.core import DEFAULT_PASSWORD, make_user
from tests.factories.records import make_case
from tests.web.conftest import SignedIn, csrf_from, sign_in


def _api(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_creating_a_dpo_through_the_api_cannot_sign_in_as_it_until_a_dpo_approves(
    app: FastAPI,
    db: Session,
    api_token,
    signed_in: SignedIn,  # type: ignore[no-untyped-def]
) -> None:
    admin_token, _ = api_token(Role.ADMIN)
    created = TestClient(app).post(
        "/api/v1/users",
        json={"username": "sock.puppet", "role": "dpo", "password": DEFAULT_PASSWORD},
        headers=_api(admin_token),
    )
    assert created.status_code == 201 and created.json()["role_approved"] is False

    puppet = TestClient(app, follow_redirects=False)
    response = puppet.post(
        "/sign-in",
        data={
            "username": "sock.puppet",
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_from(puppet),
        },
    )
    assert response.status_code == 400 and "waiting for a second person" in response.text
    assert puppet.get("/audit").status_code == 303  # not signed in

    dpo_client, _ = signed_in(Role.DPO)
    home = dpo_client.get("/")
    assert "Role grants awaiting your approval (1)" in home.text
    assert "sock.puppet: dpo" in home.text and 'href="/role-grants"' in home.text
    page = dpo_client.get("/role-grants")
    grant_id = re.search(r'action="/role-grants/(\d+)/approve"', page.text)
    assert grant_id is not None
    approved = dpo_client.post(
        f"/role-grants/{grant_id.group(1)}/approve",
        data={"csrf_token": csrf_from(dpo_client, "/role-grants")},
    )
    assert approved.status_code == 303
    sign_in(puppet, "sock.puppet")
    assert puppet.get("/audit").status_code == 200
    db.expire_all()
    tags = db.scalars(select(AuditEvent.tag).where(AuditEvent.subject_type == "user")).all()
    assert EventTag.ROLE_GRANT_APPROVED in tags


def test_the_admin_changes_a_role_from_the_users_page(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.ADMIN)
    worker = make_user(db, Role.CASEWORKER)
    db.commit()
    response = client.post(
        f"/users/{worker.id}/role",
        data={"role": "manager", "csrf_token": csrf_from(client, "/users")},
    )
    assert response.headers["location"] == "/users?awaiting=1"
    page = client.get("/users?awaiting=1")
    assert "Awaiting approval: Manager" in page.text
    db.refresh(worker)
    assert worker.role == Role.CASEWORKER


def test_the_admin_home_names_locked_accounts_and_those_without_two_factor(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    make_user(db, Role.IG_OFFICER, username="no.second.factor")
    db.commit()
    home = client.get("/")
    assert 'data-testid="panel-without-two-factor"' in home.text
    assert "no.second.factor" in home.text
    assert 'data-testid="panel-locked"' in home.text


def test_a_csrf_cookie_chosen_before_sign_in_does_not_work_after_it(
    client: TestClient, db: Session
) -> None:
    user = make_user(db, Role.CASEWORKER)
    db.commit()
    planted = csrf_from(client)  # the attacker's cookie and the token they read with it
    sign_in(client, user.username)
    response = client.post("/account/tokens", data={"name": "forged", "csrf_token": planted})
    assert response.status_code == 403
    fresh = csrf_from(client, "/account")
    assert (
        client.post("/account/tokens", data={"name": "mine", "csrf_token": fresh}).status_code
        == 200
    )


def test_get_two_factor_changes_nothing_and_post_start_holds_a_pending_secret(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.DPO)
    before = (user.totp_pending, user.totp_sealed, user.totp_enabled)
    assert client.get("/account/two-factor").status_code == 200
    db.refresh(user)
    assert (user.totp_pending, user.totp_sealed, user.totp_enabled) == before
    started = client.post(
        "/account/two-factor/start", data={"csrf_token": csrf_from(client, "/account/two-factor")}
    )
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', started.text)
    assert secret is not None
    done = client.post(
        "/account/two-factor",
        data={
            "code": pyotp.TOTP(secret.group(1)).now(),
            "csrf_token": csrf_from(client, "/account"),
        },
    )
    assert done.status_code == 303
    db.refresh(user)
    assert user.totp_enabled


def _strict_app(
    settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> FastAPI:
    required = settings.model_copy(update={"two_factor_required": True})
    return create_app(required, session_factory=session_factory, keyring=keyring)


def test_required_two_factor_takes_the_user_to_set_it_up_and_nowhere_else(
    settings: Settings,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
    db: Session,
) -> None:
    admin = make_user(db, Role.ADMIN)
    _, token = auth.create_token(db, admin.actor, user_id=admin.id, name="script")
    db.commit()
    with TestClient(_strict_app(settings, session_factory, keyring), follow_redirects=False) as c:
        response = c.post(
            "/sign-in",
            data={
                "username": admin.username,
                "password": DEFAULT_PASSWORD,
                "csrf_token": csrf_from(c),
            },
        )
        assert response.headers["location"] == "/account/two-factor"
        for path in ("/", "/users", "/account"):
            assert c.get(path).headers.get("location") == "/account/two-factor", path
        assert c.get("/account/two-factor").status_code == 200
        assert c.get("/api/v1/users", headers=_api(token)).status_code == 403


def test_production_sends_hsts_and_host_prefixed_cookies(
    settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring, db: Session
) -> None:
    user = make_user(db, Role.AUDITOR)
    db.commit()
    production = settings.model_copy(update={"env": Environment.PRODUCTION, "secret_key": "p" * 40})
    app = create_app(production, session_factory=session_factory, keyring=keyring)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        page = c.get("/sign-in")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert page.headers["set-cookie"].startswith("__Host-steward_csrf=")
        response = c.post(
            "/sign-in",
            data={
                "username": user.username,
                "password": DEFAULT_PASSWORD,
                "csrf_token": csrf_from(c),
            },
        )
        cookies = response.headers.get_list("set-cookie")
        session = next(h for h in cookies if h.startswith("__Host-steward_session="))
        assert "secure" in session.lower() and "path=/" in session.lower()
        assert "domain" not in session.lower()
        assert c.get("/account").status_code == 200


def test_a_new_token_shows_when_it_expires(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    page = client.post(
        "/account/tokens", data={"name": "report", "csrf_token": csrf_from(client, "/account")}
    )
    assert 'data-testid="new-token-expires"' in page.text


def test_changing_your_own_password_ends_your_other_sessions(
    app: FastAPI, signed_in: SignedIn
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    other = TestClient(app, follow_redirects=False)
    sign_in(other, user.username)
    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "password": "a quiet harbour at dawn",
            "csrf_token": csrf_from(client, "/account"),
        },
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 303


def test_a_common_password_is_refused_on_the_account_page(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "password": "Password1234!",
            "csrf_token": csrf_from(client, "/account"),
        },
    )
    assert response.status_code == 422 and "too common" in response.text


def test_the_dpo_home_counts_break_glass_openings_and_repeated_refusals(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    dpo, _ = signed_in(Role.DPO)
    prober, prober_user = signed_in(Role.CASEWORKER)
    case = make_case(db, keyring)
    db.commit()
    records.break_glass(
        db,
        keyring,
        prober_user.actor,
        case_id=case.id,
        reason="Covering the duty desk while the allocated worker is off sick",
    )
    db.commit()
    for _ in range(3):
        assert prober.get("/audit").status_code == 403
    home = dpo.get("/").text
    assert "Break-glass openings to review (1)" in home
    assert f"{prober_user.username}: 3 refusals" in home
