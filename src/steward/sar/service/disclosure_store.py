"""What the disclosure's use-cases share: finding a request's review and items, sealing what
is redacted under the request's key, each item's page texts, and proposing a text wherever
else it appears in the request (decisions consistent across the request).

Everything sealed here is sealed with a context naming its row, so a sealed value moved to
another row does not open."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.extract import ExtractionStatus
from steward.redaction.spans import Code, Label, Source
from steward.sar import policy
from steward.sar.disclosure_models import (
    Decision,
    ItemStatus,
    SarDisclosure,
    SarDisclosureItem,
    SarRedaction,
)
from steward.sar.models import SubjectAccessRequest
from steward.sar.service.requests import get_for_records

PDF = "application/pdf"


def seal(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, data: Any, ctx: str
) -> bytes:
    return crypto.seal(
        db, kek, key_id=request.data_key_id, plaintext=json.dumps(data).encode(), context=ctx
    )


def unseal(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, sealed: bytes, ctx: str
) -> Any:
    return json.loads(
        crypto.open_sealed(db, kek, key_id=request.data_key_id, sealed=sealed, context=ctx)
    )


def redaction_context(redaction: SarRedaction) -> str:
    return f"sar_redaction:{redaction.request_id}:{redaction.id}"


def kept_context(item: SarDisclosureItem) -> str:
    return f"sar_disclosure_item:{item.request_id}:{item.id}:kept"


def text_context(item: SarDisclosureItem) -> str:
    return f"sar_disclosure_item:{item.request_id}:{item.id}:text"


@dataclass(frozen=True)
class Sealed:
    text: str
    reason: str


def opened(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, r: SarRedaction
) -> Sealed:
    data = unseal(db, kek, request, r.sealed, redaction_context(r))
    return Sealed(str(data["text"]), str(data["reason"]))


# --- finding rows --------------------------------------------------------------------------------


def disclosure_of(db: Session, request_id: int) -> SarDisclosure | None:
    return db.scalar(select(SarDisclosure).where(SarDisclosure.request_id == request_id))


def require_disclosure(db: Session, request_id: int) -> SarDisclosure:
    found = disclosure_of(db, request_id)
    if found is None:
        raise Conflict(
            "Nothing is being prepared for disclosure yet: find the documents in scope first."
        )
    return found


def require_open(db: Session, request: SubjectAccessRequest) -> SarDisclosure:
    """The review, if it may still change: open, and the request still being worked on."""
    if policy.Status(request.status) not in policy.DISCLOSURE_WORK:
        raise Conflict(
            "The disclosure can change only while the request is being searched, reviewed "
            "or approved."
        )
    disclosure = require_disclosure(db, request.id)
    if disclosure.status != policy.Disclosure.OPEN:
        raise Conflict(
            "The disclosure has been sent for approval or approved: reopen it to change it."
        )
    return disclosure


def item_of(
    db: Session, actor: Actor, item_id: int
) -> tuple[SubjectAccessRequest, SarDisclosureItem]:
    item = db.get(SarDisclosureItem, item_id)
    if item is None:
        raise NotFound("There is no such document in this disclosure.")
    return get_for_records(db, actor, item.request_id), item


def redaction_of(
    db: Session, actor: Actor, redaction_id: int
) -> tuple[SubjectAccessRequest, SarRedaction]:
    redaction = db.get(SarRedaction, redaction_id)
    if redaction is None:
        raise NotFound("There is no such redaction.")
    return get_for_records(db, actor, redaction.request_id), redaction


def undecided(db: Session, request_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(SarRedaction)
            .join(SarDisclosureItem, SarDisclosureItem.id == SarRedaction.item_id)
            .where(
                SarRedaction.request_id == request_id,
                SarRedaction.decision == Decision.PROPOSED.value,
                SarDisclosureItem.status != ItemStatus.WITHHELD.value,
            )
        )
        or 0
    )


def refresh_status(item: SarDisclosureItem) -> None:
    """Back to proposed when something is left to decide on it; a withheld item stays so,
    and an item is marked reviewed only by a person (mark_reviewed) or its last decision."""
    if item.status == ItemStatus.WITHHELD:
        return
    if any(r.decision == Decision.PROPOSED for r in item.redactions):
        item.status = ItemStatus.PROPOSED.value


def settle_status(item: SarDisclosureItem) -> None:
    """After a decision: reviewed once nothing on it is left to decide."""
    if item.status == ItemStatus.WITHHELD:
        return
    left = any(r.decision == Decision.PROPOSED for r in item.redactions)
    item.status = (ItemStatus.PROPOSED if left else ItemStatus.REVIEWED).value


# --- page texts ------------------------------------------------------------------------------------


class TextUnavailable(Conflict):
    """The document's text cannot be read yet (not extracted) or at all."""


