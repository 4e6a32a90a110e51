"""Held rows to review: a partner (with a contact who receives notices) whose party-details
row conflicts with a person already recorded in the case, as the pipeline would hold it.
Shared by the service, page and browser tests of the review."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.crypto import KeyEncryptionKeys
from steward.intake.models import (
    Agreement,
    Partner,
    PartnerContact,
    Submission,
    SubmissionRow,
)
from steward.intake.policy import Code
from steward.records.models import Case, IdentifierScheme, Person
from steward.records.schemas import AddressIn, IdentifierIn
from tests.factories.intake import make_agreement, make_partner, make_row, make_submission
from tests.factories.records import add_party, make_case, make_person

RECORDED_DOB = date(2015, 3, 2)
SENT_DOB = "2015-03-20"
_bases = itertools.count(943476591)


def nhs_number() -> str:
    """A valid NHS number not given out before in this run (mod-11 check digit)."""
    while True:
        base = f"{next(_bases):09d}"
        check = 11 - sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return base + str(check)


@dataclass
class Held:
    partner: Partner
    agreement: Agreement
    contact: PartnerContact
    case: Case
    person: Person
    submission: Submission
    row: SubmissionRow
    nhs: str


def add_contact(
    db: Session,
    partner: Partner,
    *,
    name: str = "Priya Shah",
    email: str = "data.team@borsetshire.example.org",
    receives_notices: bool = True,
) -> PartnerContact:
    contact = PartnerContact(
        partner_id=partner.id,
        name=name,
        email=email,
        job_title="Information sharing lead",
        receives_notices=receives_notices,
    )
    db.add(contact)
    db.flush()
    return contact


def party_values(case: Case, nhs: str | None, **changed: str | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "case_number": case.case_number,
        "role": "child_subject",
        "first_name": "Ava",
        "middle_names": None,
        "last_name": "Zielinska",
        "date_of_birth": SENT_DOB,
        "nhs_number": nhs,
        "ni_number": None,
        "address_line": "14 Mill Lane",
        "town": "Felpersham",
        "postcode": "FE1 2AB",
        "phone": None,
        "email": None,
    }
    return values | changed


def recorded_person(db: Session, case: Case, nhs: str, *, first: str = "Ava") -> Person:
    person = make_person(
        db,
        first,
        "Zielinska",
        dob=RECORDED_DOB,
        identifiers=[IdentifierIn(scheme=IdentifierScheme.NHS, value=nhs)],
        addresses=[AddressIn(line1="14 Mill Lane", town="Felpersham", postcode="FE1 2AB")],
    )
    add_party(db, case, person)
    return person


def held_conflict(
    db: Session,
    kek: KeyEncryptionKeys,
    *,
    partner: Partner | None = None,
    submitted_at: datetime | None = None,
    issues: tuple[tuple[str | None, Code], ...] = (("date_of_birth", Code.PERSON_CONFLICT),),
    **changed: str | None,
) -> Held:
    """A party-details row naming a child already recorded in the case, sent with another
    date of birth: held as a person conflict, the recorded child its candidate."""
    if partner is None:
        partner = make_partner(db)
        contact = add_contact(db, partner)
    else:
        found = db.scalar(select(PartnerContact).where(PartnerContact.partner_id == partner.id))
        contact = found or add_contact(db, partner)
    agreement = make_agreement(db, partner)
    case = make_case(db, kek)
    nhs = nhs_number()
    person = recorded_person(db, case, nhs)
    submission = make_submission(db, kek, partner, agreement, submitted_at=submitted_at)
    row = make_row(
        db,
        kek,
        submission,
        party_values(case, nhs, **changed),
        issues=issues,
        person_id=person.id,
        case_id=case.id,
    )
    return Held(partner, agreement, contact, case, person, submission, row, nhs)


LIVE_PARTNER = "LIVE-REVIEW"
LIVE_PARTNER_USER = "partner-live-review"


@dataclass(frozen=True)
class LiveHeld:
    row_id: int
    partner_id: int
    partner_name: str
    case_number: str
    partner_username: str


def seed_live(data_dir: Path, password: str) -> LiveHeld:
    """A held person conflict on a live site's own database (the browser tests' demo site),
    under a partner of its own with a linked partner account that signs in with
    ``password``. Each call adds another held row; the partner and account are made once."""
    from steward.core import auth, keyfile
    from steward.core.config import Environment, Settings
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.core.permissions import Actor, Role
    from steward.intake.service import partners

    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    kek = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            partner = db.scalar(select(Partner).where(Partner.code == LIVE_PARTNER))
            if partner is None:
                partner = make_partner(
                    db, code=LIVE_PARTNER, name="Felpersham Borough Council (review test)"
                )
                add_contact(db, partner)
            account = db.scalar(select(auth.User).where(auth.User.username == LIVE_PARTNER_USER))
            if account is None:
                account = auth.create_user(
                    db,
                    Actor.system(),
                    username=LIVE_PARTNER_USER,
                    role=Role.PARTNER,
                    password=password,
                )
                partners.link_user(db, Actor.system(), partner_id=partner.id, user_id=account.id)
            held = held_conflict(db, kek, partner=partner)
            return LiveHeld(
                held.row.id, partner.id, partner.name, held.case.case_number, LIVE_PARTNER_USER
            )
    finally:
        engine.dispose()
