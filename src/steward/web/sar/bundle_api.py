"""The bundle and delivery API (/api/v1/sar/...): how a request's bundle stands, building it,
the staff download, issuing and revoking the requester's download links, recording it
posted, and the history of each, for automation. The same services as the pages: they check
the permission and record each read and change. The link's token and its passcode appear
once, in the body of the answer that issues them: never in a URL, and never again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from steward.core.errors import Conflict, NotFound
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.sar import service
from steward.sar.delivery_models import PasscodeChannel
from steward.sar.service import bundle as bundles
from steward.sar.service import delivery, disclosure
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, envelope
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_requires
from steward.web.ids import MAX_ID, Id
from steward.web.jobs_pages import job_queue
from steward.web.sar.bundle import stream_response

router = APIRouter(
    tags=["subject access"], dependencies=[Depends(api_requires(Permission.SAR_MANAGE))]
)

REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your role does not handle subject access requests"},
    404: {"description": "No such request, or no bundle of it"},
    409: {"description": "Not possible at this stage of the request (see the message)"},
}
NOT_APPROVED = "The disclosure must be approved by a second person before its bundle is made."
ONCE = (
    "A download link for the requester, and its passcode. The link (`url`) and the `passcode` "
    "are shown once, in this answer, and nowhere else: they are kept only as hashes and can "
    "never be read back. Pass them to the requester by separate "
    "channels -- the link by email or letter, the passcode by the `passcode_channel` chosen "
    "(post, telephone or in person; never by email with the link). Lost, they cannot be "
    "shown again: revoke and issue a new link."
)


class BundleRead(BaseModel):
    id: int
    status: str = Field(description="queued, building, ready, failed or superseded")
    error: str | None = Field(description="Why a failed build failed")
    pages: int | None
    documents: int | None
    withheld: int | None
    paper: int | None
    redactions: dict[str, int] = Field(description="Boxes drawn, by exemption code")
    built_by: str | None
    built_at: datetime | None
    sha256: str | None = Field(description="Of the PDF the download gives")
    size_bytes: int | None
    job_id: int | None
    posted_at: datetime | None


class BundleStateRead(BaseModel):
    approved: bool = Field(description="Whether the disclosure is approved: a build needs it")
    ready_bundle_id: int | None = Field(description="The bundle a download or a link gives")
    bundle: BundleRead | None = Field(description="The newest bundle, whatever its state")


class BuildStartedRead(BaseModel):
    job_id: int
    bundle_id: int | None


class LinkRequest(StrictInput):
    expires_in_days: int = Field(ge=1, le=90, description="How long the link works")
    passcode_channel: PasscodeChannel = Field(
        description="How the passcode will reach the requester: never the way the link goes"
    )
    email: bool = Field(
        False, description="Also email the link (never the passcode) to the requester"
    )


class LinkIssuedRead(BaseModel):
    link_id: int
    url: str = Field(description="The requester's download page. Shown once")
    passcode: str = Field(description="Typed on that page to download. Shown once")
    expires_at: datetime
    passcode_channel: str
    emailed: str | None = Field(description="The outbox status of the email, if one was sent")


class DeliveryLinkRead(BaseModel):
    id: int
    bundle_id: int
    created_at: datetime
    created_by: str | None
    passcode_channel: str
    expires_at: datetime
    state: str = Field(description="working, expired, revoked or locked")
    attempts: int = Field(description="Wrong passcodes since the last download")
    downloads: int
    first_downloaded_at: datetime | None
    last_downloaded_at: datetime | None
    emailed: bool


class PostingRead(BaseModel):
    bundle_id: int
    posted_at: datetime
    posted_by: str | None


class DeliveryHistoryRead(ApiPage[DeliveryLinkRead]):
    """One page of the links made (``items``, newest first), every posting, and how many
    links still open."""

    posted: list[PostingRead]
    working: int = Field(description="Links that still open")


class RevokedRead(BaseModel):
    revoked: int


class PostedRead(BaseModel):
    bundle_id: int
    posted_at: datetime | None
    request_status: str


def _bundle_state(db: DB, actor: ApiActor, request_id: int) -> BundleStateRead:
    shown = bundles.view(db, actor, request_id)
    ready = bundles.ready(db, request_id)
    approved = disclosure.is_approved(db, actor, request_id=request_id)
    if shown is None:
        return BundleStateRead(approved=approved, ready_bundle_id=None, bundle=None)
    b = shown.bundle
    return BundleStateRead(
        approved=approved,
        ready_bundle_id=ready.id if ready else None,
        bundle=BundleRead(
            id=b.id,
            status=shown.status.value,
            error=shown.error,
            pages=b.pages,
            documents=b.documents,
            withheld=b.withheld,
            paper=b.paper,
            redactions=shown.redactions,
            built_by=shown.built_by,
            built_at=shown.built_at,
            sha256=b.sha256,
            size_bytes=b.size_bytes,
            job_id=b.job_id,
            posted_at=b.posted_at,
        ),
    )


@router.get("/sar/requests/{request_id}/bundle", responses=REFUSALS)
def read_bundle(db: DB, actor: ApiActor, request_id: Id) -> BundleStateRead:
    """How the newest bundle stands: its status, pages, redactions counted by code (codes and
    counts only), who built it and when, its sha256 and its build's job."""
    return _bundle_state(db, actor, request_id)


