"""Staff accounts, sign-in (Argon2id, TOTP, lockout), web sessions and API tokens, and the
maker-checker on roles that read case content.

Secrets (session cookies, API tokens) are random and stored only as SHA-256 hashes, and TOTP
secrets are sealed under a data key, so a copy of the database lets no one sign in. Sign-in
failures are outcomes, not exceptions: the failure counter and the audit event must be
committed even though sign-in failed.

A role that reads case content is granted by two people: an administrator asks, and someone
else holding the approve permission (the DPO), or the operator at the command line who holds
the key file (and so could read everything anyway), approves. Until then the account cannot
use that role.
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
from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    delete,
    false,
    func,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.core import audit, clock, crypto
from steward.core.audit import EventTag
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import Base, UTCDateTime, write_after_read
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.passwords import check_password_rules
from steward.core.permissions import (
    Actor,
    ActorKind,
    Permission,
    Role,
    needs_two_factor,
    reads_case_content,
)

# \Z, not $: "$" also matches before a trailing newline, which would let "alice\n" through.
USERNAME_FORMAT = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}\Z")
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
    # False while the account's first role awaits a second person's approval: it cannot sign in.
    role_approved: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # TOTP secrets, active and being set up, sealed under the user's own data key.
    totp_key_id: Mapped[str | None] = mapped_column(String(36))
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_pending: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last 30-second step a code was accepted for: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by an administrator's reset: the next sign-in leads only to choosing a new password.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Set by an administrator for an account whose role would not otherwise need two factors.
    two_factor_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
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
    # Null only for a token the expiry migration missed: refused like an expired one.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoleGrant(Base):
    """A request to give an account a role that reads case content, and its decision."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(String(32))
    # None for a new account: refusing its grant deactivates it.
    previous_role: Mapped[Role | None] = mapped_column(String(32))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))


class GrantOutcome:
    APPROVED = "approved"
    REFUSED = "refused"


class TwoFactorSetupRequired(Forbidden):
    """The account's role must sign in with two factors, and it has not set them up yet."""


class PasswordChangeRequired(Forbidden):
    """The account signed in with a temporary password an administrator gave it."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- accounts -------------------------------------------------------------------------


def create_user(
    db: Session,
    actor: Actor,
    *,
    username: str,
    role: Role | str,
    password: str,
    team: str | None = None,
) -> User:
    """A new account. A role that reads case content, asked for by a signed-in administrator,
    waits for a second person's approval before the account can sign in."""
    actor.require(Permission.USERS_MANAGE)
    if not USERNAME_FORMAT.match(username):
        raise ValidationFailed(
            "Username must be 3 to 64 characters: lowercase letters, digits, dots, dashes or underscores.",
            errors={"username": "Use lowercase letters, digits, '.', '-' or '_'"},
        )
    role = _parse_role(role)
    check_password_rules(password)
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("An account with that username already exists.", field="username")
    needs_checker = _needs_checker(actor, role)
    user = User(
        username=username,
        role=role,
        team=team,
        password_hash=_hasher.hash(password),
        role_approved=not needs_checker,
        totp_enabled=False,
        is_active=True,
        failed_signins=0,
        created_at=clock.now(),
    )
    db.add(user)
    db.flush()
    details: dict[str, str | int | bool] = {"role": role.value}
    if needs_checker:
        details["grant_id"] = _open_grant(db, actor, user, role, previous=None).id
    audit.record(
        db, actor, EventTag.USER_CREATED, subject_type="user", subject_id=user.id, details=details
    )
    return user


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise ValidationFailed(
            f"Role must be one of: {', '.join(r.value for r in Role)}.",
            errors={"role": "Choose a role"},
        ) from exc


def _needs_checker(actor: Actor, role: Role) -> bool:
    # The operator holds the key file, which opens all content: a checker would add nothing.
    return actor.kind is ActorKind.USER and reads_case_content(role)


def _open_grant(
    db: Session, actor: Actor, user: User, role: Role, *, previous: Role | None
) -> RoleGrant:
    grant = RoleGrant(
        user_id=user.id,
        role=role,
        previous_role=previous,
        requested_by=actor.user_id,
        requested_at=clock.now(),
    )
    db.add(grant)
    db.flush()
    return grant


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


def _require_may_reset(actor: Actor, user: User) -> None:
    """Whoever could set another person's password or second factor could sign in as them:
    for an account that reads case content only the operator at the command line may."""
    if actor.kind is ActorKind.SYSTEM or actor.user_id == user.id:
        return
    actor.require(Permission.USERS_MANAGE)
    if reads_case_content(Role(user.role)):
        raise Forbidden(
            "Only the operator at the command line can reset the password or two-factor "
            "sign-in of an account that can read case content (steward users set-password)."
        )


