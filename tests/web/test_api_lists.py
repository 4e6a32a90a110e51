"""Every list of /api/v1 answers one page at a time in one envelope (docs/api.md,
"Pagination"), the document says so, and a query parameter an operation does not declare is
refused on every operation. The full-text search takes its words in a POST body.

The walk reads the OpenAPI document, so a list added later in an older shape (a bare array,
or ``{total, page, pages, <name>: [...]}``) fails here without anyone listing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.web.app import API_PREFIX
from tests.web.records_helpers import case_file

ApiToken = Callable[[Role], tuple[str, auth.User]]
ENVELOPE = {"items", "total", "total_capped", "page", "page_size", "next_page"}
# The shape lists answered before 0.3, ``{total, page, pages, <name>: [...]}``: a body with a
# total and a page (or a count of pages) is list-shaped. (A document's ``pages`` of text, a
# job's ``total`` of steps are not.)
OLD_LIST_KEYS = {"page", "pages"}
# A path parameter filled in for requests the walk makes: an id that exists nowhere.
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    answer = client.get(f"{API_PREFIX}/openapi.json")
    assert answer.status_code == 200
    spec: dict[str, Any] = answer.json()
    return spec


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _ok_body(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    ok = operation["responses"].get("200") or operation["responses"].get("201") or {}
    schema = ok.get("content", {}).get("application/json", {}).get("schema")
    return _resolve(spec, schema) if schema else None


def _is_envelope(body: dict[str, Any]) -> bool:
    return (
        set(body.get("required", ())) >= ENVELOPE
        and body["properties"]["items"].get("type") == "array"
    )


def _list_shaped(body: dict[str, Any]) -> bool:
    properties = set(body.get("properties", {}))
    return body.get("type") == "array" or (
        "total" in properties and bool(OLD_LIST_KEYS & properties)
    )


def _enveloped(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for method, path, operation in _operations(spec):
        body = _ok_body(spec, operation)
        if body is not None and _is_envelope(body):
            found.append((method, path, operation))
    return found


def _url(path: str) -> str:
    return PATH_PARAMETER.sub("1", path)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --- The document -----------------------------------------------------------------------------


def test_every_list_in_the_document_answers_the_envelope(document: dict[str, Any]) -> None:
    old_shapes = []
    for method, path, operation in _operations(document):
        body = _ok_body(document, operation)
        if body is not None and _list_shaped(body) and not _is_envelope(body):
            old_shapes.append(f"{method} {path}")
    assert old_shapes == [], "lists in an older shape: answer ApiPage[...] (docs/api.md)"
    # The walk must be seeing the lists at all: every one converted by 0.3 is among them.
    listed = {(method, path) for method, path, _ in _enveloped(document)}
    for path in (
        "/retention/undatable",
        "/people/{person_id}/corrections",
        "/search",
        "/sar/requests",
        "/sar/requests/{request_id}/disclosure",
        "/sar/requests/{request_id}/delivery",
        "/training/staff",
        "/training/courses",
        "/training/requirements",
        "/training/team",
        "/training/reminders",
        "/training/me",
        "/intake/partners",
        "/intake/partners/{partner_id}/agreements",
        "/intake/datasets",
        "/intake/submissions",
        "/intake/held",
        "/intake/notices",
        "/intake/corrections",
    ):
        assert ("GET", f"{API_PREFIX}{path}") in listed, path
    assert ("POST", f"{API_PREFIX}/search") in listed


def test_every_enveloped_list_takes_page_and_page_size_up_to_500(document: dict[str, Any]) -> None:
    for method, path, operation in _enveloped(document):
        query = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
        assert query["page"]["minimum"] == 1, (method, path)
        assert (query["page_size"]["minimum"], query["page_size"]["maximum"]) == (1, 500), path


def test_a_list_with_a_summary_keeps_it_beside_the_envelope(document: dict[str, Any]) -> None:
    def body(path: str) -> dict[str, Any]:
        found = _ok_body(document, document["paths"][f"{API_PREFIX}{path}"]["get"])
        assert found is not None
        return found

    assert "by_class" in body("/retention/undatable")["properties"]
    assert {"state"} <= set(body("/sar/requests/{request_id}/disclosure")["properties"])
    assert {"posted", "working"} <= set(body("/sar/requests/{request_id}/delivery")["properties"])
    assert {"as_of", "overdue", "due_soon"} <= set(body("/training/team")["properties"])
    assert {"linked", "lines"} <= set(body("/training/me")["properties"])
    assert {"linked", "partner_name"} <= set(body("/intake/corrections")["properties"])


def test_the_get_search_is_deprecated_for_the_post(document: dict[str, Any]) -> None:
    search = document["paths"][f"{API_PREFIX}/search"]
    assert search["get"]["deprecated"] is True
    assert "deprecated" not in search["post"]
    body = search["post"]["requestBody"]["content"]["application/json"]["schema"]
    terms = _resolve(document, body)
    assert terms["required"] == ["q"] and terms["properties"]["q"]["minLength"] == 1
    # Left out, both kinds; sent, one of the two (never null).
    assert terms["properties"]["kind"] == {
        "description": "Only people, or only documents (both when left out)",
        "enum": ["person", "document"],
        "title": "Kind",
        "type": "string",
    }
    assert terms["examples"]
    assert "429" in search["post"]["responses"]
    assert all(p["name"] != "q" for p in search["post"]["parameters"])


def test_statuses_and_kinds_are_enumerations(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def enum_of(model: str, field: str) -> list[str]:
        found = _resolve(document, schemas[model]["properties"][field])
        if "items" in found:
            found = _resolve(document, found["items"])
        values: list[str] = found["enum"]
        return values

    assert "overdue" in enum_of("TeamLineRead", "status")
    assert "induction" in enum_of("TeamLineRead", "kind")
    assert "nudge" in enum_of("ReminderLogRead", "kind")
    assert "moodle" in enum_of("CompletionRead", "source")
    assert "person.conflict" in enum_of("HeldLineRead", "codes")
    assert "person.conflict" in enum_of("HeldIssueRead", "code")


# --- The app ---------------------------------------------------------------------------------


def test_a_page_size_over_500_is_refused_on_every_list(
    client: TestClient, document: dict[str, Any], api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.DPO)
    for method, path, _ in _enveloped(document):
        answer = client.request(
            method,
            _url(path),
            params={"page_size": 501},
            json={"q": "a"} if method == "POST" else None,
            headers=_bearer(secret),
        )
        assert answer.status_code == 422, (method, path, answer.text)
        errors = answer.json()["errors"]
        assert errors["query.page_size"] == "Input should be less than or equal to 500", path


def test_an_unknown_query_parameter_is_refused_on_every_operation(
    client: TestClient, document: dict[str, Any], api_token: ApiToken
) -> None:
    secret, _ = api_token(Role.DPO)
    operations = list(_operations(document))
    assert len(operations) > 90
    for method, path, _ in operations:
        answer = client.request(
            method, _url(path), params={"stauts": "out"}, headers=_bearer(secret)
        )
        assert answer.status_code == 422, (method, path, answer.status_code, answer.text)
        body = answer.json()
        assert "Unknown query parameter" in body["errors"]["query"], (method, path)
        assert "stauts" not in answer.text  # what the caller typed is not repeated


def test_a_declared_parameter_is_still_taken(client: TestClient, api_token: ApiToken) -> None:
    secret, _ = api_token(Role.DPO)
    answer = client.get(
        f"{API_PREFIX}/sar/requests",
        params={"page": 1, "page_size": 10, "overdue": "false"},
        headers=_bearer(secret),
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == ENVELOPE


def test_post_search_finds_what_get_found(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, user = api_token(Role.CASEWORKER)
    for first in ("Odile", "Ottilie", "Oona"):
        case_file(db, keyring, assigned_to=user, child_name=(first, "Quennell"))
    db.commit()
    by_get = client.get(f"{API_PREFIX}/search", params={"q": "Quennell"}, headers=_bearer(secret))
    by_post = client.post(f"{API_PREFIX}/search", json={"q": "Quennell"}, headers=_bearer(secret))
    assert by_get.status_code == by_post.status_code == 200
    assert by_post.json() == by_get.json()
    found = by_post.json()
    assert set(found) == ENVELOPE
    assert found["total"] == 3 and found["next_page"] is None and not found["total_capped"]
    assert {h["label"] for h in found["items"]} == {
        "Odile Quennell",
        "Ottilie Quennell",
        "Oona Quennell",
    }
    # Page by page, the same hits in the same order, none twice.
    walked: list[tuple[str, int]] = []
    page: int | None = 1
    while page is not None:
        answer = client.post(
            f"{API_PREFIX}/search",
            params={"page": page, "page_size": 2},
            json={"q": "Quennell"},
            headers=_bearer(secret),
        ).json()
        walked += [(h["kind"], h["id"]) for h in answer["items"]]
        page = answer["next_page"]
    assert walked == [(h["kind"], h["id"]) for h in found["items"]]
    only_documents = client.post(
        f"{API_PREFIX}/search", json={"q": "Quennell", "kind": "document"}, headers=_bearer(secret)
    ).json()
    assert all(h["kind"] == "document" for h in only_documents["items"])
    only_people = client.post(
        f"{API_PREFIX}/search", json={"q": "Quennell", "kind": "person"}, headers=_bearer(secret)
    ).json()
    assert only_people["total"] == 3
    assert only_documents["total"] + only_people["total"] == found["total"]


def test_a_search_runs_over_both_kinds_across_a_page_boundary(
    client: TestClient, api_token: ApiToken, db: Session, keyring: FileKeyring
) -> None:
    secret, user = api_token(Role.CASEWORKER)
    made = case_file(db, keyring, assigned_to=user, child_name=("Wendeline", "Grisewood"))
    db.commit()
    everything = client.post(
        f"{API_PREFIX}/search", json={"q": "Grisewood"}, headers=_bearer(secret)
    ).json()
    kinds = [h["kind"] for h in everything["items"]]
    assert kinds == sorted(kinds, key=["person", "document"].index)  # people, then documents
    assert ("person", made.child.id) in [(h["kind"], h["id"]) for h in everything["items"]]
    walked = []
    for number in range(1, everything["total"] + 1):
        one = client.post(
            f"{API_PREFIX}/search",
            params={"page": number, "page_size": 1},
            json={"q": "Grisewood"},
            headers=_bearer(secret),
        ).json()
        assert one["total"] == everything["total"]
        walked += one["items"]
    assert walked == everything["items"]
    past = client.post(
        f"{API_PREFIX}/search",
        params={"page": everything["total"] + 1, "page_size": 1},
        json={"q": "Grisewood"},
        headers=_bearer(secret),
    ).json()
    assert past["items"] == [] and past["total"] == everything["total"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 201},
        {"q": "Quennell", "kind": None},
        {"q": "Quennell", "kind": "case"},
        {"q": "Quennell", "surname": "Quennell"},
        {"q": 7},
    ],
)
def test_a_search_body_that_breaks_its_schema_is_refused(
    client: TestClient, api_token: ApiToken, body: dict[str, Any]
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    answer = client.post(f"{API_PREFIX}/search", json=body, headers=_bearer(secret))
    assert answer.status_code == 422, body
    assert answer.json()["errors"]
    assert "Quennell" not in answer.text  # the words are names: never repeated back


@pytest.mark.parametrize("words", ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "../../etc"])
def test_hostile_words_find_nothing_and_break_nothing(
    client: TestClient, api_token: ApiToken, words: str
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    answer = client.post(f"{API_PREFIX}/search", json={"q": words}, headers=_bearer(secret))
    assert answer.status_code == 200
    assert answer.json()["items"] == [] and answer.json()["total"] == 0


def test_a_search_needs_a_token_and_a_role_that_reads_cases(
    client: TestClient, api_token: ApiToken
) -> None:
    assert client.post(f"{API_PREFIX}/search", json={"q": "Quennell"}).status_code == 401
    secret, _ = api_token(Role.AUDITOR)
    refused = client.post(f"{API_PREFIX}/search", json={"q": "Quennell"}, headers=_bearer(secret))
    assert refused.status_code == 403
    assert "Quennell" not in refused.text
