"""The disposal API (/api/v1/retention/disposal): lists proposed, decided item by item,
approved by a second person, carried out as a background job, and their certificates.

Through the services the pages use (retention_disposal_pages), which check each permission
and record each change: nothing is destroyed by default, every item needs a decision, and
the approver must be someone who neither proposed the list nor decided any of its items.
Records are named by case number or file reference, people by username.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from steward.core import auth, jobs
from steward.core.permissions import Actor, Permission
from steward.core.schemas import StrictInput
from steward.retention.models import (
    Decision,
    DisposalItem,
    DisposalList,
    DisposalStatus,
    Outcome,
)
from steward.retention.service import certificate_pdf, certificates, disposal, sealing
from steward.retention.service import jobs as retention_jobs
from steward.web.api import require_json
from steward.web.api_contract import API_PREFIX, ApiPage, ApiPageQuery
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_requires
from steward.web.downloads import download_response
from steward.web.ids import MAX_ID, Id
from steward.web.jobs_api import JobRead, job_url
from steward.web.jobs_pages import job_queue

router = APIRouter(tags=["retention"], dependencies=[Depends(require_json)])
MANAGE = [Depends(api_requires(Permission.RETENTION_MANAGE))]
APPROVE = [Depends(api_requires(Permission.RETENTION_APPROVE))]
NOT_IN_REVIEW: dict[int | str, dict[str, Any]] = {
    409: {"description": "Not possible in the list's current state"}
}


class DisposalListRead(BaseModel):
    id: int
    reference: str = Field(description="e.g. DL-2026-0001")
    as_of: date = Field(description="Records due on or before this date were proposed")
    status: DisposalStatus = Field(
        description="in_review (items being decided), approved, executing, completed, cancelled"
    )
    schedule_version: int
    proposed_at: datetime
    proposed_by: str | None = Field(description="Username of who proposed it")
    approved_at: datetime | None
    approved_by: str | None = Field(description="Username of the second person who approved it")
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def of(cls, found: DisposalList, names: dict[int, str]) -> DisposalListRead:
        return cls(
            id=found.id,
            reference=found.reference,
            as_of=found.as_of,
            status=DisposalStatus(found.status),
            schedule_version=found.schedule_version,
            proposed_at=found.proposed_at,
            proposed_by=names.get(found.proposed_by_user_id or 0),
            approved_at=found.approved_at,
            approved_by=names.get(found.approved_by_user_id or 0),
            started_at=found.started_at,
            completed_at=found.completed_at,
        )


class DisposalCounts(BaseModel):
    total: int
    undecided: int
    destroy: int
    retain: int
    cases_to_destroy: int
    paper_to_destroy: int
    other_to_destroy: int = Field(description="Records of other kinds to destroy")


class DisposalListDetail(DisposalListRead):
    counts: DisposalCounts
    may_approve: bool = Field(description="Whether you may give the second approval now")
    approval_refusal: str | None = Field(description="Why you may not approve it, if you may not")
    items: str = Field(description="Where its items are listed, a page at a time")
    job: JobRead | None = Field(description="The latest run carrying it out, if any")
    certificate: str | None = Field(description="Its destruction certificate, once carried out")


def _detail(db: Session, actor: Actor, list_id: int) -> DisposalListDetail:
    found = disposal.list_header(db, actor, list_id)
    summary = disposal.summarise(db, actor, list_id)
    names = auth.usernames(
        db, (u for u in (found.proposed_by_user_id, found.approved_by_user_id) if u is not None)
    )
    job = jobs.latest_for(db, retention_jobs.DISPOSAL, found.id)
    base = f"{API_PREFIX}/retention/disposal/{found.id}"
    return DisposalListDetail(
        **DisposalListRead.of(found, names).model_dump(),
        counts=DisposalCounts(
            total=summary.total,
            undecided=summary.undecided,
            destroy=summary.destroy,
            retain=summary.retain,
            cases_to_destroy=summary.cases_to_destroy,
            paper_to_destroy=summary.paper_to_destroy,
            other_to_destroy=summary.other_to_destroy,
        ),
        may_approve=disposal.may_approve_now(actor, found, summary),
        approval_refusal=disposal.approval_refusal(actor, found, summary.deciders),
        items=f"{base}/items",
        job=JobRead.of(db, job) if job is not None else None,
        certificate=f"{base}/certificate" if found.status == DisposalStatus.COMPLETED else None,
    )


class DisposalItemRead(BaseModel):
    id: int
    record_kind: str = Field(description="case, paper_file, or a kind another part registers")
    record_id: int
    identifier: str = Field(description="The case number or file reference")
    class_code: str
    rule_version: int
    action: str
    trigger_on: date | None
    due_on: date
    decision: Decision = Field(description="pending, destroy or retain")
    decided_at: datetime | None
    decided_by: str | None = Field(description="Username of who decided it")
    retain_reason: str | None = Field(description="Why it is kept, when retained")
    review_on: date | None = Field(description="When a retained record is looked at again")
    outcome: Outcome = Field(description="What carrying the list out did to it")
    executed_at: datetime | None


class DisposalPropose(StrictInput):
    model_config = ConfigDict(json_schema_extra={"examples": [{"as_of": "2026-12-31"}]})

    as_of: date = Field(description="Propose every record due for destruction or review by then")


class DisposalDecision(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision": "retain",
                    "item_ids": [501],
                    "reason": "Linked to an open inquiry",
                    "review_on": "2027-06-30",
                },
                {"decision": "destroy"},
            ]
        }
    )

    decision: Literal["destroy", "retain"]
    item_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list,
        max_length=50_000,
        description="The items decided; empty: every item still undecided",
    )
    reason: str | None = Field(
        None, max_length=4000, description="Why the records are kept (10 to 2,000 characters)"
    )
    review_on: date | None = Field(
        None, description="To retain: when they are reviewed again, a future date"
    )


class DecisionsRecorded(BaseModel):
    decided: int = Field(description="How many items this decision was recorded for")
    undecided: int = Field(description="How many items of the list still need a decision")


class CertificateRule(BaseModel):
    class_code: str
    rule_version: int
    schedule_version: int


class CertificateRead(BaseModel):
    reference: str
    list_id: int
    issued_at: datetime
    destroyed_count: int
    paper_count: int = Field(description="Paper files marked for the destruction contractor")
    kept_count: int
    method: str
    rules: list[CertificateRule] = Field(description="The rules the records were destroyed under")
    proposed_by: str | None
    decided_by: list[str]
    approved_by: str | None
    executed_by: str | None
    sha256: str = Field(description="SHA-256 of the canonical list of items")


@router.get("/retention/disposal", dependencies=MANAGE)
def list_disposal_lists(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[DisposalListRead]:
    """Disposal lists, newest first."""
    listed = disposal.lists_page(db, actor, page)
    people = {u for d in listed.items for u in (d.proposed_by_user_id, d.approved_by_user_id)}
    names = auth.usernames(db, (u for u in people if u is not None))
    return ApiPage.of(listed, lambda d: DisposalListRead.of(d, names))


@router.post(
    "/retention/disposal",
    status_code=201,
    responses={409: {"description": "Nothing is due by that date, or no schedule is approved"}},
    dependencies=MANAGE,
)
def propose(db: DB, actor: ApiActor, body: DisposalPropose) -> DisposalListDetail:
    """Propose a list of everything due for destruction or review by a date (held records
    and those on another open list left out). Its items then each need a decision."""
    made = disposal.propose(db, actor, as_of=body.as_of)
    return _detail(db, actor, made.id)


@router.get("/retention/disposal/{list_id}", dependencies=MANAGE)
def get_disposal_list(db: DB, actor: ApiActor, list_id: Id) -> DisposalListDetail:
    """One list: where its decisions stand, whether you may approve it, its latest run."""
    return _detail(db, actor, list_id)


@router.get("/retention/disposal/{list_id}/items", dependencies=MANAGE)
def list_items(
    db: DB, actor: ApiActor, kek: Keyring, list_id: Id, page: ApiPageQuery
) -> ApiPage[DisposalItemRead]:
    """A list's items, earliest due first, with each decision and its outcome."""
    disposal.list_header(db, actor, list_id)
    items = disposal.items_page(db, actor, list_id, page)
    names = auth.usernames(db, (i.decided_by_user_id for i in items.items if i.decided_by_user_id))

    def read(item: DisposalItem) -> DisposalItemRead:
        return DisposalItemRead(
            id=item.id,
            record_kind=str(item.record_kind),
            record_id=item.record_id,
            identifier=item.identifier,
            class_code=item.class_code,
            rule_version=item.rule_version,
            action=item.action,
            trigger_on=item.trigger_on,
            due_on=item.due_on,
            decision=Decision(item.decision),
            decided_at=item.decided_at,
            decided_by=names.get(item.decided_by_user_id or 0),
            retain_reason=sealing.retain_reason(db, kek, item) if item.review_on else None,
            review_on=item.review_on,
            outcome=Outcome(item.outcome),
            executed_at=item.executed_at,
        )

    return ApiPage.of(items, read)


