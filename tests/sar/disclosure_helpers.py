"""A request ready for disclosure review: Kayleigh Marsden asks for her records; her case
names the other parent (Dean Marsh, a third party) and the social worker (Sam Patel, a
professional in role); two documents of the case mention them, and a neighbour the case does
not know. A small stand-in for the redaction library's detector finds the case's names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Document, PartyRole, Person
from steward.records.schemas import AddressIn, ContactIn
from steward.redaction.context import CaseContext
from steward.redaction.spans import Code, Finding, Label, Role, Source
from steward.sar import service
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, Status
from steward.sar.schemas import PersonDetails
from steward.sar.search_models import SourceKind, Triage
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.factories.sar import make_request

NOTE = (
    "Kayleigh Marsden met Dean Marsh at the contact centre. Sam Patel, the social worker, "
    "was there. Rita Jones from next door had called."
)
LETTER = "Dean Marsh wrote again. Kayleigh was upset. Rita Jones said she saw everything."
THIRD_PARTY_NAMES = ("Dean Marsh", "Rita Jones")


class FakeAnalyser:
    """Finds every name of the requester and the parties: the requester and professionals
    kept, everyone else proposed for redaction. What the real Detector does, much smaller."""

    def compile(self, ctx: CaseContext) -> Any:
        return ctx

    def analyse(self, text: str, compiled: Any) -> list[Finding]:
        ctx: CaseContext = compiled
        found: list[Finding] = []
        people = [(None, ctx.requester)] if ctx.requester else []
        people += list(enumerate(ctx.parties))
        for index, party in people:
            assert party is not None
            for name in party.names:
                for m in re.finditer(re.escape(name), text):
                    redact = party.role is Role.THIRD_PARTY
                    found.append(
                        Finding(
                            m.start(),
                            m.end(),
                            Label.NAME,
                            party.role,
                            index,
                            redact,
                            Code.THIRD_PARTY if redact else None,
                            f"{party.relation or 'someone'}'s name",
                            Source.CASE,
                        )
                    )
        return found


@dataclass
class Prepared:
    request: SubjectAccessRequest
    subject: Person
    other_parent: Person
    social_worker: Person
    note: Document
    letter: Document


def prepared(
    db: Session,
    kek: KeyEncryptionKeys,
    factory: sessionmaker[Session],
    officer: Actor,
    *,
    request_status: Status = Status.REVIEWING,
) -> Prepared:
    """The holdings, a request searched by ``officer`` with the subject triaged in scope."""
    subject = make_person(
        db,
        "Kayleigh",
        "Marsden",
        date(1990, 4, 1),
        addresses=[AddressIn(line1="12 Acacia Road", town="Leeds", postcode="LS6 2AB")],
    )
    other = make_person(
        db,
        "Dean",
        "Marsh",
        date(1988, 6, 9),
        contacts=[ContactIn(kind="phone", value="07700 900123")],
    )
    worker = make_person(db, "Sam", "Patel", None, is_professional=True)
    case = make_case(db, kek)
    add_party(db, case, subject, PartyRole.APPLICANT)
    add_party(db, case, other, PartyRole.RESPONDENT)
    add_party(db, case, worker, PartyRole.SOCIAL_WORKER)
    note = make_document(db, kek, case, text=NOTE, title="Contact centre note")
    letter = make_document(db, kek, case, text=LETTER, title="Letter from the other parent")
    db.commit()
    records.run_pending(factory, kek)
    request = make_request(
        db,
        kek,
        officer,
        requester=PersonDetails(
            full_name="Kayleigh Marsden",
            previous_names=["Kayleigh Hobbs"],
            date_of_birth=date(1990, 4, 1),
        ),
    )
    terms = service.suggested_terms(db, kek, officer, request.id)
    run = service.start_search(db, kek, officer, None, request.id, terms)
    service.execute_run(db, kek, officer, run.id)
    hit = next(h for h in run.hits if h.source == SourceKind.PERSON and h.target_id == subject.id)
    service.triage(db, kek, officer, request.id, hit.id, Triage.IN_SCOPE, "She is the requester")
    request.status = request_status.value
    db.flush()
    return Prepared(request, subject, other, worker, note, letter)


def detected(
    db: Session, kek: KeyEncryptionKeys, officer: Actor, request_id: int, own_name: str = "Cafcass"
) -> None:
    """Gather the documents in scope and run the stand-in detector over them, in-line."""
    service.disclosure.gather(db, kek, officer, request_id=request_id, own_name=own_name)
    service.disclosure.execute_detection(db, kek, officer, request_id, analyser=FakeAnalyser())


def disclosure_demo_request(data_dir: Path) -> int:
    """In a served demo organisation's database: a request from the demo person with the
    fewest documents, searched by the demo information-governance officer, that person in
    scope, being reviewed, and its documents gathered for disclosure. Returns its id."""
    import steward.models  # noqa: F401 - every table mapped
    from steward.core import keyfile
    from steward.core.auth import User
    from steward.core.config import Environment, Settings
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.records.models import Party

    settings = Settings(env=Environment.TEST, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            officer = db.scalars(select(User).where(User.username == "ig-officer")).one().actor
            documents = func.count(Document.id)
            person_id = db.execute(
                select(Party.person_id)
                .join(Document, Document.case_id == Party.case_id)
                .join(Person, Person.id == Party.person_id)
                .where(Person.date_of_birth.is_not(None), Person.is_professional.is_(False))
                .group_by(Party.person_id)
                .having(documents >= 1)
                .order_by(documents, Party.person_id)
                .limit(1)
            ).scalar_one()
            person = db.get(Person, person_id)
            assert person is not None
            request = make_request(
                db,
                keyring,
                officer,
                channel=Channel.EMAIL,
                received_on=date.today(),
                requester=PersonDetails(
                    full_name=f"{person.first_name} {person.last_name}",
                    date_of_birth=person.date_of_birth,
                ),
            )
            terms = service.suggested_terms(db, keyring, officer, request.id)
            run = service.start_search(db, keyring, officer, None, request.id, terms)
            service.execute_run(db, keyring, officer, run.id)
            hit = next(
                h for h in run.hits if h.source == SourceKind.PERSON and h.target_id == person.id
            )
            service.triage(
                db, keyring, officer, request.id, hit.id, Triage.IN_SCOPE, "The requester"
            )
            request.status = Status.REVIEWING.value
            service.disclosure.gather(db, keyring, officer, request_id=request.id)
            return request.id
    finally:
        engine.dispose()
