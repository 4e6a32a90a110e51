"""The subject access API (/api/v1/sar): list, log, read and move requests, for automation.

Thin: the sar service checks the permission, keeps the transition table and records each read
of what a requester told us. Filters are codes; personal data travels only in bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.sar import service, words
from steward.sar.clock import Region
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, RequesterType, Right, Status
from steward.sar.schemas import SarCreate
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_requires
from steward.web.ids import MAX_ID, Id

router = APIRouter(
    tags=["subject access"], dependencies=[Depends(api_requires(Permission.SAR_MANAGE))]
)

REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not handle subject access requests"},
    404: {"description": "No request with that id"},
}


class ClockRead(BaseModel):
    day_one: date | None = Field(description="None while ID, authority or a fee is awaited")
    due_on: date
    first_deadline: date = Field(description="The deadline before any extension")
    paused_days: int = Field(description="Days the clock was stopped for clarification")
    stopped: bool
    extended: bool
    days_left: int = Field(description="Calendar days to the due date; negative when overdue")


class SarRead(BaseModel):
    id: int
    reference: str
    right: Right
    status: Status
    status_words: str
    requester_type: RequesterType
    channel: Channel
    received_on: date
    handler_user_id: int | None
    closed_on: date | None
    clock: ClockRead


class SarDetail(SarRead):
    details: dict[str, Any] = Field(
        description="What the requester told us: requester, subject, description (a recorded read)"
    )


class TransitionRequest(StrictInput):
    to: Status
    reasons: str | None = Field(
        None, max_length=5000, description="Required when refusing or recording a withdrawal"
    )


def _read(request: SubjectAccessRequest) -> dict[str, Any]:
    clock = service.clock_of(request)
    return {
        "id": request.id,
        "reference": request.reference,
        "right": request.right,
        "status": request.status,
        "status_words": words.STATUS[Status(request.status)],
        "requester_type": request.requester_type,
        "channel": request.channel,
        "received_on": request.received_on,
        "handler_user_id": request.handler_user_id,
        "closed_on": request.closed_on,
        "clock": ClockRead(
            day_one=clock.day_one,
            due_on=clock.due_on,
            first_deadline=clock.first_deadline,
            paused_days=clock.paused_days,
            stopped=clock.stopped,
            extended=clock.extended,
            days_left=clock.days_left,
        ),
    }


@router.get("/sar/requests", responses=REFUSALS)
def list_requests(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    status: Status | None = None,
    handler: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    requester_type: RequesterType | None = None,
    overdue: bool = False,
) -> ApiPage[SarRead]:
    """Open requests due soonest first (a status filter shows finished ones)."""
    listed = service.queue(
        db,
        actor,
        page,
        status=status,
        handler_user_id=handler,
        requester_type=requester_type,
        overdue=overdue,
    )
    return ApiPage.of(listed, lambda r: SarRead(**_read(r)))


@router.post(
    "/sar/requests",
    status_code=201,
    dependencies=[Depends(require_json)],
    responses={**REFUSALS, 422: {"description": "The request's details are not valid"}},
)
def log_request(
    db: DB, kek: Keyring, settings: AppSettings, actor: ApiActor, body: SarCreate
) -> SarRead:
    """Log a request that arrived; it waits for ID or authority where either is needed."""
    created = service.receive(
        db, kek, actor, body, default_region=Region.from_setting(settings.bank_holiday_region)
    )
    return SarRead(**_read(created))


@router.get("/sar/requests/{request_id}", responses=REFUSALS)
def get_request(db: DB, kek: Keyring, actor: ApiActor, request_id: Id) -> SarDetail:
    """The request, its clock, and what the requester told us (the read is recorded)."""
    request = service.get(db, actor, request_id)
    return SarDetail(**_read(request), details=service.details(db, kek, actor, request.id))


@router.post(
    "/sar/requests/{request_id}/transitions",
    dependencies=[Depends(require_json)],
    responses={
        **REFUSALS,
        403: {
            "description": "Your role does not handle requests, or you prepared the response "
            "and someone else must approve it"
        },
        409: {"description": "The transition table does not allow this move from here"},
        422: {"description": "Reasons are missing where they are required"},
    },
)
def move_request(
    db: DB, kek: Keyring, actor: ApiActor, request_id: Id, body: TransitionRequest
) -> SarRead:
    """Move the request to another status, as the transition table allows."""
    moved = service.move(db, kek, actor, request_id, body.to, reasons=body.reasons)
    return SarRead(**_read(moved))
