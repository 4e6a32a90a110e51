"""Finding what to redact in a request's documents: which documents are in scope (from the
search's triage), who each case knows (the redaction library's CaseContext, built from the
records), and the background job that runs the detector over every document and stores what
it proposes.

The requester, for redaction, is the **subject** of the request: the people the handler
decided are in scope, with what the request told us about the subject. When a parent asks
for a child, the right is the child's (DOMAIN.md §1): the child's data is what is disclosed,
and the parent's own details in the child's file are proposed for redaction like anyone
else's, for a person to decide. That errs the safe way: a parent's detail wrongly proposed
is one click to reject; a third party's detail wrongly kept is a breach. Professionals acting
in role (social worker, solicitor, officer, or a person recorded as a professional) are kept.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock, jobs
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict, DomainError, NotFound
from steward.core.permissions import Actor, Permission
from steward.records import service as records
from steward.records.models import Document, PartyRole, Person
from steward.redaction.context import CaseContext, Party
from steward.redaction.spans import Code, Finding, Role
from steward.sar import policy
from steward.sar.disclosure_models import (
    DetectStatus,
    ItemStatus,
    SarDisclosure,
    SarDisclosureItem,
)
from steward.sar.events import SarEvent
from steward.sar.models import SubjectAccessRequest
from steward.sar.search_models import SarHit, SarSearchRun, SourceKind, Triage
from steward.sar.service import disclosure_store as store
from steward.sar.service.requests import _step, details, get_for_records

JOB_KIND = "sar.disclosure"
RELATION = {
    PartyRole.CHILD_SUBJECT: "child in the case",
    PartyRole.APPLICANT: "applicant",
    PartyRole.RESPONDENT: "respondent",
    PartyRole.PARENT: "parent",
    PartyRole.RELATIVE: "relative",
    PartyRole.INTERVENOR: "intervenor",
    PartyRole.SOCIAL_WORKER: "social worker",
    PartyRole.SOLICITOR: "solicitor",
    PartyRole.OFFICER: "officer",
}


# --- the detector ----------------------------------------------------------------------------------


class Analyser(Protocol):
    """What detection needs of the redaction library: a case compiled once, then each page."""

    def compile(self, ctx: CaseContext) -> Any: ...

    def analyse(self, text: str, compiled: Any) -> list[Finding]: ...


class _Library:
    """steward.redaction's Detector (with the NER model when it loads) and compile_context,
    found at run time: the detector lands on its own branch."""

    def __init__(self) -> None:
        try:
            detect = importlib.import_module("steward.redaction.detect")
            people = importlib.import_module("steward.redaction.people")
        except ImportError:
            raise Conflict(
                "Finding redactions needs the redaction detector, which is not installed "
                "here: add redactions by hand on each document."
            ) from None
        finder: Any = None
        try:
            finder = importlib.import_module("steward.redaction.ner").spacy_names()
        except ImportError:
            finder = None
        self._detector = detect.Detector(ner=finder)
        self._compile = people.compile_context

    def compile(self, ctx: CaseContext) -> Any:
        return self._compile(ctx)

    def analyse(self, text: str, compiled: Any) -> list[Finding]:
        return list(self._detector.analyse(text, compiled))


_FACTORY: list[Callable[[], Analyser]] = [_Library]


def use_analyser(factory: Callable[[], Analyser]) -> Callable[[], Analyser]:
    """Replace the detector the job uses (tests, a benchmark); returns the one it replaced."""
    previous = _FACTORY[0]
    _FACTORY[0] = factory
    return previous


# --- what is in scope ---------------------------------------------------------------------------------


def _in_scope(db: Session, request_id: int) -> list[SarHit]:
    run = db.scalar(
        select(SarSearchRun)
        .where(SarSearchRun.request_id == request_id)
        .order_by(SarSearchRun.id.desc())
        .limit(1)
    )
    if run is None:
        return []
    return list(
        db.scalars(
            select(SarHit)
            .where(SarHit.run_id == run.id, SarHit.triage == Triage.IN_SCOPE.value)
            .order_by(SarHit.id)
        )
    )


def in_scope_people(db: Session, request_id: int) -> list[int]:
    return [h.target_id for h in _in_scope(db, request_id) if h.source == SourceKind.PERSON]


def in_scope_paper(db: Session, request_id: int) -> list[SarHit]:
    return [h for h in _in_scope(db, request_id) if h.source == SourceKind.PAPER_FILE]


def _documents_in_scope(db: Session, actor: Actor, request_id: int) -> dict[int, tuple[int, str]]:
    """document id → (case id, how it was found): the documents found directly, and every
    document of each case an in-scope person is a party to."""
    hits = _in_scope(db, request_id)
    if not hits:
        raise Conflict(
            "Nothing is in scope yet: decide which of the search's results are in scope first."
        )
    found: dict[int, tuple[int, str]] = {}
    people = [h.target_id for h in hits if h.source == SourceKind.PERSON]
    for case_id in sorted(records.cases_with_parties(db, people)):
        case, _ = records.view_case(db, actor, case_id)
        for document in sorted(case.documents, key=lambda d: d.id):
            found[document.id] = (case.id, "case")
    for hit in hits:
        if hit.source == SourceKind.DOCUMENT and hit.target_id not in found:
            mention = db.get(Document, hit.target_id)
            if mention is not None:  # destroyed since the search: nothing left to disclose
                found[hit.target_id] = (mention.case_id, "document")
    return found


# --- who the case knows -------------------------------------------------------------------------------


def _address(a: Any) -> str:
    parts = [a.line1, a.line2, " ".join(p for p in (a.town, a.postcode) if p)]
    return ", ".join(p for p in parts if p)


def _names(person: Person) -> tuple[str, ...]:
    others = [
        " ".join(
            p
            for p in (
                n.first_name or person.first_name,
                n.middle_names,
                n.last_name or person.last_name,
            )
            if p
        )
        for n in person.names
    ]
    return tuple(dict.fromkeys([person.full_name, *others]))


def _party(person: Person, role: Role, relation: str | None) -> Party:
    return Party(
        names=_names(person),
        role=role,
        relation=relation,
        addresses=tuple(_address(a) for a in person.addresses),
        phones=tuple(c.value for c in person.contacts if c.kind == "phone"),
        emails=tuple(c.value for c in person.contacts if c.kind == "email"),
        identifiers=tuple(i.value for i in person.identifiers if i.scheme != "legacy"),
        dob=person.date_of_birth,
        address_withheld=person.address_withheld,
    )


def _merge(parties: Sequence[Party], told: dict[str, Any] | None) -> Party | None:
    """One requester from every in-scope person record and what the request told us."""
    names: list[str] = []
    addresses: list[str] = []
    phones: list[str] = []
    emails: list[str] = []
    identifiers: list[str] = []
    dob: date | None = None
    for p in parties:
        names += p.names
        addresses += p.addresses
        phones += p.phones
        emails += p.emails
        identifiers += p.identifiers
        dob = dob or p.dob
    if told:
        names += [told.get("full_name") or "", *(told.get("previous_names") or [])]
        addresses += [told.get("address") or "", *(told.get("previous_addresses") or [])]
        phones.append(told.get("phone") or "")
        emails.append(told.get("email") or "")
        if dob is None and told.get("date_of_birth"):
            dob = date.fromisoformat(told["date_of_birth"])
    if not any(n.strip() for n in names):
        return None

    def tidy(values: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))

    return Party(
        names=tidy(names),
        role=Role.REQUESTER,
        relation="the subject of the request",
        addresses=tidy(addresses),
        phones=tidy(phones),
        emails=tidy(emails),
        identifiers=tidy(identifiers),
        dob=dob,
    )


@dataclass(frozen=True)
class Known:
    """A case's context, and the person record behind each of its parties (same order)."""

    context: CaseContext
    person_ids: tuple[int, ...]


