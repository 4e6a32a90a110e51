"""Text extraction after the upload: a status column and a worker, not a queue system.

An upload stores the sealed document as ``pending`` and returns. A worker (a thread inside
``steward serve``, or ``steward documents extract`` from cron) claims one pending document
in a short transaction, opens its body, and commits; extracts in a child process under hard
limits with no transaction open; then records the outcome in another short transaction.

Unlike other use-cases, ``run_pending`` commits (per step): a transaction held open across
an extraction would hold the database's write lock for as long as a hostile file wanted.
Claiming is safe with several processes: the UPDATE only takes a document still ``pending``
(or a ``running`` claim abandoned by a process that died), and only one claimer sees a row
change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.core import audit, clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Forbidden
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.records import extract
from steward.records.events import RecordsEvent
from steward.records.extract import ExtractionStatus, Limits, Outcome
from steward.records.models import Case, Document, DocumentContent
from steward.records.service import access, search

log = logging.getLogger(__name__)
# A claim older than this was abandoned (its process died mid-extraction): comfortably more
# than the child's wall-clock limit, so a live extraction is never taken twice.
STALE_CLAIM = timedelta(minutes=10)
NOT_EXTRACTED = (ExtractionStatus.FAILED_BOUNDS, ExtractionStatus.FAILED)


@dataclass(frozen=True)
class Job:
    document_id: int
    media_type: str
    data: bytes


@dataclass
class RunReport:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def body_context(document_id: int) -> str:
    return f"document:{document_id}:body"


def text_context(document_id: int) -> str:
    return f"document:{document_id}:text"


def claim_next(db: Session) -> int | None:
    """Claim the oldest pending document (or an abandoned claim) for this worker."""
    now = clock.now()
    claimable = or_(
        Document.extraction_status == ExtractionStatus.PENDING.value,
        (Document.extraction_status == ExtractionStatus.RUNNING.value)
        & (Document.extraction_claimed_at < now - STALE_CLAIM),
    )
    for document_id in db.scalars(
        select(Document.id).where(claimable).order_by(Document.id).limit(5)
    ):
        claimed = db.execute(
            update(Document)
            .where(Document.id == document_id, claimable)
            .values(extraction_status=ExtractionStatus.RUNNING.value, extraction_claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            audit.record(
                db,
                Actor.system(),
                RecordsEvent.DOCUMENT_TEXT_STARTED,
                subject_type="document",
                subject_id=document_id,
            )
            return int(document_id)
    return None


def job_for(db: Session, kek: KeyEncryptionKeys, document_id: int) -> Job | None:
    """The claimed document's file, opened for extraction (None if it has gone meanwhile)."""
    row = db.execute(
        select(Document.media_type, Case.data_key_id, DocumentContent.body)
        .join(Case, Case.id == Document.case_id)
        .join(DocumentContent, DocumentContent.document_id == Document.id)
        .where(Document.id == document_id)
    ).one_or_none()
    if row is None:
        return None
    media_type, key_id, sealed = row
    try:
        data = crypto.open_sealed(
            db, kek, key_id=key_id, sealed=sealed, context=body_context(document_id)
        )
    except crypto.KeyDestroyed:
        return None
    return Job(document_id=document_id, media_type=media_type, data=data)


def record_outcome(db: Session, kek: KeyEncryptionKeys, document_id: int, outcome: Outcome) -> bool:
    """Seal and index the text (or mark why there is none). False if the document was
    disposed of, or claimed afresh, while its text was being extracted."""
    document = db.get(Document, document_id)
    if document is None or document.extraction_status != ExtractionStatus.RUNNING.value:
        return False
    case = db.get(Case, document.case_id)
    key = db.get(crypto.DataKey, case.data_key_id) if case is not None else None
    if case is None or key is None or key.wrapped_key is None:
        return False
    document.extraction_status = outcome.status.value
    document.extraction_reason = outcome.reason
    document.extraction_note = outcome.note
    document.extraction_claimed_at = None
    if outcome.text:
        content = db.get(DocumentContent, document_id)
        if content is not None:
            content.text = crypto.seal(
                db,
                kek,
                key_id=case.data_key_id,
                plaintext=outcome.text.encode(),
                context=text_context(document_id),
            )
        search.index(
            db,
            kind="document",
            ref_id=document_id,
            case_id=case.id,
            body=f"{document.title}\n{outcome.text}",
        )
    db.flush()
    done = outcome.status is ExtractionStatus.DONE
    audit.record(
        db,
        Actor.system(),
        RecordsEvent.DOCUMENT_TEXT_EXTRACTED if done else RecordsEvent.DOCUMENT_TEXT_NOT_EXTRACTED,
        subject_type="document",
        subject_id=document_id,
        details={} if done else {"status": outcome.status.value, "reason": outcome.reason},
    )
    return True


