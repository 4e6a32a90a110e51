"""Search the paper archive by person: names (current and previous), date of birth, case number.

Candidates come from indexed keys (surname, previous surname, their sound-alike keys, the
birth date and the day/month-swapped birth date, the case number), so a search touches a few
hundred rows however large the archive; each candidate name is then scored in Python with
reasons (``steward.archives.matching``). The subject access request work reuses
``search_paper_files`` as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from steward.archives.events import ArchivesEvent
from steward.archives.matching import THRESHOLD, QueryName, score_name
from steward.archives.models import ArchiveBox, PaperFile, PaperFileName
from steward.archives.names import NameKeys
from steward.archives.schemas import NameRead, PaperFileHit, PaperSearch
from steward.archives.service.access import require_names
from steward.core import audit
from steward.core.permissions import Actor
from steward.identity.normalise import dob_variants

CASE_NUMBER_POINTS = 3.0
LINKED_PERSON_POINTS = 10.0
# A very common surname without a birth date could match thousands of names; the nearest
# are scored, the rest are not fetched at all.
MAX_CANDIDATE_NAMES = 20_000


# Candidates are read as plain rows, not ORM objects: a common surname without a birth date
# brings thousands, and only the few that match are loaded whole.
_CANDIDATE_COLUMNS = (
    PaperFileName.id,
    PaperFileName.paper_file_id,
    PaperFileName.date_of_birth,
    PaperFileName.normalised_name,
    PaperFileName.forename_key,
    PaperFileName.forename_phonetic,
    PaperFileName.surname_key,
    PaperFileName.surname_phonetic,
    PaperFileName.other_surname_key,
    PaperFileName.other_surname_phonetic,
)


def _keys(row: Sequence[Any]) -> NameKeys:
    return NameKeys(*row[3:])


def _candidate_filters(names: list[QueryName], query: PaperSearch) -> list[ColumnElement[bool]]:
    """The lookups, strongest first: exact surname keys and the birth date, then sound-alike
    surnames. If the candidate budget runs out, it runs out on the weaker ones."""
    surnames = {k for n in names for k in (n.keys.surname, n.keys.other_surname) if k}
    sounds = {
        k for n in names for k in (n.keys.surname_phonetic, n.keys.other_surname_phonetic) if k
    }
    exact: list[ColumnElement[bool]] = []
    if surnames:
        exact += [
            PaperFileName.surname_key.in_(surnames),
            PaperFileName.other_surname_key.in_(surnames),
        ]
    if query.date_of_birth is not None and names:
        # A mistyped surname is still found through the birth date.
        exact.append(PaperFileName.date_of_birth.in_(dob_variants(query.date_of_birth)))
    alike: list[ColumnElement[bool]] = []
    if sounds:
        alike += [
            PaperFileName.surname_phonetic.in_(sounds),
            PaperFileName.other_surname_phonetic.in_(sounds),
        ]
    return [or_(*clauses) for clauses in (exact, alike) if clauses]


def _candidates(db: Session, names: list[QueryName], query: PaperSearch) -> Iterator[Sequence[Any]]:
    seen: set[int] = set()
    for where in _candidate_filters(names, query):
        budget = MAX_CANDIDATE_NAMES - len(seen)
        if budget <= 0:
            return
        for row in db.execute(select(*_CANDIDATE_COLUMNS).where(where).limit(budget)):
            if row[0] not in seen:
                seen.add(row[0])
                yield row


def search_paper_files(db: Session, *, actor: Actor, query: PaperSearch) -> list[PaperFileHit]:
    """Paper files that may hold the person, best first, each with the reasons it was offered.

    Only those who may read cases broadly may search the archive by person: a hit shows
    names from files of any case. The search is audited without the words searched for."""
    require_names(db, actor)
    names = [QueryName.of(n) for n in query.names]
    scores: dict[int, tuple[float, list[str]]] = {}
    matched: dict[int, list[PaperFileName]] = defaultdict(list)

    matched_ids: list[int] = []
    for row in _candidates(db, names, query):
        name_id, file_id, born = row[0], row[1], row[2]
        score = score_name(names, query.date_of_birth, _keys(row), born)
        if score.points < THRESHOLD:
            continue
        matched_ids.append(name_id)
        best = scores.get(file_id)
        if best is None or score.points > best[0]:
            scores[file_id] = (score.points, list(score.reasons))
    loaded = select(PaperFileName).where(PaperFileName.id.in_(matched_ids))
    for name in db.scalars(loaded.order_by(PaperFileName.id)):
        matched[name.paper_file_id].append(name)

    if query.person_id is not None:
        _add_linked(db, query.person_id, scores, matched)
    case_number = query.case_number.strip().upper() if query.case_number else None
    if case_number:
        for file_id in db.scalars(select(PaperFile.id).where(PaperFile.case_number == case_number)):
            points, reasons = scores.get(file_id, (0.0, []))
            scores[file_id] = (points + CASE_NUMBER_POINTS, [*reasons, "case number"])

    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], item[0]))[: query.limit]
    hits = _hits(db, ranked, matched)
    audit.record(
        db,
        actor,
        ArchivesEvent.SEARCH_RUN,
        details={
            "names": len(query.names),
            "by_dob": query.date_of_birth is not None,
            "by_case": case_number is not None,
            "by_person": query.person_id is not None,
            "results": len(hits),
        },
    )
    return hits


def _add_linked(
    db: Session,
    person_id: int,
    scores: dict[int, tuple[float, list[str]]],
    matched: dict[int, list[PaperFileName]],
) -> None:
    """Files naming the person record itself: certain, so they rank first."""
    for name in db.scalars(
        select(PaperFileName).where(PaperFileName.person_id == person_id).order_by(PaperFileName.id)
    ):
        points, reasons = scores.get(name.paper_file_id, (0.0, []))
        if "linked to the person's record" not in reasons:
            scores[name.paper_file_id] = (
                points + LINKED_PERSON_POINTS,
                [*reasons, "linked to the person's record"],
            )
        if name not in matched[name.paper_file_id]:
            matched[name.paper_file_id].append(name)


def _hits(
    db: Session,
    ranked: list[tuple[int, tuple[float, list[str]]]],
    matched: dict[int, list[PaperFileName]],
) -> list[PaperFileHit]:
    ids = [file_id for file_id, _ in ranked]
    files = {
        f.id: f
        for f in db.scalars(
            select(PaperFile)
            .where(PaperFile.id.in_(ids))
            .options(selectinload(PaperFile.box).selectinload(ArchiveBox.location))
        )
    }
    hits = []
    for file_id, (points, reasons) in ranked:
        f = files[file_id]
        hits.append(
            PaperFileHit(
                paper_file_id=f.id,
                file_reference=f.file_reference,
                case_number=f.case_number,
                case_id=f.case_id,
                status=f.status,
                box_barcode=f.box.barcode if f.box else None,
                location_code=f.box.location.code if f.box and f.box.location else None,
                date_from=f.date_from,
                date_to=f.date_to,
                score=round(points, 2),
                reasons=reasons,
                matched_names=[NameRead.model_validate(n) for n in matched.get(file_id, [])],
            )
        )
    return hits
