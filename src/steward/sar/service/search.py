""" "Find everything about this person": the search for a request's subject, its triage, the
paper files asked for with their cost, and the record that proves the search was reasonable.

A run searches three sources, each through its own domain's service: the identity index
(every name with every address given), the paper archive by person, and the full text of
documents for mentions of the person in cases they are no party to. It runs as a background
job (core.jobs); the job carries the run's id only. The terms are sealed under the request's
data key and never reach a URL, a log or an audit event's details: events carry counts and
codes. What each source showed for a hit is sealed beside it, so the search record says what
was returned even once the source has moved on (UK GDPR Art 15(1A): reasonable and
proportionate, and able to show it)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.archives.models import RetrievalPurpose
from steward.archives.schemas import PaperSearch, RetrievalRequest
from steward.core import audit, auth, clock, crypto, jobs
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission
from steward.core.schemas import StrictInput
from steward.identity import service as identity
from steward.records import service as records
from steward.retention import service as retention
from steward.sar import policy
from steward.sar.events import SarEvent
from steward.sar.models import SubjectAccessRequest
from steward.sar.search_models import (
    RunStatus,
    SarHit,
    SarPaperRequest,
    SarSearchRun,
    SourceKind,
    Triage,
)
from steward.sar.service.requests import SUBJECT_TYPE, _step, details, get, get_for_records

JOB_KIND = "sar.search"
# Candidates kept per identity lookup, paper files per archive search, documents per term.
PEOPLE_PER_LOOKUP = 50
PAPER_LIMIT = 200
DOCUMENTS_PER_TERM = 50
MAX_TERMS = 10
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b", re.IGNORECASE)


class SearchTerms(StrictInput):
    """What the search looks for: every name the person is or was known by, their date of
    birth, their addresses and postcodes, and any words the handler adds (a nickname, a
    case number, a school) for the archive and the documents."""

    names: list[str] = Field(default_factory=list, max_length=MAX_TERMS)
    date_of_birth: date | None = None
    addresses: list[str] = Field(default_factory=list, max_length=MAX_TERMS)
    postcodes: list[str] = Field(default_factory=list, max_length=MAX_TERMS)
    extra_terms: list[str] = Field(default_factory=list, max_length=MAX_TERMS)

    @field_validator("names", "addresses", "postcodes", "extra_terms")
    @classmethod
    def _tidy(cls, value: list[str]) -> list[str]:
        tidy = [" ".join(v.split()) for v in value]
        if any(len(v) > 200 for v in tidy):
            raise ValueError("each term must be 200 characters or fewer")
        return list(dict.fromkeys(v for v in tidy if v))  # no blanks, no repeats, in order

    @field_validator("postcodes")
    @classmethod
    def _postcodes(cls, value: list[str]) -> list[str]:
        if any(len(v) > 10 for v in value):
            raise ValueError("a postcode is at most 10 characters")
        return [v.upper() for v in value]

    @model_validator(mode="after")
    def _a_name(self) -> SearchTerms:
        if not self.names:
            raise ValueError("give at least one name to search for")
        return self

    @property
    def full_names(self) -> list[str]:
        """Names with a first and a last part: what the identity index can look up."""
        return [n for n in self.names if len(n.split()) >= 2]


def postcodes_in(text: str) -> list[str]:
    return [f"{a.upper()} {b.upper()}" for a, b in _POSTCODE.findall(text)]


def terms_from_details(told: dict[str, Any]) -> SearchTerms:
    """The terms a request's details suggest: the subject's (or, when the requester asks for
    themselves, the requester's) names, date of birth, addresses and their postcodes."""
    person = told.get("subject") or told.get("requester") or {}
    names = [person.get("full_name") or "", *(person.get("previous_names") or [])]
    addresses = [a for a in [person.get("address"), *(person.get("previous_addresses") or [])] if a]
    born = person.get("date_of_birth")
    postcodes = [p for a in addresses for p in postcodes_in(a)]
    return SearchTerms(
        names=[n for n in names if n.strip()][:MAX_TERMS],
        date_of_birth=date.fromisoformat(born) if born else None,
        addresses=addresses[:MAX_TERMS],
        postcodes=list(dict.fromkeys(postcodes))[:MAX_TERMS],
    )


def suggested_terms(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int
) -> SearchTerms:
    """The terms of the latest run, or, before the first, those the request suggests."""
    latest = latest_run(db, actor, request_id)
    if latest is not None:
        return terms_of(db, kek, get(db, actor, request_id), latest)
    return terms_from_details(details(db, kek, actor, request_id))


# --- sealing ---------------------------------------------------------------------------------


def _seal(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, data: Any, ctx: str
) -> bytes:
    return crypto.seal(
        db, kek, key_id=request.data_key_id, plaintext=json.dumps(data).encode(), context=ctx
    )


def _open(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, sealed: bytes, ctx: str
) -> Any:
    return json.loads(
        crypto.open_sealed(db, kek, key_id=request.data_key_id, sealed=sealed, context=ctx)
    )


def _terms_context(run: SarSearchRun) -> str:
    return f"sar_search_run:{run.id}:terms"


def _shown_context(request_id: int, source: str, target_id: int, run_id: int) -> str:
    return f"sar_hit:{request_id}:{run_id}:{source}:{target_id}:shown"


def _reason_context(request_id: int, source: str, target_id: int) -> str:
    # Per request and target, not per hit: a later run's hit of the same target carries the
    # earlier decision over with its sealed reason as it is.
    return f"sar_hit:{request_id}:{source}:{target_id}:reason"


def terms_of(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, run: SarSearchRun
) -> SearchTerms:
    return SearchTerms.model_validate(
        _open(db, kek, request, run.terms_sealed, _terms_context(run))
    )


# --- starting and running ----------------------------------------------------------------------


def _lookups(terms: SearchTerms) -> list[identity.PersonQuery]:
    """One identity lookup per name (with every other name as a previous surname, and the
    first address), then one per further address with the first name."""
    full = terms.full_names
    if not full:
        return []
    postcodes = terms.postcodes or [p for a in terms.addresses for p in postcodes_in(a)]
    queries: list[identity.PersonQuery] = []

    def query(name: str, address: str | None, postcode: str | None, others: list[str]) -> None:
        parts = name.split()
        queries.append(
            identity.PersonQuery(
                first_name=parts[0],
                last_name=parts[-1],
                middle_names=" ".join(parts[1:-1]) or None,
                previous_last_names=tuple(
                    o.split()[-1] for o in others if o.split()[-1] != parts[-1]
                ),
                dob=terms.date_of_birth,
                postcode=postcode,
                address=address,
                previous_postcodes=tuple(p for p in postcodes if p != postcode),
            )
        )

    first_address = terms.addresses[0] if terms.addresses else None
    in_first = postcodes_in(first_address) if first_address else []
    first_postcode = in_first[0] if in_first else None
    for name in full:
        query(
            name,
            first_address,
            first_postcode or (postcodes[0] if postcodes else None),
            [o for o in full if o != name],
        )
    for address in terms.addresses[1:]:
        found = postcodes_in(address)
        query(full[0], address, found[0] if found else None, full[1:])
    return queries


def _text_terms(terms: SearchTerms) -> list[str]:
    return list(dict.fromkeys([*terms.names, *terms.extra_terms]))


def start_search(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    queue: jobs.JobQueue | None,
    request_id: int,
    terms: SearchTerms,
) -> SarSearchRun:
    """A new run for the request with these terms (sealed), carried out in the background.
    ``queue`` None: the caller runs it (``execute_run``), as the benchmark does."""
    request = get(db, actor, request_id)
    identity.require_search(db, actor)
    if policy.Status(request.status) in policy.FINAL:
        raise Conflict("This request is finished: its search can no longer change.")
    for running in db.scalars(
        select(SarSearchRun).where(
            SarSearchRun.request_id == request.id,
            SarSearchRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
        )
    ):
        job = db.get(jobs.Job, running.job_id) if running.job_id is not None else None
        if job is not None and job.status in jobs.ACTIVE:
            raise Conflict("A search for this request is already running: wait for it to finish.")
        # Its job ended without finishing it (the service stopped, say): it never will.
        running.status = RunStatus.FAILED.value
        running.finished_at = running.finished_at or clock.now()
    run = SarSearchRun(
        request_id=request.id,
        started_by_user_id=actor.user_id,
        created_at=clock.now(),
        status=RunStatus.QUEUED.value,
        terms_sealed=b"",
        steps_total=len(_lookups(terms)) + 1 + len(_text_terms(terms)),
        steps_done=0,
    )
    db.add(run)
    db.flush()
    run.terms_sealed = _seal(db, kek, request, terms.model_dump(mode="json"), _terms_context(run))
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.SEARCH_STARTED,
        details={
            "run": run.id,
            "names": len(terms.names),
            "addresses": len(terms.addresses),
            "postcodes": len(terms.postcodes),
            "extra_terms": len(terms.extra_terms),
            "by_dob": terms.date_of_birth is not None,
        },
    )
    if queue is not None:
        job = jobs.start(
            db, actor, queue, kind=JOB_KIND, permission=Permission.SAR_MANAGE, subject_id=run.id
        )
        run.job_id = job.id
    db.flush()
    return run


