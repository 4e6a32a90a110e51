"""Subject access requests (and the other rights on the same clock) as stored.

What the requester told us (their name, contact details, who the request is about, what they
want) is personal data of the most sensitive kind: it is sealed under the request's own data
key, which disposal of the request's file destroys. The columns hold only what the queue, the
clock and the retention schedule need: codes, dates, ids."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class SubjectAccessRequest(Base):
    __tablename__ = "sar_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "SAR-2026-00042": quoted to the requester and on letters; holds no personal data.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    right: Mapped[str] = mapped_column(String(16))  # policy.Right
    status: Mapped[str] = mapped_column(String(24), index=True)  # policy.Status
    requester_type: Mapped[str] = mapped_column(String(24))  # policy.RequesterType
    channel: Mapped[str] = mapped_column(String(16))  # policy.Channel
    received_on: Mapped[date] = mapped_column(Date)
    id_required: Mapped[bool] = mapped_column(Boolean, default=False)
    id_received_on: Mapped[date | None] = mapped_column(Date)
    authority_required: Mapped[bool] = mapped_column(Boolean, default=False)
    authority_received_on: Mapped[date | None] = mapped_column(Date)
    fee_required: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_received_on: Mapped[date | None] = mapped_column(Date)
    extended_on: Mapped[date | None] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(24))  # clock.Region
    # Kept in step by the service on every change, so the queue sorts and filters in SQL.
    due_on: Mapped[date] = mapped_column(Date, index=True)
    handler_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Who asked for sign-off: the approver must be someone else.
    submitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    data_key_id: Mapped[str] = mapped_column(String(36))
    details_sealed: Mapped[bytes] = mapped_column(LargeBinary)

    pauses: Mapped[list[SarPause]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="SarPause.id"
    )
    steps: Mapped[list[SarStep]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="SarStep.id"
    )


class SarPause(Base):
    """The clock stopped to ask the requester to clarify; ``answered_on`` None while waiting."""

    __tablename__ = "sar_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    asked_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)

    request: Mapped[SubjectAccessRequest] = relationship(back_populates="pauses")


class SarStep(Base):
    """One line of the request's timeline: a change of status or of the clock. A note, when
    given (an extension's reasons, say), is sealed under the request's key."""

    __tablename__ = "sar_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(64))  # a SarEvent value
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    request: Mapped[SubjectAccessRequest] = relationship(back_populates="steps")


class SarLetterTemplate(Base):
    """One version of the organisation's own wording of a kind of letter. Versions are kept,
    never overwritten: a letter already sent can be traced to the wording it was made from.
    No version of a kind: the default shipped with Steward (version 0) is used."""

    __tablename__ = "sar_letter_templates"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # letters.LetterKind
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # wording and placeholders only, no personal data
    edited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SarLetter(Base):
    """A letter made for a request: the PDF sealed under the request's own key, so it goes
    when the request's file is destroyed; how and when it was sent."""

    __tablename__ = "sar_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # letters.LetterKind
    template_version: Mapped[int] = mapped_column(Integer)  # 0: the shipped default
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pdf_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    sent_via: Mapped[str | None] = mapped_column(String(8))  # "email" or "post"
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )


class SarTask(Base):
    """One step of the task list of a request's right (policy.TASKS), ticked off when done."""

    __tablename__ = "sar_tasks"
    __table_args__ = (UniqueConstraint("request_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))  # a policy.Task code
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SarDecision(Base):
    """What was decided on a request (done, partly, refused); the reasons, which may name
    people, are sealed under the request's key."""

    __tablename__ = "sar_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(String(16))  # policy.Outcome
    reasons_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SarDocument(Base):
    """ID, proof of authority or anything else that came with a request, sealed under the
    request's own data key: destroying that key (the request's disposal) shreds the file and
    its name with everything else the requester told us."""

    __tablename__ = "sar_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # uploads.DocumentKind
    media_type: Mapped[str] = mapped_column(String(100))  # from the bytes, never the name
    size_bytes: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # None: the requester sent it with the online form.
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Deferred: a list of documents never loads their bodies.
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class SarDraft(Base):
    """A public requester's answers between the form's pages: sealed under a data key of the
    draft's own, found by the hash of a random token the browser holds in an HttpOnly
    cookie (the database never holds the token itself). On submission, or after a day, the
    answers and files are deleted and the key destroyed; a submitted draft keeps only the
    reference it was given, to show on the confirmation page until it expires."""

    __tablename__ = "sar_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    data_key_id: Mapped[str] = mapped_column(String(36))
    answers_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reference: Mapped[str | None] = mapped_column(String(20))

    files: Mapped[list[SarDraftFile]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="SarDraftFile.id"
    )


class SarDraftFile(Base):
    """A file uploaded to a draft, sealed under the draft's key until the request exists."""

    __tablename__ = "sar_draft_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("sar_drafts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    filename_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    draft: Mapped[SarDraft] = relationship(back_populates="files")


class SarPublicHit(Base):
    """One post to the public form, for its rate limit: who by a keyed hash of their address
    (never the address), which kind of post, when. Rows older than the longest window are
    deleted as new ones arrive."""

    __tablename__ = "sar_public_hits"
    __table_args__ = (Index("ix_sar_public_hits_client", "client_hash", "bucket", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_hash: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SarConsultation(Base):
    """A third party asked for its view before disclosure: a partner whose records these are
    (a local authority, a court) or a professional asked whether disclosure would cause
    serious harm. Who was asked and why are sealed under the request's key; the columns hold
    codes and dates, so overdue consultations can be found in SQL."""

    __tablename__ = "sar_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # service.consultations.ConsultationKind
    who_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    why_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    raised_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    raised_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chased_on: Mapped[date | None] = mapped_column(Date)
    chases: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))  # service.consultations.Outcome
    answered_on: Mapped[date | None] = mapped_column(Date)
