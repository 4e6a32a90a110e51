"""Reviewing a request's disclosure: each document in scope with its proposed redactions,
the handler's decisions (accept, reject, change the code, add, withhold the whole document),
kept consistent across the request, then a second person's approval, and the plan of the
bundle that the build (sar.service.bundle) draws from.

Maker-checker: whoever sends the disclosure for approval may not approve it. Each state change
is one audit event (ids, codes and counts: never a redacted text, a reason or a name); reading
a document's review is an audited read. Detection itself lives in disclosure_detect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Case, Document
from steward.redaction.spans import Code, Label, Source, Span
from steward.sar import bundle_plan, policy
from steward.sar.disclosure_models import (
    Decision,
    DetectStatus,
    ItemStatus,
    SarDisclosure,
    SarDisclosureItem,
    SarRedaction,
)
from steward.sar.events import SarEvent
from steward.sar.models import SubjectAccessRequest
from steward.sar.service import bundle as bundles
from steward.sar.service import disclosure_store as store
from steward.sar.service.disclosure_detect import (
    JOB_KIND,
    Analyser,
    Detected,
    case_context,
    execute_detection,
    gather,
    in_scope_paper,
    propose,
    use_analyser,
)
from steward.sar.service.requests import (
    SUBJECT_TYPE,
    _step,
    clock_of,
    details,
    follow,
    get,
    get_for_records,
)
from steward.sar.service.search import _open, _shown_context

CODE_WORDS: dict[Code, str] = {
    Code.THIRD_PARTY: "Third party: identifies another person (DPA Sch 2 Pt 3 para 16)",
    Code.SOCIAL_WORK_HARM: "Serious harm: social work data (DPA Sch 3 Pt 3)",
    Code.EXPECTATION: "Given in confidence: not to be disclosed to the requester (Sch 3 Pt 3 para 10)",
    Code.CHILD_ABUSE: "Child abuse data not in the child's best interests (DPA Sch 3 Pt 5)",
    Code.LEGAL_PRIVILEGE: "Legal professional privilege (DPA Sch 2 Pt 4 para 19)",
    Code.CRIME: "Prevention or detection of crime (DPA Sch 2 Pt 1 para 2)",
    Code.JUDICIAL: "Court proceedings: judicial or court-restricted (DPA Sch 2 Pt 2 para 14)",
    Code.NOT_REQUESTER: "Not the requester's personal data (Art 15)",
}
MAX_REASON = 2000
MAX_COORD = 20_000.0
REVIEWER_REASON = "Redacted by the reviewer"


def _code(value: Code | str | None, field: str = "code") -> Code:
    try:
        return Code(value) if value is not None else Code.THIRD_PARTY
    except ValueError:
        raise ValidationFailed(
            "Choose the exemption code from the list.", errors={field: "Choose a code"}
        ) from None


def _reason(reason: str) -> str:
    text = reason.strip()
    if len(text) > MAX_REASON:
        raise ValidationFailed(
            "The reason must be 2,000 characters or fewer.",
            errors={"reason": "Enter a reason of 2,000 characters or fewer"},
        )
    return text or REVIEWER_REASON


def _record(
    db: Session, actor: Actor, request: SubjectAccessRequest, kind: SarEvent, **found: Any
) -> None:
    audit.record(db, actor, kind, subject_type=SUBJECT_TYPE, subject_id=request.id, details=found)


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureState:
    status: policy.Disclosure
    prepared_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    job_id: int | None
    documents: int
    to_review: int  # not yet reviewed (nor withheld)
    withheld: int
    undecided: int  # redactions still to decide
    accepted: int

    @property
    def approved(self) -> bool:
        return self.status is policy.Disclosure.APPROVED


def state(db: Session, actor: Actor, *, request_id: int) -> DisclosureState | None:
    """Where the request's disclosure stands, or None before its documents were gathered."""
    request = get(db, actor, request_id)
    disclosure = store.disclosure_of(db, request.id)
    if disclosure is None:
        return None
    by_status = dict(
        db.execute(
            select(SarDisclosureItem.status, func.count())
            .where(SarDisclosureItem.request_id == request.id)
            .group_by(SarDisclosureItem.status)
        ).all()
    )
    accepted = db.scalar(
        select(func.count()).where(
            SarRedaction.request_id == request.id,
            SarRedaction.decision == Decision.ACCEPTED.value,
        )
    )
    names = auth.usernames(
        db, [u for u in (disclosure.prepared_by_user_id, disclosure.approved_by_user_id) if u]
    )
    return DisclosureState(
        status=policy.Disclosure(disclosure.status),
        prepared_by=names.get(disclosure.prepared_by_user_id or 0),
        submitted_at=disclosure.submitted_at,
        approved_by=names.get(disclosure.approved_by_user_id or 0),
        approved_at=disclosure.approved_at,
        job_id=disclosure.job_id,
        documents=sum(by_status.values()),
        to_review=by_status.get(ItemStatus.PROPOSED.value, 0),
        withheld=by_status.get(ItemStatus.WITHHELD.value, 0),
        undecided=store.undecided(db, request.id),
        accepted=accepted or 0,
    )


