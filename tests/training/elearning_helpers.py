"""Shared by the e-learning tests: the shipped modules in the catalogue, a member of staff
with an account, and a quiz answered with as many wrong as asked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.permissions import Actor, Role
from steward.training.models import StaffMember
from steward.training.module_files import Module
from steward.training.service import modules
from tests.factories.core import make_user
from tests.factories.training import make_staff

INDUCTION = "data-protection-induction"


def synced(db: Session) -> None:
    result = modules.sync(db, Actor.system())
    assert not result.refused, result.refused


def trainee(
    db: Session, role: Role = Role.CASEWORKER, *, manager: StaffMember | None = None
) -> tuple[auth.User, StaffMember]:
    user = make_user(db, role)
    return user, make_staff(db, user_id=user.id, manager=manager)


def answers(module: Module, *, wrong: int = 0) -> dict[str, int | None]:
    """Every question answered: the first ``wrong`` of them wrongly."""
    return {
        q.id: (q.correct_index + 1) % len(q.options) if i < wrong else q.correct_index
        for i, q in enumerate(module.questions)
    }


def events(db: Session, tag: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.tag == tag)))
