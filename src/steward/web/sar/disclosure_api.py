"""The disclosure review API (/api/v1/sar/...): the documents in scope, one document's review,
deciding and adding redactions, withholding, sending for approval and approving, for
automation. The same services as the pages: they check the permission and record each read
and change. What is redacted travels only in bodies, never in URLs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from steward.core.errors import NotFound
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.redaction.spans import Code
from steward.sar.disclosure_models import DetectStatus, ItemStatus
from steward.sar.service import disclosure, disclosure_store
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, envelope
from steward.web.deps import DB, ApiActor, Keyring, api_requires
from steward.web.ids import Id

router = APIRouter(
    tags=["subject access"], dependencies=[Depends(api_requires(Permission.SAR_MANAGE))]
)

REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not handle subject access requests"},
    404: {"description": "No such request, document or redaction"},
    409: {"description": "The disclosure is not open for this change (sent, approved, finished)"},
}


class DisclosureStateRead(BaseModel):
    status: str = Field(description="open, submitted or approved")
    prepared_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    job_id: int | None
    documents: int
    to_review: int
    withheld: int
    undecided: int
    accepted: int


class DisclosureItemRead(BaseModel):
    id: int
    title: str
    case_number: str | None
    created_on: date | None
    status: ItemStatus
    detect_status: DetectStatus
    withheld_code: str | None
    proposed: int
    accepted: int
    rejected: int
    kept: int


class DisclosureRead(ApiPage[DisclosureItemRead]):
    """One page of the documents in scope, and where the disclosure stands."""

    state: DisclosureStateRead | None


class RedactionRead(BaseModel):
    id: int
    page: int
    start: int = Field(description="Character offset (Python str index) into the page's text")
    end: int
    text: str
    label: str
    code: str
    source: str
    decision: str
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    group: str = Field(
        description='Key for accepting all of one person: "person:<id>" or "text:<id>"'
    )


class DisclosureReviewRead(BaseModel):
    id: int
    title: str
    status: str
    kind: str
    withheld_code: str | None
    pages: list[str] = Field(description="Each page's text, as the offsets count it")
    redactions: list[RedactionRead]
    kept: list[dict[str, Any]]


class DecisionRequest(StrictInput):
    accept: bool
    code: Code | None = None


class RedactionRequest(StrictInput):
    page: int | None = Field(None, ge=0, le=100_000)
    start: int | None = Field(None, ge=0, le=100_000_000)
    end: int | None = Field(None, ge=0, le=100_000_000)
    text: str | None = Field(
        None, max_length=500, description="Without offsets: every occurrence on the document"
    )
    code: Code
    reason: str = Field("", max_length=2000)


class AddedRead(BaseModel):
    redaction_id: int | None
    added: int


class WithholdRequest(StrictInput):
    code: Code


class AcceptAllRequest(StrictInput):
    key: str = Field(max_length=40, pattern=r"^(person|text):[0-9]{1,12}$")


class CountRead(BaseModel):
    count: int


def _state(request_id: int, db: DB, actor: ApiActor) -> DisclosureStateRead | None:
    found = disclosure.state(db, actor, request_id=request_id)
    if found is None:
        return None
    return DisclosureStateRead(
        status=found.status.value,
        prepared_by=found.prepared_by,
        submitted_at=found.submitted_at,
        approved_by=found.approved_by,
        approved_at=found.approved_at,
        job_id=found.job_id,
        documents=found.documents,
        to_review=found.to_review,
        withheld=found.withheld,
        undecided=found.undecided,
        accepted=found.accepted,
    )


@router.get("/sar/requests/{request_id}/disclosure", responses=REFUSALS)
def read_disclosure(db: DB, actor: ApiActor, request_id: Id, page: ApiPageQuery) -> DisclosureRead:
    """Where the disclosure stands and one page of its documents, with counts."""
    state = _state(request_id, db, actor)
    listed = disclosure.items(db, actor, request_id=request_id, page=page)
    return DisclosureRead(**envelope(listed, _item), state=state)


def _item(i: Any) -> DisclosureItemRead:
    return DisclosureItemRead(
        id=i.id,
        title=i.title,
        case_number=i.case_number,
        created_on=i.created_on,
        status=i.status.value,
        detect_status=i.detect_status.value,
        withheld_code=i.withheld_code.value if i.withheld_code else None,
        proposed=i.proposed,
        accepted=i.accepted,
        rejected=i.rejected,
        kept=i.kept,
    )


# ":int": /disclosure/submit and /disclosure/approve are POST-only addresses of their own; a
# GET of them must answer 405, not be read as a document called "submit" (422).
@router.get("/sar/requests/{request_id}/disclosure/{item_id:int}", responses=REFUSALS)
def read_document(
    db: DB, kek: Keyring, actor: ApiActor, request_id: Id, item_id: Id
) -> DisclosureReviewRead:
    """One document: its pages' text, its redactions and what was kept (a recorded read)."""
    seen = disclosure.review(db, kek, actor, request_id=request_id, item_id=item_id)
    return DisclosureReviewRead(
        id=seen.item_id,
        title=seen.title,
        status=seen.status.value,
        kind=seen.kind,
        withheld_code=seen.withheld_code.value if seen.withheld_code else None,
        pages=["".join(s.text for s in page) for page in seen.pages],
        redactions=[
            RedactionRead(
                id=r.id,
                page=r.page,
                start=r.start,
                end=r.end,
                text=r.text,
                label=r.label.value,
                code=r.code.value,
                source=r.source.value,
                decision=r.decision.value,
                reason=r.reason,
                decided_by=r.decided_by,
                decided_at=r.decided_at,
                group=r.group,
            )
            for r in seen.redactions
        ],
        kept=seen.kept,
    )