@dataclass
class _Found:
    score: float
    shown: dict[str, Any]


Progress = Callable[[int, int], None]


def execute_run(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    run_id: int,
    *,
    progress: Progress | None = None,
) -> SarSearchRun:
    """Carry out a run: every lookup, then the hits stored with what each source showed."""
    run = db.get(SarSearchRun, run_id)
    if run is None:
        raise NotFound("There is no such search.")
    request = get(db, actor, run.request_id)
    terms = terms_of(db, kek, request, run)
    run.status = RunStatus.RUNNING.value
    run.started_at = clock.now()
    done = [0]

    def step() -> None:
        done[0] += 1
        run.steps_done = done[0]
        if progress is not None:
            progress(done[0], run.steps_total)

    people = _search_people(db, actor, terms, step)
    paper = _search_paper(db, actor, terms)
    step()
    documents = _search_documents(db, actor, terms, set(people), step)
    earlier = _earlier_decisions(db, request.id)
    for source, found in (
        (SourceKind.PERSON, people),
        (SourceKind.PAPER_FILE, paper),
        (SourceKind.DOCUMENT, documents),
    ):
        for target_id, item in found.items():
            hit = SarHit(
                request_id=request.id,
                source=source.value,
                target_id=target_id,
                score=item.score,
                shown_sealed=_seal(
                    db,
                    kek,
                    request,
                    item.shown,
                    _shown_context(request.id, source.value, target_id, run.id),
                ),
            )
            decided = earlier.get((source.value, target_id))
            if decided is not None:
                hit.triage = decided.triage
                hit.reason_sealed = decided.reason_sealed
                hit.triaged_by_user_id = decided.triaged_by_user_id
                hit.triaged_at = decided.triaged_at
            run.hits.append(hit)
    run.people_found, run.paper_files_found, run.documents_found = (
        len(people),
        len(paper),
        len(documents),
    )
    run.status = RunStatus.DONE.value
    run.finished_at = clock.now()
    run.steps_done = run.steps_total
    _step(
        db,
        None,
        actor,
        request,
        SarEvent.SEARCH_FINISHED,
        details={
            "run": run.id,
            "people": len(people),
            "paper_files": len(paper),
            "documents": len(documents),
        },
    )
    return run


