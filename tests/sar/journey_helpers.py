"""One real request, from the records to the requester, for the tests that run the whole
disclosure journey with the real detector (spaCy names), the default planner and the real
bundle writer.

Kayleigh Marsden asks for her records. Her case names Dean Marsh, the other parent, with his
address; Shannon Pike, her sister, whose address is a refuge that must not be disclosed; and
Sam Patel, the social worker. A typed home-visit note and a scanned-in letter (a two-page PDF
made here) mention them all, and a neighbour the case does not know."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Document, PartyRole, Person
from steward.records.schemas import AddressIn, ContactIn
from steward.sar import service
from steward.sar.disclosure_models import Decision, SarDisclosureItem
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.schemas import PersonDetails
from steward.sar.search_models import SourceKind, Triage
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.factories.sar import make_request

REQUESTER = "Kayleigh Marsden"
OWN_ADDRESS = "12 Acacia Road, Leeds LS6 2AB"
OTHER_PARENT = "Dean Marsh"
OTHER_ADDRESS = "7 Beech Grove, Bradford BD3 9XY"
SISTER = "Shannon Pike"
REFUGE = "4 Elm Close, Harrogate HG1 5QT"
SOCIAL_WORKER = "Sam Patel"
NEIGHBOUR = "Rita Jones"  # known to no case: the name model must find her
POLICE_LOG = "14/2291"  # nothing finds it: a reviewer redacts it by hand (CRIME)

NOTE = (
    f"Home visit. {REQUESTER} lives at {OWN_ADDRESS} with the children. "
    f"{OTHER_PARENT} now lives at {OTHER_ADDRESS}. "
    f"{SOCIAL_WORKER}, the social worker, visited both homes. "
    f"{SISTER} is staying at {REFUGE} and must not be found. "
    f"Her neighbour {NEIGHBOUR} called the office about the noise. "
    f"The police log number is {POLICE_LOG}."
)
LETTER_PAGES = [
    [
        f"Letter from {OTHER_PARENT} to the family court adviser.",
        f"I want to see the children. {REQUESTER} will not answer.",
        f"{SOCIAL_WORKER} said I should write to you.",
    ],
    [
        "Page two.",
        f"I know {SISTER} is hiding at {REFUGE}.",
        f"Signed, {OTHER_PARENT}.",
    ],
]


def letter_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for lines in LETTER_PAGES:
        canvas.setFont("Helvetica", 11)
        for n, line in enumerate(lines):
            canvas.drawString(72, 760 - n * 20, line)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@dataclass
class Journey:
    request: SubjectAccessRequest
    subject: Person
    other_parent: Person
    sister: Person
    social_worker: Person
    note: Document
    letter: Document


def holdings_and_request(
    db: Session,
    kek: KeyEncryptionKeys,
    factory: sessionmaker[Session] | None,
    officer: Actor,
    *,
    email: str | None = "kayleigh@example.org",
) -> Journey:
    """The records, a request logged by ``officer``, searched, Kayleigh's person record in
    scope and the request being reviewed (moved as a handler moves it). ``factory`` None:
    the documents' text is extracted by the caller (a served site's worker)."""
    subject = make_person(
        db,
        "Kayleigh",
        "Marsden",
        date(1990, 4, 1),
        addresses=[AddressIn(line1="12 Acacia Road", town="Leeds", postcode="LS6 2AB")],
        contacts=[ContactIn(kind="phone", value="07700 900456")],
    )
    other = make_person(
        db,
        "Dean",
        "Marsh",
        date(1988, 6, 9),
        addresses=[AddressIn(line1="7 Beech Grove", town="Bradford", postcode="BD3 9XY")],
        contacts=[ContactIn(kind="phone", value="07700 900123")],
    )
    sister = make_person(
        db,
        "Shannon",
        "Pike",
        date(1993, 2, 14),
        addresses=[AddressIn(line1="4 Elm Close", town="Harrogate", postcode="HG1 5QT")],
        address_withheld=True,
    )
    worker = make_person(db, "Sam", "Patel", None, is_professional=True)
    case = make_case(db, kek)
    add_party(db, case, subject, PartyRole.APPLICANT)
    add_party(db, case, other, PartyRole.RESPONDENT)
    add_party(db, case, sister, PartyRole.RELATIVE)
    add_party(db, case, worker, PartyRole.SOCIAL_WORKER)
    note = make_document(db, kek, case, text=NOTE, title="Home visit note")
    letter = make_document(
        db, kek, case, data=letter_pdf(), filename="letter.pdf", title="Letter from the father"
    )
    db.commit()
    if factory is not None:
        records.run_pending(factory, kek)
    request = make_request(
        db,
        kek,
        officer,
        requester=PersonDetails(
            full_name=REQUESTER,
            date_of_birth=date(1990, 4, 1),
            address=OWN_ADDRESS,
            email=email,
        ),
    )
    service.move(db, kek, officer, request.id, Status.SEARCHING)
    terms = service.suggested_terms(db, kek, officer, request.id)
    run = service.start_search(db, kek, officer, None, request.id, terms)
    service.execute_run(db, kek, officer, run.id)
    hit = next(h for h in run.hits if h.source == SourceKind.PERSON and h.target_id == subject.id)
    service.triage(db, kek, officer, request.id, hit.id, Triage.IN_SCOPE, "She is the requester")
    service.move(db, kek, officer, request.id, Status.REVIEWING)
    return Journey(request, subject, other, sister, worker, note, letter)


def item_of(db: Session, request_id: int, document_id: int) -> SarDisclosureItem:
    return db.scalars(
        select(SarDisclosureItem).where(
            SarDisclosureItem.request_id == request_id,
            SarDisclosureItem.document_id == document_id,
        )
    ).one()


def approved_journey(
    db: Session,
    kek: KeyEncryptionKeys,
    factory: sessionmaker[Session] | None,
    preparer: Actor,
    approver: Actor,
    *,
    email: str | None = "kayleigh@example.org",
) -> Journey:
    """The real flow up to delivery: the real detector over the request's documents, every
    proposal accepted by ``preparer``, who sends it for approval, and ``approver`` approves.
    The request then awaits delivery; its bundle is built by the default planner."""
    journey = holdings_and_request(db, kek, factory, preparer, email=email)
    review_and_approve(db, kek, preparer, approver, journey.request.id)
    return journey


def review_and_approve(
    db: Session, kek: KeyEncryptionKeys, preparer: Actor, approver: Actor, request_id: int
) -> None:
    service.disclosure.gather(db, kek, preparer, request_id=request_id, own_name="Cafcass")
    service.disclosure.execute_detection(db, kek, preparer, request_id)
    for item in db.scalars(
        select(SarDisclosureItem).where(SarDisclosureItem.request_id == request_id)
    ):
        for r in list(item.redactions):
            if r.decision == Decision.PROPOSED:
                service.disclosure.decide(db, preparer, redaction_id=r.id, accept=True)
    service.disclosure.submit(db, preparer, request_id=request_id)
    service.disclosure.approve(db, approver, request_id=request_id)


def served_journey(data_dir: Path, *, approve: bool) -> tuple[int, str, int]:
    """The journey in a served demo organisation's database, by its demo accounts: the IG
    officer's request with the real detector run over its documents; with ``approve``, every
    proposal accepted, the DPO's approval, and the bundle built by the default planner.
    Returns (request id, reference, the typed note's disclosure item id)."""
    import steward.models  # noqa: F401 - every table mapped
    from steward.core import keyfile
    from steward.core.auth import User
    from steward.core.config import Environment, Settings
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.sar.service import bundle as bundles

    settings = Settings(env=Environment.TEST, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as db:

            def user(name: str) -> Actor:
                return db.scalars(select(User).where(User.username == name)).one().actor

            officer, dpo = user("ig-officer"), user("dpo")
            journey = holdings_and_request(db, keyring, factory, officer)
            request_id = journey.request.id
            if approve:
                review_and_approve(db, keyring, officer, dpo, request_id)
                built = bundles.build_now(db, keyring, officer, request_id=request_id)
                assert built.status == "ready", built.error
            else:
                service.disclosure.gather(db, keyring, officer, request_id=request_id)
                service.disclosure.execute_detection(db, keyring, officer, request_id)
            note = item_of(db, request_id, journey.note.id).id
            return request_id, journey.request.reference, note
    finally:
        engine.dispose()