@router.post(
    "/sar/redactions/{redaction_id}/decision",
    dependencies=[Depends(require_json)],
    responses=REFUSALS,
)
def decide(db: DB, actor: ApiActor, redaction_id: Id, body: DecisionRequest) -> CountRead:
    """Accept (redact) or reject (keep) one redaction, optionally with another code."""
    disclosure.decide(db, actor, redaction_id=redaction_id, accept=body.accept, code=body.code)
    return CountRead(count=1)


@router.post(
    "/sar/requests/{request_id}/disclosure/{item_id}/redactions",
    status_code=201,
    dependencies=[Depends(require_json)],
    responses={**REFUSALS, 422: {"description": "Not on the document, or no code"}},
)
def add_redaction(
    db: DB, kek: Keyring, actor: ApiActor, request_id: Id, item_id: Id, body: RedactionRequest
) -> AddedRead:
    """A reviewer's redaction by offsets (page, start, end), or of every occurrence of
    ``text``; either way proposed wherever else the same words appear in the request."""
    _check_item(db, actor, request_id, item_id)
    if body.page is not None and body.start is not None and body.end is not None:
        added = disclosure.add(
            db,
            kek,
            actor,
            item_id=item_id,
            page=body.page,
            start=body.start,
            end=body.end,
            code=body.code,
            reason=body.reason,
        )
        return AddedRead(redaction_id=added, added=1)
    count = disclosure.add_text(
        db, kek, actor, item_id=item_id, text=body.text or "", code=body.code, reason=body.reason
    )
    return AddedRead(redaction_id=None, added=count)


def _check_item(db: DB, actor: ApiActor, request_id: int, item_id: int) -> None:
    _, item = disclosure_store.item_of(db, actor, item_id)
    if item.request_id != request_id:
        raise NotFound("There is no such document in this disclosure.")


@router.post(
    "/sar/requests/{request_id}/disclosure/accept-all",
    dependencies=[Depends(require_json)],
    responses=REFUSALS,
)
def accept_all(
    db: DB, kek: Keyring, actor: ApiActor, request_id: Id, body: AcceptAllRequest
) -> CountRead:
    """Accept every proposal still to decide of one person, or of one text, across the request."""
    return CountRead(
        count=disclosure.accept_person(db, kek, actor, request_id=request_id, key=body.key)
    )


@router.post(
    "/sar/requests/{request_id}/disclosure/{item_id}/withhold",
    dependencies=[Depends(require_json)],
    responses=REFUSALS,
)
def withhold(
    db: DB, actor: ApiActor, request_id: Id, item_id: Id, body: WithholdRequest
) -> CountRead:
    """Withhold the whole document with an exemption code."""
    _check_item(db, actor, request_id, item_id)
    disclosure.withhold(db, actor, item_id=item_id, code=body.code)
    return CountRead(count=1)


@router.post(
    "/sar/requests/{request_id}/disclosure/submit",
    responses={**REFUSALS, 409: {"description": "Redactions or documents still to decide"}},
)
def submit(db: DB, actor: ApiActor, request_id: Id) -> DisclosureStateRead | None:
    """Send the disclosure for approval: its sender is its preparer."""
    disclosure.submit(db, actor, request_id=request_id)
    return _state(request_id, db, actor)


@router.post(
    "/sar/requests/{request_id}/disclosure/approve",
    responses={
        **REFUSALS,
        403: {"description": "You prepared it: someone else must approve it"},
    },
)
def approve(db: DB, actor: ApiActor, request_id: Id) -> DisclosureStateRead | None:
    """Approve the disclosure sent for approval (someone other than its preparer)."""
    disclosure.approve(db, actor, request_id=request_id)
    return _state(request_id, db, actor)
