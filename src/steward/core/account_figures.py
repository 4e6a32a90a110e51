"""Account figures for the DPO's measures: two-factor sign-in and accounts left unused.
Aggregate SQL; the lists behind them are accounts (usernames, roles, dates), never passwords
or second-factor secrets. Only active accounts count: a closed account signs nobody in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from steward.core.auth import User

UNUSED_DAYS = 90


@dataclass(frozen=True)
class AccountRow:
    user_id: int
    username: str
    role: str
    last_signin_at: datetime | None


def _active(as_of: date) -> list[object]:
    end = datetime.combine(as_of, time.max, tzinfo=UTC)
    return [User.is_active.is_(True), User.created_at <= end]


def two_factor(db: Session, as_of: date) -> tuple[int, int]:
    """(active accounts with two-factor sign-in on, active accounts)."""
    with_2fa, active = db.execute(
        select(
            func.count().filter(User.totp_enabled.is_(True)),
            func.count(),
        ).where(*_active(as_of))  # type: ignore[arg-type]
    ).one()
    return int(with_2fa), int(active)


def _unused(as_of: date) -> list[object]:
    cutoff = datetime.combine(as_of - timedelta(days=UNUSED_DAYS), time.min, tzinfo=UTC)
    # Never signed in counts as unused once the account itself is older than the window.
    return [
        *_active(as_of),
        or_(
            User.last_signin_at < cutoff,
            User.last_signin_at.is_(None) & (User.created_at < cutoff),
        ),
    ]


def without_two_factor(db: Session, as_of: date) -> list[AccountRow]:
    return _rows(db, [*_active(as_of), User.totp_enabled.is_(False)])


def unused(db: Session, as_of: date) -> list[AccountRow]:
    return _rows(db, _unused(as_of))


def _rows(db: Session, where: list[object]) -> list[AccountRow]:
    found = db.execute(
        select(User.id, User.username, User.role, User.last_signin_at)
        .where(*where)  # type: ignore[arg-type]
        .order_by(User.username)
    ).all()
    return [AccountRow(r[0], r[1], str(r[2]), r[3]) for r in found]
