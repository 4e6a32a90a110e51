"""A request about Kayleigh Marsden, and an organisation holding her: a person record that is
a party to a case, a namesake who is not her, a paper file naming her, and a document in a
case she is no party to that mentions her."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from steward.archives.models import PaperFile
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Document, Person
from steward.records.schemas import AddressIn
from steward.sar import service
from steward.sar.clock import Region
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Channel, RequesterType
from steward.sar.schemas import PersonDetails, SarCreate
from tests.archives import builders
from tests.factories.records import add_party, make_case, make_document, make_person

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


def new_request(db: Session, kek: KeyEncryptionKeys, actor: Actor) -> SubjectAccessRequest:
    data = SarCreate(
        requester_type=RequesterType.DATA_SUBJECT,
        channel=Channel.LETTER,
        received_on=date(2026, 3, 2),
        requester=PersonDetails(
            full_name=NAME,
            previous_names=["Kayleigh Hobbs"],
            date_of_birth=date(1990, 4, 1),
            address=ADDRESS,
        ),
        description="Everything you hold about me",
    )
    return service.receive(db, kek, actor, data, default_region=Region.ENGLAND_AND_WALES)
