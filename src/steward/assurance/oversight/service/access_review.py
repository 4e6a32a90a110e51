"""The periodic access review: a round lists every active account (role, team, two-factor,
last sign-in) as it was when the round opened; the DPO confirms each or records that it was
changed (on the account's own page) and closes the round. The round, with who decided what
and when, is the evidence an auditor asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.oversight import policy
from steward.assurance.oversight.events import OversightEvent
from steward.assurance.oversight.models import AccessReviewEntry, AccessReviewRound
from steward.assurance.oversight.policy import Decision
from steward.core import audit, auth, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission


@dataclass(frozen=True)
class RoundView:
    round: AccessReviewRound
    accounts: int
    decided: int
    changed: int
    opened_by: str
    closed_by: str | None

    @property
    def open(self) -> bool:
        return self.round.closed_at is None


@dataclass(frozen=True)
class AccessReviewSummary:
    as_of: date
    last_closed_on: date | None
    accounts_confirmed: int  # decided in the last closed round
    accounts_in_last_round: int
    unused_90_days: int  # active accounts not signed in for 90 days at as_of


def _read(actor: Actor) -> None:
    # Who may see the evidence: the DPO, who runs it, and auditors, who check it.
    if not (actor.can(Permission.ASSURANCE_MANAGE) or actor.can(Permission.AUDIT_READ)):
        actor.require(Permission.ASSURANCE_MANAGE)


def _view(db: Session, r: AccessReviewRound) -> RoundView:
    counts = db.execute(
        select(
            func.count(),
            func.count(AccessReviewEntry.decision),
            func.count().filter(AccessReviewEntry.decision == Decision.CHANGED.value),
        ).where(AccessReviewEntry.round_id == r.id)
    ).one()
    names = auth.usernames(db, [i for i in (r.opened_by_id, r.closed_by_id) if i is not None])
    return RoundView(
        r,
        int(counts[0]),
        int(counts[1]),
        int(counts[2]),
        names.get(r.opened_by_id or 0, "Steward itself (system)"),
        names.get(r.closed_by_id or 0) if r.closed_at else None,
    )


def list_rounds(db: Session, actor: Actor, page: PageRequest = PageRequest()) -> Page[RoundView]:
    _read(actor)
    found = paginate(db, select(AccessReviewRound).order_by(AccessReviewRound.id.desc()), page)
    return found.map(lambda r: _view(db, r))


def open_round(db: Session, actor: Actor) -> AccessReviewRound:
    """Start a round with every active account; Conflict while another round is open."""
    actor.require(Permission.ASSURANCE_MANAGE)
    if db.scalar(select(AccessReviewRound.id).where(AccessReviewRound.closed_at.is_(None))):
        raise Conflict("A review is already open: finish and close it before starting another.")
    review = AccessReviewRound(opened_at=clock.now(), opened_by_id=actor.user_id)
    db.add(review)
    db.flush()
    users = db.scalars(select(auth.User).where(auth.User.is_active.is_(True)))
    db.add_all(
        AccessReviewEntry(
            round_id=review.id,
            user_id=u.id,
            username=u.username,
            role=str(u.role),
            team=u.team,
            two_factor=bool(u.totp_enabled),
            last_signin_at=u.last_signin_at,
        )
        for u in users
    )
    db.flush()
    audit.record(db, actor, OversightEvent.ACCESS_REVIEW_OPENED, details={"round_id": review.id})
    return review


def get_round(
    db: Session, actor: Actor, round_id: int, page: PageRequest = PageRequest()
) -> tuple[RoundView, Page[AccessReviewEntry]]:
    _read(actor)
    review = db.get(AccessReviewRound, round_id)
    if review is None:
        raise NotFound("There is no such access review.")
    entries = paginate(
        db,
        select(AccessReviewEntry)
        .where(AccessReviewEntry.round_id == review.id)
        .order_by(
            AccessReviewEntry.decision.is_not(None),
            AccessReviewEntry.username,
            AccessReviewEntry.id,
        ),
        page,
    )
    audit.record(
        db,
        actor,
        OversightEvent.ACCESS_REVIEW_READ,
        details={"round_id": review.id, "count": len(entries.items)},
    )
    return _view(db, review), entries


def decide(
    db: Session, actor: Actor, *, round_id: int, entry_id: int, decision: str
) -> AccessReviewEntry:
    """Confirm an account as it is, or record that it was changed (its role, team and
    whether it is active are then taken from the account as it is now)."""
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        chosen = Decision(decision)
    except ValueError:
        raise ValidationFailed(
            "Choose whether the account is confirmed or was changed.",
            errors={"decision": "Choose confirmed or changed"},
        ) from None
    entry = db.get(AccessReviewEntry, entry_id)
    if entry is None or entry.round_id != round_id:
        raise NotFound("There is no such account in this review.")
    review = db.get(AccessReviewRound, round_id)
    assert review is not None
    if review.closed_at is not None:
        raise Conflict("This review is closed: its decisions are the record and stay as they are.")
    user = db.get(auth.User, entry.user_id)
    entry.decision = chosen.value
    entry.decided_at = clock.now()
    entry.decided_by_id = actor.user_id
    if chosen is Decision.CHANGED and user is not None:
        entry.role_after, entry.team_after, entry.active_after = (
            str(user.role),
            user.team,
            bool(user.is_active),
        )
    else:
        entry.role_after = entry.team_after = entry.active_after = None
    db.flush()
    audit.record(
        db,
        actor,
        OversightEvent.ACCESS_REVIEW_DECIDED,
        subject_type="user",
        subject_id=entry.user_id,
        details={"round_id": round_id, "decision": chosen.value},
    )
    return entry


def close_round(db: Session, actor: Actor, round_id: int) -> AccessReviewRound:
    """Close the round once every account in it is decided."""
    actor.require(Permission.ASSURANCE_MANAGE)
    review = db.get(AccessReviewRound, round_id)
    if review is None:
        raise NotFound("There is no such access review.")
    if review.closed_at is not None:
        raise Conflict("This review is already closed.")
    undecided = db.scalar(
        select(func.count()).where(
            AccessReviewEntry.round_id == round_id, AccessReviewEntry.decision.is_(None)
        )
    )
    if undecided:
        raise ValidationFailed(
            f"Confirm or change every account before closing the review: {undecided} "
            "still to decide.",
            errors={"round": f"{undecided} accounts still to decide"},
        )
    review.closed_at, review.closed_by_id = clock.now(), actor.user_id
    db.flush()
    audit.record(db, actor, OversightEvent.ACCESS_REVIEW_CLOSED, details={"round_id": review.id})
    return review


def access_review_summary(db: Session, as_of: date) -> AccessReviewSummary:
    """For the dashboard: the last closed round up to ``as_of``, how many accounts it
    confirmed, and active accounts not signed in for 90 days."""
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    last = db.scalars(
        select(AccessReviewRound)
        .where(AccessReviewRound.closed_at.is_not(None), AccessReviewRound.closed_at < end)
        .order_by(AccessReviewRound.closed_at.desc(), AccessReviewRound.id.desc())
        .limit(1)
    ).first()
    confirmed = in_round = 0
    if last is not None:
        in_round = int(
            db.scalar(select(func.count()).where(AccessReviewEntry.round_id == last.id)) or 0
        )
        confirmed = int(
            db.scalar(
                select(func.count()).where(
                    AccessReviewEntry.round_id == last.id,
                    AccessReviewEntry.decision == Decision.CONFIRMED.value,
                )
            )
            or 0
        )
    cutoff = end - timedelta(days=policy.UNUSED_DAYS)
    unused = db.scalar(
        select(func.count())
        .select_from(auth.User)
        .where(
            auth.User.is_active.is_(True),
            auth.User.created_at < end,
            func.coalesce(auth.User.last_signin_at, auth.User.created_at) < cutoff,
        )
    )
    return AccessReviewSummary(
        as_of,
        last.closed_at.date() if last is not None and last.closed_at else None,
        confirmed,
        in_round,
        int(unused or 0),
    )
