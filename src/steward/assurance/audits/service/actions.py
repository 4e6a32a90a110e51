"""The action plan: every recommendation's action across audits, filtered and paged, its
dated updates with evidence, and the figures the dashboard shows.

Anyone with assurance:view reads the plan. The owner of an action (any member of staff) reads
it and posts updates on it, moving it to in progress or done; assurance:manage does the rest
(not accepting it, with a reason; reopening; changing its owner, priority or date)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from steward.assurance.audits import policy
from steward.assurance.audits.events import AuditsEvent
from steward.assurance.audits.models import ActionUpdate, Audit, Recommendation
from steward.assurance.audits.policy import ActionStatus, Priority
from steward.assurance.audits.service import sealed
from steward.assurance.audits.service.audits import (
    MAX_NOTE,
    RECOMMENDATION_SUBJECT,
    owner_for,
)
from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.files import csv_cell
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

NOT_YOURS = "This action is not yours: only its owner or the DPO may see or update it."
# The plan's filter on status: the open ones (open or in progress) unless asked otherwise.
OPEN = "open"
ALL = "all"


@dataclass(frozen=True, slots=True)
class ActionFilter:
    priority: Priority | None = None
    status: str = OPEN  # OPEN, ALL or an ActionStatus value
    owner_id: int | None = None
    overdue: bool = False

    @classmethod
    def read(
        cls, *, priority: str = "", status: str = "", owner: str = "", overdue: str = ""
    ) -> ActionFilter:
        """The filter as a page or the API sends it; anything unknown is refused."""
        errors: dict[str, str] = {}
        if priority and priority not in {p.value for p in Priority}:
            errors["priority"] = "Select a priority from the list"
        statuses = {OPEN, ALL} | {s.value for s in ActionStatus}
        if status and status not in statuses:
            errors["status"] = "Select a status from the list"
        if owner and not owner.isdigit():
            errors["owner"] = "Select an owner from the list"
        if overdue not in ("", "yes", "true", "1", "no", "false", "0"):
            errors["overdue"] = "Choose whether to show overdue actions only"
        if errors:
            raise ValidationFailed("Check the filters.", errors=errors)
        return cls(
            Priority(priority) if priority else None,
            status or OPEN,
            int(owner) if owner else None,
            overdue in ("yes", "true", "1"),
        )


@dataclass(frozen=True, slots=True)
class ActionLine:
    """One action as the plan shows it: names, not ids."""

    id: int
    audit_id: int
    audit_title: str
    reference: str
    area: str | None
    text: str
    priority: Priority
    status: ActionStatus
    owner_id: int
    owner: str
    agreed_on: date
    completed_on: date | None
    overdue: bool
    red: bool


@dataclass(frozen=True, slots=True)
class UpdateView:
    id: int
    posted_at: datetime
    posted_by: str | None
    status_from: ActionStatus
    status_to: ActionStatus
    note: str
    evidence_name: str | None


@dataclass(frozen=True, slots=True)
class ActionView:
    line: ActionLine
    reason: str | None
    updates: list[UpdateView]
    may_update: bool
    may_manage: bool
    # What the viewer may move it to from here.
    next_statuses: list[ActionStatus] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NewUpdate:
    note: str
    status: str  # "" keeps the status
    reason: str = ""  # required when the status becomes not accepted
    evidence: bytes | None = None


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    filename: str
    media_type: str
    data: bytes


def _base() -> Select[Recommendation, str, str]:
    return (
        select(Recommendation, Audit.title, auth.User.username)
        .join(Audit, Audit.id == Recommendation.audit_id)
        .join(auth.User, auth.User.id == Recommendation.owner_id)
    )


# Urgent first: the stored codes sort alphabetically otherwise.
_PRIORITY_ORDER = case({p.value: i for i, p in enumerate(Priority)}, value=Recommendation.priority)


def _filtered(
    query: Select[Recommendation, str, str], wanted: ActionFilter, as_of: date
) -> Select[Recommendation, str, str]:
    if wanted.status == OPEN:
        query = query.where(Recommendation.status.in_([s.value for s in policy.OPEN_STATUSES]))
    elif wanted.status != ALL:
        query = query.where(Recommendation.status == wanted.status)
    if wanted.priority is not None:
        query = query.where(Recommendation.priority == wanted.priority.value)
    if wanted.owner_id is not None:
        query = query.where(Recommendation.owner_id == wanted.owner_id)
    if wanted.overdue:
        query = query.where(
            Recommendation.status.in_([s.value for s in policy.OPEN_STATUSES]),
            Recommendation.agreed_on < as_of,
        )
    return query


def _ordered(
    query: Select[Recommendation, str, str],
) -> Select[Recommendation, str, str]:
    # Most pressing first: by the date agreed, then priority, then the report's numbering.
    return query.order_by(
        Recommendation.agreed_on, _PRIORITY_ORDER, Recommendation.reference, Recommendation.id
    )


def _line(row: Recommendation, title: str, owner: str, as_of: date) -> ActionLine:
    priority, status = Priority(row.priority), ActionStatus(row.status)
    return ActionLine(
        id=row.id,
        audit_id=row.audit_id,
        audit_title=title,
        reference=row.reference,
        area=row.area,
        text=row.text,
        priority=priority,
        status=status,
        owner_id=row.owner_id,
        owner=owner,
        agreed_on=row.agreed_on,
        completed_on=row.completed_on,
        overdue=policy.is_overdue(status, row.agreed_on, as_of),
        red=policy.is_red(priority, status, row.agreed_on, as_of),
    )


def action_plan(
    db: Session, actor: Actor, request: PageRequest, wanted: ActionFilter, as_of: date | None = None
) -> Page[ActionLine]:
    actor.require(Permission.ASSURANCE_VIEW)
    day = as_of or clock.today()
    page = paginate(db, _ordered(_filtered(_base(), wanted, day)), request, scalars=False)
    return page.map(lambda r: _line(r[0], r[1], r[2], day))


def my_actions(
    db: Session, actor: Actor, request: PageRequest, as_of: date | None = None
) -> Page[ActionLine]:
    """The signed-in person's own actions, open ones first: no permission beyond being them."""
    if actor.user_id is None:
        raise Forbidden("Only a signed-in member of staff has actions of their own.")
    day = as_of or clock.today()
    query = _base().where(Recommendation.owner_id == actor.user_id)
    closed_last = Recommendation.status.in_([s.value for s in policy.OPEN_STATUSES]).desc()
    query = query.order_by(closed_last, Recommendation.agreed_on, Recommendation.id)
    page = paginate(db, query, request, scalars=False)
    return page.map(lambda r: _line(r[0], r[1], r[2], day))


