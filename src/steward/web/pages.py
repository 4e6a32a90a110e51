"""HTML pages of the platform: home, sign-in and sign-out, your account, users. The audit
trail's pages are in audit_pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import auth
from steward.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from steward.core.permissions import (
    PERMISSION_DESCRIPTIONS,
    ROLE_DESCRIPTIONS,
    Permission,
    Role,
)
from steward.web.deps import (
    DB,
    AppSettings,
    Keyring,
    PageActor,
    PageUser,
    csrf_protect,
    optional_user,
)
from steward.web.home import home_panels
from steward.web.ids import Id
from steward.web.rendering import render
from steward.web.security import SESSION_COOKIE, cookie_name, fresh_csrf_cookie, session_secret

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def sign_in_url(request: Request) -> str:
    return f"/sign-in?next={quote(request.url.path, safe='/')}"


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never "//other.site" or "https://..." (open redirect).
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(
    request: Request, db: DB, user: Annotated[auth.User | None, Depends(optional_user)]
) -> Response:
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
            "panels": home_panels(db, actor),
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
    keyring: Keyring,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    outcome = auth.sign_in(
        db, settings, username=username, password=password, code=code, kek=keyring
    )
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
    target = (
        "/account/two-factor"
        if auth.must_set_up_two_factor(settings, outcome.user)
        else _safe_next(next)
    )
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(response, settings, secret)
    # A new CSRF cookie too: nothing chosen or seen before sign-in carries over.
    fresh_csrf_cookie(request)
    return response


def _set_session_cookie(response: Response, settings: AppSettings, secret: str) -> None:
    response.set_cookie(
        cookie_name(SESSION_COOKIE, secure=settings.cookies_secure),
        secret,
        max_age=int(settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
    )


@router.post("/sign-out")
def sign_out(request: Request, db: DB, settings: AppSettings) -> Response:
    secret = session_secret(request)
    if secret:
        auth.end_session(db, secret)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(
        cookie_name(SESSION_COOKIE, secure=settings.cookies_secure),
        path="/",
        secure=settings.cookies_secure,
    )
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
    request: Request,
    db: DB,
    settings: AppSettings,
    user: PageUser,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with db.begin_nested():
            token, secret = auth.create_token(
                db, user.actor, user_id=user.id, name=name, days=settings.token_days
            )
    except (ValidationFailed, Forbidden) as exc:
        return _account_page(request, db, user, error=exc.message, status_code=422)
    return _account_page(request, db, user, new_token=secret, new_token_obj=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(db: DB, actor: PageActor, token_id: Id) -> Response:
    auth.revoke_token(db, actor, token_id=token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password")
def change_password(
    request: Request,
    db: DB,
    user: PageUser,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change your own password; your other sessions and your API tokens end."""
    try:
        with db.begin_nested():
            auth.set_password(
                db,
                user.actor,
                user_id=user.id,
                password=password,
                current_password=current_password,
                keep_session=session_secret(request),
            )
    except ValidationFailed as exc:
        return _account_page(
            request, db, user, error=exc.message, errors=exc.errors, status_code=422
        )
    return RedirectResponse("/account?password_changed=1", status_code=303)


@router.get("/account/two-factor")
def two_factor_form(request: Request, user: PageUser) -> Response:
    # Side-effect free: a new secret is made only by the POST below.
    return render(request, "two_factor.html", {"enabled": user.totp_enabled})


@router.post("/account/two-factor/start")
def two_factor_start(request: Request, db: DB, keyring: Keyring, user: PageUser) -> Response:
    secret = auth.begin_totp(db, keyring, user.actor, user_id=user.id)
    return _two_factor_setup(request, user, secret)


def _two_factor_setup(
    request: Request, user: auth.User, secret: str, *, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "two_factor.html",
        {
            "enabled": user.totp_enabled,
            "setting_up": True,
            "secret": secret,
            "uri": auth.totp_uri(user, secret),
            **extra,
        },
        status_code=status_code,
    )


@router.post("/account/two-factor")
def two_factor_confirm(
    request: Request,
    db: DB,
    keyring: Keyring,
    user: PageUser,
    code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        with db.begin_nested():
            auth.confirm_totp(db, keyring, user.actor, user_id=user.id, code=code)
    except ValidationFailed as exc:
        secret = auth.pending_totp_secret(db, keyring, user)
        assert secret is not None  # confirm_totp raised Conflict otherwise
        return _two_factor_setup(request, user, secret, error=exc.message, status_code=422)
    return RedirectResponse("/account", status_code=303)


# --- staff accounts (admin) -----------------------------------------------------------


def _users_page(
    request: Request, db: DB, actor: PageActor, *, status_code: int = 200, **extra: object
) -> Response:
    users = auth.list_users(db, actor)
    pending = {grant.user_id: grant for grant in auth.pending_grants(db, actor)}
    return render(
        request,
        "users.html",
        {"users": users, "roles": list(Role), "pending": pending, **extra},
        status_code=status_code,
    )


def _form_errors(exc: DomainError, default_field: str) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {exc.field or default_field: exc.message}


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
            user = auth.create_user(
                db, actor, username=username, role=role, password=password, team=team or None
            )
    except DomainError as exc:
        return _users_page(
            request,
            db,
            actor,
            status_code=422,
            error=exc.message,
            errors=_form_errors(exc, "username"),
            form={"username": username, "role": role, "team": team},
        )
    outcome = "created" if user.role_approved else "awaiting"
    return RedirectResponse(f"/users?{outcome}=1", status_code=303)


@router.post("/users/{user_id}/role")
def change_role(
    request: Request,
    db: DB,
    actor: PageActor,
    user_id: Id,
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    actor.require(Permission.USERS_MANAGE)
    try:
        with db.begin_nested():
            grant = auth.change_role(db, actor, user_id=user_id, role=role)
    except (ValidationFailed, Conflict) as exc:
        return _users_page(
            request, db, actor, status_code=422, error=exc.message, errors=_form_errors(exc, "role")
        )
    outcome = "awaiting" if grant is not None else "role_changed"
    return RedirectResponse(f"/users?{outcome}=1", status_code=303)


# --- role grants (maker-checker) -------------------------------------------------------


@router.get("/role-grants")
def role_grants(request: Request, db: DB, actor: PageActor) -> Response:
    grants = auth.pending_grants(db, actor)
    people = auth.usernames(
        db, [g.user_id for g in grants] + [g.requested_by for g in grants if g.requested_by]
    )
    return render(
        request,
        "role_grants.html",
        {
            "grants": grants,
            "people": people,
            "can_decide": actor.can(Permission.ROLES_APPROVE),
            "me": actor.user_id,
        },
    )


@router.post("/role-grants/{grant_id}/approve")
def approve_grant(db: DB, actor: PageActor, grant_id: Id) -> Response:
    auth.approve_grant(db, actor, grant_id=grant_id)
    return RedirectResponse("/role-grants?approved=1", status_code=303)


@router.post("/role-grants/{grant_id}/refuse")
def refuse_grant(db: DB, actor: PageActor, grant_id: Id) -> Response:
    auth.refuse_grant(db, actor, grant_id=grant_id)
    return RedirectResponse("/role-grants?refused=1", status_code=303)
