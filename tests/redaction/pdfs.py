"""Source PDFs for the redaction tests, made here so each test knows exactly what they hold."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pypdfium2 as pdfium
import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from steward.redaction.spans import Code, Label, Span

VERA = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")


def text_pdf(pages: Iterable[Iterable[str]], *, size: float = 12, rotate: int = 0) -> bytes:
    """One page per item, each line drawn in Helvetica from the top."""
    out = io.BytesIO()
    canvas = Canvas(out)
    for lines in pages:
        canvas.setPageRotation(rotate)
        canvas.setFont("Helvetica", size)
        for n, line in enumerate(lines):
            canvas.drawString(72, 770 - n * size * 1.6, line)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def landscape_pdf(line: str, other: str, *, size: float = 18) -> bytes:
    """A page with /Rotate 90 whose text is drawn turned back, so it reads upright on screen
    (how a landscape scan or report is often stored)."""
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setPageRotation(90)
    canvas.saveState()
    canvas.translate(500, 100)
    canvas.rotate(90)
    canvas.setFont("Helvetica", size)
    canvas.drawString(0, 0, line)
    canvas.drawString(0, -size * 2, other)
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def ligature_pdf(line: str) -> bytes:
    """Text in a TrueType font, so a ligature character (U+FB01) is drawn as one glyph."""
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", VERA))
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont("Vera", 14)
    canvas.drawString(72, 700, line)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def scan_pdf(lines: list[str], *, dpi: int = 200) -> tuple[bytes, list[tuple[float, float]]]:
    """An image-only page (no text layer) with ``lines`` drawn into the pixels, and the
    baseline-left of each line in PDF points (origin bottom-left)."""
    width, height = 595, 842
    scale = dpi / 72
    image = Image.new("L", (round(width * scale), round(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(VERA, round(18 * scale))
    where = []
    for n, line in enumerate(lines):
        top = 100 + n * 40
        draw.text((72 * scale, top * scale), line, fill=0, font=font)
        where.append((72.0, height - top - 18.0))
    png = io.BytesIO()
    image.save(png, "PNG")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height))
    from reportlab.lib.utils import ImageReader

    canvas.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width, height)
    canvas.showPage()
    canvas.save()
    return out.getvalue(), where


def spans_of(text: str, needle: str, code: Code = Code.THIRD_PARTY) -> list[Span]:
    spans = []
    at = text.find(needle)
    while at >= 0:
        spans.append(Span(at, at + len(needle), Label.NAME, code, "test"))
        at = text.find(needle, at + 1)
    return spans


def pdf_text(path: Path | bytes) -> list[str]:
    doc = pdfium.PdfDocument(path if isinstance(path, bytes) else str(path))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def ocr(path: Path | bytes, page: int = 0) -> str:
    """What Tesseract reads on a page, rendered at 200 dpi: what a person would see."""
    doc = pdfium.PdfDocument(path if isinstance(path, bytes) else str(path))
    try:
        image = doc[page].render(scale=200 / 72, grayscale=True).to_pil()
    finally:
        doc.close()
    png = io.BytesIO()
    image.save(png, "PNG")
    tesseract = shutil.which("tesseract")
    assert tesseract is not None
    done = subprocess.run(
        [tesseract, "stdin", "stdout", "-l", "eng"],
        input=png.getvalue(),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace")
