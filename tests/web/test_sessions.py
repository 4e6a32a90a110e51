"""Sign-in, sign-out, lockout and cookie flags through the real pages."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.config import Environment, Settings
from steward.core.permissions import Role
from steward.web.app import create_app
from tests.factories.core import DEFAULT_PASSWORD, make_user
from tests.web.conftest import csrf_from


def _post_sign_in(client: TestClient, username: str, password: str) -> int:
    return client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_from(client)},
    ).status_code


def test_session_cookie_is_httponly_and_lax(client: TestClient, db: Session) -> None:
    user = make_user(db, Role.DPO)
    db.commit()
    response = client.post(
        "/sign-in",
        data={
            "username": user.username,
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_from(client),
        },
    )
    cookie = response.headers["set-cookie"].lower()
    assert "steward_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # local development over plain HTTP


def test_cookies_are_secure_in_production(settings: Settings, session_factory) -> None:  # type: ignore[no-untyped-def]
    production = settings.model_copy(update={"env": Environment.PRODUCTION, "secret_key": "p" * 40})
    with TestClient(create_app(production, session_factory=session_factory)) as c:
        response = c.get("/sign-in")
    assert "secure" in response.headers["set-cookie"].lower()


def test_sign_out_ends_the_session(client: TestClient, db: Session) -> None:
    user = make_user(db, Role.CASEWORKER)
    db.commit()
    assert _post_sign_in(client, user.username, DEFAULT_PASSWORD) == 303
    assert client.get("/account").status_code == 200
    stolen = client.cookies.get("steward_session")
    client.post("/sign-out", data={"csrf_token": csrf_from(client, "/account")})
    assert client.get("/account").status_code == 303
    # The old cookie, replayed, no longer works: the session is gone server-side.
    client.cookies.set("steward_session", stolen or "")
    assert client.get("/account").status_code == 303


def test_repeated_failures_lock_the_account(
    client: TestClient, db: Session, settings: Settings
) -> None:
    user = make_user(db, Role.CASEWORKER)
    db.commit()
    for _ in range(settings.max_login_failures):
        assert _post_sign_in(client, user.username, "wrong password!!") == 400
    page = client.post(
        "/sign-in",
        data={
            "username": user.username,
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_from(client),
        },
    )
    assert page.status_code == 400
    assert "locked" in page.text
    with clock.frozen(clock.now() + timedelta(minutes=settings.lockout_minutes + 1)):
        assert _post_sign_in(client, user.username, DEFAULT_PASSWORD) == 303


def test_security_headers_on_every_page(client: TestClient) -> None:
    response = client.get("/sign-in")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_healthz_answers_when_the_database_does(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_openapi_document_is_published(app: FastAPI, client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/users" in spec["paths"]
    assert "/sign-in" not in spec["paths"]
