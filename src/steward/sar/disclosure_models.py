"""The disclosure of a request as stored: each document in scope, each redaction proposed or
added with the decision on it, and the request's review (who prepared it, who approved it).

What is redacted (a name, an address) and why are personal data: they are sealed together
under the request's data key, which the request file's disposal destroys. The columns hold
offsets, codes, counts, ids and times, so lists count and filter in SQL without unsealing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class ItemStatus(StrEnum):
    PROPOSED = "proposed"  # redactions still to decide (or detection still to run)
    REVIEWED = "reviewed"  # every redaction on it decided
    WITHHELD = "withheld"  # the whole document kept back, with a code


class DetectStatus(StrEnum):
    WAITING = "waiting"
    DONE = "done"
    FAILED = "failed"


class Decision(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class SarDisclosure(Base):
    """One per request: the review's state, and the detection job's progress."""

    __tablename__ = "sar_disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16))  # policy.Disclosure
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prepared_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    # The organisation's own name as detection was started with: never redacted as a name.
    own_name: Mapped[str | None] = mapped_column(String(200))


class SarDisclosureItem(Base):
    """A document in scope of the request. The document row may go (destroyed at the end of
    its own retention after the request closed); the item then keeps its counts only."""

    __tablename__ = "sar_disclosure_items"
    __table_args__ = (UniqueConstraint("request_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    # "document": found directly by the search; "case": a document of an in-scope person's case.
    found_as: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))  # "pdf" or "text", as bundle_plan uses it
    pages: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))  # ItemStatus
    withheld_code: Mapped[str | None] = mapped_column(String(24))
    withheld_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withheld_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detect_status: Mapped[str] = mapped_column(String(16))  # DetectStatus
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What detection saw and kept (the requester's own data, professionals in role), with
    # each reason, as sealed JSON: the review page shows them beside the redactions.
    kept_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The text of each page exactly as detection read it (a JSON list), sealed: offsets are
    # into it, so review, consistency and the bundle all work on the same characters.
    text_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    kept_count: Mapped[int] = mapped_column(Integer, default=0)
    # Reviewer's boxes on pages with no text to select (scans), as JSON:
    # [{"page", "x0", "y0", "x1", "y1", "code"}] in PDF points. Positions and codes only.
    areas: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    redactions: Mapped[list[SarRedaction]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="[SarRedaction.page, SarRedaction.start, SarRedaction.id]",
    )


class SarRedaction(Base):
    """One run of text to redact on a page of an item, proposed by detection or added by a
    reviewer, and the decision on it."""

    __tablename__ = "sar_redactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("sar_disclosure_items.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    page: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column("start_offset", Integer)
    end: Mapped[int] = mapped_column("end_offset", Integer)
    label: Mapped[str] = mapped_column(String(24))  # redaction.spans.Label
    code: Mapped[str] = mapped_column(String(24))  # redaction.spans.Code
    source: Mapped[str] = mapped_column(String(16))  # redaction.spans.Source
    # The person of the records the finding belongs to, when the case knows them: "accept all
    # of this person" across the request groups by it.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16), index=True)  # Decision
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # {"text": what is redacted, "reason": why}, sealed under the request's key.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

    item: Mapped[SarDisclosureItem] = relationship(back_populates="redactions")
