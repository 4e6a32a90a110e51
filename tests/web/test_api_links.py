"""The document's links (web/api_links.py) lead somewhere real: each from an answer the source
operation declares, taking an id that its answer's schema has, to an operation of the
document with that path parameter. A link that pointed at a field renamed since would
otherwise silently stop Schemathesis's stateful phase from following it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from steward.web.api_links import LINKS
from steward.web.app import API_PREFIX


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _field(document: dict[str, Any], schema: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The schema of the field ``pointer`` names in a body of ``schema``."""
    for part in pointer.strip("/").split("/"):
        schema = _resolve(document, schema)
        if part.isdigit():
            schema = schema["items"]
        else:
            assert part in schema.get("properties", {}), (pointer, part)
            schema = schema["properties"][part]
    return _resolve(document, schema)


def test_every_link_leads_from_a_declared_id_to_a_real_operation(client: TestClient) -> None:
    document = client.get(f"{API_PREFIX}/openapi.json").json()
    by_id = {
        op["operationId"]: (method, path)
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    followed = 0
    for (method, path, status), links in LINKS.items():
        source = document["paths"][API_PREFIX + path][method.lower()]
        answer = source["responses"][status]
        body = answer["content"]["application/json"]["schema"]
        assert len(answer["links"]) == len(links), (method, path)
        for name, link in answer["links"].items():
            _, target_path = by_id[link["operationId"]]
            for param, expression in link["parameters"].items():
                assert "{" + param + "}" in target_path, (name, param)
                assert expression.startswith("$response.body#/"), expression
                field = _field(document, body, expression.removeprefix("$response.body#"))
                assert field.get("type") in ("integer", "string"), (name, field)
            followed += 1
    assert followed >= 40
