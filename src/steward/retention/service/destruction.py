"""Executing an approved disposal list: each item in its own transaction, then the
certificate (certificates.py), then compaction.

Unlike other use-cases this one commits (per item): an interrupted run must leave every
item wholly kept or wholly destroyed, and a rerun carries on from the first item still
pending. Inside each item's transaction the hold check and the record's due date are asked
again: a hold placed after approval, or a corrected birth date, stops that item there.

Destroying a case is the records domain's (records.service.destroy.destroy_case): it knows
every table that refers to a case. This module adds the tombstone and forgets the case's
schedule facts. At the end SQLite is vacuumed and its write-ahead log checkpointed and
truncated: until then the log keeps old page images that the key could still decrypt.
Paper files are sent to the contractor through the archives service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives import service as archives
from steward.archives.models import PaperFile, PaperFileName, PaperFileStatus
from steward.core import audit, clock
from steward.core.db import session_scope
from steward.core.errors import InvalidTransition, NotFound
from steward.core.permissions import Actor, Permission
from steward.records.models import Case
from steward.records.service import destroy
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    Decision,
    DisposalItem,
    DisposalList,
    DisposalStatus,
    Outcome,
    RecordKind,
    RetentionDate,
    RetentionEvent,
    RetentionOverride,
    Tombstone,
)
from steward.retention.service import certificates, dates, holds, registry, schedules

ItemHook = Callable[[int], None]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExecutionReport:
    list_id: int
    destroyed: int
    marked: int
    kept: int
    certificate_id: int


def execute(
    factory: sessionmaker[Session],
    actor: Actor,
    *,
    list_id: int,
    before_commit: ItemHook | None = None,
    compact_database: bool = True,
    progress: Progress | None = None,
) -> ExecutionReport:
    """Carry out (or resume) an approved list. ``before_commit(n)`` is called inside the
    n-th item's transaction once its rows are gone, before the commit (tests kill there);
    ``progress(done, total)`` after each item's commit, counting items an earlier run did."""
    actor.require(Permission.RETENTION_APPROVE)
    with session_scope(factory) as db:
        disposal = db.get(DisposalList, list_id)
        if disposal is None:
            raise NotFound("There is no such disposal list.")
        if disposal.status == DisposalStatus.APPROVED:
            disposal.status = DisposalStatus.EXECUTING
            disposal.started_at = clock.now()
            audit.record(
                db,
                actor,
                RetentionAudit.DISPOSAL_STARTED,
                subject_type="disposal_list",
                subject_id=list_id,
            )
        elif disposal.status not in (DisposalStatus.EXECUTING, DisposalStatus.COMPLETED):
            raise InvalidTransition(f"The list is {disposal.status}; it must be approved first.")
        pending = list(
            db.scalars(
                select(DisposalItem.id)
                .where(
                    DisposalItem.list_id == list_id,
                    DisposalItem.decision == Decision.DESTROY,
                    DisposalItem.outcome == Outcome.PENDING,
                )
                .order_by(DisposalItem.id)
            )
        )
        total = db.scalar(
            select(func.count())
            .select_from(DisposalItem)
            .where(DisposalItem.list_id == list_id, DisposalItem.decision == Decision.DESTROY)
        )
    total = int(total or 0)
    already = total - len(pending)
    if progress is not None:
        progress(already, total)
    for n, item_id in enumerate(pending, start=1):
        with session_scope(factory) as db:
            _one(db, actor, item_id)
            if before_commit is not None:
                before_commit(n)
        if progress is not None:
            progress(already + n, total)
    certificate_id = certificates.issue(factory, actor, list_id)
    if compact_database:
        compact(factory, actor)
    with session_scope(factory, read_only=True) as db:
        items = db.scalars(select(DisposalItem).where(DisposalItem.list_id == list_id)).all()
        counts = {o: sum(1 for i in items if i.outcome == o) for o in Outcome}
    return ExecutionReport(
        list_id,
        counts[Outcome.DESTROYED],
        counts[Outcome.MARKED_FOR_CONTRACTOR],
        len(items) - counts[Outcome.DESTROYED] - counts[Outcome.MARKED_FOR_CONTRACTOR],
        certificate_id,
    )


def _one(db: Session, actor: Actor, item_id: int) -> None:
    item = db.get(DisposalItem, item_id)
    if item is None or item.outcome != Outcome.PENDING:
        return  # done by an earlier run
    kind = registry.kind_of(item.record_kind)
    other = registry.get(kind)
    outcome = _check(db, item, kind)
    if outcome is None:
        if kind is RecordKind.CASE:
            _destroy_case(db, actor, item)
            outcome = Outcome.DESTROYED
        elif other is not None:
            _destroy_registered(db, actor, item, other)
            outcome = Outcome.DESTROYED
        else:
            archives.mark_for_destruction(
                db, actor=actor, file_ids=[item.record_id], reference=item.disposal_list.reference
            )
            # Persons its names were linked to go too, unless another kept record names them
            # (their case, destroyed on this list, may have kept them for this file).
            destroy.delete_unreferenced_persons(
                db, _linked_persons(db, item.record_id), live_reference=_still_kept
            )
            outcome = Outcome.MARKED_FOR_CONTRACTOR
        _forget_schedule(db, kind, item.record_id)
    item.outcome = outcome
    item.executed_at = clock.now()
    db.flush()
    tag = {
        Outcome.DESTROYED: RetentionAudit.ITEM_DESTROYED,
        Outcome.MARKED_FOR_CONTRACTOR: RetentionAudit.ITEM_MARKED,
    }.get(outcome, RetentionAudit.ITEM_KEPT)
    audit.record(
        db,
        actor,
        tag,
        subject_type="disposal_item",
        subject_id=item.id,
        details={
            "list_id": item.list_id,
            "kind": str(kind),
            "record_id": item.record_id,
            "outcome": outcome.value,
        },
    )


