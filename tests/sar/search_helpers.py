"""A request about Kayleigh Marsden, and an organisation holding her: a person record that is
a party to a case, a namesake who is not her, a paper file naming her, and a document in a
case she is no party to that mentions her."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.archives.models import PaperFile
from steward.core.auth import User
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Document, Party, Person
from steward.records.schemas import AddressIn
from steward.sar import service
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, Right
from steward.sar.schemas import PersonDetails
from tests.archives import builders
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.factories.sar import make_request

NAME = "Kayleigh Marsden"
ADDRESS = "12 Acacia Road, Leeds LS6 2AB"


@dataclass
class Holdings:
    subject: Person
    namesake: Person
    paper: PaperFile
    mention: Document
    own_document: Document


def holdings(db: Session, kek: KeyEncryptionKeys, factory: sessionmaker[Session]) -> Holdings:
    subject = make_person(
        db,
        "Kayleigh",
        "Marsden",
        date(1990, 4, 1),
        addresses=[AddressIn(line1="12 Acacia Road", town="Leeds", postcode="LS6 2AB")],
    )
    namesake = make_person(db, "Kayleigh", "Marsden", date(1971, 9, 30))
    own_case = make_case(db, kek)
    add_party(db, own_case, subject)
    own_document = make_document(
        db, kek, own_case, text="Kayleigh Marsden came to the meeting.", title="Meeting note"
    )
    other_case = make_case(db, kek)
    mention = make_document(
        db,
        kek,
        other_case,
        text="Her friend Kayleigh Marsden was at the house when we visited.",
        title="Visit record",
    )
    paper = builders.paper_file(
        db,
        builders.box(db, builders.location(db)),
        names=[("Kayleigh Marsden", date(1990, 4, 1))],
    )
    db.commit()
    records.run_pending(factory, kek)  # the documents' text, as the extraction worker would
    return Holdings(subject, namesake, paper, mention, own_document)


def new_request(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, right: Right = Right.ACCESS
) -> SubjectAccessRequest:
    return make_request(
        db,
        kek,
        actor,
        right=right,
        requester=PersonDetails(
            full_name=NAME,
            previous_names=["Kayleigh Hobbs"],
            date_of_birth=date(1990, 4, 1),
            address=ADDRESS,
        ),
        description="Everything you hold about me",
    )


def searched_demo_request(data_dir: Path) -> int:
    """In a served demo organisation's database: a request from one of its people, searched
    once by the demo information-governance officer. Returns the request's id."""
    import steward.models  # noqa: F401 - every table mapped
    from steward.core import keyfile
    from steward.core.config import Environment, Settings
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker, session_scope

    settings = Settings(env=Environment.TEST, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            officer = db.scalars(select(User).where(User.username == "ig-officer")).one().actor
            person = db.scalars(
                select(Person)
                .where(Person.id.in_(select(Party.person_id)), Person.date_of_birth.is_not(None))
                .order_by(Person.id)
                .limit(1)
            ).one()
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
            return request.id
    finally:
        engine.dispose()
