"""Partners, their data-sharing agreements, and what they submit, as stored.

What a partner sent is personal data about children and families: each submission has a
data key of its own, and the file and every row's values are sealed under it (like case
content), so destroying the key when the submission's retention ends shreds them all. The
issues found hold a field name and a code, never the value. A row that was recorded keeps
the ids of what it became (provenance): the record shows which partner, agreement,
submission and row it came from.
"""

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
from sqlalchemy.orm import Mapped, mapped_column

from steward.core.db import Base, UTCDateTime


class Partner(Base):
    """An organisation that sends data: a local authority, a court, a police force."""

    __tablename__ = "intake_partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short and stable ("LA-BARSET"): what the CLI and the API name the partner by.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # policy.PartnerKind
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PartnerContact(Base):
    """A named person at a partner: who is told of feedback and of corrections."""

    __tablename__ = "intake_partner_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("intake_partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    job_title: Mapped[str | None] = mapped_column(String(200))
    # Sent the feedback on each submission and notice of every correction made to its data.
    receives_notices: Mapped[bool] = mapped_column(Boolean, default=True)


class PartnerUser(Base):
    """An account (role partner) that may submit for one partner, and sees only its data."""

    __tablename__ = "intake_partner_users"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("intake_partners.id", ondelete="CASCADE"), index=True
    )


class Agreement(Base):
    """A data-sharing agreement: on what basis a partner sends which data sets, and when."""

    __tablename__ = "intake_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("intake_partners.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # "DSA-2025-014"
    title: Mapped[str] = mapped_column(String(200))
    lawful_basis: Mapped[str] = mapped_column(String(32))  # policy.LawfulBasis
    # Article 9 / Schedule 1 DPA 2018 condition for special category data, where it applies.
    special_category_condition: Mapped[str | None] = mapped_column(String(300))
    statutory_power: Mapped[str] = mapped_column(String(300))  # "Children Act 1989, s.7"
    # How long what the partner sent (file and rows) is kept once every row is decided;
    # what was recorded follows the case's own retention.
    retention_months: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # the last day it is in force
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class AgreementDataset(Base):
    """A data set an agreement covers (datasets.Dataset.name)."""

    __tablename__ = "intake_agreement_datasets"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("intake_agreements.id", ondelete="CASCADE"), primary_key=True
    )
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)


class Submission(Base):
    """One file a partner sent, checked against one version of one data set."""

    __tablename__ = "intake_submissions"
    __table_args__ = (
        # The same file (by content) from the same partner for the same data set is one
        # submission: sending it again records nothing twice.
        UniqueConstraint("partner_id", "dataset", "file_sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("intake_partners.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("intake_agreements.id"))
    dataset: Mapped[str] = mapped_column(String(64))
    dataset_version: Mapped[int] = mapped_column(Integer)
    file_format: Mapped[str] = mapped_column(String(8))  # policy.FileFormat
    filename: Mapped[str] = mapped_column(String(255))  # made safe (records.safe_filename)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # A keyed hash (not a plain digest of personal data): finds a repeated file.
    file_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # policy.SubmissionStatus
    # Why a file was refused whole: a policy.Code, shown with its message.
    refusal_code: Mapped[str | None] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    # Rows given an outcome so far: a run stopped part-way resumes after the last of them.
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    data_key_id: Mapped[str | None] = mapped_column(ForeignKey("data_keys.id"))
    submitted_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    # Set when retention ended: the key is destroyed and the file and row values are gone;
    # counts, codes and provenance stay.
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubmissionFile(Base):
    """The file as the partner sent it, sealed under the submission's key: the source kept."""

    __tablename__ = "intake_submission_files"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("intake_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[bytes] = mapped_column(LargeBinary)


class SubmissionRow(Base):
    """One row of a submission: its values (sealed), its outcome, and what it became."""

    __tablename__ = "intake_rows"
    __table_args__ = (
        UniqueConstraint("submission_id", "row_number"),
        Index("ix_intake_rows_partner_fact", "partner_id", "fact_key"),
        Index("ix_intake_rows_outcome", "outcome", "submission_id"),
        # What the data-quality figures read of every row, so they never open the row itself
        # (its sealed values make it many times the size of these three columns).
        Index("ix_intake_rows_quality", "submission_id", "outcome", "decided_at"),
        # The rows decided in a period, and those decided only after a moment (held then).
        Index("ix_intake_rows_decided_at", "decided_at", "submission_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Found through the unique (submission_id, row_number) index: no index of its own.
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("intake_submissions.id", ondelete="CASCADE")
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("intake_partners.id"))
    # As the partner numbers it: the header is row 1, so the first data row is row 2.
    row_number: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # policy.RowOutcome
    # The row's values as sent (JSON), sealed under the submission's key.
    values_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Keyed hashes of what the row asserts: ``fact_key`` names the fact (this person in this
    # case; this check of this person on this day), ``fact_value`` its content. The same key
    # and value from the same partner before is UNCHANGED; the same key with another value
    # is EARLIER_DIFFERS.
    fact_key: Mapped[str | None] = mapped_column(String(64))
    fact_value: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    # The person recorded or linked; for a held row, the candidate it may be.
    # A note of provenance, not a reason to keep the person (records' destroy reads this
    # info key, PROVENANCE_ONLY): when their case is destroyed they go, and this is cut.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), info={"provenance_only": True}
    )
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(16))  # policy.Decision
    # Why, in the officer's words: sealed, as it may name people.
    decision_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RowIssue(Base):
    """One issue with one field of one row: a code and a field name, never the value."""

    __tablename__ = "intake_row_issues"
    __table_args__ = (Index("ix_intake_row_issues_submission", "submission_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("intake_submissions.id", ondelete="CASCADE")
    )
    row_id: Mapped[int] = mapped_column(
        ForeignKey("intake_rows.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(64))  # None: the row as a whole
    code: Mapped[str] = mapped_column(String(32))  # policy.Code


class PartnerNotice(Base):
    """A correction the organisation made to data a partner sent, to be told to the partner
    (ICO data-sharing code: partners are told when shared data is corrected)."""

    __tablename__ = "intake_partner_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("intake_partners.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_submissions.id", ondelete="SET NULL")
    )
    row_number: Mapped[int | None] = mapped_column(Integer)
    # The fields corrected, by name (comma-separated): the values go in the sealed email.
    fields: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
