"""Text out of documents for search: PDFs, Word files, scans through Tesseract. A file whose
text cannot be read is still kept, with a note saying why it is not searchable."""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.records import extract, policy, service
from steward.records.models import DocumentKind
from steward.records.schemas import DocumentMeta
from tests.factories.records import make_case
from tests.records import samples
from tests.records.samples import needs_tesseract

NO_TEXT_LAYER = "This PDF has no text layer (it may be a scan), so it is not searchable."
UNREADABLE = "The text of this file could not be read, so it is not searchable."


def _words(text: str) -> list[str]:
    return text.upper().split()


# --- PDF ------------------------------------------------------------------------------


def test_text_comes_out_of_a_pdf() -> None:
    data = samples.pdf("Report to the court", "The guardian visited on Wednesday afternoon.")
    text, note = extract.extract_text(policy.PDF, data)
    assert note is None
    assert "Report to the court" in text
    assert "The guardian visited on Wednesday afternoon." in text


def test_every_page_of_a_pdf_is_read() -> None:
    from reportlab.pdfgen import canvas

    out = BytesIO()
    pages = canvas.Canvas(out)
    for word in ("Firstpage", "Secondpage", "Thirdpage"):
        pages.drawString(72, 720, f"{word} of the bundle")
        pages.showPage()
    pages.save()
    text, note = extract.extract_text(policy.PDF, out.getvalue())
    assert note is None
    assert all(word in text for word in ("Firstpage", "Secondpage", "Thirdpage"))


def test_a_pdf_without_a_text_layer_is_kept_with_a_note() -> None:
    assert extract.extract_text(policy.PDF, samples.image_only_pdf()) == ("", NO_TEXT_LAYER)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage, no xref, no trailer",
        samples.pdf("Cut short in transfer")[:300],
    ],
    ids=["garbage", "truncated"],
)
def test_a_damaged_pdf_gives_no_text_and_the_could_not_be_read_note(data: bytes) -> None:
    assert extract.extract_text(policy.PDF, data) == ("", UNREADABLE)


def test_a_failed_extraction_logs_no_content(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="steward"):
        extract.extract_text(policy.PDF, b"%PDF-1.4 Zanzibarite marker in a broken file")
    assert caplog.records, "the failure is logged"
    assert "Zanzibarite" not in caplog.text


# --- Word -----------------------------------------------------------------------------


def test_text_comes_out_of_a_word_document_paragraphs_and_tables() -> None:
    data = samples.docx(
        "Position statement of the local authority",
        "The children remain with their grandmother.",
        table=[["Name", "Relationship"], ["Grace Okafor", "Mother"], ["Tunde Okafor", "Father"]],
    )
    text, note = extract.extract_text(policy.DOCX, data)
    assert note is None
    lines = text.splitlines()
    assert "Position statement of the local authority" in lines
    assert "The children remain with their grandmother." in lines
    assert {"Name", "Relationship", "Grace Okafor", "Mother", "Tunde Okafor", "Father"} <= set(
        lines
    )


def test_a_damaged_word_document_is_unreadable_not_an_error() -> None:
    data = samples.docx("Truncated")
    assert extract.extract_text(policy.DOCX, data[:400]) == ("", UNREADABLE)


# --- text -----------------------------------------------------------------------------


def test_plain_text_is_its_own_text_cut_at_the_limit() -> None:
    assert extract.extract_text(policy.TEXT, "Zoë\u2019s note".encode()) == (
        "Zoë\u2019s note",
        None,
    )
    text, note = extract.extract_text(policy.TEXT, b"x" * (extract.MAX_TEXT_CHARS + 10))
    assert len(text) == extract.MAX_TEXT_CHARS and note is None


# --- scans through Tesseract ----------------------------------------------------------


@needs_tesseract
@pytest.mark.parametrize(
    ("media_type", "make"),
    [(policy.PNG, samples.png), (policy.JPEG, samples.jpeg), (policy.TIFF, samples.tiff)],
    ids=["png", "jpeg", "tiff"],
)
def test_a_scanned_image_is_read_by_tesseract(media_type: str, make: object) -> None:
    assert callable(make)
    text, note = extract.extract_text(media_type, make("CONTACT CENTRE VISIT"))
    assert note is None
    assert _words(text) == ["CONTACT", "CENTRE", "VISIT"]


@needs_tesseract
def test_every_page_of_a_multi_page_tiff_is_read() -> None:
    pages = [Image.open(BytesIO(samples.png(words))) for words in ("FIRST HEARING", "FINAL ORDER")]
    out = BytesIO()
    pages[0].save(out, format="TIFF", save_all=True, append_images=pages[1:])
    text, note = extract.extract_text(policy.TIFF, out.getvalue())
    assert note is None
    assert _words(text) == ["FIRST", "HEARING", "FINAL", "ORDER"]


