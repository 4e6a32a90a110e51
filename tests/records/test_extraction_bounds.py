"""Hostile files are stored at once and their text extracted afterwards, in a child process
under hard limits: a decompression bomb ends as "failed_bounds" (kept, marked, listed for IG),
never as a stalled request or a server that grew by gigabytes."""

from __future__ import annotations

import json
import resource
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import keyfile, migrate
from steward.core.audit import AuditEvent
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import extract, policy, service
from steward.records.extract import ExtractionStatus, Limits
from steward.records.models import Document, DocumentKind
from steward.records.schemas import DocumentMeta
from tests.factories.core import make_user
from tests.factories.records import make_case
from tests.records import samples
from tests.records.samples import needs_tesseract

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MB = 1024 * 1024


def _docx_with_body(write_body: object, extra: dict[str, int] | None = None) -> bytes:
    """A real Word package whose main part is written by ``write_body(part)``, plus parts of
    zeros (name -> size) streamed in, so a gigabyte never sits in this process's memory."""
    assert callable(write_body)
    base = zipfile.ZipFile(BytesIO(samples.docx("placeholder")))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name in base.namelist():
            if name == "word/document.xml":
                with package.open(name, "w", force_zip64=True) as part:
                    write_body(part)
            else:
                package.writestr(name, base.read(name))
        for name, size in (extra or {}).items():
            with package.open(name, "w", force_zip64=True) as part:
                zeros = bytes(MB)
                for _ in range(size // MB):
                    part.write(zeros)
    return out.getvalue()


def empty_paragraphs_bomb(count: int = 3_000_000) -> bytes:
    def body(part: object) -> None:
        write = part.write  # type: ignore[attr-defined]
        write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
        chunk = b"<w:p/>" * 100_000
        for _ in range(count // 100_000):
            write(chunk)
        write(b"</w:body></w:document>")

    return _docx_with_body(body)


def zero_image_bomb(size: int = 1024 * MB) -> bytes:
    data = samples.docx("A letter with a picture")
    document_xml = zipfile.ZipFile(BytesIO(data)).read("word/document.xml")
    return _docx_with_body(lambda part: part.write(document_xml), {"word/media/image1.png": size})


def huge_png(side: int = 13_000) -> bytes:
    out = BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


def _meta(title: str = "Hostile upload") -> DocumentMeta:
    return DocumentMeta(title=title, kind=DocumentKind.CORRESPONDENCE, created_on=date(2024, 4, 2))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# --- the three bombs of the report --------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "reasons"),
    [
        (empty_paragraphs_bomb, {"compression_ratio", "xml_elements"}),
        (zero_image_bomb, {"inflated_size", "compression_ratio"}),
        (huge_png, {"image_pixels"}),
    ],
    ids=["3m-empty-paragraphs", "1gb-zero-image", "13000x13000-png"],
)
def test_a_bomb_is_stored_then_marked_out_of_bounds_without_growing_the_server(
    db: Session, keyring: FileKeyring, make: object, reasons: set[str]
) -> None:
    assert callable(make)
    data = make()
    assert len(data) < 2 * MB  # small on the wire: the danger is in what it inflates to
    case = make_case(db, keyring)
    document = service.add_document(
        db, keyring, Actor.system(), case_id=case.id, meta=_meta(), data=data, filename="x"
    )
    # Stored at once, with its text still to come: the upload did no extraction.
    assert document.extraction_status == ExtractionStatus.PENDING
    assert service.download_document(db, keyring, Actor.system(), document.id).data == data

    before = _peak_rss_mb()
    report = samples.extract_pending(db, keyring)
    grown = _peak_rss_mb() - before
    assert report.counts == {"failed_bounds": 1}
    # The inflating happened (and was stopped) in the child: this process did not grow.
    assert grown < 150, f"the server process grew by {grown:.0f} MB"

    stored = db.get(Document, document.id)
    assert stored is not None and stored.extraction_status == ExtractionStatus.FAILED_BOUNDS
    assert stored.extraction_reason in reasons
    assert stored.extraction_note is not None and "not searchable" in stored.extraction_note
    # Kept, and reported to IG.
    ig = make_user(db, Role.IG_OFFICER)
    listing = service.unextracted_documents(db, ig.actor)
    assert [d.id for d, _ in listing.items] == [document.id] and listing.total == 1
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "document", AuditEvent.subject_id == str(document.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.tag for e in events] == [
        "records:document:added",
        "records:document:downloaded",
        "records:document:text_extraction_started",
        "records:document:text_not_extracted",
    ]
    assert json.loads(events[-1].details) == {
        "status": "failed_bounds",
        "reason": stored.extraction_reason,
    }


def test_the_child_runs_under_the_memory_and_cpu_limits() -> None:
    outcome = extract.run_isolated(policy.TEXT, b"A short note.")
    assert outcome.status is ExtractionStatus.DONE and outcome.text == "A short note."
    limits = Limits()
    assert outcome.applied == {
        "memory_bytes": limits.memory_bytes,
        "cpu_seconds": limits.cpu_seconds,
    }


def test_past_the_memory_limit_the_child_fails_and_this_process_does_not() -> None:
    # 300 MB of text in 1 MB paragraphs: within the format bounds once they are raised, but
    # the text cannot be held under a 256 MB address space.
    def body(part: object) -> None:
        write = part.write  # type: ignore[attr-defined]
        write(f'<w:document xmlns:w="{W}"><w:body>'.encode())
        paragraph = b"<w:p><w:r><w:t>" + b"a" * MB + b"</w:t></w:r></w:p>"
        for _ in range(300):
            write(paragraph)
        write(b"</w:body></w:document>")

    data = _docx_with_body(body)
    limits = Limits(
        memory_bytes=256 * MB,
        max_inflated_bytes=2048 * MB,
        max_compression_ratio=10**6,
        max_text_chars=10**9,
    )
    before = _peak_rss_mb()
    outcome = extract.run_isolated(policy.DOCX, data, limits)
    assert outcome.status is ExtractionStatus.FAILED_BOUNDS and outcome.reason == "memory"
    assert _peak_rss_mb() - before < 150


def test_a_text_node_beyond_the_parsers_own_limit_is_out_of_bounds() -> None:
    def body(part: object) -> None:
        write = part.write  # type: ignore[attr-defined]
        write(f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode())
        for _ in range(12):
            write(b"a" * MB)
        write(b"</w:t></w:r></w:p></w:body></w:document>")

    limits = Limits(max_compression_ratio=10**6)
    outcome = extract.run_isolated(policy.DOCX, _docx_with_body(body), limits)
    assert (outcome.status, outcome.reason) == (ExtractionStatus.FAILED_BOUNDS, "xml_size")


def test_past_the_wall_clock_limit_the_child_is_ended() -> None:
    outcome = extract.run_isolated(policy.TEXT, b"note", Limits(wall_seconds=0.01))
    assert (outcome.status, outcome.reason) == (ExtractionStatus.FAILED_BOUNDS, "time")


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (Limits(max_xml_elements=1_000), "xml_elements"),
        (Limits(max_xml_depth=8), "xml_depth"),
        (Limits(max_parts=5), "parts"),
        (Limits(max_inflated_bytes=10_000), "inflated_size"),
    ],
    ids=["elements", "depth", "parts", "inflated-size"],
)
def test_each_bound_of_a_word_document_is_checked(limits: Limits, reason: str) -> None:
    def body(part: object) -> None:
        write = part.write  # type: ignore[attr-defined]
        write(f'<w:document xmlns:w="{W}"><w:body>'.encode())
        write(b"<w:p><w:r><w:t>deep</w:t></w:r></w:p>" * 2_000)
        write(b"<w:tbl>" * 20 + b"</w:tbl>" * 20)
        write(b"</w:body></w:document>")

    outcome = extract.run_isolated(policy.DOCX, _docx_with_body(body), limits)
    assert (outcome.status, outcome.reason) == (ExtractionStatus.FAILED_BOUNDS, reason)
    assert outcome.text == ""


