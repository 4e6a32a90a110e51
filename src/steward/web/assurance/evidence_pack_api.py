"""The evidence pack through the API (/api/v1/assurance/evidence-packs): start a build (202
with the job to follow), list the packs built, read one, and download it (its builder only).
The same service as the page: assurance:view reads and builds."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from steward.assurance.pack import service as packs
from steward.core import clock
from steward.core.permissions import Permission
from steward.core.schemas import StrictInput
from steward.web.api import require_json
from steward.web.api_contract import ApiPage, ApiPageQuery, IsoDate, refuse_unknown_query
from steward.web.assurance.evidence_pack import zip_response
from steward.web.deps import DB, ApiActor, AppSettings, api_requires
from steward.web.ids import Id
from steward.web.jobs_api import JobRead, job_url
from steward.web.jobs_pages import job_queue

router = APIRouter(
    prefix="/assurance", tags=["assurance"], dependencies=[Depends(refuse_unknown_query)]
)
VIEW = Depends(api_requires(Permission.ASSURANCE_VIEW))
JSON = Depends(require_json)


class EvidencePackCreate(StrictInput):
    as_of: IsoDate | None = Field(
        default=None, description="The date the measures are computed for (default: today)"
    )


class EvidencePackRead(BaseModel):
    id: int
    as_of: date
    status: str = Field(description="building, ready, failed or expired")
    built_by: str = Field(description="Username of who built it")
    role: str = Field(description="The role it was built under: what went in depends on it")
    requested_at: datetime
    built_at: datetime | None
    expires_at: datetime | None = Field(description="When its bytes are destroyed")
    files: int
    size_bytes: int
    sha256: str | None
    error: str | None
    downloadable: bool = Field(description="True for its builder while it is held")
    download_url: str | None


class EvidencePackStarted(BaseModel):
    pack: EvidencePackRead
    job: JobRead


def _read(view: packs.PackView) -> EvidencePackRead:
    p = view.pack
    return EvidencePackRead(
        id=p.id,
        as_of=p.as_of,
        status=p.status,
        built_by=view.built_by,
        role=view.role,
        requested_at=p.requested_at,
        built_at=p.built_at,
        expires_at=p.expires_at,
        files=p.files,
        size_bytes=p.size_bytes,
        sha256=p.sha256,
        error=p.error,
        downloadable=view.downloadable,
        download_url=f"/api/v1/assurance/evidence-packs/{p.id}/download"
        if view.downloadable
        else None,
    )


@router.post(
    "/evidence-packs",
    status_code=202,
    dependencies=[VIEW, JSON],
    responses={
        202: {
            "description": "Started: follow the job at `job.url`, also in the Location header",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
    },
)
def start_pack(
    request: Request,
    response: Response,
    db: DB,
    actor: ApiActor,
    settings: AppSettings,
    body: EvidencePackCreate,
) -> EvidencePackStarted:
    """Build the evidence pack in the background; download it when the job is done."""
    pack, job = packs.start(
        db,
        actor,
        job_queue(request),
        as_of=body.as_of or clock.today(),
        organisation=settings.organisation_name,
    )
    response.headers["Location"] = job_url(job.id)
    return EvidencePackStarted(
        pack=_read(packs.get_pack(db, actor, pack.id)), job=JobRead.of(db, job)
    )


@router.get("/evidence-packs", dependencies=[VIEW])
def list_packs(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[EvidencePackRead]:
    """Packs built, newest first, with who built each, size and SHA-256."""
    return ApiPage.of(packs.list_packs(db, actor, page), _read)


@router.get("/evidence-packs/{pack_id}", dependencies=[VIEW])
def get_pack(db: DB, actor: ApiActor, pack_id: Id) -> EvidencePackRead:
    return _read(packs.get_pack(db, actor, pack_id))


@router.get(
    "/evidence-packs/{pack_id}/download",
    dependencies=[VIEW],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def download_pack(request: Request, db: DB, actor: ApiActor, pack_id: Id) -> Response:
    """The zip, for its builder only, while it is held (no-store)."""
    return zip_response(request, packs.download(db, actor, pack_id))
