"""The task list of a request's right (policy.TASKS) and the decision on it.

Rectification, erasure, restriction and objection (and access too) each have their steps the
law expects; the handler ticks each off, and records the decision (done, done in part, or
refused) with reasons, which are sealed under the request's key: they may name people. Each
is one audit event and one step on the request's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import Actor
from steward.sar import policy
from steward.sar.events import SarEvent
from steward.sar.models import SarDecision, SarTask, SubjectAccessRequest
from steward.sar.policy import Outcome, Right, Status
from steward.sar.service.requests import SUBJECT_TYPE, _step, get


@dataclass(frozen=True)
class TaskState:
    code: str
    words: str
    done_at: datetime | None
    done_by: str | None  # username

    @property
    def done(self) -> bool:
        return self.done_at is not None


def _done(db: Session, request_id: int) -> dict[str, SarTask]:
    rows = db.scalars(select(SarTask).where(SarTask.request_id == request_id))
    return {row.code: row for row in rows}


def tasks_of(db: Session, actor: Actor, request_id: int) -> list[TaskState]:
    """The right's tasks in order, each with when and by whom it was done."""
    request = get(db, actor, request_id)
    done = _done(db, request.id)
    names = auth.usernames(db, (t.done_by_user_id for t in done.values() if t.done_by_user_id))
    states = []
    for task in policy.TASKS[Right(request.right)]:
        row = done.get(task.code)
        states.append(
            TaskState(
                task.code,
                task.words,
                row.done_at if row else None,
                names.get(row.done_by_user_id) if row and row.done_by_user_id else None,
            )
        )
    return states


def _require_open(request: SubjectAccessRequest) -> None:
    if Status(request.status) in policy.FINAL:
        raise Conflict("This request is finished: its tasks and decision can no longer change.")


def complete_tasks(
    db: Session, actor: Actor, request_id: int, codes: Iterable[str]
) -> list[SarTask]:
    """Tick off tasks of the request's right; one audit event and timeline step each."""
    request = get(db, actor, request_id)
    _require_open(request)
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise ValidationFailed(
            "Choose at least one task that has been done.",
            errors={"tasks": "Choose the tasks that have been done"},
        )
    right = Right(request.right)
    unknown = [c for c in wanted if policy.task(right, c) is None]
    if unknown:
        raise ValidationFailed(
            "Choose tasks from the list for this request.",
            errors={"tasks": "Choose tasks from the list"},
        )
    done = _done(db, request.id)
    already = [c for c in wanted if c in done]
    if already:
        raise Conflict("Some of those tasks are already done: reload the page.")
    created = []
    for code in wanted:
        row = SarTask(
            request_id=request.id, code=code, done_at=clock.now(), done_by_user_id=actor.user_id
        )
        db.add(row)
        db.flush()
        created.append(row)
        _step(
            db,
            None,
            actor,
            request,
            SarEvent.TASK_DONE,
            from_status=request.status,
            details={"task": code},
        )
    return created


@dataclass(frozen=True)
class DecisionView:
    outcome: Outcome
    reasons: str
    decided_at: datetime
    decided_by: str | None


def _reasons_context(decision: SarDecision) -> str:
    return f"sar_decision:{decision.id}:reasons"


def decide(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    *,
    outcome: Outcome | str,
    reasons: str,
) -> SarDecision:
    """Record the decision, once, with the reasons the requester will be given."""
    request = get(db, actor, request_id)
    _require_open(request)
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise ValidationFailed(
            "Choose the decision.", errors={"outcome": "Choose done, done in part or refused"}
        ) from None
    if not reasons.strip():
        raise ValidationFailed(
            "Give the reasons for the decision: the requester is told them.",
            errors={"reasons": "Enter the reasons for the decision"},
        )
    if db.scalar(select(SarDecision.id).where(SarDecision.request_id == request.id)):
        raise Conflict("A decision has already been recorded on this request.")
    decision = SarDecision(
        request_id=request.id,
        outcome=chosen.value,
        reasons_sealed=b"",
        decided_at=clock.now(),
        decided_by_user_id=actor.user_id,
    )
    db.add(decision)
    db.flush()
    decision.reasons_sealed = crypto.seal(
        db,
        kek,
        key_id=request.data_key_id,
        plaintext=reasons.strip().encode(),
        context=_reasons_context(decision),
    )
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.DECIDED,
        from_status=request.status,
        note=reasons.strip(),
        details={"outcome": chosen.value},
    )
    return decision


def decision_of(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int
) -> DecisionView | None:
    """The decision with its reasons unsealed (an audited read), or None if not yet made."""
    request = get(db, actor, request_id)
    decision = db.scalar(select(SarDecision).where(SarDecision.request_id == request.id))
    if decision is None:
        return None
    reasons = crypto.open_sealed(
        db,
        kek,
        key_id=request.data_key_id,
        sealed=decision.reasons_sealed,
        context=_reasons_context(decision),
    ).decode()
    audit.record(
        db,
        actor,
        SarEvent.READ,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"part": "decision"},
    )
    names = auth.usernames(db, [decision.decided_by_user_id] if decision.decided_by_user_id else [])
    return DecisionView(
        Outcome(decision.outcome),
        reasons,
        decision.decided_at,
        names.get(decision.decided_by_user_id) if decision.decided_by_user_id else None,
    )
