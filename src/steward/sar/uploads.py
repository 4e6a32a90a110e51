"""What a request's documents may be: pure rules, no database.

The public can send us files, so only the types a person proves who they are with (a scan or
photo of ID, a signed authority) are taken: core.uploads checks them by their first bytes (a
PDF, a JPEG or a PNG, up to 10 MB), as it does training's evidence."""

from __future__ import annotations

from enum import StrEnum

from steward.core.uploads import JPEG, MAX_BYTES, PDF, PNG, TYPE_NAMES, check_file

__all__ = [
    "JPEG",
    "KIND_NAMES",
    "MAX_BYTES",
    "PDF",
    "PNG",
    "TYPE_NAMES",
    "DocumentKind",
    "check_file",
]


class DocumentKind(StrEnum):
    ID = "id"  # proof of the requester's identity
    AUTHORITY = "authority"  # proof of parental responsibility, or a signed authority
    OTHER = "other"


KIND_NAMES = {
    DocumentKind.ID: "Proof of identity",
    DocumentKind.AUTHORITY: "Proof of authority",
    DocumentKind.OTHER: "Other document",
}
