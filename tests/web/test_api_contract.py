"""The OpenAPI document of /api/v1 is the contract (docs/api.md): every route is in it, every
operation declares its errors and security, the errors answer the one documented body, and
lists share one page envelope. Schemathesis holds the app to the document in
test_api_contract_schemathesis.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema_rs import Draft202012Validator  # Schemathesis's own validator
from schemathesis.config import SchemathesisConfig

from steward.core.permissions import Role
from steward.web.api_contract import ERROR_SCHEMA, api_routes
from steward.web.app import API_PREFIX

pytestmark = pytest.mark.api_contract

SEED = 20_260_501
CASES = 8
OPENAPI = f"{API_PREFIX}/openapi.json"
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {"max-examples": 4, "database": "none", "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
        "checks": {"enabled": True},
    }
)
ERROR_STATUSES_OF_EVERY_OPERATION = {"401", "403", "422", "500"}


# --- The document against the routes ----------------------------------------------------------


@pytest.fixture
def document(app: FastAPI, client: TestClient) -> dict[str, Any]:
    answer = client.get(OPENAPI)
    assert answer.status_code == 200
    spec: dict[str, Any] = answer.json()
    return spec


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_every_api_route_is_in_the_document(app: FastAPI, document: dict[str, Any]) -> None:
    served = {
        (method, route.path_format)
        for route in api_routes(app)
        for method in route.methods
        if method != "HEAD"
    }
    documented = {(method, path) for method, path, _ in _operations(document)}
    assert len(served) > 90, "the walk of the app's routes found too few: is it still working?"
    assert served - documented == set(), "routes the document does not describe"
    assert documented - served == set(), "operations the app does not serve"


def test_every_operation_declares_its_errors_and_security(document: dict[str, Any]) -> None:
    error_ref = f"#/components/schemas/{ERROR_SCHEMA}"
    for method, path, operation in _operations(document):
        label = f"{method} {path}"
        responses = operation["responses"]
        assert responses.keys() >= ERROR_STATUSES_OF_EVERY_OPERATION, label
        assert operation["security"] == [{"HTTPBearer": []}], label
        if "{" in path:
            assert "404" in responses, label
        if "requestBody" in operation:
            assert {"413", "415"} <= responses.keys(), label
        for status, response in responses.items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": error_ref} or {"$ref": error_ref} in schema["anyOf"], (
                label,
                status,
            )
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_permission_named_by_api_requires_is_in_the_document(
    document: dict[str, Any],
) -> None:
    create_user = document["paths"][f"{API_PREFIX}/users"]["post"]
    assert create_user["x-steward-permission"] == ["users:manage"]
    assert "Needs the permission `users:manage`." in create_user["description"]
    assert "x-steward-permission" not in document["paths"][f"{API_PREFIX}/me"]["get"]


def test_a_rate_limited_operation_declares_429_with_retry_after(
    document: dict[str, Any],
) -> None:
    break_glass = document["paths"][f"{API_PREFIX}/cases/{{case_id}}/break-glass"]["post"]
    assert "Retry-After" in break_glass["responses"]["429"]["headers"]
    assert "429" not in document["paths"][f"{API_PREFIX}/cases/{{case_id}}"]["get"]["responses"]


def test_lists_share_one_page_envelope(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for path in (
        "/users",
        "/audit/events",
        "/cases",
        "/tokens",
        "/role-grants",
        "/people/duplicates",
        "/archives/locations",
        "/archives/files",
        "/archives/retrievals",
        "/archives/certificates",
    ):
        operation = document["paths"][f"{API_PREFIX}{path}"]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schemas[ref.rsplit("/", 1)[1]]
        assert set(envelope["required"]) == {
            "items",
            "total",
            "total_capped",
            "page",
            "page_size",
            "next_page",
        }, path
        sizes = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert sizes["page_size"]["maximum"] == 500, path


# --- Error bodies as documented ---------------------------------------------------------------


def _validator(document: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{ERROR_SCHEMA}", "components": document["components"]}
    )


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_each_kind_of_refusal_answers_the_documented_body(
    client: TestClient, document: dict[str, Any], api_token: Any
) -> None:
    validator = _validator(document)
    caseworker, _ = api_token(Role.CASEWORKER)
    admin, _ = api_token(Role.ADMIN)
    answers = {
        401: client.get(f"{API_PREFIX}/me"),
        403: client.get(f"{API_PREFIX}/users", headers=_bearer(caseworker)),
        404: client.delete(f"{API_PREFIX}/tokens/987654321", headers=_bearer(caseworker)),
        415: client.post(f"{API_PREFIX}/tokens", content=b"name=x", headers=_bearer(caseworker)),
        422: client.get(f"{API_PREFIX}/users?page_size=501", headers=_bearer(admin)),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, (status, answer.text)
        assert answer.headers["content-type"] == "application/json"
        body = answer.json()
        assert list(validator.iter_errors(body)) == [], (status, body)
        assert body["detail"], status
    assert answers[401].headers["www-authenticate"] == "Bearer"
    # A case not theirs: the refusal says where to break glass, in the same documented body.
    not_theirs = client.get(f"{API_PREFIX}/cases/987654321", headers=_bearer(caseworker))
    assert not_theirs.status_code == 403
    assert list(validator.iter_errors(not_theirs.json())) == []
    assert not_theirs.json()["break_glass_url"] == f"{API_PREFIX}/cases/987654321/break-glass"
    assert answers[422].json()["errors"] == {
        "query.page_size": "Input should be less than or equal to 500"
    }


def test_a_malformed_json_body_answers_422_with_the_documented_body(
    client: TestClient, document: dict[str, Any], api_token: Any
) -> None:
    secret, _ = api_token(Role.CASEWORKER)
    answer = client.post(
        f"{API_PREFIX}/tokens",
        content=b'{"name": ',
        headers={**_bearer(secret), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert list(_validator(document).iter_errors(body)) == []
    assert body["errors"], body


def test_pages_of_a_list_follow_next_page_to_the_end(client: TestClient, api_token: Any) -> None:
    admin, _ = api_token(Role.ADMIN)
    for role in (Role.CASEWORKER, Role.MANAGER, Role.AUDITOR):
        api_token(role)
    seen: list[int] = []
    page: int | None = 1
    while page is not None:
        answer = client.get(
            f"{API_PREFIX}/users", params={"page": page, "page_size": 2}, headers=_bearer(admin)
        ).json()
        assert len(answer["items"]) <= 2 and answer["page_size"] == 2
        seen += [user["id"] for user in answer["items"]]
        page = answer["next_page"]
    assert len(seen) == len(set(seen)) == answer["total"] >= 4
    assert answer["total_capped"] is False
