"""The JSON API's contract (docs/api.md): one error body, the statuses every operation can
answer, its security and permission, and one pagination envelope.

The statuses are derived here, once, from what each route depends on (the bearer token,
``api_requires``, the JSON or multipart rule, path parameters, a body), so a new endpoint is
documented truthfully without listing them by hand. What only the code knows (a 409 from a
domain Conflict, a 410 for destroyed content) a route adds with ``responses=``; this module
then gives those the error body too. tests/web/test_api_contract.py holds the document to
this, and Schemathesis holds the app to the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Annotated, Any, Generic, TypeVar, overload

from fastapi import Depends, FastAPI, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.routing import compile_path

from steward.core.paging import DEFAULT_SIZE, MAX_SIZE, Page, PageRequest
from steward.core.permissions import Permission
from steward.core.rate_limits import RateKind
from steward.web import api_links

T = TypeVar("T")
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

API_PREFIX = "/api/v1"
ERROR_SCHEMA = "ApiError"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
# Set by deps.api_requires on the check it returns, so the document can name the permission.
PERMISSION_ATTRIBUTE = "steward_permission"
# Set by ``rate_limited`` on an endpoint: it may answer 429 with Retry-After.
RATE_LIMITED_ATTRIBUTE = "steward_rate_limited"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class InductionCourse(BaseModel):
    code: str
    title: str
    url: str


class InductionRefusal(BaseModel):
    """Why the induction gate closed case content, and where to do the training."""

    unlinked: bool = Field(description="True: no staff record is linked to this account yet")
    courses: list[InductionCourse]
    training_url: str


class ApiError(BaseModel):
    """The body of every 4xx and 5xx answer of /api/v1."""

    model_config = ConfigDict(
        title=ERROR_SCHEMA,
        json_schema_extra={
            "examples": [
                {"detail": "There is no such case."},
                {
                    "detail": "The request is not valid. Check the fields listed.",
                    "errors": {"title": "String should have at most 300 characters"},
                },
            ]
        },
    )

    detail: str = Field(
        description="What went wrong and what to do about it, in words a person can act on. "
        "Never contains the personal data that was sent."
    )
    errors: dict[str, str] | SkipJsonSchema[None] = Field(
        None,
        description="On 422: each field in error (a dotted path, e.g. `query.page` or "
        "`title`) and what is wrong with it. Absent when no one field is at fault.",
    )
    break_glass_url: str | SkipJsonSchema[None] = Field(
        None,
        description="On 403: the case may be opened by breaking glass; POST a reason here.",
    )
    induction: InductionRefusal | SkipJsonSchema[None] = Field(
        None, description="On 403: case content is closed until induction training is done."
    )


def error_body(detail: str, errors: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """An ApiError as JSON: the one shape every handler of /api/v1 answers errors with."""
    return ApiError(detail=detail, errors=errors or None, **extra).model_dump(
        mode="json", exclude_none=True
    )


# What each status means on this API; a route's own description of a status is kept.
ERROR_STATUSES: dict[int, str] = {
    400: "The request body could not be read (not JSON, not UTF-8, or a malformed form)",
    401: "No API token was sent, or it is not valid, has expired or was revoked",
    403: "Your role lacks the permission, the record is outside what you may see "
    "(need-to-know), or your account must first finish setting up two-factor sign-in",
    404: "Nothing with that id that you may see",
    409: "Not possible in the record's current state (see `detail`)",
    410: "The content was destroyed by disposal",
    413: "The request body is larger than the limit",
    415: "The body is not in the media type this operation takes",
    422: "A parameter or field is not valid: `errors` names each one and says what to do",
    429: "Too many requests of this kind: wait for `Retry-After` seconds",
    500: "Something went wrong on the server; nothing was saved",
}
_FASTAPI_DEFAULT_DESCRIPTIONS = frozenset({"Validation Error", "Additional Response"})


@overload
def rate_limited(endpoint: Endpoint, /) -> Endpoint: ...


@overload
def rate_limited(kind: RateKind, /) -> Callable[[Endpoint], Endpoint]: ...


def rate_limited(
    target: Callable[..., Any] | RateKind, /
) -> Callable[..., Any] | Callable[[Endpoint], Endpoint]:
    """Mark an endpoint rate-limited per API token: ``@rate_limited(RateKind.SEARCH)``, or
    bare ``@rate_limited`` for the limit of other expensive operations. Marking is enough:
    the token's dependency (``deps.api_user``) enforces the kind's limit (core.rate_limits,
    configured in Settings), answering 429 with Retry-After, and the document declares it."""

    def mark(endpoint: Endpoint, kind: RateKind = RateKind.OTHER) -> Endpoint:
        setattr(endpoint, RATE_LIMITED_ATTRIBUTE, kind)
        return endpoint

    if isinstance(target, RateKind):
        return lambda endpoint: mark(endpoint, target)
    return mark(target)


def rate_limit_kind(endpoint: object) -> RateKind | None:
    """The kind of rate limit an endpoint was marked with, if any."""
    kind = getattr(endpoint, RATE_LIMITED_ATTRIBUTE, None)
    return kind if isinstance(kind, RateKind) else None


# --- Pagination -----------------------------------------------------------------------------


class ApiPage(BaseModel, Generic[T]):
    """One page of a list. Ask for the next with ``?page=<next_page>`` until it is null."""

    items: list[T]
    total: int = Field(
        description="How many items the whole list holds; a lower bound when `total_capped`"
    )
    total_capped: bool = Field(
        description="True when counting stopped at `total` (there are more): narrow the "
        "list with its filters rather than paging through it"
    )
    page: int = Field(description="This page's number, counting from 1")
    page_size: int = Field(description="The most items a page holds")
    next_page: int | None = Field(description="The next page's number; null on the last page")

    @classmethod
    def of(cls, page: Page[Any], convert: Callable[[Any], T]) -> ApiPage[T]:
        return cls(**envelope(page, convert))


def envelope(page: Page[Any], convert: Callable[[Any], Any]) -> dict[str, Any]:
    """The envelope's fields for a core Page, each item converted: for a list whose answer
    carries a summary beside its page (a subclass of ``ApiPage`` with fields of its own),
    ``Subclass(**envelope(page, convert), summary=...)``."""
    return {
        "items": [convert(item) for item in page.items],
        "total": page.total,
        "total_capped": page.capped,
        "page": page.number,
        "page_size": page.size,
        "next_page": page.number + 1 if page.has_next else None,
    }


def page_of_list(items: Sequence[T], request: PageRequest) -> Page[T]:
    """A page of a list a service returns whole (a user's tokens: a handful)."""
    window = items[request.offset : request.offset + request.size]
    return Page(window, len(items), request.number, request.size)


def api_page_request(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Which page, counting from 1")] = 1,
    page_size: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_SIZE,
            description=f"Items per page, at most {MAX_SIZE} (default {DEFAULT_SIZE})",
        ),
    ] = DEFAULT_SIZE,
) -> PageRequest:
    return PageRequest(number=page, size=page_size)


