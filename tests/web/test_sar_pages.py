"""The team's subject access pages: the queue with its filters, logging a request (bad input
changes nothing), the request page with its clock, details and timeline, each step it can take,
the second person's approval, tasks and decision; the home page's counts; and the API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.sar import service
from steward.sar.models import SarDecision, SarTask, SubjectAccessRequest
from steward.sar.policy import RequesterType, Right, Status
from steward.sar.schemas import PersonDetails
from tests.factories.sar import make_request
from tests.web.conftest import SignedIn, csrf_from


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _request(
    db: Session, keyring: FileKeyring, actor: Actor, **changes: object
) -> SubjectAccessRequest:
    request = make_request(db, keyring, actor, **changes)
    db.commit()
    return request


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SubjectAccessRequest)) or 0


INTAKE = {
    "right": "access",
    "requester_type": "parent",
    "channel": "email",
    "received-day": "16",
    "received-month": "3",
    "received-year": "2026",
    "requester_name": "Dawn Whitlock",
    "requester_previous_names": "Dawn Peters\nDawn Whitlock-Peters",
    "requester_email": "dawn@example.org",
    "subject_name": "Tyler Whitlock",
    "subject_dob-day": "4",
    "subject_dob-month": "9",
    "subject_dob-year": "2014",
    "description": "My son's file from the 2019 court report",
}


def test_staff_log_a_request_and_land_on_its_page(signed_in: SignedIn, db: Session) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    page = client.get("/sar/new")
    assert page.status_code == 200 and "Log a request" in page.text
    response = client.post("/sar/new", data=INTAKE | {"csrf_token": csrf_from(client, "/sar/new")})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/sar/requests/\d+", location)
    shown = client.get(location)
    assert shown.status_code == 200
    text = shown.text
    # A parent asking for a child waits for proof of authority: the clock has not started.
    assert "Awaiting ID or authority" in text and "Waiting for authority" in text
    assert "Dawn Whitlock" in text and "Dawn Peters, Dawn Whitlock-Peters" in text
    assert "Tyler Whitlock" in text and "4 September 2014" in text
    assert "A parent for a child" in text and "Email" in text
    assert officer.username in text  # the handler, by name
    assert "Request received" in text  # the timeline's first step


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"requester_name": ""}, "requester_name", "Enter the requester"),
        ({"requester_type": ""}, "requester_type", "Choose who is asking"),
        ({"received-month": ""}, "received", "must include a month"),
        ({"received-year": "2027"}, "received", "cannot be in the future"),
        ({"received-day": "31", "received-month": "2"}, "received", "must be a real date"),
        ({"requester_email": "not-an-address"}, "requester_email", "correct format"),
        (
            {"subject_name": "", "subject_dob-day": ""},
            "subject_name",
            "the person the request is about",
        ),
    ],
)
def test_bad_intake_gets_an_error_summary_and_creates_nothing(
    signed_in: SignedIn, db: Session, change: dict[str, str], field: str, message: str
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    before = _count(db)
    data = INTAKE | change | {"csrf_token": csrf_from(client, "/sar/new")}
    if not change.get("subject_name", "x"):
        data.pop("subject_dob-month")
        data.pop("subject_dob-year")
    response = client.post("/sar/new", data=data)
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert f'href="#{field}"' in response.text and f'id="{field}"' in response.text
    assert message in response.text
    assert "Error: " in response.text.split("</title>")[0]
    # What was typed is kept, so nothing needs typing twice.
    assert "Dawn Peters" in response.text
    assert _count(db) == before


def test_the_queue_lists_open_requests_due_soonest_with_filters(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    late = _request(db, keyring, officer.actor, received_on=date(2026, 1, 5))
    soon = _request(db, keyring, officer.actor, received_on=date(2026, 2, 23))
    parent = _request(
        db,
        keyring,
        officer.actor,
        requester_type=RequesterType.PARENT,
        subject=PersonDetails(full_name="Tyler Whitlock"),
    )
    done = _request(db, keyring, officer.actor)
    service.move(db, keyring, officer.actor, done.id, Status.WITHDRAWN, reasons="Changed mind")
    db.commit()
    page = client.get("/sar")
    assert page.status_code == 200
    rows = re.findall(r'href="/sar/requests/(\d+)"', page.text)
    assert rows[:2] == [str(late.id), str(soon.id)]
    assert str(done.id) not in rows
    assert "Showing" in page.text and "requests" in page.text
    assert "days overdue" in page.text and "days left" in page.text
    assert "Kayleigh" not in page.text  # the queue shows no personal data
    overdue = re.findall(r'href="/sar/requests/(\d+)"', client.get("/sar?overdue=yes").text)
    assert str(late.id) in overdue and str(soon.id) not in overdue
    parents = client.get("/sar?requester_type=parent").text
    assert re.findall(r'href="/sar/requests/(\d+)"', parents) == [str(parent.id)]
    withdrawn = client.get("/sar?status=withdrawn").text
    assert re.findall(r'href="/sar/requests/(\d+)"', withdrawn) == [str(done.id)]
    mine = client.get(f"/sar?handler={officer.id}").text
    assert str(late.id) in mine
    assert client.get("/sar?status=lost").status_code == 422


def test_a_second_person_approves_and_the_same_person_is_refused(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    dpo_client, _ = signed_in(Role.DPO)
    request = _request(db, keyring, officer.actor)
    url = f"/sar/requests/{request.id}"
    token = csrf_from(client, url)
    for to in ("searching", "reviewing", "awaiting_approval"):
        assert client.post(f"{url}/move", data={"to": to, "csrf_token": token}).status_code == 303
    refused = client.post(f"{url}/move", data={"to": "sent", "csrf_token": token})
    assert refused.status_code == 403
    assert "govuk-error-summary" in refused.text
    assert "Someone other than the person who prepared the response" in refused.text
    db.expire_all()
    assert db.get(SubjectAccessRequest, request.id).status == Status.AWAITING_APPROVAL  # type: ignore[union-attr]
    approved = dpo_client.post(
        f"{url}/move", data={"to": "sent", "csrf_token": csrf_from(dpo_client, url)}
    )
    assert approved.status_code == 303
    page = client.get(url).text
    assert "Awaiting approval to Sent" in page


def test_a_refusal_needs_reasons_shown_on_the_timeline(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    request = _request(db, keyring, officer.actor)
    url = f"/sar/requests/{request.id}"
    token = csrf_from(client, url)
    missing = client.post(f"{url}/move", data={"to": "refused", "csrf_token": token})
    assert missing.status_code == 422
    assert 'href="#move-refused-reasons"' in missing.text
    assert 'id="move-refused-reasons"' in missing.text
    reasons = "Manifestly unfounded: the fifth identical request this month"
    done = client.post(
        f"{url}/move", data={"to": "refused", "reasons": reasons, "csrf_token": token}
    )
    assert done.status_code == 303
    page = client.get(url).text
    assert reasons in page and "Received to Refused" in page
    # Finished: no more steps offered.
    assert "What happens next" not in page


def test_the_clock_stops_for_clarification_and_restarts(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    request = _request(db, keyring, officer.actor)
    url = f"/sar/requests/{request.id}"
    token = csrf_from(client, url)
    bad = client.post(
        f"{url}/clarification",
        data={"asked-day": "5", "asked-month": "13", "asked-year": "2026", "csrf_token": token},
    )
    assert bad.status_code == 422 and 'href="#asked"' in bad.text
    asked = {"asked-day": "5", "asked-month": "3", "asked-year": "2026", "csrf_token": token}
    assert client.post(f"{url}/clarification", data=asked).status_code == 303
    answered = {"answered-day": "10", "answered-month": "3", "answered-year": "2026"}
    response = client.post(f"{url}/clarification-answered", data=answered | {"csrf_token": token})
    assert response.status_code == 303
    page = client.get(url).text
    # DOMAIN.md's example: received 2 March, asked 5, answered 10 -> 6 days -> due 8 April.
    assert "8 April 2026" in page
    assert "Clarification asked for (clock stopped)" in page


def test_evidence_extension_and_assignment(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    _, dpo = signed_in(Role.DPO)
    request = _request(db, keyring, officer.actor, id_required=True)
    url = f"/sar/requests/{request.id}"
    token = csrf_from(client, url)
    arrived = {"arrived-day": "9", "arrived-month": "3", "arrived-year": "2026"}
    response = client.post(f"{url}/evidence", data=arrived | {"kind": "id", "csrf_token": token})
    assert response.status_code == 303
    db.expire_all()
    moved = db.get(SubjectAccessRequest, request.id)
    assert moved is not None and moved.status == Status.SEARCHING
    assert moved.due_on == date(2026, 4, 9)
    empty = client.post(f"{url}/extend", data={"reasons": " ", "csrf_token": token})
    assert empty.status_code == 422 and 'href="#extend-reasons"' in empty.text
    extended = client.post(
        f"{url}/extend", data={"reasons": "Forty boxes of paper", "csrf_token": token}
    )
    assert extended.status_code == 303
    assigned = client.post(f"{url}/assign", data={"handler": str(dpo.id), "csrf_token": token})
    assert assigned.status_code == 303
    page = client.get(url).text
    assert "Yes, on 20 March 2026" in page and "9 June 2026" in page
    assert "Request assigned" in page
    db.expire_all()
    assert db.get(SubjectAccessRequest, request.id).handler_user_id == dpo.id  # type: ignore[union-attr]
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get(url).status_code == 403


def test_tasks_and_decision_for_rectification(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    request = _request(db, keyring, officer.actor, right=Right.RECTIFICATION)
    url = f"/sar/requests/{request.id}"
    page = client.get(url).text
    assert "Tell those it was disclosed to of the correction (Art 19)" in page
    token = csrf_from(client, url)
    none = client.post(f"{url}/tasks", data={"csrf_token": token})
    assert none.status_code == 422 and 'href="#tasks"' in none.text
    ticked = client.post(
        f"{url}/tasks", data={"tasks": ["check_accuracy", "correct_record"], "csrf_token": token}
    )
    assert ticked.status_code == 303
    assert db.scalar(select(func.count()).select_from(SarTask)) == 2
    no_reasons = client.post(f"{url}/decision", data={"outcome": "partly", "csrf_token": token})
    assert no_reasons.status_code == 422 and 'href="#decision-reasons"' in no_reasons.text
    reasons = "Date of birth corrected; the address history is accurate as recorded"
    decided = client.post(
        f"{url}/decision", data={"outcome": "partly", "reasons": reasons, "csrf_token": token}
    )
    assert decided.status_code == 303
    page = client.get(url).text
    assert "Done in part" in page and reasons in page and "Task done" in page
    sealed = db.scalar(select(SarDecision.reasons_sealed))
    assert sealed and b"accurate" not in sealed


def test_home_counts_overdue_and_due_soon(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, officer = signed_in(Role.IG_OFFICER)
    _request(db, keyring, officer.actor, received_on=date(2026, 1, 5))  # overdue
    _request(db, keyring, officer.actor, received_on=date(2026, 2, 23))  # due 23 March
    _request(db, keyring, officer.actor, received_on=date(2026, 3, 16))  # due in April
    home = client.get("/").text
    assert "Subject access requests" in home
    assert "1 overdue" in home and "1 due in the next 7 days" in home
    assert 'href="/sar?overdue=yes"' in home
    soon = client.get("/sar?due=week").text
    assert len(re.findall(r'href="/sar/requests/(\d+)"', soon)) == 1
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert "Subject access requests" not in caseworker.get("/").text


def test_the_api_lists_logs_reads_and_moves_requests(
    api_token: Callable[[Role], tuple[str, Any]], client: TestClient, db: Session
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    headers = {"Authorization": f"Bearer {secret}"}
    body = {
        "requester_type": "care_leaver",
        "channel": "letter",
        "received_on": "2026-03-02",
        "requester": {"full_name": "Kayleigh Marsden", "previous_names": ["Kayleigh Brown"]},
        "description": "My file from my time in care, 1995 to 2003",
    }
    created = client.post("/api/v1/sar/requests", json=body, headers=headers)
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["status"] == "received" and made["clock"]["due_on"] == "2026-04-02"
    assert made["clock"]["days_left"] == 13
    bad = client.post("/api/v1/sar/requests", json=body | {"channel": "pigeon"}, headers=headers)
    assert bad.status_code == 422
    listed = client.get("/api/v1/sar/requests?requester_type=care_leaver", headers=headers)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == [made["id"]]
    assert "Marsden" not in listed.text  # the list carries no personal data
    one = client.get(f"/api/v1/sar/requests/{made['id']}", headers=headers).json()
    assert one["details"]["requester"]["previous_names"] == ["Kayleigh Brown"]
    url = f"/api/v1/sar/requests/{made['id']}/transitions"
    skipped = client.post(url, json={"to": "sent"}, headers=headers)
    assert skipped.status_code == 409 and "cannot become sent" in skipped.json()["detail"]
    unreasoned = client.post(url, json={"to": "refused"}, headers=headers)
    assert unreasoned.status_code == 422
    moved = client.post(url, json={"to": "searching"}, headers=headers)
    assert moved.status_code == 200 and moved.json()["status_words"] == "Searching"
    caseworker, _ = api_token(Role.CASEWORKER)
    denied = client.get("/api/v1/sar/requests", headers={"Authorization": f"Bearer {caseworker}"})
    assert denied.status_code == 403
