"""A member of staff's own training ("My training"): where they stand on each course that
applies to them today, from the same computation as every report (``compliance.standings``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.permissions import Actor
from steward.training.models import StaffMember
from steward.training.policy import Status
from steward.training.service import compliance, staff
from steward.training.service.compliance import Line, PersonStanding


@dataclass(frozen=True, slots=True)
class MyTraining:
    as_of: date
    staff: StaffMember | None  # None: the account is not linked to a staff record
    standing: PersonStanding | None  # None: not on the staff list on ``as_of``

    @property
    def lines(self) -> tuple[Line, ...]:
        """What I must do, the soonest due first (a course that never lapses last)."""
        if self.standing is None:
            return ()
        return tuple(
            sorted(
                self.standing.lines,
                key=lambda line: (line.standing.due_on or date.max, line.course_title),
            )
        )

    @property
    def to_do(self) -> tuple[Line, ...]:
        """Lines that need doing now or soon: everything but CURRENT."""
        return tuple(line for line in self.lines if line.status is not Status.CURRENT)


def overview(db: Session, actor: Actor, as_of: date | None = None) -> MyTraining:
    day = as_of or clock.today()
    person = staff.for_user(db, actor.user_id)
    if person is None:
        return MyTraining(day, None, None)
    found = compliance.standings(db, day, staff_ids=[person.id])
    return MyTraining(day, person, found[0] if found else None)
