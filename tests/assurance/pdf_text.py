"""The text of a PDF, as a reader's copy-and-paste would give it (pypdfium2, as the SAR tests
read letters: the repo's PDF reader; pypdf is not a dependency)."""

from __future__ import annotations

import pypdfium2 as pdfium


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
