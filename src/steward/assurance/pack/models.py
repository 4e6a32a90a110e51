"""A built evidence pack, kept for a limited time: its facts in plain columns, its bytes
sealed in chunks under a data key of its own, destroyed when the pack expires."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class PackStatus(StrEnum):
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class EvidencePack(Base):
    __tablename__ = "assurance_evidence_packs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The role it was built under: what went in depends on it (README says what was left out).
    role: Mapped[str] = mapped_column(String(32))
    # Named at the head of the README; given by whoever started it (the app's settings).
    organisation: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    files: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    key_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # A domain error's message or a fixed text, never an exception's own words.
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class EvidencePackChunk(Base):
    __tablename__ = "assurance_evidence_pack_chunks"

    pack_id: Mapped[int] = mapped_column(
        ForeignKey("assurance_evidence_packs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