def is_approved(db: Session, actor: Actor, *, request_id: int) -> bool:
    """Whether a second person has approved the request's disclosure as it now stands."""
    get(db, actor, request_id)
    disclosure = store.disclosure_of(db, request_id)
    return disclosure is not None and disclosure.status == policy.Disclosure.APPROVED


@dataclass(frozen=True)
class ItemRow:
    id: int
    title: str
    case_number: str | None
    created_on: date | None
    found_as: str
    status: ItemStatus
    detect_status: DetectStatus
    withheld_code: Code | None
    proposed: int
    accepted: int
    rejected: int
    kept: int


def _titles(db: Session, document_ids: list[int]) -> dict[int, tuple[str, str, date]]:
    rows = db.execute(
        select(Document.id, Document.title, Case.case_number, Document.created_on)
        .join(Case, Case.id == Document.case_id)
        .where(Document.id.in_(document_ids))
    )
    return {i: (t, n, d) for i, t, n, d in rows}


def _counts(db: Session, item_ids: list[int]) -> dict[tuple[int, str], int]:
    rows = db.execute(
        select(SarRedaction.item_id, SarRedaction.decision, func.count())
        .where(SarRedaction.item_id.in_(item_ids))
        .group_by(SarRedaction.item_id, SarRedaction.decision)
    )
    return {(i, d): n for i, d, n in rows}


def items(
    db: Session, actor: Actor, *, request_id: int, page: PageRequest = PageRequest(size=20)
) -> Page[ItemRow]:
    """One page of the documents in scope, each with its status and counts (an audited read:
    titles can name people)."""
    request = get_for_records(db, actor, request_id)
    found: Page[SarDisclosureItem] = paginate(
        db,
        select(SarDisclosureItem)
        .where(SarDisclosureItem.request_id == request.id)
        .order_by(SarDisclosureItem.id),
        page,
    )
    rows = list(found.items)
    titles = _titles(db, [r.document_id for r in rows if r.document_id is not None])
    counts = _counts(db, [r.id for r in rows])
    _record(db, actor, request, SarEvent.DISCLOSURE_READ, documents=len(rows))
    return found.map(
        lambda r: ItemRow(
            id=r.id,
            title=titles.get(r.document_id or 0, ("A document no longer held", "", None))[0],
            case_number=titles.get(r.document_id or 0, ("", None, None))[1],
            created_on=titles.get(r.document_id or 0, ("", None, None))[2],
            found_as=r.found_as,
            status=ItemStatus(r.status),
            detect_status=DetectStatus(r.detect_status),
            withheld_code=Code(r.withheld_code) if r.withheld_code else None,
            proposed=counts.get((r.id, Decision.PROPOSED.value), 0),
            accepted=counts.get((r.id, Decision.ACCEPTED.value), 0),
            rejected=counts.get((r.id, Decision.REJECTED.value), 0),
            kept=r.kept_count,
        )
    )


@dataclass(frozen=True)
class Mark:
    """A highlighted run of a page: a redaction (with its decision) or a kept finding."""

    kind: str  # "redaction" or "kept"
    id: int | None  # the redaction's id
    label: str
    code: Code | None
    decision: Decision | None
    reason: str
    role: str | None  # kept findings: whose data it is


@dataclass(frozen=True)
class Segment:
    text: str
    mark: Mark | None


@dataclass(frozen=True)
class RedactionView:
    id: int
    page: int
    start: int
    end: int
    text: str
    label: Label
    code: Code
    source: Source
    decision: Decision
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    group: str  # what "accept all of this person" takes: "person:<id>" or "text:<id>"


@dataclass(frozen=True)
class Group:
    key: str
    text: str  # how the page names it: the first name-like text of the group
    proposed: int  # still to decide, across the whole request


