"""The search page of a request: terms prefilled and posted (never in the URL), the search run
in the background, hits grouped by source with names not ids, triage with a reason, a paper
file asked for with its cost, the search record; bad input changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives.models import Retrieval
from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.retention.models import Hold
from steward.sar.policy import Right
from steward.sar.search_models import SarHit, SarSearchRun
from tests.sar.search_helpers import holdings, new_request
from tests.web.conftest import SignedIn, app, csrf_from, signed_in  # noqa: F401 - fixtures

HIT_ID = re.compile(r'id="hit-(\d+)"')


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _started(
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
    signed_in: SignedIn,  # noqa: F811
    right: Right = Right.ACCESS,
) -> tuple[object, int]:
    client, user = signed_in(Role.IG_OFFICER)
    holdings(db, keyring, session_factory)
    request = new_request(db, keyring, user.actor, right)
    db.commit()
    page = client.get(f"/sar/requests/{request.id}/search")
    assert page.status_code == 200
    assert "No search has been run" in page.text
    assert "Kayleigh Marsden" in page.text and "LS6 2AB" in page.text  # prefilled
    token = csrf_from(client, f"/sar/requests/{request.id}/search")
    started = client.post(
        f"/sar/requests/{request.id}/search",
        data={
            "csrf_token": token,
            "names": "Kayleigh Marsden\nKayleigh Hobbs",
            "dob-day": "1",
            "dob-month": "4",
            "dob-year": "1990",
            "addresses": "12 Acacia Road, Leeds LS6 2AB",
            "postcodes": "LS6 2AB",
            "extra_terms": "",
        },
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    assert "Marsden" not in started.headers["location"]
    job = client.get(started.headers["location"])
    assert "Search finished" in job.text
    return client, request.id


def test_a_handler_searches_and_sees_hits_by_source(
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
    signed_in: SignedIn,  # noqa: F811
) -> None:
    client, request_id = _started(db, keyring, session_factory, signed_in)
    page = client.get(f"/sar/requests/{request_id}/search")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "People (2)" in page.text and "Paper files (1)" in page.text
    assert "Mentions in documents (1)" in page.text
    assert "1 April 1990" in page.text and "30 September 1971" in page.text
    assert "Search record" in page.text and "Kayleigh Hobbs" in page.text
    paper = client.get(f"/sar/requests/{request_id}/search?source=paper_file")  # type: ignore[attr-defined]
    assert "Paper file PF-" in paper.text
    documents = client.get(f"/sar/requests/{request_id}/search?source=document")  # type: ignore[attr-defined]
    assert "Visit record" in documents.text and "Meeting note" not in documents.text


def test_triage_from_the_page_holds_the_person_and_asks_for_paper(
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
    signed_in: SignedIn,  # noqa: F811
) -> None:
    client, request_id = _started(db, keyring, session_factory, signed_in)
    path = f"/sar/requests/{request_id}/search"
    run = db.scalar(select(SarSearchRun).where(SarSearchRun.request_id == request_id))
    assert run is not None
    person = next(h for h in run.hits if h.source == "person" and h.score > 0.5)
    token = csrf_from(client, path)  # type: ignore[arg-type]
    # No reason: refused, and nothing changes.
    refused = client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{person.id}/triage",
        data={"csrf_token": token, "decision": "in_scope", "reason": "", "source": "person"},
    )
    assert refused.status_code == 422 and "Error: " in refused.text
    assert f'href="#reason-{person.id}"' in refused.text
    assert db.scalars(select(Hold)).all() == []
    done = client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{person.id}/triage",
        data={
            "csrf_token": token,
            "decision": "in_scope",
            "reason": "Same DOB and address",
            "source": "person",
        },
    )
    assert done.status_code == 303
    db.expire_all()
    assert len(db.scalars(select(Hold)).all()) == 1
    paper = next(h for h in run.hits if h.source == "paper_file")
    client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{paper.id}/triage",
        data={
            "csrf_token": token,
            "decision": "in_scope",
            "reason": "Her file",
            "source": "paper_file",
        },
    )
    over = client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{paper.id}/paper",
        data={
            "csrf_token": token,
            "hours_locating": "10",
            "hours_retrieving": "5",
            "hours_extracting": "4",
        },
    )
    assert over.status_code == 422 and "more than the £450 limit" in over.text
    assert db.scalar(select(Retrieval.id)) is None
    bad = client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{paper.id}/paper",
        data={"csrf_token": token, "hours_locating": "1e99999"},
    )
    assert bad.status_code == 422 and "Enter hours as a number" in bad.text
    asked = client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{paper.id}/paper",
        data={
            "csrf_token": token,
            "hours_locating": "2",
            "hours_retrieving": "1",
            "hours_extracting": "1",
        },
    )
    assert asked.status_code == 303
    page = client.get(f"{path}?source=paper_file")  # type: ignore[attr-defined]
    assert "£100.00" in page.text and "a retrieval has been raised" in page.text
    db.expire_all()
    assert db.scalar(select(Retrieval.purpose)) == "subject_access"
    hit = db.get(SarHit, paper.id)
    assert hit is not None and hit.triage == "in_scope"


def test_no_name_is_a_clear_error(
    db: Session,
    keyring: FileKeyring,
    signed_in: SignedIn,  # noqa: F811
) -> None:
    client, user = signed_in(Role.DPO)
    request = new_request(db, keyring, user.actor)
    db.commit()
    path = f"/sar/requests/{request.id}/search"
    response = client.post(
        path, data={"csrf_token": csrf_from(client, path), "names": "  ", "dob-day": "31"}
    )
    assert response.status_code == 422
    assert "Date of birth must include a month and year" in response.text
    assert db.scalar(select(SarSearchRun.id)) is None


def test_a_caseworker_may_not_see_the_search(
    db: Session,
    keyring: FileKeyring,
    signed_in: SignedIn,  # noqa: F811
) -> None:
    _, officer = signed_in(Role.IG_OFFICER)
    request = new_request(db, keyring, officer.actor)
    db.commit()
    client, _ = signed_in(Role.CASEWORKER)
    assert client.get(f"/sar/requests/{request.id}/search").status_code == 403


def test_a_person_found_for_a_rectification_is_corrected_from_the_search(
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
    signed_in: SignedIn,  # noqa: F811
) -> None:
    client, request_id = _started(db, keyring, session_factory, signed_in, Right.RECTIFICATION)
    path = f"/sar/requests/{request_id}/search"
    run = db.scalar(select(SarSearchRun).where(SarSearchRun.request_id == request_id))
    assert run is not None
    person = next(h for h in run.hits if h.source == "person" and h.score > 0.5)
    link = f"/people/{person.target_id}/correct?sar="
    assert link not in client.get(path).text  # type: ignore[attr-defined]  # not until in scope
    client.post(  # type: ignore[attr-defined]
        f"{path}/hits/{person.id}/triage",
        data={
            "csrf_token": csrf_from(client, path),  # type: ignore[arg-type]
            "decision": "in_scope",
            "reason": "Same DOB and address",
            "source": "person",
        },
    )
    page = client.get(path).text  # type: ignore[attr-defined]
    reference = re.search(re.escape(link) + r"(SAR-\d{4}-\d{5})", page)
    assert reference is not None, "no link to correct the person found in scope"
    form = client.get(link + reference.group(1)).text  # type: ignore[attr-defined]
    assert f'value="{reference.group(1)}"' in form and "Kayleigh" in form
