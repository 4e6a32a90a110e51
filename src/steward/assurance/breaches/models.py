"""The breach register's tables. Free text that may name people (what happened, the data,
the cause, effects, containment, reasons and lessons) is sealed under the breach's own data
key; the columns hold codes, counts and instants only.

A breach outlives the cases it touched (Art 33(5) asks for the record to be kept), so its
links to cases and people are plain ids, not foreign keys: disposing of a case must not be
blocked by, nor erase, the record that it was once in a breach."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime

SEALED_FIELDS = (
    "description",
    "data_involved",
    "reference_text",
    "cause",
    "effects",
    "containment",
    "ico_reason",
    "people_reason",
    "lessons",
)


class Breach(Base):
    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reported_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    people_affected: Mapped[int | None] = mapped_column(Integer)
    data_categories: Mapped[str] = mapped_column(String(200), default="")
    risk: Mapped[str | None] = mapped_column(String(16))
    ico_decision: Mapped[str | None] = mapped_column(String(16))
    ico_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ico_reference: Mapped[str | None] = mapped_column(String(40))
    people_decision: Mapped[str | None] = mapped_column(String(16))
    people_told_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    data_key_id: Mapped[str] = mapped_column(String(36))
    description_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    data_involved_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    reference_text_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    cause_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    effects_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    containment_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    ico_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    people_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    lessons_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    @property
    def reference(self) -> str:
        """How people name a breach: "BR-0007"."""
        return f"BR-{self.id:04d}"


class BreachLink(Base):
    """A case or a person the breach touched (one of the two ids is set)."""

    __tablename__ = "breach_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    breach_id: Mapped[int] = mapped_column(
        ForeignKey("breaches.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BreachStep(Base):
    """One decision on the breach's timeline: who took which step, when."""

    __tablename__ = "breach_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    breach_id: Mapped[int] = mapped_column(
        ForeignKey("breaches.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
