"""Rate limits per API token on the expensive operations (full-text search, identity
lookups, break-glass): past the limit, 429 with the error body and Retry-After; another
token is not held back by it; once the window has passed, the token is served again. The
counts are kept in the database, so every web worker sees the same ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth, clock
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.core.rate_limits import ApiRateHit
from steward.web.app import create_app
from tests.web.records_helpers import case_file

ApiToken = Callable[[Role], tuple[str, auth.User]]
LIMITS = {
    "api_rate_window_seconds": 60,
    "api_rate_search": 2,
    "api_rate_identity": 2,
    "api_rate_break_glass": 5,
    "break_glass_per_hour": 1,
}


@pytest.fixture
def limited(
    settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> Iterator[TestClient]:
    app: FastAPI = create_app(
        settings.model_copy(update=LIMITS), session_factory=session_factory, keyring=keyring
    )
    with TestClient(app) as client:
        yield client


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _search(client: TestClient, secret: str) -> int:
    return client.get("/api/v1/search", params={"q": "warm"}, headers=_bearer(secret)).status_code


def test_search_past_the_limit_answers_429_until_the_window_has_passed(
    limited: TestClient, api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    start = clock.now()
    with clock.frozen(start):
        assert _search(limited, secret) == 200
    with clock.frozen(start + timedelta(seconds=10)):
        assert _search(limited, secret) == 200
    with clock.frozen(start + timedelta(seconds=20)):
        refused = limited.get("/api/v1/search", params={"q": "warm"}, headers=_bearer(secret))
    assert refused.status_code == 429
    # The first search leaves the 60-second window at +60 s: 40 seconds from +20 s.
    assert refused.headers["Retry-After"] == "40"
    body = refused.json()
    assert set(body) == {"detail"} and "Wait 40 seconds" in body["detail"]
    assert "warm" not in refused.text
    with clock.frozen(start + timedelta(seconds=59)):
        assert _search(limited, secret) == 429  # refusals are not counted, nor do they reset
    with clock.frozen(start + timedelta(seconds=61)):
        assert _search(limited, secret) == 200  # one place free again
        assert _search(limited, secret) == 429


def test_a_search_by_post_counts_as_a_search_like_the_get(
    limited: TestClient, api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    with clock.frozen(clock.now()):
        assert _search(limited, secret) == 200
        by_body = limited.post("/api/v1/search", json={"q": "warm"}, headers=_bearer(secret))
        assert by_body.status_code == 200
        refused = limited.post("/api/v1/search", json={"q": "warm"}, headers=_bearer(secret))
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
        assert "warm" not in refused.text
        assert _search(limited, secret) == 429


def test_the_limit_is_per_token_and_per_kind(
    limited: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, user = api_token(Role.CASEWORKER)
    other, _ = api_token(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    _, second = auth.create_token(db, user.actor, user_id=user.id, name="second")
    db.commit()
    start = clock.now()
    with clock.frozen(start):
        assert [_search(limited, secret) for _ in range(3)] == [200, 200, 429]
        assert _search(limited, other) == 200  # another account's token
        assert _search(limited, second) == 200  # the same account's other token
        # Identity lookups are counted apart from searches.
        person = f"/api/v1/people/{record.child.id}"
        assert limited.get(person, headers=_bearer(secret)).status_code == 200


def test_a_refused_lookup_counts_so_ids_cannot_be_probed_past_the_limit(
    limited: TestClient, api_token: ApiToken, db: Session
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    with clock.frozen(clock.now()):
        statuses = [
            limited.get(f"/api/v1/people/{900_000 + n}", headers=_bearer(secret)).status_code
            for n in range(3)
        ]
    assert statuses == [404, 404, 429]
    assert db.scalar(select(func.count()).select_from(ApiRateHit)) == 2  # kinds and times only


def test_break_glass_at_its_limit_says_when_to_try_again(
    limited: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    first, second = case_file(db, keyring), case_file(db, keyring)
    db.commit()
    reason = {"reason": "Court hearing moved to today; worker is off sick"}
    start = clock.now()
    with clock.frozen(start):
        opened = limited.post(
            f"/api/v1/cases/{first.case.id}/break-glass", json=reason, headers=_bearer(secret)
        )
    assert opened.status_code == 201
    with clock.frozen(start + timedelta(minutes=15)):
        refused = limited.post(
            f"/api/v1/cases/{second.case.id}/break-glass", json=reason, headers=_bearer(secret)
        )
    assert refused.status_code == 429
    # One use an hour: the first leaves the hour 45 minutes later.
    assert abs(int(refused.headers["Retry-After"]) - 45 * 60) <= 1
    assert "broken glass 1 times in the last hour" in refused.json()["detail"]


def test_the_document_declares_429_with_retry_after_on_each_limited_operation(
    client: TestClient,
) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/search", "get"),
        ("/api/v1/search", "post"),
        ("/api/v1/people/{person_id}", "get"),
        ("/api/v1/cases/{case_id}/break-glass", "post"),
    ):
        limited = paths[path][method]["responses"]["429"]
        assert "Retry-After" in limited["headers"], path
        assert limited["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")
    assert "429" not in paths["/api/v1/retention/due"]["get"]["responses"]
