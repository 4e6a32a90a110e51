"""Builders for persons, cases and documents."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service
from steward.records.models import Case, CaseType, Document, DocumentKind, PartyRole, Person
from steward.records.schemas import CaseCreate, DocumentMeta, PersonCreate

_numbers = itertools.count(1)


def make_case(
    db: Session,
    kek: KeyEncryptionKeys,
    *,
    actor: Actor | None = None,
    team: str | None = None,
    case_type: CaseType = CaseType.PRIVATE_LAW,
    opened_on: date = date(2024, 1, 15),
) -> Case:
    data = CaseCreate(
        case_number=f"ZZ{next(_numbers):06d}",
        case_type=case_type,
        opened_on=opened_on,
        team=team,
        court="Family Court at Leeds",
    )
    return service.create_case(db, kek, actor or Actor.system(), data)


def make_person(
    db: Session,
    first: str = "Ava",
    last: str = "Zielinska",
    dob: date | None = date(2015, 3, 2),
    **extra: object,
) -> Person:
    return service.create_person(
        db,
        Actor.system(),
        PersonCreate(first_name=first, last_name=last, date_of_birth=dob, **extra),
    )  # type: ignore[arg-type]


def add_party(
    db: Session, case: Case, person: Person, role: PartyRole = PartyRole.CHILD_SUBJECT
) -> None:
    service.add_party(db, Actor.system(), case_id=case.id, person_id=person.id, role=role)


def make_document(
    db: Session,
    kek: KeyEncryptionKeys,
    case: Case,
    *,
    text: str = "Case note: visit went well.",
    title: str = "Case note",
    data: bytes | None = None,
    filename: str = "note.txt",
    actor: Actor | None = None,
) -> Document:
    meta = DocumentMeta(title=title, kind=DocumentKind.CASE_NOTE, created_on=date(2024, 2, 1))
    return service.add_document(
        db,
        kek,
        actor or Actor.system(),
        case_id=case.id,
        meta=meta,
        data=data if data is not None else text.encode(),
        filename=filename,
    )
