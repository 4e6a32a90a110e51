"""The paper archive API: locations, boxes and files paged, a file's names to those who may
read its case, retrievals asked for and moved on, certificates, and the search by person
(terms in the body), with the pages' permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.archives import service
from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service as records
from tests.archives import builders
from tests.factories.records import make_case

ApiToken = Callable[[Role], tuple[str, auth.User]]
API = "/api/v1/archives"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_archive_staff_walk_locations_boxes_and_files_page_by_page(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    shelf = builders.location(db)
    box = builders.box(db, shelf)
    builders.box(db, shelf)
    for reference in ("PF-B", "PF-A", "PF-C"):
        builders.paper_file(db, box, reference=reference, names=[("Ava Zielinska", None)])
    loose = builders.paper_file(db, reference="PF-LOOSE")
    secret, _ = api_token(Role.IG_OFFICER)
    headers = _bearer(secret)

    places = client.get(f"{API}/locations", headers=headers).json()
    listed = {p["id"]: p for p in places["items"]}
    assert listed[shelf.id]["boxes"] == 2 and listed[shelf.id]["code"] == shelf.code
    assert client.get(f"{API}/locations/{shelf.id}", headers=headers).json()["code"] == shelf.code
    boxes = client.get(f"{API}/locations/{shelf.id}/boxes?page_size=1", headers=headers).json()
    assert (len(boxes["items"]), boxes["total"], boxes["next_page"]) == (1, 2, 2)

    detail = client.get(f"{API}/boxes/{box.id}", headers=headers).json()
    assert [f["file_reference"] for f in detail["files"]] == ["PF-A", "PF-B", "PF-C"]
    assert detail["location_code"] == shelf.code
    assert detail["history"][0]["to_location"] == shelf.code
    assert "Zielinska" not in repr(detail)  # a box lists references, not names

    page = client.get(f"{API}/files?box_id={box.id}&page_size=2", headers=headers).json()
    assert [f["file_reference"] for f in page["items"]] == ["PF-A", "PF-B"]
    assert (page["total"], page["next_page"]) == (3, 2)
    second = client.get(f"{API}/files?box_id={box.id}&page_size=2&page=2", headers=headers)
    assert [f["file_reference"] for f in second.json()["items"]] == ["PF-C"]
    unboxed = client.get(f"{API}/files?unboxed=true", headers=headers).json()
    assert [f["id"] for f in unboxed["items"]] == [loose.id]
    # A misspelt filter is refused, not ignored (which would answer every file).
    misspelt = client.get(f"{API}/files?bx_id={box.id}", headers=headers)
    assert misspelt.status_code == 422 and "box_id" in misspelt.json()["errors"]["query"]


def test_a_file_shows_its_names_only_to_those_who_may_read_its_case(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, worker = api_token(Role.CASEWORKER)
    mine, theirs = make_case(db, keyring), make_case(db, keyring)
    records.assign(db, Actor.system(), case_id=mine.id, user_id=worker.id)
    own = builders.paper_file(
        db, case_number=mine.case_number, names=[("Ava Zielinska", date(2015, 3, 2))]
    )
    other = builders.paper_file(db, case_number=theirs.case_number, names=[("Noor Khan", None)])
    db.commit()
    headers = _bearer(secret)

    detail = client.get(f"{API}/files/{own.id}", headers=headers)
    assert detail.status_code == 200
    assert detail.json()["names"] == [
        {"name_as_written": "Ava Zielinska", "date_of_birth": "2015-03-02", "role": None}
    ]
    assert detail.json()["case_id"] == mine.id
    hidden = client.get(f"{API}/files/{other.id}", headers=headers)
    assert hidden.status_code == 404 and "Khan" not in hidden.text
    assert client.get(f"{API}/files/{other.id + 1000}", headers=headers).status_code == 404
    # The archive's own lists are for archive staff.
    for path in ("/locations", "/files", "/certificates", f"/boxes/{own.id}"):
        assert client.get(f"{API}{path}", headers=headers).status_code == 403, path
    search = client.post(f"{API}/search", json={"names": ["Noor Khan"]}, headers=headers)
    assert search.status_code == 403 and "Khan" not in search.text


def test_a_caseworker_asks_for_a_file_and_archive_staff_hand_it_out_and_back(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, worker = api_token(Role.CASEWORKER)
    staff, _ = api_token(Role.IG_OFFICER)
    case = make_case(db, keyring)
    records.assign(db, Actor.system(), case_id=case.id, user_id=worker.id)
    paper = builders.paper_file(
        db, builders.box(db, builders.location(db)), case_number=case.case_number
    )
    db.commit()

    asked = client.post(
        f"{API}/files/{paper.id}/retrievals",
        json={"purpose": "court", "note": "For the hearing on Monday"},
        headers=_bearer(secret),
    )
    assert asked.status_code == 201, asked.text
    retrieval = asked.json()
    assert retrieval["status"] == "requested" and retrieval["requested_by"] == worker.username
    twice = client.post(
        f"{API}/files/{paper.id}/retrievals", json={"purpose": "court"}, headers=_bearer(secret)
    )
    assert twice.status_code == 409
    mine = client.get(f"{API}/retrievals", headers=_bearer(secret)).json()
    assert [r["id"] for r in mine["items"]] == [retrieval["id"]]
    refused = client.post(f"{API}/retrievals/{retrieval['id']}/out", headers=_bearer(secret))
    assert refused.status_code == 403

    out = client.post(f"{API}/retrievals/{retrieval['id']}/out", headers=_bearer(staff))
    assert out.status_code == 200 and out.json()["status"] == "out"
    assert out.json()["due_back_on"] is not None
    detail = client.get(f"{API}/files/{paper.id}", headers=_bearer(staff)).json()
    assert detail["retrievals"][0]["note"] == "For the hearing on Monday"
    back = client.post(f"{API}/retrievals/{retrieval['id']}/return", headers=_bearer(staff))
    assert back.status_code == 200 and back.json()["status"] == "returned"
    again = client.post(f"{API}/retrievals/{retrieval['id']}/return", headers=_bearer(staff))
    assert again.status_code == 409
    cancel = client.post(f"{API}/retrievals/{retrieval['id']}/cancel", headers=_bearer(secret))
    assert cancel.status_code == 409
    returned = client.get(f"{API}/retrievals?view=returned", headers=_bearer(staff)).json()
    assert [r["id"] for r in returned["items"]] == [retrieval["id"]]
    assert client.post(f"{API}/retrievals/987654/out", headers=_bearer(staff)).status_code == 404


def test_archive_staff_add_places_and_boxes_move_and_ask_for_a_box(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    headers = _bearer(secret)
    shelf = client.post(
        f"{API}/locations", json={"kind": "on_site", "site": "HQ", "room": "R9"}, headers=headers
    )
    assert shelf.status_code == 201, shelf.text
    store = client.post(
        f"{API}/locations",
        json={"kind": "off_site", "contractor": "Deep Store", "code": "DEEP-1"},
        headers=headers,
    )
    assert store.status_code == 201 and store.json()["code"] == "DEEP-1"
    clash = client.post(
        f"{API}/locations",
        json={"kind": "off_site", "contractor": "Deep Store", "code": "DEEP-1"},
        headers=headers,
    )
    assert clash.status_code == 409
    incomplete = client.post(f"{API}/locations", json={"kind": "off_site"}, headers=headers)
    assert incomplete.status_code == 422

    box = client.post(
        f"{API}/boxes",
        json={"barcode": "BX-API-1", "location_id": shelf.json()["id"]},
        headers=headers,
    )
    assert box.status_code == 201 and box.json()["status"] == "on_site"
    moved = client.post(
        f"{API}/boxes/{box.json()['id']}/move",
        json={"location_id": store.json()["id"], "contractor_ref": "C-77"},
        headers=headers,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "off_site"
    history = client.get(f"{API}/boxes/{box.json()['id']}", headers=headers).json()["history"]
    assert [h["to_location"] for h in history] == ["DEEP-1", shelf.json()["code"]]
    asked = client.post(
        f"{API}/boxes/{box.json()['id']}/retrievals", json={"purpose": "audit"}, headers=headers
    )
    assert asked.status_code == 201 and asked.json()["box_barcode"] == "BX-API-1"
    assert client.get(f"{API}/boxes/987654", headers=headers).status_code == 404
    assert client.get(f"{API}/locations/987654", headers=headers).status_code == 404


def test_certificates_list_and_detail(client: TestClient, api_token: ApiToken, db: Session) -> None:
    system = Actor.system()
    gone = builders.paper_file(db, reference="PF-GONE")
    service.mark_for_destruction(db, actor=system, file_ids=[gone.id], reference="D-1")
    result = service.reconcile_certificate(
        db, actor=system, reference="D-1", content=b"file_reference\r\nPF-GONE\r\nPF-WHO\r\n"
    )
    secret, _ = api_token(Role.DPO)
    listed = client.get(f"{API}/certificates", headers=_bearer(secret)).json()
    assert [c["id"] for c in listed["items"]] == [result.certificate_id]
    assert listed["items"][0]["destroyed_count"] == 1
    detail = client.get(f"{API}/certificates/{result.certificate_id}", headers=_bearer(secret))
    outcomes = {line["identifier"]: line["outcome"] for line in detail.json()["lines"]}
    assert outcomes == {"PF-GONE": "destroyed", "PF-WHO": "unexpected"}
    missing = client.get(f"{API}/certificates/987654", headers=_bearer(secret))
    assert missing.status_code == 404


def test_search_by_person_takes_its_terms_in_the_body(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    hit = builders.paper_file(db, names=[("Ava Zielinska", date(2015, 3, 2))])
    builders.paper_file(db, names=[("Noor Khan", None)])
    secret, _ = api_token(Role.IG_OFFICER)
    before = builders.event_count(db)
    answer = client.post(
        f"{API}/search",
        json={"names": ["Ava Zielinska"], "date_of_birth": "2015-03-02"},
        headers=_bearer(secret),
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [h["paper_file_id"] for h in found["items"]] == [hit.id]
    assert found["items"][0]["matched_names"][0]["name_as_written"] == "Ava Zielinska"
    assert found["total"] == 1 and found["next_page"] is None
    searched = builders.events(db, "archives:search:run")
    assert len(searched) == 1 and builders.event_count(db) == before + 1
    assert "Zielinska" not in repr(searched[0].details)

    empty = client.post(f"{API}/search", json={}, headers=_bearer(secret))
    assert empty.status_code == 422 and empty.json()["errors"]
    in_url = client.get(f"{API}/search?names=Ava", headers=_bearer(secret))
    assert in_url.status_code == 405
