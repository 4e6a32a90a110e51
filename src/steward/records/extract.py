"""Text out of documents, for search: PDFs (pypdfium2), Word (python-docx), images (Tesseract).

Extraction never fails an upload: a file whose text cannot be read is still kept, with a note
saying why it is not searchable.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from io import BytesIO
from typing import TYPE_CHECKING

from steward.records import policy

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 2_000_000
# Extraction runs inside the upload's transaction: a pathological scan must not hold it for long.
OCR_TIMEOUT_SECONDS = 60.0
MAX_OCR_PAGES = 50


def extract_text(media_type: str, data: bytes) -> tuple[str, str | None]:
    """The document's text and, when it is incomplete, a note saying why."""
    try:
        if media_type == policy.TEXT:
            text, note = data.decode("utf-8"), None
        elif media_type == policy.PDF:
            text, note = _pdf_text(data)
        elif media_type == policy.DOCX:
            text, note = _docx_text(data), None
        else:
            text, note = _ocr_text(data)
    except Exception as exc:  # a damaged file is kept; only its text is missing
        log.warning("text extraction failed: %s", type(exc).__name__)
        return "", "The text of this file could not be read, so it is not searchable."
    return text[:MAX_TEXT_CHARS], note


def _pdf_text(data: bytes) -> tuple[str, str | None]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    text = "\n".join(pages)
    if text.strip():
        return text, None
    return "", "This PDF has no text layer (it may be a scan), so it is not searchable."


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def _ocr_text(data: bytes) -> tuple[str, str | None]:
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        log.warning("tesseract is not installed: scanned images are stored but not searchable")
        return (
            "",
            "Text recognition (Tesseract) is not installed here, so this scan is not searchable.",
        )
    from PIL import Image, ImageSequence

    pages: list[str] = []
    deadline = time.monotonic() + OCR_TIMEOUT_SECONDS
    with Image.open(BytesIO(data)) as image:
        # Every page of a multi-page TIFF (a fax, a scanner's batch), not just the first.
        for frame in ImageSequence.Iterator(image):
            remaining = deadline - time.monotonic()
            if len(pages) == MAX_OCR_PAGES or remaining <= 0:
                return "\n".join(pages), (
                    f"Only the first {len(pages)} pages of this scan were read for search."
                )
            pages.append(_tesseract(tesseract, frame, timeout=remaining))
    text = "\n".join(pages)
    if not text.strip():
        return "", "No text was recognised in this image, so it is not searchable."
    return text, None


def _tesseract(tesseract: str, frame: Image.Image, *, timeout: float) -> str:
    """One page through Tesseract over pipes. Not pytesseract: it writes the image and the
    recognised text to files in the system temp directory, unencrypted, and the data
    directory's encryption would not cover them."""
    png = BytesIO()
    (frame if frame.mode in ("1", "L", "RGB", "RGBA") else frame.convert("RGB")).save(png, "PNG")
    done = subprocess.run(  # noqa: S603 - fixed arguments; the image goes in on stdin
        [tesseract, "stdin", "stdout", "-l", "eng"],
        input=png.getvalue(),
        capture_output=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout.decode("utf-8", errors="replace")
