"""Disposal lists: proposed as of a date, decided item by item, approved by a second person.

Only records whose action is destroy or review, not held, and not already on an open list
are proposed. Every item needs a recorded decision (destroy, or retain with a reason and a
review date) before the list can be approved; nothing is destroyed by default. Destruction
needs an approver who decided none of the items and did not propose the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, selectinload

from steward.core import audit, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.retention import policy
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    Decision,
    DisposalItem,
    DisposalList,
    DisposalStatus,
    Outcome,
    RecordKind,
    RetentionOverride,
    RetentionRule,
)
from steward.retention.service import dates, registry, schedules, sealing

OPEN_LIST = (DisposalStatus.IN_REVIEW, DisposalStatus.APPROVED, DisposalStatus.EXECUTING)
MAX_ITEMS = 50_000


def retain_reasons(db: Session, kek: KeyEncryptionKeys, disposal: DisposalList) -> dict[int, str]:
    """Why each retained item is kept, by item id, opened for retention staff."""
    found = {i.id: sealing.retain_reason(db, kek, i) for i in disposal.items}
    return {item_id: text for item_id, text in found.items() if text is not None}


def get_list(db: Session, actor: Actor, list_id: int) -> DisposalList:
    actor.require(Permission.RETENTION_MANAGE)
    found = db.scalar(
        select(DisposalList)
        .where(DisposalList.id == list_id)
        .options(selectinload(DisposalList.items))
    )
    if found is None:
        raise NotFound("There is no such disposal list.")
    return found


@dataclass(frozen=True)
class ListSummary:
    """How a list's items stand, counted in the database (a list can hold 50,000 items)."""

    total: int
    undecided: int
    destroy: int
    retain: int
    cases_to_destroy: int
    paper_to_destroy: int
    deciders: frozenset[int]
    other_to_destroy: int = 0  # records of kinds other domains registered (registry.py)


def summarise(db: Session, actor: Actor, list_id: int) -> ListSummary:
    actor.require(Permission.RETENTION_MANAGE)
    rows = db.execute(
        select(DisposalItem.decision, DisposalItem.record_kind, func.count())
        .where(DisposalItem.list_id == list_id)
        .group_by(DisposalItem.decision, DisposalItem.record_kind)
    ).all()
    by: dict[tuple[str, str], int] = {(str(d), str(k)): int(n) for d, k, n in rows}

    def count(decision: Decision, kind: RecordKind | None = None) -> int:
        return sum(
            n
            for (d, k), n in by.items()
            if d == decision.value and (kind is None or k == kind.value)
        )

    deciders = db.scalars(
        select(DisposalItem.decided_by_user_id)
        .where(DisposalItem.list_id == list_id, DisposalItem.decided_by_user_id.is_not(None))
        .distinct()
    )
    return ListSummary(
        total=sum(by.values()),
        undecided=count(Decision.PENDING),
        destroy=count(Decision.DESTROY),
        retain=count(Decision.RETAIN),
        cases_to_destroy=count(Decision.DESTROY, RecordKind.CASE),
        paper_to_destroy=count(Decision.DESTROY, RecordKind.PAPER_FILE),
        deciders=frozenset(int(u) for u in deciders if u is not None),
        other_to_destroy=count(Decision.DESTROY)
        - count(Decision.DESTROY, RecordKind.CASE)
        - count(Decision.DESTROY, RecordKind.PAPER_FILE),
    )


def list_header(db: Session, actor: Actor, list_id: int) -> DisposalList:
    """The list without its items (pages read them a page at a time)."""
    actor.require(Permission.RETENTION_MANAGE)
    found = db.get(DisposalList, list_id)
    if found is None:
        raise NotFound("There is no such disposal list.")
    return found


def items_page(db: Session, actor: Actor, list_id: int, page: PageRequest) -> Page[DisposalItem]:
    actor.require(Permission.RETENTION_MANAGE)
    return paginate(
        db,
        select(DisposalItem)
        .where(DisposalItem.list_id == list_id)
        .order_by(DisposalItem.due_on, DisposalItem.id),
        page,
    )


def lists_page(db: Session, actor: Actor, page: PageRequest) -> Page[DisposalList]:
    actor.require(Permission.RETENTION_MANAGE)
    return paginate(db, select(DisposalList).order_by(DisposalList.id.desc()), page)


def list_lists(db: Session, actor: Actor, *, limit: int = 200) -> list[DisposalList]:
    actor.require(Permission.RETENTION_MANAGE)
    return list(db.scalars(select(DisposalList).order_by(DisposalList.id.desc()).limit(limit)))


