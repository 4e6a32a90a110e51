"""Linking the names on a paper file to the person records of its electronic case.

A subject access request starts from a person record; the names on an old paper file are
only text. When a file's case is held electronically, each name on the file is linked to the
party of that case it must be: the same date of birth, the same surname (current or
previous, either side) and the same forename or a short form of it (identity's nickname
table). A name is linked only when exactly one party agrees; anything less certain stays
for person search to score, and is never guessed.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, selectinload

from steward.archives.events import ArchivesEvent
from steward.archives.models import PaperFile, PaperFileName, PaperFileStatus
from steward.archives.service.access import require_manage
from steward.core import audit
from steward.core.permissions import Actor
from steward.identity.normalise import name_tokens, nickname_forms
from steward.records.models import Case, Party, Person, PersonName

BATCH = 500


@dataclass(frozen=True)
class _Party:
    person_id: int
    born: date
    forenames: frozenset[str]  # every canonical form of every forename the person is known by
    surnames: frozenset[str]


def _last_token(text: str | None) -> str | None:
    tokens = name_tokens(text or "")
    return tokens[-1] if tokens else None


def _parties(db: Session, case_id: int) -> list[_Party]:
    """The case's parties with a birth date, with every name they are or were known by."""
    rows = db.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.date_of_birth)
        .join(Party, Party.person_id == Person.id)
        .where(Party.case_id == case_id, Person.date_of_birth.is_not(None))
        .distinct()
    ).all()
    forenames: dict[int, set[str]] = defaultdict(set)
    surnames: dict[int, set[str]] = defaultdict(set)
    names: list[tuple[int, str | None, str | None]] = [
        (r.id, r.first_name, r.last_name) for r in rows
    ]
    for other in db.execute(
        select(PersonName.person_id, PersonName.first_name, PersonName.last_name).where(
            PersonName.person_id.in_([r.id for r in rows])
        )
    ):
        names.append((other.person_id, other.first_name, other.last_name))
    for person_id, first, last in names:
        first_token = name_tokens(first or "")[:1]
        if first_token:
            forenames[person_id] |= nickname_forms(first_token[0])
        surname = _last_token(last)
        if surname:
            surnames[person_id].add(surname)
    return [
        _Party(r.id, r.date_of_birth, frozenset(forenames[r.id]), frozenset(surnames[r.id]))
        for r in rows
    ]


def _agrees(name: PaperFileName, party: _Party) -> bool:
    if name.date_of_birth != party.born or not name.forename_key:
        return False
    on_file = {s for s in (name.surname_key, name.other_surname_key) if s}
    return bool(on_file & party.surnames) and bool(
        nickname_forms(name.forename_key) & party.forenames
    )


def link_names(db: Session, paper_file: PaperFile) -> int:
    """Link the file's unlinked names to its case's parties; returns how many were linked.
    Called whenever a file gains a case or names; a link once made is kept."""
    if paper_file.case_id is None:
        return 0
    waiting = [n for n in paper_file.names if n.person_id is None and n.date_of_birth]
    if not waiting:
        return 0
    parties = _parties(db, paper_file.case_id)
    linked = 0
    for name in waiting:
        agreeing = {p.person_id for p in parties if _agrees(name, p)}
        if len(agreeing) == 1:
            name.person_id = agreeing.pop()
            linked += 1
    if linked:
        db.flush()
    return linked


@dataclass(frozen=True)
class LinkReport:
    files_given_a_case: int  # their case number now names an electronic case
    names_linked: int


def link_archive(db: Session, actor: Actor) -> LinkReport:
    """Bring every kept paper file's links up to date: a case number that now names an
    electronic case (created after the file was indexed) is linked to it, and every name not
    yet linked is looked at again (files indexed before names were linked at all). Run after
    an upgrade or a migration of cases; one audit event with the counts."""
    require_manage(actor)
    kept = PaperFile.status != PaperFileStatus.DESTROYED.value
    case_of = select(Case.id).where(Case.case_number == PaperFile.case_number).scalar_subquery()
    given = typing.cast(
        CursorResult[Any],
        db.execute(
            update(PaperFile)
            .where(kept, PaperFile.case_id.is_(None), PaperFile.case_number.is_not(None))
            .where(case_of.is_not(None))
            .values(case_id=case_of)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    waiting = (
        select(PaperFile.id)
        .join(PaperFileName, PaperFileName.paper_file_id == PaperFile.id)
        .where(
            kept,
            PaperFile.case_id.is_not(None),
            PaperFileName.person_id.is_(None),
            PaperFileName.date_of_birth.is_not(None),
        )
        .distinct()
        .order_by(PaperFile.id)
    )
    ids = list(db.scalars(waiting))
    linked = 0
    for start in range(0, len(ids), BATCH):
        files = db.scalars(
            select(PaperFile)
            .where(PaperFile.id.in_(ids[start : start + BATCH]))
            .options(selectinload(PaperFile.names))
            .execution_options(populate_existing=True)  # case ids set by the UPDATE above
        )
        linked += sum(link_names(db, f) for f in files)
    report = LinkReport(int(given or 0), linked)
    audit.record(
        db,
        actor,
        ArchivesEvent.NAMES_LINKED,
        details={"files_given_a_case": report.files_given_a_case, "names": linked},
    )
    return report
