"""Reviews of the file plan's retention rules, and where each record class stands: its rule in
the schedule in force, its owner, and when its rule was last reviewed.

A class's rule counts as reviewed on a day when either a review of the class was recorded for
that day, or a schedule version holding a rule for the class was approved that day: whoever
approves a version signs off every rule in it, unchanged ones included (ISO 15489 reviews the
disposition authority as a whole; Alfresco's disposition schedules are approved the same
way). Recorded reviews cover the time between versions, and say whether the rule still fits.

The owner lives on the class (records owns the file plan); the reviews and the rules live here
(retention owns the rules). Figures for the DPO's measure read ``standings`` at any date: the
schedule in force and the reviews are dated, the owner is the class's owner now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.auth import User
from steward.core.errors import ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records.models import RecordClass
from steward.records.service import file_plan
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    RecordClassReview,
    RetentionRule,
    RetentionSchedule,
    ReviewOutcome,
    ScheduleStatus,
)

# A rule reviewed more than 12 months before the day asked about is due for review: the
# organisation's choice (the ICO asks for "regular" review), like the measure's thresholds.
REVIEW_WINDOW_DAYS = 365
NOTE_MAX = 500
OLDEST_REVIEW_YEARS = 10
OUTCOME_WORDS = {
    ReviewOutcome.CONFIRMED: "Rule confirmed",
    ReviewOutcome.CHANGE_NEEDED: "Rule needs changing",
}
_IN_FORCE = (ScheduleStatus.APPROVED.value, ScheduleStatus.SUPERSEDED.value)


@dataclass(frozen=True)
class ClassStanding:
    class_id: int
    code: str
    name: str
    owner: str | None
    rule: str | None  # the rule's description in the schedule in force; None: no rule
    last_reviewed_on: date | None
    last_review: str  # how: "Review recorded" or "Schedule version 3 approved"
    reviewed: bool  # within REVIEW_WINDOW_DAYS of the day asked about

    @property
    def meets(self) -> bool:
        return self.rule is not None and self.owner is not None and self.reviewed

    @property
    def gaps(self) -> list[str]:
        found = []
        if self.rule is None:
            found.append("No rule in the schedule in force")
        if self.owner is None:
            found.append("No owner")
        if not self.reviewed:
            found.append("Not reviewed in 12 months")
        return found


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def window_start(as_of: date) -> date:
    return as_of - timedelta(days=REVIEW_WINDOW_DAYS - 1)


def _in_force(db: Session, as_of: date) -> RetentionSchedule | None:
    """The schedule approved last on or before ``as_of`` (approved now, or superseded since)."""
    return db.scalars(
        select(RetentionSchedule)
        .where(
            RetentionSchedule.status.in_(_IN_FORCE),
            RetentionSchedule.approved_at.is_not(None),
            RetentionSchedule.approved_at <= _end_of(as_of),
        )
        .order_by(RetentionSchedule.approved_at.desc(), RetentionSchedule.version.desc())
        .limit(1)
    ).first()


def _approvals(db: Session, as_of: date) -> dict[str, tuple[date, int]]:
    """Class code -> (the day, the version) of the last approval on or before ``as_of`` of a
    schedule version holding a rule for the class."""
    rows = db.execute(
        select(RetentionRule.class_code, RetentionSchedule.approved_at, RetentionSchedule.version)
        .join(RetentionSchedule, RetentionSchedule.id == RetentionRule.schedule_id)
        .where(
            RetentionSchedule.status.in_(_IN_FORCE),
            RetentionSchedule.approved_at.is_not(None),
            RetentionSchedule.approved_at <= _end_of(as_of),
        )
    ).all()
    found: dict[str, tuple[date, int]] = {}
    for code, approved_at, version in rows:
        if approved_at is None:
            continue
        on = approved_at.astimezone(UTC).date()
        if code not in found or found[code][0] < on:
            found[code] = (on, int(version))
    return found


def _last_reviews(db: Session, as_of: date) -> dict[int, date]:
    rows = db.execute(
        select(RecordClassReview.record_class_id, func.max(RecordClassReview.reviewed_on))
        .where(RecordClassReview.reviewed_on <= as_of)
        .group_by(RecordClassReview.record_class_id)
    ).all()
    return {int(r[0]): r[1] for r in rows}


def standings(db: Session, as_of: date) -> list[ClassStanding]:
    """Every class the measure counts, by code: each class with no class under it (a heading
    of the file plan is not where records are kept) and any class with a rule."""
    classes = list(db.scalars(select(RecordClass).order_by(RecordClass.code)))
    parents = {c.parent_id for c in classes if c.parent_id is not None}
    schedule = _in_force(db, as_of)
    rules = {r.class_code: r.description for r in schedule.rules} if schedule else {}
    approvals = _approvals(db, as_of)
    reviews = _last_reviews(db, as_of)
    # An owner who has left (account closed) owns nothing: the class needs a new one.
    owners = dict(
        db.execute(
            select(User.id, User.username).where(
                User.id.in_({c.owner_user_id for c in classes if c.owner_user_id is not None}),
                User.is_active.is_(True),
            )
        ).all()
    )
    since = window_start(as_of)
    found = []
    for c in classes:
        if c.id in parents and c.code not in rules:
            continue
        approved = approvals.get(c.code)
        recorded = reviews.get(c.id)
        last, how = None, "Never reviewed"
        if approved is not None:
            last, how = approved[0], f"Schedule version {approved[1]} approved"
        if recorded is not None and (last is None or recorded >= last):
            last, how = recorded, "Review recorded"
        found.append(
            ClassStanding(
                class_id=c.id,
                code=c.code,
                name=c.name,
                owner=owners.get(c.owner_user_id) if c.owner_user_id else None,
                rule=rules.get(c.code),
                last_reviewed_on=last,
                last_review=how,
                reviewed=last is not None and last >= since,
            )
        )
    return found


# --- the records manager's pages and API -----------------------------------------------------


def file_plan_standings(db: Session, actor: Actor) -> list[ClassStanding]:
    actor.require(Permission.RETENTION_MANAGE)
    return standings(db, clock.today())


def class_standing(db: Session, actor: Actor, class_id: int) -> ClassStanding:
    """One class as it stands today; a heading of the file plan is shown too."""
    actor.require(Permission.RETENTION_MANAGE)
    found = file_plan.get_class(db, class_id)
    for standing in standings(db, clock.today()):
        if standing.class_id == found.id:
            return standing
    approvals = _approvals(db, clock.today())
    approved = approvals.get(found.code)
    owner = db.get(User, found.owner_user_id) if found.owner_user_id else None
    return ClassStanding(
        found.id,
        found.code,
        found.name,
        owner.username if owner and owner.is_active else None,
        None,
        approved[0] if approved else None,
        f"Schedule version {approved[1]} approved" if approved else "Never reviewed",
        False,
    )


@dataclass(frozen=True)
class ReviewRow:
    id: int
    reviewed_on: date
    outcome: ReviewOutcome
    note: str
    reviewed_by: str | None

    @property
    def outcome_words(self) -> str:
        return OUTCOME_WORDS[ReviewOutcome(self.outcome)]


def reviews(db: Session, actor: Actor, class_id: int, page: PageRequest) -> Page[ReviewRow]:
    """A class's recorded reviews, newest first."""
    actor.require(Permission.RETENTION_MANAGE)
    file_plan.get_class(db, class_id)
    query = (
        select(RecordClassReview)
        .where(RecordClassReview.record_class_id == class_id)
        .order_by(RecordClassReview.reviewed_on.desc(), RecordClassReview.id.desc())
    )
    found: Page[RecordClassReview] = paginate(db, query, page)
    names = dict(
        db.execute(
            select(User.id, User.username).where(
                User.id.in_({r.reviewed_by_user_id for r in found.items if r.reviewed_by_user_id})
            )
        ).all()
    )
    return Page(
        [
            ReviewRow(
                r.id,
                r.reviewed_on,
                ReviewOutcome(r.outcome),
                r.note,
                names.get(r.reviewed_by_user_id) if r.reviewed_by_user_id else None,
            )
            for r in found.items
        ],
        found.total,
        found.number,
        found.size,
        found.capped,
    )