Extractor = Callable[[str, bytes], Outcome]


def run_pending(
    factory: sessionmaker[Session],
    kek: KeyEncryptionKeys,
    *,
    max_jobs: int | None = None,
    limits: Limits | None = None,
    extractor: Extractor | None = None,
) -> RunReport:
    """Extract pending documents one at a time until none is left (or ``max_jobs``)."""
    run: Extractor = extractor or (lambda media, data: extract.run_isolated(media, data, limits))
    report = RunReport()
    while max_jobs is None or report.total < max_jobs:
        with session_scope(factory) as db:
            document_id = claim_next(db)
            job = job_for(db, kek, document_id) if document_id is not None else None
        if document_id is None:
            break
        # No transaction is open from here until the outcome is recorded.
        outcome = (
            run(job.media_type, job.data)
            if job is not None
            else Outcome(ExtractionStatus.FAILED, note=extract.UNREADABLE, reason="no_content")
        )
        del job
        with session_scope(factory) as db:
            record_outcome(db, kek, document_id, outcome)
        report.counts[outcome.status.value] = report.counts.get(outcome.status.value, 0) + 1
    return report


class ExtractionWorker:
    """The embedded worker of ``steward serve``: one background thread that extracts pending
    documents one at a time, woken by an upload or every ``poll_seconds``. With several app
    processes each runs one; the claim keeps them from taking the same document."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        kek: KeyEncryptionKeys,
        *,
        poll_seconds: float = 5.0,
        limits: Limits | None = None,
    ) -> None:
        self._factory = factory
        self._kek = kek
        self._poll = poll_seconds
        self._limits = limits
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="steward-extraction", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                run_pending(self._factory, self._kek, limits=self._limits, max_jobs=1)
                if self._has_pending():
                    continue
            except Exception as exc:  # the worker outlives one failure; the type is logged
                log.error("text extraction worker: %s", type(exc).__name__)
            self._wake.wait(self._poll)

    def _has_pending(self) -> bool:
        with session_scope(self._factory, read_only=True) as db:
            return (
                db.scalar(
                    select(Document.id)
                    .where(Document.extraction_status == ExtractionStatus.PENDING.value)
                    .limit(1)
                )
                is not None
            )


def unextracted_documents(
    db: Session, actor: Actor, page: PageRequest = PageRequest()
) -> Page[tuple[Document, str]]:
    """Documents whose text could not be extracted, newest first, with their case numbers,
    for IG and the DPO."""
    if not actor.can(Permission.CASES_READ_ALL):  # the list shows documents' titles
        raise Forbidden("Only information-governance staff see documents without text.")
    access.require_induction(db, actor)
    statuses = [s.value for s in NOT_EXTRACTED]
    found: Page[tuple[Document, str]] = paginate(
        db,
        select(Document, Case.case_number)
        .join(Case, Case.id == Document.case_id)
        .where(Document.extraction_status.in_(statuses))
        .order_by(Document.added_at.desc(), Document.id.desc()),
        page,
        scalars=False,
    )
    audit.record(
        db,
        actor,
        RecordsEvent.DOCUMENTS_UNEXTRACTED_LISTED,
        details={"count": len(found.items), "page": page.number},
    )
    return found.map(lambda row: (row[0], row[1]))
