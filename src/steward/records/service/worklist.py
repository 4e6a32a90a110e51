"""The work waiting for someone, counted in SQL for the home page and the manager's pages:
documents added to my cases since I last looked, my team's caseload by worker, the team's
cases nobody is allocated to; and moving a case from one worker to another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.db import write_after_read
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.permissions import ROLE_PERMISSIONS, Actor, Permission, Role
from steward.records.events import RecordsEvent
from steward.records.models import Case, CaseAssignment, CaseStatus, CaseView, Document
from steward.records.service import access
from steward.records.service.cases import assign

T = TypeVar("T")

# Roles that work cases they are allocated: the people a manager may give a case to.
CASE_WORKING_ROLES = frozenset(
    r for r, perms in ROLE_PERMISSIONS.items() if Permission.CASES_READ_ASSIGNED in perms
)


@dataclass(frozen=True)
class Counted(Generic[T]):
    """The first few of a list and how many there are in all ("and 12 more")."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass(frozen=True)
class NewDocument:
    document_id: int
    title: str
    case_id: int
    case_number: str
    added_at: datetime


@dataclass(frozen=True)
class WorkerLoad:
    user_id: int
    username: str
    open_cases: int


@dataclass(frozen=True)
class CaseRef:
    case_id: int
    case_number: str


def record_case_view(db: Session, actor: Actor, case_id: int) -> None:
    """Note that the actor has just read the case's page, after the page's reads (a reader's
    request writes nothing until its reads are done). Core statements, not ORM changes."""
    if actor.user_id is None:
        return
    user_id, now = actor.user_id, clock.now()

    def touch(writer: Session) -> None:
        key = and_(CaseView.user_id == user_id, CaseView.case_id == case_id)
        done = writer.execute(update(CaseView).where(key).values(last_viewed_at=now))
        if not getattr(done, "rowcount", 0):
            writer.execute(
                insert(CaseView).values(user_id=user_id, case_id=case_id, last_viewed_at=now)
            )

    write_after_read(db, touch)


def new_documents(db: Session, actor: Actor, *, limit: int = 5) -> Counted[NewDocument]:
    """Documents added by someone else to an open case of mine since I last read the case's
    page (or since it was given to me, if I never have), newest first."""
    access.require_any_case_access(db, actor)
    if actor.user_id is None:
        return Counted([], 0)
    seen = (
        select(CaseView.last_viewed_at)
        .where(CaseView.case_id == Document.case_id, CaseView.user_id == actor.user_id)
        .scalar_subquery()
    )
    since = func.coalesce(seen, CaseAssignment.assigned_at)
    query = (
        select(Document.id, Document.title, Case.id, Case.case_number, Document.added_at)
        .join(Case, Case.id == Document.case_id)
        .join(
            CaseAssignment,
            and_(CaseAssignment.case_id == Case.id, CaseAssignment.user_id == actor.user_id),
        )
        .where(
            Case.status == CaseStatus.OPEN,
            Document.added_at > since,
            or_(Document.author_user_id.is_(None), Document.author_user_id != actor.user_id),
        )
    )
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(query.order_by(Document.added_at.desc(), Document.id.desc()).limit(limit))
    items = [NewDocument(*row) for row in rows]
    if items:
        audit.record(
            db,
            actor,
            RecordsEvent.CASES_LISTED,
            details={"case_ids": sorted({d.case_id for d in items}), "new_documents": total},
        )
    return Counted(items, total)


