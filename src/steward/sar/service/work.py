"""The team's daily work on requests: who handles each, what is overdue or due soon, and the
request's timeline as a person reads it (who, when, what changed, and the note unsealed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import ValidationFailed
from steward.core.permissions import ROLE_PERMISSIONS, Actor, Permission, Role
from steward.sar import policy
from steward.sar.events import SarEvent
from steward.sar.models import SarStep, SubjectAccessRequest
from steward.sar.policy import Channel
from steward.sar.service.requests import SUBJECT_TYPE, _require, _step, get

# Roles that may handle a request: those that hold the permission to manage them.
HANDLER_ROLES = tuple(r.value for r in Role if Permission.SAR_MANAGE in ROLE_PERMISSIONS[r])
SOON_DAYS = 7


@dataclass(frozen=True)
class Handler:
    user_id: int
    username: str


def handlers(db: Session, actor: Actor) -> list[Handler]:
    """Active staff who may be given a request, by name."""
    _require(actor)
    rows = db.execute(
        select(auth.User.id, auth.User.username)
        .where(auth.User.role.in_(HANDLER_ROLES), auth.User.is_active.is_(True))
        .order_by(auth.User.username)
    )
    return [Handler(user_id, username) for user_id, username in rows]


def assign(db: Session, actor: Actor, request_id: int, *, user_id: int) -> SubjectAccessRequest:
    """Give the request to another handler (someone whose role handles requests)."""
    request = get(db, actor, request_id)
    if user_id not in {h.user_id for h in handlers(db, actor)}:
        raise ValidationFailed(
            "Choose someone who handles subject access requests.",
            errors={"handler": "Choose a handler from the list"},
        )
    request.handler_user_id = user_id
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.ASSIGNED,
        from_status=request.status,
        details={"handler_user_id": user_id},
    )
    return request


@dataclass(frozen=True)
class DueCounts:
    overdue: int
    due_soon: int  # not overdue, due within SOON_DAYS days


def due_counts(db: Session, actor: Actor, *, days: int = SOON_DAYS) -> DueCounts:
    """For the home page: how many open requests are overdue, and how many fall due soon."""
    _require(actor)
    today = clock.today()
    open_ = SubjectAccessRequest.status.not_in([s.value for s in policy.FINAL])

    def count(*where: object) -> int:
        query = select(func.count()).select_from(SubjectAccessRequest).where(open_, *where)  # type: ignore[arg-type]
        return db.scalar(query) or 0

    return DueCounts(
        overdue=count(SubjectAccessRequest.due_on < today),
        due_soon=count(SubjectAccessRequest.due_on.between(today, today + timedelta(days=days))),
    )


@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    kind: str  # a SarEvent value: core.event_labels names it
    from_status: str | None
    to_status: str | None
    by: str | None  # the username; None for the system
    note: str | None

    @property
    def status_changed(self) -> bool:
        return self.from_status is not None and self.from_status != self.to_status


def _nobody_signed_in(request: SubjectAccessRequest, step: SarStep) -> str | None:
    """Who took a step no member of staff took: the requester, on the public form."""
    if step.kind == SarEvent.RECEIVED.value and request.channel == Channel.ONLINE.value:
        return "the requester, on the online form"
    return None  # the operator at the command line or a background job: "the system"


def timeline(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int
) -> list[TimelineStep]:
    """The request's steps, newest first, each note unsealed; the read is audited (notes are
    reasons given about a person)."""
    request = get(db, actor, request_id)
    names = auth.usernames(db, (s.user_id for s in request.steps if s.user_id))
    steps = []
    for step in reversed(request.steps):
        note = None
        if step.note_sealed is not None:
            note = crypto.open_sealed(
                db,
                kek,
                key_id=request.data_key_id,
                sealed=step.note_sealed,
                context=f"sar_step:{step.id}:note",
            ).decode()
        steps.append(
            TimelineStep(
                at=step.at,
                kind=step.kind,
                from_status=step.from_status,
                to_status=step.to_status,
                by=names.get(step.user_id) if step.user_id else _nobody_signed_in(request, step),
                note=note,
            )
        )
    if any(s.note for s in steps):
        audit.record(
            db,
            actor,
            SarEvent.READ,
            subject_type=SUBJECT_TYPE,
            subject_id=request.id,
            details={"part": "timeline"},
        )
    return steps
