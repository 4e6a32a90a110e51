"""Break-glass: opening a case that is not yours, for a stated reason, within limits.

A reason is sealed under the case's key (it may name people) and shown to the DPO, who marks
each use reviewed. Uses are counted per user from the audit trail, so the limits hold across
app processes; a use past the alert threshold raises an alert the DPO sees at /break-glass.
Asking for a case that does not exist counts as a use: break-glass cannot be used to probe
which case ids exist without leaving a trail and running into the limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock, crypto
from steward.core.audit import AuditEvent
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, ActorKind, Permission
from steward.records import policy
from steward.records.events import RecordsEvent
from steward.records.models import BreakGlass, Case
from steward.records.policy import Access
from steward.records.service import access

# What counts towards a user's limits: each opening, and each attempt on a missing case.
_COUNTED = (RecordsEvent.CASE_BREAK_GLASS.value, RecordsEvent.BREAK_GLASS_NO_CASE.value)
# What the DPO is alerted to at /break-glass.
_ALERTS = (
    RecordsEvent.BREAK_GLASS_ALERT.value,
    RecordsEvent.BREAK_GLASS_LIMITED.value,
    RecordsEvent.BREAK_GLASS_NO_CASE.value,
)
ALERT_DAYS = 7


@dataclass(frozen=True)
class BreakGlassLimits:
    per_hour: int = 5
    per_day: int = 10
    # Uses in 24 hours after which each further use alerts the DPO.
    alert_after: int = 3

    @classmethod
    def of(cls, settings: Settings) -> BreakGlassLimits:
        return cls(
            per_hour=settings.break_glass_per_hour,
            per_day=settings.break_glass_per_day,
            alert_after=settings.break_glass_alert_after,
        )


class BreakGlassLimitReached(Forbidden):
    """``retry_after``: seconds until the oldest use counted leaves the window."""

    def __init__(self, limit: int, window: str, retry_after: int = 3600) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"You have broken glass {limit} times in the last {window}, the most allowed. "
            "Ask the case's manager to assign the case to you, or ask the Data Protection "
            "Officer. This refusal has been recorded."
        )


class NoSuchCase(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no such case. Your request has been recorded.")


@dataclass(frozen=True)
class BreakGlassAlert:
    user_id: int | None
    occurred_at: datetime
    kind: str  # "over_threshold", "limit_reached" or "no_such_case"


_ALERT_KINDS = {
    RecordsEvent.BREAK_GLASS_ALERT.value: "over_threshold",
    RecordsEvent.BREAK_GLASS_LIMITED.value: "limit_reached",
    RecordsEvent.BREAK_GLASS_NO_CASE.value: "no_such_case",
}


def _uses_since(db: Session, user_id: int, since: datetime) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.actor_id == user_id,
                AuditEvent.actor_kind == ActorKind.USER.value,
                AuditEvent.tag.in_(_COUNTED),
                AuditEvent.occurred_at > since,
            )
        )
        or 0
    )


def _check_limits(db: Session, actor: Actor, limits: BreakGlassLimits) -> int:
    """Uses in the last 24 hours, or BreakGlassLimitReached. The user's row is locked first,
    so two requests of one user cannot both pass the last free use (on PostgreSQL; SQLite
    serialises writers anyway)."""
    if actor.user_id is None:
        return 0
    db.execute(select(auth.User.id).where(auth.User.id == actor.user_id).with_for_update())
    now = clock.now()
    hour, day = timedelta(hours=1), timedelta(days=1)
    used = _uses_since(db, actor.user_id, now - hour)
    if used >= limits.per_hour:
        wait = _wait(db, actor.user_id, now, hour, used - limits.per_hour)
        raise BreakGlassLimitReached(limits.per_hour, "hour", wait)
    today = _uses_since(db, actor.user_id, now - day)
    if today >= limits.per_day:
        wait = _wait(db, actor.user_id, now, day, today - limits.per_day)
        raise BreakGlassLimitReached(limits.per_day, "24 hours", wait)
    return today


def _wait(db: Session, user_id: int, now: datetime, window: timedelta, skip: int) -> int:
    """Seconds until enough of the uses counted in ``window`` have left it for one more:
    when the (``skip`` + 1)th oldest of them does."""
    leaves = db.scalar(
        select(AuditEvent.occurred_at)
        .where(
            AuditEvent.actor_id == user_id,
            AuditEvent.actor_kind == ActorKind.USER.value,
            AuditEvent.tag.in_(_COUNTED),
            AuditEvent.occurred_at > now - window,
        )
        .order_by(AuditEvent.occurred_at)
        .offset(skip)
        .limit(1)
    )
    return max(1, math.ceil((leaves + window - now).total_seconds())) if leaves else 60


def _check_reason(reason: str) -> str:
    problem = policy.break_glass_reason_problem(reason)
    if problem:
        raise ValidationFailed(
            "Say why you need this case: the reason is recorded and shown to the Data "
            "Protection Officer.",
            errors={"reason": problem},
        )
    return reason.strip()


def break_glass(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    case_id: int,
    reason: str,
    limits: BreakGlassLimits | None = None,
) -> BreakGlass:
    """Open a case the actor may not otherwise read, for a limited time.

    Raises InductionRequired (break-glass does not bypass the induction gate),
    ValidationFailed (the reason), BreakGlassLimitReached, NoSuchCase, CaseRestricted
    (a party's processing is restricted: the IG team's only) or Conflict (they can read it
    already). The adapters record the refusals with ``refuse``."""
    actor.require(Permission.CASES_BREAK_GLASS)
    # Break-glass is for an emergency on a case not one's own, never a way round induction:
    # refused before the reason, the limits or the case are looked at, so nothing is used up.
    access.require_induction(db, actor)
    limits = limits or BreakGlassLimits()
    reason = _check_reason(reason)
    used_today = _check_limits(db, actor, limits)
    case = db.get(Case, case_id)
    if case is None:
        raise NoSuchCase()
    if not actor.can(Permission.CASES_READ_ALL) and access.case_is_restricted(db, case.id):
        # Break-glass does not override a restriction (see records.policy.case_access).
        raise access.CaseRestricted()
    if access.access_to_case(db, actor, case) is not Access.NONE:
        raise Conflict("You already have access to this case.")
    now = clock.now()
    row = BreakGlass(
        case_id=case.id,
        user_id=actor.user_id,
        reason=b"",
        opened_at=now,
        expires_at=now + access.break_glass_expiry(),
    )
    db.add(row)
    db.flush()
    row.reason = crypto.seal(
        db, kek, key_id=case.data_key_id, plaintext=reason.encode(), context=_context(row.id)
    )
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.CASE_BREAK_GLASS,
        subject_type="case",
        subject_id=case.id,
        details={"break_glass_id": row.id},
    )
    if used_today + 1 > limits.alert_after:
        audit.record(
            db,
            actor,
            RecordsEvent.BREAK_GLASS_ALERT,
            subject_type="user",
            subject_id=actor.user_id,
            details={"uses_in_24h": used_today + 1},
        )
    return row


def refuse(db: Session, actor: Actor, *, case_id: int, error: Exception) -> None:
    """Record a refused break-glass: over the limit, or a case that does not exist. Called by
    the adapter after the attempt's own changes were rolled back, so the record stays."""
    tag = (
        RecordsEvent.BREAK_GLASS_LIMITED
        if isinstance(error, BreakGlassLimitReached)
        else RecordsEvent.BREAK_GLASS_NO_CASE
    )
    audit.record(db, actor, tag, subject_type="case", subject_id=case_id)


