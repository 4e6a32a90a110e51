"""The disclosure bundle: the PDF a requester receives, drawn from an approved plan.

``write_bundle`` is pure (a plan in, a PDF out): a covering letter with the Art 15
information, an index, every document with each redaction drawn as a box labelled with its
code, the documents withheld and why, the redaction log, and the paper files with where
they are. Every page says "Page n of N", so the pages are counted first and written second.

``build_bundle`` runs it as a background job: the plan (only an approved disclosure has
one), the PDF written to a private temporary file, then the last gate -- every redacted
text searched for in the output's text, streams and bytes (redaction.verify.prove_absent);
a single hit fails the build and nothing is kept -- and only then sealed under the
request's key, 1 MiB at a time. A new build supersedes the last."""

from __future__ import annotations

import importlib
import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Protocol
from xml.sax.saxutils import escape

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from steward.core import audit, clock, jobs, sealed_files
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict, DomainError, NotFound
from steward.core.permissions import Actor, Permission
from steward.redaction.spans import Code, Span
from steward.sar import policy
from steward.sar.bundle_plan import BundlePlan, PlannedDocument
from steward.sar.delivery_models import (
    BundleStatus,
    SarBundle,
    SarBundleChunk,
    SarDeliveryLink,
)
from steward.sar.events import SarEvent
from steward.sar.models import SubjectAccessRequest
from steward.sar.service.requests import SUBJECT_TYPE, get, get_for_records

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from steward.redaction.pdf import Box

log = logging.getLogger("steward.sar.bundle")

JOB_KIND = "sar.bundle"
# Shorter redacted texts (an initial, "Jo") also occur as ordinary letters and words of what
# is kept: searching for them would fail every bundle. Longer ones must be absent.
MIN_NEEDLE = 4
LEAK_MESSAGE = (
    "The bundle failed its last check: text that was redacted could still be found in it, so "
    "it was not kept. Nothing was sent. Tell the system's administrators; the audit trail "
    "records which build failed."
)
CODE_MEANINGS: dict[Code, str] = {
    Code.THIRD_PARTY: "Information about another person (DPA 2018 Sch 2 para 16)",
    Code.SOCIAL_WORK_HARM: "Disclosure likely to cause serious harm (social work data)",
    Code.EXPECTATION: "The person it came from expected it not to be disclosed",
    Code.CHILD_ABUSE: "Child abuse data not in the child's best interests to disclose",
    Code.LEGAL_PRIVILEGE: "Legal professional privilege",
    Code.CRIME: "Prevention or detection of crime",
    Code.JUDICIAL: "Judicial proceedings or court records",
    Code.NOT_REQUESTER: "Not information about the requester",
}


class Planner(Protocol):
    """What decides a bundle's content: sar.service.disclosure.plan_bundle, which refuses
    unless the disclosure has been approved."""

    def __call__(
        self, db: Session, kek: KeyEncryptionKeys, actor: Actor, *, request_id: int
    ) -> BundlePlan: ...


def default_planner() -> Planner:
    # Imported when used: the reviewing module is its own slice, and this one must not need
    # it to be importable for the pure writer to work.
    disclosure = importlib.import_module("steward.sar.service.disclosure")
    planner: Planner = disclosure.plan_bundle
    return planner


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    pages: str  # "12" or "12-14" (a text document's redactions flow over its pages)
    document: int  # its number in the index
    code: Code
    count: int