@dataclass(frozen=True)
class ItemReview:
    item_id: int
    request_id: int
    title: str
    case_number: str | None
    status: ItemStatus
    detect_status: DetectStatus
    kind: str
    withheld_code: Code | None
    withheld_by: str | None
    withheld_at: datetime | None
    pages: list[list[Segment]]
    redactions: list[RedactionView]
    kept: list[dict[str, Any]]
    groups: list[Group]
    areas: list[dict[str, Any]]
    editable: bool
    text_error: str | None  # why the text could not be read


def _segments(page: str, marks: list[tuple[int, int, Mark]]) -> list[Segment]:
    out: list[Segment] = []
    at = 0
    for start, end, mark in sorted(marks, key=lambda m: (m[0], m[1])):
        if start < at:  # overlapping a run already shown: redactions were put first
            continue
        if start > at:
            out.append(Segment(page[at:start], None))
        out.append(Segment(page[start:end], mark))
        at = end
    if at < len(page):
        out.append(Segment(page[at:], None))
    return out


def _views(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, item: SarDisclosureItem
) -> list[RedactionView]:
    names = auth.usernames(
        db, [r.decided_by_user_id for r in item.redactions if r.decided_by_user_id]
    )
    views = []
    for r in item.redactions:
        sealed = store.opened(db, kek, request, r)
        views.append(
            RedactionView(
                id=r.id,
                page=r.page,
                start=r.start,
                end=r.end,
                text=sealed.text,
                label=Label(r.label),
                code=Code(r.code),
                source=Source(r.source),
                decision=Decision(r.decision),
                reason=sealed.reason,
                decided_by=names.get(r.decided_by_user_id or 0),
                decided_at=r.decided_at,
                group=f"person:{r.person_id}" if r.person_id else f"text:{r.id}",
            )
        )
    return views


def _groups(db: Session, request: SubjectAccessRequest, views: list[RedactionView]) -> list[Group]:
    """One bulk action per person (across the request) and per distinct other text (this
    document's), for those with proposals still to decide."""
    people = [int(v.group.split(":")[1]) for v in views if v.group.startswith("person:")]
    across = dict(
        db.execute(
            select(SarRedaction.person_id, func.count())
            .where(
                SarRedaction.request_id == request.id,
                SarRedaction.person_id.in_(people),
                SarRedaction.decision == Decision.PROPOSED.value,
            )
            .group_by(SarRedaction.person_id)
        ).all()
    )
    groups: dict[str, Group] = {}
    texts: dict[str, str] = {}
    for v in views:
        if v.group.startswith("person:"):
            key = v.group
            count = across.get(int(key.split(":")[1]), 0)
            current = groups.get(key)
            if current is None or (
                v.label is Label.NAME and current.text != v.text and not _named(current)
            ):
                groups[key] = Group(key, v.text, count)
            continue
        if v.decision is not Decision.PROPOSED:
            continue
        norm = " ".join(v.text.split()).casefold()
        key = texts.setdefault(norm, v.group)
        found = groups.get(key)
        groups[key] = Group(key, v.text, (found.proposed if found else 0) + 1)
    return [g for g in groups.values() if g.proposed > 0]


def _named(group: Group) -> bool:
    return any(ch.isalpha() for ch in group.text) and not any(ch.isdigit() for ch in group.text)


def review(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, *, request_id: int, item_id: int
) -> ItemReview:
    """One document of the disclosure: its text in pages, split into runs with the
    redactions and kept findings marked, who decided each and when; an audited read."""
    request = get_for_records(db, actor, request_id)
    item = db.get(SarDisclosureItem, item_id)
    if item is None or item.request_id != request.id:
        raise NotFound("There is no such document in this disclosure.")
    disclosure = store.require_disclosure(db, request.id)
    text_error = None
    try:
        # A page view only reads (its request runs read-only): the text is kept with the
        # item when something is decided on it.
        pages = store.pages_of(db, kek, actor, request, item, keep=False)
    except store.TextUnavailable as exc:
        pages, text_error = [], exc.message
    views = _views(db, kek, request, item)
    kept: list[dict[str, Any]] = (
        store.unseal(db, kek, request, item.kept_sealed, store.kept_context(item))
        if item.kept_sealed
        else []
    )
    for k in kept:
        page_text = pages[k["page"]] if k["page"] < len(pages) else ""
        k["text"] = page_text[k["start"] : k["end"]]
    marked: list[list[Segment]] = []
    for number, text in enumerate(pages):
        marks = [
            (
                v.start,
                v.end,
                Mark("redaction", v.id, v.label.value, v.code, v.decision, v.reason, None),
            )
            for v in views
            if v.page == number and v.end <= len(text)
        ]
        taken = [(s, e) for s, e, _ in marks]
        marks += [
            (
                k["start"],
                k["end"],
                Mark("kept", None, k["label"], None, None, k["reason"], k["role"]),
            )
            for k in kept
            if k["page"] == number and not any(k["start"] < e and s < k["end"] for s, e in taken)
        ]
        marked.append(_segments(text, marks))
    meta = _titles(db, [item.document_id]) if item.document_id else {}
    title, case_number, _ = meta.get(
        item.document_id or 0, ("A document no longer held", None, None)
    )
    names = auth.usernames(db, [item.withheld_by_user_id] if item.withheld_by_user_id else [])
    _record(db, actor, request, SarEvent.DISCLOSURE_READ, item=item.id, document=item.document_id)
    return ItemReview(
        item_id=item.id,
        request_id=request.id,
        title=title,
        case_number=case_number,
        status=ItemStatus(item.status),
        detect_status=DetectStatus(item.detect_status),
        kind=item.kind,
        withheld_code=Code(item.withheld_code) if item.withheld_code else None,
        withheld_by=names.get(item.withheld_by_user_id or 0),
        withheld_at=item.withheld_at,
        pages=marked,
        redactions=views,
        kept=kept,
        groups=_groups(db, request, views),
        areas=json.loads(item.areas),
        editable=disclosure.status == policy.Disclosure.OPEN
        and policy.Status(request.status) in policy.DISCLOSURE_WORK,
        text_error=text_error,
    )