ApiPageQuery = Annotated[PageRequest, Depends(api_page_request)]


def _iso_date_only(value: object) -> object:
    # Lax parsing would take "0" or 1700000000 as a date (seconds since 1970): a caller who
    # sent that made a mistake, and must hear so rather than get 1970's events.
    if not isinstance(value, date) and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError("Enter a date as YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
"""A date in a query string, written as YYYY-MM-DD and nothing else."""


# --- The document ---------------------------------------------------------------------------


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _has_path_params(dependant: Dependant) -> bool:
    return bool(dependant.path_params) or any(_has_path_params(d) for d in dependant.dependencies)


def route_statuses(route: Any, method: str) -> dict[int, str]:
    """The error statuses ``route`` can answer to ``method``, derived from what it depends
    on, with what each means (the route's own ``responses=`` are added by the caller)."""
    from steward.web.api import require_json, require_multipart
    from steward.web.deps import api_user

    calls = set(_calls(route.dependant))
    statuses = {422, 500}  # the input rule reads any query string; anything may fail
    if api_user in calls:
        statuses |= {401, 403}
    if _has_path_params(route.dependant):
        statuses.add(404)
    if route.body_field is not None:
        statuses |= {400, 413}
    if method in BODY_METHODS and (require_json in calls or require_multipart in calls):
        statuses.add(415)
    if rate_limit_kind(route.endpoint) is not None:
        statuses.add(429)
    return {status: ERROR_STATUSES[status] for status in sorted(statuses)}


def route_permissions(route: Any) -> list[str]:
    found = {getattr(call, PERMISSION_ATTRIBUTE, None) for call in _calls(route.dependant)}
    return sorted(p.value for p in found if isinstance(p, Permission))


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Each operation route of /api/v1 as the app serves it: FastAPI keeps an included router
    whole, and its route's context carries the prefix and the router's dependencies."""
    for route in iter_route_contexts(app.routes):
        if (
            isinstance(route.original_route, APIRoute)
            and route.include_in_schema
            and (route.path_format or "").startswith(API_PREFIX)
        ):
            yield route


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some operation of /api/v1 takes at ``path``: what a 405's Allow header
    must list (the router only knows the first route that matched the path)."""
    table: list[tuple[re.Pattern[str], int, frozenset[str]]] | None = getattr(
        app.state, "api_contract_methods", None
    )
    if table is None:
        table = [
            (
                compile_path(route.path_format)[0],
                route.path_format.count("{"),
                frozenset(route.methods or ()),
            )
            for route in api_routes(app)
        ]
        app.state.api_contract_methods = table
    matches = [(params, methods) for pattern, params, methods in table if pattern.match(path)]
    # The most literal address wins, as in the document: /disclosure/submit, not
    # /disclosure/{item_id} (whose GET would refuse "submit" as an id anyway).
    fewest = min((params for params, _ in matches), default=0)
    return sorted(set().union(*(methods for params, methods in matches if params == fewest)))


def _error_content(existing: dict[str, Any] | None) -> dict[str, Any]:
    """The error body; where a route documents a richer body of its own (a refused file's
    code, say), either may come, and both carry ``detail``."""
    own = (existing or {}).get("application/json", {}).get("schema")
    if own is None or own == ERROR_REF or own.get("$ref", "").endswith("/HTTPValidationError"):
        return {"application/json": {"schema": ERROR_REF}}
    return {"application/json": {"schema": {"anyOf": [ERROR_REF, own]}}}


def _document_operation(route: Any, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, meaning in route_statuses(route, method).items():
        responses.setdefault(str(status), {"description": meaning})
    for code, response in responses.items():
        if not code.isdigit() or int(code) < 400:
            continue
        if response.get("description") in _FASTAPI_DEFAULT_DESCRIPTIONS:
            response["description"] = ERROR_STATUSES.get(int(code), response["description"])
        response["content"] = _error_content(response.get("content"))
        if code == "401":
            response["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
            }
        if code == "429":
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before trying again",
                }
            }
    operation["responses"] = dict(sorted(responses.items()))
    permissions = route_permissions(route)
    if permissions:
        operation["x-steward-permission"] = permissions
        needs = ", ".join(f"`{p}`" for p in permissions)
        note = f"Needs the permission {needs}."
        operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
    if "401" not in responses:
        operation["security"] = []