def _context(break_glass_id: int) -> str:
    return f"break_glass:{break_glass_id}:reason"


def _require_dpo(actor: Actor) -> None:
    if not actor.can(Permission.ASSURANCE_MANAGE):
        raise Forbidden("Only the Data Protection Officer reviews break-glass access.")


def break_glass_log(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, page: PageRequest = PageRequest()
) -> Page[tuple[BreakGlass, str, str]]:
    """Break-glass openings for the DPO with their reasons and case numbers: those not yet
    reviewed first, then newest first. The reasons tell what was happening in the case:
    closed, like the case itself, until the reader's induction is complete."""
    _require_dpo(actor)
    access.require_induction(db, actor)
    rows = paginate(
        db,
        select(BreakGlass, Case)
        .join(Case, Case.id == BreakGlass.case_id)
        .order_by(
            BreakGlass.reviewed_at.is_not(None), BreakGlass.opened_at.desc(), BreakGlass.id.desc()
        ),
        page,
        scalars=False,
    )

    def opened(row: Any) -> tuple[BreakGlass, str, str]:
        bg, case = row
        try:
            reason = crypto.open_sealed(
                db, kek, key_id=case.data_key_id, sealed=bg.reason, context=_context(bg.id)
            ).decode()
        except crypto.KeyDestroyed:
            reason = "(destroyed with the case)"
        return bg, case.case_number, reason

    result = rows.map(opened)
    audit.record(db, actor, RecordsEvent.BREAK_GLASS_REVIEWED, details={"count": len(result.items)})
    return result


def break_glass_alerts(db: Session, actor: Actor) -> list[BreakGlassAlert]:
    """The last week's alerts, newest first: uses past the threshold, uses refused at the
    limit, and attempts on cases that do not exist."""
    _require_dpo(actor)
    since = clock.now() - timedelta(days=ALERT_DAYS)
    rows = db.execute(
        select(AuditEvent.actor_id, AuditEvent.occurred_at, AuditEvent.tag)
        .where(AuditEvent.tag.in_(_ALERTS), AuditEvent.occurred_at > since)
        .order_by(AuditEvent.seq.desc())
        .limit(200)
    ).all()
    return [BreakGlassAlert(uid, at, _ALERT_KINDS[tag]) for uid, at, tag in rows]


def unreviewed_break_glass_count(db: Session) -> int:
    """How many break-glass openings the DPO has not yet reviewed (for the DPO's home)."""
    count = db.scalar(
        select(func.count()).select_from(BreakGlass).where(BreakGlass.reviewed_at.is_(None))
    )
    return int(count or 0)


def mark_reviewed(db: Session, actor: Actor, *, break_glass_ids: Iterable[int]) -> int:
    """The DPO has read these openings' reasons; returns how many were newly marked."""
    _require_dpo(actor)
    ids = sorted(set(break_glass_ids))
    if not ids:
        raise ValidationFailed(
            "Choose the openings you have reviewed.", errors={"break_glass_ids": "Choose one"}
        )
    marked = list(
        db.scalars(
            select(BreakGlass.id).where(BreakGlass.id.in_(ids), BreakGlass.reviewed_at.is_(None))
        )
    )
    if not marked:
        return 0
    db.execute(update(BreakGlass).where(BreakGlass.id.in_(marked)).values(reviewed_at=clock.now()))
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.BREAK_GLASS_MARKED_REVIEWED,
        details={"count": len(marked), "break_glass_ids": marked},
    )
    return len(marked)


def break_glass_expires(db: Session, actor: Actor, case_id: int) -> datetime | None:
    """When the actor's open break-glass access to the case ends (the latest, if several)."""
    if actor.user_id is None:
        return None
    return db.scalar(
        select(func.max(BreakGlass.expires_at)).where(
            BreakGlass.case_id == case_id,
            BreakGlass.user_id == actor.user_id,
            BreakGlass.expires_at > clock.now(),
        )
    )
