"""Break-glass review: every use with who, when, case and stated reason, and a reviewer's
outcome (justified, not justified, referred) with a sealed note and follow-up action.

Replaces the DPO's old "mark reviewed" log (records.service.break_glass keeps that for its
old form): a review here also sets the use's ``reviewed_at``, so both agree. Readers of the
audit trail (the DPO, auditors) review; reading the reasons passes the induction gate, as the
old log did, because they tell what was happening in a case. A use already reviewed is
reviewed again only by saying which review the new one supersedes: two reviewers acting at
once cannot overwrite each other silently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from steward.assurance.oversight import policy
from steward.assurance.oversight.events import OversightEvent
from steward.assurance.oversight.models import BreakGlassReview
from steward.assurance.oversight.policy import Outcome
from steward.core import audit, auth, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.records.models import BreakGlass, Case

KEY_DESTROYED = "(destroyed with the case)"


class Show(StrEnum):
    ALL = ""
    UNREVIEWED = "unreviewed"
    JUSTIFIED = Outcome.JUSTIFIED.value
    NOT_JUSTIFIED = Outcome.NOT_JUSTIFIED.value
    REFERRED = Outcome.REFERRED.value


@dataclass(frozen=True)
class UseFilter:
    """Which uses to list: ids, codes and dates only, so it may sit in the page's address."""

    show: Show = Show.ALL
    since: date | None = None
    until: date | None = None

    def as_details(self) -> dict[str, str]:
        details = {
            "show": self.show.value,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in details.items() if v}


@dataclass(frozen=True)
class ReviewView:
    id: int
    outcome: Outcome
    reviewer: str
    reviewed_at: datetime
    note: str
    follow_up: str
    supersedes_id: int | None


@dataclass(frozen=True)
class UseView:
    id: int
    case_id: int
    case_number: str
    user: str
    opened_at: datetime
    expires_at: datetime
    reason: str
    review: ReviewView | None  # the current one


@dataclass(frozen=True)
class BreakGlassSummary:
    as_of: date
    uses: int  # in the 12 months to as_of
    reviewed: int
    not_justified: int


def _require(db: Session, actor: Actor) -> None:
    actor.require(Permission.AUDIT_READ)
    records.require_induction(db, actor)


def _latest_ids() -> Select[Any]:
    return select(func.max(BreakGlassReview.id)).group_by(BreakGlassReview.break_glass_id)


def _shown(f: UseFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.show is Show.UNREVIEWED:
        clauses.append(~BreakGlass.id.in_(select(BreakGlassReview.break_glass_id)))
    elif f.show is not Show.ALL:
        clauses.append(
            BreakGlass.id.in_(
                select(BreakGlassReview.break_glass_id).where(
                    BreakGlassReview.id.in_(_latest_ids()),
                    BreakGlassReview.outcome == f.show.value,
                )
            )
        )
    if f.since is not None:
        clauses.append(BreakGlass.opened_at >= datetime.combine(f.since, time.min, tzinfo=UTC))
    if f.until is not None:
        end = datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=UTC)
        clauses.append(BreakGlass.opened_at < end)
    return clauses


def list_uses(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    f: UseFilter = UseFilter(),
    page: PageRequest = PageRequest(),
) -> Page[UseView]:
    """Uses, those not yet reviewed first, then newest first; the reading is recorded."""
    _require(db, actor)
    query = (
        select(BreakGlass, Case)
        .join(Case, Case.id == BreakGlass.case_id)
        .where(*_shown(f))
        .order_by(
            BreakGlass.id.in_(select(BreakGlassReview.break_glass_id)),
            BreakGlass.opened_at.desc(),
            BreakGlass.id.desc(),
        )
    )
    found = paginate(db, query, page, scalars=False)
    views = _views(db, kek, [(bg, case) for bg, case in found.items])
    audit.record(
        db,
        actor,
        OversightEvent.BREAK_GLASS_LISTED,
        details={"count": len(views), "total": found.total, **f.as_details()},
    )
    return Page(views, found.total, found.number, found.size, found.capped)


