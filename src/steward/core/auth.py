"""Staff accounts, sign-in (Argon2id, optional TOTP, lockout), web sessions and API tokens.

Secrets (session cookies, API tokens) are random and stored only as SHA-256 hashes, so a
copy of the database lets no one sign in. Sign-in failures are outcomes, not exceptions:
the failure counter and the audit event must be committed even though sign-in failed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.core import audit, clock
from steward.core.audit import EventTag
from steward.core.config import Settings
from steward.core.db import Base, UTCDateTime, write_after_read
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, ActorKind, Permission, Role

# \Z, not $: "$" also matches before a trailing newline, which would let "alice\n" through.
USERNAME_FORMAT = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}\Z")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
TOKEN_PREFIX = "stw_"
_hasher = PasswordHasher()  # Argon2id with argon2-cffi's RFC 9106 low-memory profile
_DUMMY_HASH = _hasher.hash("timing-equaliser-for-unknown-users")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last 30-second step a code was accepted for: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def actor(self) -> Actor:
        return Actor.user(self.id, Role(self.role))


class WebSession(Base):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- accounts -------------------------------------------------------------------------


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long.",
            errors={"password": f"Use at least {MIN_PASSWORD_LENGTH} characters"},
        )


def create_user(
    db: Session,
    actor: Actor,
    *,
    username: str,
    role: Role | str,
    password: str,
    team: str | None = None,
) -> User:
    actor.require(Permission.USERS_MANAGE)
    if not USERNAME_FORMAT.match(username):
        raise ValidationFailed(
            "Username must be 3 to 64 characters: lowercase letters, digits, dots, dashes or underscores.",
            errors={"username": "Use lowercase letters, digits, '.', '-' or '_'"},
        )
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationFailed(
            f"Role must be one of: {', '.join(r.value for r in Role)}.",
            errors={"role": "Choose a role"},
        ) from exc
    check_password_rules(password)
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("An account with that username already exists.", field="username")
    user = User(
        username=username,
        role=role,
        team=team,
        password_hash=_hasher.hash(password),
        totp_enabled=False,
        is_active=True,
        failed_signins=0,
        created_at=clock.now(),
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        actor,
        EventTag.USER_CREATED,
        subject_type="user",
        subject_id=user.id,
        details={"role": role.value},
    )
    return user


def get_user(db: Session, *, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("There is no account with that username.")
    return user


def usernames(db: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Usernames by id, for pages that name who did something (staff names are not case data)."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {user_id: username for user_id, username in rows}


def list_users(db: Session, actor: Actor) -> list[User]:
    actor.require(Permission.USERS_MANAGE)
    return list(db.scalars(select(User).order_by(User.username)))


def set_password(db: Session, actor: Actor, *, user_id: int, password: str) -> None:
    if actor.user_id != user_id:
        actor.require(Permission.USERS_MANAGE)
    check_password_rules(password)
    user = _user_by_id(db, user_id)
    user.password_hash = _hasher.hash(password)
    user.failed_signins = 0
    user.locked_until = None
    db.flush()
    audit.record(db, actor, EventTag.USER_PASSWORD_CHANGED, subject_type="user", subject_id=user.id)


def deactivate_user(db: Session, actor: Actor, *, user_id: int) -> None:
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    user.is_active = False
    for token in db.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = clock.now()
    db.query(WebSession).filter(WebSession.user_id == user.id).delete()
    db.flush()
    audit.record(db, actor, EventTag.USER_DEACTIVATED, subject_type="user", subject_id=user.id)


def _user_by_id(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


# --- two-factor -----------------------------------------------------------------------


def begin_totp(db: Session, actor: Actor, *, user_id: int) -> str:
    """Give the user a new TOTP secret to put in their authenticator app; not yet enforced."""
    if actor.user_id != user_id:
        actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    was_enabled = user.totp_enabled
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    user.totp_last_step = None
    db.flush()
    if was_enabled:
        audit.record(db, actor, EventTag.USER_TOTP_RESET, subject_type="user", subject_id=user.id)
    return user.totp_secret


def totp_uri(user: User) -> str:
    assert user.totp_secret is not None
    return str(
        pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="Steward")
    )


def confirm_totp(db: Session, actor: Actor, *, user_id: int, code: str) -> None:
    """Switch two-factor on once the user proves their app produces the right codes."""
    if actor.user_id != user_id:
        actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    if not _accept_totp(user, code):
        raise ValidationFailed(
            "That code is not right. Enter the current 6-digit code from your app.",
            errors={"code": "Enter the current code"},
        )
    user.totp_enabled = True
    db.flush()
    audit.record(db, actor, EventTag.USER_TOTP_ENABLED, subject_type="user", subject_id=user.id)


def _accept_totp(user: User, code: str) -> bool:
    """Accept the code for the current 30-second step or one either side (clock drift), but
    only for a step later than the last one accepted, so an overheard code cannot be replayed."""
    if user.totp_secret is None:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = clock.now()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            user.totp_last_step = step
            return True
    return False


# --- sign-in --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to. ``user`` is set only on success."""

    user: User | None
    message: str | None = None
    needs_code: bool = False


GENERIC_FAILURE = "Enter a correct username and password."


