"""The DPO's retention report: what falls due this quarter, what is overdue (disposals not
carried out, reviews nobody decided: Purview's silent failure), records past their date but
held (shown apart: destroying them is forbidden, so they are not overdue), holds in force,
paper files without a box, and boxes whose files fall due on different dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from steward.archives.models import ArchiveBox, PaperFile, PaperFileStatus
from steward.core import audit, clock
from steward.core.permissions import Actor, Permission
from steward.retention import policy
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    Decision,
    DisposalItem,
    DisposalList,
    DisposalStatus,
    Hold,
    Outcome,
    RecordKind,
    RetentionDate,
    RetentionRule,
)
from steward.retention.service import holds as holds_service
from steward.retention.service import registry, schedules

GRACE_DAYS = 30  # a record this long past its date with no disposal is overdue


@dataclass(frozen=True)
class MixedBox:
    box_id: int
    files: int
    earliest: date | None
    latest: date | None
    undated: int
    barcode: str = ""


@dataclass(frozen=True)
class Report:
    today: date
    quarter_start: date
    quarter_end: date
    schedule_version: int | None
    due_this_quarter: list[tuple[str, str, int]]  # class, action, count
    overdue_disposals: int  # due > GRACE_DAYS ago, destroy/review, on no open list, not held
    past_due_held: int  # the same but held: the law forbids destroying them (DPA s.173)
    overdue_reviews: list[tuple[int, str, int, date]]  # list id, reference, pending, proposed
    approved_not_executed: list[tuple[int, str]]
    holds_in_force: list[tuple[str, int]]
    files_without_box: int
    mixed_boxes: list[MixedBox]
    undated: list[tuple[str, str, int]]  # class, note, count


def quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = policy.add_months(start, 3) - timedelta(days=1)
    return start, end


def build(db: Session, actor: Actor) -> Report:
    actor.require(Permission.RETENTION_MANAGE)
    today = clock.today()
    start, end = quarter(today)
    schedule = schedules.approved(db)
    sid = schedule.id if schedule else -1
    rd = RetentionDate
    by_class = (
        select(RetentionRule.class_code, rd.action, func.count())
        .join(RetentionRule, RetentionRule.id == rd.rule_id)
        .where(rd.schedule_id == sid)
        .group_by(RetentionRule.class_code, rd.action)
        .order_by(RetentionRule.class_code)
    )
    due_quarter = db.execute(by_class.where(rd.due_on.between(start, end))).all()
    on_open_list = (
        select(DisposalItem.id)
        .join(DisposalList)
        .where(
            DisposalItem.record_kind == rd.record_kind,
            DisposalItem.record_id == rd.record_id,
            DisposalList.status.in_(
                [DisposalStatus.IN_REVIEW, DisposalStatus.APPROVED, DisposalStatus.EXECUTING]
            ),
            DisposalItem.outcome == Outcome.PENDING,
        )
        .exists()
    )
    held = or_(
        *(
            and_(rd.record_kind == str(kind), rd.record_id.in_(holds_service.held_ids(kind)))
            for kind in registry.all_kinds()
        )
    )
    past_due = (
        select(case((held, 1), else_=0).label("held"))
        .select_from(rd)
        .where(
            rd.schedule_id == sid,
            rd.due_on < today - timedelta(days=GRACE_DAYS),
            rd.action.in_([a.value for a in policy.DISPOSAL_ACTIONS]),
            ~on_open_list,
        )
        .subquery()
    )
    by_hold = select(past_due.c.held, func.count()).group_by(past_due.c.held)
    past = {int(h): int(n) for h, n in db.execute(by_hold).all()}
    reviews = [
        (lid, ref, int(n), proposed.date())
        for lid, ref, n, proposed in db.execute(
            select(DisposalList.id, DisposalList.reference, func.count(), DisposalList.proposed_at)
            .join(DisposalItem)
            .where(
                DisposalList.status == DisposalStatus.IN_REVIEW,
                DisposalItem.decision == Decision.PENDING,
            )
            .group_by(DisposalList.id, DisposalList.reference, DisposalList.proposed_at)
        ).all()
        if policy.review_overdue(proposed.date(), today)
    ]
    waiting = db.execute(
        select(DisposalList.id, DisposalList.reference).where(
            DisposalList.status.in_([DisposalStatus.APPROVED, DisposalStatus.EXECUTING])
        )
    ).all()
    holds = db.execute(
        select(Hold.kind, func.count())
        .where(Hold.released_at.is_(None))
        .group_by(Hold.kind)
        .order_by(Hold.kind)
    ).all()
    no_box = db.scalar(
        select(func.count())
        .select_from(PaperFile)
        .where(PaperFile.box_id.is_(None), PaperFile.status != PaperFileStatus.DESTROYED)
    )
    undated = db.execute(
        select(RetentionRule.class_code, rd.note, func.count())
        .join(RetentionRule, RetentionRule.id == rd.rule_id)
        .where(rd.schedule_id == sid, rd.due_on.is_(None), rd.note.in_(["missing_facts"]))
        .group_by(RetentionRule.class_code, rd.note)
    ).all()
    audit.record(db, actor, RetentionAudit.REPORT_VIEWED)
    return Report(
        today,
        start,
        end,
        schedule.version if schedule else None,
        [(c, a, int(n)) for c, a, n in due_quarter],
        past.get(0, 0),
        past.get(1, 0),
        reviews,
        [(i, r) for i, r in waiting],
        [(str(k), int(n)) for k, n in holds],
        int(no_box or 0),
        mixed_boxes(db, sid),
        [(c, str(n), int(k)) for c, n, k in undated],
    )


def mixed_boxes(db: Session, schedule_id: int, *, limit: int = 200) -> list[MixedBox]:
    """Boxes whose active files fall due on different dates (or some undated): such a box
    cannot be sent for destruction whole, and is where files get lost or kept too long."""
    rd = RetentionDate
    undated = func.sum(case((rd.due_on.is_(None), 1), else_=0))
    kinds = func.count(func.distinct(rd.due_on)) + case((undated > 0, 1), else_=0)
    rows = db.execute(
        select(PaperFile.box_id, func.count(), func.min(rd.due_on), func.max(rd.due_on), undated)
        .join(
            rd,
            and_(
                rd.record_kind == RecordKind.PAPER_FILE.value,
                rd.record_id == PaperFile.id,
                rd.schedule_id == schedule_id,
            ),
        )
        .where(PaperFile.box_id.is_not(None), PaperFile.status == PaperFileStatus.ACTIVE)
        .group_by(PaperFile.box_id)
        .having(kinds > 1)
        .order_by(PaperFile.box_id)
        .limit(limit)
    ).all()
    barcodes = dict(
        db.execute(
            select(ArchiveBox.id, ArchiveBox.barcode).where(
                ArchiveBox.id.in_([int(r[0]) for r in rows])
            )
        ).all()
    )
    return [
        MixedBox(int(b), int(n), lo, hi, int(u or 0), barcodes.get(int(b), ""))
        for b, n, lo, hi, u in rows
    ]
