"""Bad input gets a clear 4xx a person can act on, and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth
from steward.core.audit import AuditEvent
from steward.core.permissions import Actor, Role
from steward.web.deps import DB
from tests.web.conftest import SignedIn, csrf_from

HOSTILE = [
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
    "a\x00b",
    "Robert'); DROP TABLE users;--",
]
ApiToken = Callable[[Role], tuple[str, auth.User]]


def _counts(db: Session) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(auth.User)) or 0,
        db.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def test_malformed_json_is_refused_and_changes_nothing(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    secret, _ = api_token(Role.ADMIN)
    before = _counts(db)
    response = client.post(
        "/api/v1/users",
        content=b'{"username": "new", "role": ',
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The request is not valid")
    db.expire_all()
    # Authenticating the token may record nothing; the failed request must add no user.
    assert _counts(db)[0] == before[0]


def test_wrong_content_type_is_refused(client: TestClient, api_token: ApiToken) -> None:
    secret, _ = api_token(Role.ADMIN)
    response = client.post(
        "/api/v1/users",
        content=b"username=x",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/sign-in", "/api/v1/users"])
def test_oversized_bodies_are_refused_before_reading(client: TestClient, path: str) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = client.post(
        path, content=b"x" * (limit + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert str(limit) in response.text


@pytest.mark.parametrize("username", HOSTILE)
def test_hostile_usernames_are_refused_with_a_reason(
    client: TestClient, api_token: ApiToken, db: Session, username: str
) -> None:
    secret, _ = api_token(Role.ADMIN)
    before = _counts(db)[0]
    response = client.post(
        "/api/v1/users",
        json={"username": username, "role": "caseworker", "password": "a long enough password"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    # Named by the username rule, or (a control character) by the core input rule.
    body = response.json()
    assert "lowercase" in body["detail"] or "control characters" in body["errors"]["username"]
    db.expire_all()
    assert _counts(db)[0] == before


def test_unknown_role_is_refused(client: TestClient, api_token: ApiToken) -> None:
    secret, _ = api_token(Role.ADMIN)
    response = client.post(
        "/api/v1/users",
        json={"username": "valid.name", "role": "superuser", "password": "a long enough password"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    assert "role" in response.json()["errors"]


def test_hostile_text_is_shown_escaped(signed_in: SignedIn) -> None:
    c, _ = signed_in(Role.CASEWORKER)
    response = c.post(
        "/account/tokens",
        data={"name": "<script>alert(1)</script>", "csrf_token": csrf_from(c, "/account")},
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    c, _ = signed_in(Role.ADMIN)
    before = _counts(db)[0]
    response = c.post(
        "/users",
        data={"username": "csrf.victim", "role": "dpo", "password": "a long enough password"},
    )
    assert response.status_code == 403
    assert "expired" in response.text
    response = c.post(
        "/users",
        data={
            "username": "csrf.victim",
            "role": "dpo",
            "password": "a long enough password",
            "csrf_token": "0" * 64,
        },
    )
    assert response.status_code == 403
    db.expire_all()
    assert _counts(db)[0] == before


def test_a_form_error_is_shown_as_a_govuk_error_summary_and_creates_nothing(
    signed_in: SignedIn, db: Session
) -> None:
    c, _ = signed_in(Role.ADMIN)
    before = _counts(db)
    response = c.post(
        "/users",
        data={
            "username": "new.person",
            "role": "dpo",
            "password": "short",
            "csrf_token": csrf_from(c, "/users"),
        },
    )
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert "12" in response.text
    db.expire_all()
    assert _counts(db)[0] == before[0]


def test_a_failing_request_leaves_nothing_half_written(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    @app.post("/api/v1/_test/half-done")
    def half_done(session: DB) -> None:
        auth.create_user(
            session,
            Actor.system(),
            username="half.done",
            role=Role.DPO,
            password="a long enough password",
        )
        raise RuntimeError("a later step failed")

    before = _counts(db)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/_test/half-done", json={})
    assert response.status_code == 500
    db.expire_all()
    assert _counts(db) == before
    assert audit.verify(db).ok


def test_errors_never_echo_personal_data(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/_test/leaky")
    def leaky() -> None:
        raise RuntimeError("Jane Doe, born 2011-03-02, lives at 1 Secret Lane")

    with caplog.at_level(logging.DEBUG), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/_test/leaky")
    assert response.status_code == 500
    assert "Sorry, there is a problem" in response.text
    assert "Jane Doe" not in response.text
    assert "Jane Doe" not in caplog.text


def test_unknown_pages_get_a_govuk_404_and_api_json(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.text and "govuk-" in page.text
    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404
    assert api.json()["detail"]


def test_open_redirects_are_refused(client: TestClient, db: Session) -> None:
    from tests.factories.core import DEFAULT_PASSWORD, make_user

    user = make_user(db, Role.CASEWORKER)
    db.commit()
    response = client.post(
        "/sign-in",
        data={
            "username": user.username,
            "password": DEFAULT_PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": csrf_from(client),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent chunked (no Content-Length), so only counting on arrival can cap it."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_an_oversized_chunked_upload_gets_413_on_the_error_page(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    csrf = csrf_from(client, "/")
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    boundary = "steward-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from _chunks(limit + 200_000)

    response = client.post(
        "/cases/1/documents/new",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Upload a file smaller than 25MB" in response.text
    assert "govuk-heading-l" in response.text  # the service's error page, not a bare line
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_oversized_chunked_json_body_gets_413_as_json(
    client: TestClient, api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.ADMIN)
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = client.post(
        "/api/v1/users",
        content=_chunks(limit + 10),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]


def test_a_certificate_over_the_form_limit_reaches_the_certificate_check(
    signed_in: SignedIn,
) -> None:
    client, _ = signed_in(Role.DPO)
    csrf = csrf_from(client, "/archives/certificates")
    # 2 MB: over the 1 MB cap on forms, well under the 20 MB a certificate may be.
    big = b"file_reference\r\n" + b"REF-0001\r\n" * 200_000
    response = client.post(
        "/archives/certificates",
        data={"reference": "D-404", "csrf_token": csrf},
        files={"file": ("cert.csv", big, "text/csv")},
    )
    # Read and judged by the certificate check, not cut off at the 1 MB form cap.
    assert response.status_code in (303, 422)
    assert "too large" not in response.text


def test_a_certificate_over_its_limit_gets_413_on_the_error_page(signed_in: SignedIn) -> None:
    client, _ = signed_in(Role.DPO)
    csrf = csrf_from(client, "/archives/certificates")
    response = client.post(
        "/archives/certificates",
        data={"reference": "D-404", "csrf_token": csrf},
        files={"file": ("cert.csv", b"x" * (21 * 1024 * 1024), "text/csv")},
    )
    assert response.status_code == 413
    assert "Upload a file smaller than 20MB" in response.text
    assert "govuk-heading-l" in response.text