@dataclass(frozen=True)
class BundleStats:
    pages: int
    documents: int
    withheld: int
    paper: int
    redactions: dict[str, int]  # code -> boxes drawn
    log: list[LogRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Placed:
    document: PlannedDocument
    first_page: int
    pages: int


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import getSampleStyleSheet

    sheet = getSampleStyleSheet()
    return {"h1": sheet["Heading1"], "h2": sheet["Heading2"], "body": sheet["BodyText"]}


def _p(text: str, style: Any) -> Flowable:
    from reportlab.platypus import Paragraph

    # Every value is escaped: a title or name holding "<" is text, never markup.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> list[Flowable]:
    """A table as one small table per row: the bundle's layout fills pages frame by frame
    and does not split a flowable, so a long table (a log of a thousand pages) must come in
    pieces that each fit."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    styles = _styles()

    def piece(cells: Sequence[str], shaded: bool) -> Flowable:
        table = Table([[_p(c, styles["body"]) for c in cells]], colWidths=list(widths))
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if shaded:
            style.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f2f1")))
        table.setStyle(TableStyle(style))
        return table

    return [piece(header, True), *(piece(row, False) for row in rows)]


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "Not dated"


def _letter(plan: BundlePlan) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = [
        _p(f"Your subject access request {plan.reference}", s["h1"]),
        _p(f"Dear {plan.requester_name},", s["body"]),
        _p(
            f"We received your request on {_day(plan.received_on)}. This bundle holds the "
            f"information we hold about you, as the law requires us to give it (UK GDPR "
            f"Article 15). Where we have removed information, a black box shows where, "
            f"labelled with the reason; the redaction log at the end counts them.",
            s["body"],
        ),
    ]
    for heading, text in plan.article15:
        # A paragraph per line: one longer than a page could not be laid out.
        story += [_p(heading, s["h2"])]
        story += [_p(line, s["body"]) for line in text.splitlines() if line.strip()]
    return story


def _index(plan: BundlePlan, placed: Sequence[_Placed], after: dict[str, int]) -> list[Flowable]:
    s = _styles()
    rows = [
        [
            str(n),
            p.document.title,
            p.document.case_reference,
            _day(p.document.created_on),
            str(p.first_page),
        ]
        for n, p in enumerate(placed, start=1)
    ]
    story: list[Flowable] = [_p("Index of documents", s["h1"])]
    if rows:
        story += _table(["No.", "Document", "Case", "Dated", "Page"], rows, (30, 190, 90, 80, 40))
    else:
        story.append(_p("There are no documents to disclose.", s["body"]))
    story.append(
        _p(
            f"Documents withheld: page {after['withheld']}. Redaction log: page "
            f"{after['log']}. Paper files: page {after['paper']}.",
            s["body"],
        )
    )
    return story


def _withheld(plan: BundlePlan) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = [_p("Documents withheld", s["h1"])]
    if not plan.withheld:
        return [*story, _p("No document has been withheld in full.", s["body"])]
    rows = [[w.title, w.case_reference, w.code.value, CODE_MEANINGS[w.code]] for w in plan.withheld]
    return [*story, *_table(["Document", "Case", "Code", "Why"], rows, (150, 80, 100, 100))]


def _log_page(rows: Sequence[LogRow]) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = [_p("Redaction log", s["h1"])]
    if not rows:
        return [*story, _p("Nothing has been redacted.", s["body"])]
    table = [[r.pages, str(r.document), r.code.value, str(r.count)] for r in rows]
    meanings = [[c.value, CODE_MEANINGS[c]] for c in sorted({r.code for r in rows})]
    return [
        *story,
        *_table(["Page", "Document", "Code", "Redactions"], table, (70, 70, 150, 80)),
        _p("What the codes mean", s["h2"]),
        *_table(["Code", "Meaning"], meanings, (130, 300)),
    ]


def _paper(plan: BundlePlan) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = [_p("Paper files", s["h1"])]
    if not plan.paper:
        return [*story, _p("No paper file was found for this request.", s["body"])]
    rows = [[p.file_reference, p.description, p.where] for p in plan.paper]
    return [
        *story,
        _p("These paper files were searched; where each is kept:", s["body"]),
        *_table(["File", "What it is", "Where it is"], rows, (100, 190, 140)),
    ]


def _boxes(doc: PlannedDocument) -> list[Box]:
    from steward.redaction.pdf import Box, boxes_for

    assert doc.pdf is not None
    found = list(boxes_for(doc.pdf, doc.spans_by_page))
    found += [Box(a.page, a.x0, a.y0, a.x1, a.y1, a.code) for a in doc.areas]
    return found


def _text_spans(doc: PlannedDocument) -> list[Span]:
    return sorted(doc.spans_by_page.get(0, ()), key=lambda s: s.start)


def _count_flow(story: list[Flowable]) -> int:
    from steward.redaction.render import count_pages_flow

    return count_pages_flow(story)


def _count_document(doc: PlannedDocument) -> int:
    from steward.redaction.pdf import count_pages_pdf
    from steward.redaction.render import count_pages_text

    if doc.kind == "pdf":
        if doc.pdf is None:
            raise ValueError("a planned PDF document came without its file")
        return count_pages_pdf(doc.pdf)
    return count_pages_text(doc.title, doc.text or "", _text_spans(doc))


def _log_rows(placed: Sequence[_Placed], boxes: dict[int, list[Box]]) -> list[LogRow]:
    rows: list[LogRow] = []
    for n, p in enumerate(placed, start=1):
        doc = p.document
        if doc.kind == "pdf":
            per_page = Counter((b.page, Code(b.code)) for b in boxes.get(n, []))
            rows += [
                LogRow(str(p.first_page + page), n, code, count)
                for (page, code), count in sorted(per_page.items())
            ]
        else:
            codes = Counter(s.code for s in _text_spans(doc))
            last = p.first_page + p.pages - 1
            pages = str(p.first_page) if last == p.first_page else f"{p.first_page}-{last}"
            rows += [LogRow(pages, n, code, count) for code, count in sorted(codes.items())]
    return rows


def write_bundle(
    plan: BundlePlan, out: BinaryIO, progress: Callable[[int, int], None]
) -> BundleStats:
    """Draw the plan into ``out``; ``progress(pages written, pages in all)`` as it goes."""
    from steward.redaction.render import BundleWriter

    # Pass 1: count. The letter and index come first and their length does not depend on the
    # page numbers they show (one row per document), so placeholders count them truly.
    boxes = {n: _boxes(doc) for n, doc in enumerate(plan.documents, start=1) if doc.kind == "pdf"}
    letter_pages = _count_flow(_letter(plan))
    doc_pages = [_count_document(doc) for doc in plan.documents]
    dummy = [_Placed(doc, 1, n) for doc, n in zip(plan.documents, doc_pages, strict=True)]
    index_pages = _count_flow(_index(plan, dummy, {"withheld": 1, "log": 1, "paper": 1}))
    placed: list[_Placed] = []
    at = letter_pages + index_pages + 1
    for doc, pages in zip(plan.documents, doc_pages, strict=True):
        placed.append(_Placed(doc, at, pages))
        at += pages
    log_rows = _log_rows(placed, boxes)
    withheld_pages = _count_flow(_withheld(plan))
    log_pages = _count_flow(_log_page(log_rows))
    paper_pages = _count_flow(_paper(plan))
    after = {
        "withheld": at,
        "log": at + withheld_pages,
        "paper": at + withheld_pages + log_pages,
    }
    total = at + withheld_pages + log_pages + paper_pages - 1

    # Pass 2: write, each part checked against its count so "of N" is never wrong.
    writer = BundleWriter(out, total_pages=total)
    done = 0

    def wrote(pages: int, expected: int, what: str) -> None:
        nonlocal done
        if pages != expected:
            raise RuntimeError(f"{what}: counted {expected} pages, wrote {pages}")
        done += pages
        progress(done, total)

    wrote(writer.add_flow(_letter(plan)), letter_pages, "letter")
    wrote(writer.add_flow(_index(plan, placed, after)), index_pages, "index")
    for n, p in enumerate(placed, start=1):
        doc = p.document
        if doc.kind == "pdf":
            assert doc.pdf is not None
            pages = writer.add_pdf(doc.pdf, boxes[n])
        else:
            pages = writer.add_text(doc.title, doc.text or "", _text_spans(doc))
        wrote(pages, p.pages, f"document {n}")
    wrote(writer.add_flow(_withheld(plan)), withheld_pages, "withheld")
    wrote(writer.add_flow(_log_page(log_rows)), log_pages, "log")
    wrote(writer.add_flow(_paper(plan)), paper_pages, "paper")
    writer.close()
    redactions = Counter[str]()
    for row in log_rows:
        redactions[row.code.value] += row.count
    return BundleStats(
        pages=total,
        documents=len(plan.documents),
        withheld=len(plan.withheld),
        paper=len(plan.paper),
        redactions=dict(sorted(redactions.items())),
        log=log_rows,
    )


# --- the last gate -----------------------------------------------------------------------------


def _texts(doc: PlannedDocument) -> dict[int, str]:
    if doc.kind == "pdf":
        from steward.redaction.pdf import page_texts

        assert doc.pdf is not None
        return dict(enumerate(page_texts(doc.pdf)))
    return {0: doc.text or ""}


def needles(plan: BundlePlan) -> list[str]:
    """Every redacted text, to be proven absent from the bundle: except what is too short to
    search for, and what the reviewers kept elsewhere in a document (a name redacted once
    but disclosed on another page is in the bundle by decision, not by a leak)."""
    redacted: set[str] = set()
    kept: list[str] = []
    for doc in plan.documents:
        for page, text in _texts(doc).items():
            spans = sorted(doc.spans_by_page.get(page, ()), key=lambda s: s.start)
            at = 0
            for span in spans:
                kept.append(text[at : span.start])
                redacted.add(" ".join(text[span.start : span.end].split()))
                at = max(at, span.end)
            kept.append(text[at:])
    kept_text = " ".join(" ".join(k.split()) for k in kept).casefold()
    return sorted(
        n
        for n in redacted
        if len(n.replace(" ", "")) >= MIN_NEEDLE and n.casefold() not in kept_text
    )


def prove(path: Path, plan: BundlePlan) -> tuple[int, int]:
    """(needles searched for, leaks found) in the written bundle."""
    from steward.redaction.verify import prove_absent

    searched = needles(plan)
    leaks = prove_absent(path, searched) if searched else []
    return len(searched), len(leaks)


# --- building as a job -------------------------------------------------------------------------

# A planner handed to build_bundle reaches its job only in this process (tests, and an
# immediate queue); a job run anywhere else plans with the default.
_INJECTED: dict[int, Planner] = {}


def _require(actor: Actor) -> None:
    actor.require(Permission.SAR_MANAGE)


def _chunk_context(bundle_id: int, seq: int) -> str:
    return f"sar_bundle:{bundle_id}:chunk:{seq}"


def _unfinished(db: Session, request_id: int) -> SarBundle | None:
    return db.scalar(
        select(SarBundle)
        .where(
            SarBundle.request_id == request_id,
            SarBundle.status.in_([BundleStatus.QUEUED, BundleStatus.BUILDING, BundleStatus.FAILED]),
        )
        .order_by(SarBundle.id.desc())
        .limit(1)
    )


def build_bundle(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    queue: jobs.JobQueue,
    *,
    request_id: int,
    planner: Planner | None = None,
) -> jobs.Job:
    """Start building the request's bundle in the background; a second press while one is
    being built watches that one. A build that failed or was interrupted starts again on the
    same row, its partial chunks discarded."""
    request = get_for_records(db, actor, request_id)
    bundle = _prepare(db, actor, request)
    running = db.get(jobs.Job, bundle.job_id) if bundle.job_id is not None else None
    if running is not None and running.status in jobs.ACTIVE:
        return running
    job = jobs.start(
        db, actor, queue, kind=JOB_KIND, permission=Permission.SAR_MANAGE, subject_id=bundle.id
    )
    bundle.job_id = job.id
    if planner is not None:
        _INJECTED[bundle.id] = planner
    db.flush()
    return job


def _prepare(db: Session, actor: Actor, request: SubjectAccessRequest) -> SarBundle:
    if policy.Status(request.status) in policy.FINAL:
        raise Conflict("This request is finished: its bundle can no longer change.")
    bundle = _unfinished(db, request.id)
    if bundle is not None:
        job = db.get(jobs.Job, bundle.job_id) if bundle.job_id is not None else None
        if job is not None and job.status in jobs.ACTIVE:
            return bundle
        bundle.status, bundle.error = BundleStatus.QUEUED.value, None
    else:
        bundle = SarBundle(
            request_id=request.id, status=BundleStatus.QUEUED.value, created_at=clock.now()
        )
        db.add(bundle)
    bundle.built_by_user_id = actor.user_id
    db.flush()
    audit.record(
        db,
        actor,
        SarEvent.BUNDLE_BUILD_STARTED,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"bundle": bundle.id},
    )
    return bundle


def build_now(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    request_id: int,
    planner: Planner | None = None,
) -> SarBundle:
    """Build at once, in the caller's transaction (the CLI; tests). Raises what the planner
    raises -- a disclosure not yet approved -- before anything is kept. A bundle that fails
    the last gate comes back FAILED (kept on record, with its audit event), never READY."""
    request = get_for_records(db, actor, request_id)
    plan = (planner or default_planner())(db, kek, actor, request_id=request_id)
    bundle = _prepare(db, actor, request)
    bundle.status = BundleStatus.BUILDING.value
    db.flush()
    with _scratch() as (path, handle):
        stats = write_bundle(plan, handle, lambda _done, _total: None)
        handle.close()
        checked, leaks = prove(path, plan)
        if leaks:
            _failed(db, actor, bundle, leaks=leaks)
        else:
            _keep(db, kek, actor, request, bundle, path, stats, checked)
    return bundle


class _Scratch:
    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="steward-bundle-", suffix=".pdf")  # mode 0600
        self.path = Path(name)
        self.handle: IO[bytes] = os.fdopen(fd, "wb")

    def __enter__(self) -> tuple[Path, BinaryIO]:
        return self.path, self.handle  # type: ignore[return-value]

    def __exit__(self, *_exc: object) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


def _scratch() -> _Scratch:
    """A private temporary file for the PDF while it is written and checked: the bundle is
    the requester's personal data, gone from the disk as soon as it is sealed or refused."""
    return _Scratch()


def _keep(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    bundle: SarBundle,
    path: Path,
    stats: BundleStats,
    checked: int,
) -> None:
    """Seal the checked file into chunks and make it the request's bundle."""
    db.execute(delete(SarBundleChunk).where(SarBundleChunk.bundle_id == bundle.id))
    with path.open("rb") as source:
        kept = sealed_files.seal_file(
            db,
            kek,
            key_id=request.data_key_id,
            source=source,
            table=SarBundleChunk,
            owner={"bundle_id": bundle.id},
            context=partial(_chunk_context, bundle.id),
        )
    _supersede(db, request.id, keep=bundle.id)
    bundle.status = BundleStatus.READY.value
    bundle.pages, bundle.documents = stats.pages, stats.documents
    bundle.withheld, bundle.paper = stats.withheld, stats.paper
    bundle.redactions_json = json.dumps(stats.redactions)
    bundle.log_json = json.dumps([[r.pages, r.document, r.code.value, r.count] for r in stats.log])
    bundle.needles_checked = checked
    bundle.size_bytes, bundle.chunks, bundle.sha256 = kept.size, kept.chunks, kept.sha256
    bundle.built_at = clock.now()
    bundle.error = None
    db.flush()
    audit.record(
        db,
        actor,
        SarEvent.BUNDLE_BUILT,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={
            "bundle": bundle.id,
            "pages": stats.pages,
            "documents": stats.documents,
            "withheld": stats.withheld,
            "redactions": sum(stats.redactions.values()),
            "checked": checked,
        },
    )


def _supersede(db: Session, request_id: int, *, keep: int) -> None:
    """Earlier ready bundles are replaced: their links stop working, and one never delivered
    is deleted (what was delivered stays with the request as the record of what went)."""
    now = clock.now()
    for old in db.scalars(
        select(SarBundle).where(
            SarBundle.request_id == request_id,
            SarBundle.id != keep,
            SarBundle.status == BundleStatus.READY.value,
        )
    ):
        old.status = BundleStatus.SUPERSEDED.value
        db.execute(
            update(SarDeliveryLink)
            .where(SarDeliveryLink.bundle_id == old.id, SarDeliveryLink.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if not delivered(db, old):
            db.execute(delete(SarBundleChunk).where(SarBundleChunk.bundle_id == old.id))
            old.chunks = 0
    db.flush()


def set_aside(db: Session, request_id: int) -> None:
    """The disclosure was reopened: its bundle no longer stands for what is approved, so it
    is superseded and its links stop working (for sar.service.disclosure to call)."""
    _supersede(db, request_id, keep=0)


def delivered(db: Session, bundle: SarBundle) -> bool:
    if bundle.posted_at is not None:
        return True
    return (
        db.scalar(
            select(SarDeliveryLink.id)
            .where(SarDeliveryLink.bundle_id == bundle.id, SarDeliveryLink.downloads > 0)
            .limit(1)
        )
        is not None
    )


def _failed(db: Session, actor: Actor, bundle: SarBundle, *, leaks: int = 0) -> None:
    db.execute(delete(SarBundleChunk).where(SarBundleChunk.bundle_id == bundle.id))
    bundle.status = BundleStatus.FAILED.value
    bundle.error = LEAK_MESSAGE[:300] if leaks else bundle.error
    db.flush()
    audit.record(
        db,
        actor,
        SarEvent.BUNDLE_FAILED,
        subject_type=SUBJECT_TYPE,
        subject_id=bundle.request_id,
        details={"bundle": bundle.id, "leaks": leaks},
    )


@jobs.handler(JOB_KIND)
def _run_job(job: jobs.JobRun) -> str | None:
    assert job.subject_id is not None
    bundle_id = job.subject_id
    planner = _INJECTED.pop(bundle_id, None) or default_planner()
    try:
        return _execute(job, bundle_id, planner)
    except Exception as exc:
        message = _failure_message(exc)
        with session_scope(job.factory) as db:
            bundle = db.get(SarBundle, bundle_id)
            if bundle is not None and bundle.status != BundleStatus.FAILED.value:
                bundle.error = (message or "The build stopped. Start it again.")[:300]
                _failed(db, job.actor, bundle)
        raise


def _failure_message(exc: Exception) -> str | None:
    """What the page may say about a failed build: a domain error's message, or a fixed
    text for a source file that could not be read; never an exception's own words."""
    from steward.redaction.pdf import PdfError

    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, PdfError):
        return (
            f"A PDF in the bundle could not be read ({exc.reason}): check the documents in "
            "the review, then build again."
        )
    return None


def _execute(job: jobs.JobRun, bundle_id: int, planner: Planner) -> str:
    with session_scope(job.factory) as db:
        bundle = db.get(SarBundle, bundle_id)
        if bundle is None:
            raise NotFound("That bundle is no longer held.")
        request_id = bundle.request_id
        bundle.status = BundleStatus.BUILDING.value
    with session_scope(job.factory) as db:
        plan = planner(db, job.keyring, job.actor, request_id=request_id)
    # No transaction is open while the PDF is drawn: on SQLite a long write lock would stop
    # every other request, and the progress is written in sessions of its own.
    with _scratch() as (path, handle):
        stats = write_bundle(plan, handle, lambda done, total: job.progress(done, total))
        handle.close()
        checked, leaks = prove(path, plan)
        with session_scope(job.factory) as db:
            bundle = db.get(SarBundle, bundle_id)
            request = db.get(SubjectAccessRequest, request_id)
            if bundle is None or request is None:
                raise NotFound("That request is no longer held.")
            if leaks:
                _failed(db, job.actor, bundle, leaks=leaks)
            else:
                _keep(db, job.keyring, job.actor, request, bundle, path, stats, checked)
        if leaks:
            raise Conflict(LEAK_MESSAGE)
    return f"/sar/requests/{request_id}/bundle"


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleStream:
    """A ready bundle to send to someone: its name and size now, its bytes read one sealed
    chunk at a time by ``chunks`` (given a session that is still open when the bytes go)."""

    bundle_id: int
    request_id: int
    filename: str
    size: int
    sha256: str

    def chunks(self, db: Session, kek: KeyEncryptionKeys) -> Iterator[bytes]:
        return read_chunks(db, kek, self.bundle_id)


def read_chunks(db: Session, kek: KeyEncryptionKeys, bundle_id: int) -> Iterator[bytes]:
    bundle = db.get(SarBundle, bundle_id)
    if bundle is None or not bundle.chunks:
        raise NotFound("That bundle is no longer held.")
    request = db.get(SubjectAccessRequest, bundle.request_id)
    assert request is not None
    yield from sealed_files.open_file(
        db,
        kek,
        key_id=request.data_key_id,
        chunks=bundle.chunks,
        table=SarBundleChunk,
        owner={"bundle_id": bundle_id},
        context=partial(_chunk_context, bundle_id),
        missing="Part of that bundle is missing.",
    )


def stream_of(bundle: SarBundle, reference: str) -> BundleStream:
    return BundleStream(
        bundle_id=bundle.id,
        request_id=bundle.request_id,
        filename=f"{reference}-disclosure.pdf",
        size=bundle.size_bytes or 0,
        sha256=bundle.sha256 or "",
    )


def latest(db: Session, actor: Actor, request_id: int) -> SarBundle | None:
    """The request's newest bundle, whatever its state."""
    get(db, actor, request_id)
    return db.scalar(
        select(SarBundle)
        .where(SarBundle.request_id == request_id)
        .order_by(SarBundle.id.desc())
        .limit(1)
    )


def ready(db: Session, request_id: int) -> SarBundle | None:
    return db.scalar(
        select(SarBundle)
        .where(SarBundle.request_id == request_id, SarBundle.status == BundleStatus.READY.value)
        .order_by(SarBundle.id.desc())
        .limit(1)
    )


def open_bundle(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, bundle_id: int, *, for_print: bool = False
) -> BundleStream:
    """A bundle for staff to check or print: an audited read."""
    _require(actor)
    bundle = db.get(SarBundle, bundle_id)
    if bundle is None or not bundle.chunks:
        raise NotFound("There is no such bundle.")
    request = get_for_records(db, actor, bundle.request_id)
    if for_print:
        bundle.printed_at, bundle.printed_by_user_id = clock.now(), actor.user_id
    audit.record(
        db,
        actor,
        SarEvent.BUNDLE_DOWNLOADED,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"bundle": bundle.id, "print": for_print},
    )
    return stream_of(bundle, request.reference)


@dataclass(frozen=True)
class BundleView:
    bundle: SarBundle
    status: BundleStatus
    error: str | None
    job: jobs.Job | None
    redactions: dict[str, int]
    log: list[LogRow]
    built_by: str | None
    built_at: datetime | None


def view(db: Session, actor: Actor, request_id: int) -> BundleView | None:
    """The newest bundle's state and its redaction log (codes and counts: no personal data)."""
    from steward.core import auth

    bundle = latest(db, actor, request_id)
    if bundle is None:
        return None
    job = db.get(jobs.Job, bundle.job_id) if bundle.job_id is not None else None
    log_rows = [
        LogRow(str(pages), int(document), Code(code), int(count))
        for pages, document, code, count in json.loads(bundle.log_json or "[]")
    ]
    names = auth.usernames(db, [bundle.built_by_user_id] if bundle.built_by_user_id else [])
    status, error = BundleStatus(bundle.status), bundle.error
    if status in (BundleStatus.QUEUED, BundleStatus.BUILDING) and (
        job is None or job.status not in jobs.ACTIVE
    ):
        # Its job died with the process that ran it: say so, rather than "being built".
        status = BundleStatus.FAILED
        error = error or "The build stopped before it finished. Build it again."
    return BundleView(
        bundle=bundle,
        status=status,
        error=error,
        job=job,
        redactions=json.loads(bundle.redactions_json or "{}"),
        log=log_rows,
        built_by=names.get(bundle.built_by_user_id or 0),
        built_at=bundle.built_at,
    )
