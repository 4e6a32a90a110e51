"""What every use-case of the register shares: who may read and change it, and naming owners."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission


def require_view(actor: Actor) -> None:
    actor.require(Permission.ASSURANCE_VIEW)


def require_manage(actor: Actor) -> None:
    actor.require(Permission.ASSURANCE_MANAGE)


def usernames(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.execute(select(auth.User.id, auth.User.username).where(auth.User.id.in_(wanted)))
    return dict(rows.all())


def owners(db: Session) -> list[tuple[int, str]]:
    """The accounts that may own an entry: active ones, by name."""
    rows = db.execute(
        select(auth.User.id, auth.User.username)
        .where(auth.User.is_active.is_(True))
        .order_by(auth.User.username)
    )
    return list(rows.all())


def check_owner(db: Session, user_id: int | None, field: str = "owner_user_id") -> None:
    if user_id is None:
        return
    user = db.get(auth.User, user_id)
    if user is None or not user.is_active:
        raise ValidationFailed(
            "The owner must be an active account; nothing was saved.",
            errors={field: "Choose an owner from the list of active accounts"},
        )


def refused(exc: ValidationError, what: str) -> ValidationFailed:
    """A schema's refusal in the words the pages and API show: one message per field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "form"
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.setdefault(field, message)
    return ValidationFailed(f"The {what} could not be saved; nothing was changed.", errors=errors)
