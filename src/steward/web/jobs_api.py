"""Background jobs through the API (/api/v1/jobs): what an operation answered ``202`` with
(carrying out a disposal list, say) is followed here until it is done. Seen by whoever
started the job and by those holding the permission it needed, as the job's page."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from steward.core import auth, jobs
from steward.web.api import require_json
from steward.web.api_contract import API_PREFIX
from steward.web.deps import DB, ApiActor
from steward.web.ids import Id

router = APIRouter(tags=["jobs"], dependencies=[Depends(require_json)])


class JobRead(BaseModel):
    id: int
    kind: str = Field(description="What it does, e.g. disposal.execute")
    status: jobs.JobStatus = Field(description="queued, running, done or failed")
    done: int = Field(description="Items done so far")
    total: int | None = Field(description="Items in all, once known")
    percent: int | None
    finished: bool = Field(description="True once it is done or failed: stop polling")
    started_by: str | None = Field(description="Username of who started it")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why it failed, when it did")
    result_page: str | None = Field(description="The web page of what it made, when done")
    url: str = Field(description="This job's address in the API: poll it until `finished`")

    @classmethod
    def of(cls, db: Session, job: jobs.Job) -> JobRead:
        names = auth.usernames(db, [job.started_by_user_id] if job.started_by_user_id else [])
        return cls(
            id=job.id,
            kind=job.kind,
            status=jobs.JobStatus(job.status),
            done=job.done,
            total=job.total,
            percent=min(100, round(100 * job.done / job.total)) if job.total else None,
            finished=job.status in (jobs.JobStatus.DONE, jobs.JobStatus.FAILED),
            started_by=names.get(job.started_by_user_id or 0),
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            error=job.error,
            result_page=job.result_path,
            url=job_url(job.id),
        )


def job_url(job_id: int) -> str:
    return f"{API_PREFIX}/jobs/{job_id}"


@router.get("/jobs/{job_id}")
def get_job(db: DB, actor: ApiActor, job_id: Id) -> JobRead:
    """How a background job stands."""
    return JobRead.of(db, jobs.get(db, actor, job_id))
