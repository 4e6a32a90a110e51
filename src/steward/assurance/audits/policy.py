"""Pure rules of audits, the action plan and attestations: no database, no I/O.

An action is "red" when it is urgent or high, still open, and past the date agreed for it:
the dashboard shows it so. Attestations are current, due for review within 30 days, or
expired once their review date has passed."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from enum import StrEnum
from io import BytesIO

from steward.core import uploads
from steward.core.errors import ValidationFailed


class AuditKind(StrEnum):
    INTERNAL = "internal"
    ICO = "ico"

    @property
    def label(self) -> str:
        return {AuditKind.INTERNAL: "Internal audit", AuditKind.ICO: "ICO audit"}[self]


class Priority(StrEnum):
    """The ICO's grading of a recommendation, most pressing first."""

    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_ACCEPTED = "not_accepted"

    @property
    def label(self) -> str:
        return {
            ActionStatus.OPEN: "Open",
            ActionStatus.IN_PROGRESS: "In progress",
            ActionStatus.DONE: "Done",
            ActionStatus.NOT_ACCEPTED: "Not accepted",
        }[self]


# Where an action may go next. Done or not accepted may be reopened (a follow-up review finds
# the work did not hold, or management changes its mind), always through a dated update.
ALLOWED: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.NOT_ACCEPTED}
    ),
    ActionStatus.IN_PROGRESS: frozenset(
        {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.NOT_ACCEPTED}
    ),
    ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.NOT_ACCEPTED: frozenset({ActionStatus.OPEN}),
}
# What the owner of an action may set on their own; the rest is for assurance:manage.
OWNER_MAY_SET = frozenset({ActionStatus.IN_PROGRESS, ActionStatus.DONE})
OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})
RED_PRIORITIES = frozenset({Priority.URGENT, Priority.HIGH})


def may_move(current: ActionStatus, new: ActionStatus) -> bool:
    return new == current or new in ALLOWED[current]


def is_open(status: ActionStatus) -> bool:
    return status in OPEN_STATUSES


def is_overdue(status: ActionStatus, agreed_on: date, as_of: date) -> bool:
    """Open past the day agreed for it: due *on* the agreed day, late the day after."""
    return is_open(status) and agreed_on < as_of


def is_red(priority: Priority, status: ActionStatus, agreed_on: date, as_of: date) -> bool:
    return priority in RED_PRIORITIES and is_overdue(status, agreed_on, as_of)


class AttestationState(StrEnum):
    CURRENT = "current"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {
            AttestationState.CURRENT: "Current",
            AttestationState.DUE_SOON: "Review due soon",
            AttestationState.EXPIRED: "Expired",
        }[self]


DUE_SOON_DAYS = 30


def due_soon_until(as_of: date) -> date:
    """The last review date that counts as due soon on ``as_of`` (never past the calendar's
    end: an as-of date in year 9999 must not overflow)."""
    return min(as_of, date.max - timedelta(days=DUE_SOON_DAYS)) + timedelta(days=DUE_SOON_DAYS)


def attestation_state(review_on: date, as_of: date) -> AttestationState:
    """Current until its review date (inclusive); due soon within 30 days of it; expired the
    day after."""
    if review_on < as_of:
        return AttestationState.EXPIRED
    if review_on <= due_soon_until(as_of):
        return AttestationState.DUE_SOON
    return AttestationState.CURRENT


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPE_NAMES = {**uploads.TYPE_NAMES, DOCX: "Word document"}
EXTENSIONS = {**uploads.EXTENSIONS, DOCX: ".docx"}
BAD_TYPE = "The selected file must be a PDF, Word document (DOCX), JPG or PNG"


def check_document(data: bytes, *, field: str = "file") -> str:
    """A policy, minutes or evidence file's media type, known by its content: a PDF, JPEG or
    PNG (core.uploads), or a Word document (a zip holding word/document.xml); 10 MB at most."""
    try:
        return uploads.check_file(data, field=field)
    except ValidationFailed as exc:
        if not data.startswith(b"PK\x03\x04") or len(data) > uploads.MAX_BYTES:
            if "PDF, JPG or PNG" in exc.message:
                raise ValidationFailed(BAD_TYPE + ".", errors={field: BAD_TYPE}) from None
            raise
    if _is_docx(data):
        return DOCX
    raise ValidationFailed(BAD_TYPE + ".", errors={field: BAD_TYPE})


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names
