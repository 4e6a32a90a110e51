"""What an accepted row becomes in the records, with its source attached.

- party details: the person, matched (an exact match is linked, never copied) or created,
  joined to the case in the role sent;
- safeguarding check results: a document on the case, its facts apart from the checking
  professional's view, which is headed as the partner's opinion;
- court order notifications: a court-order document on the case.

The records are written by the system on the organisation's behalf (a partner account
cannot write case records, nor need the officer who accepted a held row); intake's own
audit event names who submitted or accepted it. The row keeps the ids of what it became.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.intake.datasets import Dataset
from steward.intake.models import Agreement, Partner, Submission
from steward.intake.policy import PartnerKind, compact, normalise_postcode
from steward.records import service as records
from steward.records.models import DocumentKind, IdentifierScheme, PartyRole, Provenance
from steward.records.schemas import (
    AddressIn,
    ContactIn,
    DocumentMeta,
    IdentifierIn,
    PersonCreate,
)

Values = dict[str, str | None]


@dataclass(frozen=True)
class Source:
    """Where a row came from: shown on the record it became."""

    partner: Partner
    agreement: Agreement
    submission: Submission
    row_number: int

    def line(self) -> str:
        return (
            f"Received from {self.partner.name} under data-sharing agreement "
            f"{self.agreement.reference}, submission {self.submission.id}, row {self.row_number}."
        )


@dataclass(frozen=True)
class Recorded:
    person_id: int | None
    document_id: int | None


def _words(code: str | None) -> str:
    return (code or "").replace("_", " ").capitalize()


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def new_person(values: Values) -> PersonCreate:
    """The person a party-details row describes, as the records would hold them."""
    role = PartyRole(values["role"] or "")
    identifiers = [
        IdentifierIn(scheme=scheme, value=compact(values[field] or ""))
        for field, scheme in (
            ("nhs_number", IdentifierScheme.NHS),
            ("ni_number", IdentifierScheme.NINO),
        )
        if values.get(field)
    ]
    contacts = [
        ContactIn(kind=kind, value=(values[kind] or "").strip())
        for kind in ("phone", "email")
        if values.get(kind)
    ]
    addresses = (
        [
            AddressIn(
                line1=values["address_line"] or "",
                town=values.get("town"),
                postcode=normalise_postcode(postcode)
                if (postcode := values.get("postcode"))
                else None,
            )
        ]
        if values.get("address_line")
        else []
    )
    return PersonCreate(
        first_name=values["first_name"] or "",
        middle_names=values.get("middle_names"),
        last_name=values["last_name"] or "",
        date_of_birth=_date(values.get("date_of_birth")),
        is_professional=role.is_professional,
        identifiers=identifiers,
        contacts=contacts,
        addresses=addresses,
    )


@dataclass(frozen=True)
class PartyRow:
    """An accepted party-details row: its values, its case, and the person it was matched
    to (None: someone not yet recorded)."""

    values: Values
    case_id: int
    person_id: int | None


def record_parties(db: Session, rows: Sequence[PartyRow]) -> list[int]:
    """Record many accepted party-details rows at once: the new persons created together
    (indexed for the identity search together), a linked person given the
    NHS or NI number they were recorded without (one they hold already is never replaced:
    a different one is a conflict, held before now), and every party joined together.
    Returns each row's person."""
    system = Actor.system()
    fresh = [i for i, row in enumerate(rows) if row.person_id is None]
    made = records.create_persons(db, system, [new_person(rows[i].values) for i in fresh])
    ids = [row.person_id for row in rows]
    for i, person_id in zip(fresh, made, strict=True):
        ids[i] = person_id
    records.add_missing_identifiers(
        db,
        system,
        [
            (row.person_id, new_person(row.values).identifiers)
            for row in rows
            if row.person_id is not None
        ],
    )
    found = [pid for pid in ids if pid is not None]
    records.add_parties(
        db,
        system,
        [
            (row.case_id, pid, row.values["role"] or "")
            for row, pid in zip(rows, found, strict=True)
        ],
    )
    return found