@needs_tesseract
def test_a_blank_scan_says_no_text_was_recognised() -> None:
    out = BytesIO()
    Image.new("L", (400, 300), color=255).save(out, format="PNG")
    text, note = extract.extract_text(policy.PNG, out.getvalue())
    assert text == ""
    assert note == "No text was recognised in this image, so it is not searchable."


@needs_tesseract
def test_ocr_writes_no_temporary_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The scan and its text are personal data: they go to Tesseract and back through pipes,
    never through files in the (unencrypted) temp directory, not even briefly."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    opened: list[str] = []
    real_open = os.open

    def recording_open(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fsdecode(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    text, note = extract.extract_text(policy.PNG, samples.png("CONTACT CENTRE VISIT"))
    monkeypatch.undo()
    assert (note, _words(text)) == (None, ["CONTACT", "CENTRE", "VISIT"])
    assert [p for p in opened if p.startswith(str(temp))] == []
    assert list(temp.iterdir()) == []


def test_without_tesseract_a_scan_is_kept_and_the_note_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(extract.shutil, "which", lambda _name: None)
    assert not extract.ocr_available()
    with caplog.at_level(logging.WARNING, logger="steward"):
        text, note = extract.extract_text(policy.PNG, samples.png("CONTACT CENTRE VISIT"))
    assert text == ""
    assert note is not None and "Tesseract" in note and "not searchable" in note
    assert "tesseract is not installed" in caplog.text


def test_a_damaged_image_is_unreadable_not_an_error() -> None:
    assert extract.extract_text(policy.PNG, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) == (
        "",
        UNREADABLE,
    )


# --- through the service: extracted text is searchable --------------------------------


def _add(db: Session, keyring: FileKeyring, case_id: int, data: bytes, filename: str) -> int:
    meta = DocumentMeta(
        title="Uploaded file", kind=DocumentKind.REPORT_TO_COURT, created_on=date(2024, 4, 2)
    )
    document = service.add_document(
        db, keyring, Actor.system(), case_id=case_id, meta=meta, data=data, filename=filename
    )
    samples.extract_pending(db, keyring)
    return document.id


def _document_hits(db: Session, query: str) -> set[int]:
    return {h.ref_id for h in service.search(db, Actor.system(), query) if h.kind == "document"}


def test_a_pdf_added_to_a_case_is_searchable_by_its_text(db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    doc_id = _add(
        db, keyring, case.id, samples.pdf("Observations of Pemberley Thistlewood"), "report.pdf"
    )
    assert _document_hits(db, "thistlewood") == {doc_id}
    assert _document_hits(db, "Pemberley observations") == {doc_id}
    document, text = service.view_document(db, keyring, Actor.system(), doc_id)
    assert "Pemberley Thistlewood" in text and document.extraction_note is None


def test_a_word_document_added_to_a_case_is_searchable_by_its_text_and_tables(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    data = samples.docx(
        "Statement of Marigold Featherstonehaugh", table=[["School", "Quillfeather Academy"]]
    )
    doc_id = _add(db, keyring, case.id, data, "statement.docx")
    assert _document_hits(db, "Featherstonehaugh") == {doc_id}
    assert _document_hits(db, "quillfeather") == {doc_id}


@needs_tesseract
def test_a_scan_added_to_a_case_is_searchable_by_its_recognised_text(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    doc_id = _add(db, keyring, case.id, samples.png("CONTACT CENTRE VISIT"), "scan.png")
    assert doc_id in _document_hits(db, "contact centre visit")


def test_a_damaged_pdf_is_kept_with_its_note_and_downloads_intact(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    data = b"%PDF-1.7\nbroken beyond repair"
    doc_id = _add(db, keyring, case.id, data, "broken.pdf")
    document, text = service.view_document(db, keyring, Actor.system(), doc_id)
    assert (text, document.extraction_note, document.media_type) == ("", UNREADABLE, policy.PDF)
    assert service.download_document(db, keyring, Actor.system(), doc_id).data == data
    # Its title is still searchable, even though its body is not.
    assert doc_id in _document_hits(db, "uploaded file")


def test_an_image_only_pdf_is_kept_with_the_no_text_layer_note(
    db: Session, keyring: FileKeyring
) -> None:
    case = make_case(db, keyring)
    doc_id = _add(db, keyring, case.id, samples.image_only_pdf(), "scan.pdf")
    document, text = service.view_document(db, keyring, Actor.system(), doc_id)
    assert (text, document.extraction_note) == ("", NO_TEXT_LAYER)
