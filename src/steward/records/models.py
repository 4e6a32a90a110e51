"""Case records: persons, cases, parties, documents and the file plan they are filed under."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class CaseType(StrEnum):
    PRIVATE_LAW = "private_law"
    PUBLIC_LAW = "public_law"
    ADOPTION = "adoption"
    OTHER = "other"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PartyRole(StrEnum):
    CHILD_SUBJECT = "child_subject"
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    PARENT = "parent"
    RELATIVE = "relative"
    INTERVENOR = "intervenor"
    SOCIAL_WORKER = "social_worker"
    SOLICITOR = "solicitor"
    OFFICER = "officer"

    @property
    def is_professional(self) -> bool:
        return self in PROFESSIONAL_ROLES


PROFESSIONAL_ROLES = frozenset({PartyRole.SOCIAL_WORKER, PartyRole.SOLICITOR, PartyRole.OFFICER})


class DocumentKind(StrEnum):
    CASE_NOTE = "case_note"
    REPORT_TO_COURT = "report_to_court"
    COURT_ORDER = "court_order"
    CORRESPONDENCE = "correspondence"
    PARTNER_SUBMISSION = "partner_submission"


class Provenance(StrEnum):
    STAFF = "staff"
    PARTNER = "partner"
    COURT = "court"


class SecurityMarking(StrEnum):
    OFFICIAL = "official"
    OFFICIAL_SENSITIVE = "official_sensitive"


class NameKind(StrEnum):
    PREVIOUS = "previous"
    ALIAS = "alias"


class IdentifierScheme(StrEnum):
    NHS = "nhs"
    NINO = "nino"
    LA_REF = "la_ref"
    LEGACY = "legacy"  # the person's id in the system a migration came from


class RecordClass(Base):
    """A class of the file plan, e.g. "Case files > Private law". Retention attaches here."""

    __tablename__ = "record_classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("record_classes.id"))
    description: Mapped[str | None] = mapped_column(Text)
    # The information asset owner: the member of staff who answers for the class (that its
    # records are kept, found and disposed of as its rule says). No owner yet: NULL.
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_names: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    date_of_death: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(40))
    is_professional: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation: Mapped[str | None] = mapped_column(String(200))
    address_withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    names: Mapped[list[PersonName]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Address.from_date"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    identifiers: Mapped[list[Identifier]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)


class PersonName(Base):
    """A previous name (e.g. before marriage) or an alias the person is also known by."""

    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NameKind] = mapped_column(String(16))
    first_name: Mapped[str | None] = mapped_column(String(100))
    middle_names: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(100), index=True)

    person: Mapped[Person] = relationship(back_populates="names")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="addresses")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # phone, email
    value: Mapped[str] = mapped_column(String(200))

    person: Mapped[Person] = relationship(back_populates="contacts")


class Identifier(Base):
    __tablename__ = "identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[IdentifierScheme] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))

    person: Mapped[Person] = relationship(back_populates="identifiers")


class Case(Base):
    __tablename__ = "cases"
    # My cases, newest first, a page at a time at a million cases: walked in this order and
    # filtered on team and id inside the index, so a page (or a capped count) reads about
    # as many index entries as it skips and shows, never the whole table and a sort.
    __table_args__ = (Index("ix_cases_opened_on", "opened_on", "id", "team"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    case_type: Mapped[CaseType] = mapped_column(String(32))
    court: Mapped[str | None] = mapped_column(String(200))
    local_authority: Mapped[str | None] = mapped_column(String(200))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CaseStatus] = mapped_column(String(16))
    record_class_id: Mapped[int] = mapped_column(ForeignKey("record_classes.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    parties: Mapped[list[Party]] = relationship(back_populates="case", cascade="all, delete-orphan")
    documents: Mapped[list[Document]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Document.created_on"
    )
    assignments: Mapped[list[CaseAssignment]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )


class CaseAssignment(Base):
    """A member of staff allocated to a case: need-to-know starts here."""

    __tablename__ = "case_assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="assignments")


class Party(Base):
    """A person's role in a case."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("case_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(String(32))

    case: Mapped[Case] = relationship(back_populates="parties")
    person: Mapped[Person] = relationship()


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[DocumentKind] = mapped_column(String(32))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    created_on: Mapped[date] = mapped_column(Date)
    security_marking: Mapped[SecurityMarking] = mapped_column(String(32))
    provenance: Mapped[Provenance] = mapped_column(String(16))
    record_class_id: Mapped[int] = mapped_column(ForeignKey("record_classes.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    extraction_note: Mapped[str | None] = mapped_column(String(200))
    # Text is extracted after the upload, in the background (records.service.extraction):
    # pending -> running -> done | failed_bounds | failed. The reason is a code, never content.
    extraction_status: Mapped[str] = mapped_column(String(16), index=True)
    extraction_reason: Mapped[str | None] = mapped_column(String(32))
    extraction_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="documents")
    subjects: Mapped[list[DocumentSubject]] = relationship(cascade="all, delete-orphan")


class DocumentContent(Base):
    """The document's file and its extracted text, each sealed with the case's data key.

    Kept in the database (not loose files) so a document and its content are written, and
    destroyed, in one transaction: nothing half-written, nothing orphaned."""

    __tablename__ = "document_contents"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[bytes | None] = mapped_column(LargeBinary)


class DocumentSubject(Base):
    """A person the document is about (subject access requests search by these)."""

    __tablename__ = "document_subjects"
    __table_args__ = (UniqueConstraint("document_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)


class CaseView(Base):
    """When a member of staff last read a case's page: what was added since is new to them.
    One row per person and case, overwritten on each read (the audit trail keeps every read)."""

    __tablename__ = "case_views"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BreakGlass(Base):
    """An emergency opening of a case the user is not assigned to, with its stated reason."""

    __tablename__ = "break_glass"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: the reason may name people
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_persons_name_dob", Person.last_name, Person.first_name, Person.date_of_birth)
# The few professionals among a million persons, for finding one by name (their names are
# compared in lower case, which no name index serves).
Index(
    "ix_persons_professionals",
    Person.id,
    sqlite_where=Person.is_professional.is_(True),
    postgresql_where=Person.is_professional.is_(True),
)


class SearchEntry(Base):
    """One searchable thing (a document's text, a person's names). The words themselves live
    in a backend-specific index keyed by this id: FTS5 on SQLite, tsvector on PostgreSQL."""

    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # document, person
    ref_id: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )


class PersonCorrection(Base):
    """A correction of a person's details (Article 16), kept for accountability: who changed
    what and why, with the values before and after sealed under the correction's own data key
    (they are personal data), and the field codes in the clear so the history can be listed
    without opening anything. Deleted with the person (ON DELETE CASCADE), its key destroyed."""

    __tablename__ = "person_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrected_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Space-separated codes: first_name, date_of_birth, address:12, identifier:nhs ...
    fields: Mapped[str] = mapped_column(String(400))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    previous_values: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON
    new_values: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    sar_reference: Mapped[str | None] = mapped_column(String(20), index=True)

    @property
    def field_codes(self) -> list[str]:
        return self.fields.split()


class PersonRestriction(Base):
    """A restriction of processing (Article 18): while ``lifted_at`` is empty, the cases the
    person is a party to can be read by the information-governance team only. The reasons are
    sealed under the restriction's own data key; the subject access request's reference is an
    id, kept in the clear so the request can find it."""

    __tablename__ = "person_restrictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    restricted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    restricted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    sar_reference: Mapped[str | None] = mapped_column(String(20), index=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lifted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