def document(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Make FastAPI's document of /api/v1 the contract: every operation's error statuses
    with the ApiError body, its security and the permission it needs; FastAPI's default
    422 body (which this API never sends) replaced by ours."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ApiError.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components[ERROR_SCHEMA] = error_schema
    for route in api_routes(app):
        for method in sorted(route.methods or ()):
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _document_operation(route, method, operation)
    for default in ("HTTPValidationError", "ValidationError"):
        components.pop(default, None)
    api_links.add_links(schema, API_PREFIX)
    return schema


def install(app: FastAPI) -> None:
    """Build the document once, on first request, from FastAPI's own and ``document``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if not getattr(app.state, "api_contract_documented", False):
            document(app, build())
            app.state.api_contract_documented = True
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- Query strings hold only what the document declares ----------------------------------


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def refuse_unknown_query(request: Request) -> None:
    """A router dependency: a query parameter the operation does not declare answers 422,
    as the document says (no additional properties), rather than being silently ignored: a
    misspelt filter (``?stauts=out``) would otherwise answer the whole list as if filtered.
    The unknown name is not repeated: it is whatever the caller typed."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = _query_names(dependant)
    if any(name not in known for name in request.query_params):
        listed = ", ".join(sorted(known)) or "none"
        raise RequestValidationError(
            [
                {
                    "loc": ("query",),
                    "msg": f"Unknown query parameter: this operation takes {listed}",
                    "type": "extra_forbidden",
                }
            ]
        )
