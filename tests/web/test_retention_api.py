"""The retention API: the schedule loaded, its impact read and approved by a second person,
the due list and a case's date explained, a hold placed and lifted, and a disposal list
proposed, decided, approved by someone who decided none of it, carried out as a background
job and certified, through the same services as the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.retention import schedule_format
from tests.retention.helpers import case_with_children

ApiToken = Callable[[Role], tuple[str, auth.User]]
API = "/api/v1/retention"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_from_schedule_to_certificate_through_the_api(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    case = case_with_children(db, keyring, date(2008, 2, 29))
    number, case_id = case.case_number, case.id
    db.commit()
    officer_secret, officer = api_token(Role.IG_OFFICER)
    dpo_secret, dpo = api_token(Role.DPO)
    as_officer, as_dpo = _bearer(officer_secret), _bearer(dpo_secret)

    bad = client.post(
        f"{API}/schedules", json={"source": "title: x\nrules: []\n"}, headers=as_officer
    )
    assert bad.status_code == 422 and "owner" in bad.json()["detail"] + str(bad.json()["errors"])
    loaded = client.post(
        f"{API}/schedules",
        json={"source": schedule_format.default_schedule_text()},
        headers=as_officer,
    )
    assert loaded.status_code == 201, loaded.text
    draft = loaded.json()
    assert draft["status"] == "draft" and draft["loaded_by"] == officer.username
    impact = {i["class_code"]: i for i in draft["impact"]}
    assert impact["CASE.PRIVATE"]["records"] >= 1
    assert impact["CASE.PRIVATE"]["gains_date"] >= 1  # nothing was approved before it
    listed = client.get(f"{API}/schedules", headers=as_officer).json()
    assert listed["items"][0]["version"] == draft["version"]
    detail = client.get(f"{API}/schedules/{draft['version']}", headers=as_officer).json()
    assert detail["impact"] == draft["impact"] and "CASE.PRIVATE" in detail["source"]

    approved = client.post(f"{API}/schedules/{draft['version']}/approve", headers=as_dpo)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", dpo.username)
    again = client.post(f"{API}/schedules/{draft['version']}/approve", headers=as_dpo)
    assert again.status_code == 409 and "only a draft" in again.json()["detail"]

    due = client.get(f"{API}/due", params={"as_of": "2033-03-01"}, headers=as_officer)
    assert due.status_code == 200, due.text
    [row] = [r for r in due.json()["items"] if r["identifier"] == number]
    assert row["due_on"] == "2033-03-01" and row["held"] is False  # 29 February + 25 years
    assert row["explanation"] == f"{API}/cases/{case_id}"
    early = client.get(f"{API}/due", params={"as_of": "2033-02-28"}, headers=as_officer).json()
    assert number not in [r["identifier"] for r in early["items"]]
    wrong_kind = client.get(f"{API}/due", params={"kind": "boat"}, headers=as_officer)
    assert wrong_kind.status_code == 422 and "query.kind" in wrong_kind.json()["errors"]

    explained = client.get(row["explanation"], headers=as_officer)
    assert explained.status_code == 200, explained.text
    assert (
        "youngest child subject Child0, born 2008-02-29, reaches 25 on 2033-03-01"
        in explained.json()["facts"]
    )

    held = client.post(
        f"{API}/holds",
        json={
            "kind": "complaint",
            "scope": "case",
            "targets": [number.lower()],
            "reason": "Complaint to the ombudsman about the case",
            "reference": "OMB-1",
        },
        headers=as_officer,
    )
    assert held.status_code == 201, held.text
    hold = held.json()
    assert [c["label"] for c in hold["covers"]] == [number]
    assert hold["reason"] == "Complaint to the ombudsman about the case"
    assert hold["placed_by"] == officer.username
    only_held = client.get(
        f"{API}/due", params={"as_of": "2033-03-01", "held": "true"}, headers=as_officer
    ).json()
    assert [r["identifier"] for r in only_held["items"]] == [number]
    active = client.get(f"{API}/holds", headers=as_officer).json()
    assert [h["id"] for h in active["items"]] == [hold["id"]]
    lifted = client.post(
        f"{API}/holds/{hold['id']}/release",
        json={"reason": "The ombudsman closed the complaint"},
        headers=as_officer,
    )
    assert lifted.status_code == 200 and lifted.json()["released_by"] == officer.username
    assert lifted.json()["release_reason"] == "The ombudsman closed the complaint"
    twice = client.post(
        f"{API}/holds/{hold['id']}/release", json={"reason": "again"}, headers=as_officer
    )
    assert twice.status_code == 409
    assert client.get(f"{API}/holds", headers=as_officer).json()["items"] == []

    proposed = client.post(f"{API}/disposal", json={"as_of": "2040-01-01"}, headers=as_officer)
    assert proposed.status_code == 201, proposed.text
    listing = proposed.json()
    assert listing["status"] == "in_review" and listing["proposed_by"] == officer.username
    assert listing["counts"]["undecided"] == listing["counts"]["total"] >= 1
    items = client.get(listing["items"], headers=as_officer).json()
    [item] = [i for i in items["items"] if i["identifier"] == number]
    assert item["decision"] == "pending" and item["outcome"] == "pending"

    keep = client.post(
        f"{API}/disposal/{listing['id']}/decisions",
        json={"decision": "retain", "item_ids": [item["id"]], "reason": "short"},
        headers=as_officer,
    )
    assert keep.status_code == 422 and "reason" in keep.json()["errors"]
    numeric = client.post(
        f"{API}/disposal/{listing['id']}/decisions",
        json={"decision": "retain", "reason": "Linked to an open inquiry", "review_on": 20300101},
        headers=as_officer,
    )
    assert numeric.status_code == 422 and "review_on" in numeric.json()["errors"]
    decided = client.post(
        f"{API}/disposal/{listing['id']}/decisions",
        json={"decision": "destroy"},
        headers=as_officer,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json() == {"decided": listing["counts"]["total"], "undecided": 0}

    # The officer decided the items: the second approval must be someone else's.
    mine = client.get(f"{API}/disposal/{listing['id']}", headers=as_officer).json()
    assert mine["may_approve"] is False and "second person" in mine["approval_refusal"]
    refused = client.post(f"{API}/disposal/{listing['id']}/approve", headers=as_officer)
    assert refused.status_code == 403 and "second person" in refused.json()["detail"]
    early_run = client.post(f"{API}/disposal/{listing['id']}/carry-out", headers=as_dpo)
    assert early_run.status_code == 409
    ok = client.post(f"{API}/disposal/{listing['id']}/approve", headers=as_dpo)
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["approved_by"]) == ("approved", dpo.username)

    started = client.post(f"{API}/disposal/{listing['id']}/carry-out", headers=as_dpo)
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    followed = client.get(job["url"], headers=as_dpo).json()
    assert followed["finished"] is True and followed["status"] == "done"  # run at once in tests

    done = client.get(f"{API}/disposal/{listing['id']}", headers=as_officer).json()
    assert done["status"] == "completed" and done["job"]["id"] == job["id"]
    items = client.get(listing["items"], headers=as_officer).json()
    [item] = [i for i in items["items"] if i["identifier"] == number]
    assert item["outcome"] == "destroyed" and item["decided_by"] == officer.username
    cert = client.get(done["certificate"], headers=as_officer)
    assert cert.status_code == 200, cert.text
    body = cert.json()
    assert body["destroyed_count"] >= 1 and body["list_id"] == listing["id"]
    assert (body["proposed_by"], body["decided_by"]) == (officer.username, [officer.username])
    assert (body["approved_by"], body["executed_by"]) == (dpo.username, dpo.username)
    assert "CASE.PRIVATE" in [r["class_code"] for r in body["rules"]]
    assert "Child0" not in cert.text  # a certificate names no one in the records


def test_retention_is_refused_to_roles_without_it_and_says_which_permission(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    for path in ("/due", "/holds", "/schedules", "/disposal"):
        response = client.get(f"{API}{path}", headers=_bearer(secret))
        assert response.status_code == 403, path
        assert response.json()["detail"]
    document = client.get("/api/v1/openapi.json").json()
    due = document["paths"][f"{API}/due"]["get"]
    assert due["x-steward-permission"] == ["retention:manage"]
    assert "409" in due["responses"]  # no schedule approved yet
    carry = document["paths"][f"{API}/disposal/{{list_id}}/carry-out"]["post"]
    assert carry["x-steward-permission"] == ["retention:approve"] and "202" in carry["responses"]


def test_a_list_or_schedule_that_does_not_exist_is_404(
    client: TestClient, api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    for path in ("/disposal/999999", "/disposal/999999/items", "/schedules/999999"):
        response = client.get(f"{API}{path}", headers=_bearer(secret))
        assert response.status_code == 404, path
    missing = client.post(
        f"{API}/holds/999999/release", json={"reason": "No longer needed"}, headers=_bearer(secret)
    )
    assert missing.status_code == 404


def test_a_hold_on_a_case_that_does_not_exist_is_refused_with_the_field(
    client: TestClient, api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    response = client.post(
        f"{API}/holds",
        json={"kind": "police", "scope": "case", "targets": ["NOPE1"], "reason": "Enquiry"},
        headers=_bearer(secret),
    )
    assert response.status_code == 422 and "targets" in response.json()["errors"]
    empty = client.post(
        f"{API}/holds",
        json={"kind": "police", "scope": "case", "targets": [], "reason": "Enquiry"},
        headers=_bearer(secret),
    )
    assert empty.status_code == 422 and "targets" in empty.json()["errors"]
