"""Source PDFs redacted for real: the redacted text is provably gone from the bundle, and
the same proof run on the source finds it (the plaintext control), so the proof can fail."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from steward.redaction.pdf import Box, PdfError, boxes_for, count_pages_pdf, page_texts
from steward.redaction.render import BundleWriter
from steward.redaction.spans import Code, Label, Span
from steward.redaction.verify import prove_absent
from tests.redaction.pdfs import (
    landscape_pdf,
    ligature_pdf,
    ocr,
    pdf_text,
    scan_pdf,
    spans_of,
    text_pdf,
)

NAME = "Jane Smithers"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="no tesseract")


def bundle(tmp_path: Path, pdf: bytes, boxes: Sequence[Box], *, name: str = "out.pdf") -> Path:
    path = tmp_path / name
    with path.open("wb") as out:
        writer = BundleWriter(out, total_pages=count_pages_pdf(pdf))
        writer.add_pdf(pdf, boxes)
        writer.close()
    return path


def control(tmp_path: Path, pdf: bytes, needles: list[str]) -> None:
    """The plaintext control: the source itself fails the proof for every needle."""
    source = tmp_path / "source.pdf"
    source.write_bytes(pdf)
    found = {leak.needle for leak in prove_absent(source, needles)}
    assert found == set(range(len(needles)))


def redact(pdf: bytes, spans: Mapping[int, Sequence[Span]]) -> list[Box]:
    return boxes_for(pdf, spans)


def test_a_name_in_a_text_pdf_is_gone_and_the_rest_stays_searchable(tmp_path: Path) -> None:
    lines = [f"Line {n}: visit with {NAME} at the family centre." for n in range(30)]
    pdf = text_pdf([lines, lines])
    texts = page_texts(pdf)
    assert len(texts) == 2 and NAME in texts[0]
    control(tmp_path, pdf, [NAME, "Smithers"])

    boxes = redact(pdf, {p: spans_of(t, NAME) for p, t in enumerate(texts)})
    assert len(boxes) == 60 and {b.page for b in boxes} == {0, 1}
    out = bundle(tmp_path, pdf, boxes)

    assert prove_absent(out, [NAME, "Smithers", "Jane"]) == []
    kept = pdf_text(out)
    assert len(kept) == 2
    assert "family centre" in kept[0] and "visit with" in kept[1]
    assert kept[0].count("THIRD_PARTY") == 30  # the visible label on each box


def test_a_span_running_over_a_line_break_is_covered_on_both_lines(tmp_path: Path) -> None:
    pdf = text_pdf([["The worker met Jane", "Smithers and her son on Monday."]])
    text = page_texts(pdf)[0]
    start = text.index("Jane")
    span = Span(start, text.index("Smithers") + 8, Label.NAME, Code.THIRD_PARTY, "test")
    control(tmp_path, pdf, ["Jane", "Smithers", NAME])

    boxes = redact(pdf, {0: [span]})
    assert len(boxes) == 2  # one per line, not one block over both lines
    assert boxes[0].y0 > boxes[1].y1 - 3  # the first line's box sits above the second's
    out = bundle(tmp_path, pdf, boxes)
    assert prove_absent(out, ["Jane", "Smithers", NAME]) == []
    assert "The worker met" in pdf_text(out)[0] and "and her son" in pdf_text(out)[0]


def test_a_name_split_over_two_pages_is_gone_from_both(tmp_path: Path) -> None:
    pdf = text_pdf([["Report continues: Ms Jane"], ["Smithers attended the review."]])
    texts = page_texts(pdf)
    control(tmp_path, pdf, ["Jane", "Smithers"])
    boxes = redact(pdf, {0: spans_of(texts[0], "Jane"), 1: spans_of(texts[1], "Smithers")})
    assert [b.page for b in boxes] == [0, 1]
    out = bundle(tmp_path, pdf, boxes)
    assert prove_absent(out, ["Jane", "Smithers"]) == []
    assert "Report continues: Ms" in pdf_text(out)[0]
    assert "attended the review." in pdf_text(out)[1]


@needs_tesseract
def test_a_rotated_page_is_blacked_out_where_the_name_is_seen(tmp_path: Path) -> None:
    pdf = landscape_pdf("Contact: Smithers household", "Allocated worker visited")
    text = page_texts(pdf)[0]
    control(tmp_path, pdf, ["Smithers"])
    assert "Smithers" in ocr(pdf)  # the OCR control: a person can read it on the source

    boxes = redact(pdf, {0: spans_of(text, "Smithers")})
    assert boxes[0].x1 - boxes[0].x0 > boxes[0].y1 - boxes[0].y0  # upright as displayed
    out = bundle(tmp_path, pdf, boxes)
    assert prove_absent(out, ["Smithers"]) == []
    seen = ocr(out)
    assert "Smithers" not in seen
    assert "Allocated" in seen  # the rest of the page still reads upright
    assert "household" in pdf_text(out)[0]


def test_a_ligature_in_a_name_is_found_and_gone(tmp_path: Path) -> None:
    pdf = ligature_pdf("Referral from Sa\ufb01ya Okafor today")
    text = page_texts(pdf)[0]
    # pdfium spells the one glyph out as two chars, "f" and "i", sharing its box: detection
    # sees the plain name, and both chars must be covered.
    assert "Safiya" in text
    control(tmp_path, pdf, ["Safiya", "Okafor"])
    start = text.index("Sa")
    span = Span(start, text.index("Okafor") + 6, Label.NAME, Code.THIRD_PARTY, "test")
    out = bundle(tmp_path, pdf, redact(pdf, {0: [span]}))
    assert prove_absent(out, ["Safiya", "Sa\ufb01ya", "Okafor"]) == []
    assert "Referral from" in pdf_text(out)[0]


@needs_tesseract
def test_a_scanned_page_is_redacted_by_a_reviewers_area(tmp_path: Path) -> None:
    pdf, where = scan_pdf(["Visit notes", "Neighbour Smithers called", "Outcome agreed"])
    assert page_texts(pdf) == [""]  # nothing for detection: the reviewer draws the area
    assert "Smithers" in ocr(pdf)
    x, y = where[1]
    area = Box(0, x - 4, y - 8, x + 320, y + 24, Code.THIRD_PARTY)
    out = bundle(tmp_path, pdf, [area])
    seen = ocr(out)
    assert "Smithers" not in seen and "Neighbour" not in seen
    assert "Visit notes" in seen and "Outcome agreed" in seen
    assert prove_absent(out, ["Smithers"]) == []


def test_a_page_without_redactions_is_still_only_pixels(tmp_path: Path) -> None:
    pdf = text_pdf([["Nothing to redact on this page."]])
    out = bundle(tmp_path, pdf, [])
    assert "Nothing to redact on this page." in pdf_text(out)[0]  # from the text layer
    assert b"/Font" in out.read_bytes() and b"Helvetica" in out.read_bytes()


def test_a_file_that_is_not_a_pdf_is_refused_with_a_reason() -> None:
    with pytest.raises(PdfError) as error:
        page_texts(b"%PDF-1.7 this is not really a PDF =cmd| <script>")
    assert error.value.reason == "unreadable"
    assert "script" not in str(error.value)
