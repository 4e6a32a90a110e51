"""Need-to-know: which cases (and so which persons and documents) an actor may read.

Every read of case content passes through here, so the induction gate is kept here too
(DOMAIN.md §4: induction "completed before access to personal data"): an actor whose
induction is outstanding is refused with ``InductionRequired`` by every function below,
whatever their role, assignment or break-glass, before anything about a case is looked up.
The answer is worked out once per unit of work (``training.service.gate.state``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from steward.core import auth, clock
from steward.core.errors import Forbidden, NotFound
from steward.core.permissions import Actor, ActorKind, Permission
from steward.records.models import BreakGlass, Case, CaseAssignment, Party, PersonRestriction
from steward.records.policy import Access, case_access, closest
from steward.training.service import gate
from steward.training.service.gate import GateState, OutstandingCourse

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


class InductionRequired(Forbidden):
    """Case content is closed to the actor until their induction is complete. Not an offer
    of break-glass: an emergency does not make up for training not done. ``courses`` are
    the induction courses still to complete (what the refusal page links to); ``unlinked``:
    the account has no staff record, so nobody can say its induction was done."""

    def __init__(self, state: GateState) -> None:
        if state.unlinked:
            message = (
                "Your account is not linked to a staff record, so Steward cannot tell that "
                "your induction is complete. Ask whoever manages training (an administrator "
                "or the Data Protection Officer) to link your account to your staff record."
            )
        else:
            titles = "; ".join(course.title for course in state.courses)
            message = (
                "Complete your induction before you can see case records. Still to "
                f"complete: {titles}."
            )
        super().__init__(message)
        self.courses: tuple[OutstandingCourse, ...] = state.courses
        self.unlinked = state.unlinked


def require_induction(db: Session, actor: Actor) -> None:
    """InductionRequired unless the actor's induction is complete (or none is required).
    The command line (the system actor) is the operator holding the key file, not a member
    of staff reading cases: the gate is for accounts."""
    if actor.kind is not ActorKind.USER:
        return
    state = gate.state(db, actor.user_id)
    if state.closed:
        raise InductionRequired(state)


def induction_outstanding(db: Session, actor: Actor) -> bool:
    """Whether the gate keeps case content closed to the actor: for a page that shows
    something else and would otherwise name people from the records (the holds' list, the
    audit trail), which then leaves the names out and says why."""
    return (
        actor.kind is ActorKind.USER and reads_cases(actor) and gate.state(db, actor.user_id).closed
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


def reads_cases(actor: Actor) -> bool:
    return any(actor.can(p) for p in ANY_CASE_READ)


def require_any_case_access(db: Session, actor: Actor) -> None:
    """Forbidden unless the actor's role reads cases at all, then InductionRequired unless
    their induction is complete: the role is told first, so a role that never reads cases
    is not sent to training for it."""
    if not reads_cases(actor):
        raise Forbidden("Your role does not give access to case records.")
    require_induction(db, actor)


def _gate(db: Session, actor: Actor) -> None:
    """The gate, for an actor whose role reads cases (any other reads none anyway, and is
    refused as before, not sent to training)."""
    if reads_cases(actor):
        require_induction(db, actor)


def _team(db: Session, actor: Actor) -> str | None:
    if actor.user_id is None:
        return None
    user = db.get(auth.User, actor.user_id)
    return user.team if user else None


def visible_cases(db: Session, actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` selecting exactly the cases ``actor`` may read.

    InductionRequired, not an empty selection, for an actor the gate keeps out: a list that
    looks empty would tell them there is nothing, not what to do."""
    _gate(db, actor)
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
    _gate(db, actor)
    if actor.can(Permission.CASES_READ_ALL):
        return true()
    return exists(
        select(Party.id)
        .join(Case, Case.id == Party.case_id)
        .where(and_(Party.person_id == person_id_column, visible_cases(db, actor)))
    )


def access_to_case(db: Session, actor: Actor, case: Case) -> Access:
    _gate(db, actor)
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
    require_any_case_access(db, actor)
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


def case_of_readable_item(db: Session, actor: Actor, case_id: int) -> tuple[Case, Access]:
    """The case a document (or other item reached by its own id) belongs to, if the actor may
    read it, and why they may. Refused exactly as a missing item is: no break-glass offer,
    which would name the case, and the same 404 whether the item exists or not."""
    _gate(db, actor)
    case = db.get(Case, case_id)
    how = access_to_case(db, actor, case) if case is not None else Access.NONE
    if case is None or how is Access.NONE:
        raise NotFound(NOT_YOURS)
    return case, how


def access_to_person(db: Session, actor: Actor, person_id: int) -> Access:
    """Why the actor may see a person they can see: the closest access among the cases the
    person is a party to (recorded with each read, so oversight shows it as it was)."""
    if actor.can(Permission.CASES_READ_ALL):
        return Access.ROLE
    cases = db.scalars(
        select(Case)
        .join(Party, Party.case_id == Case.id)
        .where(Party.person_id == person_id, visible_cases(db, actor))
    )
    return closest({access_to_case(db, actor, case) for case in cases})


def break_glass_expiry() -> timedelta:
    return timedelta(hours=BREAK_GLASS_HOURS)