def _check(db: Session, item: DisposalItem, kind: RecordKind | str) -> Outcome | None:
    """Why this item must not be destroyed now, or None. Asked inside its transaction."""
    if kind is RecordKind.CASE and db.get(Case, item.record_id) is None:
        return Outcome.GONE
    if not isinstance(kind, RecordKind):
        other = registry.get(kind)
        if other is None:
            # The domain that registers this kind is not loaded: keep it, it falls due again.
            return Outcome.NOT_DUE
        if not registry.exists(db, other, item.record_id):
            return Outcome.GONE
    if kind is RecordKind.PAPER_FILE:
        paper = db.get(PaperFile, item.record_id)
        if paper is None or paper.status != PaperFileStatus.ACTIVE:
            return Outcome.GONE  # already sent for destruction, or destroyed, another way
        if any(archives.out_of_store(db, [paper])):
            # Not a reason to stop the whole list: this file is kept, and falls due again.
            return Outcome.OUT_OF_STORE
    if holds.is_held(db, kind, item.record_id):
        return Outcome.HELD
    schedule = schedules.approved(db)
    if schedule is None:
        return Outcome.NOT_DUE
    dates.reevaluate(db, kind, [item.record_id])
    due_on = db.scalar(
        select(RetentionDate.due_on).where(
            RetentionDate.schedule_id == schedule.id,
            RetentionDate.record_kind == str(kind),
            RetentionDate.record_id == item.record_id,
        )
    )
    if due_on is None or due_on > item.disposal_list.as_of:
        return Outcome.NOT_DUE
    return None


def _destroy_case(db: Session, actor: Actor, item: DisposalItem) -> None:
    destroyed = destroy.destroy_case(db, actor, case_id=item.record_id, live_reference=_still_kept)
    db.add(
        Tombstone(
            record_kind=RecordKind.CASE,
            identifier=destroyed.case_number,
            class_code=item.class_code,
            rule_version=item.rule_version,
            schedule_version=item.schedule_version,
            opened_on=destroyed.opened_on,
            closed_on=destroyed.closed_on,
            due_on=item.due_on,
            destroyed_at=clock.now(),
            disposal_item_id=item.id,
        )
    )


def _destroy_registered(
    db: Session, actor: Actor, item: DisposalItem, kind: registry.RegisteredKind
) -> None:
    """Another domain's record: that domain deletes it and destroys its key; the tombstone
    keeps its reference, class, rule and dates."""
    destroyed = kind.destroy(db, actor, item.record_id)
    db.add(
        Tombstone(
            record_kind=kind.kind,
            identifier=destroyed.identifier,
            class_code=item.class_code,
            rule_version=item.rule_version,
            schedule_version=item.schedule_version,
            opened_on=destroyed.opened_on,
            closed_on=destroyed.closed_on,
            due_on=item.due_on,
            destroyed_at=clock.now(),
            disposal_item_id=item.id,
        )
    )


def _still_kept(table: Table) -> list[Any]:
    """A name on a paper file keeps its person only while the file is kept: one sent to the
    contractor is on its way to destruction, and its names are deleted when certified."""
    if table.name != PaperFileName.__tablename__:
        return []
    active = select(PaperFile.id).where(PaperFile.status == PaperFileStatus.ACTIVE.value)
    return [table.c.paper_file_id.in_(active)]


def _linked_persons(db: Session, paper_file_id: int) -> list[int]:
    linked = db.scalars(
        select(PaperFileName.person_id).where(PaperFileName.paper_file_id == paper_file_id)
    )
    return [p for p in linked if p is not None]


def _forget_schedule(db: Session, kind: RecordKind | str, record_id: int) -> None:
    for model in (RetentionDate, RetentionEvent, RetentionOverride):
        db.execute(
            delete(model).where(model.record_kind == str(kind), model.record_id == record_id)
        )


def compact(factory: sessionmaker[Session], actor: Actor) -> None:
    """Leave no freed page holding destroyed bytes: VACUUM rewrites the file, the checkpoint
    moves the log into it and truncates the log (SQLite). PostgreSQL: VACUUM the tables."""
    with session_scope(factory) as db:
        audit.record(db, actor, RetentionAudit.DATABASE_COMPACTED)
        engine = db.get_bind()
    raw = engine.raw_connection()  # type: ignore[union-attr]
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            # FTS5's secure-delete drops a deleted row's postings, but the words themselves
            # stay in the index's term pages until the segments are merged: found by the
            # proof test. 'optimize' rewrites the index into one segment without them.
            for table in ("search_fts", "search_fts_people"):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608 - fixed names
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            tables = {*destroy.tables_to_compact(), *registry.tables_to_compact()}
            for table in (*sorted(tables), "search_vectors"):
                cursor.execute(f"VACUUM {table}")
        cursor.close()
    finally:
        raw.close()
