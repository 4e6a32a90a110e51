"""Pages of accounts: sign-in and sign-out, your account (tokens, password, two-factor), and
the administrator's staff accounts (find, open, change role and team, unlock, reset a
password, require two-factor, deactivate and reactivate) and role grants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import accounts, auth, clock
from steward.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from steward.core.permissions import ROLE_DESCRIPTIONS, Actor, Permission, Role, reads_case_content
from steward.web.deps import (
    DB,
    AppSettings,
    Keyring,
    PageActor,
    PageUser,
    csrf_protect,
)
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render
from steward.web.security import SESSION_COOKIE, cookie_name, fresh_csrf_cookie, session_secret

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# What the success banner says after an action; the address carries only the code.
DONE_MESSAGES = {
    "created": "Account added.",
    "awaiting": "Role change asked for. That role can read case content, so it takes effect "
    "only when a Data Protection Officer approves it on the role grants page.",
    "role_changed": "Role changed. The account's sessions and API tokens have ended.",
    "team_changed": "Team changed.",
    "unlocked": "Account unlocked. It can sign in again now.",
    "deactivated": "Account deactivated. It cannot sign in, and its sessions and API tokens "
    "have ended.",
    "reactivated": "Account reactivated. It can sign in again.",
    "two_factor_required": "Two-factor sign-in is now required. The account is taken to set "
    "it up when it next signs in or opens a page.",
    "password": "Your password is changed. Your other sessions have ended and your API "
    "tokens were revoked.",
    "two_factor": "Two-factor sign-in is on. You will be asked for a code each time you sign in.",
}


def _done(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


def sign_in_url(request: Request) -> str:
    return f"/sign-in?next={quote(request.url.path, safe='/')}"


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never "//other.site" or "https://..." (open redirect).
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _role_context() -> dict[str, object]:
    return {"roles": list(Role), "role_names": accounts.ROLE_NAMES}


# --- sign-in --------------------------------------------------------------------------


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
    if outcome.user.must_change_password:
        target = "/account/password"
    elif auth.must_set_up_two_factor(settings, outcome.user):
        target = "/account/two-factor"
    else:
        target = _safe_next(next)
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
    return render(
        request,
        "account.html",
        {
            "tokens": tokens,
            "role_name": accounts.ROLE_NAMES[Role(user.role)],
            "role_description": ROLE_DESCRIPTIONS[Role(user.role)],
            "team": user.team,
            "last_signin_at": user.last_signin_at,
            "done": _done(request),
            **extra,
        },
        status_code=status_code,
    )


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


def _password_page(
    request: Request, user: auth.User, *, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "accounts/change_password.html",
        {"must_change": user.must_change_password, **extra},
        status_code=status_code,
    )


@router.get("/account/password")
def change_password_form(request: Request, user: PageUser) -> Response:
    return _password_page(request, user)


@router.post("/account/password")
def change_password(
    request: Request,
    db: DB,
    settings: AppSettings,
    user: PageUser,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change your own password; your other sessions and your API tokens end."""
    try:
        if password != password_confirm:
            raise ValidationFailed(
                "The new passwords do not match.",
                errors={"password_confirm": "Enter the same new password twice"},
            )
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
        return _password_page(request, user, error=exc.message, errors=exc.errors, status_code=422)
    if auth.must_set_up_two_factor(settings, user):
        return RedirectResponse("/account/two-factor", status_code=303)
    return RedirectResponse("/account?done=password", status_code=303)


@router.get("/account/two-factor")
def two_factor_form(request: Request, user: PageUser) -> Response:
    # Side-effect free: a new secret is made only by the POST below.
    return render(
        request,
        "two_factor.html",
        {"enabled": user.totp_enabled, "required": user.two_factor_required},
    )


@router.post("/account/two-factor/start")
def two_factor_start(request: Request, db: DB, keyring: Keyring, user: PageUser) -> Response:
    secret = auth.begin_totp(db, keyring, user.actor, user_id=user.id)
    return _two_factor_setup(request, user, secret)