@router.post(
    "/retention/disposal/{list_id}/decisions",
    responses={
        404: {"description": "No such list, or some of the items are not on it"},
        **NOT_IN_REVIEW,
    },
    dependencies=MANAGE,
)
def decide(
    db: DB, actor: ApiActor, kek: Keyring, list_id: Id, body: DisposalDecision
) -> DecisionsRecorded:
    """Record one decision, destroy or retain, for the items named, or for every item still
    undecided. To retain, say why and when the records are reviewed again."""
    decided = disposal.decide(
        db,
        actor,
        kek,
        list_id=list_id,
        item_ids=body.item_ids,
        decision=body.decision,
        reason=body.reason,
        review_on=body.review_on,
    )
    return DecisionsRecorded(
        decided=decided, undecided=disposal.summarise(db, actor, list_id).undecided
    )


@router.post(
    "/retention/disposal/{list_id}/approve",
    responses={409: {"description": "Not in review, or some items have no decision yet"}},
    dependencies=APPROVE,
)
def approve(db: DB, actor: ApiActor, kek: Keyring, list_id: Id) -> DisposalListDetail:
    """The second approval: by someone who neither proposed the list nor decided any of its
    items (403 otherwise, saying so). Retained records get their review date now."""
    disposal.approve(db, actor, kek, list_id=list_id)
    return _detail(db, actor, list_id)