def _search_people(
    db: Session, actor: Actor, terms: SearchTerms, step: Callable[[], None]
) -> dict[int, _Found]:
    found: dict[int, _Found] = {}
    bands: dict[int, str] = {}
    for query in _lookups(terms):
        for candidate in identity.find_people(db, query, actor=actor, limit=PEOPLE_PER_LOOKUP):
            best = found.get(candidate.person_id)
            if best is None or candidate.score > best.score:
                found[candidate.person_id] = _Found(candidate.score, {})
                bands[candidate.person_id] = candidate.band
        step()
    summaries = identity.person_summaries(db, list(found))
    for person_id, item in found.items():
        summary = summaries.get(person_id)
        item.shown = {
            "name": summary.name if summary else "",
            "date_of_birth": summary.date_of_birth.isoformat()
            if summary and summary.date_of_birth
            else None,
            "postcode": summary.postcode if summary else None,
            "cases": summary.cases if summary else 0,
            "band": bands[person_id],
        }
    return found


def _search_paper(db: Session, actor: Actor, terms: SearchTerms) -> dict[int, _Found]:
    names = _text_terms(terms)[:MAX_TERMS]
    hits = archives.search_paper_files(
        db,
        actor=actor,
        query=PaperSearch(names=names, date_of_birth=terms.date_of_birth, limit=PAPER_LIMIT),
    )
    return {
        h.paper_file_id: _Found(
            h.score,
            {
                "file_reference": h.file_reference,
                "case_number": h.case_number,
                "box": h.box_barcode,
                "location": h.location_code,
                "date_from": h.date_from.isoformat() if h.date_from else None,
                "date_to": h.date_to.isoformat() if h.date_to else None,
                "names": [n.name_as_written for n in h.matched_names][:5],
                "reasons": h.reasons,
                "status": str(h.status),
            },
        )
        for h in hits
    }


