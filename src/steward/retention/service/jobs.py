"""Retention's long work as background jobs (core.jobs): carrying out an approved disposal
list, and re-dating every record. Pages start them; these functions run them."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from steward.core import jobs
from steward.core.db import session_scope
from steward.core.errors import Conflict, InvalidTransition, NotFound
from steward.core.permissions import Actor, Permission
from steward.retention.models import DisposalList, DisposalStatus
from steward.retention.service import dates, destruction

log = logging.getLogger("steward.retention.jobs")
DISPOSAL = "disposal.execute"
REDATE = "retention.redate"


def start_disposal(db: Session, actor: Actor, queue: jobs.JobQueue, *, list_id: int) -> jobs.Job:
    """Carry out an approved list in the background, or carry on with one interrupted; a
    second start while it runs returns the running job."""
    actor.require(Permission.RETENTION_APPROVE)
    disposal = db.get(DisposalList, list_id)
    if disposal is None:
        raise NotFound("There is no such disposal list.")
    if disposal.status not in (DisposalStatus.APPROVED, DisposalStatus.EXECUTING):
        raise InvalidTransition(
            f"This list is {disposal.status.replace('_', ' ')}: only an approved list can be "
            "carried out. Go back to the list to see what it needs."
        )
    return jobs.start(
        db, actor, queue, kind=DISPOSAL, permission=Permission.RETENTION_APPROVE, subject_id=list_id
    )


def start_redate(db: Session, actor: Actor, queue: jobs.JobQueue) -> jobs.Job:
    actor.require(Permission.RETENTION_MANAGE)
    return jobs.start(db, actor, queue, kind=REDATE, permission=Permission.RETENTION_MANAGE)


@jobs.handler(DISPOSAL)
def _run_disposal(run: jobs.JobRun) -> str | None:
    if run.subject_id is None:
        raise NotFound("There is no such disposal list.")
    destruction.execute(
        run.factory,
        run.actor,
        list_id=run.subject_id,
        compact_database=False,
        progress=run.progress,
    )
    if not isinstance(run.factory.kw.get("bind"), Engine):
        # Sessions bound to one connection (inside an outer transaction, as tests run) cannot
        # VACUUM; the command line's `steward disposal execute` compacts in that case.
        return f"/retention/disposal/{run.subject_id}/certificate"
    try:
        destruction.compact(run.factory, run.actor)
    except Exception as exc:
        log.exception("compacting after disposal list %s failed", run.subject_id)
        # The records are gone and certified; only freed pages may still hold their bytes.
        raise Conflict(
            "The records are destroyed and the certificate is issued, but the database could "
            "not be compacted while it was busy. Start it again to finish compacting."
        ) from exc
    return f"/retention/disposal/{run.subject_id}/certificate"


@jobs.handler(REDATE)
def _run_redate(run: jobs.JobRun) -> str | None:
    run.progress(0, None)
    with session_scope(run.factory) as db:
        scheduled = dates.sweep(db, run.actor)
    run.progress(scheduled, scheduled)
    return "/retention/due"
