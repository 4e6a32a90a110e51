"""Tables of the retention domain.

A schedule is a versioned document (its YAML kept byte for byte, with a digest); its rules are
the parsed form. ``retention_dates`` is the evaluation: one row per scheduled record per
schedule, written by set-based SQL, so a draft schedule's dates sit beside the approved ones
and their difference is the impact shown before approval. Holds, disposal lists, their items,
certificates and tombstones hold ids, codes and dates only; nothing personal.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class ScheduleStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class RecordKind(StrEnum):
    CASE = "case"
    PAPER_FILE = "paper_file"


class HoldKind(StrEnum):
    LITIGATION = "litigation"
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    POLICE = "police"
    SUBJECT_ACCESS_REQUEST = "subject_access_request"


class HoldScope(StrEnum):
    CASE = "case"
    PERSON = "person"
    RECORD_CLASS = "record_class"


class DisposalStatus(StrEnum):
    IN_REVIEW = "in_review"  # reviewers decide item by item
    APPROVED = "approved"  # a second person approved the destruction
    EXECUTING = "executing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Decision(StrEnum):
    PENDING = "pending"
    DESTROY = "destroy"
    RETAIN = "retain"


class Outcome(StrEnum):
    PENDING = "pending"
    DESTROYED = "destroyed"
    MARKED_FOR_CONTRACTOR = "marked_for_contractor"  # paper: the contractor destroys it
    RETAINED = "retained"  # a reviewer decided to keep it
    HELD = "held"  # a hold found at the moment of destruction
    NOT_DUE = "not_due"  # the facts changed since the list was made
    GONE = "gone"  # already destroyed by another route
    OUT_OF_STORE = "out_of_store"  # paper asked for or on loan (or its box): kept this time


class RetentionSchedule(Base):
    __tablename__ = "retention_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[ScheduleStatus] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)  # the YAML as loaded
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    loaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    impact: Mapped[str | None] = mapped_column(Text)  # JSON: counts per class, no ids
    # When every record was last re-dated under this schedule (a full sweep, or approval):
    # pages read the stored dates and say how fresh they are.
    dated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rules: Mapped[list[RetentionRule]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="RetentionRule.class_code"
    )


class RetentionRule(Base):
    """One record class's rule in one schedule version. ``version`` counts changes to this
    class's rule alone, so a record remembers "CASE.PRIVATE rule v2" across schedule versions."""

    __tablename__ = "retention_rules"
    __table_args__ = (UniqueConstraint("schedule_id", "class_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("retention_schedules.id", ondelete="CASCADE"), index=True
    )
    class_code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    authority: Mapped[str] = mapped_column(String(300))
    citation: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text)  # canonical JSON of trigger/period/action
    description: Mapped[str] = mapped_column(String(300))  # "youngest child reaches 25"
    action: Mapped[str] = mapped_column(String(32))

    schedule: Mapped[RetentionSchedule] = relationship(back_populates="rules")


class RetentionDate(Base):
    """A scheduled record under one schedule: its trigger date, due date and action.

    ``due_on`` is NULL when the date cannot be known yet (case open, a child's birth date
    missing, the event not recorded) or never comes (keep permanently); ``note`` says which."""

    __tablename__ = "retention_dates"
    # One b-tree for the rows and their key on SQLite: a sweep writes a million of them.
    __table_args__ = ({"sqlite_with_rowid": False},)

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("retention_schedules.id", ondelete="CASCADE"), primary_key=True
    )
    record_kind: Mapped[RecordKind] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("retention_rules.id", ondelete="CASCADE"))
    trigger_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(32))


# The due counts, and the undatable found among the undated by their note from the index
# alone: without the note, telling "missing facts" from "case still open" read each
# undated record's row (130 ms for 45,000 undated at a million cases).
Index("ix_retention_dates_due", RetentionDate.schedule_id, RetentionDate.due_on, RetentionDate.note)
# The due list a page at a time: each kind's dates in due order (record id after, from the
# key), merged; and counted from the index alone. Without the kind, a kind with few records
# due (paper files) walked every due case to find its first.
Index(
    "ix_retention_dates_kind_due",
    RetentionDate.schedule_id,
    RetentionDate.record_kind,
    RetentionDate.due_on,
)
# The Core table, typed as one, for the set-based statements that write it.
retention_dates = cast(Table, RetentionDate.__table__)


