"""Staff as the training pages show them: the list (filtered, counted, paged) and one person
with their manager, account, where they stand on their training and what they have completed.

Who may look: those who see training compliance, and those who manage training (they import
the staff and completions shown here). Every look is recorded, as a read of personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.training.events import TrainingEvent
from steward.training.models import Completion, Course, StaffMember
from steward.training.policy import EmploymentType
from steward.training.service import compliance
from steward.training.service import staff as staff_service
from steward.training.service.compliance import PersonStanding

SEE = (Permission.TRAINING_VIEW_COMPLIANCE, Permission.TRAINING_MANAGE)
# A person has a few dozen completions over years; beyond this the page says how many more.
COMPLETIONS_SHOWN = 500


class Scope(StrEnum):
    CURRENT = "current"  # started and not yet left: the people every figure counts
    LEAVERS = "leavers"  # left on or before today
    STARTERS = "starters"  # starting after today
    ALL = "all"


def require_see(actor: Actor) -> None:
    if not any(actor.can(p) for p in SEE):
        raise Forbidden("Your role does not allow this.")


@dataclass(frozen=True, slots=True)
class StaffFilter:
    scope: Scope = Scope.CURRENT
    team: str | None = None
    employment_type: EmploymentType | None = None

    @classmethod
    def read(
        cls, *, scope: str | None, team: str | None, employment_type: str | None
    ) -> StaffFilter:
        """From what a page or API was sent: blank means any."""
        try:
            return cls(
                Scope(scope) if scope else Scope.CURRENT,
                (team or "").strip() or None,
                EmploymentType(employment_type) if employment_type else None,
            )
        except ValueError:
            raise ValidationFailed(
                "Choose a filter from the lists given.",
                errors={"filters": "Choose a filter from the lists given"},
            ) from None


@dataclass(frozen=True, slots=True)
class StaffListing:
    page: Page[StaffMember]
    # Where each person on the page stands today (staff id → compliant?); only those in scope.
    compliant: dict[int, bool]
    in_window: dict[int, bool]
    teams: list[str]


def list_staff(
    db: Session, actor: Actor, page: PageRequest, wanted: StaffFilter, *, today: date | None = None
) -> StaffListing:
    require_see(actor)
    today = today or clock.today()
    query = _filtered(select(StaffMember), wanted, today).order_by(StaffMember.name, StaffMember.id)
    found: Page[StaffMember] = paginate(db, query, page)
    standings = {
        p.staff_id: p
        for p in compliance.standings(db, today, staff_ids=[s.id for s in found.items])
    }
    audit.record(
        db,
        actor,
        TrainingEvent.STAFF_LISTED,
        details={"page": page.number, "shown": len(found.items), "scope": wanted.scope.value},
    )
    return StaffListing(
        found,
        {i: p.compliant for i, p in standings.items()},
        {i: p.in_window for i, p in standings.items()},
        teams(db),
    )


def teams(db: Session) -> list[str]:
    return [
        t
        for t in db.scalars(
            select(StaffMember.team).where(StaffMember.team.is_not(None)).distinct()
        )
        if t
    ]


def _filtered(
    query: Select[tuple[StaffMember]], wanted: StaffFilter, today: date
) -> Select[tuple[StaffMember]]:
    if wanted.scope is Scope.CURRENT:
        query = query.where(
            StaffMember.start_date <= today,
            or_(StaffMember.leaving_date.is_(None), StaffMember.leaving_date > today),
        )
    elif wanted.scope is Scope.LEAVERS:
        query = query.where(StaffMember.leaving_date <= today)
    elif wanted.scope is Scope.STARTERS:
        query = query.where(StaffMember.start_date > today)
    if wanted.team is not None:
        query = query.where(StaffMember.team == wanted.team)
    if wanted.employment_type is not None:
        query = query.where(StaffMember.employment_type == wanted.employment_type.value)
    return query


@dataclass(frozen=True, slots=True)
class CompletionLine:
    course_id: int
    course_code: str
    course_title: str
    course_version: int
    completed_on: date
    source: str
    score: int | None


@dataclass(frozen=True, slots=True)
class StaffView:
    staff: StaffMember
    manager: StaffMember | None
    username: str | None
    reports: list[StaffMember]
    # Where they stand today; None when they are not in scope (left, or not yet started).
    standing: PersonStanding | None
    completions: list[CompletionLine]
    more_completions: int
    today: date

    @property
    def left(self) -> bool:
        return self.staff.leaving_date is not None and self.staff.leaving_date <= self.today


def view_staff(db: Session, actor: Actor, staff_id: int, *, today: date | None = None) -> StaffView:
    require_see(actor)
    today = today or clock.today()
    staff = staff_service.get(db, staff_id)
    manager = db.get(StaffMember, staff.manager_id) if staff.manager_id else None
    username = auth.usernames(db, [staff.user_id]).get(staff.user_id) if staff.user_id else None
    standing = next(iter(compliance.standings(db, today, staff_ids=[staff.id])), None)
    rows = db.execute(
        select(Completion, Course.code, Course.title)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.staff_id == staff.id)
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
        .limit(COMPLETIONS_SHOWN + 1)
    ).all()
    completions = [
        CompletionLine(
            c.course_id, code, title, c.course_version, c.completed_on, c.source, c.score
        )
        for c, code, title in rows[:COMPLETIONS_SHOWN]
    ]
    audit.record(
        db, actor, TrainingEvent.STAFF_VIEWED, subject_type="training_staff", subject_id=staff.id
    )
    return StaffView(
        staff,
        manager,
        username,
        staff_service.reports_of(db, staff.id),
        standing,
        completions,
        _more(db, staff.id) if len(rows) > COMPLETIONS_SHOWN else 0,
        today,
    )


def _more(db: Session, staff_id: int) -> int:
    held = db.scalar(
        select(func.count()).select_from(Completion).where(Completion.staff_id == staff_id)
    )
    return max(0, int(held or 0) - COMPLETIONS_SHOWN)