def _party(db: Session, values: Values, case_id: int, person_id: int | None) -> Recorded:
    (person,) = record_parties(db, [PartyRow(values, case_id, person_id)])
    return Recorded(person_id=person, document_id=None)


def _safeguarding_text(values: Values, source: Source) -> str:
    view = (values.get("professional_view") or "").strip()
    lines = [
        "Safeguarding check result",
        source.line(),
        "",
        "FACTS, AS REPORTED BY THE PARTNER",
        f"Person: {values['first_name']} {values['last_name']}, born {values['date_of_birth']}",
        f"Check type: {_words(values['check_type'])}",
        f"Outcome: {_words(values['outcome'])}",
        f"Checked on: {values['checked_on']}",
        "",
        "PROFESSIONAL VIEW: THE PARTNER'S OPINION, NOT A FINDING OF FACT",
        view or "(none given)",
    ]
    return "\n".join(lines) + "\n"


def _order_text(values: Values, source: Source) -> str:
    lines = [
        "Court order notification",
        source.line(),
        "",
        f"Order type: {_words(values['order_type'])}",
        f"Order date: {values['order_date']}",
        f"Court: {values['court']}",
    ]
    return "\n".join(lines) + "\n"


def _document(
    *,
    case_id: int,
    title: str,
    kind: DocumentKind,
    text: str,
    on: date,
    source: Source,
    subjects: list[int],
) -> records.DocumentIn:
    provenance = (
        Provenance.COURT if source.partner.kind == PartnerKind.COURT else Provenance.PARTNER
    )
    meta = DocumentMeta(
        title=title,
        kind=kind,
        created_on=on,
        provenance=provenance,
        author_name=source.partner.name,
        subject_person_ids=subjects,
    )
    return records.DocumentIn(
        case_id=case_id,
        meta=meta,
        data=text.encode("utf-8"),
        filename=f"submission-{source.submission.id}-row-{source.row_number}.txt",
    )


@dataclass(frozen=True)
class DocumentRow:
    """An accepted row of a data set recorded as a document: its values, its case, the
    person it is about (a safeguarding check's subject) and its source."""

    values: Values
    case_id: int
    person_id: int | None
    source: Source


def document_for(dataset: Dataset, row: DocumentRow) -> records.DocumentIn:
    values, source = row.values, row.source
    if dataset.name == "safeguarding_checks":
        check = _words(values["check_type"]).lower()
        return _document(
            case_id=row.case_id,
            title=f"Safeguarding check: {check} ({source.partner.name})",
            kind=DocumentKind.PARTNER_SUBMISSION,
            text=_safeguarding_text(values, source),
            on=_date(values["checked_on"]) or clock.today(),
            source=source,
            subjects=[row.person_id] if row.person_id else [],
        )
    if dataset.name == "court_orders":
        return _document(
            case_id=row.case_id,
            title=f"Court order: {_words(values['order_type']).lower()}",
            kind=DocumentKind.COURT_ORDER,
            text=_order_text(values, source),
            on=_date(values["order_date"]) or clock.today(),
            source=source,
            subjects=[],
        )
    raise ValueError(f"no recording for data set {dataset.name}")


def record_documents(
    db: Session, kek: KeyEncryptionKeys, dataset: Dataset, rows: Sequence[DocumentRow]
) -> list[Recorded]:
    """Record many accepted rows of a document data set at once, each a document on its
    case (the records add them together)."""
    documents = records.add_documents(
        db, kek, Actor.system(), [document_for(dataset, row) for row in rows]
    )
    return [
        Recorded(person_id=row.person_id, document_id=document.id)
        for row, document in zip(rows, documents, strict=True)
    ]


def record_row(
    db: Session,
    kek: KeyEncryptionKeys,
    *,
    dataset: Dataset,
    values: Values,
    case_id: int,
    person_id: int | None,
    source: Source,
) -> Recorded:
    """Write one accepted row into the records. ``person_id`` is the person it was matched
    to (None: a party-details row describes someone not yet recorded)."""
    if dataset.name == "party_details":
        return _party(db, values, case_id, person_id)
    (recorded,) = record_documents(
        db, kek, dataset, [DocumentRow(values, case_id, person_id, source)]
    )
    return recorded