def test_an_image_just_over_the_pixel_limit_is_out_of_bounds_not_merely_warned() -> None:
    # Pillow only warns between its limit and twice it; that is made an error here.
    out = BytesIO()
    Image.new("1", (1_000, 1_100)).save(out, "PNG")
    outcome = extract.run_isolated(policy.PNG, out.getvalue(), Limits(max_image_pixels=1_000_000))
    if extract.ocr_available():
        assert (outcome.status, outcome.reason) == (ExtractionStatus.FAILED_BOUNDS, "image_pixels")


# --- ordinary documents still become searchable ----------------------------------------------


def test_ordinary_documents_become_searchable_once_the_worker_has_run(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    files = {
        "pdf": samples.pdf("Report on Pemberley Thistlewood"),
        "docx": samples.docx("Statement", table=[["School", "Quillfeather Academy"]]),
        "txt": b"Visit note: Marrowby was well.",
    }
    ids = {
        kind: service.add_document(
            db, keyring, Actor.system(), case_id=case.id, meta=_meta(), data=data, filename=kind
        ).id
        for kind, data in files.items()
    }

    def hits(word: str) -> set[int]:
        return {h.ref_id for h in service.search(db, Actor.system(), word) if h.kind == "document"}

    assert hits("thistlewood") == hits("quillfeather") == hits("marrowby") == set()
    assert samples.extract_pending(db, keyring).counts == {"done": 3}
    assert hits("thistlewood") == {ids["pdf"]}
    assert hits("quillfeather") == {ids["docx"]}
    assert hits("marrowby") == {ids["txt"]}
    statuses = {db.get(Document, i).extraction_status for i in ids.values()}  # type: ignore[union-attr]
    assert statuses == {ExtractionStatus.DONE}
    # Nothing is left to do: a second run claims nothing.
    assert samples.extract_pending(db, keyring).total == 0


@needs_tesseract
def test_a_scan_becomes_searchable_once_the_worker_has_run(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    doc = service.add_document(
        db,
        keyring,
        Actor.system(),
        case_id=case.id,
        meta=_meta(),
        data=samples.png("CONTACT CENTRE VISIT"),
        filename="scan.png",
    )
    samples.extract_pending(db, keyring)
    assert doc.id in {h.ref_id for h in service.search(db, Actor.system(), "contact centre")}


def test_a_document_is_claimed_once_and_an_abandoned_claim_is_taken_again(
    db: Session, keyring: FileKeyring
) -> None:
    from steward.records.service import extraction

    case = make_case(db, keyring)
    doc = service.add_document(
        db, keyring, Actor.system(), case_id=case.id, meta=_meta(), data=b"a note", filename="n"
    )
    db.flush()
    assert extraction.claim_next(db) == doc.id
    assert extraction.claim_next(db) is None  # a second worker finds nothing to take
    # A worker that died mid-extraction leaves its claim; once stale, it is taken again.
    stored = db.get(Document, doc.id)
    assert stored is not None
    db.refresh(stored)
    stored.extraction_claimed_at = stored.extraction_claimed_at - extraction.STALE_CLAIM * 2  # type: ignore[operator]
    db.flush()
    assert extraction.claim_next(db) == doc.id


# --- no transaction is open while a document is extracted ---------------------------------


def test_other_writes_commit_while_a_document_is_being_extracted(tmp_path: Path) -> None:
    settings = Settings(
        env=Environment.TEST, data_dir=tmp_path / "data", database_url=None, key_file=None
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    factory = make_sessionmaker(engine)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    with session_scope(factory) as db:
        case_id = make_case(db, keyring).id
        service.add_document(
            db, keyring, Actor.system(), case_id=case_id, meta=_meta(), data=b"first", filename="a"
        )
    written: list[int] = []

    def extract_while_someone_uploads(media_type: str, data: bytes) -> extract.Outcome:
        # Another request's upload, committed while "extraction" runs: it would wait on the
        # write lock (and fail after the busy timeout) if the worker held a transaction.
        with session_scope(factory) as other:
            written.append(
                service.add_document(
                    other,
                    keyring,
                    Actor.system(),
                    case_id=case_id,
                    meta=_meta("Second"),
                    data=b"second",
                    filename="b",
                ).id
            )
        return extract.run_isolated(media_type, data)

    try:
        report = service.run_pending(
            factory, keyring, max_jobs=1, extractor=extract_while_someone_uploads
        )
        assert report.counts == {"done": 1} and len(written) == 1
        with session_scope(factory, read_only=True) as db:
            statuses = dict(db.execute(select(Document.title, Document.extraction_status)).all())
        assert statuses == {"Hostile upload": "done", "Second": "pending"}
    finally:
        engine.dispose()
