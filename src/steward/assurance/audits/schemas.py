"""What the API gives for audits, the action plan, attestations and self-assessment."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.policy import (
    ActionStatus,
    AttestationState,
    AuditKind,
    Priority,
)


class AuditRead(BaseModel):
    id: int
    title: str
    kind: AuditKind
    auditor: str
    started_on: date
    reported_on: date
    overall_rating: Rating | None


class AreaRatingRead(BaseModel):
    area: Area
    rating: Rating | None


class FollowUpRead(BaseModel):
    id: int
    reviewed_on: date
    rating: Rating | None
    findings: str
    recorded_by: str | None


class ActionRead(BaseModel):
    id: int
    audit_id: int
    audit_title: str
    reference: str
    area: Area | None
    text: str
    priority: Priority
    status: ActionStatus
    owner: str = Field(description="The owner's username")
    agreed_on: date
    completed_on: date | None
    overdue: bool
    red: bool = Field(description="Urgent or high, open, and past its agreed date")


class AuditDetail(AuditRead):
    areas: list[AreaRatingRead]
    recommendations: list[ActionRead]
    follow_ups: list[FollowUpRead]


class UpdateRead(BaseModel):
    id: int
    posted_at: datetime
    posted_by: str | None
    status_from: ActionStatus
    status_to: ActionStatus
    note: str
    evidence: bool


class ActionDetail(ActionRead):
    reason_not_accepted: str | None
    updates: list[UpdateRead]


class PriorityCountRead(BaseModel):
    priority: Priority
    open: int
    overdue: int


class ActionPlanSummaryRead(BaseModel):
    as_of: date
    open: int
    overdue: int
    red: int
    by_priority: list[PriorityCountRead]


class AttestationRead(BaseModel):
    id: int
    title: str
    expectation_id: str
    attested_on: date
    review_on: date
    state: AttestationState
    recorded_by: str | None


class AttestationDetail(AttestationRead):
    statement: str
    document_type: str


class AttestationSummaryRead(BaseModel):
    as_of: date
    current: int
    due_soon: int
    expired: int


class AreaStandingRead(BaseModel):
    area: Area
    rating: Rating | None
    assessed_on: date | None
    assessed_by: str | None
    audit_rating: Rating | None
    audit_id: int | None


class AssessmentRead(BaseModel):
    id: int
    area: Area
    rating: Rating
    assessed_on: date
    assessed_by: str | None
    statement: str
    current: bool
