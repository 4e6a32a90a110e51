"""Need-to-know: which cases (and so which persons and documents) an actor may read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from steward.core import auth, clock
from steward.core.errors import Forbidden, NotFound
from steward.core.permissions import Actor, Permission
from steward.records.models import BreakGlass, Case, CaseAssignment, Party, PersonRestriction
from steward.records.policy import Access, case_access

BREAK_GLASS_HOURS = 8
NOT_YOURS = "There is nothing here that you can see. Check the address, or the link you followed."
ANY_CASE_READ = (
    Permission.CASES_READ_ALL,
    Permission.CASES_READ_TEAM,
    Permission.CASES_READ_ASSIGNED,
)


class NeedsBreakGlass(Forbidden):
    """The actor may not read this case normally, but may open it with a stated reason."""

    def __init__(self, case_id: int) -> None:
        super().__init__(
            "This case is not assigned to you. To open it in an emergency, give your reason: "
            "it will be recorded and shown to the Data Protection Officer."
        )
        self.case_id = case_id


class CaseRestricted(Forbidden):
    """The case names a person whose processing is restricted (Article 18)."""

    def __init__(self) -> None:
        super().__init__(
            "The records of a person in this case are restricted at their request. Only the "
            "information governance team can read them until the restriction is lifted. "
            "Ask the team if you need something from this case."
        )


def restricted_cases() -> ColumnElement[bool]:
    """A WHERE clause on ``Case``: a party to the case is under a restriction not yet lifted."""
    return exists(
        select(Party.id)
        .join(PersonRestriction, PersonRestriction.person_id == Party.person_id)
        .where(Party.case_id == Case.id, PersonRestriction.lifted_at.is_(None))
    )


def case_is_restricted(db: Session, case_id: int) -> bool:
    return (
        db.scalar(
            select(Party.id)
            .join(PersonRestriction, PersonRestriction.person_id == Party.person_id)
            .where(Party.case_id == case_id, PersonRestriction.lifted_at.is_(None))
            .limit(1)
        )
        is not None
    )


def require_any_case_access(actor: Actor) -> None:
    if not any(actor.can(p) for p in ANY_CASE_READ):
        raise Forbidden("Your role does not give access to case records.")


def _team(db: Session, actor: Actor) -> str | None:
    if actor.user_id is None:
        return None
    user = db.get(auth.User, actor.user_id)
    return user.team if user else None


def visible_cases(db: Session, actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` selecting exactly the cases ``actor`` may read."""
    if actor.can(Permission.CASES_READ_ALL):
        return true()
    if actor.user_id is None:
        return false()
    clauses: list[ColumnElement[bool]] = []
    if actor.can(Permission.CASES_READ_ASSIGNED):
        clauses.append(
            Case.id.in_(
                select(CaseAssignment.case_id).where(CaseAssignment.user_id == actor.user_id)
            )
        )
    team = _team(db, actor)
    if team and actor.can(Permission.CASES_READ_TEAM):
        clauses.append(Case.team == team)
    if actor.can(Permission.CASES_BREAK_GLASS):
        clauses.append(
            Case.id.in_(
                select(BreakGlass.case_id).where(
                    BreakGlass.user_id == actor.user_id, BreakGlass.expires_at > clock.now()
                )
            )
        )
    if not clauses:
        return false()
    if not any_restriction(db):
        return or_(*clauses)
    # Restricted cases are the IG team's only (see policy.case_access), whoever else is given them.
    return and_(or_(*clauses), ~restricted_cases())


def any_restriction(db: Session) -> bool:
    """Whether any person's records are restricted now: almost never, so the usual clause
    (and its plan, at a million cases) stays as it was without one."""
    standing = select(PersonRestriction.id).where(PersonRestriction.lifted_at.is_(None))
    return db.scalar(standing.limit(1)) is not None


def visible_person(
    db: Session, actor: Actor, person_id_column: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """A person is visible when they are a party to a case the actor may read."""
    if actor.can(Permission.CASES_READ_ALL):
        return true()
    return exists(
        select(Party.id)
        .join(Case, Case.id == Party.case_id)
        .where(and_(Party.person_id == person_id_column, visible_cases(db, actor)))
    )


def access_to_case(db: Session, actor: Actor, case: Case) -> Access:
    assigned = (
        actor.user_id is not None
        and db.scalar(
            select(CaseAssignment.id).where(
                CaseAssignment.case_id == case.id, CaseAssignment.user_id == actor.user_id
            )
        )
        is not None
    )
    team = _team(db, actor)
    break_glass_open = (
        actor.user_id is not None
        and db.scalar(
            select(BreakGlass.id).where(
                BreakGlass.case_id == case.id,
                BreakGlass.user_id == actor.user_id,
                BreakGlass.expires_at > clock.now(),
            )
        )
        is not None
    )
    return case_access(
        actor,
        assigned=assigned,
        same_team=bool(team) and team == case.team,
        break_glass_open=break_glass_open,
        restricted=not actor.can(Permission.CASES_READ_ALL) and case_is_restricted(db, case.id),
    )


def _would_read_unrestricted(db: Session, actor: Actor, case: Case) -> bool:
    """Whether the actor reads this case but for its restriction: only they are told of it
    (they know the case exists); anyone else gets the usual answer, so a restriction is not
    an oracle for which case ids exist or whom they name."""
    unrestricted = case_access(
        actor,
        assigned=actor.user_id is not None
        and db.scalar(
            select(CaseAssignment.id).where(
                CaseAssignment.case_id == case.id, CaseAssignment.user_id == actor.user_id
            )
        )
        is not None,
        same_team=bool(_team(db, actor)) and _team(db, actor) == case.team,
        break_glass_open=False,
    )
    return unrestricted is not Access.NONE


def readable_case(db: Session, actor: Actor, case_id: int) -> tuple[Case, Access]:
    """The case, if the actor may read it.

    A case asked for by its id answers the same whether it is missing or not the actor's, so
    ids cannot be probed: NeedsBreakGlass for those who may break glass (stating a reason for
    a missing case then answers 404, recorded and counted against their limit), NotFound for
    anyone else who reads cases. Only those who read every case learn that an id is unused."""
    require_any_case_access(actor)
    case = db.get(Case, case_id)
    if case is not None:
        access = access_to_case(db, actor, case)
        if access is not Access.NONE:
            return case, access
        if case_is_restricted(db, case.id) and _would_read_unrestricted(db, actor, case):
            raise CaseRestricted()
    elif actor.can(Permission.CASES_READ_ALL):
        raise NotFound("There is no such case.")
    if actor.can(Permission.CASES_BREAK_GLASS):
        raise NeedsBreakGlass(case_id)
    raise NotFound(NOT_YOURS)


def case_of_readable_item(db: Session, actor: Actor, case_id: int) -> Case:
    """The case a document (or other item reached by its own id) belongs to, if the actor may
    read it. Refused exactly as a missing item is: no break-glass offer, which would name the
    case, and the same 404 whether the item exists or not."""
    case = db.get(Case, case_id)
    if case is None or access_to_case(db, actor, case) is Access.NONE:
        raise NotFound(NOT_YOURS)
    return case


def break_glass_expiry() -> timedelta:
    return timedelta(hours=BREAK_GLASS_HOURS)