def _search_documents(
    db: Session,
    actor: Actor,
    terms: SearchTerms,
    person_ids: set[int],
    step: Callable[[], None],
) -> dict[int, _Found]:
    """Documents whose text names the person in cases where no person found is a party
    (those are reached through the person). Scored by how many terms found each."""
    linked = records.cases_with_parties(db, sorted(person_ids))
    found: dict[int, _Found] = {}
    for term in _text_terms(terms):
        for hit in records.search(db, actor, term, limit=DOCUMENTS_PER_TERM):
            if hit.kind != "document" or hit.case_id in linked:
                continue
            if hit.ref_id in found:
                found[hit.ref_id].score += 1
            else:
                found[hit.ref_id] = _Found(
                    1.0, {"title": hit.label, "case_number": hit.case_number}
                )
        step()
    return found


def _earlier_decisions(db: Session, request_id: int) -> dict[tuple[str, int], SarHit]:
    """The latest decision on each target in earlier runs of the request."""
    decided: dict[tuple[str, int], SarHit] = {}
    for hit in db.scalars(
        select(SarHit)
        .where(SarHit.request_id == request_id, SarHit.triage.is_not(None))
        .order_by(SarHit.triaged_at, SarHit.id)
    ):
        decided[(hit.source, hit.target_id)] = hit
    return decided


@jobs.handler(JOB_KIND)
def _run_job(job: jobs.JobRun) -> str | None:
    assert job.subject_id is not None
    with session_scope(job.factory) as db:
        run = db.get(SarSearchRun, job.subject_id)
        if run is None:
            raise NotFound("That search is no longer held.")
        request_id = run.request_id

        def report(done: int, total: int) -> None:
            # What is done so far is committed first: the progress is written in a session of
            # its own, which on SQLite must not wait for this one's write lock.
            db.commit()
            job.progress(done, total)

        try:
            execute_run(db, job.keyring, job.actor, job.subject_id, progress=report)
        except Exception:
            db.rollback()
            _fail(job, job.subject_id)
            raise
    return f"/sar/requests/{request_id}/search"


def _fail(job: jobs.JobRun, run_id: int) -> None:
    with session_scope(job.factory) as db:
        run = db.get(SarSearchRun, run_id)
        if run is not None:
            run.status = RunStatus.FAILED.value
            run.finished_at = clock.now()


# --- reading -------------------------------------------------------------------------------------


