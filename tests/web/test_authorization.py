"""Walk every route with every role: each is allowed exactly where its permission says.

A new route fails this test until it is given a rule below, so no page or endpoint can
ship without a decision about who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.permissions import ROLE_PERMISSIONS, Permission, Role
from steward.web import api, pages
from steward.web.app import API_PREFIX
from tests.web.conftest import SignedIn, csrf_from


class Public:
    """Anyone, signed in or not."""


class SignedInOnly:
    """Any signed-in user, whatever their role."""


Rule = type[Public] | type[SignedInOnly] | Permission


@dataclass(frozen=True)
class Call:
    rule: Rule
    body: dict[str, object] | None = None


RULES: dict[tuple[str, str], Call] = {
    ("GET", "/"): Call(SignedInOnly),
    ("GET", "/healthz"): Call(Public),
    ("GET", "/sign-in"): Call(Public),
    ("POST", "/sign-in"): Call(Public, {"username": "nobody", "password": "x"}),
    ("POST", "/sign-out"): Call(Public),
    ("GET", "/account"): Call(SignedInOnly),
    ("POST", "/account/tokens"): Call(Permission.TOKENS_OWN, {"name": "walk"}),
    ("POST", "/account/tokens/{token_id}/revoke"): Call(Permission.TOKENS_OWN),
    ("GET", "/account/two-factor"): Call(SignedInOnly),
    ("POST", "/account/two-factor"): Call(SignedInOnly, {"code": "000000"}),
    ("GET", "/users"): Call(Permission.USERS_MANAGE),
    ("POST", "/users"): Call(
        Permission.USERS_MANAGE, {"username": "x", "role": "dpo", "password": "short"}
    ),
    ("GET", "/audit"): Call(Permission.AUDIT_READ),
    ("POST", "/audit/verify"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/openapi.json"): Call(Public),
    ("GET", "/api/v1/me"): Call(SignedInOnly),
    ("GET", "/api/v1/users"): Call(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users"): Call(
        Permission.USERS_MANAGE, {"username": "x", "role": "dpo", "password": "short"}
    ),
    ("GET", "/api/v1/tokens"): Call(SignedInOnly),
    ("POST", "/api/v1/tokens"): Call(Permission.TOKENS_OWN, {"name": "walk"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): Call(Permission.TOKENS_OWN),
    ("GET", "/api/v1/audit/events"): Call(Permission.AUDIT_READ),
    ("GET", "/api/v1/audit/verification"): Call(Permission.AUDIT_READ),
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found = {("GET", "/api/v1/openapi.json")}
    for prefix, routes in (
        ("", app.routes),
        ("", pages.router.routes),
        (API_PREFIX, api.router.routes),
    ):
        for route in routes:
            if isinstance(route, APIRoute):
                found |= {(m, prefix + route.path) for m in route.methods if m != "HEAD"}
    return found


def test_every_route_has_a_rule(app: FastAPI) -> None:
    assert _routes(app) == set(RULES), "give each new route a rule in RULES"


def _allowed(rule: Rule, role: Role | None) -> bool:
    if rule is Public:
        return True
    if role is None:
        return False
    if rule is SignedInOnly:
        return True
    return rule in ROLE_PERMISSIONS[role]


def _call(
    client: TestClient,
    method: str,
    path: str,
    call: Call,
    *,
    api_token: str | None,
    token_id: int,
    csrf: str,
) -> int:
    url = path.replace("{token_id}", str(token_id))
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
        return client.request(method, url, json=call.body, headers=headers).status_code
    data: dict[str, object] = dict(call.body or {})
    if method == "POST":
        data["csrf_token"] = csrf
    return client.request(method, url, data=data if method == "POST" else None).status_code


def _walk(
    client: TestClient, role: Role | None, *, api_token: str | None, token_id: int
) -> list[str]:
    wrong = []
    csrf = csrf_from(client)
    # Sign-out ends the session, so it goes last.
    for (method, path), call in sorted(RULES.items(), key=lambda item: item[0][1] == "/sign-out"):
        status = _call(
            client, method, path, call, api_token=api_token, token_id=token_id, csrf=csrf
        )
        denied = status in (401, 403) or (
            status == 303
            and not path.startswith("/api/")
            and role is None
            and call.rule is not Public
        )
        if _allowed(call.rule, role) == denied:
            wrong.append(
                f"{method} {path}: {status} ({'should allow' if denied else 'should deny'})"
            )
    return wrong


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_permissions(
    role: Role, signed_in: SignedIn, db: Session
) -> None:
    client, user = signed_in(role)
    _, secret = auth.create_token(db, user.actor, user_id=user.id, name="api")
    own, _ = auth.create_token(db, user.actor, user_id=user.id, name="to revoke")
    db.commit()
    assert _walk(client, role, api_token=secret, token_id=own.id) == []


def test_anonymous_visitors_reach_only_public_routes(client: TestClient, db: Session) -> None:
    assert _walk(client, None, api_token=None, token_id=1) == []


def test_a_user_cannot_revoke_another_users_token(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    _, other = signed_in(Role.CASEWORKER)
    token, _ = auth.create_token(db, other.actor, user_id=other.id, name="theirs")
    db.commit()
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(client)}
    )
    assert response.status_code == 403
    db.refresh(token)
    assert token.revoked_at is None
