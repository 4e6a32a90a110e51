"""The review of held partner data through the API (/api/v1/intake): the queue, one held row
beside the person it may be, the decision, the notices of corrections told to partners, and a
partner account's own corrections. The same services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.intake.policy import Code, Decision
from steward.intake.service import decisions, notices, review
from steward.intake.service.decisions import REASON_MAX, VALUE_MAX
from steward.intake.service.notices import NoticeLine
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, envelope
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_requires
from steward.web.ids import MAX_ID, Id

router = APIRouter(tags=["intake"], dependencies=[Depends(require_json)])
_REVIEW = [Depends(api_requires(Permission.INTAKE_REVIEW))]
PartnerFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class HeldLineRead(BaseModel):
    row_id: int
    partner_id: int
    partner_name: str
    dataset: str
    dataset_title: str
    submission_id: int
    submitted_at: datetime
    row_number: int = Field(description="As the partner numbers it: the header is row 1")
    codes: list[Code] = Field(description="What the row is held for (policy codes)")
    issues: list[str] = Field(description="The codes' titles, in the same order")
    age_days: int = Field(description="Days since the submission was received")


class HeldIssueRead(BaseModel):
    field: str | None = Field(description="None: the row as a whole")
    field_label: str | None
    code: Code
    title: str
    message: str


class HeldFieldRead(BaseModel):
    name: str
    label: str
    value: str | None = Field(description="As the partner sent it")
    opinion: bool = Field(description="The partner's professional view, not a fact")
    compared: bool = Field(description="The recorded person has a value to set beside it")
    recorded: str | None
    differs: bool
    codes: list[str]


class HeldIdentifierRead(BaseModel):
    scheme: str
    value: str


class HeldCaseRead(BaseModel):
    case_id: int
    case_number: str
    status: str
    role: str | None


class HeldCandidateRead(BaseModel):
    person_id: int
    name: str
    date_of_birth: date | None
    identifiers: list[HeldIdentifierRead]
    addresses: list[str]
    cases: list[HeldCaseRead]


class HeldSourceRead(BaseModel):
    partner_id: int
    partner_name: str
    agreement_reference: str | None
    submission_id: int
    submitted_at: datetime
    dataset: str
    dataset_version: int
    row_number: int


class HeldRowRead(BaseModel):
    row_id: int
    outcome: str
    source: HeldSourceRead
    case: HeldCaseRead | None
    issues: list[HeldIssueRead]
    fields: list[HeldFieldRead]
    candidate: HeldCandidateRead | None
    ask_same_person: bool = Field(
        description="True: a decision to accept or correct must say link_to_candidate"
    )
    differences: list[str] = Field(description="Fields whose value differs from the record")
    decision: str | None
    decided_at: datetime | None


class DecisionIn(StrictInput):
    decision: Decision
    reason: str = Field(min_length=1, max_length=REASON_MAX)
    corrected: dict[str, Annotated[str, Field(max_length=VALUE_MAX)] | None] | None = Field(
        None,
        max_length=50,
        description="For 'correct': field name -> corrected value (the others stay as sent)",
    )
    link_to_candidate: bool | None = Field(
        None, description="The row is the recorded candidate (true) or someone new (false)"
    )


class DecisionRead(BaseModel):
    row_id: int
    outcome: str
    decision: str
    person_id: int | None
    document_id: int | None
    linked: bool
    corrected_fields: list[str]
    notice_id: int | None
    messages: int = Field(description="Emails to the partner's contacts put in the outbox")


class NoticeRead(BaseModel):
    id: int
    partner_id: int
    partner_name: str
    submission_id: int | None
    dataset_title: str | None
    row_number: int | None
    fields: list[str] = Field(description="Names of the fields corrected (never the values)")
    field_labels: list[str]
    created_at: datetime
    sent_at: datetime | None
    email: str = Field(description="sent, queued (in the outbox), failed, or none")
    origin: str | None


class PartnerCorrectionRead(BaseModel):
    corrected_on: datetime
    submission_id: int | None
    dataset_title: str | None
    row_number: int | None
    fields: list[str]
    field_labels: list[str]


class PartnerCorrectionsRead(ApiPage[PartnerCorrectionRead]):
    """One page of the corrections made to your organisation's data, newest first."""

    linked: bool = Field(description="False: the account is linked to no partner yet")
    partner_name: str | None


@router.get("/intake/held", dependencies=_REVIEW)
def held(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    partner: PartnerFilter = None,
    code: Annotated[
        Code | None,
        Query(
            description="What rows are held for: a person.*, dob.*, case.closed "
            "or earlier.differs code (any other answers 422)"
        ),
    ] = None,
) -> ApiPage[HeldLineRead]:
    """Held rows, oldest first; ``partner`` (an id) and ``code`` (what it is
    held for, e.g. person.conflict) narrow it. No value from a row is listed."""
    found = review.held_rows(db, actor, page, partner_id=partner, code=code)
    return ApiPage.of(found, lambda line: HeldLineRead(**vars(line)))


