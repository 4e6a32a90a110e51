"""The bundle writer: page numbering, text documents redacted from their text, bounded memory."""

from __future__ import annotations

import io
import resource
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.platypus import Paragraph

from steward.redaction.pdf import Limits, count_pages_pdf, page_texts
from steward.redaction.render import (
    BundleError,
    BundleWriter,
    count_pages_flow,
    count_pages_text,
    text_story,
)
from steward.redaction.spans import Span
from steward.redaction.verify import prove_absent
from tests.redaction.pdfs import pdf_text, spans_of, text_pdf

LONG = "Bartholomew Fitzwilliam-Smythe"


def _span(text: str, needle: str) -> list[Span]:
    return spans_of(text, needle)


def test_every_page_says_page_n_of_n_across_letter_text_and_pdf(tmp_path: Path) -> None:
    source = text_pdf([["Page one of the source"], ["Page two of the source"]])
    letter = [Paragraph("Dear requester, here is your information.")]
    note = "Visit by Al.\n" * 150  # long enough for more than one page
    spans = spans_of(note, "Al")
    total = (
        count_pages_flow(letter) + count_pages_text("Note", note, spans) + count_pages_pdf(source)
    )
    out = tmp_path / "bundle.pdf"
    with out.open("wb") as stream:
        writer = BundleWriter(stream, total_pages=total)
        assert writer.add_flow(letter) == 1
        assert writer.add_text("Note", note, spans) == count_pages_text("Note", note, spans) > 1
        assert writer.add_pdf(source, []) == 2
        writer.close()
    pages = pdf_text(out)
    assert len(pages) == total
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {total}" in text


def test_a_bundle_whose_pages_do_not_add_up_is_refused(tmp_path: Path) -> None:
    writer = BundleWriter(io.BytesIO(), total_pages=3)
    writer.add_flow([Paragraph("Only one page")])
    with pytest.raises(BundleError):
        writer.close()


def test_a_text_document_hides_each_span_behind_a_box_of_one_width(tmp_path: Path) -> None:
    """A short and a long name give the same page: the box does not tell the name's length."""
    renders = []
    for name in ("Al", LONG):
        text = f"The social worker spoke to {name} about the move.\nNext steps agreed."
        out = tmp_path / f"{len(name)}.pdf"
        with out.open("wb") as stream:
            writer = BundleWriter(stream, total_pages=1)
            writer.add_text("Visit note", text, _span(text, name))
            writer.close()
        # The plaintext control: the text given did hold the name.
        assert name in text
        assert prove_absent(out, [LONG] if name == LONG else []) == []
        page = pdf_text(out)[0]
        assert "The social worker spoke to" in page and "THIRD_PARTY" in page
        assert name not in page.replace("THIRD_PARTY", "")
        doc = pdfium.PdfDocument(str(out))
        renders.append(doc[0].render(scale=1, grayscale=True).to_pil().tobytes())
        doc.close()
    assert renders[0] == renders[1]


def test_hostile_text_is_drawn_as_text_not_markup(tmp_path: Path) -> None:
    text = "=cmd|' /C calc'!A0 <script>alert(1)</script> <font size=\"90\">big</font> ../../etc"
    story = text_story("<b>title</b>", text)
    out = tmp_path / "hostile.pdf"
    with out.open("wb") as stream:
        writer = BundleWriter(stream, total_pages=count_pages_flow(story))
        writer.add_text("<b>title</b>", text, [])
        writer.close()
    page = pdf_text(out)[0]
    assert "<script>alert(1)</script>" in page and "<b>title</b>" in page and "=cmd|" in page


def test_two_hundred_pages_go_through_under_the_childs_memory_limit(tmp_path: Path) -> None:
    """The child renders under a 512 MB address-space limit, and this process does not grow
    with the page count (each page image is dropped once drawn)."""
    lines = [
        f"Line {n}: a case note that mentions Jane Smithers twice, Jane Smithers."
        for n in range(45)
    ]
    pdf = text_pdf([lines] * 200)
    texts = page_texts(pdf, Limits(memory_bytes=512 * 2**20))
    from steward.redaction.pdf import boxes_for

    boxes = boxes_for(pdf, {p: spans_of(t, "Jane Smithers") for p, t in enumerate(texts)})
    assert len(boxes) == 200 * 90
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = tmp_path / "big.pdf"
    with out.open("wb") as stream:
        writer = BundleWriter(
            stream, total_pages=200, dpi=120, limits=Limits(memory_bytes=512 * 2**20)
        )
        assert writer.add_pdf(pdf, boxes) == 200
        writer.close()
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200
    assert prove_absent(out, ["Jane Smithers", "Smithers"]) == []
    assert len(pdf_text(out)) == 200
