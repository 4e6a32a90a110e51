"""The identity API: find a person (terms in the body), the duplicate queue paged, a pair side
by side, merge, "not the same person" and un-merge, with the pages' permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.identity import service
from steward.identity.models import PersonMerge
from steward.records.models import Person
from tests.factories.core import make_user
from tests.factories.records import add_party, make_case, make_person

ApiToken = Callable[[Role], tuple[str, auth.User]]
LEEDS = {"line1": "12 High Street", "town": "Leeds", "postcode": "LS1 4AB"}
API = "/api/v1"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _pair(db: Session, keyring: FileKeyring) -> tuple[Person, Person]:
    case = make_case(db, keyring)
    robert = make_person(db, "Robert", "Zielinski", date(1980, 3, 5), addresses=[LEEDS])
    bob = make_person(db, "Bob", "Zielinski", date(1980, 3, 5), addresses=[LEEDS])
    add_party(db, case, robert)
    add_party(db, case, bob)
    db.commit()
    return robert, bob


def _tags(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq)))


def test_a_search_finds_the_person_by_name_with_the_terms_kept_out_of_url_and_trail(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    robert, bob = _pair(db, keyring)
    secret, _ = api_token(Role.IG_OFFICER)
    answer = client.post(
        f"{API}/search/people",
        json={"first_name": "Robert", "last_name": "Zielinski", "dob": "1980-03-05"},
        headers=_bearer(secret),
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["items"][0]["person_id"] == robert.id
    assert found["items"][0]["name"] == "Robert Zielinski"
    assert found["items"][0]["band"] == "match" and found["items"][0]["postcode"] == "LS1 4AB"
    assert found["items"][0]["reasons"]
    assert {c["person_id"] for c in found["items"]} == {robert.id, bob.id}
    assert (found["total"], found["page"], found["next_page"]) == (2, 1, None)
    assert "identity:search:run" in _tags(db)
    details = db.scalars(select(AuditEvent.details)).all()
    assert "Zielinski" not in repr(details)

    # Paged like every list: one candidate a page, the second on page 2.
    first = client.post(
        f"{API}/search/people?page_size=1",
        json={"first_name": "Robert", "last_name": "Zielinski"},
        headers=_bearer(secret),
    ).json()
    assert len(first["items"]) == 1 and first["next_page"] == 2 and first["total"] == 2


def test_a_search_without_names_is_refused_with_the_fields_to_fix(
    client: TestClient, api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.IG_OFFICER)
    answer = client.post(
        f"{API}/search/people", json={"first_name": "  ", "last_name": "!"}, headers=_bearer(secret)
    )
    assert answer.status_code == 422
    assert "first_name" in answer.json()["errors"]
    assert "!" not in answer.json()["detail"]


def test_a_caseworker_may_not_search_everyone_nor_see_the_queue(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    robert, bob = _pair(db, keyring)
    secret, _ = api_token(Role.CASEWORKER)
    search = client.post(
        f"{API}/search/people",
        json={"first_name": "Robert", "last_name": "Zielinski"},
        headers=_bearer(secret),
    )
    assert search.status_code == 403 and "Zielinski" not in search.text
    assert client.get(f"{API}/people/duplicates", headers=_bearer(secret)).status_code == 403
    compare = client.get(f"{API}/people/{robert.id}/compare/{bob.id}", headers=_bearer(secret))
    assert compare.status_code == 403
    merge = client.post(
        f"{API}/people/{robert.id}/merge",
        json={"other_person_id": bob.id},
        headers=_bearer(secret),
    )
    assert merge.status_code == 403
    assert db.scalars(select(PersonMerge)).all() == []


def test_the_queue_pages_and_a_pair_is_merged_then_unmerged(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    robert, bob = _pair(db, keyring)
    secret, _ = api_token(Role.IG_OFFICER)
    checked = client.post(f"{API}/people/duplicates/check", headers=_bearer(secret))
    assert checked.status_code == 200 and checked.json()["pairs"] == 1

    queue = client.get(f"{API}/people/duplicates", headers=_bearer(secret)).json()
    assert queue["total"] == 1 and queue["next_page"] is None
    pair = queue["items"][0]
    assert {pair["person"]["name"], pair["other"]["name"]} == {"Robert Zielinski", "Bob Zielinski"}
    assert 0 < pair["probability"] <= 1
    assert "identity:duplicates:listed" in _tags(db)

    low, high = sorted((robert.id, bob.id))
    detail = client.get(f"{API}/people/{high}/compare/{low}", headers=_bearer(secret))
    assert detail.status_code == 200
    side = detail.json()
    assert side["person"]["person_id"] == low and side["other"]["person_id"] == high
    assert side["person"]["case_list"][0]["role"] == "child_subject"
    assert side["merge_id"] is None and side["not_same"] is False

    merged = client.post(
        f"{API}/people/{robert.id}/merge", json={"other_person_id": bob.id}, headers=_bearer(secret)
    )
    assert merged.status_code == 201, merged.text
    merge_id = merged.json()["id"]
    assert (merged.json()["person_id"], merged.json()["other_person_id"]) == (low, high)
    again = client.post(
        f"{API}/people/{bob.id}/merge", json={"other_person_id": robert.id}, headers=_bearer(secret)
    )
    assert again.status_code == 409
    assert client.get(f"{API}/people/duplicates", headers=_bearer(secret)).json()["total"] == 0
    compared = client.get(f"{API}/people/{low}/compare/{high}", headers=_bearer(secret)).json()
    assert compared["merge_id"] == merge_id

    undone = client.post(f"{API}/people/merges/{merge_id}/unmerge", headers=_bearer(secret))
    assert undone.status_code == 200 and undone.json()["unmerged_at"] is not None
    twice = client.post(f"{API}/people/merges/{merge_id}/unmerge", headers=_bearer(secret))
    assert twice.status_code == 404


def test_not_the_same_person_takes_the_pair_off_the_queue(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    robert, bob = _pair(db, keyring)
    service.check_duplicates(db, actor=make_user(db, Role.IG_OFFICER).actor)
    db.commit()
    secret, _ = api_token(Role.DPO)
    answer = client.post(
        f"{API}/people/{bob.id}/not-same",
        json={"other_person_id": robert.id},
        headers=_bearer(secret),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["decided_at"] is not None
    assert client.get(f"{API}/people/duplicates", headers=_bearer(secret)).json()["items"] == []
    side = client.get(f"{API}/people/{robert.id}/compare/{bob.id}", headers=_bearer(secret))
    assert side.json()["not_same"] is True


def test_unknown_people_answer_404_and_a_record_with_itself_422(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    robert, _ = _pair(db, keyring)
    secret, _ = api_token(Role.IG_OFFICER)
    headers = _bearer(secret)
    assert (
        client.get(f"{API}/people/{robert.id}/compare/987654", headers=headers).status_code == 404
    )
    merge = client.post(
        f"{API}/people/{robert.id}/merge", json={"other_person_id": 987654}, headers=headers
    )
    assert merge.status_code == 404
    not_same = client.post(
        f"{API}/people/987654/not-same", json={"other_person_id": robert.id}, headers=headers
    )
    assert not_same.status_code == 404
    itself = client.get(f"{API}/people/{robert.id}/compare/{robert.id}", headers=headers)
    assert itself.status_code == 422
    assert client.post(f"{API}/people/merges/987654/unmerge", headers=headers).status_code == 404


def test_the_document_declares_the_search_rate_limited_and_the_queue_permission(
    client: TestClient,
) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    search = paths[f"{API}/search/people"]["post"]
    assert "Retry-After" in search["responses"]["429"]["headers"]
    assert {p["name"] for p in search["parameters"]} == {"page", "page_size"}
    assert paths[f"{API}/people/duplicates"]["get"]["x-steward-permission"] == ["people:manage"]
    assert "429" in paths[f"{API}/archives/search"]["post"]["responses"]
