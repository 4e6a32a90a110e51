"""The organisation's training settings: the induction gate, the induction and due-soon days,
and the target for the share of staff trained (the organisation's target, not law).

Only the data protection officer changes them (``training:settings``). The gate decides
whether staff who have not done their induction can read case records about children and
families: opening that door is a judgement of data-protection risk, the DPO's to make and
answer for, not an administrator's. Kept apart, no single administrator can both create an
account and let it into case content untrained. Turning the gate off needs a reason, which
every training management page shows until it is turned back on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training.catalogue_schemas import PolicyChange
from steward.training.events import TrainingEvent
from steward.training.models import TrainingPolicy
from steward.training.service import catalogue, gate

SUBJECT_TYPE = "training_policy"
MIN_REASON = 10
TARGET_WORDS = "the organisation's target, not law"
NUMBERS = ("induction_days", "due_soon_days", "target_percent")


@dataclass(frozen=True, slots=True)
class GateOff:
    """Why the induction gate is off, since when and who turned it off."""

    reason: str
    since: datetime | None
    by: str | None


def read(db: Session, actor: Actor) -> TrainingPolicy:
    """The settings in force (the defaults until the DPO first changes them)."""
    catalogue.require_read(actor)
    return gate.current_policy(db)


def gate_off(db: Session) -> GateOff | None:
    """What the pages show while the gate is off; None while it is on."""
    current = gate.current_policy(db)
    if current.induction_gate:
        return None
    names = auth.usernames(db, [current.gate_off_by_user_id] if current.gate_off_by_user_id else [])
    return GateOff(
        current.gate_off_reason or "No reason was recorded.",
        current.gate_off_at,
        names.get(current.gate_off_by_user_id) if current.gate_off_by_user_id else None,
    )


def change(db: Session, actor: Actor, data: PolicyChange) -> TrainingPolicy:
    """Change the settings sent. Turning the gate off needs a reason; turning it back on
    clears it. One event per change, tagged for the gate where it moved."""
    if not actor.can(Permission.TRAINING_SETTINGS):
        raise Forbidden("Only the data protection officer can change the training settings.")
    row = db.get(TrainingPolicy, 1)
    if row is None:
        row = gate.current_policy(db)
        db.add(row)
    changed: list[str] = []
    turned_off = turned_on = False
    if data.induction_gate is not None and data.induction_gate != row.induction_gate:
        turned_off, turned_on = not data.induction_gate, data.induction_gate
    reason = (data.gate_off_reason or "").strip()
    gate_will_be_off = turned_off or (not row.induction_gate and not turned_on)
    if gate_will_be_off and (turned_off or reason) and len(reason) < MIN_REASON:
        message = (
            "Say why the induction gate is being turned off, in a sentence: it is shown on "
            "every training page while the gate stays off."
        )
        raise ValidationFailed(message, errors={"gate_off_reason": message})
    for name in NUMBERS:
        value = getattr(data, name)
        if value is not None and value != getattr(row, name):
            setattr(row, name, value)
            changed.append(name)
    now = clock.now()
    if turned_off:
        row.induction_gate = False
        row.gate_off_reason, row.gate_off_at, row.gate_off_by_user_id = reason, now, actor.user_id
        changed += ["induction_gate", "gate_off_reason"]
    elif turned_on:
        row.induction_gate = True
        row.gate_off_reason = row.gate_off_at = row.gate_off_by_user_id = None
        changed.append("induction_gate")
    elif gate_will_be_off and reason and reason != row.gate_off_reason:
        # The gate stays off with its reason brought up to date.
        row.gate_off_reason = reason
        changed.append("gate_off_reason")
    if not changed:
        return row
    row.changed_at, row.changed_by_user_id = now, actor.user_id
    db.flush()
    gate.forget(db)
    tag = (
        TrainingEvent.GATE_TURNED_OFF
        if turned_off
        else TrainingEvent.GATE_TURNED_ON
        if turned_on
        else TrainingEvent.SETTINGS_CHANGED
    )
    audit.record(
        db,
        actor,
        tag,
        subject_type=SUBJECT_TYPE,
        subject_id=row.id,
        details={
            "fields": sorted(changed),
            "induction_gate": row.induction_gate,
            "induction_days": row.induction_days,
            "due_soon_days": row.due_soon_days,
            "target_percent": row.target_percent,
        },
    )
    return row