# --- deciding ------------------------------------------------------------------------------------


def decide(
    db: Session, actor: Actor, *, redaction_id: int, accept: bool, code: Code | str | None = None
) -> SarRedaction:
    """Accept or reject one redaction, optionally with another code; recorded with who and when."""
    request, redaction = store.redaction_of(db, actor, redaction_id)
    store.require_open(db, request)
    chosen = _code(code) if code is not None else Code(redaction.code)
    before = redaction.decision
    redaction.decision = (Decision.ACCEPTED if accept else Decision.REJECTED).value
    redaction.code = chosen.value
    redaction.decided_by_user_id = actor.user_id
    redaction.decided_at = clock.now()
    store.settle_status(redaction.item)
    db.flush()
    _record(
        db,
        actor,
        request,
        SarEvent.REDACTION_DECIDED,
        redaction=redaction.id,
        item=redaction.item_id,
        decision=redaction.decision,
        previous=before,
        code=chosen.value.lower(),
    )
    return redaction


def _open_item(
    db: Session, actor: Actor, item_id: int
) -> tuple[SubjectAccessRequest, SarDisclosureItem]:
    request, item = store.item_of(db, actor, item_id)
    store.require_open(db, request)
    return request, item


def _propagate(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    *,
    text: str,
    code: Code,
    reason: str,
) -> int:
    """The same text proposed in every other document already read: consistent decisions."""
    added = 0
    for other in db.scalars(
        select(SarDisclosureItem).where(
            SarDisclosureItem.request_id == request.id,
            SarDisclosureItem.text_sealed.is_not(None),
            SarDisclosureItem.status != ItemStatus.WITHHELD.value,
        )
    ):
        pages = store.pages_of(db, kek, actor, request, other)
        added += store.propose_text(
            db, kek, actor, request, other, pages, text=text, code=code, reason=reason
        )
    return added


def add(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    item_id: int,
    page: int,
    start: int,
    end: int,
    code: Code | str,
    reason: str = "",
) -> int:
    """A reviewer's redaction of characters ``start``-``end`` of a page (accepted, by them),
    and the same text proposed wherever else it appears in the request. Returns its id."""
    request, item = _open_item(db, actor, item_id)
    chosen, why = _code(code), _reason(reason)
    pages = store.pages_of(db, kek, actor, request, item)
    if not 0 <= page < len(pages) or not 0 <= start < end <= len(pages[page]):
        raise ValidationFailed(
            "Select the text to redact on the document again: that selection is not on it.",
            errors={"text": "Select text on the document"},
        )
    text = pages[page][start:end]
    if not text.strip():
        raise ValidationFailed(
            "Select some words to redact, not only spaces.",
            errors={"text": "Select text on the document"},
        )
    if any(r.page == page and r.start < end and start < r.end for r in item.redactions):
        raise Conflict(
            "That text overlaps a redaction already on the document: accept, reject or change "
            "that one instead."
        )
    redaction = store.new_redaction(
        db,
        kek,
        actor,
        request,
        item,
        page=page,
        start=start,
        end=end,
        label=Label.OTHER,
        code=chosen,
        source=Source.REVIEWER,
        text=text,
        reason=why,
        accepted=True,
    )
    elsewhere = _propagate(db, kek, actor, request, text=text, code=chosen, reason=why)
    store.settle_status(item)
    _record(
        db,
        actor,
        request,
        SarEvent.REDACTION_ADDED,
        redaction=redaction.id,
        item=item.id,
        code=chosen.value.lower(),
        proposed_elsewhere=elsewhere,
    )
    return redaction.id