def _requester(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request: SubjectAccessRequest
) -> Party | None:
    people = []
    for person_id in in_scope_people(db, request.id):
        try:
            person, _ = records.view_person(db, actor, person_id)
        except NotFound:  # in the person index but in no case: nothing of theirs to match
            continue
        people.append(_party(person, Role.REQUESTER, None))
    told = details(db, kek, actor, request.id)
    return _merge(people, told.get("subject") or told.get("requester"))


def known_to_case(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    case_id: int | None,
    *,
    requester: Party | None = None,
    own_name: str | None = None,
) -> Known:
    subject = set(in_scope_people(db, request.id))
    if requester is None:
        requester = _requester(db, kek, actor, request)
    parties: list[Party] = []
    person_ids: list[int] = []
    own: list[str] = [own_name or ""]
    if case_id is not None:
        case, _ = records.view_case(db, actor, case_id)
        own += [case.court or "", case.local_authority or ""]
        seen: set[int] = set()
        for party in sorted(case.parties, key=lambda p: p.id):
            if party.person_id in subject or party.person_id in seen:
                continue
            seen.add(party.person_id)
            role = PartyRole(party.role)
            professional = role.is_professional or party.person.is_professional
            parties.append(
                _party(
                    party.person,
                    Role.PROFESSIONAL if professional else Role.THIRD_PARTY,
                    RELATION.get(role),
                )
            )
            person_ids.append(party.person_id)
    context = CaseContext(
        requester=requester,
        parties=tuple(parties),
        own_names=tuple(dict.fromkeys(o.strip() for o in own if o and o.strip())),
    )
    return Known(context, tuple(person_ids))


