"""Paper files: adding one, its names, reading it (a recorded read), and what is unboxed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from steward.archives.events import ArchivesEvent
from steward.archives.models import (
    ArchiveBox,
    BoxStatus,
    PaperFile,
    PaperFileName,
    PaperFileStatus,
    Retrieval,
)
from steward.archives.names import keys_for
from steward.archives.schemas import NameOnFile, PaperFileCreate
from steward.archives.service.access import readable_file, require_manage
from steward.archives.service.linking import link_names
from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor
from steward.records.models import Case, RecordClass
from steward.records.service import ensure_default_file_plan


def case_id_for(db: Session, case_number: str | None) -> int | None:
    """The electronic case with this number, if there is one (many old files have none)."""
    if not case_number:
        return None
    return db.scalar(select(Case.id).where(Case.case_number == case_number.strip().upper()))


def record_class_id(db: Session, code: str | None, case_id: int | None) -> int | None:
    """The file-plan class by code; with none given, the linked case's class."""
    if code:
        query = select(RecordClass.id).where(RecordClass.code == code.strip().upper())
        found = db.scalar(query)
        if found is None and ensure_default_file_plan(db):
            found = db.scalar(query)
        if found is None:
            raise ValidationFailed(
                "There is no record class with that code in the file plan.",
                errors={"record_class": "Use a code of the file plan, e.g. CASE.PRIVATE"},
            )
        return found
    if case_id is not None:
        return db.scalar(select(Case.record_class_id).where(Case.id == case_id))
    return None


def name_row(name: NameOnFile) -> PaperFileName:
    keys = keys_for(name.name)
    return PaperFileName(
        name_as_written=name.name,
        normalised_name=keys.normalised,
        forename_key=keys.forename,
        forename_phonetic=keys.forename_phonetic,
        surname_key=keys.surname,
        surname_phonetic=keys.surname_phonetic,
        other_surname_key=keys.other_surname,
        other_surname_phonetic=keys.other_surname_phonetic,
        date_of_birth=name.date_of_birth,
        role=name.role,
    )


def add_file(db: Session, actor: Actor, data: PaperFileCreate) -> PaperFile:
    require_manage(actor)
    reference = data.file_reference
    if db.scalar(select(PaperFile.id).where(PaperFile.file_reference == reference)) is not None:
        raise Conflict("A paper file with that reference already exists.", field="file_reference")
    if data.box_id is not None:
        box = db.get(ArchiveBox, data.box_id)
        if box is None:
            raise NotFound("There is no such box.")
        if box.status == BoxStatus.DESTROYED:
            raise Conflict("That box has been destroyed; put the file in another box.")
    case_number = data.case_number.strip().upper() if data.case_number else None
    case_id = case_id_for(db, case_number)
    class_id = record_class_id(db, data.record_class, case_id)
    return insert_file(db, actor, data, case_id=case_id, class_id=class_id)


def insert_file(
    db: Session, actor: Actor, data: PaperFileCreate, *, case_id: int | None, class_id: int | None
) -> PaperFile:
    """Write a file whose reference, box, case and class the caller has already checked (the
    inventory import does so for many rows at once)."""
    now = clock.now()
    paper_file = PaperFile(
        file_reference=data.file_reference,
        box_id=data.box_id,
        case_number=data.case_number.strip().upper() if data.case_number else None,
        case_id=case_id,
        record_class_id=class_id,
        date_from=data.date_from,
        date_to=data.date_to,
        status=PaperFileStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    paper_file.names = [name_row(n) for n in data.names]
    db.add(paper_file)
    db.flush()
    linked = link_names(db, paper_file)
    audit.record(
        db,
        actor,
        ArchivesEvent.FILE_ADDED,
        subject_type="paper_file",
        subject_id=paper_file.id,
        details={"names": len(data.names), "linked_case": case_id, "linked_names": linked},
    )
    return paper_file


@dataclass(frozen=True)
class FileView:
    paper_file: PaperFile
    box: ArchiveBox | None
    record_class_code: str | None
    retrievals: list[Retrieval]


def view_file(db: Session, actor: Actor, file_id: int) -> FileView:
    """A paper file with the names on it and its retrievals. Recorded as a read."""
    paper_file = readable_file(db, actor, file_id)
    paper_file = db.scalars(
        select(PaperFile)
        .where(PaperFile.id == paper_file.id)
        .options(selectinload(PaperFile.names), selectinload(PaperFile.box))
    ).one()
    retrievals = list(
        db.scalars(
            select(Retrieval)
            .where(Retrieval.paper_file_id == paper_file.id)
            .order_by(Retrieval.requested_at.desc())
        )
    )
    code = (
        db.scalar(select(RecordClass.code).where(RecordClass.id == paper_file.record_class_id))
        if paper_file.record_class_id
        else None
    )
    audit.record(
        db, actor, ArchivesEvent.FILE_VIEWED, subject_type="paper_file", subject_id=paper_file.id
    )
    return FileView(paper_file, paper_file.box, code, retrievals)


def files_without_box(db: Session, actor: Actor, *, limit: int = 500) -> list[PaperFile]:
    require_manage(actor)
    return list(
        db.scalars(
            select(PaperFile)
            .where(PaperFile.box_id.is_(None), PaperFile.status != PaperFileStatus.DESTROYED)
            .order_by(PaperFile.file_reference)
            .limit(limit)
        )
    )


def files_page(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    box_id: int | None = None,
    unboxed: bool = False,
    status: PaperFileStatus | None = None,
) -> Page[PaperFile]:
    """One page of the paper files, by reference: those in a box, those in none, or all. For
    archive staff (references and case numbers; the names on a file are read one file at a
    time, through ``view_file``, which records the read)."""
    require_manage(actor)
    query = select(PaperFile).options(selectinload(PaperFile.box))
    if box_id is not None:
        query = query.where(PaperFile.box_id == box_id)
    elif unboxed:
        query = query.where(PaperFile.box_id.is_(None))
    if status is not None:
        query = query.where(PaperFile.status == status)
    return paginate(db, query.order_by(PaperFile.file_reference, PaperFile.id), page)
