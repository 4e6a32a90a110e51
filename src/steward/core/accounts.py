"""What an administrator does to staff accounts from the pages: find them (by role, team or
status), unlock, reset a password, deactivate and reactivate, change team, require two-factor
sign-in.

Sign-in, roles and the maker-checker on them live in core.auth; this module adds the
administrator's everyday actions on top. Each action records exactly one audit event, with
ids and flags only: never a password, a secret or a name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.audit import EventTag
from steward.core.auth import (
    UNUSED_DAYS,
    User,
    _hasher,
    _require_may_reset,
    _user_by_id,
    end_all_access,
)
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.passwords import check_password_rules
from steward.core.permissions import ROLE_NAMES as ROLE_NAMES
from steward.core.permissions import Actor, Permission, Role, reads_case_content

E = TypeVar("E", bound=StrEnum)
MAX_TEAM_LENGTH = 64
# No 0/O, 1/l/I: a temporary password is read off a screen and typed or said aloud.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    DEACTIVATED = "deactivated"
    NO_TWO_FACTOR = "no_two_factor"
    UNUSED = "unused"


STATUS_NAMES: dict[AccountStatus, str] = {
    AccountStatus.ACTIVE: "Active",
    AccountStatus.LOCKED: "Locked after failed sign-ins",
    AccountStatus.DEACTIVATED: "Deactivated",
    AccountStatus.NO_TWO_FACTOR: "Without two-factor sign-in",
    AccountStatus.UNUSED: f"Not used for {UNUSED_DAYS} days",
}


@dataclass(frozen=True)
class AccountFilter:
    """Which accounts a list shows; None is "any". Codes only, so it may sit in a URL."""

    role: Role | None = None
    team: str | None = None
    status: AccountStatus | None = None


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or clock.now())


def _status_clause(status: AccountStatus, now: datetime) -> ColumnElement[bool]:
    if status is AccountStatus.DEACTIVATED:
        return User.is_active.is_(False)
    active = User.is_active.is_(True)
    if status is AccountStatus.LOCKED:
        return and_(active, User.locked_until.is_not(None), User.locked_until > now)
    if status is AccountStatus.NO_TWO_FACTOR:
        return and_(active, User.totp_enabled.is_(False))
    if status is AccountStatus.UNUSED:
        cutoff = now - timedelta(days=UNUSED_DAYS)
        return and_(active, func.coalesce(User.last_signin_at, User.created_at) < cutoff)
    return active


def list_accounts(
    db: Session, actor: Actor, account_filter: AccountFilter, page: PageRequest
) -> Page[User]:
    actor.require(Permission.USERS_MANAGE)
    query = select(User)
    if account_filter.role is not None:
        query = query.where(User.role == account_filter.role.value)
    if account_filter.team is not None:
        query = query.where(User.team == account_filter.team)
    if account_filter.status is not None:
        query = query.where(_status_clause(account_filter.status, clock.now()))
    return paginate(db, query.order_by(User.username, User.id), page)


def teams(db: Session, actor: Actor) -> list[str]:
    """The teams accounts belong to, for the filter and the team field's suggestions."""
    actor.require(Permission.USERS_MANAGE)
    return list(
        db.scalars(select(User.team).where(User.team.is_not(None)).distinct().order_by(User.team))
    )


def get_account(db: Session, actor: Actor, *, user_id: int) -> User:
    actor.require(Permission.USERS_MANAGE)
    return _user_by_id(db, user_id)


def may_reset(actor: Actor, user: User) -> bool:
    """Whether this administrator may reset the account's password here (see
    auth._require_may_reset: not an account that reads case content)."""
    try:
        _require_may_reset(actor, user)
    except Forbidden:
        return False
    return actor.user_id != user.id


def _record(db: Session, actor: Actor, tag: EventTag, user: User, **details: int | bool) -> None:
    audit.record(db, actor, tag, subject_type="user", subject_id=user.id, details=details)


def unlock(db: Session, actor: Actor, *, user_id: int) -> User:
    """Lift a lock after failed sign-ins now, rather than when it runs out."""
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    if not is_locked(user):
        raise Conflict("That account is not locked.")
    user.locked_until = None
    user.failed_signins = 0
    db.flush()
    _record(db, actor, EventTag.USER_UNLOCKED, user)
    return user


