"""The oversight API (/api/v1/assurance): a record's access history, break-glass uses and their
reviews, and the access review. Through the same services as the pages, which check each
permission and record each read and change; lists answer in the ApiPage envelope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from steward.assurance.oversight.models import AccessReviewEntry
from steward.assurance.oversight.policy import AccessKind, Decision, Outcome
from steward.assurance.oversight.service import access_review, history
from steward.assurance.oversight.service import break_glass as review
from steward.assurance.oversight.service.break_glass import Show, UseFilter
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, IsoDate
from steward.web.deps import DB, ApiActor, Keyring, api_requires
from steward.web.ids import Id

router = APIRouter(tags=["assurance"])
_AUDIT = Depends(api_requires(Permission.AUDIT_READ))
_MANAGE = Depends(api_requires(Permission.ASSURANCE_MANAGE))
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The record's state refused the change (see the message)"}
}


class HistoryLineRead(BaseModel):
    seq: int = Field(description="The event's number in the audit trail")
    occurred_at: datetime
    who: str = Field(description="Username of who acted, or who else did")
    kind: str = Field(description="Read, Change or Oversight")
    what: str
    tag: str
    about: str = Field(description="The case, document or person record, by number")
    access: AccessKind = Field(
        description="assigned, team, role (information-governance duty), break_glass, "
        "oversight, system, or none (no access found today)"
    )


@router.get("/assurance/access/cases/{case_id}", dependencies=[_AUDIT])
def case_access_history(
    db: DB, actor: ApiActor, case_id: Id, page: ApiPageQuery
) -> ApiPage[HistoryLineRead]:
    """Every read and change of a case and its documents, newest first. Recorded as a
    reading of the trail."""
    subject = history.find_subject(db, actor, case_id=case_id)
    return ApiPage.of(history.history(db, actor, subject, page), _line)


@router.get("/assurance/access/people/{person_id}", dependencies=[_AUDIT])
def person_access_history(
    db: DB, actor: ApiActor, person_id: Id, page: ApiPageQuery
) -> ApiPage[HistoryLineRead]:
    """Every read and change of a person's record and of the cases (and their documents)
    they are a party to, newest first. Recorded as a reading of the trail."""
    try:
        subject = history.find_subject(db, actor, person_id=person_id)
    except ValidationFailed:
        raise NotFound("There is no such person record.") from None
    return ApiPage.of(history.history(db, actor, subject, page), _line)


def _line(line: history.HistoryLine) -> HistoryLineRead:
    return HistoryLineRead.model_validate(line, from_attributes=True)


class ReviewRead(BaseModel):
    id: int
    outcome: Outcome
    reviewer: str
    reviewed_at: datetime
    note: str
    follow_up: str
    supersedes_id: int | None


class UseRead(BaseModel):
    id: int
    case_id: int
    case_number: str
    user: str = Field(description="Username of who broke glass")
    opened_at: datetime
    expires_at: datetime
    reason: str
    review: ReviewRead | None = Field(description="The current review; null if none yet")


def _use(use: review.UseView) -> UseRead:
    return UseRead.model_validate(use, from_attributes=True)


@router.get("/assurance/break-glass", dependencies=[_AUDIT])
def break_glass_uses(
    db: DB,
    keyring: Keyring,
    actor: ApiActor,
    page: ApiPageQuery,
    show: Annotated[Show, Query(description="unreviewed, or an outcome; empty for all")] = Show.ALL,
    since: Annotated[IsoDate | None, Query(description="Opened on or after")] = None,
    until: Annotated[IsoDate | None, Query(description="Opened on or before")] = None,
) -> ApiPage[UseRead]:
    """Break-glass uses, those not yet reviewed first, then newest first."""
    found = review.list_uses(db, keyring, actor, UseFilter(show, since, until), page)
    return ApiPage.of(found, _use)


class UseDetail(UseRead):
    reviews: list[ReviewRead] = Field(description="Every review, newest (current) first")


@router.get("/assurance/break-glass/{use_id}", dependencies=[_AUDIT])
def break_glass_use(db: DB, keyring: Keyring, actor: ApiActor, use_id: Id) -> UseDetail:
    use, reviews = review.get_use(db, keyring, actor, use_id)
    return UseDetail(
        **_use(use).model_dump(),
        reviews=[ReviewRead.model_validate(r, from_attributes=True) for r in reviews],
    )


class ReviewIn(StrictInput):
    outcome: Outcome
    note: str = Field("", max_length=2000, description="Needed unless justified")
    follow_up: str = Field("", max_length=2000)
    supersedes_id: int | None = Field(
        None, ge=1, description="The current review's id, to change the outcome of a use reviewed"
    )


@router.post(
    "/assurance/break-glass/{use_id}/reviews",
    dependencies=[
        _AUDIT,
        Depends(api_requires(Permission.ASSURANCE_MANAGE)),
        Depends(require_json),
    ],
    responses=CONFLICT,
    status_code=201,
)
def review_use(db: DB, keyring: Keyring, actor: ApiActor, use_id: Id, body: ReviewIn) -> UseDetail:
    """Record an outcome; a use already reviewed needs ``supersedes_id`` (409 otherwise)."""
    review.record_review(
        db,
        keyring,
        actor,
        break_glass_id=use_id,
        outcome=body.outcome.value,
        note=body.note,
        follow_up=body.follow_up,
        supersedes_id=body.supersedes_id,
    )
    return break_glass_use(db, keyring, actor, use_id)


class RoundRead(BaseModel):
    id: int
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    accounts: int
    decided: int
    changed: int


def _round(view: access_review.RoundView) -> RoundRead:
    return RoundRead(
        id=view.round.id,
        opened_at=view.round.opened_at,
        opened_by=view.opened_by,
        closed_at=view.round.closed_at,
        closed_by=view.closed_by,
        accounts=view.accounts,
        decided=view.decided,
        changed=view.changed,
    )


class EntryRead(BaseModel):
    id: int
    user_id: int
    username: str
    role: str
    team: str | None
    two_factor: bool
    last_signin_at: datetime | None
    decision: Decision | None
    decided_at: datetime | None
    role_after: str | None
    team_after: str | None
    active_after: bool | None


def _entry(entry: AccessReviewEntry) -> EntryRead:
    return EntryRead.model_validate(entry, from_attributes=True)


class SummaryRead(BaseModel):
    as_of: date
    last_closed_on: date | None
    accounts_confirmed: int
    accounts_in_last_round: int
    unused_90_days: int


@router.get("/assurance/access-reviews")
def access_reviews(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[RoundRead]:
    """Access reviews, newest first (the DPO's, and auditors' to read)."""
    return ApiPage.of(access_review.list_rounds(db, actor, page), _round)


@router.post(
    "/assurance/access-reviews", dependencies=[_MANAGE], responses=CONFLICT, status_code=201
)
def start_access_review(db: DB, actor: ApiActor) -> RoundRead:
    """Start a review of every active account; 409 while another is open."""
    started = access_review.open_round(db, actor)
    view, _ = access_review.get_round(db, actor, started.id)
    return _round(view)


@router.get("/assurance/access-reviews/{round_id}")
def access_review_round(db: DB, actor: ApiActor, round_id: Id) -> RoundRead:
    view, _ = access_review.get_round(db, actor, round_id)
    return _round(view)


@router.get("/assurance/access-reviews/{round_id}/accounts")
def access_review_accounts(
    db: DB, actor: ApiActor, round_id: Id, page: ApiPageQuery
) -> ApiPage[EntryRead]:
    """The accounts of a review, those still to decide first, then by username."""
    _, entries = access_review.get_round(db, actor, round_id, page)
    return ApiPage.of(entries, _entry)


class DecisionIn(StrictInput):
    decision: Decision


@router.post(
    "/assurance/access-reviews/{round_id}/accounts/{entry_id}",
    dependencies=[_MANAGE, Depends(require_json)],
    responses=CONFLICT,
)
def decide_account(
    db: DB, actor: ApiActor, round_id: Id, entry_id: Id, body: DecisionIn
) -> EntryRead:
    """Confirm the account, or record that it was changed (on the account's own page)."""
    return _entry(
        access_review.decide(
            db, actor, round_id=round_id, entry_id=entry_id, decision=body.decision.value
        )
    )


@router.post(
    "/assurance/access-reviews/{round_id}/close", dependencies=[_MANAGE], responses=CONFLICT
)
def close_access_review(db: DB, actor: ApiActor, round_id: Id) -> RoundRead:
    """Close a review whose every account is decided (422 otherwise)."""
    access_review.close_round(db, actor, round_id)
    view, _ = access_review.get_round(db, actor, round_id)
    return _round(view)
