"""A large box inventory imported as a background job (core.jobs): checked whole first, so a
file with any bad row changes nothing, then imported in batches with progress."""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.archives.inventory import InventoryMalformed, decode, read_rows
from steward.archives.service.access import require_manage
from steward.archives.service.importer import import_inventory
from steward.core import jobs
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission

IMPORT = "archives.import"
MAX_LINES_NAMED = 20


def start_import(
    db: Session, actor: Actor, queue: jobs.JobQueue, kek: KeyEncryptionKeys, content: bytes
) -> jobs.Job:
    require_manage(actor)
    _require_an_inventory(content)
    return jobs.start(
        db,
        actor,
        queue,
        kind=IMPORT,
        permission=Permission.ARCHIVES_MANAGE,
        upload=(kek, content),
    )


def _require_an_inventory(content: bytes) -> None:
    """Refuse at once what is no inventory at all (not UTF-8 text, or a first line that does
    not name inventory columns), rather than queueing a job bound to fail: the rows
    themselves are checked by the job, whole, before any is kept."""
    try:
        next(iter(read_rows(decode(content))), None)
    except InventoryMalformed as exc:
        raise ValidationFailed(f"{exc} Nothing was imported.", errors={"file": str(exc)}) from None


@jobs.handler(IMPORT)
def _run_import(run: jobs.JobRun) -> str | None:
    content = run.upload()
    with session_scope(run.factory) as db:
        checked = import_inventory(db, run.actor, content, dry_run=True)
    if not checked.ok:
        # Line numbers only: a row's reason could quote what was typed in it.
        lines = ", ".join(str(f.line) for f in checked.failures[:MAX_LINES_NAMED])
        more = len(checked.failures) - MAX_LINES_NAMED
        raise ValidationFailed(
            f"{len(checked.failures):,} of {checked.rows:,} rows cannot be imported (lines "
            f"{lines}{f' and {more:,} more' if more > 0 else ''}). Nothing was imported: put "
            "them right and upload the file again, or upload part of it to see each reason."
        )
    run.progress(0, checked.rows)
    reached = [0]

    def on_row(done: int, _total: int) -> None:
        reached[0] = done

    with session_scope(run.factory) as db:

        def checkpoint() -> None:
            db.commit()  # a batch is kept; its progress is told once the lock is free
            run.progress(reached[0], checked.rows)

        import_inventory(db, run.actor, content, on_row=on_row, checkpoint=checkpoint)
    return "/archives"
