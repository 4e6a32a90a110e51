"""Request dependencies: the unit of work, who is signed in, and CSRF checks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth, rate_limits
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import (
    begin_read_only,
    commit_unit_of_work,
    rollback_unit_of_work,
    session_scope,
)
from steward.core.errors import Forbidden, Unauthenticated
from steward.core.permissions import Actor, Permission, Role
from steward.core.rate_limits import RateKind
from steward.web.api_contract import PERMISSION_ATTRIBUTE, rate_limit_kind
from steward.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    UNSAFE_METHODS,
    cookie_name,
    csrf_token_valid,
    session_secret,
)

log = logging.getLogger("steward.web")

# What an account that must set up two-factor sign-in may still reach.
TWO_FACTOR_SETUP_PATHS = frozenset(
    {"/account/two-factor", "/account/two-factor/start", "/sign-out"}
)
# What an account signed in with an administrator's temporary password may still reach.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/sign-out"})


@dataclass(frozen=True)
class Viewer:
    """Who the page is rendered for, copied out of the ORM so that an error page rendered
    after the transaction rolled back can still show the header."""

    username: str
    role: Role
    totp_enabled: bool
    actor: Actor

    @classmethod
    def of(cls, user: auth.User) -> Viewer:
        return cls(user.username, Role(user.role), user.totp_enabled, user.actor)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Methods that only read: their requests run as readers (see core.db.begin_read_only).
READ_METHODS = frozenset({"GET", "HEAD"})
_READS_ONLY = "steward_reads_only"
_WRITES = "steward_writes"

Endpoint = TypeVar("Endpoint", bound=Callable[..., object])


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a POST route that only reads (a search whose terms must stay out of the URL),
    so it runs as a reader like a GET and never holds the write lock while it searches."""
    setattr(endpoint, _READS_ONLY, True)
    return endpoint


def writes(endpoint: Endpoint) -> Endpoint:
    """Mark a GET route that brings a stored fact up to date as it shows it (a case's
    retention date, say): it runs as a writer, briefly, instead of failing as a reader."""
    setattr(endpoint, _WRITES, True)
    return endpoint


