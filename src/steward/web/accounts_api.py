"""The administrator's account actions through the API (/api/v1/users/{user_id}/...): what the
account page (accounts_pages.py) does, through the same services (core.accounts, core.auth),
each needing ``users:manage`` and each recorded once in the audit trail by the service.

A temporary password made for an account is answered once, in this response's body only,
never cached (``Cache-Control: no-store``) and never put in the trail or a log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from steward.core import accounts, auth
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput, UserRead
from steward.web.api import require_json
from steward.web.deps import DB, ApiActor, api_requires
from steward.web.ids import Id

router = APIRouter(
    tags=["users"],
    dependencies=[Depends(require_json), Depends(api_requires(Permission.USERS_MANAGE))],
)
_STATE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Not possible in the account's current state (see `detail`)"}
}


class AccountRead(UserRead):
    locked: bool = Field(description="True while failed sign-ins keep the account locked out")
    two_factor_required: bool = Field(
        description="True once the account must set up two-factor sign-in"
    )
    awaiting_role: bool = Field(
        description="True while a role change for it awaits a second person's approval"
    )


class TeamChange(StrictInput):
    team: str = Field(
        max_length=64,
        description="The team's name; empty to take the account out of any team",
        examples=["North"],
    )


class PasswordReset(StrictInput):
    password: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="The temporary password to set; leave it out to have one made",
        examples=[None],
    )


class PasswordResetRead(BaseModel):
    account: AccountRead
    temporary_password: str | None = Field(
        description="The password made for the account, shown this once (null when you "
        "chose it). It must be changed at the next sign-in."
    )


def _read(db: DB, user: auth.User) -> AccountRead:
    return AccountRead(
        **UserRead.model_validate(user).model_dump(),
        locked=accounts.is_locked(user),
        two_factor_required=user.two_factor_required,
        awaiting_role=auth.pending_grant_for(db, user.id) is not None,
    )


def _account(db: DB, actor: ApiActor, user_id: int) -> AccountRead:
    return _read(db, accounts.get_account(db, actor, user_id=user_id))


@router.get("/users/{user_id}")
def get_user(db: DB, actor: ApiActor, user_id: Id) -> AccountRead:
    """One account: its role, team, and whether it is locked, active or awaiting a role."""
    return _account(db, actor, user_id)


@router.post("/users/{user_id}/team")
def change_team(db: DB, actor: ApiActor, user_id: Id, body: TeamChange) -> AccountRead:
    """Move the account to another team (its name is not recorded, only that it changed)."""
    accounts.change_team(db, actor, user_id=user_id, team=body.team)
    return _account(db, actor, user_id)


@router.post("/users/{user_id}/unlock", responses=_STATE)
def unlock(db: DB, actor: ApiActor, user_id: Id) -> AccountRead:
    """Lift a lock after failed sign-ins now, rather than when it runs out."""
    accounts.unlock(db, actor, user_id=user_id)
    return _account(db, actor, user_id)


@router.post("/users/{user_id}/deactivate", responses=_STATE)
def deactivate(db: DB, actor: ApiActor, user_id: Id) -> AccountRead:
    """The account can no longer sign in; its sessions and API tokens end. Not your own, and
    not the last active administrator."""
    auth.deactivate_user(db, actor, user_id=user_id)
    return _account(db, actor, user_id)


@router.post("/users/{user_id}/reactivate", responses=_STATE)
def reactivate(db: DB, actor: ApiActor, user_id: Id) -> AccountRead:
    accounts.reactivate(db, actor, user_id=user_id)
    return _account(db, actor, user_id)


@router.post("/users/{user_id}/two-factor", responses=_STATE)
def require_two_factor(db: DB, actor: ApiActor, user_id: Id) -> AccountRead:
    """From its next sign-in or page, the account can do nothing but set up two-factor."""
    accounts.require_two_factor(db, actor, user_id=user_id)
    return _account(db, actor, user_id)


@router.post("/users/{user_id}/password", responses=_STATE)
def reset_password(
    db: DB, actor: ApiActor, user_id: Id, body: PasswordReset, response: Response
) -> PasswordResetRead:
    """Give the account a temporary password, to be changed at its next sign-in; its lock,
    sessions and API tokens end. Not for your own account, nor (here) for one that reads case
    content: that is reset at the command line."""
    shown = accounts.reset_password(db, actor, user_id=user_id, password=body.password)
    response.headers["Cache-Control"] = "no-store"
    return PasswordResetRead(account=_account(db, actor, user_id), temporary_password=shown)
