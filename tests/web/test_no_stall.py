"""One slow request never stalls everyone else (issue 9).

A search is held open inside the real app, mid-request, on a database of its own where every
unit of work commits for real; meanwhile other people's reads, a write and /healthz must all
answer. Before readers took no write lock, the held search kept SQLite's write lock and
everyone else waited out the 30 s busy timeout and failed with "database is locked"."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, keyfile
from steward.core.audit import AuditEvent
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import Role
from steward.records import service
from steward.records.events import RecordsEvent
from steward.web.app import create_app
from tests.factories.core import make_user
from tests.factories.records import make_case
from tests.web.conftest import csrf_from, sign_in

# Generous: the point is "answers while the slow request is still running", not a speed goal.
ANSWER_WITHIN_S = 10.0
TOKEN_FORM = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def live(fresh_engine: Engine, tmp_path: Path) -> Iterator[tuple[Any, sessionmaker[Session]]]:
    settings = Settings(env=Environment.TEST, data_dir=tmp_path, two_factor_required=False)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    factory = make_sessionmaker(fresh_engine)
    with session_scope(factory) as db:
        for name, role in (("slow-manager", Role.MANAGER), ("worker", Role.CASEWORKER)):
            make_user(db, role, username=name, team="north")
        make_case(db, keyring, team="north")
    yield create_app(settings, session_factory=factory, keyring=keyring), factory


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """Run ``call`` in a thread; fail the test if it has not answered in time."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"no answer within {seconds} s: it waited on the slow request"
    if errors:
        raise errors[0]
    return result[0]


def test_a_slow_search_stalls_no_read_no_write_and_not_healthz(
    live: tuple[Any, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, factory = live
    entered, release = threading.Event(), threading.Event()
    real_search = service.search_pages

    def slow_search(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(60)
        return real_search(*args, **kwargs)

    monkeypatch.setattr(service, "search_pages", slow_search)
    with (
        TestClient(app, follow_redirects=False) as slow,
        TestClient(app, follow_redirects=False) as other,
    ):
        sign_in(slow, "slow-manager")
        sign_in(other, "worker")
        slow_answer: list[int] = []
        search_form = {"q": "x", "csrf_token": csrf_from(slow, "/search")}
        searching = threading.Thread(
            target=lambda: slow_answer.append(slow.post("/search", data=search_form).status_code)
        )
        searching.start()
        try:
            assert entered.wait(ANSWER_WITHIN_S), "the search never started"
            assert _within(ANSWER_WITHIN_S, lambda: other.get("/healthz").status_code) == 200
            assert _within(ANSWER_WITHIN_S, lambda: other.get("/cases").status_code) == 200
            # A write (minting an API token) lands while the search still reads.
            form = _within(ANSWER_WITHIN_S, lambda: other.get("/account").text)
            token = TOKEN_FORM.search(form)
            assert token is not None
            minted = _within(
                ANSWER_WITHIN_S,
                lambda: other.post(
                    "/account/tokens", data={"name": "laptop", "csrf_token": token.group(1)}
                ),
            )
            assert minted.status_code in (200, 303), minted.text
            assert searching.is_alive(), "the search was meant to still be running"
        finally:
            release.set()
            searching.join(ANSWER_WITHIN_S)
    assert slow_answer == [200]
    with session_scope(factory, read_only=True) as db:
        tags = set(db.scalars(select(AuditEvent.tag)))
        assert audit.verify(db).ok
    # The held search and the others' reads are each on record, written after their reads.
    assert {RecordsEvent.SEARCH_RUN.value, RecordsEvent.CASES_LISTED.value} <= tags