def propose(db: Session, actor: Actor, *, as_of: date) -> DisposalList:
    """A new list of everything due for destruction or review on or before ``as_of``."""
    actor.require(Permission.RETENTION_MANAGE)
    schedule = schedules.require_approved(db)
    dates.sweep(db, actor)  # never propose from stale dates: a birth date may have been corrected
    rows = dates.due(db, actor, as_of=as_of, limit=MAX_ITEMS + 1)
    if len(rows) > MAX_ITEMS:
        raise ValidationFailed(
            f"More than {MAX_ITEMS:,} records are due by that date; propose an earlier date "
            "first and work through the lists in turn.",
            errors={"as_of": "Choose an earlier date"},
        )
    on_open_lists = {
        (str(kind), int(record_id))
        for kind, record_id in db.execute(
            select(DisposalItem.record_kind, DisposalItem.record_id)
            .join(DisposalList)
            .where(DisposalList.status.in_(OPEN_LIST), DisposalItem.outcome == Outcome.PENDING)
        )
    }
    chosen = [
        r
        for r in rows
        if r.action in policy.DISPOSAL_ACTIONS
        and not r.held
        and (str(r.kind), r.record_id) not in on_open_lists
    ]
    if not chosen:
        raise Conflict(
            "Nothing is due for destruction or review by that date (held records are left out)."
        )
    rule_ids = _rule_ids(db, schedule.id)
    number = (db.scalar(select(func.count()).select_from(DisposalList)) or 0) + 1
    disposal = DisposalList(
        reference=f"DL-{clock.today().year}-{number:04d}",
        as_of=as_of,
        status=DisposalStatus.IN_REVIEW,
        schedule_version=schedule.version,
        proposed_at=clock.now(),
        proposed_by_user_id=actor.user_id,
    )
    db.add(disposal)
    db.flush()
    db.execute(
        insert(DisposalItem),
        [
            {
                "list_id": disposal.id,
                "record_kind": str(r.kind),
                "record_id": r.record_id,
                "identifier": r.identifier,
                "class_code": r.class_code,
                "rule_id": rule_ids[r.class_code],
                "rule_version": r.rule_version,
                "schedule_version": r.schedule_version,
                "action": r.action,
                "trigger_on": None,
                "due_on": r.due_on,
                "decision": Decision.PENDING.value,
                "outcome": Outcome.PENDING.value,
            }
            for r in chosen
        ],
    )
    audit.record(
        db,
        actor,
        RetentionAudit.DISPOSAL_PROPOSED,
        subject_type="disposal_list",
        subject_id=disposal.id,
        details={"as_of": as_of.isoformat(), "items": len(chosen)},
    )
    db.refresh(disposal)
    return disposal


def _rule_ids(db: Session, schedule_id: int) -> dict[str, int]:
    return dict(
        db.execute(
            select(RetentionRule.class_code, RetentionRule.id).where(
                RetentionRule.schedule_id == schedule_id
            )
        ).all()
    )


def decide(
    db: Session,
    actor: Actor,
    kek: KeyEncryptionKeys,
    *,
    list_id: int,
    item_ids: Sequence[int],
    decision: Decision | str,
    reason: str | None = None,
    review_on: date | None = None,
) -> int:
    """Record one decision for these items (all pending items if ``item_ids`` is empty)."""
    actor.require(Permission.RETENTION_MANAGE)
    disposal = get_list(db, actor, list_id)
    if disposal.status != DisposalStatus.IN_REVIEW:
        raise InvalidTransition("Decisions can only be changed while the list is in review.")
    try:
        decision = Decision(decision)
    except ValueError as exc:
        raise ValidationFailed(
            "Choose destroy or retain.", errors={"decision": "Choose one"}
        ) from exc
    if decision is Decision.PENDING:
        raise ValidationFailed("Choose destroy or retain.", errors={"decision": "Choose one"})
    if decision is Decision.RETAIN:
        reason = (reason or "").strip()
        if not 10 <= len(reason) <= 2000:
            raise ValidationFailed(
                "Say why the record is kept (10 to 2,000 characters).",
                errors={"reason": "Enter why it is kept"},
            )
        if review_on is None or review_on <= clock.today():
            raise ValidationFailed(
                "Give the date the record will be reviewed again; it must be in the future.",
                errors={"review_on": "Enter a future review date"},
            )
    wanted = set(item_ids)
    items = [
        i for i in disposal.items if (i.id in wanted if wanted else i.decision == Decision.PENDING)
    ]
    if wanted and len(items) != len(wanted):
        raise NotFound("Some of those items are not on this list.")
    now = clock.now()
    keys = sealing.RetainKeys(db, kek)
    for item in items:
        item.decision = decision
        item.decided_at = now
        item.decided_by_user_id = actor.user_id
        item.retain_key_id = item.retain_reason_sealed = None
        item.review_on = review_on if decision is Decision.RETAIN else None
        if decision is Decision.RETAIN:
            key_id = keys.key_for(item.record_kind, item.record_id)
            sealing.seal_retain_reason(db, kek, item, reason or "", key_id)
    db.flush()
    audit.record(
        db,
        actor,
        RetentionAudit.ITEM_DECIDED,
        subject_type="disposal_list",
        subject_id=disposal.id,
        details={"decision": decision.value, "items": [i.id for i in items][:500]},
    )
    return len(items)


