"""Audits, the action plan, attestations and self-assessment through the API
(/api/v1/assurance/...): every page action, through the same services, which check who may
do what (assurance:view reads, assurance:manage records; an action's owner reads and updates
their own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import Field

from steward.assurance.areas import Area, Rating
from steward.assurance.audits.models import Audit
from steward.assurance.audits.policy import ActionStatus, AuditKind, Priority
from steward.assurance.audits.schemas import (
    ActionDetail,
    ActionPlanSummaryRead,
    ActionRead,
    AreaRatingRead,
    AreaStandingRead,
    AssessmentRead,
    AttestationDetail,
    AttestationRead,
    AttestationSummaryRead,
    AuditDetail,
    AuditRead,
    FollowUpRead,
    PriorityCountRead,
    UpdateRead,
)
from steward.assurance.audits.service import actions, assessments, attestations, audits
from steward.core import clock
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.web.api import require_json, require_multipart
from steward.web.api_contract import (
    ApiPage,
    ApiPageQuery,
    IsoDate,
    page_of_list,
    refuse_unknown_query,
)
from steward.web.deps import DB, ApiActor, Keyring, api_requires
from steward.web.downloads import download_response
from steward.web.ids import Id

router = APIRouter(
    prefix="/assurance", tags=["assurance"], dependencies=[Depends(refuse_unknown_query)]
)
VIEW = Depends(api_requires(Permission.ASSURANCE_VIEW))
MANAGE = Depends(api_requires(Permission.ASSURANCE_MANAGE))
JSON = Depends(require_json)
MULTIPART = Depends(require_multipart)
FilterText = Annotated[str, Query(max_length=16)]
Short = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=4000)]
FILE: dict[int | str, dict[str, Any]] = {200: {"content": {"application/octet-stream": {}}}}


class AuditCreate(StrictInput):
    title: Short
    kind: AuditKind
    auditor: Short
    started_on: IsoDate
    reported_on: IsoDate
    overall_rating: Rating | None = None
    areas: dict[Area, Rating | None] = Field(
        description="Each area in the audit's scope, with its rating (null: in scope, not rated)",
        min_length=1,
    )


class RecommendationCreate(StrictInput):
    reference: Annotated[str, Field(max_length=16)]
    area: Area | None = None
    text: Text
    priority: Priority
    owner: Annotated[str, Field(max_length=64, description="The owner's username")]
    agreed_on: IsoDate


class ActionChange(StrictInput):
    owner: Annotated[str, Field(max_length=64, description="The owner's username")]
    priority: Priority
    agreed_on: IsoDate


class FollowUpCreate(StrictInput):
    reviewed_on: IsoDate
    findings: Text
    rating: Rating | None = Field(
        None, description="The overall rating since the review; null leaves it unchanged"
    )


class AssessmentCreate(StrictInput):
    rating: Rating
    statement: Text
    assessed_on: IsoDate


def _audit(row: Audit) -> AuditRead:
    return AuditRead(
        id=row.id,
        title=row.title,
        kind=AuditKind(row.kind),
        auditor=row.auditor,
        started_on=row.started_on,
        reported_on=row.reported_on,
        overall_rating=Rating(row.overall_rating) if row.overall_rating else None,
    )


def _action(line: actions.ActionLine) -> ActionRead:
    return ActionRead(
        id=line.id,
        audit_id=line.audit_id,
        audit_title=line.audit_title,
        reference=line.reference,
        area=Area(line.area) if line.area else None,
        text=line.text,
        priority=line.priority,
        status=line.status,
        owner=line.owner,
        agreed_on=line.agreed_on,
        completed_on=line.completed_on,
        overdue=line.overdue,
        red=line.red,
    )


@router.get("/audits", dependencies=[VIEW])
def list_audits(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[AuditRead]:
    """Audits, the latest report first."""
    return ApiPage.of(audits.list_audits(db, actor, page), _audit)


def _detail(db: DB, kek: Any, actor: ApiActor, audit_id: int) -> AuditDetail:
    view = audits.view_audit(db, kek, actor, audit_id)
    today = clock.today()
    titles = view.audit.title
    return AuditDetail(
        **_audit(view.audit).model_dump(),
        areas=[AreaRatingRead(area=a, rating=r) for a, r in view.areas],
        recommendations=[
            _action(actions._line(r, titles, view.owners.get(r.owner_id, ""), today))
            for r in view.recommendations
        ],
        follow_ups=[
            FollowUpRead(
                id=f.id,
                reviewed_on=f.reviewed_on,
                rating=f.rating,
                findings=f.findings,
                recorded_by=f.recorded_by,
            )
            for f in view.follow_ups
        ],
    )


@router.post("/audits", status_code=201, dependencies=[MANAGE, JSON])
def record_audit(db: DB, kek: Keyring, actor: ApiActor, body: AuditCreate) -> AuditDetail:
    """Record an audit with its scope: each area with its rating, or null when not rated."""
    row = audits.record_audit(
        db,
        actor,
        audits.NewAudit(
            title=body.title,
            kind=body.kind.value,
            auditor=body.auditor,
            started_on=body.started_on,
            reported_on=body.reported_on,
            overall_rating=body.overall_rating.value if body.overall_rating else "",
            areas={a.value: r.value if r else audits.UNRATED for a, r in body.areas.items()},
        ),
    )
    return _detail(db, kek, actor, row.id)


@router.get("/audits/{audit_id}", dependencies=[VIEW])
def get_audit(db: DB, kek: Keyring, actor: ApiActor, audit_id: Id) -> AuditDetail:
    """An audit, its areas and ratings, its recommendations and follow-up reviews."""
    return _detail(db, kek, actor, audit_id)


@router.post("/audits/{audit_id}/recommendations", status_code=201, dependencies=[MANAGE, JSON])
def add_recommendation(
    db: DB, actor: ApiActor, audit_id: Id, body: RecommendationCreate
) -> ActionRead:
    rec = audits.add_recommendation(
        db,
        actor,
        audit_id,
        audits.NewRecommendation(
            reference=body.reference,
            area=body.area.value if body.area else "",
            text=body.text,
            priority=body.priority.value,
            owner=body.owner,
            agreed_on=body.agreed_on,
        ),
    )
    return _action(actions._one_line(db, rec, clock.today()))


@router.post("/audits/{audit_id}/follow-ups", status_code=201, dependencies=[MANAGE, JSON])
def record_follow_up(
    db: DB, kek: Keyring, actor: ApiActor, audit_id: Id, body: FollowUpCreate
) -> FollowUpRead:
    row = audits.record_follow_up(
        db,
        kek,
        actor,
        audit_id,
        reviewed_on=body.reviewed_on,
        findings=body.findings,
        rating=body.rating.value if body.rating else "",
    )
    return FollowUpRead(
        id=row.id,
        reviewed_on=row.reviewed_on,
        rating=body.rating,
        findings=body.findings.strip(),
        recorded_by=None,
    )


@router.get("/actions", dependencies=[VIEW])
def action_plan(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    priority: FilterText = "",
    status: FilterText = "",
    owner: FilterText = "",
    overdue: FilterText = "",
) -> ApiPage[ActionRead]:
    """The action plan: open actions unless ``status`` is ``all`` or one status; ``priority``,
    ``owner`` (an account id) and ``overdue`` (yes) narrow it."""
    wanted = actions.ActionFilter.read(
        priority=priority, status=status, owner=owner, overdue=overdue
    )
    return ApiPage.of(actions.action_plan(db, actor, page, wanted), _action)


@router.get("/action-plan/summary", dependencies=[VIEW])
def action_plan_summary(
    db: DB, as_of: Annotated[IsoDate | None, Query()] = None
) -> ActionPlanSummaryRead:
    """Open and overdue actions by priority on ``as_of`` (today unless given)."""
    found = actions.action_plan_summary(db, as_of or clock.today())
    return ActionPlanSummaryRead(
        as_of=found.as_of,
        open=found.open,
        overdue=found.overdue,
        red=found.red,
        by_priority=[
            PriorityCountRead(priority=c.priority, open=c.open, overdue=c.overdue)
            for c in found.by_priority
        ],
    )


@router.get("/my-actions")
def my_actions(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[ActionRead]:
    """The caller's own actions, open ones first."""
    return ApiPage.of(actions.my_actions(db, actor, page), _action)


