"""The JSON API (/api/v1), authenticated with bearer tokens. Thin: parse, call, serialise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from steward.core import accounts, audit, auth
from steward.core.permissions import Permission
from steward.core.schemas import (
    AuditEventRead,
    Me,
    RoleChange,
    RoleGrantRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    VerificationRead,
)
from steward.web.api_contract import ApiPage, ApiPageQuery, IsoDate, page_of_list
from steward.web.deps import DB, ApiActor, ApiUser, AppSettings, api_requires
from steward.web.ids import MAX_ID, Id


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _has_body(request: Request) -> bool:
    """A POST with nothing in it (approve this, retire that) has no media type to check."""
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def require_json(request: Request) -> None:
    if (
        request.method in {"POST", "PUT", "PATCH"}
        and _has_body(request)
        and _media_type(request) != "application/json"
    ):
        raise HTTPException(
            415, "Send the request body as JSON, with Content-Type: application/json."
        )


def require_multipart(request: Request) -> None:
    """For the routes that take a file: the JSON rule would refuse them, so they use this."""
    if (
        request.method in {"POST", "PUT", "PATCH"}
        and _has_body(request)
        and _media_type(request) != "multipart/form-data"
    ):
        raise HTTPException(
            415, "Send the file and its details as a form, with Content-Type: multipart/form-data."
        )


router = APIRouter(dependencies=[Depends(require_json)])


@router.get("/me", tags=["account"])
def me(user: ApiUser) -> Me:
    actor = user.actor
    return Me(
        user=UserRead.model_validate(user), permissions=sorted(p.value for p in actor.permissions)
    )


@router.get("/users", tags=["users"])
def list_users(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[UserRead]:
    """Every account, by username."""
    listed = accounts.list_accounts(db, actor, accounts.AccountFilter(), page)
    return ApiPage.of(listed, UserRead.model_validate)


@router.post(
    "/users",
    status_code=201,
    tags=["users"],
    dependencies=[Depends(api_requires(Permission.USERS_MANAGE))],
)
def create_user(db: DB, actor: ApiActor, body: UserCreate) -> UserRead:
    user = auth.create_user(
        db, actor, username=body.username, role=body.role, password=body.password, team=body.team
    )
    return UserRead.model_validate(user)


@router.post(
    "/users/{user_id}/role",
    tags=["users"],
    dependencies=[Depends(api_requires(Permission.USERS_MANAGE))],
    responses={202: {"description": "The role reads case content: a grant awaits approval."}},
)
def change_role(
    db: DB, actor: ApiActor, user_id: Id, body: RoleChange, response: Response
) -> RoleGrantRead | UserRead:
    grant = auth.change_role(db, actor, user_id=user_id, role=body.role)
    if grant is not None:
        response.status_code = 202
        return RoleGrantRead.model_validate(grant)
    return UserRead.model_validate(db.get(auth.User, user_id))


@router.get("/role-grants", tags=["users"])
def pending_grants(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[RoleGrantRead]:
    """Role grants awaiting a second person's decision, oldest first."""
    grants = page_of_list(auth.pending_grants(db, actor), page)
    return ApiPage.of(grants, RoleGrantRead.model_validate)


@router.post("/role-grants/{grant_id}/approve", tags=["users"])
def approve_grant(db: DB, actor: ApiActor, grant_id: Id) -> RoleGrantRead:
    return RoleGrantRead.model_validate(auth.approve_grant(db, actor, grant_id=grant_id))


@router.post("/role-grants/{grant_id}/refuse", tags=["users"])
def refuse_grant(db: DB, actor: ApiActor, grant_id: Id) -> RoleGrantRead:
    return RoleGrantRead.model_validate(auth.refuse_grant(db, actor, grant_id=grant_id))


@router.get("/tokens", tags=["account"])
def list_tokens(db: DB, user: ApiUser, page: ApiPageQuery) -> ApiPage[TokenRead]:
    """Your own API tokens (never their secrets)."""
    tokens = page_of_list(auth.list_tokens(db, user.actor, user_id=user.id), page)
    return ApiPage.of(tokens, TokenRead.model_validate)


@router.post("/tokens", status_code=201, tags=["account"])
def create_token(db: DB, settings: AppSettings, user: ApiUser, body: TokenCreate) -> TokenCreated:
    token, secret = auth.create_token(
        db, user.actor, user_id=user.id, name=body.name, days=settings.token_days
    )
    return TokenCreated(**TokenRead.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204, tags=["account"])
def revoke_token(db: DB, actor: ApiActor, token_id: Id) -> Response:
    auth.revoke_token(db, actor, token_id=token_id)
    return Response(status_code=204)


@router.get("/audit/events", tags=["audit"])
def audit_events(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    before: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="Only events before this sequence number. Reading the trail adds an "
            "event to it, so to page through a fixed stretch, pass the first page's highest "
            "`seq` + 1 here on every page.",
        ),
    ] = None,
    user_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only events by this account")
    ] = None,
    tag: Annotated[
        str | None,
        Query(
            max_length=80,
            pattern=r"^[a-z_]+(:[a-z_]+){1,3}$",
            description="Only events with this tag, e.g. `records:case:viewed`",
        ),
    ] = None,
    since: Annotated[IsoDate | None, Query(description="From the start of this day (UTC)")] = None,
    until: Annotated[IsoDate | None, Query(description="To the end of this day (UTC)")] = None,
) -> ApiPage[AuditEventRead]:
    """The audit trail, newest first. Reading it is itself recorded."""
    event_filter = audit.EventFilter(
        user_id=user_id, tag=tag or None, since=since, until=until, before_seq=before
    )
    found = audit.search_events(db, actor, event_filter, page)
    return ApiPage.of(found, AuditEventRead.model_validate)


@router.get("/audit/verification", tags=["audit"])
def audit_verification(db: DB, actor: ApiActor) -> VerificationRead:
    actor.require(Permission.AUDIT_READ)
    return VerificationRead.model_validate(audit.verify(db))