@router.post(
    "/sar/requests/{request_id}/bundle",
    status_code=202,
    responses={
        **REFUSALS,
        409: {"description": "The disclosure is not approved, or the request is finished"},
    },
)
def build(
    request: Request, response: Response, db: DB, kek: Keyring, actor: ApiActor, request_id: Id
) -> BuildStartedRead:
    """Start building the bundle in the background (a build under way is watched, not
    started twice). ``Location`` is this request's bundle: read it until it is ready."""
    service.get_for_records(db, actor, request_id)  # the induction gate first
    if not disclosure.is_approved(db, actor, request_id=request_id):
        raise Conflict(NOT_APPROVED)
    job = bundles.build_bundle(db, kek, actor, job_queue(request), request_id=request_id)
    response.headers["Location"] = f"/api/v1/sar/requests/{request_id}/bundle"
    return BuildStartedRead(job_id=job.id, bundle_id=job.subject_id)


@router.get(
    "/sar/requests/{request_id}/bundle/download",
    responses={
        **REFUSALS,
        200: {"content": {"application/pdf": {}}, "description": "The bundle (a recorded read)"},
    },
    response_class=Response,
)
def download(
    request: Request,
    db: DB,
    kek: Keyring,
    actor: ApiActor,
    request_id: Id,
    bundle: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="An earlier bundle; default the ready one")
    ] = None,
) -> Response:
    """The bundle's PDF, streamed, for staff to check or print: each download is audited."""
    chosen = bundle or _ready_id(db, actor, request_id)
    found = bundles.open_bundle(db, kek, actor, chosen)
    if found.request_id != request_id:
        raise NotFound("This request has no such bundle.")
    return stream_response(request, found)


def _ready_id(db: DB, actor: ApiActor, request_id: int) -> int:
    service.get(db, actor, request_id)
    ready = bundles.ready(db, request_id)
    if ready is None:
        raise NotFound("This request has no bundle ready: build it first.")
    return ready.id


@router.post(
    "/sar/requests/{request_id}/delivery/links",
    status_code=201,
    dependencies=[Depends(require_json)],
    description=ONCE,
    responses={
        **REFUSALS,
        409: {"description": "No bundle ready, or the request is not awaiting delivery"},
        415: {"description": "The body is not JSON"},
        422: {"description": "Not a lifetime of 1 to 90 days, or no passcode channel"},
    },
)
def issue_link(
    request: Request,
    db: DB,
    kek: Keyring,
    settings: AppSettings,
    actor: ApiActor,
    request_id: Id,
    body: LinkRequest,
) -> LinkIssuedRead:
    issued = delivery.issue_link(
        db,
        kek,
        actor,
        request_id=request_id,
        expires_in=timedelta(days=body.expires_in_days),
        passcode_channel=body.passcode_channel,
        site_url=str(request.base_url),
        email=body.email,
        settings=settings,
    )
    return LinkIssuedRead(
        link_id=issued.link_id,
        url=issued.url,
        passcode=issued.passcode,
        expires_at=issued.expires_at,
        passcode_channel=issued.channel.value,
        emailed=issued.emailed,
    )


@router.post(
    "/sar/requests/{request_id}/delivery/revoke",
    responses={**REFUSALS, 409: {"description": "There is no link to revoke"}},
)
def revoke(db: DB, actor: ApiActor, request_id: Id) -> RevokedRead:
    """Stop every link of the request that still works."""
    return RevokedRead(revoked=delivery.revoke(db, actor, request_id=request_id))


@router.post(
    "/sar/requests/{request_id}/delivery/posted",
    responses={
        **REFUSALS,
        409: {"description": "No bundle ready, already posted, or not awaiting delivery"},
    },
)
def posted(db: DB, actor: ApiActor, request_id: Id) -> PostedRead:
    """The printed bundle went in the post today: that delivers it, and the request is sent."""
    bundle = delivery.mark_posted(db, actor, request_id=request_id)
    return PostedRead(
        bundle_id=bundle.id,
        posted_at=bundle.posted_at,
        request_status=service.get(db, actor, request_id).status,
    )


@router.get("/sar/requests/{request_id}/delivery", responses=REFUSALS)
def read_delivery(
    db: DB, actor: ApiActor, request_id: Id, page: ApiPageQuery
) -> DeliveryHistoryRead:
    """Every link made for the request, newest first, and what became of it; and each
    posting. No token and no passcode: they were shown once."""
    found = delivery.history(db, actor, request_id, page)
    return DeliveryHistoryRead(
        **envelope(found.links, _link),
        posted=[
            PostingRead(bundle_id=p.bundle_id, posted_at=p.posted_at, posted_by=p.posted_by)
            for p in found.posted
        ],
        working=found.working,
    )


def _link(x: Any) -> DeliveryLinkRead:
    return DeliveryLinkRead(
        id=x.id,
        bundle_id=x.bundle_id,
        created_at=x.created_at,
        created_by=x.created_by,
        passcode_channel=x.channel.value,
        expires_at=x.expires_at,
        state=x.state,
        attempts=x.attempts,
        downloads=x.downloads,
        first_downloaded_at=x.first_downloaded_at,
        last_downloaded_at=x.last_downloaded_at,
        emailed=x.emailed,
    )
