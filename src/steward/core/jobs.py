"""Background jobs: long work started from a page (a disposal run, re-dating every record)
runs outside the request, and a small ``jobs`` table says how far it has got.

The queue is Huey's, never ours. By default a SqliteHuey file in the data directory, read by
a consumer thread inside `steward serve` (no extra server); with STEWARD_JOBS_URL set to a
redis:// URL every app process enqueues on, and consumes from, the same Redis. Tests run
Huey in immediate mode. A task's payload is the job's id and nothing else: what to work on
is on the job row (a kind and a subject id), and no personal data ever enters the queue.

Jobs are enqueued only once the transaction that made the row has committed: the task runs
in sessions of its own and must see the row (and, on SQLite, not wait for the request's
write lock).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from steward.core import auth, clock, crypto
from steward.core.config import Settings
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import Base, UTCDateTime, session_scope
from steward.core.errors import DomainError, Forbidden, NotFound
from steward.core.permissions import Actor, Permission

log = logging.getLogger("steward.jobs")
TASK_NAME = "steward.run_job"
MAX_ERROR = 300


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Who may watch it: its starter, or anyone holding the permission it needed.
    permission: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A domain error's message or a fixed text: never an exception's repr, which can hold data.
    error: Mapped[str | None] = mapped_column(String(MAX_ERROR), nullable=True)
    # Where to go when it is done (a certificate's page), a path of ids only.
    result_path: Mapped[str | None] = mapped_column(String(200), nullable=True)


class JobInput(Base):
    """A file a job works on (an uploaded inventory), sealed under a data key of its own that
    is destroyed when the job ends: the queue never carries it, and it does not outlive the
    job."""

    __tablename__ = "job_inputs"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(36))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


def _input_context(job_id: int) -> str:
    return f"job:{job_id}:input"


@dataclass(frozen=True)
class JobRun:
    """What a handler is given: the job, sessions of its own, keys, and how to report."""

    job_id: int
    subject_id: int | None
    actor: Actor
    factory: sessionmaker[Session]
    keyring: KeyEncryptionKeys

    def upload(self) -> bytes:
        """The file the job was started with."""
        with session_scope(self.factory, read_only=True) as db:
            row = db.get(JobInput, self.job_id)
            if row is None:
                raise NotFound("The file for this job is no longer held; upload it again.")
            return crypto.open_sealed(
                db,
                self.keyring,
                key_id=row.key_id,
                sealed=row.sealed,
                context=_input_context(self.job_id),
            )

    def progress(self, done: int, total: int | None) -> None:
        with session_scope(self.factory) as db:
            db.execute(update(Job).where(Job.id == self.job_id).values(done=done, total=total))


Handler = Callable[[JobRun], str | None]  # returns the result path, if any
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that carries out jobs of ``kind`` (in the layer that owns it)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


# --- starting and watching -------------------------------------------------------------------


def start(
    db: Session,
    actor: Actor,
    queue: JobQueue,
    *,
    kind: str,
    permission: Permission,
    subject_id: int | None = None,
    upload: tuple[KeyEncryptionKeys, bytes] | None = None,
    watchers: Permission | None = None,
) -> Job:
    """A job of ``kind`` on ``subject_id``, or the one already queued or running for it (a
    second press of the button watches the first run instead of starting another). A job
    given an ``upload`` always starts afresh, with the file sealed beside it. ``watchers``:
    who besides its starter may watch it, when not everyone holding ``permission`` may (a
    partner's job is not for every other partner's accounts to see)."""
    actor.require(permission)
    if kind not in HANDLERS:
        raise NotFound("There is no such kind of job.")
    running = active_for(db, kind, subject_id) if upload is None else None
    if running is not None:
        return running
    job = Job(
        kind=kind,
        subject_id=subject_id,
        permission=(watchers or permission).value,
        status=JobStatus.QUEUED.value,
        done=0,
        started_by_user_id=actor.user_id,
        created_at=clock.now(),
    )
    db.add(job)
    db.flush()
    job_id = job.id
    if upload is not None:
        keyring, content = upload
        key = crypto.create_data_key(db, keyring, purpose="job-input")
        sealed = crypto.seal(
            db, keyring, key_id=key.id, plaintext=content, context=_input_context(job_id)
        )
        db.add(JobInput(job_id=job_id, key_id=key.id, sealed=sealed))
        db.flush()

    event.listen(db, "after_commit", lambda _s: queue.enqueue(job_id), once=True)
    return job


def active_for(db: Session, kind: str, subject_id: int | None) -> Job | None:
    return db.scalar(
        select(Job)
        .where(Job.kind == kind, Job.subject_id == subject_id, Job.status.in_(ACTIVE))
        .order_by(Job.id.desc())
        .limit(1)
    )


def latest_for(db: Session, kind: str, subject_id: int | None) -> Job | None:
    return db.scalar(
        select(Job)
        .where(Job.kind == kind, Job.subject_id == subject_id)
        .order_by(Job.id.desc())
        .limit(1)
    )


def get(db: Session, actor: Actor, job_id: int) -> Job:
    job = db.get(Job, job_id)
    if job is None:
        raise NotFound("There is no such job.")
    if job.started_by_user_id != actor.user_id and not actor.can(Permission(job.permission)):
        raise Forbidden("Only the person who started this job, or their colleagues, can see it.")
    return job


# --- running -----------------------------------------------------------------------------------


def run(job_id: int, factory: sessionmaker[Session], keyring: KeyEncryptionKeys) -> None:
    """Carry out one job, recording its start, its end and any failure on its row."""
    with session_scope(factory) as db:
        job = db.get(Job, job_id)
        if job is None or job.status not in ACTIVE:
            return
        job.status = JobStatus.RUNNING.value
        job.started_at = job.started_at or clock.now()
        kind, subject_id, user_id = job.kind, job.subject_id, job.started_by_user_id
        user = db.get(auth.User, user_id) if user_id is not None else None
        actor = user.actor if user is not None and user.is_active else None
    try:
        if actor is None:
            raise Forbidden("The person who started this job can no longer act.")
        handle = HANDLERS.get(kind)
        if handle is None:
            raise NotFound("There is no such kind of job.")
        result = handle(JobRun(job_id, subject_id, actor, factory, keyring))
    except DomainError as exc:
        _finish(factory, job_id, JobStatus.FAILED, error=exc.message[:MAX_ERROR])
    except Exception:
        log.exception("job %s (%s) failed", job_id, kind)
        _finish(
            factory,
            job_id,
            JobStatus.FAILED,
            error="Something went wrong. Start it again: it carries on from where it stopped.",
        )
    else:
        _finish(factory, job_id, JobStatus.DONE, result_path=result)
    _shred_input(factory, job_id)


def _shred_input(factory: sessionmaker[Session], job_id: int) -> None:
    """Done or failed, the job's file goes: its key is destroyed and the row deleted."""
    with session_scope(factory) as db:
        row = db.get(JobInput, job_id)
        if row is not None:
            crypto.destroy_data_key(db, key_id=row.key_id)
            db.delete(row)