def owners(db: Session) -> list[tuple[int, str]]:
    """Everyone who owns an action, for the plan's filter."""
    rows = db.execute(
        select(auth.User.id, auth.User.username)
        .where(auth.User.id.in_(select(Recommendation.owner_id)))
        .order_by(auth.User.username)
    )
    return [(user_id, name) for user_id, name in rows]


def _get(db: Session, actor: Actor, recommendation_id: int) -> Recommendation:
    """The action, if the actor may see it (assurance:view, or they own it)."""
    row = db.get(Recommendation, recommendation_id)
    if actor.can(Permission.ASSURANCE_VIEW):
        if row is None:
            raise NotFound("There is no such action.")
        return row
    if row is None or row.owner_id != actor.user_id:
        raise Forbidden(NOT_YOURS)  # the same answer either way: nothing to learn
    return row


def _one_line(db: Session, row: Recommendation, as_of: date) -> ActionLine:
    title = db.scalar(select(Audit.title).where(Audit.id == row.audit_id)) or ""
    owner = auth.usernames(db, [row.owner_id]).get(row.owner_id, "")
    return _line(row, title, owner, as_of)


def _reason_context(row: Recommendation) -> str:
    return f"assurance_recommendation:{row.id}:reason"


def _note_context(update_id: int) -> str:
    return f"assurance_action_update:{update_id}:note"


def _evidence_context(update_id: int) -> str:
    return f"assurance_action_update:{update_id}:evidence"


def _next_statuses(actor: Actor, row: Recommendation) -> list[ActionStatus]:
    current = ActionStatus(row.status)
    allowed = [s for s in ActionStatus if s in policy.ALLOWED[current]]
    if actor.can(Permission.ASSURANCE_MANAGE):
        return allowed
    return [s for s in allowed if s in policy.OWNER_MAY_SET]


def view_action(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, recommendation_id: int
) -> ActionView:
    row = _get(db, actor, recommendation_id)
    updates = list(
        db.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.recommendation_id == row.id)
            .order_by(ActionUpdate.posted_at, ActionUpdate.id)
        )
    )
    names = auth.usernames(db, [u.posted_by for u in updates if u.posted_by is not None])
    reason = (
        sealed.open_text(db, kek, row.key_id, _reason_context(row), row.reason_sealed)
        if row.key_id and row.reason_sealed
        else None
    )
    manage = actor.can(Permission.ASSURANCE_MANAGE)
    return ActionView(
        line=_one_line(db, row, clock.today()),
        reason=reason,
        updates=[
            UpdateView(
                u.id,
                u.posted_at,
                names.get(u.posted_by) if u.posted_by is not None else None,
                ActionStatus(u.status_from),
                ActionStatus(u.status_to),
                sealed.open_text(db, kek, u.key_id, _note_context(u.id), u.note_sealed),
                u.evidence_filename,
            )
            for u in updates
        ],
        may_update=manage or row.owner_id == actor.user_id,
        may_manage=manage,
        next_statuses=_next_statuses(actor, row),
    )


