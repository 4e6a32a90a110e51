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
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    if _is_plain_text(data):
        return TEXT
    raise ValidationFailed(
        "This type of file cannot be added. Upload a PDF, Word (.docx), plain text, PNG, JPEG or TIFF file.",
        errors={"file": "Upload a PDF, .docx, text or image file"},
    )


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    # Macro-enabled Word files (vbaProject.bin) are active content: refused.
    return "word/document.xml" in names and not any(n.endswith("vbaProject.bin") for n in names)


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<svg", "<?xml", "<script")):
        return False
    return "\x00" not in text


def safe_filename(name: str | None, media_type: str) -> str:
    """A display name safe in headers and on disk: no path, no control or odd characters,
    and the extension of the file's real type."""
    base = unicodedata.normalize("NFKC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE_FILENAME_CHARS.sub("_", stem).strip(" ._")[:120] or "document"
    return stem + EXTENSIONS[media_type]
