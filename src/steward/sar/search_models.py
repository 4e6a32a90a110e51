"""The search for a request's subject as stored: each run, what it found, how each find was
triaged, and the paper files asked for with the hours they cost.

These rows are the proof that the search was reasonable (UK GDPR Art 15(1A)): what was
searched for, when, by whom, what each source returned and what was set aside and why. What
was searched for (names, a date of birth, addresses) and every reason are personal data and
are sealed under the request's data key; the columns hold ids, counts, codes and times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class SourceKind(StrEnum):
    PERSON = "person"  # a person record found by the identity search
    PAPER_FILE = "paper_file"  # a paper file in the archive
    DOCUMENT = "document"  # a document mentioning the person, in a case they are no party to


class Triage(StrEnum):
    IN_SCOPE = "in_scope"
    NOT_THIS_PERSON = "not_this_person"
    OUT_OF_SCOPE = "out_of_scope"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SarSearchRun(Base):
    __tablename__ = "sar_search_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    started_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # RunStatus
    # The terms as JSON, sealed under the request's key: never in a column, URL or event.
    terms_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # How many lookups the run makes, and how many are done (the page shows progress).
    steps_total: Mapped[int] = mapped_column(Integer, default=0)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    people_found: Mapped[int | None] = mapped_column(Integer)
    paper_files_found: Mapped[int | None] = mapped_column(Integer)
    documents_found: Mapped[int | None] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))

    hits: Mapped[list[SarHit]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="SarHit.id"
    )


class SarHit(Base):
    """One thing a run found. What it is (a person's name, a file's reference) is read from
    its own domain when shown; here only its kind and id, and the handler's decision."""

    __tablename__ = "sar_hits"
    __table_args__ = (UniqueConstraint("run_id", "source", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("sar_search_runs.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))  # SourceKind
    target_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    # What the source showed for it when found (a name, date of birth, postcode, number of
    # cases; a file's reference and box; a document's title), sealed: the search record shows
    # what was returned even after the source has changed.
    shown_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    triage: Mapped[str | None] = mapped_column(String(16))  # Triage; None until decided
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    triaged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[SarSearchRun] = relationship(back_populates="hits")


class SarPaperRequest(Base):
    """A paper file asked for from the archive for the request, with the estimated hours of
    locating, retrieving and extracting that the £450 cost limit is weighed on."""

    __tablename__ = "sar_paper_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sar_requests.id", ondelete="CASCADE"), index=True
    )
    hit_id: Mapped[int] = mapped_column(ForeignKey("sar_hits.id", ondelete="CASCADE"), index=True)
    retrieval_id: Mapped[int | None] = mapped_column(
        ForeignKey("archive_retrievals.id", ondelete="SET NULL")
    )
    hours_locating: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    hours_retrieving: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    hours_extracting: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def hours(self) -> Decimal:
        return self.hours_locating + self.hours_retrieving + self.hours_extracting