def export_uses(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, f: UseFilter = UseFilter()
) -> list[UseView]:
    """Every use the filter picks, for the CSV; recorded as an export."""
    _require(db, actor)
    rows = db.execute(
        select(BreakGlass, Case)
        .join(Case, Case.id == BreakGlass.case_id)
        .where(*_shown(f))
        .order_by(BreakGlass.opened_at.desc(), BreakGlass.id.desc())
    )
    views = _views(db, kek, [(bg, case) for bg, case in rows])
    audit.record(
        db,
        actor,
        OversightEvent.BREAK_GLASS_EXPORTED,
        details={"count": len(views), **f.as_details()},
    )
    return views


def get_use(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, break_glass_id: int
) -> tuple[UseView, list[ReviewView]]:
    """One use and all its reviews, newest first; the reading is recorded."""
    _require(db, actor)
    bg, case = _use(db, break_glass_id)
    view = _views(db, kek, [(bg, case)])[0]
    reviews = [
        _review(db, kek, case, r, _names(db, [r.reviewer_id]))
        for r in db.scalars(
            select(BreakGlassReview)
            .where(BreakGlassReview.break_glass_id == bg.id)
            .order_by(BreakGlassReview.id.desc())
        )
    ]
    audit.record(
        db,
        actor,
        OversightEvent.BREAK_GLASS_READ,
        subject_type="case",
        subject_id=case.id,
        details={"break_glass_id": bg.id},
    )
    return view, reviews


def record_review(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    break_glass_id: int,
    outcome: str,
    note: str = "",
    follow_up: str = "",
    supersedes_id: int | None = None,
) -> BreakGlassReview:
    """Record an outcome. For a use already reviewed, ``supersedes_id`` must name its current
    review (Conflict otherwise); the earlier review is kept as history. Auditors read the
    reviews; recording one is the DPO's (assurance:manage), as marking uses reviewed was."""
    _require(db, actor)
    actor.require(Permission.ASSURANCE_MANAGE)
    errors: dict[str, str] = {}
    try:
        chosen = Outcome(outcome)
    except ValueError:
        errors["outcome"] = "Choose justified, not justified or referred"
    for name, text, what in (("note", note, "a note"), ("follow_up", follow_up, "the follow-up")):
        problem = policy.text_problem(text, what=what, required=False)
        if problem:
            errors[name] = problem
    if not errors and outcome != Outcome.JUSTIFIED and not note.strip():
        errors["note"] = "Say why: a use not justified or referred needs a note"
    if errors:
        raise ValidationFailed("Check the review.", errors=errors)
    bg, case = _use(db, break_glass_id)
    # The use's row is locked, so two reviewers cannot both supersede the same review.
    db.execute(select(BreakGlass.id).where(BreakGlass.id == bg.id).with_for_update())
    current = db.scalar(
        select(func.max(BreakGlassReview.id)).where(BreakGlassReview.break_glass_id == bg.id)
    )
    if current != supersedes_id:
        if current is None:
            raise Conflict("This use has not been reviewed yet: there is no review to replace.")
        raise Conflict(
            "This use has already been reviewed. Open it again to see the review, and "
            "change the outcome from there if it needs to change."
        )
    now = clock.now()
    review = BreakGlassReview(
        break_glass_id=bg.id,
        reviewer_id=actor.user_id,
        reviewed_at=now,
        outcome=chosen.value,
        supersedes_id=supersedes_id,
    )
    db.add(review)
    db.flush()
    if note.strip():
        review.note = _seal(db, kek, case, review.id, "note", note.strip())
    if follow_up.strip():
        review.follow_up = _seal(db, kek, case, review.id, "follow_up", follow_up.strip())
    if bg.reviewed_at is None:
        db.execute(update(BreakGlass).where(BreakGlass.id == bg.id).values(reviewed_at=now))
    db.flush()
    audit.record(
        db,
        actor,
        OversightEvent.BREAK_GLASS_OUTCOME,
        subject_type="case",
        subject_id=case.id,
        details={
            "break_glass_id": bg.id,
            "review_id": review.id,
            "outcome": chosen.value,
            "supersedes_id": supersedes_id,
        },
    )
    return review