def set_password(
    db: Session,
    actor: Actor,
    *,
    user_id: int,
    password: str,
    current_password: str | None = None,
    keep_session: str | None = None,
) -> None:
    """Set a password. Someone changing their own must give the current one; the change ends
    every other session and every API token of the account (a reset by someone else, all)."""
    user = _user_by_id(db, user_id)
    _require_may_reset(actor, user)
    if actor.user_id == user.id and not _password_matches(
        user.password_hash, current_password or ""
    ):
        raise ValidationFailed(
            "Your current password is not right.",
            errors={"current_password": "Enter your current password"},
        )
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    user.must_change_password = False
    user.failed_signins = 0
    user.locked_until = None
    ended = end_all_access(
        db, user, keep_session=keep_session if actor.user_id == user.id else None
    )
    db.flush()
    audit.record(
        db,
        actor,
        EventTag.USER_PASSWORD_CHANGED,
        subject_type="user",
        subject_id=user.id,
        details=ended,
    )


def end_all_access(db: Session, user: User, *, keep_session: str | None = None) -> dict[str, int]:
    """End the account's web sessions (but ``keep_session``, the caller's own) and revoke its
    API tokens: after a reset, a deactivation or a role change, nothing minted before works."""
    now = clock.now()
    tokens = list(
        db.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    for token in tokens:
        token.revoked_at = now
    query = select(WebSession).where(WebSession.user_id == user.id)
    if keep_session is not None:
        query = query.where(WebSession.token_hash != _digest(keep_session))
    sessions = list(db.scalars(query))
    for session in sessions:
        db.delete(session)
    db.flush()
    return {"sessions_ended": len(sessions), "tokens_revoked": len(tokens)}


def deactivate_user(db: Session, actor: Actor, *, user_id: int) -> None:
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    if actor.user_id == user.id:
        raise Conflict("You cannot deactivate your own account.")
    if not user.is_active:
        raise Conflict("That account is already deactivated.")
    _keep_an_administrator(db, user)
    user.is_active = False
    ended = end_all_access(db, user)
    audit.record(
        db,
        actor,
        EventTag.USER_DEACTIVATED,
        subject_type="user",
        subject_id=user.id,
        details=ended,
    )


# --- roles (maker-checker) ------------------------------------------------------------


def change_role(db: Session, actor: Actor, *, user_id: int, role: Role | str) -> RoleGrant | None:
    """Change an account's role. A role that reads case content, asked for by a signed-in
    user, becomes a pending grant (returned); any other change applies at once and ends the
    account's sessions and tokens."""
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    role = _parse_role(role)
    if actor.user_id == user.id:
        raise Forbidden("You cannot change your own role.")
    if not user.is_active:
        raise Conflict("That account is deactivated.")
    if pending_grant_for(db, user.id) is not None:
        raise Conflict("A role change for this account is already waiting for approval.")
    if role == Role(user.role):
        raise Conflict("The account already has that role.", field="role")
    _keep_an_administrator(db, user)
    if _needs_checker(actor, role):
        grant = _open_grant(db, actor, user, role, previous=Role(user.role))
        audit.record(
            db,
            actor,
            EventTag.ROLE_GRANT_REQUESTED,
            subject_type="user",
            subject_id=user.id,
            details={"grant_id": grant.id, "role": role.value},
        )
        return grant
    previous = Role(user.role)
    user.role = role
    ended = end_all_access(db, user)
    audit.record(
        db,
        actor,
        EventTag.USER_ROLE_CHANGED,
        subject_type="user",
        subject_id=user.id,
        details={"role": role.value, "previous_role": previous.value, **ended},
    )
    return None


def _keep_an_administrator(db: Session, user: User) -> None:
    """Refuse to deactivate or demote the last active administrator: nobody could then
    manage accounts from the pages."""
    if Role(user.role) is not Role.ADMIN or not user.is_active:
        return
    others = db.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.role == Role.ADMIN.value,
            User.is_active.is_(True),
            User.role_approved.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        raise Conflict(
            "This is the last active administrator account. Give another account the "
            "administrator role first."
        )


def pending_grant_for(db: Session, user_id: int) -> RoleGrant | None:
    return db.scalar(
        select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.outcome.is_(None))
    )


def pending_grants(db: Session, actor: Actor) -> list[RoleGrant]:
    """Role grants awaiting a checker, oldest first: for the DPO to decide, the admin to see."""
    if not (actor.can(Permission.ROLES_APPROVE) or actor.can(Permission.USERS_MANAGE)):
        raise Forbidden("Your role does not allow this.")
    return list(
        db.scalars(
            select(RoleGrant).where(RoleGrant.outcome.is_(None)).order_by(RoleGrant.requested_at)
        )
    )


