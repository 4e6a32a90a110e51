"""Reminders and escalation: owed on a day, sent through the outbox once and never again,
to the person before and after the due date and to their manager once it is overdue; people
without an email address reported, not failed; two runs at once still send each one once."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, clock, outbox
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.errors import Conflict, Forbidden
from steward.core.permissions import Actor, Role
from steward.training.events import TrainingEvent
from steward.training.models import Course, Reminder, StaffMember
from steward.training.policy import RequirementKind
from steward.training.service import reminder_log, reminders
from tests.factories.core import make_user
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.smtp_server import smtp_server

AS_OF = date(2026, 6, 1)
SYSTEM = Actor.system()


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    fields: dict[str, object] = {
        "env": Environment.TEST,
        "data_dir": tmp_path,
        "organisation_name": "Northshire Family Advice",
        "public_url": "https://steward.example.org",
    } | overrides
    return Settings(**fields)  # type: ignore[arg-type]


@dataclass
class Team:
    course: Course
    manager: StaffMember
    soon: StaffMember  # their refresher lapses within the due-soon window
    late: StaffMember  # theirs lapsed a month ago
    fine: StaffMember


def _team(db: Session) -> Team:
    course = make_course(db, title="Data protection refresher", validity_months=12)
    make_requirement(db, course)
    manager = make_staff(db, name="Morgan Hale", email="morgan.hale@example.org")
    soon = make_staff(db, name="Sam Okafor", email="sam.okafor@example.org", manager=manager)
    late = make_staff(db, name="Lee Brennan", email="lee.brennan@example.org", manager=manager)
    fine = make_staff(db, name="Fran Ives", email="fran.ives@example.org", manager=manager)
    complete(db, manager, course, date(2026, 1, 10))
    complete(db, soon, course, date(2025, 6, 20))  # lapses 20 June 2026
    complete(db, late, course, date(2025, 5, 1))  # lapsed 1 May 2026
    complete(db, fine, course, date(2026, 3, 1))
    db.commit()
    return Team(course, manager, soon, late, fine)


def _run(
    factory: sessionmaker[Session], keyring: FileKeyring, settings: Settings, as_of: date = AS_OF
) -> reminders.Summary:
    return reminders.run(factory, keyring, SYSTEM, as_of=as_of, settings=settings)


def _rows(db: Session) -> list[tuple[int, str, date, int | None]]:
    return [
        (r.staff_id, r.kind, r.due_on, r.recipient_staff_id)
        for r in db.scalars(select(Reminder).order_by(Reminder.staff_id, Reminder.kind))
    ]


def _messages(db: Session, keyring: FileKeyring) -> list[outbox.Message]:
    ids = db.scalars(select(outbox.OutboxMessage.id).order_by(outbox.OutboxMessage.id))
    return [outbox.message(db, keyring, SYSTEM, i) for i in ids]


def test_remind_twice_sends_each_reminder_once(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    team = _team(db)
    settings = _settings(tmp_path)

    first = _run(session_factory, keyring, settings)
    second = _run(session_factory, keyring, settings)
    # An hour later, and the next day: still nothing new.
    third = _run(session_factory, keyring, settings, date(2026, 6, 2))

    assert first.sent == {"due_soon": 1, "overdue": 1, "escalation": 1}
    assert (first.emails, first.kept_in_outbox, first.already_sent) == (3, 3, 0)
    for again in (second, third):
        assert again.sent == {"due_soon": 0, "overdue": 0, "escalation": 0}
        assert (again.emails, again.already_sent) == (0, 3)
    assert _rows(db) == sorted(
        [
            (team.soon.id, "due_soon", date(2026, 6, 20), team.soon.id),
            (team.late.id, "escalation", date(2026, 5, 1), team.manager.id),
            (team.late.id, "overdue", date(2026, 5, 1), team.late.id),
        ]
    )
    assert db.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 3


def test_due_soon_overdue_and_escalation_say_what_is_due_to_whom(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    _team(db)
    _run(session_factory, keyring, _settings(tmp_path))

    by_recipient = {m.summary.recipient: m for m in _messages(db, keyring)}
    assert set(by_recipient) == {
        "sam.okafor@example.org",
        "lee.brennan@example.org",
        "morgan.hale@example.org",
    }
    soon = by_recipient["sam.okafor@example.org"]
    assert soon.summary.subject == "Training due by 20 June 2026: Data protection refresher"
    assert soon.summary.status == "queued"  # no mail server: kept sealed in the outbox
    assert soon.body.startswith("Dear Sam Okafor,")
    assert "- Data protection refresher: due by 20 June 2026" in soon.body
    assert "https://steward.example.org/training\n" in soon.body
    assert soon.body.rstrip().endswith("Northshire Family Advice")
    late = by_recipient["lee.brennan@example.org"]
    assert late.summary.subject == "Overdue training: Data protection refresher"
    assert "- Data protection refresher: was due by 1 May 2026" in late.body
    escalation = by_recipient["morgan.hale@example.org"]
    assert escalation.summary.subject == "Overdue training in your team: Lee Brennan"
    assert "- Lee Brennan: Data protection refresher, was due by 1 May 2026" in escalation.body
    assert "https://steward.example.org/training/team" in escalation.body
    # The one on time, and the due-soon one, are nobody's concern but their own.
    assert "Sam Okafor" not in escalation.body and "Fran Ives" not in escalation.body


def test_a_new_starter_is_reminded_only_inside_the_window(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    course = make_course(db, title="Induction", validity_months=None)
    make_requirement(db, course, kind=RequirementKind.INDUCTION, due_within_days=60)
    close = make_staff(db, start_date=date(2026, 4, 20))  # due 19 June: inside 30 days
    far = make_staff(db, start_date=date(2026, 5, 25))  # due 24 July: not yet
    db.commit()

    summary = _run(session_factory, keyring, _settings(tmp_path, public_url=None))

    assert summary.sent["due_soon"] == 1
    assert _rows(db) == [(close.id, "due_soon", date(2026, 6, 19), close.id)]
    assert far.id not in {r[0] for r in _rows(db)}
    (message,) = _messages(db, keyring)
    # No public address set: the email names the page instead of linking to it.
    assert "sign in and open /training" in message.body


def test_people_without_an_email_are_reported_not_failed(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    course = make_course(db, validity_months=12)
    make_requirement(db, course)
    no_email_manager = make_staff(db, staff_number="M-NOMAIL", email="")
    complete(db, no_email_manager, course, date(2026, 1, 1))
    nobody = make_staff(db, staff_number="S-NOMAIL", email="", manager=no_email_manager)
    typo = make_staff(db, staff_number="S-TYPO", email="not an address")
    orphan = make_staff(db, staff_number="S-ORPHAN", email="orphan@example.org")
    for person in (nobody, typo, orphan):
        complete(db, person, course, date(2025, 1, 1))  # all overdue
    db.commit()

    summary = _run(session_factory, keyring, _settings(tmp_path))

    assert sorted(summary.no_email) == ["M-NOMAIL", "S-NOMAIL", "S-TYPO"]
    assert summary.no_manager == ["S-ORPHAN", "S-TYPO"]
    assert summary.sent == {"due_soon": 0, "overdue": 1, "escalation": 0}
    # Nothing is claimed for them: once HR adds an address, the reminder goes.
    assert _rows(db) == [(orphan.id, "overdue", date(2026, 1, 1), orphan.id)]
    nobody.email = "nobody@example.org"
    db.commit()
    again = _run(session_factory, keyring, _settings(tmp_path))
    assert again.sent["overdue"] == 1 and "S-NOMAIL" not in again.no_email


def test_a_manager_who_has_left_is_not_escalated_to(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    course = make_course(db, validity_months=12)
    make_requirement(db, course)
    gone = make_staff(db, leaving_date=date(2026, 3, 31))
    person = make_staff(db, staff_number="S-LEFTBEHIND", manager=gone)
    complete(db, person, course, date(2025, 1, 1))
    db.commit()

    summary = _run(session_factory, keyring, _settings(tmp_path))

    assert summary.no_manager == ["S-LEFTBEHIND"]
    assert summary.sent == {"due_soon": 0, "overdue": 1, "escalation": 0}


def test_each_reminder_is_one_audit_event_with_ids_only(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    team = _team(db)
    _run(session_factory, keyring, _settings(tmp_path))

    events = db.scalars(
        select(audit.AuditEvent).where(
            audit.AuditEvent.tag.in_(
                [TrainingEvent.REMINDER_SENT.value, TrainingEvent.ESCALATION_SENT.value]
            )
        )
    ).all()
    assert sorted(e.tag for e in events) == [
        "training:escalation:sent",
        "training:reminder:sent",
        "training:reminder:sent",
    ]
    escalation = next(e for e in events if e.tag == "training:escalation:sent")
    details = json.loads(escalation.details)
    assert details["staff_id"] == team.late.id
    assert details["recipient_staff_id"] == team.manager.id
    for event in events:
        text = str(event.details)
        assert "@" not in text and "Brennan" not in text and "refresher" not in text


def test_the_test_mail_server_receives_them_and_a_refusal_is_tried_again(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    _team(db)
    with smtp_server() as mailbox:
        settings = _settings(
            tmp_path, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_starttls=False
        )
        mailbox.refuse_recipients = True
        refused = _run(session_factory, keyring, settings)
        assert (refused.failed, refused.emails) == (3, 0)
        assert _rows(db) == []  # nothing claimed: the next run tries again
        mailbox.refuse_recipients = False
        sent = _run(session_factory, keyring, settings)

    assert sent.emails == 3 and sent.kept_in_outbox == 0
    assert sorted(r.recipients[0] for r in mailbox.received) == [
        "lee.brennan@example.org",
        "morgan.hale@example.org",
        "sam.okafor@example.org",
    ]
    first = next(r.message for r in mailbox.received if "sam" in r.recipients[0])
    assert first["Subject"] == "Training due by 20 June 2026: Data protection refresher"
    assert "due by 20 June 2026" in first.get_content()
    statuses = db.scalars(select(outbox.OutboxMessage.status)).all()
    assert sorted(statuses) == ["failed"] * 3 + ["sent"] * 3


def test_two_runs_at_once_send_each_reminder_once(
    fresh_engine: Engine,
    keyring: FileKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with session_scope(make_sessionmaker(fresh_engine)) as db:
        _team(db)
    # Two engines stand in for two cron jobs on two machines, both past planning before
    # either sends: each plans the same three emails.
    second = make_engine(Settings(env=Environment.TEST, data_dir=tmp_path), url=fresh_engine.url)
    both_planned = threading.Barrier(2, timeout=30)
    plan = reminders.plan

    def plan_then_wait(db: Session, as_of: date) -> reminders.Plan:
        planned = plan(db, as_of)
        both_planned.wait()
        return planned

    monkeypatch.setattr(reminders, "plan", plan_then_wait)
    results: list[reminders.Summary] = []
    errors: list[BaseException] = []

    def cron(engine: Engine) -> None:
        try:
            results.append(_run(make_sessionmaker(engine), keyring, _settings(tmp_path)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=cron, args=(e,)) for e in (fresh_engine, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    second.dispose()

    assert errors == []
    assert sum(r.emails for r in results) == 3
    assert sum(r.already_sent for r in results) == 3
    with session_scope(make_sessionmaker(fresh_engine)) as db:
        assert len(_rows(db)) == 3
        assert db.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 3


def test_a_manager_nudges_a_report_once_a_day(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    team = _team(db)
    boss = make_user(db, Role.CASEWORKER)  # a line manager in HR, whatever their role
    team.manager.user_id = boss.id
    settings = _settings(tmp_path)
    at = datetime(2026, 6, 1, 9, tzinfo=UTC)

    with clock.frozen(at):
        sent = reminders.nudge(
            db, keyring, boss.actor, team.late.id, settings=settings, site_url=None
        )
        with pytest.raises(Conflict, match="already sent to them today"):
            reminders.nudge(db, keyring, boss.actor, team.late.id, settings=settings, site_url=None)
        with pytest.raises(Conflict, match="no training to do"):
            reminders.nudge(db, keyring, boss.actor, team.fine.id, settings=settings, site_url=None)
    with clock.frozen(at.replace(day=2)):
        again = reminders.nudge(
            db, keyring, boss.actor, team.late.id, settings=settings, site_url="http://x.test/"
        )

    assert [r.kind for r in sent.reminders] == ["nudge"]
    assert [r.due_on for r in (*sent.reminders, *again.reminders)] == [
        date(2026, 6, 1),
        date(2026, 6, 2),
    ]
    message = outbox.message(db, keyring, SYSTEM, again.reminders[0].outbox_message_id or 0)
    assert message.summary.recipient == "lee.brennan@example.org"
    assert "- Data protection refresher: was due by 1 May 2026" in message.body
    assert "http://x.test/training" in message.body


def test_only_their_manager_or_a_training_administrator_may_nudge(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    team = _team(db)
    other = make_user(db, Role.MANAGER)
    make_staff(db, user_id=other.id)
    settings = _settings(tmp_path)

    with pytest.raises(Forbidden, match="not one of your direct reports"):
        reminders.nudge(db, keyring, other.actor, team.late.id, settings=settings, site_url=None)
    assert _rows(db) == []
    admin = make_user(db, Role.ADMIN)
    reminders.nudge(db, keyring, admin.actor, team.late.id, settings=settings, site_url=None)
    assert len(_rows(db)) == 1


def test_the_log_of_reminders_is_for_those_who_watch_training(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    _team(db)
    _run(session_factory, keyring, _settings(tmp_path))

    listed = reminder_log.sent(db, make_user(db, Role.IG_OFFICER).actor)
    assert listed.total == 3
    assert {(line.kind, line.staff_name, line.recipient_name) for line in listed.items} == {
        ("due_soon", "Sam Okafor", "Sam Okafor"),
        ("overdue", "Lee Brennan", "Lee Brennan"),
        ("escalation", "Lee Brennan", "Morgan Hale"),
    }
    assert {line.outbox_status for line in listed.items} == {"queued"}
    with pytest.raises(Forbidden):
        reminder_log.sent(db, make_user(db, Role.CASEWORKER).actor)


def test_a_person_reminded_is_reminded_again_for_the_next_due_date(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, tmp_path: Path
) -> None:
    team = _team(db)
    settings = _settings(tmp_path)
    _run(session_factory, keyring, settings)
    complete(db, team.soon, team.course, date(2026, 6, 10))  # renewed: next due June 2027
    db.commit()

    later = _run(session_factory, keyring, settings, date(2027, 5, 25))

    assert (team.soon.id, "due_soon", date(2027, 6, 10), team.soon.id) in _rows(db)
    assert later.sent["due_soon"] == 1
