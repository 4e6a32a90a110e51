"""Training figures for the DPO's measures, from the compliance report's own computation
(compliance.standings): the same staff in scope (leavers and those not yet started are not
counted; those still in their first window are left out of the percentage), the same rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.training.policy import RequirementKind, Status
from steward.training.service import trend
from steward.training.service.compliance import PersonStanding, standings

_INDUCTION_DONE = frozenset({Status.CURRENT, Status.DUE_SOON})


@dataclass(frozen=True)
class NotCurrent:
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    missing: tuple[str, ...]  # course codes overdue or never done


@dataclass(frozen=True)
class Compliance:
    compliant: int
    counted: int
    not_current: list[NotCurrent]


def compliance(db: Session, as_of: date) -> Compliance:
    people = standings(db, as_of)
    counted = [p for p in people if not p.in_window]
    lapsed = [
        NotCurrent(
            p.staff_id,
            p.staff_number,
            p.name,
            p.team,
            tuple(line.course_code for line in p.missing),
        )
        for p in counted
        if not p.compliant
    ]
    return Compliance(len(counted) - len(lapsed), len(counted), lapsed)


def compliance_over_time(db: Session, days: Sequence[date]) -> dict[date, tuple[int, int]]:
    """(compliant, counted) on each of ``days``: ``compliance``'s figure without the people,
    from one reading of staff, requirements and completions (``trend.over_time``, which
    agrees with ``standings`` day by day) instead of one a day."""
    found: dict[date, tuple[int, int]] = {}
    for day, briefs in trend.over_time(db, days).items():
        counted = compliant = 0
        for brief, people in briefs.items():
            if brief.in_window:
                continue
            counted += people
            compliant += people if brief.compliant else 0
        found[day] = (compliant, counted)
    return found


@dataclass(frozen=True)
class WithoutInduction:
    staff_id: int
    staff_number: str
    name: str
    team: str | None
    user_id: int
    missing: tuple[str, ...]  # the induction courses not yet completed


def without_induction(db: Session, as_of: date) -> list[WithoutInduction]:
    """Staff in scope on ``as_of``, with an account, whose induction is not complete."""
    return [
        WithoutInduction(
            p.staff_id,
            p.staff_number,
            p.name,
            p.team,
            p.user_id,
            missing,
        )
        for p in standings(db, as_of)
        if p.user_id is not None and (missing := _induction_missing(p))
    ]


def _induction_missing(person: PersonStanding) -> tuple[str, ...]:
    return tuple(
        line.course_code
        for line in person.lines
        if line.kind is RequirementKind.INDUCTION and line.status not in _INDUCTION_DONE
    )
