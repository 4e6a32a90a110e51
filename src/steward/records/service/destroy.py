"""Destroying a case: the records domain answers for every row that refers to one.

Retention decides *when* a case is destroyed (schedule, holds, approval) and records what
was destroyed (tombstone, certificate); what destroying a case *means* is written here, next
to the tables it touches, so a table added to records is either destroyed with the case or
kept on purpose, never forgotten. tests/records/test_destroy.py walks the database's foreign
keys and fails on any table that refers to a case, a document or a person and is neither
destroyed (below, or by ON DELETE CASCADE from a destroyed row) nor named in
``KEPT_AFTER_DESTRUCTION`` with its reason.

Destroying a case: its data key is destroyed first (crypto-shred: everything sealed under
it -- document bodies and text, break-glass reasons, a disposal decision's reason -- can
never be opened again, even from a backup); then its search entries and their words, its
documents with their sealed content and subjects, parties, assignments, break-glass grants
and the case row are deleted (SQLite's secure_delete is on, FTS5's too); and the persons
it named that no kept record still refers to are deleted with everything the database
cascades from them (names, addresses, contacts, identifiers, identity match data).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, or_, select
from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.db import Base
from steward.core.errors import NotFound
from steward.core.permissions import Actor, Permission
from steward.records.models import (
    BreakGlass,
    Case,
    CaseAssignment,
    CaseView,
    Document,
    DocumentContent,
    DocumentSubject,
    Party,
    Person,
    PersonCorrection,
    PersonRestriction,
)

# The module, not the search() function of the same name that records.service re-exports.
search_index = importlib.import_module("steward.records.service.search")

Where = Callable[[int], ColumnElement[bool]]


def _of_documents(column: Any) -> Where:
    return lambda case_id: column.in_(select(Document.id).where(Document.case_id == case_id))


# What destroy_case deletes of a case, in an order the foreign keys allow. Search entries
# (and their words in the backend's index) and persons are deleted by the functions below.
CASE_ROWS: tuple[tuple[type[Base], Where], ...] = (
    (DocumentSubject, _of_documents(DocumentSubject.document_id)),
    (DocumentContent, _of_documents(DocumentContent.document_id)),
    (Document, lambda case_id: Document.case_id == case_id),
    (Party, lambda case_id: Party.case_id == case_id),
    (CaseAssignment, lambda case_id: CaseAssignment.case_id == case_id),
    (BreakGlass, lambda case_id: BreakGlass.case_id == case_id),
    (CaseView, lambda case_id: CaseView.case_id == case_id),
    (Case, lambda case_id: Case.id == case_id),
)
DESTROYED_TABLES = frozenset(
    {str(model.__tablename__) for model, _ in CASE_ROWS} | {"search_entries", "persons"}
)

# Tables of other domains (and of core) that refer to a case, a document or a person and
# are deliberately not destroyed with it, keyed "table.column", each with the reason. Soft
# references (an id without a foreign key) are listed too, so each has been decided.
KEPT_AFTER_DESTRUCTION: dict[str, str] = {
    "breach_links.case_id": (
        "assurance: a breach is documented for as long as the register keeps it (UK GDPR Art "
        "33(5)), longer than the case it touched; the link is a bare id, which names nothing "
        "once the case is gone (the register then counts it, never names it)."
    ),
    "breach_links.person_id": (
        "assurance: as breach_links.case_id: the breach's record outlives the person record; "
        "a bare id that names nobody once the person is destroyed."
    ),
    "jobs.subject_id": (
        "core: a background job's subject is what it works on (a disposal list, a re-dating "
        "run), never a case, document or person; the row keeps what ran, by whom and when."
    ),
    "paper_files.case_id": (
        "archives: a paper file is a record of its own, dated and disposed of on its own "
        "(sent to the contractor); the database cuts its link to the destroyed case "
        "(ON DELETE SET NULL)."
    ),
    "paper_files.case_number": (
        "archives: the case number as written on the paper file's cover, kept with the file."
    ),
    "paper_file_names.person_id": (
        "archives: a name written on a paper file that is still kept keeps its linked person "
        "alive (destroy_case asks, through live_reference); once the file goes, the link is "
        "cut (ON DELETE SET NULL) and the names go with the file when the contractor's "
        "certificate is reconciled."
    ),
    "retention_hold_targets.target_id": (
        "retention: a hold names what it covers by id only; a held case is never destroyed, "
        "and a released hold is kept as the history of the matter."
    ),
    "disposal_items.record_id": (
        "retention: the proof of disposal (id, case number, class, rule version, outcome); "
        "no personal data, and the certificate's hash is computed over it."
    ),
    "retention_dates.record_id": (
        "retention: the record's computed dates; retention deletes them in the same "
        "transaction as it destroys the case."
    ),
    "retention_events.record_id": (
        "retention: dated events of the record; retention deletes them in the same "
        "transaction as it destroys the case."
    ),
    "retention_overrides.record_id": (
        "retention: a decision to keep the record longer; retention deletes it in the same "
        "transaction as it destroys the case."
    ),
    "sar_hits.target_id": (
        "sar: a subject access search's hit names what was found (a person, a paper file or a "
        "document) by id only, beside what the source showed then, sealed under the request's "
        "key; it is the proof of what the search returned and goes with the request's file."
    ),
    "sar_disclosure_items.case_id": (
        "sar: a disclosure names the case a document came from by id only (set to null when "
        "the case goes); what was disclosed, sealed under the request's key, is the record of "
        "the response and goes with the request's file, not the case's."
    ),
    "sar_disclosure_items.document_id": (
        "sar: a disclosure names its source document by id only (set to null when the document "
        "goes); the text as disclosed is sealed under the request's key and goes with the "
        "request's file."
    ),
    "sar_redactions.person_id": (
        "sar: a proposed redaction names whose data it is by person id only (set to null when "
        "the person goes), to accept one person's redactions together; it goes with the "
        "request's file."
    ),
    "intake_rows.case_id": (
        "intake: a partner's row names the case it was recorded on by id only (set to null "
        "when the case goes); the values it carried are sealed under the submission's own "
        "key and go when the submission's retention under its data-sharing agreement ends."
    ),
    "intake_rows.person_id": (
        "intake: a partner's row names the person it was recorded as (or may be) by id only "
        "(set to null when the person goes), and never keeps them (PROVENANCE_ONLY): their "
        "case destroyed, they go too; the row's values, sealed under the submission's key, go "
        "with the submission at the end of its retention."
    ),
    "intake_rows.document_id": (
        "intake: a partner's row names the document it became by id only (set to null when "
        "the document goes); it goes with the submission at the end of its retention."
    ),
    "audit_events.subject_id": (
        "core: the append-only, hash-chained audit log holds ids and tags, never content; "
        "deleting an event would break the chain that proves what happened."
    ),
}

ReferenceFilter = Callable[[Table], Sequence[ColumnElement[bool]]]


def _every_reference(_table: Table) -> Sequence[ColumnElement[bool]]:
    return ()


@dataclass(frozen=True)
class DestroyedCase:
    """What the caller may keep of a destroyed case: no personal data."""

    case_id: int
    case_number: str
    opened_on: date
    closed_on: date | None
    persons_deleted: int


def destroy_case(
    db: Session,
    actor: Actor,
    *,
    case_id: int,
    live_reference: ReferenceFilter = _every_reference,
) -> DestroyedCase:
    """Destroy a case and everything of it (see the module's docstring). Never commits:
    the caller's transaction makes it all or nothing.

    ``live_reference(table)`` narrows which rows of a table that refers to persons still
    keep a person (e.g. only names on paper files still kept); by default every row does."""
    actor.require(Permission.RETENTION_APPROVE)
    case = db.get(Case, case_id)
    if case is None:
        raise NotFound("There is no such case.")
    number, opened_on, closed_on = case.case_number, case.opened_on, case.closed_on
    crypto.destroy_data_key(db, key_id=case.data_key_id)
    persons = _persons_named(db, case_id)
    search_index.remove_case(db, case_id)
    for model, where in CASE_ROWS:
        db.execute(delete(model).where(where(case_id)))
    db.expunge(case)
    deleted = delete_unreferenced_persons(db, persons, live_reference=live_reference)
    return DestroyedCase(case_id, number, opened_on, closed_on, len(deleted))


def _persons_named(db: Session, case_id: int) -> list[int]:
    documents = select(Document.id).where(Document.case_id == case_id)
    parties = select(Party.person_id).where(Party.case_id == case_id)
    subjects = select(DocumentSubject.person_id).where(DocumentSubject.document_id.in_(documents))
    return sorted(set(db.scalars(parties)) | set(db.scalars(subjects)))


# Set in a column's ``info`` (``mapped_column(..., info={PROVENANCE_ONLY: True})``) to say it
# notes where a person's data came from or who a held row may be, and is no reason to keep
# the person: a partner's row that became (or may be) this person (intake_rows.person_id).
PROVENANCE_ONLY = "provenance_only"


def person_references() -> list[tuple[Table, str]]:
    """Columns that refer to a person as part of another record (a party, a paper file's
    name, a document subject...). A cascading foreign key marks the person's own data
    (names, addresses, match keys), which goes with them; a provenance note (a column
    marked ``PROVENANCE_ONLY``, set to null when the person goes) keeps no one; anything
    else keeps the person."""
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if (
                fk.column.table.name == "persons"
                and (fk.ondelete or "").upper() != "CASCADE"
                and not fk.parent.info.get(PROVENANCE_ONLY)
            ):
                found.append((table, fk.parent.name))
    return found


def delete_unreferenced_persons(
    db: Session,
    person_ids: Iterable[int],
    *,
    live_reference: ReferenceFilter = _every_reference,
) -> list[int]:
    """Delete those of ``person_ids`` that no record refers to any more, with their search
    entries and everything cascading from them. Returns the ids deleted."""
    ids = sorted(set(person_ids))
    if not ids:
        return []
    referenced = [
        exists(select(t.c[col]).where(t.c[col] == Person.id, *live_reference(t)))
        for t, col in person_references()
    ]
    query = select(Person.id).where(Person.id.in_(ids))
    if referenced:
        query = query.where(~or_(*referenced))
    orphans = list(db.scalars(query))
    if not orphans:
        return []
    search_index.remove_persons(db, orphans)
    _destroy_person_keys(db, orphans)
    for person_id in orphans:
        person = db.get(Person, person_id)
        if person is not None:
            db.delete(person)  # the ORM cascades names, addresses, contacts, identifiers
    db.flush()
    return orphans


def _destroy_person_keys(db: Session, person_ids: list[int]) -> None:
    """Crypto-shred the keys of the persons' corrections and restrictions (their rows go by
    ON DELETE CASCADE): the earlier details and the reasons can never be opened again."""
    keys = set()
    for model in (PersonCorrection, PersonRestriction):
        keys |= set(db.scalars(select(model.data_key_id).where(model.person_id.in_(person_ids))))
    for key_id in sorted(keys):
        crypto.destroy_data_key(db, key_id=key_id)


def tables_to_compact() -> list[str]:
    """Every table destruction deletes from or overwrites: what a compaction must rewrite so
    no freed page keeps destroyed bytes. Found from the foreign keys, as the test does."""
    names = set(DESTROYED_TABLES) | {"data_keys"}
    grew = True
    while grew:
        grew = False
        for table in Base.metadata.sorted_tables:
            if table.name in names:
                continue
            if any(
                fk.column.table.name in names and (fk.ondelete or "").upper() == "CASCADE"
                for fk in table.foreign_keys
            ):
                names.add(table.name)
                grew = True
    return sorted(names)
