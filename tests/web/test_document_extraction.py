"""Text extraction seen from the web: the worker inside the app, statuses on the pages, the
IG list of documents without text, and requests answered while a document is extracted."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import extract, service
from steward.records.models import Document, DocumentKind
from steward.records.schemas import DocumentMeta
from tests.factories.core import make_user
from tests.factories.records import make_case
from tests.records import samples
from tests.records.test_extraction_bounds import huge_png
from tests.web.conftest import SignedIn, csrf_from, sign_in
from tests.web.records_helpers import case_file, search


def _upload(client: TestClient, case_id: int, data: bytes, title: str = "Scan") -> int:
    response = client.post(
        f"/cases/{case_id}/documents/new",
        data={
            "csrf_token": csrf_from(client, f"/cases/{case_id}/documents/new"),
            "title": title,
            "kind": "correspondence",
            "created_on-day": "2",
            "created_on-month": "3",
            "created_on-year": "2024",
            "security_marking": "official_sensitive",
            "provenance": "staff",
        },
        files={"file": ("upload.bin", data, "application/octet-stream")},
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/documents/(\d+)\?added=1", response.headers["location"])
    assert match
    return int(match.group(1))


def test_statuses_show_on_the_pages_and_ig_sees_the_list(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    bomb_id = _upload(worker, record.case.id, huge_png(), title="Enormous scan")
    page = worker.get(f"/documents/{bomb_id}").text
    assert "Not yet searchable" in page and "not yet searchable" in page
    samples.extract_pending(db, keyring)

    page = worker.get(f"/documents/{bomb_id}").text
    assert "Text too large to extract" in page
    assert "the image has too many pixels" in page and "can be downloaded" in page
    case_page = worker.get(f"/cases/{record.case.id}").text
    row = re.search(rf'data-testid="text-status-{bomb_id}">(.*?)</td>', case_page, re.S)
    assert row and "Text too large to extract" in row.group(1)
    ordinary = re.search(rf'data-testid="text-status-{record.document.id}">(.*?)</td>', case_page)
    assert ordinary and "Searchable" in ordinary.group(1)

    assert worker.get("/documents-without-text").status_code == 403
    ig, _ = signed_in(Role.IG_OFFICER)
    listing = ig.get("/documents-without-text")
    assert listing.status_code == 200
    assert "Showing <b>1</b> to <b>1</b> of <b>1</b> document\n" in listing.text
    assert f'href="/documents/{bomb_id}"' in listing.text and "Enormous scan" in listing.text
    assert f'href="/documents/{record.document.id}"' not in listing.text


def test_the_list_is_paged(signed_in: SignedIn, db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    for n in range(55):
        service.add_document(
            db,
            keyring,
            Actor.system(),
            case_id=case.id,
            meta=samples_meta(f"Damaged {n}"),
            data=b"%PDF-1.7\nbroken",
            filename="d.pdf",
        )
    samples.extract_pending(db, keyring)
    db.commit()
    ig, _ = signed_in(Role.DPO)
    first = ig.get("/documents-without-text").text
    assert "Showing <b>1</b> to <b>50</b> of <b>55</b> documents" in first
    assert 'aria-current="page"' in first and 'rel="next"' in first
    second = ig.get("/documents-without-text?page=2").text
    assert second.count('href="/documents/') == 5 and 'rel="prev"' in second


def samples_meta(title: str) -> DocumentMeta:
    return DocumentMeta(title=title, kind=DocumentKind.CORRESPONDENCE, created_on=date(2024, 1, 2))


# --- the worker inside the app, on a real committed database ---------------------------------


@dataclass
class Site:
    settings: Settings
    factory: sessionmaker[Session]
    keyring: FileKeyring


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    settings = Settings(
        env=Environment.TEST,
        data_dir=tmp_path / "data",
        database_url=None,
        key_file=None,
        two_factor_required=False,
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    yield Site(settings, make_sessionmaker(engine), keyring)
    engine.dispose()


def _wait_for(predicate: object, seconds: float = 30.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_app_extracts_in_the_background_and_answers_meanwhile(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.web.app import create_app

    with session_scope(site.factory) as db:
        user = make_user(db, Role.CASEWORKER)
        case = make_case(db, site.keyring)
        service.assign(db, Actor.system(), case_id=case.id, user_id=user.id)
        case_id, username = case.id, user.username

    started, release = threading.Event(), threading.Event()
    real = extract.run_isolated

    def slow_extraction(media_type: str, data: bytes, limits: object = None) -> extract.Outcome:
        started.set()
        release.wait(30)  # a document that takes long to read
        return real(media_type, data)

    monkeypatch.setattr(extract, "run_isolated", slow_extraction)
    app = create_app(
        site.settings,
        session_factory=site.factory,
        keyring=site.keyring,
        extraction_worker=True,
    )
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        sign_in(client, username)
        first = _upload(client, case_id, b"Visit note: Marrowby was well.", title="First")
        assert started.wait(30), "the worker did not pick the upload up"
        # While it is being extracted: health, a page and another upload all answer.
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get(f"/cases/{case_id}").status_code == 200
        second = _upload(client, case_id, b"Second note: Quillon.", title="Second")
        release.set()

        def extracted() -> bool:
            with session_scope(site.factory, read_only=True) as db:
                statuses = set(
                    db.scalars(
                        select(Document.extraction_status).where(Document.id.in_([first, second]))
                    )
                )
            return statuses == {"done"}

        _wait_for(extracted)
        found = search(client, "Marrowby").text
        assert f'href="/documents/{first}"' in found
