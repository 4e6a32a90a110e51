"""Subject access requests (and the other rights on the same clock) as stored.

What the requester told us (their name, contact details, who the request is about, what they
want) is personal data of the most sensitive kind: it is sealed under the request's own data
key, which disposal of the request's file destroys. The columns hold only what the queue, the
clock and the retention schedule need: codes, dates, ids."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String
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