def case_context(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    case_id: int,
    *,
    own_name: str | None = None,
) -> CaseContext:
    """Who the case knows, for detection: the request's subject as the requester, every other
    party with their role (professionals in role kept), the organisation and courts."""
    get_for_records(db, actor, request.id)
    return known_to_case(db, kek, actor, request, case_id, own_name=own_name).context


# --- starting -------------------------------------------------------------------------------------


def gather(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    request_id: int,
    own_name: str | None = None,
) -> SarDisclosure:
    """The request's review (made on first use) with an item for every document now in
    scope; items no longer in scope are dropped with their redactions."""
    request = get_for_records(db, actor, request_id)
    if policy.Status(request.status) not in policy.DISCLOSURE_WORK:
        raise Conflict(
            "Documents can be prepared for disclosure once the search has started, and until "
            "the response is sent."
        )
    disclosure = store.disclosure_of(db, request.id)
    if disclosure is None:
        disclosure = SarDisclosure(
            request_id=request.id, status=policy.Disclosure.OPEN.value, created_at=clock.now()
        )
        db.add(disclosure)
    elif disclosure.status != policy.Disclosure.OPEN:
        raise Conflict(
            "The disclosure has been sent for approval or approved: reopen it to change it."
        )
    disclosure.own_name = own_name or disclosure.own_name
    wanted = _documents_in_scope(db, actor, request.id)
    held = {
        i.document_id: i
        for i in db.scalars(
            select(SarDisclosureItem).where(SarDisclosureItem.request_id == request.id)
        )
    }
    dropped = 0
    for document_id, item in held.items():
        if document_id not in wanted:
            db.delete(item)
            dropped += 1
    added = 0
    for document_id, (case_id, how) in wanted.items():
        if document_id in held:
            continue
        db.add(
            SarDisclosureItem(
                request_id=request.id,
                document_id=document_id,
                case_id=case_id,
                found_as=how,
                kind="text",
                pages=1,
                status=ItemStatus.PROPOSED.value,
                detect_status=DetectStatus.WAITING.value,
                kept_count=0,
                areas="[]",
                created_at=clock.now(),
            )
        )
        added += 1
    db.flush()
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.DISCLOSURE_PROPOSED,
        from_status=request.status,
        details={"documents": len(wanted), "added": added, "dropped": dropped},
    )
    return disclosure


def propose(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    queue: jobs.JobQueue,
    *,
    request_id: int,
    own_name: str | None = None,
) -> jobs.Job:
    """Gather the documents in scope and look for what to redact in each, in the background
    (job ``sar.disclosure`` on the review's id); a second press watches the first run."""
    disclosure = gather(db, kek, actor, request_id=request_id, own_name=own_name)
    for item in db.scalars(
        select(SarDisclosureItem).where(
            SarDisclosureItem.request_id == request_id,
            SarDisclosureItem.detect_status == DetectStatus.FAILED.value,
        )
    ):
        item.detect_status = DetectStatus.WAITING.value  # pressed again: try those again
    job = jobs.start(
        db, actor, queue, kind=JOB_KIND, permission=Permission.SAR_MANAGE, subject_id=disclosure.id
    )
    disclosure.job_id = job.id
    db.flush()
    return job