def _decidable_grant(db: Session, actor: Actor, grant_id: int) -> RoleGrant:
    actor.require(Permission.ROLES_APPROVE)
    grant = db.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFound("There is no such role grant.")
    if actor.kind is ActorKind.USER and actor.user_id in (grant.requested_by, grant.user_id):
        raise Forbidden(
            "A second person must decide this: you asked for it, or it is your own account."
        )
    if grant.outcome is not None:
        raise Conflict(f"This role grant was already {grant.outcome}.")
    return grant


def approve_grant(db: Session, actor: Actor, *, grant_id: int) -> RoleGrant:
    grant = _decidable_grant(db, actor, grant_id)
    user = _user_by_id(db, grant.user_id)
    if not user.is_active:
        raise Conflict("That account is deactivated.")
    grant.outcome, grant.decided_by, grant.decided_at = (
        GrantOutcome.APPROVED,
        actor.user_id,
        clock.now(),
    )
    user.role = Role(grant.role)
    user.role_approved = True
    ended = end_all_access(db, user)
    audit.record(
        db,
        actor,
        EventTag.ROLE_GRANT_APPROVED,
        subject_type="user",
        subject_id=user.id,
        details={"grant_id": grant.id, "role": grant.role, **ended},
    )
    return grant


def refuse_grant(db: Session, actor: Actor, *, grant_id: int) -> RoleGrant:
    """Refuse a grant: a role change is dropped; a new account, never approved, is deactivated."""
    grant = _decidable_grant(db, actor, grant_id)
    user = _user_by_id(db, grant.user_id)
    grant.outcome, grant.decided_by, grant.decided_at = (
        GrantOutcome.REFUSED,
        actor.user_id,
        clock.now(),
    )
    if grant.previous_role is None:
        user.is_active = False
        end_all_access(db, user)
    db.flush()
    audit.record(
        db,
        actor,
        EventTag.ROLE_GRANT_REFUSED,
        subject_type="user",
        subject_id=user.id,
        details={"grant_id": grant.id, "role": grant.role},
    )
    return grant


@dataclass(frozen=True)
class AccountConcerns:
    """What an administrator should look at: accounts locked, without the two-factor sign-in
    their role should have, and unused for ``UNUSED_DAYS``."""

    locked: list[User]
    without_two_factor: list[User]
    unused: list[User]


UNUSED_DAYS = 90


def account_concerns(db: Session, actor: Actor) -> AccountConcerns:
    actor.require(Permission.USERS_MANAGE)
    now = clock.now()
    active = list(db.scalars(select(User).where(User.is_active).order_by(User.username)))
    cutoff = now - timedelta(days=UNUSED_DAYS)
    return AccountConcerns(
        locked=[u for u in active if u.locked_until is not None and u.locked_until > now],
        without_two_factor=[
            u
            for u in active
            if (needs_two_factor(Role(u.role)) or u.two_factor_required) and not u.totp_enabled
        ],
        unused=[u for u in active if (u.last_signin_at or u.created_at) < cutoff],
    )


