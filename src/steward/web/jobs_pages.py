"""A background job's page: how far it has got, polled by steward.js through a small JSON
view (without JavaScript, a Refresh link), and where to go when it is done.

Only the person who started a job, or someone holding the permission it needed, sees it
(core.jobs.get). The JSON carries counts and a status, never what is being worked on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.assurance.pack import service as evidence_pack
from steward.core import auth, jobs
from steward.intake.service import processing as intake_processing
from steward.retention.models import DisposalList
from steward.retention.service import jobs as retention_jobs
from steward.sar import service as sar
from steward.sar.delivery_models import SarBundle
from steward.sar.disclosure_models import SarDisclosure
from steward.sar.search_models import SarSearchRun
from steward.sar.service import bundle as sar_bundles
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.ids import Id
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def job_queue(request: Request) -> jobs.JobQueue:
    """The app's queue of background jobs (made in create_app)."""
    queue: jobs.JobQueue = request.app.state.job_queue
    return queue


def describe(db: Session, job: jobs.Job) -> dict[str, str]:
    """What the job is, in words, and where its subject lives."""
    if job.kind == retention_jobs.DISPOSAL and job.subject_id is not None:
        found = db.get(DisposalList, job.subject_id)
        reference = found.reference if found is not None else ""
        return {
            "title": f"Carrying out disposal list {reference}",
            "title_done": f"Disposal list {reference} carried out",
            "noun": "items",
            "back": f"/retention/disposal/{job.subject_id}",
            "back_text": f"Back to disposal list {reference}",
            "done_text": "View the destruction certificate",
        }
    if job.kind == archives.IMPORT:
        return {
            "title": "Importing a box inventory",
            "title_done": "Box inventory imported",
            "noun": "rows",
            "back": "/archives/inventory",
            "back_text": "Back to importing an inventory",
            "done_text": "Go to the paper archive",
        }
    if job.kind == retention_jobs.REDATE:
        return {
            "title": "Re-dating every record",
            "title_done": "Every record re-dated",
            "noun": "records",
            "back": "/retention/due",
            "back_text": "Back to the due list",
            "done_text": "View the due list",
        }
    if job.kind == sar.JOB_KIND and job.subject_id is not None:
        run = db.get(SarSearchRun, job.subject_id)
        back = f"/sar/requests/{run.request_id}/search" if run is not None else "/sar"
        return {
            "title": "Searching for everything about a request's subject",
            "title_done": "Search finished",
            "noun": "lookups",
            "back": back,
            "back_text": "Back to the request's search",
            "done_text": "View the search results",
        }
    if job.kind == sar_bundles.JOB_KIND and job.subject_id is not None:
        bundle = db.get(SarBundle, job.subject_id)
        back = f"/sar/requests/{bundle.request_id}/bundle" if bundle is not None else "/sar"
        return {
            "title": "Building the disclosure bundle",
            "title_done": "Disclosure bundle built",
            "noun": "pages",
            "back": back,
            "back_text": "Back to the request's bundle",
            "done_text": "View the bundle",
        }
    if job.kind == sar.disclosure.JOB_KIND and job.subject_id is not None:
        review = db.get(SarDisclosure, job.subject_id)
        back = f"/sar/requests/{review.request_id}/disclosure" if review is not None else "/sar"
        return {
            "title": "Finding redactions in a request's documents",
            "title_done": "Redactions found",
            "noun": "documents",
            "back": back,
            "back_text": "Back to the request's disclosure",
            "done_text": "Review the documents",
        }
    if job.kind == intake_processing.JOB_KIND and job.subject_id is not None:
        return {
            "title": "Checking a partner's file",
            "title_done": "Partner's file checked",
            "noun": "rows",
            "back": f"/intake/submissions/{job.subject_id}",
            "back_text": "Back to the submission",
            "done_text": "View the submission's feedback",
        }
    # assurance: evidence pack
    if job.kind == evidence_pack.JOB_KIND and job.subject_id is not None:
        return {
            "title": "Building the evidence pack",
            "title_done": "Evidence pack built",
            "noun": "parts",
            "back": "/assurance/evidence-pack",
            "back_text": "Back to the evidence pack",
            "done_text": "Download the evidence pack",
        }
    # (end of assurance: evidence pack)
    return {"title": "Background job", "noun": "items", "back": "/", "back_text": "Home"}


def progress_body(job: jobs.Job) -> dict[str, Any]:
    percent = None
    if job.total:
        percent = min(100, round(100 * job.done / job.total))
    return {
        "id": job.id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "finished": job.status in (jobs.JobStatus.DONE, jobs.JobStatus.FAILED),
    }


@router.get("/jobs/{job_id}")
def job_page(request: Request, db: DB, actor: PageActor, job_id: Id) -> Response:
    job = jobs.get(db, actor, job_id)
    starter = auth.usernames(db, [job.started_by_user_id] if job.started_by_user_id else [])
    return render(
        request,
        "jobs/job.html",
        {
            "job": job,
            "about": describe(db, job),
            "progress": progress_body(job),
            "starter": starter.get(job.started_by_user_id or 0, "someone no longer here"),
        },
    )


@router.get("/jobs/{job_id}/progress")
def job_progress(db: DB, actor: PageActor, job_id: Id) -> JSONResponse:
    return JSONResponse(
        progress_body(jobs.get(db, actor, job_id)), headers={"Cache-Control": "no-store"}
    )