def _manager_team(db: Session, actor: Actor) -> str:
    actor.require(Permission.CASES_READ_TEAM)
    user = db.get(auth.User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.team:
        raise Forbidden("You are not in a team, so you have no team's cases to allocate.")
    return user.team


def team_members(db: Session, actor: Actor) -> list[auth.User]:
    """The active staff of the manager's team who work cases, by username."""
    team = _manager_team(db, actor)
    return list(
        db.scalars(
            select(auth.User)
            .where(
                auth.User.team == team,
                auth.User.is_active.is_(True),
                auth.User.role.in_([r.value for r in CASE_WORKING_ROLES]),
            )
            .order_by(auth.User.username)
        )
    )


def caseload(db: Session, actor: Actor) -> list[WorkerLoad]:
    """Each worker of the manager's team with how many of the team's open cases they hold,
    busiest first; one grouped query."""
    team = _manager_team(db, actor)
    members = team_members(db, actor)
    counts: dict[int, int] = {
        row[0]: row[1]
        for row in db.execute(
            select(CaseAssignment.user_id, func.count())
            .join(Case, Case.id == CaseAssignment.case_id)
            .where(
                Case.team == team,
                Case.status == CaseStatus.OPEN,
                CaseAssignment.user_id.in_([m.id for m in members]),
            )
            .group_by(CaseAssignment.user_id)
        )
    }
    loads = [WorkerLoad(m.id, m.username, counts.get(m.id, 0)) for m in members]
    return sorted(loads, key=lambda w: (-w.open_cases, w.username))


def unallocated(db: Session, actor: Actor, *, limit: int = 5) -> Counted[CaseRef]:
    """Open cases of the manager's team that no active member of staff is allocated to."""
    team = _manager_team(db, actor)
    access.require_induction(db, actor)  # a list of cases, as My cases is
    held = (
        select(CaseAssignment.case_id)
        .join(auth.User, auth.User.id == CaseAssignment.user_id)
        .where(auth.User.is_active.is_(True))
    )
    query = select(Case.id, Case.case_number).where(
        Case.team == team, Case.status == CaseStatus.OPEN, Case.id.not_in(held)
    )
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(query.order_by(Case.opened_on, Case.id).limit(limit))
    items = [CaseRef(*row) for row in rows]
    if items:
        audit.record(
            db, actor, RecordsEvent.CASES_LISTED, details={"case_ids": [c.case_id for c in items]}
        )
    return Counted(items, total)


def allocated_workers(db: Session, case_id: int) -> list[auth.User]:
    """Who is allocated to the case, by username (the caller has already read the case)."""
    return list(
        db.scalars(
            select(auth.User)
            .join(CaseAssignment, CaseAssignment.user_id == auth.User.id)
            .where(CaseAssignment.case_id == case_id)
            .order_by(auth.User.username)
        )
    )


def unassign(db: Session, actor: Actor, *, case_id: int, user_id: int) -> None:
    actor.require(Permission.CASES_WRITE)
    case, _ = access.readable_case(db, actor, case_id)
    row = db.scalar(
        select(CaseAssignment).where(
            CaseAssignment.case_id == case.id, CaseAssignment.user_id == user_id
        )
    )
    if row is None:
        raise NotFound("That member of staff is not allocated to this case.")
    db.delete(row)
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.CASE_UNASSIGNED,
        subject_type="case",
        subject_id=case.id,
        details={"user_id": user_id},
    )


def reassign(db: Session, actor: Actor, *, case_id: int, to_user_id: int) -> list[int]:
    """Give a case of the manager's team to another worker of the team, taking it from the
    workers who held it (the manager keeps any allocation of their own). Returns the ids of
    the workers it was taken from. Each change is its own audit event."""
    team = _manager_team(db, actor)
    case, _ = access.readable_case(db, actor, case_id)
    if case.team != team:
        raise Forbidden("Only a case of your own team can be reallocated by you.")
    members = {m.id: m for m in team_members(db, actor)}
    if to_user_id not in members:
        raise ValidationFailed(
            "Choose a member of your team who works cases.",
            errors={"user_id": "Choose a member of your team"},
        )
    holders = [
        u.id
        for u in allocated_workers(db, case.id)
        if u.id != to_user_id and u.id != actor.user_id and Role(u.role) in CASE_WORKING_ROLES
    ]
    assign(db, actor, case_id=case.id, user_id=to_user_id)
    for user_id in holders:
        unassign(db, actor, case_id=case.id, user_id=user_id)
    return holders