def add_text(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    item_id: int,
    text: str,
    code: Code | str,
    reason: str = "",
) -> int:
    """Without selecting: every occurrence of ``text`` on this document redacted (accepted),
    then proposed wherever else it appears in the request. Returns how many on this document."""
    request, item = _open_item(db, actor, item_id)
    chosen, why = _code(code), _reason(reason)
    wanted = " ".join(text.split())
    if not wanted:
        raise ValidationFailed(
            "Enter the words to redact, as they appear on the document.",
            errors={"text": "Enter the words to redact"},
        )
    if len(wanted) > 500:
        raise ValidationFailed(
            "Enter 500 characters or fewer to redact at once.",
            errors={"text": "Enter 500 characters or fewer"},
        )
    pages = store.pages_of(db, kek, actor, request, item)
    here = store.propose_text(
        db, kek, actor, request, item, pages, text=wanted, code=chosen, reason=why, accept=True
    )
    if not here:
        raise ValidationFailed(
            "Those words are not on this document, or are already redacted: check the spelling.",
            errors={"text": "Enter words that appear on this document"},
        )
    elsewhere = _propagate(db, kek, actor, request, text=wanted, code=chosen, reason=why)
    store.settle_status(item)
    _record(
        db,
        actor,
        request,
        SarEvent.REDACTION_ADDED,
        item=item.id,
        code=chosen.value.lower(),
        added=here,
        proposed_elsewhere=elsewhere,
    )
    return here


def accept_person(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, *, request_id: int, key: str
) -> int:
    """Accept, across the request, every proposal still to decide of one person (``person:<id>``)
    or of one text (``text:<redaction id>``: every proposal of the same words)."""
    request = get_for_records(db, actor, request_id)
    store.require_open(db, request)
    kind, _, raw = key.partition(":")
    if kind not in ("person", "text") or not raw.isdigit():
        raise ValidationFailed("Choose whose redactions to accept.", errors={"key": "Choose one"})
    query = select(SarRedaction).where(
        SarRedaction.request_id == request.id, SarRedaction.decision == Decision.PROPOSED.value
    )
    if kind == "person":
        chosen = list(db.scalars(query.where(SarRedaction.person_id == int(raw))))
    else:
        anchor = db.get(SarRedaction, int(raw))
        if anchor is None or anchor.request_id != request.id:
            raise NotFound("There is no such redaction in this request.")
        wanted = store.opened(db, kek, request, anchor).text
        chosen = [
            r
            for r in db.scalars(query)
            if store.same_text(store.opened(db, kek, request, r).text, wanted)
        ]
    now = clock.now()
    for r in chosen:
        r.decision = Decision.ACCEPTED.value
        r.decided_by_user_id = actor.user_id
        r.decided_at = now
    for item in {r.item_id: r.item for r in chosen}.values():
        store.settle_status(item)
    db.flush()
    _record(
        db,
        actor,
        request,
        SarEvent.REDACTIONS_ACCEPTED,
        by=kind,
        person=int(raw) if kind == "person" else None,
        anchor=int(raw) if kind == "text" else None,
        count=len(chosen),
    )
    return len(chosen)


def mark_reviewed(db: Session, actor: Actor, *, item_id: int) -> SarDisclosureItem:
    """A person has read the document and everything on it is decided (or nothing needed it)."""
    request, item = _open_item(db, actor, item_id)
    if item.status == ItemStatus.WITHHELD:
        raise Conflict("This document is withheld: put it back before marking it reviewed.")
    left = sum(1 for r in item.redactions if r.decision == Decision.PROPOSED)
    if left:
        raise Conflict(
            f"{left} redaction{'s' if left != 1 else ''} on this document still to decide."
        )
    item.status = ItemStatus.REVIEWED.value
    db.flush()
    _record(db, actor, request, SarEvent.REDACTION_DECIDED, item=item.id, reviewed=True)
    return item


def withhold(db: Session, actor: Actor, *, item_id: int, code: Code | str) -> SarDisclosureItem:
    """Keep the whole document back, with the exemption that justifies it."""
    request, item = _open_item(db, actor, item_id)
    chosen = _code(code)
    item.status = ItemStatus.WITHHELD.value
    item.withheld_code = chosen.value
    item.withheld_by_user_id = actor.user_id
    item.withheld_at = clock.now()
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.DOCUMENT_WITHHELD,
        from_status=request.status,
        details={"item": item.id, "document": item.document_id, "code": chosen.value.lower()},
    )
    return item