def _check_review(reviewed_on: date, outcome: str, note: str) -> tuple[ReviewOutcome, str]:
    errors: dict[str, str] = {}
    today = clock.today()
    if reviewed_on > today:
        errors["reviewed_on"] = "Enter today's date or a date in the past"
    elif reviewed_on < today - timedelta(days=366 * OLDEST_REVIEW_YEARS):
        errors["reviewed_on"] = f"Enter a date in the last {OLDEST_REVIEW_YEARS} years"
    try:
        chosen = ReviewOutcome(outcome)
    except ValueError:
        errors["outcome"] = "Choose whether the rule still fits the class"
        chosen = ReviewOutcome.CONFIRMED
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Enter a note of at most {NOTE_MAX} characters"
    elif any(not (ch.isprintable() or ch in "\r\n\t") for ch in note):
        errors["note"] = "Enter the note as plain text"
    elif chosen is ReviewOutcome.CHANGE_NEEDED and not note:
        errors["note"] = "Say what needs to change in the rule"
    if errors:
        raise ValidationFailed(
            "The review could not be recorded; nothing was saved.", errors=errors
        )
    return chosen, note


def record_review(
    db: Session, actor: Actor, *, class_id: int, reviewed_on: date, outcome: str, note: str = ""
) -> RecordClassReview:
    """Record that the class's rule was reviewed on ``reviewed_on`` and whether it still fits."""
    actor.require(Permission.RETENTION_MANAGE)
    found = file_plan.get_class(db, class_id)
    chosen, note = _check_review(reviewed_on, outcome, note)
    row = RecordClassReview(
        record_class_id=found.id,
        reviewed_on=reviewed_on,
        outcome=chosen,
        note=note,
        reviewed_by_user_id=actor.user_id,
        recorded_at=clock.now(),
    )
    db.add(row)
    db.flush()
    # The note is the organisation's words about a class; the trail keeps codes and dates.
    audit.record(
        db,
        actor,
        RetentionAudit.CLASS_REVIEWED,
        subject_type="record_class",
        subject_id=found.id,
        details={
            "reviewed_on": reviewed_on.isoformat(),
            "outcome": chosen.value,
        },
    )
    return row
