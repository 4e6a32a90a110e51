"""HTML pages of the platform: home, sign-in and sign-out, your account, users, audit trail."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import audit, auth
from steward.core.errors import DomainError, Forbidden, ValidationFailed
from steward.core.permissions import (
    PERMISSION_DESCRIPTIONS,
    ROLE_DESCRIPTIONS,
    Permission,
    Role,
)
from steward.web.deps import (
    DB,
    SESSION_COOKIE,
    AppSettings,
    PageActor,
    PageUser,
    csrf_protect,
    optional_user,
)
from steward.web.ids import MAX_ID, Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def sign_in_url(request: Request) -> str:
    return f"/sign-in?next={quote(request.url.path, safe='/')}"


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never "//other.site" or "https://..." (open redirect).
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(request: Request, user: Annotated[auth.User | None, Depends(optional_user)]) -> Response:
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    actor = user.actor
    allowed = [PERMISSION_DESCRIPTIONS[p] for p in Permission if actor.can(p)]
    return render(
        request,
        "home.html",
        {
            "role": Role(user.role),
            "role_description": ROLE_DESCRIPTIONS[Role(user.role)],
            "allowed": allowed,
        },
    )


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", {"next": _safe_next(next)})


@router.post("/sign-in")
def sign_in(
    request: Request,
    db: DB,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    outcome = auth.sign_in(db, settings, username=username, password=password, code=code)
    if outcome.user is None:
        return render(
            request,
            "sign_in.html",
            {
                "next": _safe_next(next),
                "error": outcome.message,
                "username": username,
                "needs_code": outcome.needs_code,
            },
            status_code=400,
        )
    secret = auth.start_session(db, settings, outcome.user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
    )
    return response


@router.post("/sign-out")
def sign_out(request: Request, db: DB) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        auth.end_session(db, secret)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- your account ---------------------------------------------------------------------


def _account_page(
    request: Request, db: DB, user: auth.User, *, status_code: int = 200, **extra: object
) -> Response:
    tokens = auth.list_tokens(db, user.actor, user_id=user.id)
    return render(request, "account.html", {"tokens": tokens, **extra}, status_code=status_code)


@router.get("/account")
def account(request: Request, db: DB, user: PageUser) -> Response:
    return _account_page(request, db, user)


@router.post("/account/tokens")
def create_token(
    request: Request, db: DB, user: PageUser, name: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    try:
        with db.begin_nested():
            token, secret = auth.create_token(db, user.actor, user_id=user.id, name=name)
    except (ValidationFailed, Forbidden) as exc:
        return _account_page(request, db, user, error=exc.message, status_code=422)
    return _account_page(request, db, user, new_token=secret, new_token_name=token.name)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(db: DB, actor: PageActor, token_id: Id) -> Response:
    auth.revoke_token(db, actor, token_id=token_id)
    return RedirectResponse("/account", status_code=303)


@router.get("/account/two-factor")
def two_factor_form(request: Request, db: DB, user: PageUser) -> Response:
    if user.totp_enabled:
        return render(request, "two_factor.html", {"enabled": True})
    auth.begin_totp(db, user.actor, user_id=user.id)
    return render(
        request,
        "two_factor.html",
        {"enabled": False, "secret": user.totp_secret, "uri": auth.totp_uri(user)},
    )


@router.post("/account/two-factor")
def two_factor_confirm(
    request: Request, db: DB, user: PageUser, code: Annotated[str, Form(max_length=16)] = ""
) -> Response:
    try:
        with db.begin_nested():
            auth.confirm_totp(db, user.actor, user_id=user.id, code=code)
    except ValidationFailed as exc:
        return render(
            request,
            "two_factor.html",
            {
                "enabled": False,
                "secret": user.totp_secret,
                "uri": auth.totp_uri(user),
                "error": exc.message,
            },
            status_code=422,
        )
    return RedirectResponse("/account", status_code=303)


# --- staff accounts (admin) -----------------------------------------------------------


def _users_page(
    request: Request, db: DB, actor: PageActor, *, status_code: int = 200, **extra: object
) -> Response:
    users = auth.list_users(db, actor)
    return render(
        request,
        "users.html",
        {"users": users, "roles": list(Role), **extra},
        status_code=status_code,
    )


@router.get("/users")
def users(request: Request, db: DB, actor: PageActor) -> Response:
    return _users_page(request, db, actor)


@router.post("/users")
def create_user(
    request: Request,
    db: DB,
    actor: PageActor,
    username: Annotated[str, Form(max_length=256)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    team: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    actor.require(Permission.USERS_MANAGE)
    try:
        with db.begin_nested():
            auth.create_user(
                db, actor, username=username, role=role, password=password, team=team or None
            )
    except DomainError as exc:
        errors = (
            exc.errors
            if isinstance(exc, ValidationFailed)
            else {exc.field or "username": exc.message}
        )
        return _users_page(
            request,
            db,
            actor,
            status_code=422,
            error=exc.message,
            errors=errors,
            form={"username": username, "role": role, "team": team},
        )
    return RedirectResponse("/users?created=1", status_code=303)


# --- audit trail ----------------------------------------------------------------------


@router.get("/audit")
def audit_trail(
    request: Request,
    db: DB,
    actor: PageActor,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    events = audit.list_events(db, actor, limit=50, before_seq=before)
    return render(request, "audit.html", {"events": events})


@router.post("/audit/verify")
def audit_verify(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.AUDIT_READ)
    result = audit.verify(db)
    events = audit.list_events(db, actor, limit=50)
    return render(request, "audit.html", {"events": events, "verification": result})