@router.post(
    "/retention/disposal/{list_id}/carry-out",
    status_code=202,
    responses={
        202: {
            "description": "Started (or already running): follow the job at `url`, also in "
            "the Location header",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        409: {"description": "Only an approved list can be carried out"},
    },
    dependencies=APPROVE,
)
def carry_out(
    request: Request, response: Response, db: DB, actor: ApiActor, list_id: Id
) -> JobRead:
    """Destroy the approved items, in the background: answers at once with the job, to be
    followed until it is finished; then the certificate is issued. Starting it again while
    it runs answers the running job; after an interruption, it carries on."""
    job = retention_jobs.start_disposal(db, actor, job_queue(request), list_id=list_id)
    response.headers["Location"] = job_url(job.id)
    return JobRead.of(db, job)


@router.get(
    "/retention/disposal/{list_id}/certificate.pdf",
    dependencies=MANAGE,
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}},
            "description": "The certificate as an A4 PDF to sign and file",
        },
        404: {"description": "The list has not been carried out: it has no certificate yet"},
    },
)
def certificate_pdf_download(
    db: DB, actor: ApiActor, settings: AppSettings, list_id: Id
) -> Response:
    """The destruction certificate as a PDF, to save (attachment): what the page's download
    gives. Printing it is on record."""
    name, data = certificate_pdf.printed(
        db, actor, list_id=list_id, organisation=settings.organisation_name
    )
    return download_response(name, "application/pdf", data)


@router.get("/retention/disposal/{list_id}/certificate", dependencies=MANAGE)
def certificate(db: DB, actor: ApiActor, list_id: Id) -> CertificateRead:
    """The destruction certificate of a list carried out: counts, rules, who took each step,
    and a digest of the items."""
    cert = certificates.certificate_for(db, actor, list_id=list_id)
    return CertificateRead(
        reference=cert.reference,
        list_id=cert.list_id,
        issued_at=cert.issued_at,
        destroyed_count=cert.destroyed_count,
        paper_count=cert.paper_count,
        kept_count=cert.kept_count,
        method=cert.method,
        rules=[
            CertificateRule(
                class_code=r.class_code,
                rule_version=r.rule_version,
                schedule_version=r.schedule_version,
            )
            for r in cert.rules
        ],
        proposed_by=cert.proposed_by,
        decided_by=cert.decided_by,
        approved_by=cert.approved_by,
        executed_by=cert.executed_by,
        sha256=cert.sha256,
    )