@router.get("/actions/{recommendation_id}", responses={403: {"description": "Not yours"}})
def get_action(db: DB, kek: Keyring, actor: ApiActor, recommendation_id: Id) -> ActionDetail:
    """An action and its updates: for assurance:view, or its owner."""
    view = actions.view_action(db, kek, actor, recommendation_id)
    return ActionDetail(
        **_action(view.line).model_dump(),
        reason_not_accepted=view.reason,
        updates=[
            UpdateRead(
                id=u.id,
                posted_at=u.posted_at,
                posted_by=u.posted_by,
                status_from=u.status_from,
                status_to=u.status_to,
                note=u.note,
                evidence=u.evidence_name is not None,
            )
            for u in view.updates
        ],
    )


@router.post(
    "/actions/{recommendation_id}/updates",
    status_code=201,
    dependencies=[MULTIPART],
    responses={403: {"description": "Not yours, or a status only the DPO may set"}},
)
def post_update(
    db: DB,
    kek: Keyring,
    actor: ApiActor,
    recommendation_id: Id,
    note: Annotated[str, Form(max_length=4000, description="What has been done")],
    status: Annotated[str, Form(max_length=16, description="The new status; empty keeps it")] = "",
    reason: Annotated[
        str, Form(max_length=4000, description="Why not accepted (with not_accepted)")
    ] = "",
    evidence: Annotated[
        UploadFile | None, File(description="PDF, DOCX, JPEG or PNG, up to 10 MB")
    ] = None,
) -> UpdateRead:
    """A dated update by the action's owner or the DPO, with evidence if there is some."""
    data = evidence.file.read() if evidence is not None else None
    update = actions.post_update(
        db, kek, actor, recommendation_id, actions.NewUpdate(note, status, reason, data)
    )
    return UpdateRead(
        id=update.id,
        posted_at=update.posted_at,
        posted_by=None,
        status_from=ActionStatus(update.status_from),
        status_to=ActionStatus(update.status_to),
        note=note.strip(),
        evidence=update.evidence_sealed is not None,
    )


