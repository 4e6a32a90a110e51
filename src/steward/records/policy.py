"""Pure rules of the records domain: who may read a case, and which uploads are acceptable."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from enum import StrEnum
from io import BytesIO

from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Permission


class Access(StrEnum):
    """Why an actor may read a case; NONE means they may not (break-glass may still be offered)."""

    ROLE = "role"  # ig_officer, dpo: all cases, for their duties
    ASSIGNED = "assigned"
    TEAM = "team"
    BREAK_GLASS = "break_glass"
    NONE = "none"


def case_access(actor: Actor, *, assigned: bool, same_team: bool, break_glass_open: bool) -> Access:
    if actor.can(Permission.CASES_READ_ALL):
        return Access.ROLE
    if assigned and actor.can(Permission.CASES_READ_ASSIGNED):
        return Access.ASSIGNED
    if same_team and actor.can(Permission.CASES_READ_TEAM):
        return Access.TEAM
    if break_glass_open and actor.can(Permission.CASES_BREAK_GLASS):
        return Access.BREAK_GLASS
    return Access.NONE


# --- break-glass reasons ---------------------------------------------------------------

MIN_REASON_CHARS = 20
MAX_REASON_CHARS = 2000
MIN_REASON_WORDS = 3
# A word: two or more letters. Digits and punctuation alone say nothing to the DPO.
_REASON_WORD = re.compile(r"[^\W\d_]{2,}")


def break_glass_reason_problem(reason: str) -> str | None:
    """What is wrong with a break-glass reason, or None. A reason is read by the DPO, so it
    must look like one: a sentence of at least three different words, not a keyboard mash or
    one token repeated. Deliberately simple, so staff can be told the rule in one line."""
    text = reason.strip()
    if len(text) < MIN_REASON_CHARS:
        return f"Give a reason of at least {MIN_REASON_CHARS} characters"
    if len(text) > MAX_REASON_CHARS:
        return f"Give a reason of at most {MAX_REASON_CHARS} characters"
    if len({w.casefold() for w in _REASON_WORD.findall(text)}) < MIN_REASON_WORDS:
        return f"Say why in a sentence of at least {MIN_REASON_WORDS} different words"
    return None


# --- uploads --------------------------------------------------------------------------

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
ACCEPTED_TYPES = (PDF, DOCX, TEXT, PNG, JPEG, TIFF)
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", TEXT: ".txt", PNG: ".png", JPEG: ".jpg", TIFF: ".tif"}
_UNSAFE_FILENAME_CHARS = re.compile(r"[^\w.\- ()]+")
_DOT_RUNS = re.compile(r"\.{2,}")
_EDGE_CHARS = " ._-"


def sniff_media_type(data: bytes) -> str:
    """The file's real type from its bytes, never from its name or the browser's claim."""
    if not data:
        raise ValidationFailed(
            "The file is empty.", errors={"file": "Choose a file that is not empty"}
        )
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if data.startswith(b"PK\x03\x04"):
        if _has_macros(data):
            raise ValidationFailed(
                "Word files with macros cannot be added. Save it as a Word document (.docx) "
                "without macros, or as a PDF, and upload that.",
                errors={"file": "Upload the file without macros, as .docx or PDF"},
            )
        if _is_docx(data):
            return DOCX
    if _is_plain_text(data):
        return TEXT
    raise ValidationFailed(
        "This type of file cannot be added. Upload a PDF, Word (.docx), plain text, PNG, JPEG or TIFF file.",
        errors={"file": "Upload a PDF, .docx, text or image file"},
    )


def _zip_names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return set(archive.namelist())
    except zipfile.BadZipFile:
        return set()


def _is_docx(data: bytes) -> bool:
    return "word/document.xml" in _zip_names(data)


def _has_macros(data: bytes) -> bool:
    # Macro-enabled Office files (vbaProject.bin) are active content: refused outright.
    return any(n.lower().endswith("vbaproject.bin") for n in _zip_names(data))


# What a browser would sniff as markup (WHATWG MIME Sniffing, "identifying a resource with an
# unknown MIME type"), plus SVG: a text upload starting with one of these is refused, so no
# stored "text" can ever be rendered as a page.
_MARKUP_STARTS = re.compile(
    r"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg)"
    r"(?:[\s>/]|$)|<!--|<\?xml",
)
# Bytes that never occur in text (the same standard's "binary data bytes", less vertical tab,
# which text pasted out of Word carries): NUL and most C0 controls.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _is_plain_text(data: bytes) -> bool:
    if _BINARY_BYTES.search(data):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:4096].lstrip(" \t\r\n\f\ufeff").lower()
    return _MARKUP_STARTS.match(head) is None


def safe_filename(name: str | None, media_type: str) -> str:
    """A display name safe in headers and on disk: no path, no control or odd characters,
    and the extension of the file's real type."""
    base = unicodedata.normalize("NFKC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _DOT_RUNS.sub(".", _UNSAFE_FILENAME_CHARS.sub("_", stem))
    # Stripped again after cutting, so the cut never leaves "name..pdf"; a leading "-" would
    # read as an option to a command-line tool, a leading "=" (already "_") as a formula.
    stem = stem.strip(_EDGE_CHARS)[:120].strip(_EDGE_CHARS) or "document"
    return stem + EXTENSIONS[media_type]
