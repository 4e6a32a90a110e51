"""The search for a request's subject: terms from the request, every source through its own
service, triage with reasons (a person in scope is held), paper asked for against the £450
limit, the search record; and no search term in any audit event or plain column."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from steward.archives.models import Retrieval
from steward.core import clock, crypto, jobs
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.retention.models import Hold, HoldKind
from steward.retention.service import holds as retention_holds
from steward.sar import service
from steward.sar.policy import Status
from steward.sar.search_models import SarHit, SarSearchRun, SourceKind, Triage
from tests.factories.core import make_user
from tests.sar.search_helpers import ADDRESS, Holdings, holdings, new_request


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _searched(
    db: Session,
    keyring: FileKeyring,
    factory: sessionmaker[Session],
    *,
    extra: list[str] | None = None,
) -> tuple[Actor, int, Holdings, SarSearchRun]:
    officer = make_user(db, Role.IG_OFFICER).actor
    held = holdings(db, keyring, factory)
    request = new_request(db, keyring, officer)
    terms = service.suggested_terms(db, keyring, officer, request.id)
    if extra:
        terms = terms.model_copy(update={"extra_terms": extra})
    run = service.start_search(db, keyring, officer, None, request.id, terms)
    service.execute_run(db, keyring, officer, run.id)
    return officer, request.id, held, run


def _hit(run: SarSearchRun, source: SourceKind, target_id: int) -> SarHit:
    return next(h for h in run.hits if h.source == source and h.target_id == target_id)


def test_terms_come_from_the_request(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    request = new_request(db, keyring, officer)
    terms = service.suggested_terms(db, keyring, officer, request.id)
    assert terms.names == ["Kayleigh Marsden", "Kayleigh Hobbs"]
    assert terms.addresses == [ADDRESS]
    assert terms.postcodes == ["LS6 2AB"]
    assert terms.date_of_birth is not None and terms.date_of_birth.year == 1990


def test_a_search_finds_the_person_the_paper_file_and_the_mention(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    found = {(h.source, h.target_id) for h in run.hits}
    assert (SourceKind.PERSON, held.subject.id) in found
    assert (SourceKind.PERSON, held.namesake.id) in found
    assert (SourceKind.PAPER_FILE, held.paper.id) in found
    # The mention in a case she is no party to is found; her own case's document is reached
    # through her person record, not listed again.
    assert (SourceKind.DOCUMENT, held.mention.id) in found
    assert (SourceKind.DOCUMENT, held.own_document.id) not in found
    assert run.status == "done" and run.steps_done == run.steps_total
    assert run.people_found == 2 and run.paper_files_found == 1 and run.documents_found == 1
    view = service.view_run(db, keyring, officer, request_id)
    assert view is not None
    # Hits show names, dates of birth, postcodes and numbers of cases, read from the person.
    shown = {(h.shown["name"], h.shown["date_of_birth"]) for h in view.people.items}
    assert shown == {("Kayleigh Marsden", "1990-04-01"), ("Kayleigh Marsden", "1971-09-30")}
    subject = next(h for h in view.people.items if h.shown["date_of_birth"] == "1990-04-01")
    assert subject.shown["postcode"] == "LS6 2AB" and subject.shown["cases"] == 1
    assert view.people.items[0].shown["date_of_birth"] == "1990-04-01"  # best first
    assert view.untriaged == 4


def test_terms_are_sealed_and_never_in_audit_details(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(
        db, keyring, session_factory, extra=["Kayleigh Smithers-Vane"]
    )
    service.triage(
        db,
        keyring,
        officer,
        request_id,
        _hit(run, SourceKind.PERSON, held.namesake.id).id,
        Triage.NOT_THIS_PERSON,
        "Born 1971, Vane household, different person",
    )
    db.flush()
    secrets = ["Marsden", "Hobbs", "Acacia", "LS6", "1990-04-01", "Smithers", "Vane household"]
    for event in db.scalars(select(AuditEvent)):
        body = str(event.details)
        assert not any(s in body for s in secrets), (event.tag, body)
    for table in ("sar_search_runs", "sar_hits", "sar_steps"):
        for row in db.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
            flat = " ".join(str(v) for v in row)
            assert not any(s in flat for s in secrets), table
    assert b"Marsden" not in run.terms_sealed


def test_triage_needs_a_reason_and_in_scope_holds_the_person(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    hit = _hit(run, SourceKind.PERSON, held.subject.id)
    with pytest.raises(ValidationFailed, match="Say why"):
        service.triage(db, keyring, officer, request_id, hit.id, Triage.IN_SCOPE, "  ")
    assert hit.triage is None
    assert db.scalars(select(Hold).where(Hold.kind == HoldKind.SUBJECT_ACCESS_REQUEST)).all() == []
    service.triage(
        db, keyring, officer, request_id, hit.id, Triage.IN_SCOPE, "DOB and address match"
    )
    holds = db.scalars(select(Hold).where(Hold.kind == HoldKind.SUBJECT_ACCESS_REQUEST)).all()
    request = service.get(db, officer, request_id)
    assert len(holds) == 1 and holds[0].reference == request.reference
    assert [t.target_id for t in holds[0].targets] == [held.subject.id]
    assert request.steps[-1].kind == "sar:search:hit_triaged"
    triaged = db.scalars(select(AuditEvent).where(AuditEvent.tag == "sar:search:hit_triaged")).all()
    assert len(triaged) == 1 and json.loads(triaged[0].details)["triage"] == "in_scope"


def test_a_caseworker_cannot_search(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    request = new_request(db, keyring, officer)
    caseworker = make_user(db, Role.CASEWORKER).actor
    terms = service.terms_from_details({"requester": {"full_name": "Kayleigh Marsden"}})
    with pytest.raises(Forbidden):
        service.start_search(db, keyring, caseworker, None, request.id, terms)


def test_a_new_run_keeps_earlier_decisions(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    hit = _hit(run, SourceKind.PERSON, held.namesake.id)
    service.triage(db, keyring, officer, request_id, hit.id, Triage.NOT_THIS_PERSON, "Born 1971")
    terms = service.suggested_terms(db, keyring, officer, request_id)
    again = service.start_search(db, keyring, officer, None, request_id, terms)
    service.execute_run(db, keyring, officer, again.id)
    view = service.view_run(db, keyring, officer, request_id)
    assert view is not None and view.run.id == again.id
    carried = next(h for h in view.people.items if h.shown["date_of_birth"] == "1971-09-30")
    assert carried.triage is Triage.NOT_THIS_PERSON and carried.reason == "Born 1971"


def test_paper_is_asked_for_with_the_reference_and_costed(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    hit = _hit(run, SourceKind.PAPER_FILE, held.paper.id)
    hours = {
        "hours_locating": Decimal(2),
        "hours_retrieving": Decimal(1),
        "hours_extracting": Decimal("1.5"),
    }
    with pytest.raises(Conflict, match="in scope"):
        service.ask_for_paper(db, keyring, officer, request_id, hit.id, **hours)
    service.triage(db, keyring, officer, request_id, hit.id, Triage.IN_SCOPE, "Her care file")
    paper = service.ask_for_paper(db, keyring, officer, request_id, hit.id, **hours)
    retrieval = db.get(Retrieval, paper.retrieval_id)
    request = service.get(db, officer, request_id)
    assert retrieval is not None and retrieval.purpose == "subject_access"
    assert retrieval.note_sealed is not None and retrieval.note_key_id is not None
    note = crypto.open_sealed(
        db,
        keyring,
        key_id=retrieval.note_key_id,
        sealed=retrieval.note_sealed,
        context=f"archive_retrieval:{retrieval.id}:note",
    )
    assert request.reference.encode() in note
    cost = service.cost_of(db, officer, request_id)
    assert (cost.hours, cost.cost, cost.over) == (Decimal("4.5"), Decimal("112.50"), False)
    assert cost.explanation is None
    with pytest.raises(Conflict, match="already been asked"):
        service.ask_for_paper(db, keyring, officer, request_id, hit.id, **hours)


def test_the_cost_limit_is_explained_and_needs_confirming(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    hit = _hit(run, SourceKind.PAPER_FILE, held.paper.id)
    service.triage(db, keyring, officer, request_id, hit.id, Triage.IN_SCOPE, "Her care file")
    hours = {
        "hours_locating": Decimal(10),
        "hours_retrieving": Decimal(4),
        "hours_extracting": Decimal(5),
    }  # 19 hours: £475
    with pytest.raises(ValidationFailed, match="more than the £450 limit"):
        service.ask_for_paper(db, keyring, officer, request_id, hit.id, **hours)
    assert db.scalar(select(Retrieval.id)) is None  # nothing asked for
    with pytest.raises(ValidationFailed, match="between 0 and 100"):
        service.ask_for_paper(
            db,
            keyring,
            officer,
            request_id,
            hit.id,
            hours_locating=Decimal(-1),
            hours_retrieving=Decimal(0),
            hours_extracting=Decimal(0),
        )
    service.ask_for_paper(db, keyring, officer, request_id, hit.id, beyond_limit=True, **hours)
    cost = service.cost_of(db, officer, request_id)
    assert cost.over and cost.cost == Decimal("475.00")
    assert cost.explanation is not None and "£450 limit" in cost.explanation


def test_the_search_record_says_what_was_searched_and_set_aside(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    service.triage(
        db,
        keyring,
        officer,
        request_id,
        _hit(run, SourceKind.PERSON, held.namesake.id).id,
        Triage.NOT_THIS_PERSON,
        "Born 1971",
    )
    service.triage(
        db,
        keyring,
        officer,
        request_id,
        _hit(run, SourceKind.DOCUMENT, held.mention.id).id,
        Triage.OUT_OF_SCOPE,
        "A friend's visit: mentions her only in passing",
    )
    record = service.search_record(db, keyring, officer, request_id)
    assert len(record.runs) == 1
    first = record.runs[0]
    assert first.terms.names == ["Kayleigh Marsden", "Kayleigh Hobbs"]
    assert (first.people, first.paper_files, first.documents) == (2, 1, 1)
    assert first.started_by is not None and first.finished_at is not None
    reasons = {(d.source, d.triage, d.reason) for d in record.excluded}
    assert reasons == {
        (SourceKind.PERSON, Triage.NOT_THIS_PERSON, "Born 1971"),
        (
            SourceKind.DOCUMENT,
            Triage.OUT_OF_SCOPE,
            "A friend's visit: mentions her only in passing",
        ),
    }
    assert record.untriaged == 2 and record.in_scope == []


def test_a_run_whose_job_ended_unfinished_does_not_block_the_next(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    request = new_request(db, keyring, officer)
    terms = service.suggested_terms(db, keyring, officer, request.id)
    stuck = service.start_search(db, keyring, officer, None, request.id, terms)
    again = service.start_search(db, keyring, officer, None, request.id, terms)
    assert stuck.status == "failed" and again.status == "queued"
    # While its job is queued or running, a second search waits for it.
    job = jobs.Job(
        kind=service.JOB_KIND,
        subject_id=again.id,
        permission="sar:manage",
        status=jobs.JobStatus.RUNNING.value,
        done=0,
        created_at=clock.now(),
    )
    db.add(job)
    db.flush()
    again.job_id = job.id
    with pytest.raises(Conflict, match="already running"):
        service.start_search(db, keyring, officer, None, request.id, terms)


def test_a_hold_on_a_person_keeps_the_requests_that_found_them_in_scope(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    officer, request_id, held, run = _searched(db, keyring, session_factory)
    subject_hit = _hit(run, SourceKind.PERSON, held.subject.id)
    namesake_hit = _hit(run, SourceKind.PERSON, held.namesake.id)
    service.triage(db, keyring, officer, request_id, subject_hit.id, Triage.IN_SCOPE, "DOB")
    service.triage(
        db, keyring, officer, request_id, namesake_hit.id, Triage.NOT_THIS_PERSON, "Born 1971"
    )
    service.move(db, keyring, officer, request_id, Status.WITHDRAWN, reasons="Withdrawn")

    def held_requests() -> list[int]:
        return list(db.scalars(retention_holds.held_ids("sar_request")))

    assert held_requests() == []  # its own subject-access hold went when it was withdrawn
    retention_holds.place_hold(
        db,
        officer,
        keyring,
        kind="litigation",
        scope="person",
        targets=[held.namesake.id],
        reason="Claim about someone else",
    )
    assert held_requests() == []  # the namesake was not this request's person
    retention_holds.place_hold(
        db,
        officer,
        keyring,
        kind="litigation",
        scope="person",
        targets=[held.subject.id],
        reason="Claim by the requester",
    )
    assert held_requests() == [request_id]