def latest_run(db: Session, actor: Actor, request_id: int) -> SarSearchRun | None:
    get_for_records(db, actor, request_id)
    return db.scalar(
        select(SarSearchRun)
        .where(SarSearchRun.request_id == request_id)
        .order_by(SarSearchRun.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class HitView:
    id: int
    source: SourceKind
    target_id: int  # the person, paper file or document found
    score: float
    shown: dict[str, Any]
    triage: Triage | None
    reason: str | None
    triaged_by: str | None
    triaged_at: datetime | None
    asked_for: bool  # paper: a retrieval has been raised for it


@dataclass(frozen=True)
class RunView:
    run: SarSearchRun
    started_by: str | None
    terms: SearchTerms
    people: Page[HitView]
    paper_files: Page[HitView]
    documents: Page[HitView]
    untriaged: int


def _usernames(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    return auth.usernames(db, [i for i in ids if i is not None])


def _views(
    db: Session, kek: KeyEncryptionKeys, request: SubjectAccessRequest, hits: list[SarHit]
) -> list[HitView]:
    users = _usernames(db, (h.triaged_by_user_id for h in hits))
    asked = set(
        db.scalars(
            select(SarPaperRequest.hit_id).where(SarPaperRequest.hit_id.in_([h.id for h in hits]))
        )
    )
    return [
        HitView(
            id=h.id,
            source=SourceKind(h.source),
            target_id=h.target_id,
            score=h.score,
            shown=_open(
                db,
                kek,
                request,
                h.shown_sealed,
                _shown_context(request.id, h.source, h.target_id, h.run_id),
            ),
            triage=Triage(h.triage) if h.triage else None,
            reason=_open(
                db,
                kek,
                request,
                h.reason_sealed,
                _reason_context(request.id, h.source, h.target_id),
            )
            if h.reason_sealed
            else None,
            triaged_by=users.get(h.triaged_by_user_id) if h.triaged_by_user_id else None,
            triaged_at=h.triaged_at,
            asked_for=h.id in asked,
        )
        for h in hits
    ]


def _hits_page(
    db: Session,
    kek: KeyEncryptionKeys,
    request: SubjectAccessRequest,
    run: SarSearchRun,
    source: SourceKind,
    page: PageRequest,
) -> Page[HitView]:
    query = (
        select(SarHit)
        .where(SarHit.run_id == run.id, SarHit.source == source.value)
        .order_by(SarHit.score.desc(), SarHit.id)
    )
    found: Page[SarHit] = paginate(db, query, page)
    return Page(_views(db, kek, request, list(found.items)), found.total, found.number, found.size)


def view_run(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    *,
    people_page: PageRequest = PageRequest(size=20),
    paper_page: PageRequest = PageRequest(size=20),
    documents_page: PageRequest = PageRequest(size=20),
) -> RunView | None:
    """The latest run with one page of each source's hits; the read is audited (ids only)."""
    request = get_for_records(db, actor, request_id)
    run = latest_run(db, actor, request_id)
    if run is None:
        return None
    view = RunView(
        run=run,
        started_by=_usernames(db, [run.started_by_user_id]).get(run.started_by_user_id or 0),
        terms=terms_of(db, kek, request, run),
        people=_hits_page(db, kek, request, run, SourceKind.PERSON, people_page),
        paper_files=_hits_page(db, kek, request, run, SourceKind.PAPER_FILE, paper_page),
        documents=_hits_page(db, kek, request, run, SourceKind.DOCUMENT, documents_page),
        untriaged=db.scalar(
            select(func.count()).where(SarHit.run_id == run.id, SarHit.triage.is_(None))
        )
        or 0,
    )
    audit.record(
        db,
        actor,
        SarEvent.SEARCH_READ,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"run": run.id},
    )
    return view


# --- triage ----------------------------------------------------------------------------------


def _hit_of(db: Session, request: SubjectAccessRequest, hit_id: int) -> SarHit:
    hit = db.get(SarHit, hit_id)
    if hit is None or hit.request_id != request.id:
        raise NotFound("There is no such search result for this request.")
    return hit


def triage(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    hit_id: int,
    decision: Triage,
    reason: str,
) -> SarHit:
    """The handler's decision on one hit, with a reason (sealed). A person found to be the
    subject is put on a subject-access hold at once: nothing about them may be destroyed
    while the request is open (DPA 2018 s.173)."""
    request = get_for_records(db, actor, request_id)
    if policy.Status(request.status) in policy.FINAL:
        raise Conflict("This request is finished: its search can no longer change.")
    hit = _hit_of(db, request, hit_id)
    if not reason.strip():
        raise ValidationFailed(
            "Say why: the reason is kept as part of the record of the search.",
            errors={"reason": "Enter the reason for this decision"},
        )
    if len(reason) > 2000:
        raise ValidationFailed(
            "The reason must be 2,000 characters or fewer.",
            errors={"reason": "Enter a reason of 2,000 characters or fewer"},
        )
    previous = hit.triage
    hit.triage = decision.value
    hit.reason_sealed = _seal(
        db, kek, request, reason.strip(), _reason_context(request.id, hit.source, hit.target_id)
    )
    hit.triaged_by_user_id = actor.user_id
    hit.triaged_at = clock.now()
    held = (
        decision is Triage.IN_SCOPE
        and hit.source == SourceKind.PERSON
        and previous != Triage.IN_SCOPE.value
    )
    if held:
        retention.hold_for_subject_access(
            db, actor, kek, sar_reference=request.reference, person_ids=[hit.target_id]
        )
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.HIT_TRIAGED,
        details={
            "hit": hit.id,
            "source": hit.source,
            "target": hit.target_id,
            "triage": decision.value,
            "previous": previous,
            "held": held,
        },
    )
    return hit


# --- paper and its cost ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    hours: Decimal
    cost: Decimal
    limit: Decimal
    over: bool

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), self.limit - self.cost)

    @property
    def explanation(self) -> str | None:
        if not self.over:
            return None
        return (
            f"Locating, retrieving and extracting the paper files asked for is estimated at "
            f"{self.hours:g} hours, £{self.cost:,.2f} at £{policy.HOURLY_RATE}/hour: more than "
            f"the £{self.limit:,.0f} limit. Beyond the limit the organisation does not have to "
            "search further paper records; if it stops, the response must say so, with this "
            "estimate, and the requester may narrow the request."
        )