def _read_pages(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, item: SarDisclosureItem
) -> tuple[str, list[str]]:
    if item.document_id is None:
        raise TextUnavailable("This document is no longer held.")
    document, text = records.view_document(db, kek, actor, item.document_id)
    if document.media_type == PDF:
        pdf = pdf_module()
        if pdf is not None:
            body = records.download_document(db, kek, actor, item.document_id).data
            try:
                return "pdf", list(pdf.page_texts(body))
            except pdf.PdfError as exc:
                raise TextUnavailable(
                    f"The PDF could not be read ({exc.reason}): withhold it or review it by hand."
                ) from None
    if not text and document.extraction_status != ExtractionStatus.DONE:
        raise TextUnavailable(
            "This document's text has not been extracted yet: try again in a few minutes."
        )
    return "text", [text]


def pdf_module() -> Any:
    """steward.redaction.pdf when it is installed (its own branch until merged), else None:
    PDFs are then read as their extracted text, one page, and built as text."""
    try:
        import importlib

        return importlib.import_module("steward.redaction.pdf")
    except ImportError:
        return None


def pages_of(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    item: SarDisclosureItem,
    *,
    keep: bool = True,
) -> list[str]:
    """The item's page texts, read from the records once and then kept sealed with it.
    ``keep`` False: a read that must not write (a page view); the records are read again."""
    if item.text_sealed is not None:
        return [str(p) for p in unseal(db, kek, request, item.text_sealed, text_context(item))]
    kind, pages = _read_pages(db, kek, actor, item)
    if not keep:
        return pages
    item.kind, item.pages = kind, max(1, len(pages))
    item.text_sealed = seal(db, kek, request, pages, text_context(item))
    db.flush()
    return pages


# --- consistency ------------------------------------------------------------------------------------


def _pattern(text: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in text.split()]
    body = r"\s+".join(words)
    before = r"(?<!\w)" if text[:1].isalnum() else ""
    after = r"(?!\w)" if text[-1:].isalnum() else ""
    return re.compile(before + body + after, re.IGNORECASE)


def occurrences(text: str, page: str) -> list[tuple[int, int]]:
    if not text.strip():
        return []
    return [(m.start(), m.end()) for m in _pattern(text).finditer(page)]


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _overlaps(item: SarDisclosureItem, page: int, start: int, end: int) -> bool:
    return any(r.page == page and r.start < end and start < r.end for r in item.redactions)


def new_redaction(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    item: SarDisclosureItem,
    *,
    page: int,
    start: int,
    end: int,
    label: Label,
    code: Code,
    source: Source,
    text: str,
    reason: str,
    person_id: int | None = None,
    accepted: bool = False,
) -> SarRedaction:
    now = clock.now()
    redaction = SarRedaction(
        request_id=request.id,
        page=page,
        start=start,
        end=end,
        label=label.value,
        code=code.value,
        source=source.value,
        person_id=person_id,
        decision=(Decision.ACCEPTED if accepted else Decision.PROPOSED).value,
        decided_by_user_id=actor.user_id if accepted else None,
        decided_at=now if accepted else None,
        created_at=now,
        created_by_user_id=actor.user_id if source is Source.REVIEWER else None,
        sealed=b"",
    )
    item.redactions.append(redaction)
    db.flush()
    redaction.sealed = seal(
        db, kek, request, {"text": text, "reason": reason}, redaction_context(redaction)
    )
    return redaction


def propose_text(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    item: SarDisclosureItem,
    pages: list[str],
    *,
    text: str,
    code: Code,
    reason: str,
    accept: bool = False,
) -> int:
    """The text proposed (or, ``accept``, redacted) wherever it appears on the item and is
    not already covered by a redaction; how many were added."""
    added = 0
    for number, page in enumerate(pages):
        for start, end in occurrences(text, page):
            if _overlaps(item, number, start, end):
                continue
            new_redaction(
                db,
                kek,
                actor,
                request,
                item,
                page=number,
                start=start,
                end=end,
                label=Label.OTHER,
                code=code,
                source=Source.REVIEWER,
                text=page[start:end],
                reason=reason,
                accepted=accept,
            )
            added += 1
    if added:
        refresh_status(item)
    return added


def reviewer_texts(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest
) -> list[tuple[str, Code, str]]:
    """Each distinct text a reviewer redacted in the request (accepted), with its code and
    reason: what a newly read document is checked for."""
    found: dict[str, tuple[str, Code, str]] = {}
    for r in db.scalars(
        select(SarRedaction).where(
            SarRedaction.request_id == request.id,
            SarRedaction.source == Source.REVIEWER.value,
            SarRedaction.decision == Decision.ACCEPTED.value,
        )
    ):
        sealed = opened(db, kek, request, r)
        key = " ".join(sealed.text.split()).casefold()
        found.setdefault(key, (sealed.text, Code(r.code), sealed.reason))
    return list(found.values())