def restore(db: Session, actor: Actor, *, item_id: int) -> SarDisclosureItem:
    """A withheld document back in the disclosure, to review."""
    request, item = _open_item(db, actor, item_id)
    if item.status != ItemStatus.WITHHELD:
        raise Conflict("This document is not withheld.")
    item.status = ItemStatus.PROPOSED.value
    item.withheld_code = None
    item.withheld_by_user_id = None
    item.withheld_at = None
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.DOCUMENT_RESTORED,
        from_status=request.status,
        details={"item": item.id, "document": item.document_id},
    )
    return item


def add_area(
    db: Session,
    actor: Actor,
    *,
    item_id: int,
    page: int,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    code: Code | str,
) -> int:
    """A box to black out on a page with no text to select (a scan), in PDF points from the
    page's bottom-left. Returns its number on the document."""
    request, item = _open_item(db, actor, item_id)
    chosen = _code(code)
    if not 0 <= page < max(item.pages, 1):
        raise ValidationFailed(
            f"Choose a page between 1 and {item.pages}.",
            errors={"page": "Choose a page of the document"},
        )
    coords = (x0, y0, x1, y1)
    if not all(0 <= c <= MAX_COORD for c in coords) or x1 <= x0 or y1 <= y0:
        raise ValidationFailed(
            "Give the box's corners in points from the bottom-left of the page, left below right "
            "and bottom below top.",
            errors={"x0": "Enter the box's corners"},
        )
    areas = json.loads(item.areas)
    areas.append({"page": page, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "code": chosen.value})
    item.areas = json.dumps(areas)
    db.flush()
    _record(
        db, actor, request, SarEvent.AREA_ADDED, item=item.id, page=page, code=chosen.value.lower()
    )
    return len(areas)


# --- approval ------------------------------------------------------------------------------------


def _move(
    db: Session,
    actor: Actor,
    request: SubjectAccessRequest,
    disclosure: SarDisclosure,
    to: policy.Disclosure,
    kind: SarEvent,
) -> SarDisclosure:
    current = policy.Disclosure(disclosure.status)
    disclosure.status = policy.disclosure_transition(current, to).value
    _step(
        db,
        None,
        actor,
        request,
        kind,
        from_status=request.status,
        details={"disclosure": disclosure.id, "from": current.value, "to": to.value},
    )
    return disclosure


def submit(db: Session, actor: Actor, *, request_id: int) -> SarDisclosure:
    """Send the disclosure for approval: every document reviewed or withheld, every
    redaction decided. The one who sends it is its preparer, who may not approve it."""
    request = get_for_records(db, actor, request_id)
    if policy.Status(request.status) not in policy.DISCLOSURE_WORK:
        raise Conflict("Only a request still being worked on can have its disclosure approved.")
    disclosure = store.require_disclosure(db, request.id)
    undecided = store.undecided(db, request.id)
    if undecided:
        raise Conflict(f"{undecided:,} redaction{'s' if undecided != 1 else ''} still to decide.")
    to_review = (
        db.scalar(
            select(func.count()).where(
                SarDisclosureItem.request_id == request.id,
                SarDisclosureItem.status == ItemStatus.PROPOSED.value,
            )
        )
        or 0
    )
    if to_review:
        raise Conflict(
            f"{to_review:,} document{'s' if to_review != 1 else ''} still to review: mark each "
            "reviewed, or withhold it."
        )
    disclosure.prepared_by_user_id = actor.user_id
    disclosure.submitted_at = clock.now()
    _move(
        db, actor, request, disclosure, policy.Disclosure.SUBMITTED, SarEvent.DISCLOSURE_SUBMITTED
    )
    # The request's response is this disclosure: the request waits for approval with it.
    follow(db, actor, request, policy.Status.AWAITING_APPROVAL, via="disclosure")
    return disclosure


def approve(db: Session, actor: Actor, *, request_id: int) -> SarDisclosure:
    """A second person approves what was sent for approval."""
    request = get_for_records(db, actor, request_id)
    disclosure = store.require_disclosure(db, request.id)
    if (
        disclosure.status == policy.Disclosure.SUBMITTED
        and disclosure.prepared_by_user_id == actor.user_id
    ):
        raise Forbidden(
            "Someone other than the person who prepared the disclosure must approve it."
        )
    disclosure.approved_by_user_id = actor.user_id
    disclosure.approved_at = clock.now()
    _move(db, actor, request, disclosure, policy.Disclosure.APPROVED, SarEvent.DISCLOSURE_APPROVED)
    # Approved, it waits for delivery, which alone makes it sent (sar.service.delivery).
    follow(db, actor, request, policy.Status.AWAITING_APPROVAL, via="disclosure")
    return disclosure