class RetentionEvent(Base):
    """A dated event a rule can be triggered by (e.g. the adoption order of a case)."""

    __tablename__ = "retention_events"
    __table_args__ = (UniqueConstraint("record_kind", "record_id", "event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[RecordKind] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    event: Mapped[str] = mapped_column(String(64))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RetentionOverride(Base):
    """A reviewer's decision to keep a record until a new review date."""

    __tablename__ = "retention_overrides"
    __table_args__ = (UniqueConstraint("record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[RecordKind] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    review_on: Mapped[date] = mapped_column(Date)
    # Sealed like the disposal item's reason it copies (see service/sealing.py).
    reason_key_id: Mapped[str | None] = mapped_column(String(36))
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Plain text from before sealing; ``steward db upgrade`` seals it and clears this.
    legacy_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Hold(Base):
    __tablename__ = "retention_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[HoldKind] = mapped_column(String(32))
    scope: Mapped[HoldScope] = mapped_column(String(16))
    # The matter's own reference (claim number, police reference, SAR id): no names.
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    # Free text shown to retention staff only, never audited (it may name people): sealed
    # under the hold's own data key, with the release reason.
    data_key_id: Mapped[str | None] = mapped_column(String(36))
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Plain text from before sealing; ``steward db upgrade`` seals it and clears these.
    legacy_reason: Mapped[str | None] = mapped_column(Text)
    legacy_release_reason: Mapped[str | None] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    placed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    released_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    targets: Mapped[list[HoldTarget]] = relationship(
        back_populates="hold", cascade="all, delete-orphan", order_by="HoldTarget.id"
    )


class HoldTarget(Base):
    """What a hold covers: a case, a person (every record of theirs) or a record class.
    No foreign key: a hold outlives nothing, but it must not stop or cascade with deletion."""

    __tablename__ = "retention_hold_targets"
    __table_args__ = (UniqueConstraint("hold_id", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hold_id: Mapped[int] = mapped_column(
        ForeignKey("retention_holds.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[HoldScope] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)

    hold: Mapped[Hold] = relationship(back_populates="targets")


Index("ix_retention_hold_targets_scope", HoldTarget.scope, HoldTarget.target_id)


class DisposalList(Base):
    __tablename__ = "disposal_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # "DL-2026-0001"
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[DisposalStatus] = mapped_column(String(16), index=True)
    schedule_version: Mapped[int] = mapped_column(Integer)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[DisposalItem]] = relationship(
        back_populates="disposal_list", cascade="all, delete-orphan", order_by="DisposalItem.id"
    )


class DisposalItem(Base):
    __tablename__ = "disposal_items"
    __table_args__ = (UniqueConstraint("list_id", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("disposal_lists.id", ondelete="CASCADE"), index=True
    )
    record_kind: Mapped[RecordKind] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str] = mapped_column(String(64))  # case number or file reference
    class_code: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[int] = mapped_column(ForeignKey("retention_rules.id"))
    rule_version: Mapped[int] = mapped_column(Integer)
    schedule_version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    trigger_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[Decision] = mapped_column(String(16), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Sealed under the case's key when the record is (or belongs to) a case, so destroying
    # the case shreds why it was once kept; otherwise under a key of the decision's own.
    retain_key_id: Mapped[str | None] = mapped_column(String(36))
    retain_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    legacy_retain_reason: Mapped[str | None] = mapped_column(Text)
    review_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[Outcome] = mapped_column(String(24), index=True)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    disposal_list: Mapped[DisposalList] = relationship(back_populates="items")


class DisposalCertificate(Base):
    """Proof of what a disposal destroyed: the list's digest, how, who approved, when."""

    __tablename__ = "disposal_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disposal_lists.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_count: Mapped[int] = mapped_column(Integer)
    paper_count: Mapped[int] = mapped_column(Integer)
    kept_count: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)  # JSON: class code -> rule version, schedule
    approvers: Mapped[str] = mapped_column(Text)  # JSON: user ids by step
    sha256: Mapped[str] = mapped_column(String(64))  # of the canonical item list


class Tombstone(Base):
    """What remains of a destroyed record: identifier, class, rule version, dates."""

    __tablename__ = "retention_tombstones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[RecordKind] = mapped_column(String(16))
    identifier: Mapped[str] = mapped_column(String(64), index=True)
    class_code: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[int] = mapped_column(Integer)
    schedule_version: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disposal_item_id: Mapped[int] = mapped_column(ForeignKey("disposal_items.id"), unique=True)


class ReviewOutcome(StrEnum):
    CONFIRMED = "confirmed"  # the rule still fits the class: period, trigger, authority
    CHANGE_NEEDED = "change_needed"  # it does not: a new schedule version is to follow


class RecordClassReview(Base):
    """A periodic review of one record class's retention rule (ISO 15489: disposition
    authorities are reviewed), recorded by the records manager. Approving a schedule version
    reviews every rule in it as well; this records a review between versions. The note is
    about the class, never a person, so it is kept as text, short."""

    __tablename__ = "record_class_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_class_id: Mapped[int] = mapped_column(ForeignKey("record_classes.id"))
    reviewed_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[ReviewOutcome] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The latest review of each class, and whether one falls in a 12-month window.
Index(
    "ix_record_class_reviews_class_on",
    RecordClassReview.record_class_id,
    RecordClassReview.reviewed_on,
)