def _is_read(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    if request.method in READ_METHODS:
        return not getattr(endpoint, _WRITES, False)
    return bool(getattr(endpoint, _READS_ONLY, False))


def _unit_of_work(request: Request) -> Iterator[Session]:
    """One transaction per request: committed after the handler returns (before the
    response is sent, so a failed commit is never reported as success), rolled back on error.

    A request that only reads takes no write lock at all: one slow search or page never
    stalls anyone else. A request that writes holds the lock for its own short transaction;
    slow work (text extraction) runs outside any request."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        if _is_read(request):
            begin_read_only(session)
        yield session
        commit_unit_of_work(session, factory)
    except BaseException:
        rollback_unit_of_work(session)
        raise
    finally:
        session.close()
        _count_rate_limited(request, factory)


_RATE_HIT = "steward_rate_hit"


def _count_rate_limited(request: Request, factory: sessionmaker[Session]) -> None:
    """Count a rate-limited request, whatever its answer, in a short write of its own: after
    the request's transaction, so a search stays a reader, and after a rollback too, so a
    request refused or failed still counts towards its token's limit."""
    hit: tuple[int, RateKind, rate_limits.Limit] | None = getattr(request.state, _RATE_HIT, None)
    if hit is None:
        return
    setattr(request.state, _RATE_HIT, None)
    try:
        with session_scope(factory) as writer:
            rate_limits.count(writer, *hit)
    except Exception:
        # The answer stands; a request that could not be counted must not become a 500.
        log.exception("could not count a rate-limited request")


def _rate_limit(request: Request, db: Session, settings: Settings, token_id: int) -> None:
    """Enforce the limit of an endpoint marked ``@rate_limited``, per API token: 429 with
    Retry-After once the token has used its requests of that kind in the window."""
    kind = rate_limit_kind(request.scope.get("endpoint"))
    if kind is None:
        return
    limit = rate_limits.limit_for(settings, kind)
    try:
        rate_limits.check(db, token_id, kind, limit)
    except rate_limits.RateLimited as exc:
        raise HTTPException(
            429, exc.message, headers={"Retry-After": str(exc.retry_after)}
        ) from exc
    setattr(request.state, _RATE_HIT, (token_id, kind, limit))


def get_keyring(request: Request) -> KeyEncryptionKeys:
    """The key-encryption keys that open case content (loaded once, in create_app)."""
    keyring: KeyEncryptionKeys = request.app.state.keyring
    return keyring


DB = Annotated[Session, Depends(_unit_of_work, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]
Keyring = Annotated[KeyEncryptionKeys, Depends(get_keyring)]


def optional_user(request: Request, db: DB, settings: AppSettings) -> auth.User | None:
    secret = session_secret(request)
    if not secret:
        return None
    user = auth.user_for_session(db, settings, secret)
    if user is not None:
        request.state.viewer = Viewer.of(user)
        request.state.actor = user.actor
        if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
            raise auth.PasswordChangeRequired(
                "Choose a new password before you continue: yours was reset."
            )
        if (
            not user.must_change_password
            and auth.must_set_up_two_factor(settings, user)
            and request.url.path not in TWO_FACTOR_SETUP_PATHS
        ):
            raise auth.TwoFactorSetupRequired(
                "Set up two-factor sign-in before you continue: your role requires it."
            )
    return user


def page_user(user: Annotated[auth.User | None, Depends(optional_user)]) -> auth.User:
    if user is None:
        raise Unauthenticated("Sign in to continue.")
    return user


def page_actor(user: Annotated[auth.User, Depends(page_user)]) -> Actor:
    return user.actor


_bearer = HTTPBearer(auto_error=False, description="An API token from `steward tokens create`.")


def api_user(
    request: Request,
    db: DB,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> auth.User:
    if credentials is None:
        raise Unauthenticated("Send an API token in the Authorization header: Bearer <token>.")
    found = auth.token_user(db, credentials.credentials)
    if found is None:
        raise Unauthenticated("The API token is not valid, has expired or has been revoked.")
    user, token_id = found
    if auth.must_set_up_two_factor(settings, user):
        raise auth.TwoFactorSetupRequired(
            "Set up two-factor sign-in on the web first: your role requires it."
        )
    request.state.actor = user.actor  # who to name if this request is refused
    _rate_limit(request, db, settings, token_id)
    return user


def api_actor(user: Annotated[auth.User, Depends(api_user)]) -> Actor:
    return user.actor


def api_requires(permission: Permission) -> Callable[[Actor], None]:
    """A route dependency that refuses before the request body is even validated, so a
    caller without the permission learns nothing about what the endpoint accepts."""

    def check(actor: Annotated[Actor, Depends(api_actor)]) -> None:
        actor.require(permission)

    setattr(check, PERMISSION_ATTRIBUTE, permission)  # named in the OpenAPI document
    return check


async def csrf_protect(request: Request, settings: AppSettings) -> None:
    """Every form post must carry the token rendered into the page."""
    if request.method not in UNSAFE_METHODS:
        return
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not csrf_token_valid(
        settings.secret_key,
        request.cookies.get(cookie_name(CSRF_COOKIE, secure=settings.cookies_secure)),
        session_secret(request),
        submitted if isinstance(submitted, str) else None,
    ):
        raise Forbidden(
            "This form has expired or did not come from Steward. Go back, reload the page "
            "and try again."
        )


PageUser = Annotated[auth.User, Depends(page_user)]
PageActor = Annotated[Actor, Depends(page_actor)]
ApiUser = Annotated[auth.User, Depends(api_user)]
ApiActor = Annotated[Actor, Depends(api_actor)]