def cost_of(db: Session, actor: Actor, request_id: int) -> Cost:
    get(db, actor, request_id)
    hours = _hours(db, request_id)
    return _cost(hours)


def _hours(db: Session, request_id: int) -> Decimal:
    total = Decimal(0)
    for paper in db.scalars(
        select(SarPaperRequest).where(SarPaperRequest.request_id == request_id)
    ):
        total += paper.hours
    return total


def _cost(hours: Decimal) -> Cost:
    return Cost(
        hours=hours,
        cost=policy.search_cost(hours),
        limit=policy.COST_LIMIT,
        over=policy.over_cost_limit(hours),
    )


MAX_HOURS = Decimal(100)


def _check_hours(hours: dict[str, Decimal]) -> None:
    errors = {
        name: "Enter a number of hours between 0 and 100"
        for name, value in hours.items()
        if value < 0 or value > MAX_HOURS
    }
    if errors:
        raise ValidationFailed("Each estimate must be between 0 and 100 hours.", errors=errors)
    if sum(hours.values()) <= 0:
        raise ValidationFailed(
            "Estimate the hours of locating, retrieving and extracting this file.",
            errors={"hours_locating": "Enter an estimate of the hours"},
        )


def ask_for_paper(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    request_id: int,
    hit_id: int,
    *,
    hours_locating: Decimal,
    hours_retrieving: Decimal,
    hours_extracting: Decimal,
    beyond_limit: bool = False,
) -> SarPaperRequest:
    """Ask the archive for an in-scope paper file, the retrieval carrying the request's
    reference, and record the hours it is estimated to cost. Going past the £450 limit
    needs the handler to say they mean to."""
    request = get_for_records(db, actor, request_id)
    hit = _hit_of(db, request, hit_id)
    if hit.source != SourceKind.PAPER_FILE:
        raise Conflict("Only a paper file can be asked for from the archive.")
    if hit.triage != Triage.IN_SCOPE:
        raise Conflict("Decide the file is in scope before asking for it.")
    asked = db.scalar(select(SarPaperRequest.id).where(SarPaperRequest.hit_id == hit.id))
    if asked is not None:
        raise Conflict("This file has already been asked for, for this request.")
    hours = {
        "hours_locating": hours_locating,
        "hours_retrieving": hours_retrieving,
        "hours_extracting": hours_extracting,
    }
    _check_hours(hours)
    after = _cost(_hours(db, request.id) + sum(hours.values()))
    if after.over and not beyond_limit:
        raise ValidationFailed(
            f"With this file the paper search would cost £{after.cost:,.2f}, more than the "
            f"£{after.limit:,.0f} limit. Tick the box to ask for it anyway, or leave it and "
            "explain the limit in the response.",
            errors={"beyond_limit": "Confirm you will search beyond the cost limit"},
        )
    retrieval = archives.request_retrieval(
        db,
        actor,
        kek,
        RetrievalRequest(
            paper_file_id=hit.target_id,
            purpose=RetrievalPurpose.SUBJECT_ACCESS,
            note=f"For subject access request {request.reference}",
        ),
    )
    paper = SarPaperRequest(
        request_id=request.id,
        hit_id=hit.id,
        retrieval_id=retrieval.id,
        hours_locating=hours_locating,
        hours_retrieving=hours_retrieving,
        hours_extracting=hours_extracting,
        requested_by_user_id=actor.user_id,
        requested_at=clock.now(),
    )
    db.add(paper)
    db.flush()
    _step(
        db,
        kek,
        actor,
        request,
        SarEvent.PAPER_REQUESTED,
        details={
            "hit": hit.id,
            "paper_file": hit.target_id,
            "retrieval": retrieval.id,
            "hours": str(paper.hours),
            "over_limit": after.over,
        },
    )
    return paper