def sign_in(
    db: Session, settings: Settings, *, username: str, password: str, code: str = ""
) -> SignIn:
    now = clock.now()
    user = db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        _hasher.verify(_DUMMY_HASH, "timing-equaliser-for-unknown-users")
        _record_failure(db, None, "unknown_user")
        return SignIn(None, GENERIC_FAILURE)
    if not user.is_active:
        _record_failure(db, user, "inactive")
        return SignIn(None, GENERIC_FAILURE)
    if user.locked_until is not None and user.locked_until > now:
        _record_failure(db, user, "locked")
        return SignIn(
            None,
            f"This account is locked after too many failed attempts. Try again after {user.locked_until:%H:%M} UTC, or ask an administrator.",
        )
    if not _password_matches(user.password_hash, password):
        return _fail(db, settings, user, "password", GENERIC_FAILURE)
    if user.totp_enabled:
        if not code.strip():
            return SignIn(
                None, "Enter the 6-digit code from your authenticator app.", needs_code=True
            )
        if not _accept_totp(user, code):
            return _fail(
                db, settings, user, "totp", "That security code is not right.", needs_code=True
            )
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_signins = 0
    user.locked_until = None
    user.last_signin_at = now
    db.flush()
    audit.record(db, user.actor, EventTag.SIGNIN_SUCCEEDED, subject_type="user", subject_id=user.id)
    return SignIn(user)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _record_failure(db: Session, user: User | None, reason: str) -> None:
    # Recorded as the system: nobody is signed in yet.
    audit.record(
        db,
        Actor.system(),
        EventTag.SIGNIN_FAILED,
        subject_type="user" if user else None,
        subject_id=user.id if user else None,
        details={"reason": reason},
    )


def _fail(
    db: Session,
    settings: Settings,
    user: User,
    reason: str,
    message: str,
    *,
    needs_code: bool = False,
) -> SignIn:
    user.failed_signins += 1
    _record_failure(db, user, reason)
    if user.failed_signins >= settings.max_login_failures:
        user.locked_until = clock.now() + timedelta(minutes=settings.lockout_minutes)
        user.failed_signins = 0
        audit.record(
            db,
            Actor.system(),
            EventTag.ACCOUNT_LOCKED,
            subject_type="user",
            subject_id=user.id,
            details={"minutes": settings.lockout_minutes},
        )
    db.flush()
    return SignIn(None, message, needs_code=needs_code)


# --- web sessions ---------------------------------------------------------------------


def start_session(db: Session, settings: Settings, user: User) -> str:
    """Open a web session; returns the secret for the cookie (stored only hashed)."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    db.add(
        WebSession(
            token_hash=_digest(secret),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
        )
    )
    db.flush()
    return secret


def user_for_session(db: Session, settings: Settings, secret: str) -> User | None:
    session = db.get(WebSession, _digest(secret))
    if session is None:
        return None
    now = clock.now()
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= session.expires_at or now >= idle_limit:
        write_after_read(db, _delete_row(WebSession, token_hash=session.token_hash))
        return None
    user = db.get(User, session.user_id)
    if user is None or not user.is_active:
        return None
    # Touch at most once a minute: a write on every page view would serialise reads for nothing.
    if now - session.last_seen_at > timedelta(minutes=1):
        write_after_read(
            db, _update_row(WebSession, {"last_seen_at": now}, token_hash=session.token_hash)
        )
    return user


# Bookkeeping writes as Core statements, not ORM changes: a reading request makes them
# after its reads (core.db.write_after_read), where its ORM objects are no longer in play.
def _update_row(
    model: type[Base], values: dict[str, object], **key: object
) -> Callable[[Session], object]:
    statement = update(model).filter_by(**key).values(values)
    return lambda writer: writer.execute(statement)


def _delete_row(model: type[Base], **key: object) -> Callable[[Session], object]:
    statement = delete(model).filter_by(**key)
    return lambda writer: writer.execute(statement)


def end_session(db: Session, secret: str) -> None:
    session = db.get(WebSession, _digest(secret))
    if session is None:
        return
    user = db.get(User, session.user_id)
    db.delete(session)
    db.flush()
    if user is not None:
        audit.record(db, user.actor, EventTag.SIGNED_OUT, subject_type="user", subject_id=user.id)


# --- API tokens -----------------------------------------------------------------------


def create_token(db: Session, actor: Actor, *, user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new API token for ``user_id``; the secret is returned once and never stored.

    Only the user themself (or the operator at the command line) may mint one: an
    administrator able to mint tokens for others could read case content through them."""
    if actor.user_id != user_id and actor.kind is not ActorKind.SYSTEM:
        raise Forbidden("You can create API tokens only for yourself.")
    actor.require(Permission.TOKENS_OWN)
    user = _user_by_id(db, user_id)
    if not user.is_active:
        raise Conflict("That account is deactivated.")
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed(
            "Give the token a name of 1 to 80 characters.", errors={"name": "Enter a name"}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_digest(secret),
        display_prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_at=clock.now(),
    )
    db.add(token)
    db.flush()
    audit.record(
        db,
        actor,
        EventTag.TOKEN_CREATED,
        subject_type="api_token",
        subject_id=token.id,
        details={"user_id": user.id},
    )
    return token, secret


def list_tokens(db: Session, actor: Actor, *, user_id: int) -> list[ApiToken]:
    if actor.user_id != user_id:
        actor.require(Permission.USERS_MANAGE)
    return list(
        db.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )


def revoke_token(db: Session, actor: Actor, *, token_id: int) -> ApiToken:
    token = db.get(ApiToken, token_id)
    if token is None:
        raise NotFound("There is no such API token.")
    if actor.user_id != token.user_id:
        actor.require(Permission.USERS_MANAGE)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.flush()
        audit.record(
            db, actor, EventTag.TOKEN_REVOKED, subject_type="api_token", subject_id=token.id
        )
    return token


def user_for_token(db: Session, secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        write_after_read(db, _update_row(ApiToken, {"last_used_at": now}, id=token.id))
    return user
