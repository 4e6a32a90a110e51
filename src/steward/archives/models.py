"""Tables of the archives domain: where paper is, what is in it, who has it, and its end.

Locations are structured (site, room, bay, shelf, or an off-site contractor and the
contractor's own reference), never a free-text "location" field (Alfresco's weakness): a
box's whereabouts can then be listed, counted and reconciled. Every move of a box is kept
(ArchivesSpace's location history). Names written on a file are stored as written and as
match keys, so a subject access request made decades later finds them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.core.db import Base, UTCDateTime


class LocationKind(StrEnum):
    ON_SITE = "on_site"
    OFF_SITE = "off_site"


class BoxStatus(StrEnum):
    ON_SITE = "on_site"
    OFF_SITE = "off_site"
    DESTROYED = "destroyed"


class PaperFileStatus(StrEnum):
    ACTIVE = "active"
    # Chosen for destruction by a disposal and sent to the contractor, not yet certified.
    MARKED_FOR_DESTRUCTION = "marked_for_destruction"
    DESTROYED = "destroyed"


class RetrievalStatus(StrEnum):
    REQUESTED = "requested"
    OUT = "out"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class RetrievalPurpose(StrEnum):
    CASE_WORK = "case_work"
    SUBJECT_ACCESS = "subject_access"
    COURT = "court"
    AUDIT = "audit"
    DISPOSAL_REVIEW = "disposal_review"
    OTHER = "other"


class CertificateOutcome(StrEnum):
    DESTROYED = "destroyed"  # expected and certified
    MISSING = "missing"  # expected, not certified
    UNEXPECTED = "unexpected"  # certified, not expected (or not known at all)


class ArchiveLocation(Base):
    """A shelf on site, or a place at the storage contractor named by their own reference."""

    __tablename__ = "archive_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The code people write on labels and in the contractor's inventory; unique.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[LocationKind] = mapped_column(String(16), index=True)
    site: Mapped[str | None] = mapped_column(String(100))
    room: Mapped[str | None] = mapped_column(String(100))
    bay: Mapped[str | None] = mapped_column(String(50))
    shelf: Mapped[str | None] = mapped_column(String(50))
    contractor: Mapped[str | None] = mapped_column(String(100))
    contractor_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArchiveBox(Base):
    __tablename__ = "archive_boxes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("archive_locations.id"), index=True)
    status: Mapped[BoxStatus] = mapped_column(String(16), index=True)
    # The storage contractor's own reference for the box, if they give one.
    contractor_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    location: Mapped[ArchiveLocation | None] = relationship()
    files: Mapped[list[PaperFile]] = relationship(
        back_populates="box", order_by="PaperFile.file_reference"
    )


class BoxMovement(Base):
    """One move of a box: the chain of where it has been, never overwritten."""

    __tablename__ = "archive_box_movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    box_id: Mapped[int] = mapped_column(
        ForeignKey("archive_boxes.id", ondelete="CASCADE"), index=True
    )
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("archive_locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("archive_locations.id"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    moved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contractor_ref: Mapped[str | None] = mapped_column(String(100))

    from_location: Mapped[ArchiveLocation | None] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[ArchiveLocation | None] = relationship(foreign_keys=[to_location_id])


class PaperFile(Base):
    """A paper file, usually in a box. Its case number may or may not match a case held
    electronically; ``case_id`` links the two when it does."""

    __tablename__ = "paper_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_reference: Mapped[str] = mapped_column(String(64), unique=True)
    box_id: Mapped[int | None] = mapped_column(ForeignKey("archive_boxes.id"), index=True)
    case_number: Mapped[str | None] = mapped_column(String(32), index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    record_class_id: Mapped[int | None] = mapped_column(ForeignKey("record_classes.id"), index=True)
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[PaperFileStatus] = mapped_column(String(32), index=True)
    # The disposal's reference this file was sent for destruction under; a contractor's
    # certificate is reconciled against the files carrying it.
    destruction_reference: Mapped[str | None] = mapped_column(String(64), index=True)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    box: Mapped[ArchiveBox | None] = relationship(back_populates="files")
    names: Mapped[list[PaperFileName]] = relationship(
        back_populates="paper_file", cascade="all, delete-orphan", order_by="PaperFileName.id"
    )


class PaperFileName(Base):
    """A person named on a file, as written, with the keys person search looks up.

    ``other_surname_*`` hold a previous surname written on the file ("née Brown",
    "formerly Brown"), so a woman searched for by her married or maiden name is found."""

    __tablename__ = "paper_file_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_file_id: Mapped[int] = mapped_column(
        ForeignKey("paper_files.id", ondelete="CASCADE"), index=True
    )
    name_as_written: Mapped[str] = mapped_column(String(200))
    normalised_name: Mapped[str] = mapped_column(String(200))
    forename_key: Mapped[str | None] = mapped_column(String(100))
    forename_phonetic: Mapped[str | None] = mapped_column(String(32))
    surname_key: Mapped[str | None] = mapped_column(String(100))
    surname_phonetic: Mapped[str | None] = mapped_column(String(32), index=True)
    other_surname_key: Mapped[str | None] = mapped_column(String(100))
    other_surname_phonetic: Mapped[str | None] = mapped_column(String(32))
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    role: Mapped[str | None] = mapped_column(String(32))  # a records PartyRole when known
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )

    paper_file: Mapped[PaperFile] = relationship(back_populates="names")


class Retrieval(Base):
    """A request to bring a file or a whole box out of store, and its chain of custody."""

    __tablename__ = "archive_retrievals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("paper_files.id", ondelete="CASCADE"), index=True
    )
    box_id: Mapped[int | None] = mapped_column(
        ForeignKey("archive_boxes.id", ondelete="CASCADE"), index=True
    )
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[RetrievalPurpose] = mapped_column(String(32))
    # Free text may name people: never audited, sealed under the file's case key when the
    # file belongs to a case, else under a key of the retrieval's own.
    note_key_id: Mapped[str | None] = mapped_column(String(36))
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Plain text from before sealing; ``steward db upgrade`` seals it and clears this.
    legacy_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RetrievalStatus] = mapped_column(String(16), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_back_on: Mapped[date | None] = mapped_column(Date, index=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who holds it while it is out (usually the requester).
    custodian_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    paper_file: Mapped[PaperFile | None] = relationship()
    box: Mapped[ArchiveBox | None] = relationship()
    custody: Mapped[list[CustodyEvent]] = relationship(
        back_populates="retrieval", cascade="all, delete-orphan", order_by="CustodyEvent.id"
    )


class CustodyEvent(Base):
    """One hand-over in a retrieval's life: who moved it to which state, and when."""

    __tablename__ = "archive_custody_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    retrieval_id: Mapped[int] = mapped_column(
        ForeignKey("archive_retrievals.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[RetrievalStatus | None] = mapped_column(String(16))
    to_status: Mapped[RetrievalStatus] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    retrieval: Mapped[Retrieval] = relationship(back_populates="custody")


class DestructionCertificate(Base):
    """A storage contractor's certificate of destruction, as received and reconciled."""

    __tablename__ = "archive_destruction_certificates"
    __table_args__ = (UniqueConstraint("reference", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The disposal reference the files were marked under (what the certificate answers).
    reference: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))  # of the certificate file as received
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    destroyed_count: Mapped[int] = mapped_column(Integer)
    missing_count: Mapped[int] = mapped_column(Integer)
    unexpected_count: Mapped[int] = mapped_column(Integer)

    lines: Mapped[list[CertificateLine]] = relationship(
        back_populates="certificate", cascade="all, delete-orphan", order_by="CertificateLine.id"
    )


class CertificateLine(Base):
    """One file's (or one unknown identifier's) outcome in a reconciliation."""

    __tablename__ = "archive_certificate_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("archive_destruction_certificates.id", ondelete="CASCADE"), index=True
    )
    paper_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("paper_files.id", ondelete="SET NULL"), index=True
    )
    box_id: Mapped[int | None] = mapped_column(ForeignKey("archive_boxes.id", ondelete="SET NULL"))
    # The barcode or file reference as the certificate wrote it (kept for unknown ones).
    identifier: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[CertificateOutcome] = mapped_column(String(16))

    certificate: Mapped[DestructionCertificate] = relationship(back_populates="lines")


# Person search looks names up by surname (or previous surname) key and date of birth together.
Index("ix_paper_file_names_surname_dob", PaperFileName.surname_key, PaperFileName.date_of_birth)
# Few names carry a previous surname. Indexed without the NULLs: otherwise a planner's
# statistics see one "value" shared by nearly every row, and SQLite then scans the whole
# table for a search whose terms are ORed (measured: 120 ms instead of 8 ms on 250k names).
for _column in (PaperFileName.other_surname_key, PaperFileName.other_surname_phonetic):
    Index(
        f"ix_paper_file_names_{_column.key}",
        _column,
        sqlite_where=_column.is_not(None),
        postgresql_where=_column.is_not(None),
    )
