"""Audits, their recommendations (the action plan), updates and follow-ups, attestations and
self-assessments, as stored.

Titles, recommendations and expectation ids describe the organisation's controls and are kept
plain (they are listed, filtered and exported). What people write in their own words (an
update's note, a reason for not accepting, a statement, a follow-up's findings) and every
attached document may name people, so each is sealed under a data key of its row's own."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class Audit(Base):
    __tablename__ = "assurance_audits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # policy.AuditKind
    auditor: Mapped[str] = mapped_column(String(200))  # an organisation or team, not a person
    started_on: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date)
    overall_rating: Mapped[str | None] = mapped_column(String(16))  # areas.Rating
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditArea(Base):
    """An area in the audit's scope and the rating it was given (None: in scope, not rated)."""

    __tablename__ = "assurance_audit_areas"
    __table_args__ = (UniqueConstraint("audit_id", "area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("assurance_audits.id"), index=True)
    area: Mapped[str] = mapped_column(String(32))  # areas.Area
    rating: Mapped[str | None] = mapped_column(String(16))


class Recommendation(Base):
    """A recommendation and the action agreed for it: one line of the action plan."""

    __tablename__ = "assurance_recommendations"
    __table_args__ = (
        Index("ix_assurance_recommendations_plan", "status", "priority", "agreed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("assurance_audits.id"), index=True)
    reference: Mapped[str] = mapped_column(String(16))  # as the report numbers it ("A12")
    area: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(16))  # policy.Priority
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agreed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # policy.ActionStatus
    completed_on: Mapped[date | None] = mapped_column(Date)
    # Why management did not accept it, sealed: set with the status not_accepted.
    key_id: Mapped[str | None] = mapped_column(String(36))
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ActionUpdate(Base):
    """A dated update on an action, by its owner or the DPO, with evidence where there is."""

    __tablename__ = "assurance_action_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("assurance_recommendations.id"), index=True
    )
    posted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_from: Mapped[str] = mapped_column(String(16))
    status_to: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str] = mapped_column(String(36))
    note_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    evidence_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_media_type: Mapped[str | None] = mapped_column(String(100))
    evidence_filename: Mapped[str | None] = mapped_column(String(200))


class FollowUp(Base):
    """A follow-up review of an audit: when, what was found (sealed), the rating since."""

    __tablename__ = "assurance_follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("assurance_audits.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    rating: Mapped[str | None] = mapped_column(String(16))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_id: Mapped[str] = mapped_column(String(36))
    findings_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attestation(Base):
    """A statement that an expectation is met, with its document and the date to review it."""

    __tablename__ = "assurance_attestations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # The control catalogue's expectation id, free text until the catalogue is wired in.
    expectation_id: Mapped[str] = mapped_column(String(64), index=True)
    attested_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_id: Mapped[str] = mapped_column(String(36))
    statement_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    document_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    document_media_type: Mapped[str] = mapped_column(String(100))
    document_filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SelfAssessment(Base):
    """A person's rating of an area on a day. Never edited: a newer one supersedes it."""

    __tablename__ = "assurance_self_assessments"
    __table_args__ = (Index("ix_assurance_self_assessments_area", "area", "assessed_on", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(32))
    rating: Mapped[str] = mapped_column(String(16))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_id: Mapped[str] = mapped_column(String(36))
    statement_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
