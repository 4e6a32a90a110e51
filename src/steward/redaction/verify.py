"""Proof that redacted text is gone from a bundle: the last gate before it is released.

``prove_absent(path, needles)`` looks for each needle everywhere a PDF can hold text:

(a) the text pdfium extracts from every page, compared as it is and with whitespace removed,
    casefolded (so "Jane\\nSmith" and a ligature "ﬁ" are caught);
(b) every stream, decompressed, and the raw file bytes, as latin-1, UTF-8 and UTF-16BE;
(c) the document information dictionary and the XMP metadata;
(d) and it reports any annotation, form, attachment or script at all: a bundle has none.

A Leak says where, never what: it is logged and shown, and must not repeat the personal data.
Image data is not text: a needle's bytes turning up by chance inside a compressed image are
not a leak (they are counted and set against the raw-file hits).

The bundle is our own output, but this also runs on sources in tests (the plaintext control),
so pdfium runs here only on files this process wrote or a test made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

_SPACE = re.compile(r"\s+")
_CHUNK = 8 * 2**20
MIN_BYTES = 4  # a shorter needle's bytes turn up by chance in any file: text checks only


@dataclass(frozen=True)
class Leak:
    """Where a needle (by its position in the list given) or a forbidden object was found."""

    where: str  # "page", "stream", "file", "metadata", "structure"
    needle: int | None  # index into the needles; None for a forbidden object
    detail: str  # page number, object number, key name: never the text found

    def __str__(self) -> str:
        which = f"needle #{self.needle}" if self.needle is not None else "object"
        return f"{which} in {self.where} {self.detail}".strip()


def _squash(text: str) -> str:
    return _SPACE.sub("", text).casefold()


def prove_absent(path: Path, needles: Iterable[str]) -> list[Leak]:
    """Every place any needle (or any forbidden object) is found; empty means proven."""
    wanted = [n for n in needles if n.strip()]
    leaks: list[Leak] = []
    leaks += _page_text(path, wanted)
    with pikepdf.open(path) as pdf:
        image_hits, stream_leaks = _streams(pdf, wanted)
        leaks += stream_leaks
        leaks += _metadata(pdf, wanted)
        leaks += _structure(pdf)
    leaks += _raw(path, wanted, image_hits)
    return leaks


def _page_text(path: Path, needles: list[str]) -> list[Leak]:
    leaks = []
    squashed = [_squash(n) for n in needles]
    doc = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            flat = _squash(text)
            folded = text.casefold()
            for i, needle in enumerate(needles):
                if needle.casefold() in folded or squashed[i] in flat:
                    leaks.append(Leak("page", i, f"{index + 1}"))
    finally:
        doc.close()
    return leaks


def _encodings(needle: str) -> list[bytes]:
    forms = []
    for text in {needle, needle.lower(), needle.casefold()}:
        for codec in ("latin-1", "utf-8", "utf-16-be"):
            try:
                forms.append(text.encode(codec).lower())
            except UnicodeEncodeError:
                continue
    return [f for f in set(forms) if len(f) >= MIN_BYTES]


def _count(haystack: bytes, forms: list[bytes]) -> int:
    return sum(haystack.count(f) for f in forms)


def _is_image(obj: pikepdf.Stream) -> bool:
    return obj.get("/Subtype") == pikepdf.Name.Image


def _streams(pdf: pikepdf.Pdf, needles: list[str]) -> tuple[list[int], list[Leak]]:
    """Leaks in decompressed non-image streams, and per needle the chance hits inside the
    raw bytes of image streams (set against the raw-file count)."""
    forms = [_encodings(n) for n in needles]
    image_hits = [0] * len(needles)
    leaks = []
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        if _is_image(obj):
            raw = obj.read_raw_bytes().lower()
            for i, f in enumerate(forms):
                image_hits[i] += _count(raw, f)
            continue
        try:
            data = obj.read_bytes().lower()
        except pikepdf.PdfError:
            data = obj.read_raw_bytes().lower()
        for i, f in enumerate(forms):
            if _count(data, f):
                leaks.append(Leak("stream", i, f"object {obj.objgen[0]}"))
    return image_hits, leaks


def _raw(path: Path, needles: list[str], image_hits: list[int]) -> list[Leak]:
    """Hits in the file's raw bytes, read in chunks (a bundle can be hundreds of MB): each
    chunk overlaps the last by the longest form, and only hits ending past it are counted."""
    forms = [_encodings(n) for n in needles]
    overlap = max((len(f) for fs in forms for f in fs), default=1) - 1
    hits = [0] * len(needles)
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk.lower()
            for i, fs in enumerate(forms):
                for form in fs:
                    at = window.find(form)
                    while at >= 0:
                        if at + len(form) > len(tail):
                            hits[i] += 1
                        at = window.find(form, at + 1)
            tail = window[-overlap:] if overlap else b""
    return [Leak("file", i, "raw bytes") for i in range(len(needles)) if hits[i] > image_hits[i]]


def _metadata(pdf: pikepdf.Pdf, needles: list[str]) -> list[Leak]:
    leaks = []
    info = {str(k): str(v) for k, v in pdf.docinfo.items()} if pdf.trailer.get("/Info") else {}
    xmp = ""
    if "/Metadata" in pdf.Root:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")
    for i, needle in enumerate(needles):
        folded = needle.casefold()
        for key, value in info.items():
            if folded in value.casefold():
                leaks.append(Leak("metadata", i, key))
        if folded in xmp.casefold():
            leaks.append(Leak("metadata", i, "XMP"))
    return leaks


def _structure(pdf: pikepdf.Pdf) -> list[Leak]:
    leaks = []
    root = pdf.Root
    for key in ("/AcroForm", "/OpenAction", "/AA"):
        if key in root:
            leaks.append(Leak("structure", None, key))
    names = root.get("/Names")
    if names is not None:
        for key in ("/EmbeddedFiles", "/JavaScript"):
            if key in names:
                leaks.append(Leak("structure", None, key))
    for number, page in enumerate(pdf.pages, start=1):
        for key in ("/Annots", "/AA"):
            if key in page.obj:
                leaks.append(Leak("structure", None, f"{key} on page {number}"))
    # Anywhere else (an action hidden in an outline, a file stream in any dictionary).
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        if "/JS" in obj or obj.get("/S") == pikepdf.Name.JavaScript:
            leaks.append(Leak("structure", None, f"/JavaScript in object {obj.objgen[0]}"))
        if obj.get("/Type") == pikepdf.Name.EmbeddedFile or "/EF" in obj:
            leaks.append(Leak("structure", None, f"/EmbeddedFile in object {obj.objgen[0]}"))
    return leaks
