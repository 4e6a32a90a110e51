"""Cases: create, read (with a read event), assign, close and reopen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, literal, select
from sqlalchemy.orm import Session, selectinload

from steward.core import audit, auth, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from steward.core.paging import COUNT_CAP, Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records.events import RecordsEvent
from steward.records.models import (
    Case,
    CaseAssignment,
    CaseStatus,
    CaseType,
    Party,
)
from steward.records.policy import Access
from steward.records.schemas import CaseCreate
from steward.records.service import access, changes, file_plan


def create_case(db: Session, kek: KeyEncryptionKeys, actor: Actor, data: CaseCreate) -> Case:
    actor.require(Permission.CASES_WRITE)
    if db.scalar(select(Case.id).where(Case.case_number == data.case_number)) is not None:
        raise Conflict("A case with that number already exists.", field="case_number")
    record_class = file_plan.record_class(
        db, data.record_class or file_plan.CLASS_FOR_CASE_TYPE[data.case_type]
    )
    key = crypto.create_data_key(db, kek, purpose="case")
    case = Case(
        case_number=data.case_number,
        case_type=data.case_type,
        court=data.court,
        local_authority=data.local_authority,
        opened_on=data.opened_on,
        closed_on=data.closed_on,
        status=CaseStatus.CLOSED if data.closed_on else CaseStatus.OPEN,
        record_class_id=record_class.id,
        team=data.team,
        data_key_id=key.id,
        created_at=clock.now(),
    )
    db.add(case)
    db.flush()
    if actor.user_id is not None:
        db.add(CaseAssignment(case_id=case.id, user_id=actor.user_id, assigned_at=clock.now()))
        db.flush()
    audit.record(db, actor, RecordsEvent.CASE_CREATED, subject_type="case", subject_id=case.id)
    changes.cases_changed(db, actor, [case.id])
    return case


def view_case(db: Session, actor: Actor, case_id: int) -> tuple[Case, Access]:
    """The case with its parties and documents, recorded as a read."""
    case, how = access.readable_case(db, actor, case_id)
    case = db.scalars(
        select(Case)
        .where(Case.id == case.id)
        .options(
            selectinload(Case.parties).selectinload(Party.person), selectinload(Case.documents)
        )
    ).one()
    audit.record(
        db,
        actor,
        RecordsEvent.CASE_VIEWED,
        subject_type="case",
        subject_id=case.id,
        details={"access": how.value},
    )
    return case, how


def case_id_for_number(db: Session, case_number: str) -> int:
    case_id = db.scalar(select(Case.id).where(Case.case_number == case_number.strip().upper()))
    if case_id is None:
        raise NotFound("There is no case with that number.")
    return case_id


class CaseSort(StrEnum):
    OPENED = "opened"  # newest first
    NUMBER = "number"
    NEXT_DATE = "next_date"  # soonest first, cases with no date last


@dataclass(frozen=True)
class CaseFilter:
    """What My cases narrows to: ids and codes only, so it may sit in the page's address."""

    status: CaseStatus | None = None
    case_type: CaseType | None = None
    worker_id: int | None = None  # a manager's view of one worker's cases
    sort: CaseSort = CaseSort.OPENED


