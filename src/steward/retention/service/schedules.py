"""The schedule's life: load a version (checked, evaluated as a draft, its impact measured),
approve it (it becomes the schedule every record is dated by), or withdraw the draft.

A draft's dates are computed beside the approved ones, so the impact is exact: how many
records of each class would be due earlier, later, gain or lose a date. Approval swaps the
draft in and drops the old dates in one transaction; nothing is re-dated silently
(Purview's failure).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.records.models import RecordClass
from steward.records.service import file_plan
from steward.retention import policy, schedule_format
from steward.retention.events import RetentionAudit
from steward.retention.models import (
    RetentionDate,
    RetentionRule,
    RetentionSchedule,
    ScheduleStatus,
    retention_dates,
)
from steward.retention.service import evaluate


@dataclass(frozen=True)
class ClassImpact:
    class_code: str
    records: int
    earlier: int
    later: int
    unchanged: int
    gains_date: int  # undated (or new) before, dated now
    loses_date: int  # dated before, undated now


def parsed_rules(schedule: RetentionSchedule) -> dict[str, policy.Rule]:
    return dict(_parsed(schedule.source))


@functools.lru_cache(maxsize=8)
def _parsed(source: str) -> tuple[tuple[str, policy.Rule], ...]:
    # Cases are dated as they are created, each time with the approved schedule: parsing its
    # YAML once per version, not once per case. The rules are frozen, so sharing is safe.
    return tuple((r.class_code, r) for r in schedule_format.parse(source).rules)


def approved(db: Session) -> RetentionSchedule | None:
    return db.scalar(
        select(RetentionSchedule).where(RetentionSchedule.status == ScheduleStatus.APPROVED)
    )


def require_approved(db: Session) -> RetentionSchedule:
    schedule = approved(db)
    if schedule is None:
        raise Conflict(
            "No retention schedule has been approved yet. Load one with "
            "`steward retention schedule load FILE.yaml` and approve it."
        )
    return schedule


def draft(db: Session) -> RetentionSchedule | None:
    return db.scalar(
        select(RetentionSchedule).where(RetentionSchedule.status == ScheduleStatus.DRAFT)
    )


def get(db: Session, version: int) -> RetentionSchedule:
    found = db.scalar(select(RetentionSchedule).where(RetentionSchedule.version == version))
    if found is None:
        raise NotFound(f"There is no schedule version {version}.")
    return found


def definition(rule: policy.Rule) -> str:
    body = dataclasses.asdict(rule)
    for key in ("class_code", "authority", "citation", "description"):
        body.pop(key)
    return json.dumps(body, sort_keys=True, default=str)


def load(db: Session, actor: Actor, text: str) -> RetentionSchedule:
    """Check and store ``text`` as the draft of the next version, with its impact.

    Any problem raises ValidationFailed naming every one of them; nothing is stored. A
    previous draft nobody approved is replaced."""
    actor.require(Permission.RETENTION_MANAGE)
    parsed = schedule_format.parse(text)
    _check_classes(db, parsed)
    previous = draft(db)
    if previous is not None:
        previous.status = ScheduleStatus.WITHDRAWN
        db.execute(retention_dates.delete().where(RetentionDate.schedule_id == previous.id))
    version = (db.scalar(select(func.max(RetentionSchedule.version))) or 0) + 1
    schedule = RetentionSchedule(
        version=version,
        status=ScheduleStatus.DRAFT,
        title=parsed.title,
        owner=parsed.owner,
        source=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        loaded_at=clock.now(),
        loaded_by_user_id=actor.user_id,
    )
    db.add(schedule)
    db.flush()
    _add_classes(db, parsed)
    current = approved(db)
    earlier = {r.class_code: r for r in current.rules} if current else {}
    for rule in parsed.rules:
        text_def = definition(rule)
        before = earlier.get(rule.class_code)
        same = before is not None and before.definition == text_def
        db.add(
            RetentionRule(
                schedule_id=schedule.id,
                class_code=rule.class_code,
                version=before.version if same and before else _next_rule_version(db, rule),
                authority=rule.authority,
                citation=rule.citation,
                definition=text_def,
                description=rule.describe(),
                action=rule.action.value,
            )
        )
    db.flush()
    db.refresh(schedule)
    evaluate.evaluate(db, schedule, {r.class_code: r for r in parsed.rules})
    schedule.impact = json.dumps([dataclasses.asdict(i) for i in impact(db, schedule, current)])
    db.flush()
    audit.record(
        db,
        actor,
        RetentionAudit.SCHEDULE_LOADED,
        subject_type="retention_schedule",
        subject_id=schedule.id,
        details={"version": version, "rules": len(parsed.rules)},
    )
    return schedule


def _next_rule_version(db: Session, rule: policy.Rule) -> int:
    latest = db.scalar(
        select(func.max(RetentionRule.version))
        .join(RetentionSchedule)
        .where(
            RetentionRule.class_code == rule.class_code,
            RetentionSchedule.status.in_([ScheduleStatus.APPROVED, ScheduleStatus.SUPERSEDED]),
        )
    )
    return (latest or 0) + 1


def _check_classes(db: Session, parsed: policy.Schedule) -> None:
    file_plan.ensure_default_file_plan(db)
    known = set(db.scalars(select(RecordClass.code)))
    declared = {code for code, _, _ in parsed.new_classes}
    errors: dict[str, str] = {}
    for i, (_code, _, parent) in enumerate(parsed.new_classes):
        if parent is not None and parent not in known | declared:
            errors[f"classes[{i}].parent"] = f"{parent} is not in the file plan"
    for i, rule in enumerate(parsed.rules):
        if rule.class_code not in known | declared:
            errors[f"rules[{i}].class"] = (
                f"{rule.class_code} is not in the file plan; add it under classes:"
            )
    if errors:
        raise ValidationFailed(
            f"The schedule names {len(errors)} record class(es) the file plan does not have; "
            "nothing was loaded.",
            errors=errors,
        )


def _add_classes(db: Session, parsed: policy.Schedule) -> None:
    # Additions to the file plan travel with the schedule that needs them (the default adds
    # looked-after child records). Existing classes are never renamed or moved.
    for code, name, parent in parsed.new_classes:
        if db.scalar(select(RecordClass.id).where(RecordClass.code == code)) is not None:
            continue
        parent_id = (
            db.scalar(select(RecordClass.id).where(RecordClass.code == parent)) if parent else None
        )
        db.add(RecordClass(code=code, name=name, parent_id=parent_id))
        db.flush()


def impact(db: Session, new: RetentionSchedule, old: RetentionSchedule | None) -> list[ClassImpact]:
    """Per class of the new schedule's rules: how the records' due dates would move."""
    now = aliased(RetentionDate)
    before = aliased(RetentionDate)
    old_id = old.id if old else -1
    joined = and_(
        before.schedule_id == old_id,
        before.record_kind == now.record_kind,
        before.record_id == now.record_id,
    )

    def count_when(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    rows = db.execute(
        select(
            RetentionRule.class_code,
            func.count(),
            count_when(
                and_(
                    now.due_on.is_not(None), before.due_on.is_not(None), now.due_on < before.due_on
                )
            ),
            count_when(
                and_(
                    now.due_on.is_not(None), before.due_on.is_not(None), now.due_on > before.due_on
                )
            ),
            count_when(
                (now.due_on == before.due_on) | and_(now.due_on.is_(None), before.due_on.is_(None))
            ),
            count_when(and_(now.due_on.is_not(None), before.due_on.is_(None))),
            count_when(and_(now.due_on.is_(None), before.due_on.is_not(None))),
        )
        .select_from(now)
        .join(RetentionRule, RetentionRule.id == now.rule_id)
        .outerjoin(before, joined)
        .where(now.schedule_id == new.id)
        .group_by(RetentionRule.class_code)
        .order_by(RetentionRule.class_code)
    ).all()
    return [ClassImpact(r[0], *(int(v or 0) for v in r[1:])) for r in rows]


def stored_impact(schedule: RetentionSchedule) -> list[ClassImpact]:
    return [ClassImpact(**i) for i in json.loads(schedule.impact or "[]")]


def approve(db: Session, actor: Actor, *, version: int) -> RetentionSchedule:
    """The draft becomes the schedule; the previous one is superseded and its dates dropped."""
    actor.require(Permission.RETENTION_APPROVE)
    schedule = get(db, version)
    if schedule.status != ScheduleStatus.DRAFT:
        raise Conflict(
            f"Schedule version {version} is {schedule.status}; only a draft can be approved."
        )
    current = approved(db)
    if current is not None:
        current.status = ScheduleStatus.SUPERSEDED
        db.execute(retention_dates.delete().where(RetentionDate.schedule_id == current.id))
        db.flush()
    # Re-evaluated at approval: facts may have changed since the draft was loaded.
    evaluate.evaluate(db, schedule, parsed_rules(schedule))
    schedule.status = ScheduleStatus.APPROVED
    schedule.approved_at = schedule.dated_at = clock.now()
    schedule.approved_by_user_id = actor.user_id
    db.flush()
    audit.record(
        db,
        actor,
        RetentionAudit.SCHEDULE_APPROVED,
        subject_type="retention_schedule",
        subject_id=schedule.id,
        details={"version": version, "superseded": current.version if current else None},
    )
    return schedule


def withdraw(db: Session, actor: Actor, *, version: int) -> RetentionSchedule:
    actor.require(Permission.RETENTION_MANAGE)
    schedule = get(db, version)
    if schedule.status != ScheduleStatus.DRAFT:
        raise Conflict(f"Schedule version {version} is not a draft.")
    schedule.status = ScheduleStatus.WITHDRAWN
    db.execute(retention_dates.delete().where(RetentionDate.schedule_id == schedule.id))
    db.flush()
    audit.record(
        db,
        actor,
        RetentionAudit.SCHEDULE_WITHDRAWN,
        subject_type="retention_schedule",
        subject_id=schedule.id,
        details={"version": version},
    )
    return schedule


def list_schedules(db: Session, actor: Actor) -> list[RetentionSchedule]:
    actor.require(Permission.RETENTION_MANAGE)
    return list(db.scalars(select(RetentionSchedule).order_by(RetentionSchedule.version.desc())))


def ensure_default(db: Session, actor: Actor) -> RetentionSchedule:
    """Load and approve the shipped default schedule if none is approved (demo, first run)."""
    existing = approved(db)
    if existing is not None:
        return existing
    schedule = load(db, actor, schedule_format.default_schedule_text())
    return approve(db, actor, version=schedule.version)
