"""Every id a route takes is bounded to what a database key can hold: an id of 2^31 or more
(past PostgreSQL's INTEGER) is refused as invalid input on every route, never a server error."""

from __future__ import annotations

import re
import typing

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic.fields import FieldInfo
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.permissions import Role
from steward.web.app import API_ROUTERS, PAGE_ROUTERS
from steward.web.ids import MAX_ID
from tests.factories.core import make_user
from tests.web.conftest import csrf_from, sign_in
from tests.web.test_authorization import _routes

ROUTERS = (*PAGE_ROUTERS, *API_ROUTERS)

TOO_BIG = str(MAX_ID + 1)
PARAM = re.compile(r"\{(\w+)\}")


def _bounded(field: FieldInfo) -> bool:
    limits = {type(m).__name__: m for m in field.metadata}
    return (
        "Le" in limits
        and getattr(limits["Le"], "le", None) == MAX_ID
        and "Ge" in limits
        and getattr(limits["Ge"], "ge", None) == 1
    )


def _int_params(route: APIRoute) -> list[tuple[str, FieldInfo]]:
    found = []
    for param in route.dependant.path_params + route.dependant.query_params:
        args = typing.get_args(param.field_info.annotation) or (param.field_info.annotation,)
        if int in args:
            found.append((param.name, param.field_info))
    return found


def _api_routes(routes: list[object]) -> list[APIRoute]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        # FastAPI keeps an included router whole: look inside (as the authorization walk does).
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _api_routes(inner.routes)
    return found


def test_every_integer_in_a_path_or_query_is_a_bounded_id(app: FastAPI) -> None:
    routes = _api_routes(list(app.router.routes)) + [
        r for router in ROUTERS for r in _api_routes(list(router.routes))
    ]
    assert len(routes) > 50
    unbounded = {
        f"{route.path}: {name}"
        for route in routes
        for name, field in _int_params(route)
        if not _bounded(field) and name not in ("limit", "page", "page_size")
    }
    assert unbounded == set(), "take ids as steward.web.ids.Id"


@pytest.mark.parametrize("role", [Role.DPO, Role.CASEWORKER])
def test_an_id_too_big_for_the_database_is_refused_on_every_route(
    role: Role, app: FastAPI, db: Session
) -> None:
    user = make_user(db, role)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="ids")
    db.commit()
    with TestClient(
        app, base_url="http://testserver", follow_redirects=False, raise_server_exceptions=False
    ) as client:
        sign_in(client, user.username)
        csrf = csrf_from(client, "/account")
        wrong = []
        for method, path in sorted(_routes(app)):
            # A disclosure link's token is a string, not an id (tests/web/test_sar_delivery_pages).
            if not PARAM.search(path) or path.startswith("/disclosure/"):
                continue
            # A training module's slug, a certificate's reference, a measure's key, an audit
            # area, a record class's code and a schedule version are words, not ids.
            if set(PARAM.findall(path)) <= {"slug", "reference", "key", "area", "class_code"}:
                continue
            url = PARAM.sub(TOO_BIG, path)
            headers = {"Authorization": f"Bearer {secret}"} if path.startswith("/api/") else {}
            data = {"csrf_token": csrf} if method == "POST" and not headers else None
            status = client.request(method, url, headers=headers, data=data).status_code
            # 422 where the id is read; a refusal by role or content type may come first.
            if status not in (403, 415, 422):
                wrong.append(f"{method} {path}: {status}")
    assert wrong == []