# --- running ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detected:
    documents: int
    proposed: int
    failed: int


Progress = Callable[[int, int], None]


def execute_detection(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    *,
    analyser: Analyser | None = None,
    progress: Progress | None = None,
) -> Detected:
    """Every item still waiting: its pages read, analysed against its case, what is to be
    redacted stored as proposals and what is kept stored (sealed) with its reasons."""
    request = get_for_records(db, actor, request_id)
    disclosure = store.require_disclosure(db, request.id)
    waiting = list(
        db.scalars(
            select(SarDisclosureItem)
            .where(
                SarDisclosureItem.request_id == request.id,
                SarDisclosureItem.detect_status == DetectStatus.WAITING.value,
            )
            .order_by(SarDisclosureItem.id)
        )
    )
    analyser = analyser or _FACTORY[0]()
    requester = _requester(db, kek, actor, request)
    compiled: dict[int | None, tuple[Any, Known]] = {}
    reviewer = store.reviewer_texts(db, kek, request)
    proposed = failed = 0
    for done, item in enumerate(waiting, start=1):
        if item.case_id not in compiled:
            known = known_to_case(
                db,
                kek,
                actor,
                request,
                item.case_id,
                requester=requester,
                own_name=disclosure.own_name,
            )
            compiled[item.case_id] = (analyser.compile(known.context), known)
        try:
            with db.begin_nested():
                proposed += _detect_item(
                    db, kek, actor, request, item, analyser, *compiled[item.case_id], reviewer
                )
        except DomainError:
            item.detect_status = DetectStatus.FAILED.value
            failed += 1
        if progress is not None:
            progress(done, len(waiting))
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.DISCLOSURE_DETECTED,
        from_status=request.status,
        details={"documents": len(waiting), "proposed": proposed, "failed": failed},
    )
    return Detected(len(waiting), proposed, failed)


def _detect_item(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request: SubjectAccessRequest,
    item: SarDisclosureItem,
    analyser: Analyser,
    compiled: Any,
    known: Known,
    reviewer: list[tuple[str, Code, str]],
) -> int:
    pages = store.pages_of(db, kek, actor, request, item)
    kept: list[dict[str, Any]] = []
    added = 0
    for number, text in enumerate(pages):
        for f in analyser.analyse(text, compiled):
            if not f.redact:
                kept.append(
                    {
                        "page": number,
                        "start": f.start,
                        "end": f.end,
                        "label": f.label.value,
                        "role": f.role.value,
                        "reason": f.reason,
                    }
                )
                continue
            if any(
                r.page == number and r.start < f.end and f.start < r.end for r in item.redactions
            ):
                continue
            person = (
                known.person_ids[f.party]
                if f.party is not None and f.party < len(known.person_ids)
                else None
            )
            store.new_redaction(
                db,
                kek,
                actor,
                request,
                item,
                page=number,
                start=f.start,
                end=f.end,
                label=f.label,
                code=f.code or Code.THIRD_PARTY,
                source=f.source,
                text=text[f.start : f.end],
                reason=f.reason,
                person_id=person,
            )
            added += 1
    for text, code, reason in reviewer:
        added += store.propose_text(
            db, kek, actor, request, item, pages, text=text, code=code, reason=reason
        )
    item.kept_sealed = store.seal(db, kek, request, kept, store.kept_context(item))
    item.kept_count = len(kept)
    item.detect_status = DetectStatus.DONE.value
    item.detected_at = clock.now()
    store.refresh_status(item)
    db.flush()
    return added


@jobs.handler(JOB_KIND)
def _run_job(job: jobs.JobRun) -> str | None:
    assert job.subject_id is not None
    with session_scope(job.factory) as db:
        disclosure = db.get(SarDisclosure, job.subject_id)
        if disclosure is None:
            raise NotFound("That disclosure is no longer held.")
        request_id = disclosure.request_id

        def report(done: int, total: int) -> None:
            # Each document's proposals are committed as it is done: a stopped job carries on
            # from the next one when started again.
            db.commit()
            job.progress(done, total)

        execute_detection(db, job.keyring, job.actor, request_id, progress=report)
    return f"/sar/requests/{request_id}/disclosure"