def reopen(db: Session, actor: Actor, *, request_id: int) -> SarDisclosure:
    """Back to being prepared (a late consultation answer, a mistake seen): the approval goes."""
    request = get_for_records(db, actor, request_id)
    if policy.Status(request.status) not in policy.DISCLOSURE_WORK:
        raise Conflict("The response has been sent or the request is finished: it cannot change.")
    disclosure = store.require_disclosure(db, request.id)
    disclosure.approved_by_user_id = None
    disclosure.approved_at = None
    _move(db, actor, request, disclosure, policy.Disclosure.OPEN, SarEvent.DISCLOSURE_REOPENED)
    # A bundle made from the approval no longer stands for anything: it and its links stop,
    # so a stale bundle cannot reach the requester; the request is being reviewed again.
    bundles.set_aside(db, request.id)
    if policy.Status(request.status) is policy.Status.AWAITING_APPROVAL:
        follow(db, actor, request, policy.Status.REVIEWING, via="disclosure")
    return disclosure


@dataclass(frozen=True)
class NextStep:
    """Where an access request with a disclosure goes next: words for the request page and
    the page of the request that does it."""

    words: str
    part: str  # "/disclosure", "/bundle" or "/delivery"


def next_step(db: Session, actor: Actor, *, request_id: int) -> NextStep | None:
    """Disclosure, then bundle, then delivery: what the handler does next, or None when the
    request has no disclosure (or it has been delivered)."""
    request = get(db, actor, request_id)
    disclosure = store.disclosure_of(db, request.id)
    if disclosure is None or policy.Status(request.status) not in policy.DISCLOSURE_WORK:
        return None
    status = policy.Disclosure(disclosure.status)
    if status is policy.Disclosure.OPEN:
        return NextStep(
            "Review the documents, then send the disclosure for approval", "/disclosure"
        )
    if status is policy.Disclosure.SUBMITTED:
        return NextStep("Someone other than its preparer approves the disclosure", "/disclosure")
    if bundles.ready(db, request.id) is None:
        return NextStep("The disclosure is approved: build the bundle", "/bundle")
    return NextStep("The bundle is ready: send it to the requester", "/delivery")


# --- the bundle's plan ---------------------------------------------------------------------------


def _article15(organisation: str) -> list[tuple[str, str]]:
    who = organisation or "We"
    return [
        (
            "Why we hold it (purposes)",
            f"{who} hold{'s' if organisation else ''} it to provide our service to children and families, including advice and reports to the family courts, and to meet our legal obligations.",
        ),
        (
            "The kinds of information (categories)",
            "Names, contact details, dates of birth, family relationships, and records of our work, including information about health and welfare.",
        ),
        (
            "Who we share it with (recipients)",
            "The family courts, local authorities, and other professionals involved in the child's welfare, where the law allows or requires it.",
        ),
        (
            "How long we keep it (retention)",
            "Our retention schedule sets this for each kind of record; case files are normally kept until the youngest child in the case reaches 25.",
        ),
        (
            "Your rights",
            "You may ask us to correct information that is wrong (rectification), to delete it (erasure), to limit how we use it (restriction), and you may object to our using it. You have the right to complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
        ),
        (
            "Where it came from (source)",
            "Where we did not collect it from you, it came from the courts, local authorities, schools, health services and the other people involved.",
        ),
        (
            "Automated decision-making",
            "We make no decisions about you by automated means alone, including profiling.",
        ),
        (
            "Transfers abroad",
            "We do not send your information outside the United Kingdom; were that ever needed, it would be protected by the safeguards the law requires (Art 15(2)).",
        ),
    ]


def _paper(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest
) -> list[bundle_plan.PaperItem]:
    """In-scope paper files, with where they were when the search found them."""
    out = []
    for hit in in_scope_paper(db, request.id):
        shown = _open(
            db,
            kek,
            request,
            hit.shown_sealed,
            _shown_context(request.id, hit.source, hit.target_id, hit.run_id),
        )
        where = (
            ", ".join(
                p
                for p in (
                    f"box {shown['box']}" if shown.get("box") else "",
                    shown.get("location") or "",
                )
                if p
            )
            or "in the paper archive"
        )
        span = " to ".join(p for p in (shown.get("date_from"), shown.get("date_to")) if p)
        description = "Paper case file" + (
            f" {shown['case_number']}" if shown.get("case_number") else ""
        )
        out.append(
            bundle_plan.PaperItem(
                file_reference=str(shown.get("file_reference") or ""),
                description=description + (f", {span}" if span else ""),
                where=where,
            )
        )
    return out


