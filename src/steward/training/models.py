"""Staff, courses, requirements and completions as stored.

Staff names and work emails come from HR and are needed in plain to match LMS records and
to send reminders; nothing here is case content. Evidence a manager attaches to a classroom
completion (a signed attendance sheet names people) is sealed under a data key of its own.
Codes are the StrEnums of ``policy``; dates are dates (``completed_on``), not timestamps,
because training is due by the day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class StaffMember(Base):
    """One person on HR's staff list, from their start date to (after) their leaving date."""

    __tablename__ = "training_staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # HR's own number: the key an HR import and an LMS record are matched on.
    staff_number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased at import, so LMS records match however they spell it.
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("training_staff.id"), index=True)
    job_role: Mapped[str | None] = mapped_column(String(100))
    employment_type: Mapped[str] = mapped_column(String(16))  # policy.EmploymentType
    start_date: Mapped[date] = mapped_column(Date)
    leaving_date: Mapped[date | None] = mapped_column(Date)
    # The Steward account this person signs in with, where they have one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Course(Base):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short and stable ("DP-INDUCTION"): what an LMS export and the CLI name the course by.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(32), index=True)  # policy.Topic
    delivery: Mapped[str] = mapped_column(String(16))  # policy.Delivery
    duration_minutes: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    # The version now taught; CourseVersion keeps each one's release and whether it made
    # earlier completions stop counting.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Months a completion stays current (the refresher interval); None: it never lapses.
    validity_months: Mapped[int | None] = mapped_column(Integer)
    # Percentage needed to pass where the course is assessed; None: not assessed.
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    # The built-in e-learning module (a Markdown file under training/modules) taught here.
    module_slug: Mapped[str | None] = mapped_column(String(64))
    # The Moodle course id (or shortname) and xAPI activity id an LMS export names it by.
    lms_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    retired_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CourseVersion(Base):
    __tablename__ = "training_course_versions"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    released_on: Mapped[date] = mapped_column(Date)
    # From released_on, completions of earlier versions no longer count: everyone redoes it.
    requires_redo: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    released_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Requirement(Base):
    """Who must complete a course: everyone matching each filter that is set (None: any)."""

    __tablename__ = "training_requirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # policy.RequirementKind
    # Filters, each a list of accepted values or None for any.
    job_roles: Mapped[list[str] | None] = mapped_column(JSON)
    teams: Mapped[list[str] | None] = mapped_column(JSON)
    employment_types: Mapped[list[str] | None] = mapped_column(JSON)
    # Steward account roles (core.permissions.Role): "SAR handlers" are ig_officer accounts.
    account_roles: Mapped[list[str] | None] = mapped_column(JSON)
    # Days from the start date (or a redo version's release) to complete it the first time.
    due_within_days: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Completion(Base):
    __tablename__ = "training_completions"
    __table_args__ = (
        # The same completion imported twice counts once: an LMS record's own id, or for a
        # record without one the (staff, course, version, day, source) it states.
        UniqueConstraint("fingerprint"),
        # Each person's latest counting completion of each course, read from the index alone
        # (migration e13e0a1b2c04): the compliance report asks it for everyone at once.
        Index(
            "ix_training_completions_standing",
            "staff_id",
            "course_id",
            "completed_on",
            "course_version",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("training_staff.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    course_version: Mapped[int] = mapped_column(Integer)
    completed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # policy.Source
    score: Mapped[int | None] = mapped_column(Integer)  # percent, where assessed
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The attempt that earned it (built-in e-learning) or the import that brought it.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("training_attempts.id"))
    import_batch: Mapped[str | None] = mapped_column(String(36))
    # A manager's classroom record: what was attended, and the evidence, sealed.
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_key_id: Mapped[str | None] = mapped_column(String(36))
    evidence_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_filename: Mapped[str | None] = mapped_column(String(200))
    evidence_media_type: Mapped[str | None] = mapped_column(String(100))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attempt(Base):
    """One try at a built-in module's quiz: every attempt is kept, passed or not."""

    __tablename__ = "training_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("training_staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    course_version: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The question ids asked and the option chosen for each: {"q1": 2, ...}.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class Reminder(Base):
    """A reminder or escalation sent: one per (person, course, kind, due date), so running
    `steward training remind` again never sends the same one twice."""

    __tablename__ = "training_reminders"
    __table_args__ = (UniqueConstraint("staff_id", "course_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("training_staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"))
    kind: Mapped[str] = mapped_column(String(16))  # policy.ReminderKind
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who it went to: the person, or for an escalation their manager.
    recipient_staff_id: Mapped[int | None] = mapped_column(ForeignKey("training_staff.id"))
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TrainingPolicy(Base):
    """The organisation's own choices, one row (id 1), changed by the DPO on the training
    settings page and audited; absent, the defaults below apply."""

    __tablename__ = "training_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Case content stays closed to anyone with an induction course outstanding.
    induction_gate: Mapped[bool] = mapped_column(Boolean, default=True)
    # Days a new starter has to complete induction (a requirement may set its own).
    induction_days: Mapped[int] = mapped_column(Integer, default=5)
    # Days before a due date when a reminder goes and a person shows as "due soon".
    due_soon_days: Mapped[int] = mapped_column(Integer, default=30)
    # The organisation's target for the share of staff trained (95: a common yardstick).
    target_percent: Mapped[int] = mapped_column(Integer, default=95)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # While the gate is off: why, when and by whom, shown on every training management page
    # until it is turned back on (kept apart from changed_at, which a later change of another
    # setting moves). Organisational words, not case content: the form asks for no names.
    gate_off_reason: Mapped[str | None] = mapped_column(Text)
    gate_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gate_off_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
