"""Background jobs (core.jobs): what the queue carries, one job per subject at a time, what a
failure leaves on the row, and who may watch a job."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from huey import MemoryHuey
from sqlalchemy.orm import Session, sessionmaker

from steward.core import jobs
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Permission, Role
from tests.factories.core import make_user

SECRET = "Ava Zielinska, born 2011-03-02"


@jobs.handler("test.fails")
def _fails(run: jobs.JobRun) -> str | None:
    raise RuntimeError(SECRET)  # an exception's text may hold anything: never stored


@jobs.handler("test.refused")
def _refused(run: jobs.JobRun) -> str | None:
    raise ValidationFailed("The list must be approved first.")


@jobs.handler("test.counts")
def _counts(run: jobs.JobRun) -> str | None:
    for done in range(1, 4):
        run.progress(done, 3)
    return f"/somewhere/{run.subject_id}"


def _held_queue(
    settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> jobs.JobQueue:
    """A queue nobody works from: jobs wait in it, so the test can look at them."""
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    queue.huey = MemoryHuey("held", immediate=False)
    queue._task = queue.huey.task(name=jobs.TASK_NAME)(lambda job_id: None)
    return queue


def test_the_queue_carries_the_job_id_only_and_a_second_start_watches_the_first(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = _held_queue(settings, session_factory, keyring)
    officer = make_user(db, Role.IG_OFFICER)
    first = jobs.start(
        db,
        officer.actor,
        queue,
        kind="test.counts",
        permission=Permission.RETENTION_MANAGE,
        subject_id=7,
    )
    db.commit()
    again = jobs.start(
        db,
        officer.actor,
        queue,
        kind="test.counts",
        permission=Permission.RETENTION_MANAGE,
        subject_id=7,
    )
    db.commit()
    assert again.id == first.id
    pending = queue.huey.pending()
    assert [task.args for task in pending] == [(first.id,)]  # ids only, never personal data


def test_a_job_records_its_progress_and_where_its_result_is(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    officer = make_user(db, Role.IG_OFFICER)
    job = jobs.start(
        db,
        officer.actor,
        queue,
        kind="test.counts",
        permission=Permission.RETENTION_MANAGE,
        subject_id=5,
    )
    db.commit()
    db.refresh(job)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.result_path == "/somewhere/5" and job.finished_at is not None


def test_a_failure_is_recorded_without_what_the_exception_said(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    officer = make_user(db, Role.IG_OFFICER)
    failed = jobs.start(
        db, officer.actor, queue, kind="test.fails", permission=Permission.RETENTION_MANAGE
    )
    db.commit()
    refused = jobs.start(
        db, officer.actor, queue, kind="test.refused", permission=Permission.RETENTION_MANAGE
    )
    db.commit()
    db.refresh(failed)
    db.refresh(refused)
    assert failed.status == "failed" and SECRET not in (failed.error or "")
    assert "Start it again" in (failed.error or "")
    assert refused.status == "failed" and refused.error == "The list must be approved first."


def test_only_the_starter_or_a_holder_of_its_permission_sees_a_job(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = _held_queue(settings, session_factory, keyring)
    officer, colleague = make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)
    caseworker = make_user(db, Role.CASEWORKER)
    job = jobs.start(
        db, officer.actor, queue, kind="test.counts", permission=Permission.RETENTION_MANAGE
    )
    db.commit()
    assert jobs.get(db, colleague.actor, job.id).id == job.id
    with pytest.raises(Forbidden):
        jobs.get(db, caseworker.actor, job.id)
    with pytest.raises(Forbidden):
        jobs.start(
            db,
            caseworker.actor,
            queue,
            kind="test.counts",
            permission=Permission.RETENTION_MANAGE,
        )


def test_a_job_running_when_the_service_stopped_is_marked_interrupted(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = _held_queue(settings, session_factory, keyring)
    officer = make_user(db, Role.IG_OFFICER)
    job = jobs.start(
        db, officer.actor, queue, kind="test.counts", permission=Permission.RETENTION_MANAGE
    )
    job.status = jobs.JobStatus.RUNNING.value
    db.commit()
    assert jobs.mark_interrupted(session_factory) == 1
    db.refresh(job)
    assert job.status == "failed" and "Start it again" in (job.error or "")


def test_the_embedded_queue_is_a_private_file_in_the_data_directory(
    tmp_path: Path, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    settings = Settings(env=Environment.TEST, data_dir=tmp_path / "data")
    queue = jobs.make_queue(settings, session_factory, keyring)
    assert queue.embedded
    mode = stat.S_IMODE((tmp_path / "data" / "jobs.db").stat().st_mode)
    assert mode == 0o600


# One Redis database per backend's suite: CI runs the two suites at once, and each must
# dequeue only its own jobs.
REDIS_URL = f"redis://127.0.0.1:6379/{14 if os.environ.get('STEWARD_TEST_DATABASE_URL') else 15}"


def _redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")


def test_several_app_processes_share_a_redis_queue(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    """With STEWARD_JOBS_URL, the job's id goes to Redis (and only its id), and whichever
    process's consumer takes it runs it to the end."""
    _redis_or_skip()
    shared = settings.model_copy(update={"jobs_url": REDIS_URL})
    sender = jobs.make_queue(shared, session_factory, keyring)
    worker = jobs.make_queue(shared, session_factory, keyring)  # another app process
    assert not sender.embedded
    sender.huey.flush()
    officer = make_user(db, Role.IG_OFFICER)
    job = jobs.start(
        db,
        officer.actor,
        sender,
        kind="test.counts",
        permission=Permission.RETENTION_MANAGE,
        subject_id=9,
    )
    db.commit()
    try:
        task = worker.huey.dequeue()
        assert task is not None and task.args == (job.id,)
        worker.huey.execute(task)
    finally:
        sender.huey.flush()
    db.refresh(job)
    assert (job.status, job.done, job.result_path) == ("done", 3, "/somewhere/9")
