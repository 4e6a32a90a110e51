"""Each record class of the retention file plan mapped to the processing activity it serves:
the erasure time limit of an activity is then the retention rule of its classes, and a class
nobody has mapped is a gap the dashboard counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.processing.events import ProcessingEvent
from steward.assurance.processing.models import ClassMapping, ProcessingActivity
from steward.assurance.processing.service.common import require_manage, require_view
from steward.core import audit, clock
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import Actor
from steward.records.models import RecordClass
from steward.retention.models import RetentionRule
from steward.retention.service import schedules

SUBJECT = "record_class"


@dataclass(frozen=True)
class ClassRow:
    code: str
    name: str
    rule: str | None  # the approved schedule's rule for the class, in a sentence
    activity_id: int | None
    activity: str | None


def file_plan(db: Session) -> list[tuple[str, str, str | None]]:
    """The classes of the file plan that the approved schedule has a rule for (the classes
    records are filed in), with their rule; with no schedule approved, every class."""
    names = dict(db.execute(select(RecordClass.code, RecordClass.name)).all())
    approved = schedules.approved(db)
    if approved is None:
        return [(code, name, None) for code, name in sorted(names.items())]
    rules = db.execute(
        select(RetentionRule.class_code, RetentionRule.description)
        .where(RetentionRule.schedule_id == approved.id)
        .order_by(RetentionRule.class_code)
    )
    return [(code, names.get(code, code), description) for code, description in rules]


def classes(db: Session, actor: Actor, *, unmapped_only: bool = False) -> list[ClassRow]:
    require_view(actor)
    return _rows(db, unmapped_only=unmapped_only)


def _rows(db: Session, *, unmapped_only: bool = False) -> list[ClassRow]:
    mapped = dict(
        db.execute(
            select(ClassMapping.class_code, ProcessingActivity.id).join(
                ProcessingActivity, ProcessingActivity.id == ClassMapping.activity_id
            )
        ).all()
    )
    names = dict(db.execute(select(ProcessingActivity.id, ProcessingActivity.name)).all())
    rows = [
        ClassRow(code, name, rule, mapped.get(code), names.get(mapped.get(code, 0)))
        for code, name, rule in file_plan(db)
    ]
    return [r for r in rows if r.activity_id is None] if unmapped_only else rows


def unmapped_count(db: Session) -> int:
    return len(_rows(db, unmapped_only=True))


def _class_id(db: Session, code: str) -> int | None:
    # Codes are upper case, which the audit trail refuses as possible free text: the class is
    # named by its id there.
    return db.scalar(select(RecordClass.id).where(RecordClass.code == code))


def map_class(db: Session, actor: Actor, class_code: str, activity_id: int | None) -> ClassRow:
    """Map ``class_code`` to ``activity_id``, or unmap it (None)."""
    require_manage(actor)
    row = next((r for r in _rows(db) if r.code == class_code), None)
    if row is None:
        raise NotFound("There is no such record class in the file plan.")
    if activity_id is not None and db.get(ProcessingActivity, activity_id) is None:
        raise ValidationFailed(
            "Choose an activity from the list; nothing was changed.",
            errors={"activity_id": "Choose an activity from the list"},
        )
    current = db.get(ClassMapping, class_code)
    if activity_id is None:
        if current is not None:
            db.delete(current)
            db.flush()
            audit.record(
                db,
                actor,
                ProcessingEvent.CLASS_UNMAPPED,
                subject_type=SUBJECT,
                subject_id=_class_id(db, class_code),
                details={"activity_id": current.activity_id},
            )
    elif current is None or current.activity_id != activity_id:
        if current is None:
            current = ClassMapping(class_code=class_code, activity_id=activity_id)
            db.add(current)
        current.activity_id = activity_id
        current.mapped_at = clock.now()
        current.mapped_by_user_id = actor.user_id
        db.flush()
        audit.record(
            db,
            actor,
            ProcessingEvent.CLASS_MAPPED,
            subject_type=SUBJECT,
            subject_id=_class_id(db, class_code),
            details={"activity_id": activity_id},
        )
    return next(r for r in _rows(db) if r.code == class_code)
