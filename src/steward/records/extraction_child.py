"""The text of one document, extracted in a process of its own under hard limits.

Run as ``python -I extraction_child.py`` by ``steward.records.extract``; never imported by the
application. It reads one JSON header line (the media type and the limits) and then the
file's bytes from stdin, and writes one JSON result to stdout: the file and its text travel
over pipes only, never through a file on disk (outside the encrypted store).

The limits are the operating system's (address space and CPU time, set first thing, before
any file byte is read), so a parser that runs away ends this process and nothing else. On top
of them, each format is bounded before it is parsed: a Word package by its zip directory
(parts, inflated size, compression ratio) and its XML (depth, elements), an image by its
pixels (Pillow's decompression-bomb limit, set here deliberately), a PDF by its pages.

It imports only the standard library, lxml, Pillow and pypdfium2: nothing of Steward, so a
bug here can reach no database and no key.
"""

from __future__ import annotations

import json
import posixpath
import resource
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class OutOfBounds(Exception):
    """The file is beyond a limit: ``reason`` is a code (no content) for the record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def apply_limits(limits: dict[str, Any]) -> None:
    """Hard limits on this process (and any Tesseract it starts): past the address-space
    limit an allocation fails (MemoryError), past the CPU limit the kernel ends it."""
    memory = int(limits["memory_bytes"])
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not dump the file to disk


def extract(media_type: str, data: bytes, limits: dict[str, Any]) -> dict[str, Any]:
    """{"status": "done"|"failed_bounds"|"failed", "reason", "note", "text"}."""
    try:
        if media_type == TEXT:
            text, note = data.decode("utf-8"), None
        elif media_type == PDF:
            text, note = _pdf_text(data, limits)
        elif media_type == DOCX:
            text, note = _docx_text(data, limits), None
        else:
            text, note = _ocr_text(data, limits)
    except OutOfBounds as bounds:
        return {"status": "failed_bounds", "reason": bounds.reason, "note": None, "text": ""}
    except MemoryError:
        return {"status": "failed_bounds", "reason": "memory", "note": None, "text": ""}
    except Exception as exc:  # a damaged file: its kind only, never its content
        return {
            "status": "failed",
            "reason": "unreadable",
            "error": type(exc).__name__[:64],
            "note": None,
            "text": "",
        }
    return {
        "status": "done",
        "reason": None,
        "note": note,
        "text": text[: int(limits["max_text_chars"])],
    }


# --- PDF ------------------------------------------------------------------------------


def _pdf_text(data: bytes, limits: dict[str, Any]) -> tuple[str, str | None]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    max_pages = int(limits["max_pdf_pages"])
    try:
        count = len(pdf)
        pages = []
        for index in range(min(count, max_pages)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    text = "\n".join(pages)
    if not text.strip():
        return "", "This PDF has no text layer (it may be a scan), so it is not searchable."
    if count > max_pages:
        return text, f"Only the first {max_pages} pages of this PDF were read for search."
    return text, None


# --- Word -----------------------------------------------------------------------------


def _docx_text(data: bytes, limits: dict[str, Any]) -> str:
    from lxml import etree

    with zipfile.ZipFile(BytesIO(data)) as archive:
        check_package(archive, limits)
        main = _main_part(archive)
        with archive.open(main) as part:
            try:
                return "".join(_paragraph_text(part, limits))
            except etree.XMLSyntaxError as exc:
                # libxml2's own bounds (a text node over 10 MB, names and attributes past
                # their limits without huge_tree) say "huge"; other syntax errors are damage.
                if "huge" in str(exc).lower():
                    raise OutOfBounds("xml_size") from exc
                raise


def check_package(archive: zipfile.ZipFile, limits: dict[str, Any]) -> None:
    """Bounds read from the zip's central directory, before any part is inflated. zipfile
    never inflates a part past its declared size, so the declared sizes bound the work."""
    infos = archive.infolist()
    if len(infos) > int(limits["max_parts"]):
        raise OutOfBounds("parts")
    if sum(info.file_size for info in infos) > int(limits["max_inflated_bytes"]):
        raise OutOfBounds("inflated_size")
    ratio = int(limits["max_compression_ratio"])
    for info in infos:
        # Small parts compress as they like; a large part inflating beyond any real
        # document's ratio is a bomb (a gigabyte of zeros is about 1000:1).
        if info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1):
            raise OutOfBounds("compression_ratio")


def _main_part(archive: zipfile.ZipFile) -> str:
    from lxml import etree

    with archive.open("_rels/.rels") as rels:
        root = etree.parse(rels, _parser()).getroot()
    for rel in root.iter(f"{_REL}Relationship"):
        if (rel.get("Type") or "").lower().endswith("/officedocument"):
            return str(posixpath.normpath((rel.get("Target") or "").lstrip("/")))
    raise KeyError("no main document part")


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _paragraph_text(stream: Any, limits: dict[str, Any]) -> Iterator[str]:
    """The document's text, paragraph by paragraph (table cells too), streamed: each element
    is dropped once read, and depth and element count are bounded as the parse goes."""
    from lxml import etree

    max_depth = int(limits["max_xml_depth"])
    max_elements = int(limits["max_xml_elements"])
    max_chars = int(limits["max_text_chars"])
    depth = elements = chars = 0
    for event, element in etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    ):
        if event == "start":
            depth += 1
            elements += 1
            if depth > max_depth:
                raise OutOfBounds("xml_depth")
            if elements > max_elements:
                raise OutOfBounds("xml_elements")
            continue
        depth -= 1
        tag = element.tag
        piece = ""
        if tag == f"{_W}t" and element.text and chars < max_chars:
            piece = element.text
        elif tag == f"{_W}tab":
            piece = "\t"
        elif tag in (f"{_W}br", f"{_W}p"):
            piece = "\n"
        if piece:
            chars += len(piece)
            yield piece
        if tag == f"{_W}p" or depth <= 2:
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


# --- scans ----------------------------------------------------------------------------


def _ocr_text(data: bytes, limits: dict[str, Any]) -> tuple[str, str | None]:
    from PIL import Image, ImageSequence

    tesseract = limits.get("tesseract")
    if not tesseract:
        return (
            "",
            "Text recognition (Tesseract) is not installed here, so this scan is not searchable.",
        )
    max_pixels = int(limits["max_image_pixels"])
    # Deliberately ours, not Pillow's default: above it Pillow warns (made an error here),
    # above twice it refuses. Either way the scan is out of bounds, not merely damaged.
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    max_pages = int(limits["max_ocr_pages"])
    deadline = time.monotonic() + float(limits["ocr_seconds"])
    pages: list[str] = []
    try:
        with Image.open(BytesIO(data)) as image:
            # Every page of a multi-page TIFF (a fax, a scanner's batch), not just the first.
            for frame in ImageSequence.Iterator(image):
                if frame.size[0] * frame.size[1] > max_pixels:
                    raise OutOfBounds("image_pixels")
                remaining = deadline - time.monotonic()
                if len(pages) == max_pages or remaining <= 0:
                    return "\n".join(pages), (
                        f"Only the first {len(pages)} pages of this scan were read for search."
                    )
                pages.append(_tesseract(tesseract, frame, timeout=remaining))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise OutOfBounds("image_pixels") from exc
    text = "\n".join(pages)
    if not text.strip():
        return "", "No text was recognised in this image, so it is not searchable."
    return text, None


def _tesseract(tesseract: str, frame: Any, *, timeout: float) -> str:
    """One page through Tesseract over pipes. Not pytesseract: it writes the image and the
    recognised text to files in the system temp directory, unencrypted."""
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


def main() -> None:
    header = json.loads(sys.stdin.buffer.readline())
    apply_limits(header["limits"])
    data = sys.stdin.buffer.read()
    result = extract(header["media_type"], data, header["limits"])
    result["applied"] = {
        "memory_bytes": resource.getrlimit(resource.RLIMIT_AS)[0],
        "cpu_seconds": resource.getrlimit(resource.RLIMIT_CPU)[0],
    }
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