def my_cases(
    db: Session,
    actor: Actor,
    page: PageRequest = PageRequest(),
    filters: CaseFilter = CaseFilter(),
    *,
    next_date: ColumnElement[date | None] | None = None,
) -> Page[Case]:
    """The cases the actor works on: assigned to them, or their team's for a manager.

    ``next_date`` is a column correlated to ``Case.id`` giving each case's next known date;
    the domain that knows such dates (retention) supplies it, so records need not know it."""
    access.require_any_case_access(db, actor)
    if actor.user_id is None:
        return Page([], 0, page.number, page.size)
    query = select(Case).where(my_cases_clause(db, actor, walk=True))
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    if filters.case_type is not None:
        query = query.where(Case.case_type == filters.case_type)
    if filters.worker_id is not None:
        query = query.where(
            Case.id.in_(
                select(CaseAssignment.case_id).where(CaseAssignment.user_id == filters.worker_id)
            )
        )
    if filters.sort is CaseSort.NUMBER:
        query = query.order_by(Case.case_number, Case.id)
    elif filters.sort is CaseSort.NEXT_DATE and next_date is not None:
        query = query.order_by(next_date.is_(None), next_date, Case.id)
    else:
        query = query.order_by(Case.opened_on.desc(), Case.id.desc())
    # A manager's team can hold half a million cases: counted up to a cap ("more than").
    cases: Page[Case] = paginate(db, query, page, cap=COUNT_CAP)
    # A list of case numbers is a read of them: who looked at which cases is on record.
    audit.record(
        db, actor, RecordsEvent.CASES_LISTED, details={"case_ids": [c.id for c in cases.items]}
    )
    return cases


def my_cases_clause(db: Session, actor: Actor, *, walk: bool = False) -> ColumnElement[bool]:
    """A WHERE clause on ``Case``: assigned to the actor, or (a manager) their team's.

    ``walk``: for a page of the list in its order. A team is half the organisation, so
    gathering its cases through the team index and sorting them (SQLite's plan for the OR,
    a second at a million cases) loses to walking the cases in the page's order and
    stopping after one page; the team is then compared as a value (``team || ''``), which
    keeps SQLite off that plan. Same rows either way."""
    assigned = Case.id.in_(
        select(CaseAssignment.case_id).where(CaseAssignment.user_id == actor.user_id)
    )
    user = db.get(auth.User, actor.user_id) if actor.user_id is not None else None
    if actor.can(Permission.CASES_READ_TEAM) and user is not None and user.team:
        team = Case.team.op("||")(literal("")) if walk else Case.team
        return assigned | (team == user.team)
    return assigned


def assign(db: Session, actor: Actor, *, case_id: int, user_id: int) -> None:
    actor.require(Permission.CASES_WRITE)
    case, _ = access.readable_case(db, actor, case_id)
    staff = db.get(auth.User, user_id)
    if staff is None or not staff.is_active:
        raise ValidationFailed(
            "There is no active member of staff with that id.",
            errors={"user_id": "Choose a member of staff"},
        )
    if db.scalar(
        select(CaseAssignment.id).where(
            CaseAssignment.case_id == case.id, CaseAssignment.user_id == user_id
        )
    ):
        return
    db.add(CaseAssignment(case_id=case.id, user_id=user_id, assigned_at=clock.now()))
    db.flush()
    audit.record(
        db,
        actor,
        RecordsEvent.CASE_ASSIGNED,
        subject_type="case",
        subject_id=case.id,
        details={"user_id": user_id},
    )


def close_case(db: Session, actor: Actor, *, case_id: int) -> Case:
    actor.require(Permission.CASES_WRITE)
    case, _ = access.readable_case(db, actor, case_id)
    if case.status == CaseStatus.CLOSED:
        raise InvalidTransition("The case is already closed.")
    case.status = CaseStatus.CLOSED
    case.closed_on = clock.today()
    db.flush()
    audit.record(db, actor, RecordsEvent.CASE_CLOSED, subject_type="case", subject_id=case.id)
    changes.cases_changed(db, actor, [case.id])
    return case


def reopen_case(db: Session, actor: Actor, *, case_id: int) -> Case:
    actor.require(Permission.CASES_WRITE)
    case, _ = access.readable_case(db, actor, case_id)
    if case.status == CaseStatus.OPEN:
        raise InvalidTransition("The case is already open.")
    case.status = CaseStatus.OPEN
    case.closed_on = None
    db.flush()
    audit.record(db, actor, RecordsEvent.CASE_REOPENED, subject_type="case", subject_id=case.id)
    changes.cases_changed(db, actor, [case.id])
    return case