def plan_bundle(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, *, request_id: int, organisation: str = ""
) -> bundle_plan.BundlePlan:
    """What the approved disclosure holds, for the bundle build: each document with its
    accepted redactions (rejected ones dropped), withheld documents with their codes, paper
    files in scope with where they are, and the Art 15 paragraphs. Refused before approval."""
    request = get_for_records(db, actor, request_id)
    disclosure = store.require_disclosure(db, request.id)
    if disclosure.status != policy.Disclosure.APPROVED:
        raise Conflict(
            "The disclosure must be approved by a second person before its bundle is made."
        )
    undecided = store.undecided(db, request.id)
    if undecided:
        raise Conflict(f"{undecided:,} redaction{'s' if undecided != 1 else ''} still to decide.")
    documents: list[bundle_plan.PlannedDocument] = []
    withheld: list[bundle_plan.WithheldDocument] = []
    rows = list(
        db.scalars(
            select(SarDisclosureItem)
            .where(SarDisclosureItem.request_id == request.id)
            .order_by(SarDisclosureItem.id)
        )
    )
    titles = _titles(db, [r.document_id for r in rows if r.document_id is not None])
    for item in rows:
        if item.document_id is None or item.document_id not in titles:
            continue
        title, case_number, created_on = titles[item.document_id]
        if item.status == ItemStatus.WITHHELD:
            withheld.append(
                bundle_plan.WithheldDocument(
                    title, case_number, Code(item.withheld_code or Code.THIRD_PARTY)
                )
            )
            continue
        documents.append(_planned(db, kek, actor, request, item, title, case_number, created_on))
    told = details(db, kek, actor, request.id)
    plan = bundle_plan.BundlePlan(
        reference=request.reference,
        requester_name=str((told.get("requester") or {}).get("full_name") or ""),
        received_on=request.received_on,
        due_on=clock_of(request).due_on,
        documents=documents,
        withheld=withheld,
        paper=_paper(db, kek, request),
        article15=_article15(organisation),
    )
    _record(
        db,
        actor,
        request,
        SarEvent.DISCLOSURE_PLANNED,
        documents=len(documents),
        withheld=len(withheld),
        paper=len(plan.paper),
    )
    return plan


def _planned(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    item: SarDisclosureItem,
    title: str,
    case_number: str,
    created_on: date | None,
) -> bundle_plan.PlannedDocument:
    pages = store.pages_of(db, kek, actor, request, item, keep=False)
    spans: dict[int, list[Span]] = {}
    for r in item.redactions:
        if r.decision != Decision.ACCEPTED:
            continue
        spans.setdefault(r.page, []).append(
            Span(
                r.start,
                r.end,
                Label(r.label),
                Code(r.code),
                store.opened(db, kek, request, r).reason,
            )
        )
    pdf = None
    if item.kind == "pdf" and item.document_id is not None:
        pdf = records.download_document(db, kek, actor, item.document_id).data
    areas = [
        bundle_plan.Area(a["page"], a["x0"], a["y0"], a["x1"], a["y1"], Code(a["code"]))
        for a in json.loads(item.areas)
    ]
    return bundle_plan.PlannedDocument(
        title=title,
        case_reference=case_number,
        created_on=created_on,
        kind="pdf" if pdf is not None else "text",
        pdf=pdf,
        text=None if pdf is not None else (pages[0] if pages else ""),
        spans_by_page={p: sorted(s, key=lambda x: x.start) for p, s in spans.items()},
        areas=areas,
    )


__all__ = [
    "CODE_WORDS",
    "JOB_KIND",
    "Analyser",
    "Detected",
    "DisclosureState",
    "Group",
    "ItemReview",
    "ItemRow",
    "Mark",
    "NextStep",
    "RedactionView",
    "Segment",
    "accept_person",
    "add",
    "add_area",
    "add_text",
    "approve",
    "case_context",
    "decide",
    "execute_detection",
    "gather",
    "is_approved",
    "items",
    "mark_reviewed",
    "next_step",
    "plan_bundle",
    "propose",
    "reopen",
    "restore",
    "review",
    "state",
    "submit",
    "use_analyser",
    "withhold",
]
