"""Read-only views of paper files for the case page and the home page: the files of a case
with any open retrieval, the files I have asked for or have out, and how many are overdue.
Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.archives import policy
from steward.archives.models import PaperFile, PaperFileStatus, Retrieval, RetrievalStatus
from steward.archives.service.access import require_manage, sees_whole_archive
from steward.core import clock
from steward.core.permissions import Actor, Permission
from steward.records.models import Case
from steward.records.service import require_any_case_access, visible_cases


@dataclass(frozen=True)
class CaseFile:
    """A paper file of a case, with the retrieval that holds it now (requested or out)."""

    paper_file_id: int
    file_reference: str
    status: PaperFileStatus
    retrieval_status: RetrievalStatus | None
    due_back_on: date | None
    overdue: bool
    mine: bool  # the open retrieval was asked for by the viewer

    @property
    def requestable(self) -> bool:
        return self.status == PaperFileStatus.ACTIVE and self.retrieval_status is None


def files_of_case(db: Session, actor: Actor, case_id: int) -> list[CaseFile]:
    """The paper files linked to a case the actor may read (the same need-to-know as the
    paper file page: none for a case they cannot see)."""
    if not sees_whole_archive(actor):
        require_any_case_access(db, actor)
        visible = select(Case.id).where(Case.id == case_id, visible_cases(db, actor))
        if db.scalar(visible) is None:
            return []
    open_loan = (
        select(Retrieval)
        .where(Retrieval.status.in_(policy.OPEN_RETRIEVAL), Retrieval.paper_file_id.is_not(None))
        .subquery()
    )
    rows = db.execute(
        select(
            PaperFile.id,
            PaperFile.file_reference,
            PaperFile.status,
            open_loan.c.status,
            open_loan.c.due_back_on,
            open_loan.c.requested_by_user_id,
        )
        .outerjoin(open_loan, open_loan.c.paper_file_id == PaperFile.id)
        .where(PaperFile.case_id == case_id)
        .order_by(PaperFile.file_reference, PaperFile.id)
    ).all()
    today = clock.today()
    files = []
    for r in rows:
        loan = RetrievalStatus(r[3]) if r[3] is not None else None
        files.append(
            CaseFile(
                paper_file_id=r[0],
                file_reference=r[1],
                status=PaperFileStatus(r[2]),
                retrieval_status=loan,
                due_back_on=r[4],
                overdue=loan is not None and policy.is_overdue(loan, r[4], today),
                mine=loan is not None and r[5] is not None and r[5] == actor.user_id,
            )
        )
    return files


@dataclass(frozen=True)
class Loan:
    retrieval_id: int
    paper_file_id: int
    file_reference: str
    case_id: int | None
    status: RetrievalStatus
    due_back_on: date | None
    overdue: bool


def my_loans(db: Session, actor: Actor, *, limit: int = 5) -> tuple[list[Loan], int]:
    """Paper files the actor asked for that are not back yet (waiting or out), the soonest
    due first, and how many there are in all."""
    actor.require(Permission.ARCHIVES_REQUEST)
    if actor.user_id is None:
        return [], 0
    query = (
        select(
            Retrieval.id,
            PaperFile.id,
            PaperFile.file_reference,
            PaperFile.case_id,
            Retrieval.status,
            Retrieval.due_back_on,
        )
        .join(PaperFile, PaperFile.id == Retrieval.paper_file_id)
        .where(
            Retrieval.requested_by_user_id == actor.user_id,
            Retrieval.status.in_(policy.OPEN_RETRIEVAL),
        )
    )
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(
        query.order_by(Retrieval.due_back_on.is_(None), Retrieval.due_back_on, Retrieval.id).limit(
            limit
        )
    ).all()
    today = clock.today()
    loans = [
        Loan(
            r[0],
            r[1],
            r[2],
            r[3],
            RetrievalStatus(r[4]),
            r[5],
            policy.is_overdue(RetrievalStatus(r[4]), r[5], today),
        )
        for r in rows
    ]
    return loans, total


def overdue_count(db: Session, actor: Actor) -> int:
    """Retrievals out past their due-back date, for archive staff."""
    require_manage(actor)
    return (
        db.scalar(
            select(func.count()).where(
                Retrieval.status == RetrievalStatus.OUT, Retrieval.due_back_on < clock.today()
            )
        )
        or 0
    )
