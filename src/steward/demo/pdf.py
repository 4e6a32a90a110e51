"""A minimal text-only PDF writer for demo court orders: Helvetica, A4, wrapped lines.

Enough for a document that opens in any viewer and has a real text layer to extract; not a
general PDF library (the product has none among its dependencies, and needs none).
"""

from __future__ import annotations

import textwrap

LINES_PER_PAGE = 52
WRAP_AT = 92


def _escape(line: str) -> bytes:
    encoded = line.encode("cp1252", "replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(title: str, body: str) -> bytes:
    lines: list[str] = []
    for paragraph in body.splitlines():
        lines.extend(textwrap.wrap(paragraph, WRAP_AT) or [""])
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    page_count = len(pages)
    # Objects: 1 catalog, 2 page tree, 3 font, 4 info, then a page and its content per page.
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(page_count))
        + b"] /Count %d >>" % page_count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + _escape(title) + b") /Producer (Steward demo data) >>",
    ]
    for number, page_lines in enumerate(pages):
        content = b"BT\n/F1 10 Tf\n14 TL\n56 790 Td\n"
        content += b"".join(b"(" + _escape(line) + b") '\n" for line in page_lines)
        content += b"ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * number)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for index, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % index + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