def _may_update(actor: Actor, row: Recommendation) -> None:
    if not (actor.can(Permission.ASSURANCE_MANAGE) or row.owner_id == actor.user_id):
        raise Forbidden(NOT_YOURS)


def _checked_update(
    actor: Actor, row: Recommendation, new: NewUpdate
) -> tuple[ActionStatus, str, str, str | None]:
    errors: dict[str, str] = {}
    note = new.note.strip()
    if not note:
        errors["note"] = "Enter what has been done"
    elif len(note) > MAX_NOTE:
        errors["note"] = f"The update must be {MAX_NOTE:,} characters or fewer"
    current = ActionStatus(row.status)
    target = current
    if new.status:
        if new.status not in {s.value for s in ActionStatus}:
            errors["status"] = "Select the action's status from the list"
        else:
            target = ActionStatus(new.status)
            if target != current and target not in _next_statuses(actor, row):
                if policy.may_move(current, target):
                    raise Forbidden("Only the DPO may mark an action not accepted or reopen it.")
                errors["status"] = (
                    f"An action that is {current.label.lower()} cannot become "
                    f"{target.label.lower()}"
                )
    reason = new.reason.strip()
    if target == ActionStatus.NOT_ACCEPTED and current != target and not reason:
        errors["reason"] = "Enter why the recommendation is not accepted"
    elif len(reason) > MAX_NOTE:
        errors["reason"] = f"The reason must be {MAX_NOTE:,} characters or fewer"
    media_type = None
    if new.evidence:
        try:
            media_type = policy.check_document(new.evidence, field="evidence")
        except ValidationFailed as exc:
            errors |= exc.errors
    if errors:
        raise ValidationFailed("Check the update: nothing was recorded.", errors=errors)
    return target, note, reason, media_type


def post_update(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, recommendation_id: int, new: NewUpdate
) -> ActionUpdate:
    """A dated update on the action by its owner or the DPO, perhaps moving its status."""
    row = _get(db, actor, recommendation_id)
    _may_update(actor, row)
    target, note, reason, media_type = _checked_update(actor, row, new)
    current = ActionStatus(row.status)
    key_id = sealed.new_key(db, kek)
    update = ActionUpdate(
        recommendation_id=row.id,
        posted_by=actor.user_id,
        posted_at=clock.now(),
        status_from=current.value,
        status_to=target.value,
        key_id=key_id,
        note_sealed=b"",
    )
    db.add(update)
    db.flush()
    update.note_sealed = sealed.seal_text(db, kek, key_id, _note_context(update.id), note)
    if new.evidence and media_type:
        update.evidence_sealed = sealed.seal_bytes(
            db, kek, key_id, _evidence_context(update.id), new.evidence
        )
        update.evidence_media_type = media_type
        # The name as uploaded may name people: the download is named by the update.
        update.evidence_filename = f"evidence-{update.id}{policy.EXTENSIONS[media_type]}"
    if target != current:
        row.status = target.value
        row.completed_on = clock.today() if target == ActionStatus.DONE else None
        if target == ActionStatus.NOT_ACCEPTED:
            row.key_id = row.key_id or sealed.new_key(db, kek)
            row.reason_sealed = sealed.seal_text(db, kek, row.key_id, _reason_context(row), reason)
        row.updated_at = clock.now()
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.ACTION_UPDATED,
        subject_type=RECOMMENDATION_SUBJECT,
        subject_id=row.id,
        details={
            "update_id": update.id,
            "from": current.value,
            "to": target.value,
            "evidence": media_type is not None,
        },
    )
    return update


def change_action(
    db: Session,
    actor: Actor,
    recommendation_id: int,
    *,
    owner: str,
    priority: str,
    agreed_on: date | None,
) -> Recommendation:
    """A new owner, priority or agreed date (a revised date is a decision the DPO records)."""
    actor.require(Permission.ASSURANCE_MANAGE)
    row = _get(db, actor, recommendation_id)
    errors: dict[str, str] = {}
    owner_id = owner_for(db, owner, errors)
    if priority not in {p.value for p in Priority}:
        errors["priority"] = "Select the recommendation's priority"
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date agreed for the action"
    if errors or owner_id is None or agreed_on is None:
        raise ValidationFailed("Check the action's details: nothing was changed.", errors=errors)
    changed = {
        name
        for name, old, new in (
            ("owner", row.owner_id, owner_id),
            ("priority", row.priority, priority),
            ("agreed_on", row.agreed_on, agreed_on),
        )
        if old != new
    }
    row.owner_id, row.priority, row.agreed_on = owner_id, priority, agreed_on
    row.updated_at = clock.now()
    db.flush()
    audit.record(
        db,
        actor,
        AuditsEvent.RECOMMENDATION_CHANGED,
        subject_type=RECOMMENDATION_SUBJECT,
        subject_id=row.id,
        details={"changed": ",".join(sorted(changed)), "owner_id": owner_id},
    )
    return row


