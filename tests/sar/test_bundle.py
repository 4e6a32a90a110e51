"""The disclosure bundle: what it holds, that redacted text is really gone, its page numbers,
and its build as a job (sealed in chunks, superseded, failing cleanly)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import jobs
from steward.core.audit import AuditEvent
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden
from steward.core.permissions import Role
from steward.core.sealed_files import CHUNK_BYTES
from steward.redaction.verify import prove_absent
from steward.sar.bundle_plan import BundlePlan
from steward.sar.delivery_models import BundleStatus, SarBundle, SarBundleChunk
from steward.sar.service import bundle as bundles
from tests.factories.core import make_user
from tests.sar import bundle_helpers as h
from tests.sar.journey_helpers import review_and_approve


def _texts(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.fixture(scope="module")
def made() -> tuple[BundlePlan, bytes, bundles.BundleStats, list[tuple[int, int]]]:
    plan = h.plan()
    out = io.BytesIO()
    seen: list[tuple[int, int]] = []
    stats = bundles.write_bundle(plan, out, lambda done, total: seen.append((done, total)))
    return plan, out.getvalue(), stats, seen


def test_redacted_text_is_absent_and_present_in_the_sources(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan, data, _, _ = made
    bundle = tmp_path / "bundle.pdf"
    bundle.write_bytes(data)
    needles = [h.TEXT_NEEDLE, h.PDF_NEEDLE, h.REFUGE]
    assert prove_absent(bundle, needles) == []
    # Plaintext controls: the proof finds each in what the bundle was made from.
    source = tmp_path / "source.pdf"
    source.write_bytes(plan.documents[1].pdf)
    assert prove_absent(source, [h.PDF_NEEDLE])
    unredacted = tmp_path / "unredacted.pdf"
    with unredacted.open("wb") as out:
        bare = plan.documents[0]
        from steward.redaction.render import BundleWriter, count_pages_text

        writer = BundleWriter(out, total_pages=count_pages_text(bare.title, bare.text or ""))
        writer.add_text(bare.title, bare.text or "", [])
        writer.close()
    # Leaks name needles by their place in the list: the name and the refuge address.
    assert {leak.needle for leak in prove_absent(unredacted, needles)} == {0, 2}


def test_the_requesters_own_data_and_the_parts_are_there(made) -> None:  # type: ignore[no-untyped-def]
    plan, data, stats, _ = made
    whole = " ".join(" ".join(t.split()) for t in _texts(data))
    assert h.KEPT in whole
    assert f"Your subject access request {plan.reference}" in whole
    assert "Why we hold your information" in whole and "Until your youngest child is 25." in whole
    assert "Index of documents" in whole and "Home visit record" in whole
    assert h.WITHHELD_TITLE in whole and "CRIME" in whole
    assert "Box B-12, off-site store" in whole and "PF-1990-0042" in whole
    assert "Redaction log" in whole
    assert (stats.documents, stats.withheld, stats.paper) == (2, 1, 1)


def test_every_page_is_numbered_of_the_total(made) -> None:  # type: ignore[no-untyped-def]
    _, data, stats, seen = made
    texts = _texts(data)
    assert len(texts) == stats.pages
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {stats.pages}" in text
    assert seen[-1] == (stats.pages, stats.pages)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_log_counts_each_redaction_by_page_and_code(made) -> None:  # type: ignore[no-untyped-def]
    _, data, stats, _ = made
    # Text document: two of the other parent's name and one refuge address; the PDF: one box
    # on each of its two pages.
    assert stats.redactions == {"THIRD_PARTY": 5}
    pdf_rows = [r for r in stats.log if r.document == 2]
    assert [r.count for r in pdf_rows] == [1, 1]
    first, second = (int(r.pages) for r in pdf_rows)
    assert second == first + 1
    texts = _texts(data)
    assert "Case note about" in texts[first - 1]  # the log's page is where the box is
    text_row = next(r for r in stats.log if r.document == 1)
    assert text_row.count == 3


def test_a_hostile_title_is_drawn_as_text(tmp_path: Path) -> None:
    from dataclasses import replace

    plan = h.plan()
    hostile = replace(plan.documents[0], title="<script>alert(1)</script> =cmd| ../x")
    plan = replace(plan, documents=[hostile], requester_name="<b>Kayleigh</b>")
    out = io.BytesIO()
    bundles.write_bundle(plan, out, lambda d, t: None)
    whole = " ".join(_texts(out.getvalue()))
    assert "<script>alert(1)</script>" in whole and "<b>Kayleigh</b>" in whole


def test_needles_skip_short_text_and_what_is_kept_elsewhere() -> None:
    from dataclasses import replace

    from steward.redaction.spans import Code, Label, Span

    text = "Jo met Dean Marsh. Later Dean Marsh came back."
    spans = {
        0: [
            Span(0, 2, Label.NAME, Code.THIRD_PARTY, "x"),
            Span(7, 17, Label.NAME, Code.THIRD_PARTY, "x"),
        ]
    }
    doc = replace(h.plan().documents[0], text=text, spans_by_page=spans)
    # "Jo" is too short; the second "Dean Marsh" was kept by the reviewer, so it is not a leak.
    assert bundles.needles(replace(h.plan(), documents=[doc])) == []
    spans[0].append(Span(25, 35, Label.NAME, Code.THIRD_PARTY, "x"))
    assert bundles.needles(replace(h.plan(), documents=[doc])) == ["Dean Marsh"]


# --- building ----------------------------------------------------------------------------------


def _plain(db: Session, keyring: FileKeyring, bundle: SarBundle) -> bytes:
    return b"".join(bundles.read_chunks(db, keyring, bundle.id))


def test_build_now_seals_the_bundle_in_chunks_under_the_requests_key(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory)
    built = bundles.build_now(db, keyring, preparer, request_id=request.id)
    assert built.status == BundleStatus.READY and built.pages and built.sha256
    data = _plain(db, keyring, built)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == built.sha256 and len(data) == built.size_bytes
    assert data.startswith(b"%PDF")
    sealed = db.scalars(select(SarBundleChunk.sealed).where(SarBundleChunk.bundle_id == built.id))
    for chunk in sealed:
        assert len(chunk) <= CHUNK_BYTES + 64
        assert b"%PDF" not in chunk and h.KEPT.encode() not in chunk
    assert set(json.loads(built.redactions_json or "{}")) == {"THIRD_PARTY"}
    events = db.scalars(select(AuditEvent).where(AuditEvent.tag == "sar:bundle:built")).all()
    assert events and all(h.KEPT not in e.details for e in events)


def test_a_bundle_larger_than_a_chunk_reads_back_whole(db: Session, keyring: FileKeyring) -> None:
    from steward.sar.service.bundle import BundleStats

    request, preparer, _ = h.awaiting_delivery(db, keyring)
    bundle = SarBundle(
        request_id=request.id, status=BundleStatus.BUILDING.value, created_at=request.created_at
    )
    db.add(bundle)
    db.flush()
    big = Path(db.info.setdefault("tmp", "/tmp")) / f"steward-test-{bundle.id}.bin"
    payload = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 17)
    big.write_bytes(payload)
    try:
        bundles._keep(db, keyring, preparer, request, bundle, big, BundleStats(1, 0, 0, 0, {}), 0)
    finally:
        big.unlink()
    assert bundle.chunks == 3
    assert _plain(db, keyring, bundle) == payload


def test_a_disclosure_not_approved_is_refused_and_nothing_is_kept(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    request, preparer = h.not_yet_approved(db, keyring, session_factory)
    with pytest.raises(Conflict, match="approved by a second person"):
        bundles.build_now(db, keyring, preparer, request_id=request.id)
    assert db.scalars(select(SarBundle).where(SarBundle.request_id == request.id)).all() == []


def test_a_caseworker_cannot_build(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    request, _, _ = h.approved_for_real(db, keyring, session_factory)
    caseworker = make_user(db, Role.CASEWORKER).actor
    with pytest.raises(Forbidden):
        bundles.build_now(db, keyring, caseworker, request_id=request.id)


def test_a_leak_fails_the_build_and_keeps_nothing(
    db: Session,
    keyring: FileKeyring,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory)
    # A writer that forgets a redaction: the last gate must catch it.
    real = bundles.write_bundle

    def careless(plan, out, progress):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        bare = [replace(d, spans_by_page={}) for d in plan.documents]
        return real(replace(plan, documents=bare), out, progress)

    monkeypatch.setattr(bundles, "write_bundle", careless)
    built = bundles.build_now(db, keyring, preparer, request_id=request.id)
    assert built.status == BundleStatus.FAILED and built.error == bundles.LEAK_MESSAGE[:300]
    assert (
        db.scalars(select(SarBundleChunk).where(SarBundleChunk.bundle_id == built.id)).all() == []
    )
    failed = db.scalars(select(AuditEvent).where(AuditEvent.tag == "sar:bundle:failed")).all()
    assert failed and '"leaks":' in failed[-1].details


def test_the_job_builds_reports_progress_and_a_new_build_supersedes(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory)
    db.commit()
    job = bundles.build_bundle(db, keyring, preparer, queue, request_id=request.id)
    db.commit()
    db.refresh(job)
    assert job.status == "done", job.error
    assert job.result_path == f"/sar/requests/{request.id}/bundle"
    first = bundles.ready(db, request.id)
    assert first is not None and job.total == first.pages == job.done
    again = bundles.build_bundle(db, keyring, preparer, queue, request_id=request.id)
    db.commit()
    db.refresh(again)
    db.refresh(first)
    second = bundles.ready(db, request.id)
    assert second is not None and second.id != first.id
    assert first.status == BundleStatus.SUPERSEDED
    # Never delivered, so nothing of it is kept.
    assert first.chunks == 0


def test_a_job_that_fails_says_why_and_the_next_press_starts_again(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    request, preparer = h.not_yet_approved(db, keyring, session_factory)
    db.commit()
    job = bundles.build_bundle(db, keyring, preparer, queue, request_id=request.id)
    db.commit()
    db.refresh(job)
    assert job.status == "failed" and "approved by a second person" in (job.error or "")
    failed = bundles.latest(db, preparer, request.id)
    assert failed is not None and failed.status == BundleStatus.FAILED
    assert "approved by a second person" in (failed.error or "")
    # Once approved, the next press builds on the same row.
    review_and_approve(db, keyring, preparer, make_user(db, Role.DPO).actor, request.id)
    db.commit()
    retry = bundles.build_bundle(db, keyring, preparer, queue, request_id=request.id)
    db.commit()
    db.refresh(retry)
    db.refresh(failed)
    assert retry.status == "done" and failed.status == BundleStatus.READY


def test_an_interrupted_build_is_started_again_not_left_building(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory)
    stuck = SarBundle(
        request_id=request.id, status=BundleStatus.BUILDING.value, created_at=request.created_at
    )
    db.add(stuck)
    db.flush()
    db.add(SarBundleChunk(bundle_id=stuck.id, seq=0, sealed=b"partial"))
    dead = jobs.Job(
        kind=bundles.JOB_KIND,
        subject_id=stuck.id,
        permission="sar:manage",
        status=jobs.JobStatus.FAILED.value,
        created_at=request.created_at,
        started_by_user_id=preparer.user_id,
    )
    db.add(dead)
    db.flush()
    stuck.job_id = dead.id
    db.commit()
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    job = bundles.build_bundle(db, keyring, preparer, queue, request_id=request.id)
    db.commit()
    db.refresh(job)
    db.refresh(stuck)
    assert job.id != dead.id and job.status == "done"
    assert stuck.status == BundleStatus.READY
    assert _plain(db, keyring, stuck).startswith(b"%PDF")  # the partial chunk is gone


def test_staff_download_is_audited(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    request, preparer, approver = h.approved_for_real(db, keyring, session_factory)
    built = bundles.build_now(db, keyring, preparer, request_id=request.id)
    found = bundles.open_bundle(db, keyring, approver, built.id, for_print=True)
    assert found.filename == f"{request.reference}-disclosure.pdf"
    assert b"".join(found.chunks(db, keyring)).startswith(b"%PDF")
    assert built.printed_at is not None
    event = db.scalars(select(AuditEvent).where(AuditEvent.tag == "sar:bundle:downloaded")).all()[
        -1
    ]
    assert event.subject_id == str(request.id) and h.KEPT not in event.details
    with pytest.raises(Forbidden):
        bundles.open_bundle(db, keyring, make_user(db, Role.CASEWORKER).actor, built.id)


def test_a_log_longer_than_a_page_flows_over_pages(tmp_path: Path) -> None:
    from dataclasses import replace

    from steward.redaction.pdf import page_texts
    from steward.sar.bundle_plan import PlannedDocument

    pages = [[f"{h.PDF_NEEDLE} called on day {n}."] for n in range(70)]
    pdf = h.source_pdf(pages)
    spans = {p: h.spans_of(t, h.PDF_NEEDLE) for p, t in enumerate(page_texts(pdf))}
    doc = PlannedDocument("Call log", "FD1", None, "pdf", pdf, None, spans)
    plan = replace(h.plan(), documents=[doc])
    out = tmp_path / "long.pdf"
    with out.open("wb") as handle:
        stats = bundles.write_bundle(plan, handle, lambda d, t: None)
    assert len(stats.log) == 70 and stats.redactions == {"THIRD_PARTY": 70}
    texts = _texts(out.read_bytes())
    log_pages = [
        n for n, t in enumerate(texts, start=1) if "Redaction log" in t or "THIRD_PARTY" in t
    ]
    assert len(log_pages) >= 2  # the log went over a page, and every page is still numbered
    assert all(f"Page {n} of {stats.pages}" in t for n, t in enumerate(texts, start=1))
    assert prove_absent(out, [h.PDF_NEEDLE]) == []