def break_glass_summary(db: Session, as_of: date) -> BreakGlassSummary:
    """For the dashboard: uses in the 12 months to ``as_of``, how many are reviewed, and how
    many of those the current review found not justified. No names, no reasons."""
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    start = end - timedelta(days=365)
    in_year = (BreakGlass.opened_at >= start, BreakGlass.opened_at < end)
    uses = db.scalar(select(func.count()).select_from(BreakGlass).where(*in_year)) or 0
    reviewed = (
        db.scalar(
            select(func.count())
            .select_from(BreakGlass)
            .where(*in_year, BreakGlass.id.in_(select(BreakGlassReview.break_glass_id)))
        )
        or 0
    )
    not_justified = (
        db.scalar(
            select(func.count())
            .select_from(BreakGlassReview)
            .join(BreakGlass, BreakGlass.id == BreakGlassReview.break_glass_id)
            .where(
                *in_year,
                BreakGlassReview.id.in_(_latest_ids()),
                BreakGlassReview.outcome == Outcome.NOT_JUSTIFIED.value,
            )
        )
        or 0
    )
    return BreakGlassSummary(as_of, int(uses), int(reviewed), int(not_justified))


# --- helpers -----------------------------------------------------------------------------


def _use(db: Session, break_glass_id: int) -> tuple[BreakGlass, Case]:
    row = db.execute(
        select(BreakGlass, Case)
        .join(Case, Case.id == BreakGlass.case_id)
        .where(BreakGlass.id == break_glass_id)
    ).first()
    if row is None:
        raise NotFound("There is no such break-glass use.")
    return row[0], row[1]


def _names(db: Session, ids: Sequence[int | None]) -> dict[int, str]:
    return auth.usernames(db, (i for i in ids if i is not None))


def _context(review_id: int, field: str) -> str:
    return f"break_glass_review:{review_id}:{field}"


def _seal(
    db: Session, kek: KeyEncryptionKeys, case: Case, review_id: int, field: str, text: str
) -> bytes:
    return crypto.seal(
        db,
        kek,
        key_id=case.data_key_id,
        plaintext=text.encode(),
        context=_context(review_id, field),
    )


def _open(
    db: Session, kek: KeyEncryptionKeys, case: Case, sealed: bytes | None, context: str
) -> str:
    if not sealed:
        return ""
    try:
        return crypto.open_sealed(
            db, kek, key_id=case.data_key_id, sealed=sealed, context=context
        ).decode()
    except crypto.KeyDestroyed:
        return KEY_DESTROYED


def _review(
    db: Session, kek: KeyEncryptionKeys, case: Case, r: BreakGlassReview, names: dict[int, str]
) -> ReviewView:
    return ReviewView(
        id=r.id,
        outcome=Outcome(r.outcome),
        reviewer=names.get(r.reviewer_id, "a removed account"),
        reviewed_at=r.reviewed_at,
        note=_open(db, kek, case, r.note, _context(r.id, "note")),
        follow_up=_open(db, kek, case, r.follow_up, _context(r.id, "follow_up")),
        supersedes_id=r.supersedes_id,
    )


def _views(
    db: Session, kek: KeyEncryptionKeys, rows: list[tuple[BreakGlass, Case]]
) -> list[UseView]:
    ids = [bg.id for bg, _ in rows]
    latest = (
        {
            r.break_glass_id: r
            for r in db.scalars(
                select(BreakGlassReview).where(
                    BreakGlassReview.id.in_(
                        _latest_ids().where(BreakGlassReview.break_glass_id.in_(ids))
                    )
                )
            )
        }
        if ids
        else {}
    )
    names = _names(db, [bg.user_id for bg, _ in rows] + [r.reviewer_id for r in latest.values()])
    views = []
    for bg, case in rows:
        review = latest.get(bg.id)
        views.append(
            UseView(
                id=bg.id,
                case_id=case.id,
                case_number=case.case_number,
                user=names.get(bg.user_id, "a removed account"),
                opened_at=bg.opened_at,
                expires_at=bg.expires_at,
                reason=_open(db, kek, case, bg.reason, f"break_glass:{bg.id}:reason"),
                review=_review(db, kek, case, review, names) if review else None,
            )
        )
    return views