def evidence(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, recommendation_id: int, update_id: int
) -> EvidenceFile:
    row = _get(db, actor, recommendation_id)
    update = db.get(ActionUpdate, update_id)
    if (
        update is None
        or update.recommendation_id != row.id
        or update.evidence_sealed is None
        or update.evidence_media_type is None
    ):
        raise NotFound("No evidence was attached to this update.")
    data = sealed.open_bytes(
        db, kek, update.key_id, _evidence_context(update.id), update.evidence_sealed
    )
    audit.record(
        db,
        actor,
        AuditsEvent.EVIDENCE_DOWNLOADED,
        subject_type=RECOMMENDATION_SUBJECT,
        subject_id=row.id,
        details={"update_id": update.id},
    )
    return EvidenceFile(
        update.evidence_filename or f"evidence-{update.id}", update.evidence_media_type, data
    )


CSV_HEADER = [
    "Audit",
    "Reference",
    "Area",
    "Recommendation",
    "Priority",
    "Owner",
    "Agreed date",
    "Status",
    "Completed",
    "Overdue",
]


def export_rows(
    db: Session, actor: Actor, wanted: ActionFilter, as_of: date | None = None
) -> Iterator[list[str]]:
    """The filtered plan as CSV rows, every cell neutralised against formula injection."""
    actor.require(Permission.ASSURANCE_VIEW)
    day = as_of or clock.today()
    query = _ordered(_filtered(_base(), wanted, day))
    audit.record(db, actor, AuditsEvent.ACTION_PLAN_EXPORTED, details={"status": wanted.status})
    yield CSV_HEADER
    for rec, title, owner in db.execute(query):
        line = _line(rec, title, owner, day)
        yield [
            csv_cell(cell)
            for cell in (
                line.audit_title,
                line.reference,
                line.area or "",
                line.text,
                line.priority.label,
                line.owner,
                line.agreed_on.isoformat(),
                line.status.label,
                line.completed_on.isoformat() if line.completed_on else "",
                "Yes" if line.overdue else "No",
            )
        ]


@dataclass(frozen=True, slots=True)
class PriorityCount:
    priority: Priority
    open: int
    overdue: int


@dataclass(frozen=True, slots=True)
class ActionPlanSummary:
    as_of: date
    by_priority: list[PriorityCount]

    @property
    def open(self) -> int:
        return sum(c.open for c in self.by_priority)

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.by_priority)

    @property
    def red(self) -> int:
        return sum(c.overdue for c in self.by_priority if c.priority in policy.RED_PRIORITIES)


def action_plan_summary(db: Session, as_of: date) -> ActionPlanSummary:
    """Open and overdue actions by priority on ``as_of``, for the dashboard (which checks who
    may see it). An overdue urgent or high action is red."""
    open_values = [s.value for s in policy.OPEN_STATUSES]
    rows = db.execute(
        select(Recommendation.priority, Recommendation.agreed_on).where(
            Recommendation.status.in_(open_values)
        )
    )
    counts = {p: [0, 0] for p in Priority}
    # Counted in Python: an action plan holds tens of rows, not millions.
    for priority, agreed_on in rows:
        counts[Priority(priority)][0] += 1
        if agreed_on < as_of:
            counts[Priority(priority)][1] += 1
    return ActionPlanSummary(
        as_of, [PriorityCount(p, counts[p][0], counts[p][1]) for p in Priority]
    )


def open_red_actions(db: Session, as_of: date) -> list[ActionLine]:
    """Every open urgent or high action past its agreed date on ``as_of``, the oldest first."""
    query = _ordered(
        _base().where(
            Recommendation.status.in_([s.value for s in policy.OPEN_STATUSES]),
            Recommendation.priority.in_([p.value for p in policy.RED_PRIORITIES]),
            Recommendation.agreed_on < as_of,
        )
    )
    return [_line(r, t, o, as_of) for r, t, o in db.execute(query)]


def my_open_actions(
    db: Session, actor: Actor, limit: int, as_of: date | None = None
) -> tuple[list[ActionLine], int]:
    """The first ``limit`` of the actor's own open actions (the soonest due first) and how
    many they own in all, for their home page."""
    if actor.user_id is None:
        return [], 0
    day = as_of or clock.today()
    query = _ordered(
        _base().where(
            Recommendation.owner_id == actor.user_id,
            Recommendation.status.in_([s.value for s in policy.OPEN_STATUSES]),
        )
    )
    page = paginate(db, query, PageRequest(size=limit), scalars=False)
    return [_line(r[0], r[1], r[2], day) for r in page.items], page.total
