"""Full-text search over document text and names, behind one interface for both backends:
SQLite FTS5 (contentless, secure-delete) on the embedded default, PostgreSQL tsvector at scale.

User input never reaches the query language: it is cut into words, each quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, Join, Select, delete, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from steward.core import audit
from steward.core.permissions import Actor
from steward.records.events import RecordsEvent
from steward.records.models import Case, Document, Person, SearchEntry
from steward.records.service.access import require_any_case_access, visible_cases, visible_person

MAX_QUERY_WORDS = 12
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "document" or "person"
    ref_id: int
    case_id: int | None
    label: str
    case_number: str | None
    date_of_birth: date | None = None  # persons: tells apart people who share a name


def _is_sqlite(db: Session) -> bool:
    return db.get_bind().dialect.name == "sqlite"


def index(
    db: Session, *, kind: str, ref_id: int, case_id: int | None, body: str, new: bool = False
) -> None:
    """Add or replace the searchable text of one thing. ``new``: it was created in this
    transaction, so it has no entry yet (the lookup is skipped; the unique key still holds)."""
    entry = (
        None
        if new
        else db.scalar(
            select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id)
        )
    )
    if entry is None:
        entry = SearchEntry(kind=kind, ref_id=ref_id, case_id=case_id)
        db.add(entry)
        db.flush()
    else:
        _delete_words(db, [entry.id])
    if _is_sqlite(db):
        db.execute(
            text("INSERT INTO search_fts(rowid, body) VALUES (:id, :body)"),
            {"id": entry.id, "body": body},
        )
    else:
        db.execute(
            text(
                "INSERT INTO search_vectors(entry_id, tsv) VALUES (:id, to_tsvector('simple', :body))"
            ),
            {"id": entry.id, "body": body},
        )


def remove_case(db: Session, case_id: int) -> int:
    """Forget every entry of a case (used when a case is destroyed)."""
    ids = list(db.scalars(select(SearchEntry.id).where(SearchEntry.case_id == case_id)))
    _delete_words(db, ids)
    db.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))
    return len(ids)


def _delete_words(db: Session, entry_ids: list[int]) -> None:
    if not entry_ids:
        return
    table = "search_fts" if _is_sqlite(db) else "search_vectors"
    column = "rowid" if _is_sqlite(db) else "entry_id"
    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start : start + 500]
        params = {f"p{i}": v for i, v in enumerate(chunk)}
        placeholders = ", ".join(f":p{i}" for i in range(len(chunk)))
        db.execute(text(f"DELETE FROM {table} WHERE {column} IN ({placeholders})"), params)  # noqa: S608 - placeholders only


def words_of(query: str) -> list[str]:
    return _WORD.findall(query)[:MAX_QUERY_WORDS]


def _matches(db: Session, words: list[str]) -> Select[tuple[int, float]]:
    if _is_sqlite(db):
        fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words)
        matched = (
            text(
                "SELECT rowid AS entry_id, rank AS score FROM search_fts WHERE search_fts MATCH :q"
            )
            .bindparams(q=fts_query)
            .columns(entry_id=Integer, score=Float)
            .subquery("matched")
        )
    else:
        matched = (
            text(
                "SELECT entry_id, -ts_rank(tsv, plainto_tsquery('simple', :q)) AS score "
                "FROM search_vectors WHERE tsv @@ plainto_tsquery('simple', :q)"
            )
            .bindparams(q=" ".join(words))
            .columns(entry_id=Integer, score=Float)
            .subquery("matched")
        )
    return select(matched.c.entry_id, matched.c.score)


class _MatchesFirst(Join):
    """An inner join whose left side (the full-text matches) must be the outer loop.

    SQLite's planner, left to itself, walks every search entry of a kind and re-runs the
    full-text query for each (25 s for a manager on the demo data). Its documented way to
    fix the order is CROSS JOIN; PostgreSQL plans the join well and gets a plain JOIN."""

    inherit_cache = True


@compiles(_MatchesFirst, "sqlite")
def _cross_join(element: _MatchesFirst, compiler: SQLCompiler, **kw: Any) -> str:
    assert element.onclause is not None  # always built with one, below
    from_kw = {**kw, "asfrom": True}
    return (
        f"{compiler.process(element.left, **from_kw)} CROSS JOIN "
        f"{compiler.process(element.right, **from_kw)} "
        f"ON {compiler.process(element.onclause, **kw)}"
    )


def _by_score(db: Session, score: ColumnElement[float]) -> ColumnElement[float]:
    """Best first. On SQLite "+ 0" keeps the sort out of FTS5: FTS5 would rank every match
    before the join; sorted after it, only the matches that pass the filters are ranked."""
    return score + 0 if _is_sqlite(db) else score


def search(db: Session, actor: Actor, query: str, *, limit: int = 50) -> list[SearchHit]:
    """Documents and persons matching every word, among what ``actor`` may read, best first."""
    require_any_case_access(actor)
    words = words_of(query)
    if not words:
        return []
    matched = _matches(db, words).subquery()
    entries = _MatchesFirst(matched, SearchEntry.__table__, matched.c.entry_id == SearchEntry.id)
    order = _by_score(db, matched.c.score)
    doc_rows = db.execute(
        select(
            SearchEntry.ref_id,
            SearchEntry.case_id,
            Document.title,
            Case.case_number,
            matched.c.score,
        )
        .select_from(entries)
        .join(Document, Document.id == SearchEntry.ref_id)
        .join(Case, Case.id == SearchEntry.case_id)
        .where(SearchEntry.kind == "document", visible_cases(db, actor))
        .order_by(order, SearchEntry.id)
        .limit(limit)
    ).all()
    person_rows = db.execute(
        select(
            SearchEntry.ref_id,
            Person.first_name,
            Person.last_name,
            Person.date_of_birth,
            matched.c.score,
        )
        .select_from(entries)
        .join(Person, Person.id == SearchEntry.ref_id)
        .where(SearchEntry.kind == "person", visible_person(db, actor, SearchEntry.ref_id))
        .order_by(order, SearchEntry.id)
        .limit(limit)
    ).all()
    hits = [
        SearchHit("person", r.ref_id, None, f"{r.first_name} {r.last_name}", None, r.date_of_birth)
        for r in person_rows
    ]
    hits += [SearchHit("document", r.ref_id, r.case_id, r.title, r.case_number) for r in doc_rows]
    # The query itself is not recorded: it is usually a name.
    audit.record(
        db, actor, RecordsEvent.SEARCH_RUN, details={"words": len(words), "hits": len(hits)}
    )
    return hits
