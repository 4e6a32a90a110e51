"""The one outbox every domain sends email through (ARCHITECTURE.md convention 12).

Each message is kept sealed in the database under a data key of its own, whether or not it
is sent: a letter to a requester names them and says what they asked for, so neither the
recipient, the subject, the body nor an attachment is ever stored or logged in plaintext.
With a mail server configured (``smtp_host``), the message is sent at once and kept as the
record of what went; without one it waits, queued, for staff to read on the Outbox page or
with `steward outbox` and send another way. Destroying a message's data key (crypto-shredding)
leaves nothing of it readable."""

from __future__ import annotations

import base64
import json
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from steward.core import audit, clock, crypto
from steward.core.audit import EventTag
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import Base, UTCDateTime
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

log = logging.getLogger("steward.outbox")

SUBJECT_TYPE = "outbox_message"
SMTP_TIMEOUT_SECONDS = 30
MAX_SUBJECT = 300

# (filename, media type, content)
Attachment = tuple[str, str, bytes]


class Status(StrEnum):
    QUEUED = "queued"  # kept here: no mail server configured
    SENT = "sent"
    FAILED = "failed"  # the mail server refused it or could not be reached


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why sending failed, as a code (the exception's class): never the server's reply, which
    # can quote the recipient's address.
    failure: Mapped[str | None] = mapped_column(String(80))
    attachment_count: Mapped[int] = mapped_column(Integer, default=0)
    data_key_id: Mapped[str] = mapped_column(String(36))
    recipient_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    subject_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    attachments_sealed: Mapped[bytes] = mapped_column(LargeBinary)


@dataclass(frozen=True)
class Summary:
    """A line of the outbox list: what staff need to tell messages apart."""

    id: int
    created_at: datetime
    status: str
    sent_at: datetime | None
    recipient: str
    subject: str
    attachment_count: int


@dataclass(frozen=True)
class AttachmentInfo:
    number: int  # from 1, as the page and the download address count
    filename: str
    media_type: str
    size: int


@dataclass(frozen=True)
class Message:
    summary: Summary
    body: str
    attachments: list[AttachmentInfo]
    failure: str | None


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    media_type: str
    data: bytes


def _context(message: OutboxMessage, field: str) -> str:
    return f"{SUBJECT_TYPE}:{message.id}:{field}"


def _seal(
    db: Session, kek: KeyEncryptionKeys, message: OutboxMessage, field: str, data: bytes
) -> bytes:
    return crypto.seal(
        db, kek, key_id=message.data_key_id, plaintext=data, context=_context(message, field)
    )


def _open(
    db: Session, kek: KeyEncryptionKeys, message: OutboxMessage, field: str, sealed: bytes
) -> bytes:
    return crypto.open_sealed(
        db, kek, key_id=message.data_key_id, sealed=sealed, context=_context(message, field)
    )


def _checked_recipient(to: str) -> str:
    try:
        return validate_email(to.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationFailed(
            "The email address is not valid: nothing was sent.",
            errors={"to": "Enter an email address in the correct format, like name@example.com"},
        ) from None


def _checked_subject(subject: str) -> str:
    # A line break in a header would let the text add headers of its own.
    if not subject.strip() or len(subject) > MAX_SUBJECT or any(c in subject for c in "\r\n"):
        raise ValidationFailed(
            "The subject must be one line of up to 300 characters: nothing was sent.",
            errors={"subject": "Enter a subject of one line"},
        )
    return subject.strip()


def _email(
    settings: Settings, to: str, subject: str, body: str, attachments: Sequence[Attachment]
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = to
    email["Subject"] = subject
    email.set_content(body)
    for filename, media_type, data in attachments:
        maintype, _, subtype = media_type.partition("/")
        email.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return email


def _deliver(settings: Settings, email: EmailMessage) -> None:
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        smtp.send_message(email)


def send(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    settings: Settings | None = None,
) -> OutboxMessage:
    """Keep the message sealed, and send it when ``settings`` name a mail server.

    A message the server refuses (or a server that cannot be reached) is kept as failed, not
    raised: what was meant to go is on record either way, and the caller decides what next.
    The audit event names the message's id and status only."""
    recipient, subject = _checked_recipient(to), _checked_subject(subject)
    message = OutboxMessage(
        created_at=clock.now(),
        status=Status.QUEUED.value,
        attachment_count=len(attachments),
        data_key_id=crypto.create_data_key(db, kek, purpose=SUBJECT_TYPE).id,
        recipient_sealed=b"",
        subject_sealed=b"",
        body_sealed=b"",
        attachments_sealed=b"",
    )
    db.add(message)
    db.flush()
    message.recipient_sealed = _seal(db, kek, message, "recipient", recipient.encode())
    message.subject_sealed = _seal(db, kek, message, "subject", subject.encode())
    message.body_sealed = _seal(db, kek, message, "body", body.encode())
    packed = [
        {"filename": f, "media_type": t, "data": base64.b64encode(d).decode()}
        for f, t, d in attachments
    ]
    message.attachments_sealed = _seal(db, kek, message, "attachments", json.dumps(packed).encode())
    tag = EventTag.OUTBOX_QUEUED
    if settings is not None and settings.smtp_host:
        try:
            _deliver(settings, _email(settings, recipient, subject, body, attachments))
        except (OSError, smtplib.SMTPException) as exc:
            message.status, message.failure = Status.FAILED.value, type(exc).__name__
            tag = EventTag.OUTBOX_FAILED
            log.warning("outbox message %s not sent: %s", message.id, type(exc).__name__)
        else:
            message.status, message.sent_at = Status.SENT.value, clock.now()
            tag = EventTag.OUTBOX_SENT
    db.flush()
    audit.record(
        db,
        actor,
        tag,
        subject_type=SUBJECT_TYPE,
        subject_id=message.id,
        details={"status": message.status, "attachments": message.attachment_count},
    )
    return message


def _summary(db: Session, kek: KeyEncryptionKeys, message: OutboxMessage) -> Summary:
    return Summary(
        id=message.id,
        created_at=message.created_at,
        status=message.status,
        sent_at=message.sent_at,
        recipient=_open(db, kek, message, "recipient", message.recipient_sealed).decode(),
        subject=_open(db, kek, message, "subject", message.subject_sealed).decode(),
        attachment_count=message.attachment_count,
    )


def messages(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, page: PageRequest = PageRequest()
) -> Page[Summary]:
    """Newest first, with recipient and subject opened for staff: an audited read."""
    actor.require(Permission.SAR_MANAGE)
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    found: Page[OutboxMessage] = paginate(db, query, page)
    shown = found.map(lambda m: _summary(db, kek, m))
    audit.record(db, actor, EventTag.OUTBOX_LISTED, details={"ids": [m.id for m in found.items]})
    return shown


def _get(db: Session, actor: Actor, message_id: int) -> OutboxMessage:
    actor.require(Permission.SAR_MANAGE)
    message = db.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("There is no message with that number in the outbox.")
    return message


def _attachments(
    db: Session, kek: KeyEncryptionKeys, message: OutboxMessage
) -> list[AttachmentFile]:
    packed = json.loads(_open(db, kek, message, "attachments", message.attachments_sealed))
    return [
        AttachmentFile(a["filename"], a["media_type"], base64.b64decode(a["data"])) for a in packed
    ]


def message(db: Session, kek: KeyEncryptionKeys, actor: Actor, message_id: int) -> Message:
    """One message whole (recipient, subject, body, what is attached): an audited read."""
    row = _get(db, actor, message_id)
    files = _attachments(db, kek, row)
    shown = Message(
        summary=_summary(db, kek, row),
        body=_open(db, kek, row, "body", row.body_sealed).decode(),
        attachments=[
            AttachmentInfo(n, f.filename, f.media_type, len(f.data))
            for n, f in enumerate(files, start=1)
        ],
        failure=row.failure,
    )
    audit.record(db, actor, EventTag.OUTBOX_READ, subject_type=SUBJECT_TYPE, subject_id=row.id)
    return shown


def attachment(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, message_id: int, number: int
) -> AttachmentFile:
    """One attachment's file (counted from 1): an audited read."""
    row = _get(db, actor, message_id)
    files = _attachments(db, kek, row)
    if not 1 <= number <= len(files):
        raise NotFound("This message has no attachment with that number.")
    audit.record(
        db,
        actor,
        EventTag.OUTBOX_ATTACHMENT_DOWNLOADED,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
        details={"attachment": number},
    )
    return files[number - 1]


def shred(db: Session, actor: Actor, message_id: int) -> None:
    """Destroy the message's data key (crypto-shredding) and its row: for the disposal of the
    record it was sent about (a request's file at the end of its retention), after which no
    copy of the database holds anything readable of it. The event keeps the id only."""
    row = db.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("There is no message with that number in the outbox.")
    crypto.destroy_data_key(db, key_id=row.data_key_id)
    db.delete(row)
    db.flush()
    audit.record(
        db, actor, EventTag.OUTBOX_SHREDDED, subject_type=SUBJECT_TYPE, subject_id=message_id
    )
