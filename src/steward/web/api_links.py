"""OpenAPI ``links``: from an operation that makes (or lists) something to the operations that
follow it, with where the id comes from in the answer. A client generator offers them as the
next step, and Schemathesis's stateful phase follows them (tests/web/
test_api_contract_schemathesis.py): a request made, then read; a hold placed, then lifted; a
retrieval asked for, then handed out and returned.

One table, applied to the document by ``api_contract.document``; a link whose operation or
answer is not in the document fails the build of the document (tests/web/test_api_links.py
holds each expression to the source's answer schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    """To ``method path`` (an /api/v1 path, as the router spells it), with each path
    parameter taken from the source's answer by a JSON pointer into its body."""

    method: str
    path: str
    parameters: dict[str, str]
    description: str = ""


def _by(pointer: str, param: str, *targets: tuple[str, str]) -> list[Link]:
    return [Link(method, path, {param: f"$response.body#{pointer}"}) for method, path in targets]


_JOB = _by("/id", "job_id", ("GET", "/jobs/{job_id}"))

# (source method, source path, status) -> the links from its answer of that status.
LINKS: dict[tuple[str, str, str], list[Link]] = {
    ("POST", "/users", "201"): _by(
        "/id",
        "user_id",
        ("GET", "/users/{user_id}"),
        ("POST", "/users/{user_id}/team"),
        ("POST", "/users/{user_id}/two-factor"),
        ("POST", "/users/{user_id}/deactivate"),
        ("POST", "/users/{user_id}/reactivate"),
        ("POST", "/users/{user_id}/role"),
    ),
    ("POST", "/users/{user_id}/deactivate", "200"): _by(
        "/id", "user_id", ("POST", "/users/{user_id}/reactivate")
    ),
    ("POST", "/tokens", "201"): _by("/id", "token_id", ("DELETE", "/tokens/{token_id}")),
    ("GET", "/cases", "200"): _by(
        "/items/0/id",
        "case_id",
        ("GET", "/cases/{case_id}"),
        ("GET", "/retention/cases/{case_id}"),
    ),
    ("POST", "/cases/{case_id}/documents", "201"): _by(
        "/id",
        "document_id",
        ("GET", "/documents/{document_id}"),
        ("GET", "/documents/{document_id}/content"),
    ),
    ("POST", "/people/{person_id}/merge", "201"): _by(
        "/id", "merge_id", ("POST", "/people/merges/{merge_id}/unmerge")
    ),
    ("POST", "/people/{person_id}/restriction", "201"): _by(
        "/person_id", "person_id", ("POST", "/people/{person_id}/restriction/lift")
    ),
    ("POST", "/sar/requests", "201"): _by(
        "/id",
        "request_id",
        ("GET", "/sar/requests/{request_id}"),
        ("POST", "/sar/requests/{request_id}/transitions"),
    ),
    ("POST", "/retention/schedules", "201"): _by(
        "/version",
        "version",
        ("GET", "/retention/schedules/{version}"),
        ("POST", "/retention/schedules/{version}/approve"),
    ),
    ("POST", "/retention/holds", "201"): _by(
        "/id", "hold_id", ("POST", "/retention/holds/{hold_id}/release")
    ),
    ("POST", "/retention/disposal", "201"): _by(
        "/id",
        "list_id",
        ("GET", "/retention/disposal/{list_id}"),
        ("GET", "/retention/disposal/{list_id}/items"),
        ("POST", "/retention/disposal/{list_id}/decisions"),
        ("POST", "/retention/disposal/{list_id}/approve"),
    ),
    ("POST", "/retention/disposal/{list_id}/approve", "200"): _by(
        "/id", "list_id", ("POST", "/retention/disposal/{list_id}/carry-out")
    ),
    ("POST", "/retention/disposal/{list_id}/carry-out", "202"): _JOB,
    ("POST", "/retention/due/sweep", "202"): _JOB,
    ("POST", "/archives/locations", "201"): _by(
        "/id",
        "location_id",
        ("GET", "/archives/locations/{location_id}"),
        ("GET", "/archives/locations/{location_id}/boxes"),
    ),
    ("POST", "/archives/boxes", "201"): _by(
        "/id",
        "box_id",
        ("GET", "/archives/boxes/{box_id}"),
        ("POST", "/archives/boxes/{box_id}/move"),
        ("POST", "/archives/boxes/{box_id}/retrievals"),
    ),
    **{
        ("POST", source, "201"): _by(
            "/id",
            "retrieval_id",
            ("POST", "/archives/retrievals/{retrieval_id}/out"),
            ("POST", "/archives/retrievals/{retrieval_id}/return"),
            ("POST", "/archives/retrievals/{retrieval_id}/cancel"),
        )
        for source in (
            "/archives/files/{paper_file_id}/retrievals",
            "/archives/boxes/{box_id}/retrievals",
        )
    },
    ("POST", "/archives/retrievals/{retrieval_id}/out", "200"): _by(
        "/id", "retrieval_id", ("POST", "/archives/retrievals/{retrieval_id}/return")
    ),
    ("POST", "/archives/certificates", "201"): _by(
        "/certificate_id", "certificate_id", ("GET", "/archives/certificates/{certificate_id}")
    ),
    ("POST", "/archives/inventory", "202"): _JOB,
    ("POST", "/training/courses", "201"): _by(
        "/id",
        "course_id",
        ("GET", "/training/courses/{course_id}"),
        ("PATCH", "/training/courses/{course_id}"),
        ("POST", "/training/courses/{course_id}/versions"),
        ("POST", "/training/courses/{course_id}/retire"),
    ),
    ("POST", "/training/requirements", "201"): _by(
        "/id", "requirement_id", ("POST", "/training/requirements/{requirement_id}/end")
    ),
    ("POST", "/training/modules/{slug}/attempts", "201"): _by(
        "/attempt_id",
        "attempt_id",
        ("GET", "/training/attempts/{attempt_id}"),
        ("POST", "/training/attempts/{attempt_id}/answers"),
    ),
    ("POST", "/intake/partners", "201"): _by(
        "/id",
        "partner_id",
        ("GET", "/intake/partners/{partner_id}"),
        ("PATCH", "/intake/partners/{partner_id}"),
        ("POST", "/intake/partners/{partner_id}/contacts"),
        ("GET", "/intake/partners/{partner_id}/agreements"),
        ("POST", "/intake/partners/{partner_id}/agreements"),
    ),
    ("POST", "/intake/partners/{partner_id}/agreements", "201"): _by(
        "/id", "agreement_id", ("POST", "/intake/agreements/{agreement_id}/end")
    ),
    ("POST", "/intake/submissions", "201"): _by(
        "/submission_id",
        "submission_id",
        ("GET", "/intake/submissions/{submission_id}"),
        ("GET", "/intake/submissions/{submission_id}/report.csv"),
    ),
}


def _name(link: Link) -> str:
    """A link's name in the document: the target's method and last literal segment."""
    words = [s for s in link.path.split("/") if s and not s.startswith("{")]
    return f"{link.method.lower()}_{'_'.join(words[-2:])}".replace("-", "_").replace(".", "_")


def add_links(schema: dict[str, Any], prefix: str) -> None:
    """Put each link of LINKS on its source's answer in ``schema`` (FastAPI's document of
    the app), naming its target by operationId."""
    paths: dict[str, Any] = schema["paths"]
    for (method, path, status), links in LINKS.items():
        response = paths[prefix + path][method.lower()]["responses"][status]
        found = response.setdefault("links", {})
        for link in links:
            target = paths[prefix + link.path][link.method.lower()]
            name = _name(link)
            assert name not in found, (method, path, name)
            found[name] = {
                "operationId": target["operationId"],
                "parameters": dict(link.parameters),
                "description": link.description or f"{link.method} {link.path}",
            }
