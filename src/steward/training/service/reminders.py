"""Follow-up: a reminder before training is due, another once it is overdue, an escalation
to the person's manager then, and a reminder a manager sends by hand; all through the one
outbox (core.outbox: sent when a mail server is set up, else kept sealed in the database).

Never the same one twice. A reminder is claimed before its email is written, by inserting
its Reminder row, whose unique key (person, course, kind, due date) is the guarantee; the
insert runs in a savepoint, so a row another run already holds fails alone and is left out
of the email. Two runs at once cannot both send it: on PostgreSQL the second insert waits
for the first run's transaction and then fails; SQLite lets one writer in at a time. An
email the mail server refused leaves no row behind (the next run tries again), and a person
with no usable email address is reported, with nothing claimed for them.

``run`` (what `steward training remind` calls from cron) works out every reminder owed on a
day and sends them one email per recipient and kind, each email in its own transaction:
unlike most use-cases it commits, as the disposal run does, so an email that went is never
forgotten because a later one failed, which would have the next run send it again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, clock, outbox
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training import policy
from steward.training.events import TrainingEvent
from steward.training.models import Reminder, StaffMember
from steward.training.policy import ReminderKind, Status
from steward.training.service import compliance, gate, reminder_email, team
from steward.training.service.reminder_email import Notice

SUBJECT_TYPE = "training_reminder"
AUTOMATIC = (ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.ESCALATION)


@dataclass(frozen=True, slots=True)
class Batch:
    """What one email carries: reminders of one kind to one recipient."""

    kind: ReminderKind
    recipient_staff_id: int
    recipient_number: str
    recipient_name: str
    email: str | None
    notices: tuple[Notice, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    as_of: date
    batches: tuple[Batch, ...]
    already_sent: int  # reminders owed that an earlier run sent
    no_manager: tuple[str, ...]  # staff numbers of people overdue with no manager in post


@dataclass(frozen=True, slots=True)
class Sent:
    """What became of one batch."""

    reminders: tuple[Reminder, ...] = ()
    already_sent: int = 0
    status: str | None = None  # the outbox message's: queued, sent or failed
    unreachable: bool = False  # no email address, or one the outbox refused


@dataclass
class Summary:
    """What a run did, in counts and staff numbers (never names or addresses)."""

    as_of: date
    sent: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in AUTOMATIC})
    emails: int = 0
    kept_in_outbox: int = 0  # written, waiting in the outbox: no mail server is set up
    failed: int = 0  # emails the mail server refused: their reminders go next run
    already_sent: int = 0
    no_email: list[str] = field(default_factory=list)
    no_manager: list[str] = field(default_factory=list)

    def add(self, batch: Batch, result: Sent) -> None:
        self.already_sent += result.already_sent
        if result.unreachable:
            self.no_email.append(batch.recipient_number)
        elif result.status == outbox.Status.FAILED:
            self.failed += 1
        elif result.reminders:
            self.emails += 1
            self.kept_in_outbox += result.status == outbox.Status.QUEUED
            self.sent[batch.kind.value] += len(result.reminders)


@dataclass(frozen=True, slots=True)
class _Contact:
    id: int
    staff_number: str
    name: str
    email: str | None
    start_date: date
    leaving_date: date | None


def plan(db: Session, as_of: date) -> Plan:
    """Every reminder owed on ``as_of`` that no run has sent, grouped into emails."""
    days = gate.current_policy(db).due_soon_days
    owed: list[tuple[compliance.PersonStanding, Notice]] = []
    for person in compliance.standings(db, as_of):
        for line in person.lines:
            due = line.standing.due_on
            if due is None:  # a completion that never lapses: nothing is ever due
                continue
            for kind in policy.reminders_due(line.standing, as_of=as_of, due_soon_days=days):
                overdue = line.status in policy.NON_COMPLIANT
                notice = Notice(
                    kind,
                    person.staff_id,
                    person.name,
                    line.course_id,
                    line.course_title,
                    due,
                    due,
                    overdue,
                )
                owed.append((person, notice))
    sent_before = _sent_before(db, min((n.key_on for _, n in owed), default=None))
    contacts = {
        row.id: _Contact(*row)
        for row in db.execute(
            select(
                StaffMember.id,
                StaffMember.staff_number,
                StaffMember.name,
                StaffMember.email,
                StaffMember.start_date,
                StaffMember.leaving_date,
            )
        )
    }
    grouped: dict[tuple[ReminderKind, int], list[Notice]] = defaultdict(list)
    no_manager: dict[int, str] = {}
    already = 0
    for person, notice in owed:
        if (notice.staff_id, notice.course_id, notice.kind.value, notice.key_on) in sent_before:
            already += 1
        elif notice.kind is not ReminderKind.ESCALATION:
            grouped[(notice.kind, notice.staff_id)].append(notice)
        elif (manager := _manager(contacts, person.manager_id, as_of)) is not None:
            grouped[(notice.kind, manager.id)].append(notice)
        else:
            no_manager[person.staff_id] = person.staff_number
    batches = sorted(
        (
            Batch(
                kind,
                recipient_id,
                contacts[recipient_id].staff_number,
                contacts[recipient_id].name,
                contacts[recipient_id].email or None,
                tuple(sorted(notices, key=lambda n: (n.due_on, n.staff_name, n.course_title))),
            )
            for (kind, recipient_id), notices in grouped.items()
        ),
        key=lambda b: (b.recipient_name, b.recipient_staff_id, b.kind.value),
    )
    return Plan(as_of, tuple(batches), already, tuple(sorted(no_manager.values())))


def _manager(contacts: dict[int, _Contact], manager_id: int | None, as_of: date) -> _Contact | None:
    """The person's manager, if they have one still in post: an escalation to someone who
    has left would reach nobody."""
    manager = contacts.get(manager_id) if manager_id is not None else None
    if manager is None or not policy.in_scope(manager.start_date, manager.leaving_date, as_of):
        return None
    return manager


def _sent_before(db: Session, since: date | None) -> set[tuple[int, int, str, date]]:
    """The keys of reminders already sent, read at once for the due dates a plan covers
    (overdue dates reach back, but never before the earliest one owed)."""
    if since is None:
        return set()
    rows = db.execute(
        select(Reminder.staff_id, Reminder.course_id, Reminder.kind, Reminder.due_on).where(
            Reminder.kind.in_([k.value for k in AUTOMATIC]), Reminder.due_on >= since
        )
    )
    return {(s, c, k, d) for s, c, k, d in rows}


def send(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    batch: Batch,
    *,
    settings: Settings,
    site_url: str | None,
) -> Sent:
    """Claim the batch's reminders not yet sent and email them to its recipient, with one
    audit event per reminder. Nothing is kept for a recipient without a usable address, and
    no claim survives an email the mail server refused."""
    if not batch.email:
        return Sent(unreachable=True)
    whole = db.begin_nested()
    try:
        claimed = [
            (notice, row)
            for notice in batch.notices
            if (row := _claim(db, actor, notice, batch.recipient_staff_id)) is not None
        ]
        if not claimed:
            whole.commit()
            return Sent(already_sent=len(batch.notices))
        subject, body = reminder_email.email_text(
            batch.kind,
            batch.recipient_name,
            [n for n, _ in claimed],
            organisation=settings.organisation_name,
            site_url=site_url,
        )
        message = outbox.send(
            db, kek, actor, to=batch.email, subject=subject, body=body, settings=settings
        )
    except ValidationFailed:
        # The outbox refused the address (it is not one): nothing is claimed or kept.
        whole.rollback()
        return Sent(unreachable=True)
    except BaseException:
        whole.rollback()
        raise
    whole.commit()
    already = len(batch.notices) - len(claimed)
    if message.status == outbox.Status.FAILED:
        # Kept in the outbox as failed (its own audit event); the reminders stay unsent.
        for _, row in claimed:
            db.delete(row)
        db.flush()
        return Sent(already_sent=already, status=message.status)
    for notice, row in claimed:
        row.outbox_message_id = message.id
        audit.record(
            db,
            actor,
            TrainingEvent.ESCALATION_SENT
            if notice.kind is ReminderKind.ESCALATION
            else TrainingEvent.REMINDER_SENT,
            subject_type=SUBJECT_TYPE,
            subject_id=row.id,
            details={
                "staff_id": notice.staff_id,
                "course_id": notice.course_id,
                "kind": notice.kind.value,
                "due_on": notice.key_on.isoformat(),
                "recipient_staff_id": batch.recipient_staff_id,
                "outbox_message_id": message.id,
            },
        )
    db.flush()
    return Sent(tuple(row for _, row in claimed), already, message.status)


def _claim(db: Session, actor: Actor, notice: Notice, recipient_id: int) -> Reminder | None:
    row = Reminder(
        staff_id=notice.staff_id,
        course_id=notice.course_id,
        kind=notice.kind.value,
        due_on=notice.key_on,
        sent_at=clock.now(),
        recipient_staff_id=recipient_id,
        sent_by_user_id=actor.user_id,
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        return None  # sent already, by an earlier run or one running now
    return row


def run(
    factory: sessionmaker[Session],
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    as_of: date,
    settings: Settings,
) -> Summary:
    """Send every reminder and escalation owed on ``as_of``, each email committed on its
    own; safe to run every hour and to run twice at once."""
    actor.require(Permission.TRAINING_MANAGE)
    with session_scope(factory, read_only=True) as db:
        planned = plan(db, as_of)
    summary = Summary(as_of, already_sent=planned.already_sent, no_manager=list(planned.no_manager))
    for batch in planned.batches:
        with session_scope(factory) as db:
            result = send(db, kek, actor, batch, settings=settings, site_url=settings.public_url)
        summary.add(batch, result)
    return summary


def nudge(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    staff_id: int,
    *,
    settings: Settings,
    site_url: str | None,
) -> Sent:
    """A reminder a manager sends by hand about everything the person has still to do:
    once a day at most for each course (a second press the same day sends nothing)."""
    staff = team.staff_to_act_for(db, actor, staff_id)
    today = clock.today()
    found = compliance.standings(db, today, staff_ids=[staff.id])
    lines = [line for line in found[0].lines if line.status is not Status.CURRENT] if found else []
    if not lines:
        raise Conflict("They have no training to do at the moment: no reminder was sent.")
    if not staff.email:
        raise Conflict(
            "They have no email address on the staff list: no reminder was sent. Ask HR to add it."
        )
    notices = tuple(
        Notice(
            ReminderKind.NUDGE,
            staff.id,
            staff.name,
            line.course_id,
            line.course_title,
            line.standing.due_on or today,
            today,
            line.status in policy.NON_COMPLIANT,
        )
        for line in lines
    )
    batch = Batch(
        ReminderKind.NUDGE, staff.id, staff.staff_number, staff.name, staff.email, notices
    )
    result = send(db, kek, actor, batch, settings=settings, site_url=site_url)
    if result.unreachable:
        raise Conflict(
            "Their email address on the staff list is not a valid address: no reminder was "
            "sent. Ask HR to correct it."
        )
    if not result.reminders and result.status is None:
        raise Conflict("A reminder about this training was already sent to them today.")
    return result
