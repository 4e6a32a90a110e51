"""Break-glass reviews and access review rounds as stored.

A review's note and follow-up may name people (they talk about what happened in a case), so
both are sealed under the case's data key: destroying the case destroys them too. An access
review's entries are a snapshot of each account when the round opened, so the evidence says
what the DPO saw, even after the account changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class BreakGlassReview(Base):
    """One reviewer's outcome for one break-glass use. A later review of the same use
    supersedes it (``supersedes_id``) and both are kept: the history is the evidence."""

    __tablename__ = "break_glass_reviews"
    __table_args__ = (Index("ix_break_glass_reviews_use", "break_glass_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    break_glass_id: Mapped[int] = mapped_column(ForeignKey("break_glass.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # policy.Outcome
    note: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    follow_up: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("break_glass_reviews.id", ondelete="SET NULL")
    )


class AccessReviewRound(Base):
    __tablename__ = "access_review_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AccessReviewEntry(Base):
    """One account in a round: what it was when the round opened, and the decision on it."""

    __tablename__ = "access_review_entries"
    __table_args__ = (Index("ix_access_review_entries_round", "round_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("access_review_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    two_factor: Mapped[bool] = mapped_column(Boolean)
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(16))  # policy.Decision
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the account was when decided "changed": the evidence of the change made.
    role_after: Mapped[str | None] = mapped_column(String(32))
    team_after: Mapped[str | None] = mapped_column(String(64))
    active_after: Mapped[bool | None] = mapped_column(Boolean)
