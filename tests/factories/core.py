"""Builders for accounts and actors."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.permissions import Actor, Role

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(
    db: Session,
    role: Role = Role.CASEWORKER,
    *,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    team: str | None = None,
) -> auth.User:
    username = username or f"{role.value.replace('_', '-')}-{next(_counter)}"
    return auth.create_user(
        db, Actor.system(), username=username, role=role, password=password, team=team
    )
