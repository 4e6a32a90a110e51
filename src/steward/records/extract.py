"""Text out of documents, for search: PDFs (pypdfium2), Word (python-docx), images (Tesseract).

Extraction never fails an upload: a file whose text cannot be read is still kept, with a note
saying why it is not searchable.
"""

from __future__ import annotations

import logging
import shutil
from io import BytesIO

from steward.records import policy

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 2_000_000


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
    if not ocr_available():
        log.warning("tesseract is not installed: scanned images are stored but not searchable")
        return (
            "",
            "Text recognition (Tesseract) is not installed here, so this scan is not searchable.",
        )
    import pytesseract
    from PIL import Image

    with Image.open(BytesIO(data)) as image:
        return str(pytesseract.image_to_string(image, lang="eng")), None
