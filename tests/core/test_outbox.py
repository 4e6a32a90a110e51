"""The outbox: every message kept sealed (no byte of its recipient, subject, body or
attachment in any table), delivered to a real SMTP server when one is configured, kept queued
when not, a refusal kept as failed; reading it is audited, by ids only."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from steward.core import crypto, outbox
from steward.core.audit import AuditEvent
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Role
from steward.models import Base
from tests.factories.core import make_user
from tests.smtp_server import smtp_server

PDF = b"%PDF-1.4 a letter for the requester %%EOF"


def _smtp(tmp_path: Path, port: int, **overrides: object) -> Settings:
    fields: dict[str, object] = {
        "env": Environment.TEST,
        "data_dir": tmp_path,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_from": "ig@steward.example",
    } | overrides
    return Settings(**fields)  # type: ignore[arg-type]


def _cells(db: Session) -> list[bytes]:
    """Every value of every table as bytes, as a stolen copy of the database would show it."""
    found: list[bytes] = []
    for table in Base.metadata.sorted_tables:
        if not inspect(db.connection()).has_table(table.name):
            continue
        for row in db.execute(select(table)).all():
            for value in row:
                if isinstance(value, bytes | memoryview):
                    found.append(bytes(value))
                elif value is not None:
                    found.append(str(value).encode())
    return found


def _holding(db: Session, marker: str) -> int:
    return sum(marker.encode() in cell for cell in _cells(db))


def test_a_message_is_kept_sealed_and_reads_back_for_staff(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    marker = secrets.token_hex(8)
    sent = outbox.send(
        db,
        keyring,
        officer.actor,
        to=f"kayleigh.{marker}@example.org",
        subject=f"Your request SAR-2026-00001 {marker}",
        body=f"Dear Kayleigh Marsden-{marker},\n\nYour letter is attached.",
        attachments=[(f"letter-{marker}.pdf", "application/pdf", PDF + marker.encode())],
    )
    assert sent.status == outbox.Status.QUEUED and sent.sent_at is None
    # Nowhere in the database: not in the message's columns, not in the audit trail.
    assert _holding(db, marker) == 0
    listed = outbox.messages(db, keyring, officer.actor, PageRequest())
    assert listed.total >= 1
    first = next(m for m in listed.items if m.id == sent.id)
    assert first.recipient == f"kayleigh.{marker}@example.org"
    assert first.subject.endswith(marker) and first.attachment_count == 1
    shown = outbox.message(db, keyring, officer.actor, sent.id)
    assert shown.body.startswith(f"Dear Kayleigh Marsden-{marker}")
    assert [(a.number, a.filename, a.media_type) for a in shown.attachments] == [
        (1, f"letter-{marker}.pdf", "application/pdf")
    ]
    assert outbox.attachment(db, keyring, officer.actor, sent.id, 1).data.endswith(marker.encode())
    with pytest.raises(NotFound):
        outbox.attachment(db, keyring, officer.actor, sent.id, 2)
    tags = db.scalars(
        select(AuditEvent.tag).where(AuditEvent.subject_type == "outbox_message")
    ).all()
    assert {"outbox:message:queued", "outbox:message:read", "outbox:attachment:downloaded"} <= set(
        tags
    )


def test_the_scan_finds_plaintext_where_it_is_stored(db: Session) -> None:
    """Control: the same scan sees a marker written to a plain column, so it can fail."""
    marker = secrets.token_hex(8)
    make_user(db, Role.CASEWORKER, team=f"Team {marker}")
    assert _holding(db, marker) >= 1


def test_only_the_ig_team_reads_the_outbox(db: Session, keyring: FileKeyring) -> None:
    officer, caseworker = make_user(db, Role.DPO), make_user(db, Role.CASEWORKER)
    sent = outbox.send(db, keyring, officer.actor, to="a@example.org", subject="S", body="B")
    with pytest.raises(Forbidden):
        outbox.messages(db, keyring, caseworker.actor)
    with pytest.raises(Forbidden):
        outbox.message(db, keyring, caseworker.actor, sent.id)
    with pytest.raises(NotFound):
        outbox.message(db, keyring, officer.actor, sent.id + 1000)


@pytest.mark.parametrize(
    ("to", "subject", "field"),
    [
        ("not an address", "Subject", "to"),
        ("a@example.org", "Subject\r\nBcc: everyone@example.org", "subject"),
        ("a@example.org", "   ", "subject"),
    ],
)
def test_a_bad_address_or_subject_is_refused_and_nothing_kept(
    db: Session, keyring: FileKeyring, to: str, subject: str, field: str
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    before = db.scalar(select(func.count()).select_from(outbox.OutboxMessage))
    with pytest.raises(ValidationFailed) as refused:
        outbox.send(db, keyring, officer.actor, to=to, subject=subject, body="B")
    assert field in refused.value.errors
    assert db.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == before


def test_with_a_mail_server_the_message_is_delivered_and_kept_as_sent(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    with smtp_server() as mailbox:
        sent = outbox.send(
            db,
            keyring,
            officer.actor,
            to="kayleigh@example.org",
            subject="Your request SAR-2026-00001",
            body="Dear Kayleigh,\n\n.A line starting with a dot.\n",
            attachments=[("SAR-2026-00001-acknowledgement.pdf", "application/pdf", PDF)],
            settings=_smtp(tmp_path, mailbox.port),
        )
    assert sent.status == outbox.Status.SENT and sent.sent_at is not None
    assert len(mailbox.received) == 1
    got = mailbox.received[0]
    assert got.recipients == ["kayleigh@example.org"]
    email = got.message
    assert email["To"] == "kayleigh@example.org" and email["From"] == "ig@steward.example"
    assert email["Subject"] == "Your request SAR-2026-00001"
    body = email.get_body(("plain",))
    assert body is not None and ".A line starting with a dot." in body.get_content()
    attached = list(email.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attached] == [
        ("SAR-2026-00001-acknowledgement.pdf", "application/pdf")
    ]
    assert attached[0].get_content() == PDF
    # Kept as the record of what went, sealed like any other.
    assert outbox.message(db, keyring, officer.actor, sent.id).summary.status == "sent"


def test_a_refusing_or_absent_mail_server_leaves_the_message_failed_not_lost(
    db: Session, keyring: FileKeyring, tmp_path: Path
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    with smtp_server() as mailbox:
        mailbox.refuse_recipients = True
        refused = outbox.send(
            db,
            keyring,
            officer.actor,
            to="nobody@example.org",
            subject="S",
            body="B",
            settings=_smtp(tmp_path, mailbox.port),
        )
        port = mailbox.port
    assert refused.status == outbox.Status.FAILED
    assert refused.failure == "SMTPRecipientsRefused"
    # The server has gone: nothing listens on its port now.
    unreachable = outbox.send(
        db,
        keyring,
        officer.actor,
        to="nobody@example.org",
        subject="S",
        body="B",
        settings=_smtp(tmp_path, port),
    )
    assert unreachable.status == outbox.Status.FAILED and unreachable.failure
    failed = db.scalars(
        select(AuditEvent).where(
            AuditEvent.tag == "outbox:message:failed",
            AuditEvent.subject_id.in_([str(refused.id), str(unreachable.id)]),
        )
    ).all()
    assert len(failed) == 2
    assert all("nobody" not in json.dumps(e.details) for e in failed)


def test_the_smtp_password_never_shows_in_settings_output(tmp_path: Path) -> None:
    settings = _smtp(tmp_path, 25, smtp_username="relay", smtp_password="hunter2-secret")
    assert "hunter2-secret" not in repr(settings) and "hunter2-secret" not in str(
        settings.model_dump()
    )


def test_a_shredded_message_is_gone_and_its_key_destroyed(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    sent = outbox.send(db, keyring, officer.actor, to="a@example.org", subject="S", body="B")
    key_id, message_id = sent.data_key_id, sent.id
    outbox.shred(db, officer.actor, message_id)
    with pytest.raises(NotFound):
        outbox.message(db, keyring, officer.actor, message_id)
    key = db.get(crypto.DataKey, key_id)
    assert key is not None and key.wrapped_key is None and key.destroyed_at is not None
    with pytest.raises(NotFound):
        outbox.shred(db, officer.actor, message_id)
