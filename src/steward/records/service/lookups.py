"""Lookups by the set, for callers that check many rows at once (partner-data intake): one
query per batch of rows instead of one per row. Ids, dates and statuses only; no read event,
as nothing here is shown to anyone: callers that show what they found record their own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from steward.records.models import (
    Case,
    CaseStatus,
    Contact,
    Identifier,
    Party,
    Person,
)

T = TypeVar("T")
_CHUNK = 500  # values per IN (...) list: well under every backend's bound-parameter limit


def in_chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    """``values`` a bounded IN (...) list at a time."""
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@dataclass(frozen=True)
class CaseState:
    case_id: int
    open: bool


def cases_by_number(db: Session, numbers: Iterable[str]) -> dict[str, CaseState]:
    """Each known case number (as given, trimmed and upper-cased) with its case and whether
    it is open; unknown numbers are left out."""
    wanted = sorted({n.strip().upper() for n in numbers if n and n.strip()})
    found: dict[str, CaseState] = {}
    for chunk in in_chunks(wanted):
        for number, case_id, status in db.execute(
            select(Case.case_number, Case.id, Case.status).where(Case.case_number.in_(chunk))
        ):
            found[number] = CaseState(case_id, status == CaseStatus.OPEN)
    return found


@dataclass(frozen=True)
class PersonFacts:
    """What a matcher compares beyond the names: the date of birth and the identifiers."""

    person_id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    identifiers: dict[str, str] = field(default_factory=dict)  # scheme -> value


def person_facts(db: Session, person_ids: Iterable[int]) -> dict[int, PersonFacts]:
    ids = sorted(set(person_ids))
    people: dict[int, tuple[str, str, date | None]] = {}
    held: dict[int, dict[str, str]] = defaultdict(dict)
    for chunk in in_chunks(ids):
        for pid, first, last, dob in db.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.date_of_birth).where(
                Person.id.in_(chunk)
            )
        ):
            people[pid] = (first, last, dob)
        for pid, scheme, value in db.execute(
            select(Identifier.person_id, Identifier.scheme, Identifier.value).where(
                Identifier.person_id.in_(chunk)
            )
        ):
            held[pid][str(scheme)] = value
    return {
        pid: PersonFacts(pid, first, last, dob, dict(held.get(pid, {})))
        for pid, (first, last, dob) in people.items()
    }


def identifier_holders(
    db: Session, identifiers: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Who holds each (scheme, value) already; values as stored (compact, upper case)."""
    by_scheme: dict[str, set[str]] = defaultdict(set)
    for scheme, value in identifiers:
        by_scheme[scheme].add(value)
    found: dict[tuple[str, str], int] = {}
    for scheme, values in sorted(by_scheme.items()):
        # One scheme and an IN list a query (not an OR of pairs): the statement compiles once
        # and is cached, and each lookup is a seek on the (scheme, value) unique index.
        for chunk in in_chunks(sorted(values)):
            for value, pid in db.execute(
                select(Identifier.value, Identifier.person_id).where(
                    Identifier.scheme == scheme, Identifier.value.in_(chunk)
                )
            ):
                found[(str(scheme), value)] = pid
    return found


@dataclass(frozen=True)
class PartyFacts:
    case_id: int
    person_id: int
    role: str
    first_name: str
    last_name: str
    date_of_birth: date | None


def case_parties(db: Session, case_ids: Iterable[int]) -> dict[int, list[PartyFacts]]:
    """The parties of each case with the names and date of birth a matcher compares."""
    ids = sorted(set(case_ids))
    found: dict[int, list[PartyFacts]] = defaultdict(list)
    for chunk in in_chunks(ids):
        rows = db.execute(
            select(
                Party.case_id,
                Party.person_id,
                Party.role,
                Person.first_name,
                Person.last_name,
                Person.date_of_birth,
            )
            .join(Person, Person.id == Party.person_id)
            .where(Party.case_id.in_(chunk))
            .order_by(Party.case_id, Party.id)
        )
        for case_id, pid, role, first, last, dob in rows:
            found[case_id].append(PartyFacts(case_id, pid, str(role), first, last, dob))
    return dict(found)


@dataclass(frozen=True)
class ProfessionalFacts:
    """A professional (a social worker, a solicitor) as a matcher knows them: professionals
    are not in the identity index, so they are found by name and told apart by contact."""

    person_id: int
    first_name: str
    last_name: str
    contacts: frozenset[str]  # email addresses (lower case) and phone numbers (digits)


def contact_key(kind: str, value: str) -> str:
    """A contact as compared: an email in lower case, a phone number's digits only (a
    leading +44 read as 0)."""
    text = value.strip()
    if kind == "email":
        return "email:" + text.lower()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+44"):
        digits = "0" + digits[2:]
    return "phone:" + digits


def professionals_named(
    db: Session, names: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[ProfessionalFacts]]:
    """The professionals recorded under each (first name, last name), compared in lower
    case, with their contacts."""
    wanted = sorted({(f.strip().lower(), la.strip().lower()) for f, la in names if f and la})
    found: dict[tuple[str, str], list[ProfessionalFacts]] = defaultdict(list)
    for chunk in in_chunks(wanted):
        clause = or_(
            *(
                and_(func.lower(Person.first_name) == f, func.lower(Person.last_name) == la)
                for f, la in chunk
            )
        )
        people = db.execute(
            select(Person.id, Person.first_name, Person.last_name)
            .where(Person.is_professional.is_(True), clause)
            .order_by(Person.id)
        ).all()
        ids = [pid for pid, _, _ in people]
        contacts: dict[int, set[str]] = defaultdict(set)
        for pid, kind, value in db.execute(
            select(Contact.person_id, Contact.kind, Contact.value).where(Contact.person_id.in_(ids))
        ):
            contacts[pid].add(contact_key(kind, value))
        for pid, first, last in people:
            found[(first.strip().lower(), last.strip().lower())].append(
                ProfessionalFacts(pid, first, last, frozenset(contacts[pid]))
            )
    return dict(found)
