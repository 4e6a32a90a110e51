"""A manager's reallocation of their team's cases through the API, as the case page's
"Reallocate" (records_pages.py): the team's workers with their caseloads, and a case given to
one of them. Through the records service, which keeps it to the manager's own team, checks the
case's need-to-know and records each allocation and removal in the audit trail.

Workers are named by username and given by id (from ``GET /team/workers``), never by name.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.records import service
from steward.web.api import require_json
from steward.web.deps import DB, ApiActor, api_requires
from steward.web.ids import Id, IdItem

router = APIRouter(tags=["cases"], dependencies=[Depends(require_json)])
_TEAM = [Depends(api_requires(Permission.CASES_READ_TEAM))]


class WorkerRead(BaseModel):
    id: int
    username: str
    open_cases: int = Field(description="Open cases of the team allocated to them")


class TeamWorkers(BaseModel):
    items: list[WorkerRead] = Field(description="Busiest first")
    total: int


class Reallocation(StrictInput):
    user_id: IdItem = Field(
        description="The worker of your team to give the case to (see `GET /team/workers`)",
        examples=[42],
    )


class AllocationRead(BaseModel):
    case_id: int
    case_number: str
    allocated_to: list[str] = Field(description="Usernames allocated to the case now")
    taken_from: list[str] = Field(description="Usernames the case was taken from")


@router.get("/team/workers", dependencies=_TEAM)
def team_workers(db: DB, actor: ApiActor) -> TeamWorkers:
    """The active case workers of your team, with how many of its open cases each holds: whom
    a case may be given to. A team is a handful of people, so this is one page."""
    loads = service.caseload(db, actor)
    return TeamWorkers(
        items=[
            WorkerRead(id=w.user_id, username=w.username, open_cases=w.open_cases) for w in loads
        ],
        total=len(loads),
    )


@router.post(
    "/cases/{case_id}/reallocation",
    dependencies=[Depends(api_requires(Permission.CASES_WRITE)), *_TEAM],
)
def reallocate(db: DB, actor: ApiActor, case_id: Id, body: Reallocation) -> AllocationRead:
    """Give a case of your team to another of its workers, taking it from those who held it
    (your own allocation, if any, stays). A worker outside your team answers 422."""
    names = {w.id: w.username for w in service.team_members(db, actor)}
    taken = service.reassign(db, actor, case_id=case_id, to_user_id=body.user_id)
    case, _ = service.view_case(db, actor, case_id)
    return AllocationRead(
        case_id=case.id,
        case_number=case.case_number,
        allocated_to=[u.username for u in service.allocated_workers(db, case.id)],
        taken_from=sorted(names.get(u, "") for u in taken),
    )
