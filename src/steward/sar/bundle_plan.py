"""What goes into a disclosure bundle: the contract between reviewing (sar.service.disclosure,
which decides) and building (sar.service.bundle, which draws). Plain data, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from steward.redaction.spans import Code, Span


@dataclass(frozen=True)
class Area:
    """A reviewer's box on a page that has no text to select (a scan): PDF points, origin at
    the page's bottom-left, as pypdfium2 reports them."""

    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float
    code: Code


@dataclass(frozen=True)
class PlannedDocument:
    title: str  # as the index shows it
    case_reference: str
    created_on: date | None
    kind: Literal["pdf", "text"]
    # kind "pdf": the source file; spans index into redaction.pdf.page_texts(pdf)[page].
    # kind "text": DOCX, plain text and anything else, as extracted text; spans are keyed 0.
    pdf: bytes | None
    text: str | None
    spans_by_page: Mapping[int, Sequence[Span]]
    areas: Sequence[Area] = ()


@dataclass(frozen=True)
class WithheldDocument:
    title: str
    case_reference: str
    code: Code


@dataclass(frozen=True)
class PaperItem:
    """A paper file in scope, listed with where it is so the requester knows it was searched."""

    file_reference: str
    description: str
    where: str


@dataclass(frozen=True)
class BundlePlan:
    reference: str  # the request's reference, e.g. SAR-2026-00042
    requester_name: str
    received_on: date
    due_on: date
    documents: Sequence[PlannedDocument]
    withheld: Sequence[WithheldDocument] = ()
    paper: Sequence[PaperItem] = ()
    # Art 15(1)(a)-(h) and 15(2): the covering letter's paragraphs, in order.
    article15: Sequence[tuple[str, str]] = field(default=())