@router.get("/intake/held/{row_id}", dependencies=_REVIEW)
def held_row(db: DB, keyring: Keyring, actor: ApiActor, row_id: Id) -> HeldRowRead:
    """One held row: its values as sent (this read is recorded), its issues, its source, and
    the recorded person it may be, field by field."""
    row = review.held_row(db, keyring, actor, row_id)
    c = row.candidate
    return HeldRowRead(
        row_id=row.row_id,
        outcome=row.outcome,
        source=HeldSourceRead(
            partner_id=row.source.partner_id,
            partner_name=row.source.partner_name,
            agreement_reference=row.source.agreement_reference,
            submission_id=row.source.submission_id,
            submitted_at=row.source.submitted_at,
            dataset=row.source.dataset,
            dataset_version=row.source.dataset_version,
            row_number=row.source.row_number,
        ),
        case=HeldCaseRead(**vars(row.case)) if row.case else None,
        issues=[HeldIssueRead(**vars(i)) for i in row.issues],
        fields=[
            HeldFieldRead(
                name=f.name,
                label=f.label,
                value=f.value,
                opinion=f.opinion,
                compared=f.compared,
                recorded=f.recorded,
                differs=f.differs,
                codes=[i.code for i in f.issues],
            )
            for f in row.fields
        ],
        candidate=HeldCandidateRead(
            person_id=c.person_id,
            name=c.name,
            date_of_birth=c.date_of_birth,
            identifiers=[HeldIdentifierRead(scheme=s, value=v) for s, v in c.identifiers],
            addresses=c.addresses,
            cases=[HeldCaseRead(**vars(k)) for k in c.cases],
        )
        if c
        else None,
        ask_same_person=row.ask_same_person,
        differences=row.differences,
        decision=row.decided.decision if row.decided else None,
        decided_at=row.decided.decided_at if row.decided else None,
    )


@router.post(
    "/intake/held/{row_id}/decision",
    dependencies=_REVIEW,
    responses={
        409: {"description": "Already decided, or an identifier another person holds"},
        422: {"description": "No reason, a bad corrected value, or link_to_candidate missing"},
    },
)
def decide(
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: ApiActor,
    row_id: Id,
    body: DecisionIn,
) -> DecisionRead:
    """Accept the row as sent, correct it (the partner is told which fields, and by email
    the values), or reject it; always with a reason, kept sealed."""
    done = decisions.decide(
        db,
        keyring,
        actor,
        row_id=row_id,
        decision=body.decision,
        reason=body.reason,
        corrected=body.corrected,
        link_to_candidate=body.link_to_candidate,
        settings=settings,
    )
    return DecisionRead(
        row_id=done.row_id,
        outcome=done.outcome.value,
        decision=done.decision.value,
        person_id=done.person_id,
        document_id=done.document_id,
        linked=done.linked,
        corrected_fields=done.corrected_fields,
        notice_id=done.notice_id,
        messages=done.messages,
    )


def _notice(line: NoticeLine) -> NoticeRead:
    return NoticeRead(
        id=line.notice_id,
        partner_id=line.partner_id,
        partner_name=line.partner_name,
        submission_id=line.submission_id,
        dataset_title=line.dataset_title,
        row_number=line.row_number,
        fields=line.field_names,
        field_labels=line.fields,
        created_at=line.created_at,
        sent_at=line.sent_at,
        email=line.email,
        origin=line.origin,
    )


@router.get("/intake/notices", dependencies=_REVIEW)
def notice_list(
    db: DB, actor: ApiActor, page: ApiPageQuery, partner: PartnerFilter = None
) -> ApiPage[NoticeRead]:
    """Corrections told to partners, newest first: field names only."""
    found = notices.notices(db, actor, page, partner_id=partner)
    return ApiPage.of(found, _notice)


@router.get("/intake/corrections")
def partner_corrections(db: DB, actor: ApiActor, page: ApiPageQuery) -> PartnerCorrectionsRead:
    """For a partner account: corrections made to its own organisation's data (field names;
    the values are in the email to its contacts)."""
    found = notices.corrections_for_partner(db, actor, page)
    return PartnerCorrectionsRead(
        **envelope(found.page, _correction),
        linked=found.partner_name is not None,
        partner_name=found.partner_name,
    )


def _correction(line: Any) -> PartnerCorrectionRead:
    return PartnerCorrectionRead(
        corrected_on=line.created_at,
        submission_id=line.submission_id,
        dataset_title=line.dataset_title,
        row_number=line.row_number,
        fields=line.field_names,
        field_labels=line.fields,
    )