def _finish(
    factory: sessionmaker[Session],
    job_id: int,
    status: JobStatus,
    *,
    error: str | None = None,
    result_path: str | None = None,
) -> None:
    with session_scope(factory) as db:
        job = db.get(Job, job_id)
        if job is None:
            return
        job.status = status.value
        job.finished_at = clock.now()
        job.error = error
        job.result_path = result_path
        if status is JobStatus.DONE and job.total is not None:
            job.done = job.total


def mark_interrupted(factory: sessionmaker[Session]) -> int:
    """On starting the embedded consumer: a job still 'running' died with the last process
    (its queue entry is gone). Queued ones are still in the queue file and will run."""
    with session_scope(factory) as db:
        result = db.execute(
            update(Job)
            .where(Job.status == JobStatus.RUNNING.value)
            .values(
                status=JobStatus.FAILED.value,
                finished_at=clock.now(),
                error="Interrupted: the service stopped while this ran. Start it again to carry on.",
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


# --- the queue -------------------------------------------------------------------------------


class JobQueue:
    """A Huey instance with our one task registered on it."""

    def __init__(self, huey: Huey, factory: sessionmaker[Session], keyring: KeyEncryptionKeys):
        self.huey = huey

        def run_job(job_id: int) -> None:
            run(job_id, factory, keyring)

        self._task = huey.task(name=TASK_NAME)(run_job)
        self._consumer: Any = None

    @property
    def embedded(self) -> bool:
        return isinstance(self.huey, SqliteHuey)

    def enqueue(self, job_id: int) -> None:
        self._task(job_id)

    def start_consumer(self) -> None:
        """Huey's consumer, as worker threads of this process."""
        if self.huey.immediate:
            return
        self._consumer = _ThreadConsumer(
            self.huey, workers=1, periodic=False, max_delay=1.0, worker_type="thread"
        )
        self._consumer.start()

    def stop_consumer(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None


def make_queue(
    settings: Settings,
    factory: sessionmaker[Session],
    keyring: KeyEncryptionKeys,
    *,
    immediate: bool = False,
) -> JobQueue:
    """Huey: immediate (tests), Redis (several app processes), or a SQLite file (default)."""
    huey: Huey
    if immediate:
        huey = MemoryHuey("steward", immediate=True)
    elif settings.jobs_url:
        huey = RedisHuey("steward", url=settings.jobs_url)
    else:
        path = settings.data_dir / "jobs.db"
        _private_file(path)
        huey = SqliteHuey("steward", filename=str(path))
    return JobQueue(huey, factory, keyring)


def _private_file(path: Path) -> None:
    """The queue file holds only job ids, but is made owner-only all the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class _ThreadConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer run from a thread of the app: signals belong to the server."""

    def _set_signal_handlers(self) -> None:
        return None