@router.post("/actions/{recommendation_id}", dependencies=[MANAGE, JSON])
def change_action(db: DB, actor: ApiActor, recommendation_id: Id, body: ActionChange) -> ActionRead:
    """A new owner, priority or agreed date."""
    row = actions.change_action(
        db,
        actor,
        recommendation_id,
        owner=body.owner,
        priority=body.priority.value,
        agreed_on=body.agreed_on,
    )
    return _action(actions._one_line(db, row, clock.today()))


@router.get(
    "/actions/{recommendation_id}/updates/{update_id}/evidence",
    response_class=Response,
    responses=FILE,
)
def action_evidence(
    db: DB, kek: Keyring, actor: ApiActor, recommendation_id: Id, update_id: Id
) -> Response:
    found = actions.evidence(db, kek, actor, recommendation_id, update_id)
    return download_response(found.filename, found.media_type, found.data)


def _attestation(line: attestations.AttestationLine) -> AttestationRead:
    return AttestationRead(
        id=line.id,
        title=line.title,
        expectation_id=line.expectation_id,
        attested_on=line.attested_on,
        review_on=line.review_on,
        state=line.state,
        recorded_by=line.recorded_by,
    )


@router.get("/attestations", dependencies=[VIEW])
def list_attestations(
    db: DB, actor: ApiActor, page: ApiPageQuery, state: FilterText = ""
) -> ApiPage[AttestationRead]:
    """Attestations, the soonest review first; ``state``: current, due_soon or expired."""
    chosen = attestations.read_state(state)
    return ApiPage.of(attestations.list_attestations(db, actor, page, chosen), _attestation)