# --- the search record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    status: RunStatus
    started_by: str | None
    created_at: datetime
    finished_at: datetime | None
    terms: SearchTerms
    people: int | None
    paper_files: int | None
    documents: int | None


@dataclass(frozen=True)
class Decision:
    source: SourceKind
    shown: dict[str, Any]
    triage: Triage
    reason: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class PaperAsked:
    file_reference: str
    retrieval_id: int | None
    hours: Decimal
    cost: Decimal
    by: str | None
    at: datetime


@dataclass(frozen=True)
class SearchRecord:
    """What was searched, when, by whom, with which terms, what each source returned, what
    was kept and what was set aside and why; the paper asked for and what it cost. The
    response's bundle carries it as the proof the search was reasonable (Art 15(1A))."""

    reference: str
    runs: list[RunRecord]
    decisions: list[Decision]  # of the latest run
    untriaged: int
    paper: list[PaperAsked]
    cost: Cost

    @property
    def in_scope(self) -> list[Decision]:
        return [d for d in self.decisions if d.triage is Triage.IN_SCOPE]

    @property
    def excluded(self) -> list[Decision]:
        return [d for d in self.decisions if d.triage is not Triage.IN_SCOPE]


def search_record(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, request_id: int
) -> SearchRecord:
    request = get_for_records(db, actor, request_id)
    runs = list(
        db.scalars(
            select(SarSearchRun)
            .where(SarSearchRun.request_id == request.id)
            .order_by(SarSearchRun.id)
        )
    )
    papers = list(
        db.scalars(
            select(SarPaperRequest)
            .where(SarPaperRequest.request_id == request.id)
            .order_by(SarPaperRequest.id)
        )
    )
    users = _usernames(
        db,
        [r.started_by_user_id for r in runs] + [p.requested_by_user_id for p in papers],
    )
    latest_hits = list(runs[-1].hits) if runs else []
    decided = _views(db, kek, request, [h for h in latest_hits if h.triage])
    paper_hits = {
        h.id: h for h in db.scalars(select(SarHit).where(SarHit.id.in_([p.hit_id for p in papers])))
    }
    paper_shown = {v.id: v.shown for v in _views(db, kek, request, list(paper_hits.values()))}
    record = SearchRecord(
        reference=request.reference,
        runs=[
            RunRecord(
                run_id=r.id,
                status=RunStatus(r.status),
                started_by=users.get(r.started_by_user_id or 0),
                created_at=r.created_at,
                finished_at=r.finished_at,
                terms=terms_of(db, kek, request, r),
                people=r.people_found,
                paper_files=r.paper_files_found,
                documents=r.documents_found,
            )
            for r in runs
        ],
        decisions=[
            Decision(v.source, v.shown, v.triage, v.reason or "", v.triaged_by, v.triaged_at)
            for v in decided
            if v.triage is not None
        ],
        untriaged=sum(1 for h in latest_hits if h.triage is None),
        paper=[
            PaperAsked(
                file_reference=str(paper_shown.get(p.hit_id, {}).get("file_reference", "")),
                retrieval_id=p.retrieval_id,
                hours=p.hours,
                cost=policy.search_cost(p.hours),
                by=users.get(p.requested_by_user_id or 0),
                at=p.requested_at,
            )
            for p in papers
        ],
        cost=_cost(sum((p.hours for p in papers), Decimal(0))),
    )
    audit.record(
        db,
        actor,
        SarEvent.SEARCH_READ,
        subject_type=SUBJECT_TYPE,
        subject_id=request.id,
        details={"record": True, "runs": len(runs)},
    )
    return record
