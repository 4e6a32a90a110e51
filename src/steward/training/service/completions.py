"""Recording a completion, whatever its source: the one place that decides whether a
completion is new, so the same one imported twice (or from two exports) counts once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.permissions import Actor
from steward.training.events import TrainingEvent
from steward.training.models import Completion
from steward.training.policy import Source
from steward.training.service import gate

SUBJECT_TYPE = "training_completion"


def fingerprint(
    *,
    source: Source,
    staff_id: int,
    course_id: int,
    course_version: int,
    completed_on: date,
    external_id: str | None = None,
) -> str:
    """A completion's identity: the LMS's own id for it where it gives one (an xAPI
    statement id), else what it states (who, which course and version, which day, whence)."""
    parts = (
        (source.value, external_id)
        if external_id
        else (source.value, str(staff_id), str(course_id), str(course_version), str(completed_on))
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewCompletion:
    staff_id: int
    course_id: int
    course_version: int
    completed_on: date
    source: Source
    score: int | None = None
    external_id: str | None = None
    attempt_id: int | None = None
    import_batch: str | None = None
    note: str = ""


def record(
    db: Session, actor: Actor, new: NewCompletion, *, audited: bool = True
) -> Completion | None:
    """Keep ``new`` unless the same completion is already kept (then None: nothing changes).

    An import records one COMPLETIONS_IMPORTED event for the whole file and passes
    ``audited=False`` here; a single completion records its own event."""
    key = fingerprint(
        source=new.source,
        staff_id=new.staff_id,
        course_id=new.course_id,
        course_version=new.course_version,
        completed_on=new.completed_on,
        external_id=new.external_id,
    )
    if db.scalar(select(Completion.id).where(Completion.fingerprint == key)) is not None:
        return None
    completion = Completion(
        staff_id=new.staff_id,
        course_id=new.course_id,
        course_version=new.course_version,
        completed_on=new.completed_on,
        source=new.source.value,
        score=new.score,
        fingerprint=key,
        attempt_id=new.attempt_id,
        import_batch=new.import_batch,
        note=new.note,
        recorded_by_user_id=actor.user_id,
        recorded_at=clock.now(),
    )
    db.add(completion)
    db.flush()
    gate.forget(db)
    if audited:
        audit.record(
            db,
            actor,
            TrainingEvent.COMPLETION_RECORDED,
            subject_type=SUBJECT_TYPE,
            subject_id=completion.id,
            details={
                "staff_id": new.staff_id,
                "course_id": new.course_id,
                "source": new.source.value,
            },
        )
    return completion