@router.get("/attestations/summary", dependencies=[VIEW])
def attestation_summary(
    db: DB, as_of: Annotated[IsoDate | None, Query()] = None
) -> AttestationSummaryRead:
    found = attestations.attestation_summary(db, as_of or clock.today())
    return AttestationSummaryRead(
        as_of=found.as_of, current=found.current, due_soon=found.due_soon, expired=found.expired
    )


@router.post("/attestations", status_code=201, dependencies=[MANAGE, MULTIPART])
def record_attestation(
    db: DB,
    kek: Keyring,
    actor: ApiActor,
    title: Annotated[str, Form(max_length=200)],
    expectation_id: Annotated[str, Form(max_length=64)],
    statement: Annotated[str, Form(max_length=4000)],
    attested_on: Annotated[IsoDate, Form()],
    review_on: Annotated[IsoDate, Form()],
    document: Annotated[UploadFile, File(description="PDF, DOCX, JPEG or PNG, up to 10 MB")],
) -> AttestationDetail:
    """A statement with its document and review date."""
    row = attestations.record_attestation(
        db,
        kek,
        actor,
        attestations.NewAttestation(
            title, expectation_id, statement, attested_on, review_on, document.file.read()
        ),
    )
    return _attestation_detail(db, kek, actor, row.id)


def _attestation_detail(
    db: DB, kek: Any, actor: ApiActor, attestation_id: int
) -> AttestationDetail:
    view = attestations.view_attestation(db, kek, actor, attestation_id)
    return AttestationDetail(
        **_attestation(view.line).model_dump(),
        statement=view.statement,
        document_type=view.document_type,
    )


@router.get("/attestations/{attestation_id}", dependencies=[VIEW])
def get_attestation(db: DB, kek: Keyring, actor: ApiActor, attestation_id: Id) -> AttestationDetail:
    return _attestation_detail(db, kek, actor, attestation_id)


@router.get(
    "/attestations/{attestation_id}/document",
    dependencies=[VIEW],
    response_class=Response,
    responses=FILE,
)
def attestation_document(db: DB, kek: Keyring, actor: ApiActor, attestation_id: Id) -> Response:
    found = attestations.document(db, kek, actor, attestation_id)
    return download_response(found.filename, found.media_type, found.data)


@router.get("/self-assessment", dependencies=[VIEW])
def self_assessment(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[AreaStandingRead]:
    """Every ICO audit area: its current self-assessment and the latest audit's rating."""
    lines = assessments.standing(db, actor)
    return ApiPage.of(
        page_of_list(lines, page),
        lambda s: AreaStandingRead(
            area=s.area,
            rating=s.rating,
            assessed_on=s.assessed_on,
            assessed_by=s.assessed_by,
            audit_rating=s.audit_rating,
            audit_id=s.audit.id if s.audit else None,
        ),
    )


@router.get(
    "/self-assessment/{area}",
    dependencies=[VIEW],
    responses={404: {"description": "No such area"}},
)
def assessment_history(
    db: DB, kek: Keyring, actor: ApiActor, area: Area, page: ApiPageQuery
) -> ApiPage[AssessmentRead]:
    """The area's assessments, the current one first; superseded ones are kept."""
    return ApiPage.of(
        assessments.history(db, kek, actor, area, page),
        lambda h: AssessmentRead(
            id=h.id,
            area=area,
            rating=h.rating,
            assessed_on=h.assessed_on,
            assessed_by=h.assessed_by,
            statement=h.statement,
            current=h.current,
        ),
    )


@router.post("/self-assessment/{area}", status_code=201, dependencies=[MANAGE, JSON])
def record_assessment(
    db: DB, kek: Keyring, actor: ApiActor, area: Area, body: AssessmentCreate
) -> AssessmentRead:
    """A new self-assessment of the area: it supersedes the current one."""
    row = assessments.record_assessment(
        db,
        kek,
        actor,
        area,
        rating=body.rating.value,
        statement=body.statement,
        assessed_on=body.assessed_on,
    )
    return AssessmentRead(
        id=row.id,
        area=area,
        rating=body.rating,
        assessed_on=row.assessed_on,
        assessed_by=None,
        statement=body.statement.strip(),
        current=True,
    )