def _user_by_id(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


# --- two-factor -----------------------------------------------------------------------


def _totp_context(user: User, state: str) -> str:
    return f"user:{user.id}:totp:{state}"


def _seal_totp(db: Session, kek: KeyEncryptionKeys, user: User, secret: str, state: str) -> bytes:
    if user.totp_key_id is None:
        user.totp_key_id = crypto.create_data_key(db, kek, purpose="totp").id
    return crypto.seal(
        db,
        kek,
        key_id=user.totp_key_id,
        plaintext=secret.encode(),
        context=_totp_context(user, state),
    )


def _open_totp(db: Session, kek: KeyEncryptionKeys, user: User, state: str) -> str | None:
    sealed = user.totp_sealed if state == "active" else user.totp_pending
    if sealed is None or user.totp_key_id is None:
        return None
    return crypto.open_sealed(
        db, kek, key_id=user.totp_key_id, sealed=sealed, context=_totp_context(user, state)
    ).decode()


def begin_totp(db: Session, kek: KeyEncryptionKeys, actor: Actor, *, user_id: int) -> str:
    """Give the user a new TOTP secret to put in their authenticator app. It is held pending,
    sealed: two-factor (and any secret already in use) is unchanged until a code confirms it."""
    user = _user_by_id(db, user_id)
    _require_may_reset(actor, user)
    secret = pyotp.random_base32()
    user.totp_pending = _seal_totp(db, kek, user, secret, "pending")
    db.flush()
    return secret


def pending_totp_secret(db: Session, kek: KeyEncryptionKeys, user: User) -> str | None:
    """The secret being set up, to show again while the user has not yet confirmed it."""
    return _open_totp(db, kek, user, "pending")


def totp_uri(user: User, secret: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Steward"))


def confirm_totp(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, *, user_id: int, code: str
) -> None:
    """Switch two-factor on (or to the new secret) once the user proves their app produces
    the right codes for the secret being set up."""
    user = _user_by_id(db, user_id)
    _require_may_reset(actor, user)
    secret = _open_totp(db, kek, user, "pending")
    if secret is None:
        raise Conflict("Start setting up two-factor sign-in first.")
    step = _matching_step(secret, code, after=None)
    if step is None:
        raise ValidationFailed(
            "That code is not right. Enter the current 6-digit code from your app.",
            errors={"code": "Enter the current code"},
        )
    was_enabled = user.totp_enabled
    user.totp_sealed = _seal_totp(db, kek, user, secret, "active")
    user.totp_pending = None
    user.totp_enabled = True
    user.totp_last_step = step
    db.flush()
    tag = EventTag.USER_TOTP_RESET if was_enabled else EventTag.USER_TOTP_ENABLED
    audit.record(db, actor, tag, subject_type="user", subject_id=user.id)


def must_set_up_two_factor(settings: Settings, user: User) -> bool:
    """Whether the account may do nothing but set up two-factor sign-in."""
    if user.totp_enabled:
        return False
    # An administrator's requirement holds whatever the organisation-wide setting says.
    return user.two_factor_required or (
        settings.requires_two_factor and needs_two_factor(Role(user.role))
    )


def _matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(clock.now())
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


def _accept_totp(db: Session, kek: KeyEncryptionKeys, user: User, code: str) -> bool:
    """Accept the code for the current 30-second step or one either side (clock drift), but
    only for a step later than the last one accepted, so an overheard code cannot be replayed."""
    secret = _open_totp(db, kek, user, "active")
    if secret is None:
        return False
    step = _matching_step(secret, code, after=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


# --- sign-in --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to. ``user`` is set only on success."""

    user: User | None
    message: str | None = None
    needs_code: bool = False


GENERIC_FAILURE = "Enter a correct username and password."


AWAITING_APPROVAL = (
    "Your account is waiting for a second person to approve its role. Ask your Data "
    "Protection Officer."
)


def sign_in(
    db: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    code: str = "",
    kek: KeyEncryptionKeys | None = None,
) -> SignIn:
    """``kek`` opens the sealed TOTP secret: needed for accounts with two-factor sign-in."""
    now = clock.now()
    user = db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        _password_matches(_DUMMY_HASH, password)
        _record_failure(db, None, "unknown_user")
        return SignIn(None, GENERIC_FAILURE)
    if not user.is_active:
        # The hash is checked all the same, so a deactivated account answers as slowly as a
        # live one and timing does not tell which usernames are deactivated.
        _password_matches(user.password_hash, password)
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
    if not user.role_approved:
        _record_failure(db, user, "awaiting_approval")
        return SignIn(None, AWAITING_APPROVAL)
    if user.totp_enabled:
        if not code.strip():
            return SignIn(
                None, "Enter the 6-digit code from your authenticator app.", needs_code=True
            )
        if kek is None:
            raise ValueError("sign_in needs the keyring for an account with two-factor sign-in")
        if not _accept_totp(db, kek, user, code):
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
    if user is None or not user.is_active or not user.role_approved:
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


def create_token(
    db: Session, actor: Actor, *, user_id: int, name: str, days: int = 90
) -> tuple[ApiToken, str]:
    """A new API token for ``user_id``, good for ``days`` (settings.token_days); the secret
    is returned once and never stored.

    Only the user themself (or the operator at the command line) may mint one: an
    administrator able to mint tokens for others could read case content through them."""
    if actor.user_id != user_id and actor.kind is not ActorKind.SYSTEM:
        raise Forbidden("You can create API tokens only for yourself.")
    actor.require(Permission.TOKENS_OWN)
    user = _user_by_id(db, user_id)
    if not user.is_active:
        raise Conflict("That account is deactivated.")
    if not user.role_approved:
        raise Conflict("That account's role is waiting for approval.")
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed(
            "Give the token a name of 1 to 80 characters.", errors={"name": "Enter a name"}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_digest(secret),
        display_prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.add(token)
    db.flush()
    audit.record(
        db,
        actor,
        EventTag.TOKEN_CREATED,
        subject_type="api_token",
        subject_id=token.id,
        details={"user_id": user.id, "days": days},
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
    found = token_user(db, secret)
    return None if found is None else found[0]


def token_user(db: Session, secret: str) -> tuple[User, int] | None:
    """The account a valid token acts as, and the token's id (what rate limits count by)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    now = clock.now()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at is None
        or now >= token.expires_at
    ):
        return None
    user = db.get(User, token.user_id)
    if user is None or not user.is_active or not user.role_approved:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        write_after_read(db, _update_row(ApiToken, {"last_used_at": now}, id=token.id))
    return user, token.id
