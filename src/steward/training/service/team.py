"""A manager's team: who reports to them, where each stands, and who may act for whom.

A line manager is whoever HR names as someone's manager (StaffMember.manager_id), whatever
their Steward role: they see their direct reports, send them a reminder, record a classroom
session they attended and download its evidence. A training administrator (training:manage)
may do the same for anyone. Each read of a team or of one person's training is audited, by
ids only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import Forbidden, NotFound
from steward.core.paging import Page, PageRequest
from steward.core.permissions import Actor, Permission
from steward.training import policy
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, Reminder, StaffMember
from steward.training.policy import Status
from steward.training.service import compliance, gate
from steward.training.service import staff as staff_service

STAFF_SUBJECT = "training_staff"


def may_act_for(db: Session, actor: Actor, staff: StaffMember) -> bool:
    """Whether ``actor`` is the person's line manager or a training administrator."""
    if actor.can(Permission.TRAINING_MANAGE):
        return True
    me = staff_service.for_user(db, actor.user_id)
    return me is not None and staff.manager_id == me.id


# The same words whether the person exists or not: a manager guessing ids learns nothing.
NOT_YOURS = (
    "They are not one of your direct reports: only their manager or a training administrator "
    "can do this."
)


def require_may_act_for(db: Session, actor: Actor, staff: StaffMember) -> None:
    if not may_act_for(db, actor, staff):
        raise Forbidden(NOT_YOURS)


def staff_to_act_for(db: Session, actor: Actor, staff_id: int) -> StaffMember:
    """The member of staff, if the actor may act for them. Only a training administrator,
    who may act for anyone, is told that there is no such person."""
    staff = db.get(StaffMember, staff_id)
    if staff is None:
        if actor.can(Permission.TRAINING_MANAGE):
            raise NotFound("There is no such member of staff.")
        raise Forbidden(NOT_YOURS)
    require_may_act_for(db, actor, staff)
    return staff


@dataclass(frozen=True, slots=True)
class Member:
    """One direct report as the team page lists them."""

    standing: compliance.PersonStanding
    overdue: int  # courses overdue or never done
    due_soon: int  # courses due within the due-soon window
    next_due: date | None  # the earliest due date of anything not current

    @property
    def status(self) -> str:
        if self.overdue:
            return "overdue"
        if self.due_soon:
            return "due_soon"
        if self.standing.in_window:
            return "in_window"
        return "compliant"


@dataclass(frozen=True, slots=True)
class Team:
    manager: StaffMember | None  # the actor's own staff record (None: not linked)
    members: Page[Member]
    overdue: int  # people with anything overdue
    due_soon: int  # people with something due soon and nothing overdue
    as_of: date


def _member(person: compliance.PersonStanding, as_of: date, due_soon_days: int) -> Member:
    overdue = sum(1 for line in person.lines if line.status in policy.NON_COMPLIANT)
    soon = sum(
        1
        for line in person.lines
        if policy.reminders_due(line.standing, as_of=as_of, due_soon_days=due_soon_days)
        == (policy.ReminderKind.DUE_SOON,)
    )
    dues = [
        line.standing.due_on
        for line in person.lines
        if line.status is not Status.CURRENT and line.standing.due_on is not None
    ]
    return Member(person, overdue, soon, min(dues, default=None))


def _order(member: Member) -> tuple[int, int, date, str, int]:
    # Overdue first (most overdue courses first), then due soon, then everyone else.
    rank = 0 if member.overdue else 1 if member.due_soon else 2
    return (
        rank,
        -member.overdue,
        member.next_due or date.max,
        member.standing.name,
        member.standing.staff_id,
    )


def team(db: Session, actor: Actor, *, as_of: date, page: PageRequest = PageRequest()) -> Team:
    """The actor's direct reports in scope on ``as_of``, overdue first, one page of them."""
    me = staff_service.for_user(db, actor.user_id)
    if me is None:
        return Team(None, Page([], 0, page.number, page.size), 0, 0, as_of)
    reports = [s.id for s in staff_service.reports_of(db, me.id)]
    days = gate.current_policy(db).due_soon_days
    members = sorted(
        (_member(p, as_of, days) for p in compliance.standings(db, as_of, staff_ids=reports)),
        key=_order,
    )
    shown = members[page.offset : page.offset + page.size]
    audit.record(
        db,
        actor,
        TrainingEvent.TEAM_READ,
        subject_type=STAFF_SUBJECT,
        subject_id=me.id,
        details={"staff_ids": [m.standing.staff_id for m in shown]},
    )
    return Team(
        me,
        Page(shown, len(members), page.number, page.size),
        sum(1 for m in members if m.overdue),
        sum(1 for m in members if m.due_soon and not m.overdue),
        as_of,
    )


def reports_in_post(db: Session, actor: Actor, as_of: date) -> list[StaffMember]:
    """The actor's direct reports on ``as_of``, by name: whom they may record a session for."""
    me = staff_service.for_user(db, actor.user_id)
    if me is None:
        return []
    return [
        s
        for s in staff_service.reports_of(db, me.id)
        if policy.in_scope(s.start_date, s.leaving_date, as_of)
    ]


@dataclass(frozen=True, slots=True)
class CompletionLine:
    id: int
    course_title: str
    completed_on: date
    source: str
    note: str
    evidence_media_type: str | None  # None: no evidence attached


@dataclass(frozen=True, slots=True)
class ReminderLine:
    kind: str
    course_title: str
    due_on: date
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Person:
    staff: StaffMember
    standing: (
        compliance.PersonStanding | None
    )  # None: not in scope on the day (left, or not started)
    completions: list[CompletionLine]
    reminders: list[ReminderLine]
    as_of: date


def person(db: Session, actor: Actor, staff_id: int, *, as_of: date) -> Person:
    """One person's training for their manager: each course they must do, what they have
    completed (with any evidence), and the reminders sent to them or about them."""
    staff = staff_to_act_for(db, actor, staff_id)
    found = compliance.standings(db, as_of, staff_ids=[staff.id])
    done = db.execute(
        select(Completion, Course.title)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.staff_id == staff.id)
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
        .limit(200)
    ).all()
    sent = db.execute(
        select(Reminder.kind, Course.title, Reminder.due_on, Reminder.sent_at)
        .join(Course, Course.id == Reminder.course_id)
        .where(Reminder.staff_id == staff.id)
        .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
        .limit(50)
    ).all()
    audit.record(
        db, actor, TrainingEvent.TEAM_READ, subject_type=STAFF_SUBJECT, subject_id=staff.id
    )
    return Person(
        staff,
        found[0] if found else None,
        [
            CompletionLine(c.id, title, c.completed_on, c.source, c.note, c.evidence_media_type)
            for c, title in done
        ],
        [ReminderLine(kind, title, due_on, sent_at) for kind, title, due_on, sent_at in sent],
        as_of,
    )
