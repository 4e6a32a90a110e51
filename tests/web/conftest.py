"""Web fixtures: the real app on the test transaction, and clients signed in as each role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.demo.service import DEMO_PASSWORD
from steward.web.app import create_app
from tests.factories.core import DEFAULT_PASSWORD, make_user
from tests.web.live import DemoSite, chromium_page, seed_demo, serve, sign_in_as

CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def app(
    settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> FastAPI:
    return create_app(settings, session_factory=session_factory, keyring=keyring)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def csrf_from(client: TestClient, path: str = "/sign-in") -> str:
    page = client.get(path)
    match = CSRF_INPUT.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = DEFAULT_PASSWORD) -> None:
    token = csrf_from(client)
    response = client.post(
        "/sign-in", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


SignedIn = Callable[[Role], tuple[TestClient, auth.User]]


@pytest.fixture
def signed_in(app: FastAPI, db: Session) -> Iterator[SignedIn]:
    """Factory: a fresh client signed in through the real sign-in page as a new user of ``role``."""
    clients: list[TestClient] = []

    def make(role: Role) -> tuple[TestClient, auth.User]:
        user = make_user(db, role)
        db.commit()
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        clients.append(c)
        sign_in(c, user.username)
        return c, user

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def api_token(db: Session) -> Callable[[Role], tuple[str, auth.User]]:
    def make(role: Role) -> tuple[str, auth.User]:
        user = make_user(db, role)
        _, secret = auth.create_token(db, user.actor, user_id=user.id, name="test")
        db.commit()
        return secret, user

    return make


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """`make run`'s demo organisation (fewer cases), served by uvicorn for browser tests."""
    data_dir = tmp_path_factory.mktemp("demo-site")
    data_dir.chmod(0o700)
    seed_demo(data_dir)
    with serve(data_dir) as base:
        yield DemoSite(base, data_dir, DEMO_PASSWORD)


RolePage = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def role_page(demo_site: DemoSite) -> RolePage:
    """``with role_page("dpo") as page:`` a browser signed in as that demo account."""

    @contextmanager
    def open_as(username: str, **viewport: int) -> Iterator[Any]:
        with chromium_page(demo_site.base, **viewport) as page:
            sign_in_as(page, username, demo_site.password)
            yield page

    return open_as
