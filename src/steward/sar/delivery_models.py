"""A request's disclosure bundle as stored, and the links that deliver it to the requester.

The bundle is the PDF the requester receives: their own data, and what was redacted from it
only as boxes labelled with codes. It is personal data, so it is kept sealed under the
request's data key in 1 MiB chunks (written and read one chunk at a time, never whole in
memory); destroying the request file destroys the key, and the rows go with the request (ON
DELETE CASCADE). The columns hold counts, codes, times and hashes only.

A delivery link is found by the hash of a random token; its passcode is kept as an argon2
hash. Neither the token nor the passcode is stored in a form that gives either back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class BundleStatus(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # a later build replaced it


class PasscodeChannel(StrEnum):
    """How the passcode reaches the requester: never the way the link went (email)."""

    POST = "post"
    PHONE = "phone"
    OTHER = "other"


class SarBundle(Base):
    __tablename__ = "sar_bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)  # BundleStatus
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    pages: Mapped[int | None] = mapped_column(Integer)
    documents: Mapped[int | None] = mapped_column(Integer)
    withheld: Mapped[int | None] = mapped_column(Integer)
    paper: Mapped[int | None] = mapped_column(Integer)
    # {"THIRD_PARTY": 12, ...}: how many boxes of each exemption code the bundle draws.
    redactions_json: Mapped[str | None] = mapped_column(Text)
    # The redaction log as drawn: [[pages, document number, code, count], ...]; codes and
    # numbers only (the titles are in the sealed bundle).
    log_json: Mapped[str | None] = mapped_column(Text)
    needles_checked: Mapped[int | None] = mapped_column(Integer)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    chunks: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # A fixed text or a domain error's message: never an exception's repr.
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    built_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SarBundleChunk(Base):
    __tablename__ = "sar_bundle_chunks"

    bundle_id: Mapped[int] = mapped_column(
        ForeignKey("sar_bundles.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class SarDeliveryLink(Base):
    __tablename__ = "sar_delivery_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    bundle_id: Mapped[int] = mapped_column(
        ForeignKey("sar_bundles.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    passcode_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    passcode_channel: Mapped[str] = mapped_column(String(16))  # PasscodeChannel
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # wrong passcodes in a row
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    first_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The email that carried the link, when it went through the outbox.
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
