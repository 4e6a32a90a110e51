"""The log of reminders sent, for training administrators and those who watch compliance:
who was reminded about which course, when, to whom it went and whether the email left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from steward.core import audit, auth, outbox
from steward.core.errors import Forbidden
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.training.events import TrainingEvent
from steward.training.models import Course, Reminder, StaffMember


@dataclass(frozen=True, slots=True)
class LogLine:
    id: int
    sent_at: datetime
    kind: str
    staff_id: int
    staff_name: str
    course_title: str
    due_on: date
    recipient_name: str | None
    sent_by: str | None  # the account that pressed "send a reminder"; None: sent by the run
    outbox_status: str | None


def sent(db: Session, actor: Actor, page: PageRequest = PageRequest()) -> Page[LogLine]:
    """Every reminder and escalation sent, newest first (an audited read)."""
    if not any(map(actor.can, (Permission.TRAINING_MANAGE, Permission.TRAINING_VIEW_COMPLIANCE))):
        raise Forbidden("Your role does not allow this.")
    person, recipient = aliased(StaffMember), aliased(StaffMember)
    query = (
        select(
            Reminder.id,
            Reminder.sent_at,
            Reminder.kind,
            Reminder.staff_id,
            person.name,
            Course.title,
            Reminder.due_on,
            recipient.name,
            auth.User.username,
            outbox.OutboxMessage.status,
        )
        .join(person, person.id == Reminder.staff_id)
        .join(Course, Course.id == Reminder.course_id)
        .outerjoin(recipient, recipient.id == Reminder.recipient_staff_id)
        .outerjoin(auth.User, auth.User.id == Reminder.sent_by_user_id)
        .outerjoin(outbox.OutboxMessage, outbox.OutboxMessage.id == Reminder.outbox_message_id)
        .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
    )
    found: Page[LogLine] = paginate(db, query, page, scalars=False).map(lambda r: LogLine(*r))
    audit.record(
        db, actor, TrainingEvent.REMINDERS_LISTED, details={"ids": [r.id for r in found.items]}
    )
    return found
