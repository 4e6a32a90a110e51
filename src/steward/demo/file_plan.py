"""Demo hook of the file plan's owners and reviews: most record classes owned by a manager or
the IG officer, a few reviews of their rules recorded by the IG officer, one case class left
without an owner; with the classes the default schedule has no rule for (correspondence,
partner submissions), the DPO's "record classes reviewed" measure has something honest to
show. Idempotent: does nothing once any class has an owner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth, clock
from steward.core.db import session_scope
from steward.core.permissions import Role
from steward.records.models import RecordClass
from steward.records.service import file_plan
from steward.retention.service import class_reviews

# Class code -> the role of its owner (CASE.OTHER and PARTNER are left without one).
OWNERS = {
    "CASE.PRIVATE": Role.MANAGER,
    "CASE.PUBLIC": Role.MANAGER,
    "CASE.ADOPTION": Role.MANAGER,
    "CASE.LAC": Role.MANAGER,
    "SAR": Role.IG_OFFICER,
    "CORR": Role.IG_OFFICER,
}
REVIEWS = (
    ("CASE.PRIVATE", 60, "confirmed", ""),
    ("CASE.PUBLIC", 60, "confirmed", ""),
    (
        "CORR",
        45,
        "change_needed",
        "Correspondence has no rule of its own: one to be added in the next schedule version.",
    ),
)


def _first(db: Session, role: Role) -> auth.User | None:
    return db.scalar(
        select(auth.User)
        .where(auth.User.role == role, auth.User.is_active.is_(True))
        .order_by(auth.User.id)
        .limit(1)
    )


def prepare(factory: sessionmaker[Session]) -> None:
    with session_scope(factory) as db:
        if db.scalar(select(RecordClass.id).where(RecordClass.owner_user_id.is_not(None))):
            return
        officer = _first(db, Role.IG_OFFICER)
        if officer is None:
            return
        for code, role in OWNERS.items():
            owner = _first(db, role)
            if owner is None:
                continue
            found = db.scalar(select(RecordClass).where(RecordClass.code == code))
            if found is not None:
                file_plan.set_owner(db, officer.actor, class_id=found.id, owner_user_id=owner.id)
        for code, days_ago, outcome, note in REVIEWS:
            found = db.scalar(select(RecordClass).where(RecordClass.code == code))
            if found is not None:
                class_reviews.record_review(
                    db,
                    officer.actor,
                    class_id=found.id,
                    reviewed_on=clock.today() - timedelta(days=days_ago),
                    outcome=outcome,
                    note=note,
                )
