"""Staff from HR: looking them up (the HR import lives here too)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.errors import NotFound
from steward.training.models import StaffMember


def for_user(db: Session, user_id: int | None) -> StaffMember | None:
    """The staff record of a Steward account, if it is linked to one."""
    if user_id is None:
        return None
    return db.scalar(select(StaffMember).where(StaffMember.user_id == user_id))


def get(db: Session, staff_id: int) -> StaffMember:
    staff = db.get(StaffMember, staff_id)
    if staff is None:
        raise NotFound("There is no such member of staff.")
    return staff


def reports_of(db: Session, manager_id: int) -> list[StaffMember]:
    """Those who report to this manager directly, by name."""
    return list(
        db.scalars(
            select(StaffMember)
            .where(StaffMember.manager_id == manager_id)
            .order_by(StaffMember.name, StaffMember.id)
        )
    )
