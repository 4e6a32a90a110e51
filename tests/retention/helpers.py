"""Builders for retention tests: cases with children, closed or open."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Case, CaseType, PartyRole, Person
from steward.records.schemas import CaseCreate, PersonCreate
from steward.retention.models import RetentionDate, RetentionSchedule
from steward.retention.service import schedules

_numbers = itertools.count(1)


def person(
    db: Session,
    dob: date | None,
    *,
    first: str = "Ava",
    last: str = "Zielinska",
    died: date | None = None,
) -> Person:
    return records.create_person(
        db,
        Actor.system(),
        PersonCreate(first_name=first, last_name=last, date_of_birth=dob, date_of_death=died),
    )


def case_with_children(
    db: Session,
    kek: KeyEncryptionKeys,
    *births: date | None,
    case_type: CaseType = CaseType.PRIVATE_LAW,
    record_class: str | None = None,
    opened_on: date = date(2015, 1, 10),
    closed_on: date | None = date(2016, 5, 1),
    parents: int = 1,
) -> Case:
    case = records.create_case(
        db,
        kek,
        Actor.system(),
        CaseCreate(
            case_number=f"RT{next(_numbers):06d}",
            case_type=case_type,
            opened_on=opened_on,
            closed_on=closed_on,
            record_class=record_class,
        ),
    )
    for i, born in enumerate(births):
        child = person(db, born, first=f"Child{i}")
        records.add_party(
            db, Actor.system(), case_id=case.id, person_id=child.id, role=PartyRole.CHILD_SUBJECT
        )
    for i in range(parents):
        parent = person(db, date(1980, 6, 1), first=f"Parent{i}")
        records.add_party(
            db, Actor.system(), case_id=case.id, person_id=parent.id, role=PartyRole.PARENT
        )
    return case


def default_schedule(db: Session) -> RetentionSchedule:
    return schedules.ensure_default(db, Actor.system())


def due_on(db: Session, case: Case, schedule: RetentionSchedule | None = None) -> date | None:
    schedule = schedule or schedules.require_approved(db)
    return db.scalar(
        select(RetentionDate.due_on).where(
            RetentionDate.schedule_id == schedule.id,
            RetentionDate.record_kind == "case",
            RetentionDate.record_id == case.id,
        )
    )