def qr_code_data_uri(text: str) -> str:
    """The set-up link as a QR code: an SVG drawn here, never by a third-party service (the
    link holds the secret), as a data URI an <img> can show under the CSP."""
    code = segno.make(text, error="m")
    return str(code.svg_data_uri(scale=5, border=4, dark="#0b0c0c", light="#ffffff"))


def _two_factor_setup(
    request: Request, user: auth.User, secret: str, *, status_code: int = 200, **extra: object
) -> Response:
    uri = auth.totp_uri(user, secret)
    response = render(
        request,
        "two_factor.html",
        {
            "enabled": user.totp_enabled,
            "setting_up": True,
            "secret": secret,
            "uri": uri,
            "qr_code": qr_code_data_uri(uri),
            **extra,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


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
    return RedirectResponse("/account?done=two_factor", status_code=303)


# --- staff accounts (admin) -----------------------------------------------------------


def _form_errors(exc: DomainError, default_field: str) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {exc.field or default_field: exc.message}


def _users_page(
    request: Request,
    db: DB,
    actor: Actor,
    page: PageQuery,
    *,
    role: str | None = None,
    team: str | None = None,
    status: str | None = None,
    status_code: int = 200,
    **extra: object,
) -> Response:
    account_filter = accounts.AccountFilter(
        role=accounts.role_filter_value(role),
        team=team or None,
        status=accounts.status_filter_value(status),
    )
    listed = accounts.list_accounts(db, actor, account_filter, page)
    pending = {grant.user_id: grant for grant in auth.pending_grants(db, actor)}
    return render(
        request,
        "users.html",
        {
            "page": listed,
            "filter": account_filter,
            "filtered": account_filter != accounts.AccountFilter(),
            "teams": accounts.teams(db, actor),
            "statuses": accounts.STATUS_NAMES,
            "status_counts": accounts.status_counts(db, actor),
            "pending": pending,
            "now": clock.now(),
            "done": _done(request),
            **_role_context(),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/users")
def users(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    role: Annotated[str | None, Query(max_length=32)] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    return _users_page(request, db, actor, page, role=role, team=team, status=status)


@router.post("/users")
def create_user(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
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
            page,
            status_code=422,
            error=exc.message,
            errors=_form_errors(exc, "username"),
            form={"username": username, "role": role, "team": team},
        )
    outcome = "created" if user.role_approved else "awaiting"
    return RedirectResponse(f"/users/{user.id}?done={outcome}", status_code=303)


def _user_page(
    request: Request,
    db: DB,
    actor: Actor,
    user_id: int,
    *,
    template: str = "accounts/user.html",
    status_code: int = 200,
    **extra: object,
) -> Response:
    user = accounts.get_account(db, actor, user_id=user_id)
    grant = auth.pending_grant_for(db, user.id)
    role = Role(user.role)
    return render(
        request,
        template,
        {
            "account": user,
            "role_name": accounts.ROLE_NAMES[role],
            "pending_grant": grant,
            "locked": accounts.is_locked(user),
            "is_me": actor.user_id == user.id,
            "may_reset": accounts.may_reset(actor, user),
            "reads_content": reads_case_content(role),
            "content_roles": ", ".join(
                accounts.ROLE_NAMES[r] for r in Role if reads_case_content(r)
            ),
            "teams": accounts.teams(db, actor),
            "done": _done(request),
            **_role_context(),
            **extra,
        },
        status_code=status_code,
    )


def _action_failed(
    request: Request, db: DB, actor: Actor, user_id: int, exc: DomainError, field: str
) -> Response:
    status = 409 if isinstance(exc, Conflict) else 422
    return _user_page(
        request,
        db,
        actor,
        user_id,
        status_code=status,
        error=exc.message,
        errors=_form_errors(exc, field),
    )


def _done_redirect(user_id: int, outcome: str) -> Response:
    return RedirectResponse(f"/users/{user_id}?done={outcome}", status_code=303)


def _account_action(
    request: Request,
    db: DB,
    actor: Actor,
    user_id: int,
    act: Callable[[], object],
    *,
    field: str,
    done: str,
) -> Response:
    """One administrator action on an account: all of it or nothing, then the account page
    with its success banner, or with what stopped it beside ``field``."""
    try:
        with db.begin_nested():
            act()
    except (ValidationFailed, Conflict) as exc:
        return _action_failed(request, db, actor, user_id, exc, field)
    return _done_redirect(user_id, done)


@router.get("/users/{user_id}")
def user_page(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _user_page(request, db, actor, user_id)


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
        return _action_failed(request, db, actor, user_id, exc, "role")
    return _done_redirect(user_id, "awaiting" if grant is not None else "role_changed")


@router.post("/users/{user_id}/team")
def change_team(
    request: Request,
    db: DB,
    actor: PageActor,
    user_id: Id,
    team: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    return _account_action(
        request,
        db,
        actor,
        user_id,
        lambda: accounts.change_team(db, actor, user_id=user_id, team=team),
        field="team",
        done="team_changed",
    )


@router.post("/users/{user_id}/unlock")
def unlock(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _account_action(
        request,
        db,
        actor,
        user_id,
        lambda: accounts.unlock(db, actor, user_id=user_id),
        field="unlock",
        done="unlocked",
    )


@router.get("/users/{user_id}/deactivate")
def deactivate_form(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _user_page(request, db, actor, user_id, template="accounts/deactivate.html")


@router.post("/users/{user_id}/deactivate")
def deactivate(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _account_action(
        request,
        db,
        actor,
        user_id,
        lambda: auth.deactivate_user(db, actor, user_id=user_id),
        field="deactivate",
        done="deactivated",
    )


@router.post("/users/{user_id}/reactivate")
def reactivate(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _account_action(
        request,
        db,
        actor,
        user_id,
        lambda: accounts.reactivate(db, actor, user_id=user_id),
        field="reactivate",
        done="reactivated",
    )


@router.post("/users/{user_id}/two-factor")
def require_two_factor(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _account_action(
        request,
        db,
        actor,
        user_id,
        lambda: accounts.require_two_factor(db, actor, user_id=user_id),
        field="two_factor",
        done="two_factor_required",
    )


@router.get("/users/{user_id}/password")
def reset_password_form(request: Request, db: DB, actor: PageActor, user_id: Id) -> Response:
    return _user_page(request, db, actor, user_id, template="accounts/reset_password.html")


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    db: DB,
    actor: PageActor,
    user_id: Id,
    how: Annotated[str, Form(max_length=16)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Reset another account's password. A generated one is shown on this response only:
    never in an address, a log or the audit trail, and the page is not cached."""
    page = "accounts/reset_password.html"
    try:
        if how not in ("generate", "choose"):
            raise ValidationFailed(
                "Choose how to set the temporary password.",
                errors={"how": "Choose how to set the temporary password"},
            )
        if how == "choose" and not password:
            raise ValidationFailed(
                "Enter the temporary password.", errors={"password": "Enter a password"}
            )
        with db.begin_nested():
            shown = accounts.reset_password(
                db, actor, user_id=user_id, password=password if how == "choose" else None
            )
    except (ValidationFailed, Conflict) as exc:
        return _user_page(
            request,
            db,
            actor,
            user_id,
            template=page,
            status_code=409 if isinstance(exc, Conflict) else 422,
            error=exc.message,
            errors=_form_errors(exc, "how"),
            how=how,
        )
    response = _user_page(
        request, db, actor, user_id, template="accounts/password_reset_done.html", shown=shown
    )
    response.headers["Cache-Control"] = "no-store"
    return response


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
            "can_manage": actor.can(Permission.USERS_MANAGE),
            "me": actor.user_id,
            **_role_context(),
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
