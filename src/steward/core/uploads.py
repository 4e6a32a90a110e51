"""Files people attach as evidence (a scan of ID, a signed attendance sheet): pure rules, no
database, shared by every domain that takes one.

Only the types such evidence comes in are taken, each known by its first bytes, never by its
name or the browser's claim: a PDF, a JPEG or a PNG, up to 10 MB."""

from __future__ import annotations

from steward.core.errors import ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}


def check_file(data: bytes, *, field: str = "file") -> str:
    """The file's media type, or a GOV.UK error message saying what to do instead."""
    if not data:
        raise ValidationFailed(
            "The selected file is empty.", errors={field: "The selected file is empty"}
        )
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            "The selected file must be smaller than 10MB.",
            errors={field: "The selected file must be smaller than 10MB"},
        )
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    raise ValidationFailed(
        "The selected file must be a PDF, JPG or PNG.",
        errors={field: "The selected file must be a PDF, JPG or PNG"},
    )