def approve(db: Session, actor: Actor, kek: KeyEncryptionKeys, *, list_id: int) -> DisposalList:
    """The second approval. Retained items get their review date now."""
    actor.require(Permission.RETENTION_APPROVE)
    disposal = get_list(db, actor, list_id)
    _move(disposal, DisposalStatus.APPROVED)
    if not policy.may_approve(Decision(i.decision) for i in disposal.items):
        pending = sum(1 for i in disposal.items if i.decision == Decision.PENDING)
        raise Conflict(
            f"{pending} item(s) have no decision yet; every item needs one. Decide them, "
            "then ask someone who decided none of them to approve the list."
        )
    deciders = {i.decided_by_user_id for i in disposal.items if i.decided_by_user_id is not None}
    refusal = approval_refusal(actor, disposal, frozenset(deciders))
    if refusal is not None:
        raise Forbidden(refusal)
    now = clock.now()
    for item in disposal.items:
        if item.decision == Decision.RETAIN:
            item.outcome = Outcome.RETAINED
            _override(db, kek, item)
    disposal.status = DisposalStatus.APPROVED
    disposal.approved_at = now
    disposal.approved_by_user_id = actor.user_id
    db.flush()
    retained = [i.record_id for i in disposal.items if i.decision == Decision.RETAIN]
    for kind in registry.all_kinds():
        ids = [
            i.record_id
            for i in disposal.items
            if i.decision == Decision.RETAIN and i.record_kind == kind
        ]
        dates.reevaluate(db, kind, ids)
    audit.record(
        db,
        actor,
        RetentionAudit.DISPOSAL_APPROVED,
        subject_type="disposal_list",
        subject_id=disposal.id,
        details={"items": len(disposal.items), "retained": len(retained)},
    )
    return disposal


def approval_refusal(actor: Actor, disposal: DisposalList, deciders: frozenset[int]) -> str | None:
    """Why ``actor`` may not give the second approval of this list, or None if they may:
    it needs a named person holding the permission who neither proposed the list nor
    decided any of its items (a decision to retain shapes the list as much as one to
    destroy)."""
    if not actor.can(Permission.RETENTION_APPROVE):
        return "Approving destruction needs the Data Protection Officer's permission."
    if actor.user_id is None:
        return "Destruction is approved by a named member of staff, not the system."
    if actor.user_id in deciders or actor.user_id == disposal.proposed_by_user_id:
        return (
            "Destruction needs a second person: someone who neither proposed the list nor "
            "decided any of its items must approve it. Ask a colleague who may approve "
            "disposal to do so."
        )
    return None


def may_approve_now(actor: Actor, disposal: DisposalList, summary: ListSummary) -> bool:
    """Whether to offer the approval button: in review, every item decided, and by someone
    whom ``approval_refusal`` lets approve."""
    return (
        disposal.status == DisposalStatus.IN_REVIEW
        and summary.undecided == 0
        and approval_refusal(actor, disposal, summary.deciders) is None
    )


def _override(db: Session, kek: KeyEncryptionKeys, item: DisposalItem) -> None:
    existing = db.scalar(
        select(RetentionOverride).where(
            RetentionOverride.record_kind == item.record_kind,
            RetentionOverride.record_id == item.record_id,
        )
    )
    row = existing or RetentionOverride(record_kind=item.record_kind, record_id=item.record_id)
    reason = sealing.retain_reason(db, kek, item)
    assert item.review_on is not None and reason is not None and item.retain_key_id is not None
    row.review_on = item.review_on
    sealing.seal_override_reason(db, kek, row, reason, item.retain_key_id)
    row.decided_at = clock.now()
    row.decided_by_user_id = item.decided_by_user_id
    db.add(row)


def cancel(db: Session, actor: Actor, *, list_id: int) -> DisposalList:
    actor.require(Permission.RETENTION_MANAGE)
    disposal = get_list(db, actor, list_id)
    _move(disposal, DisposalStatus.CANCELLED)
    disposal.status = DisposalStatus.CANCELLED
    db.flush()
    audit.record(
        db,
        actor,
        RetentionAudit.DISPOSAL_CANCELLED,
        subject_type="disposal_list",
        subject_id=disposal.id,
    )
    return disposal


def _move(disposal: DisposalList, to: DisposalStatus) -> None:
    if not policy.can_move(DisposalStatus(disposal.status), to):
        raise InvalidTransition(f"A list that is {disposal.status} cannot become {to.value}.")
