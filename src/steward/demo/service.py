"""Seed a development or test installation with demo staff accounts (later: synthetic cases).

Everything here is invented. Production refuses it: demo accounts share one published
password.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.config import Environment
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Permission, Role

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    team: str | None = None


# Two caseworkers in different teams, so need-to-know can be seen working: the north manager
# oversees `caseworker` but not `caseworker2`.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("caseworker", Role.CASEWORKER, "north"),
    DemoAccount("caseworker2", Role.CASEWORKER, "south"),
    DemoAccount("manager", Role.MANAGER, "north"),
    DemoAccount("ig-officer", Role.IG_OFFICER),
    DemoAccount("dpo", Role.DPO),
    DemoAccount("admin", Role.ADMIN),
    DemoAccount("auditor", Role.AUDITOR),
    DemoAccount("partner", Role.PARTNER),
)


@dataclass(frozen=True)
class SeededAccount:
    account: DemoAccount
    created: bool


@dataclass(frozen=True)
class SeedResult:
    skipped: bool
    """True when nothing was seeded because the installation already had accounts."""
    accounts: list[SeededAccount]
    """The demo accounts present after seeding; ``created`` tells which are new."""


def seed(
    db: Session, actor: Actor, *, environment: Environment, if_empty: bool = False
) -> SeedResult:
    """Create the demo accounts that do not exist yet, all with ``DEMO_PASSWORD``.

    ``if_empty``: leave an installation that already has any account untouched, so
    `make run` can call this on every start."""
    if environment is Environment.PRODUCTION:
        raise Forbidden("Demo data is never loaded in production (STEWARD_ENV=production).")
    actor.require(Permission.USERS_MANAGE)
    existing = set(db.scalars(select(auth.User.username)))
    if if_empty and existing:
        present = [SeededAccount(a, created=False) for a in DEMO_ACCOUNTS if a.username in existing]
        return SeedResult(skipped=True, accounts=present)
    seeded = []
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            seeded.append(SeededAccount(account, created=False))
            continue
        auth.create_user(
            db,
            actor,
            username=account.username,
            role=account.role,
            password=DEMO_PASSWORD,
            team=account.team,
        )
        seeded.append(SeededAccount(account, created=True))
    return SeedResult(skipped=False, accounts=seeded)
