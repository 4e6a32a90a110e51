"""Records figures for the DPO's measures. Starters with case access before induction: staff
whose induction is not complete (training's answer) yet who are assigned to a case, the
assignment being what opens a case's content to them. The induction gate should keep this at
zero; a figure above zero shows a gap (the gate switched off, or an assignment made by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.records.models import CaseAssignment
from steward.training.service.assurance import without_induction


@dataclass(frozen=True)
class EarlyAccess:
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    cases: int
    missing: tuple[str, ...]


def access_before_induction(db: Session, as_of: date) -> list[EarlyAccess]:
    waiting = {w.user_id: w for w in without_induction(db, as_of)}
    if not waiting:
        return []
    until = datetime.combine(as_of, time.max, tzinfo=clock.UK)
    # One grouped query over the assignments of those few accounts, not one per person.
    counts = db.execute(
        select(CaseAssignment.user_id, func.count())
        .where(CaseAssignment.user_id.in_(waiting), CaseAssignment.assigned_at <= until)
        .group_by(CaseAssignment.user_id)
    ).all()
    found = [
        EarlyAccess(w.staff_id, w.staff_number, w.name, w.team, n, w.missing)
        for user_id, n in counts
        if (w := waiting[user_id])
    ]
    return sorted(found, key=lambda e: (e.name, e.staff_id))