def reactivate(db: Session, actor: Actor, *, user_id: int) -> User:
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    if user.is_active:
        raise Conflict("That account is already active.")
    user.is_active = True
    user.failed_signins = 0
    user.locked_until = None
    db.flush()
    # A new account whose role was refused stays unable to sign in until a role is granted.
    _record(db, actor, EventTag.USER_REACTIVATED, user, role_approved=user.role_approved)
    return user


def change_team(db: Session, actor: Actor, *, user_id: int, team: str) -> User:
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    new_team = team.strip() or None
    if new_team is not None and len(new_team) > MAX_TEAM_LENGTH:
        raise ValidationFailed(
            f"Team must be {MAX_TEAM_LENGTH} characters or fewer.",
            errors={"team": f"Enter a team of {MAX_TEAM_LENGTH} characters or fewer"},
        )
    if new_team == user.team:
        raise ValidationFailed(
            "The account is already in that team.",
            errors={"team": "Enter a different team, or leave the page"},
        )
    had_team = user.team is not None
    user.team = new_team
    db.flush()
    # The team's name is not recorded: only that it changed, and whether it was set.
    _record(
        db,
        actor,
        EventTag.USER_TEAM_CHANGED,
        user,
        had_team=had_team,
        has_team=new_team is not None,
    )
    return user


def temporary_password() -> str:
    """Four groups of four letters and digits: about 78 bits, easy to read out and type."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def reset_password(db: Session, actor: Actor, *, user_id: int, password: str | None) -> str | None:
    """Give another account a temporary password (``password``, or one made here and
    returned, to be shown once): it must be changed at the next sign-in. The lock, the
    account's sessions and its API tokens all end."""
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    if actor.user_id == user.id:
        raise Forbidden("Change your own password from Your account.")
    _require_may_reset(actor, user)
    if not user.is_active:
        raise Conflict("That account is deactivated. Reactivate it first.")
    generated = password is None
    chosen = temporary_password() if password is None else password
    check_password_rules(chosen)
    user.password_hash = _hasher.hash(chosen)
    user.must_change_password = True
    user.failed_signins = 0
    user.locked_until = None
    ended = end_all_access(db, user)
    db.flush()
    _record(db, actor, EventTag.USER_PASSWORD_RESET, user, generated=generated, **ended)
    return chosen if generated else None


def require_two_factor(db: Session, actor: Actor, *, user_id: int) -> User:
    """From the account's next page or sign-in it can do nothing but set up two factors."""
    actor.require(Permission.USERS_MANAGE)
    user = _user_by_id(db, user_id)
    if user.two_factor_required:
        raise Conflict("Two-factor sign-in is already required for that account.")
    if not user.is_active:
        raise Conflict("That account is deactivated.")
    user.two_factor_required = True
    db.flush()
    _record(db, actor, EventTag.USER_TOTP_REQUIRED, user, totp_enabled=user.totp_enabled)
    return user


def reads_content(user: User) -> bool:
    return reads_case_content(Role(user.role))


def signed_in_recently(user: User) -> bool:
    return (user.last_signin_at or user.created_at) >= clock.now() - timedelta(days=UNUSED_DAYS)


def role_filter_value(value: str | None) -> Role | None:
    return _parse(Role, value, "role", "Choose a role from the list")


def status_filter_value(value: str | None) -> AccountStatus | None:
    return _parse(AccountStatus, value, "status", "Choose a status from the list")


def _parse(kind: type[E], value: str | None, field: str, message: str) -> E | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError as exc:
        raise ValidationFailed(message + ".", errors={field: message}) from exc


def status_counts(db: Session, actor: Actor) -> dict[AccountStatus, int]:
    """How many accounts each status filter would show, for the filter's options."""
    actor.require(Permission.USERS_MANAGE)
    now = clock.now()
    return {
        status: db.scalar(select(func.count()).select_from(User).where(_status_clause(status, now)))
        or 0
        for status in AccountStatus
    }
