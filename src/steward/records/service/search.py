"""Full-text search over document text and names, behind one interface for both backends:
SQLite FTS5 (contentless, secure-delete) on the embedded default, PostgreSQL tsvector at scale.

User input never reaches the query language: it is cut into words, each quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Join,
    Row,
    Select,
    delete,
    func,
    literal_column,
    select,
    text,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from steward.core import audit, crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.paging import COUNT_CAP, Page, PageRequest
from steward.core.permissions import Actor, Permission
from steward.records.events import RecordsEvent
from steward.records.models import (
    BreakGlass,
    Case,
    CaseAssignment,
    Document,
    DocumentContent,
    Party,
    Person,
    SearchEntry,
)
from steward.records.service import extraction
from steward.records.service.access import require_any_case_access, visible_cases, visible_person

MAX_QUERY_WORDS = 12
# How many visible matches of each kind are ranked (and counted: "more than 10,000", as
# every long list counts), newest first. Nearly every query on the demo organisation ranks
# all its matches; at a million cases a common word ranks only the newest 10,000, which
# keeps a page of results within 300 ms.
CANDIDATES = COUNT_CAP
# A word in more entries than this is not ranked on SQLite: FTS5's bm25 first reads every
# entry holding each word, for its weight (0.2 s for "court" in 3 million documents, however
# few hits are then ranked). Such a search lists its newest matches first, and says so.
RANKED_WORD_LIMIT = 100_000
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
        _delete_words(db, [entry.id], kind)
    if _is_sqlite(db):
        db.execute(
            text(f"INSERT INTO {_fts(kind)}(rowid, body) VALUES (:id, :body)"),  # noqa: S608 - one of two names
            {"id": entry.id, "body": body},
        )
    else:
        db.execute(
            text(
                "INSERT INTO search_vectors(entry_id, tsv) VALUES (:id, to_tsvector('simple', :body))"
            ),
            {"id": entry.id, "body": body},
        )


def index_new(db: Session, *, kind: str, entries: list[tuple[int, int | None, str]]) -> None:
    """``index`` for many things created in this transaction, as (ref_id, case_id, body):
    one flush and one multi-row insert of their words instead of one each."""
    if not entries:
        return
    rows = [
        SearchEntry(kind=kind, ref_id=ref_id, case_id=case_id) for ref_id, case_id, _ in entries
    ]
    db.add_all(rows)
    db.flush()
    params = [{"id": row.id, "body": body} for row, (_, _, body) in zip(rows, entries, strict=True)]
    if _is_sqlite(db):
        statement = text(f"INSERT INTO {_fts(kind)}(rowid, body) VALUES (:id, :body)")  # noqa: S608 - one of two names
    else:
        statement = text(
            "INSERT INTO search_vectors(entry_id, tsv) VALUES (:id, to_tsvector('simple', :body))"
        )
    db.execute(statement, params)


def remove_case(db: Session, case_id: int) -> int:
    """Forget every entry of a case (used when a case is destroyed)."""
    ids = list(db.scalars(select(SearchEntry.id).where(SearchEntry.case_id == case_id)))
    _delete_words(db, ids, "document")  # a case's entries are its documents
    db.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))
    return len(ids)


def remove_persons(db: Session, person_ids: list[int]) -> int:
    """Forget the names of persons being deleted."""
    ids = list(
        db.scalars(
            select(SearchEntry.id).where(
                SearchEntry.kind == "person", SearchEntry.ref_id.in_(person_ids)
            )
        )
    )
    _delete_words(db, ids, "person")
    db.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))
    return len(ids)


def _fts(kind: str) -> str:
    """SQLite's full-text table for one kind of entry. People's names have their own, so a
    search for people never walks the millions of documents holding a common word, nor a
    search for documents every person of a common surname."""
    return "search_fts_people" if kind == "person" else "search_fts"


def _delete_words(db: Session, entry_ids: list[int], kind: str) -> None:
    if not entry_ids:
        return
    table = _fts(kind) if _is_sqlite(db) else "search_vectors"
    column = "rowid" if _is_sqlite(db) else "entry_id"
    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start : start + 500]
        params = {f"p{i}": v for i, v in enumerate(chunk)}
        placeholders = ", ".join(f":p{i}" for i in range(len(chunk)))
        db.execute(text(f"DELETE FROM {table} WHERE {column} IN ({placeholders})"), params)  # noqa: S608 - placeholders only


def words_of(query: str) -> list[str]:
    return _WORD.findall(query)[:MAX_QUERY_WORDS]


def _quoted(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


def ranked(db: Session, words: list[str], kind: str) -> bool:
    """Whether a search of one kind is ranked by relevance: on SQLite, unless one of its
    words is in more than RANKED_WORD_LIMIT entries (found by stepping that far into its
    entries, a tenth of what ranking would read). PostgreSQL's ts_rank reads only the hit."""
    if not _is_sqlite(db):
        return True
    table = _fts(kind)
    probe = text(f"SELECT rowid FROM {table} WHERE {table} MATCH :q LIMIT 1 OFFSET :n")  # noqa: S608 - one of two names
    return all(db.scalar(probe, {"q": _quoted(w), "n": RANKED_WORD_LIMIT}) is None for w in words)


def _matches(
    db: Session, words: list[str], kind: str, *, by_rank: bool = True
) -> Select[tuple[int, float]]:
    if _is_sqlite(db):
        fts_query = " ".join(_quoted(w) for w in words)
        table = _fts(kind)
        # Unranked: newest first (the smallest score is the best).
        score = "rank" if by_rank else "-rowid"
        matched = (
            text(
                f"SELECT rowid AS entry_id, {score} AS score FROM {table} WHERE {table} MATCH :q"  # noqa: S608 - fixed names
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
    before the join; sorted after it, only the candidates are ranked."""
    return score + 0 if _is_sqlite(db) else score


def _own_cases(actor: Actor) -> CompoundSelect[int] | None:
    """For an actor who reads only the cases given to them (assigned, or opened by
    break-glass), those cases: a few dozen, so the matches are checked against their entries
    before any join. None for wider readers. A narrowing only: the
    need-to-know filter (expiry included) is still applied to every hit."""
    if actor.user_id is None or any(
        actor.can(p) for p in (Permission.CASES_READ_ALL, Permission.CASES_READ_TEAM)
    ):
        return None
    return union(
        select(CaseAssignment.case_id).where(CaseAssignment.user_id == actor.user_id),
        select(BreakGlass.case_id).where(BreakGlass.user_id == actor.user_id),
    )


def _own_entries(kind: str, own_cases: CompoundSelect[int]) -> Select[int]:
    cases = own_cases.subquery()
    if kind == "document":
        return select(SearchEntry.id).where(SearchEntry.case_id.in_(select(cases.c[0])))
    people = select(Party.person_id).where(Party.case_id.in_(select(cases.c[0])))
    return select(SearchEntry.id).where(
        SearchEntry.kind == "person", SearchEntry.ref_id.in_(people)
    )


def _candidates(
    db: Session,
    actor: Actor,
    words: list[str],
    kind: str,
    columns: tuple[Any, ...],
    limit: int = CANDIDATES,
    *,
    by_rank: bool = True,
) -> Any:
    """The newest ``CANDIDATES`` visible matches of one kind, as a subquery to rank.

    Matches are walked newest first (FTS5 and the GIN index give them in id order without a
    sort), joined and filtered, and only the first CANDIDATES that pass are ranked: ranking
    every match of a common word is what made search take seconds at 100,000 cases."""
    matches = _matches(db, words, kind, by_rank=by_rank)
    own = _own_cases(actor)
    if own is not None:
        # "+ 0": a filter on the stream, not a key into FTS5. Looked up one id at a time,
        # FTS5 recomputes the ranking's word statistics for every id (80 ms each at 100,000).
        matches = matches.where((literal_column("entry_id") + 0).in_(_own_entries(kind, own)))
    matched = matches.subquery()
    visible = (
        visible_cases(db, actor)
        if kind == "document"
        else visible_person(db, actor, SearchEntry.ref_id)
    )
    query = select(
        *columns, SearchEntry.id.label("entry_id"), matched.c.score.label("score")
    ).select_from(
        _MatchesFirst(matched, SearchEntry.__table__, matched.c.entry_id == SearchEntry.id)
    )
    if kind == "document":
        query = query.join(Document, Document.id == SearchEntry.ref_id).join(
            Case, Case.id == SearchEntry.case_id
        )
    else:
        query = query.join(Person, Person.id == SearchEntry.ref_id)
    return (
        query.where(SearchEntry.kind == kind, visible)
        .order_by(matched.c.entry_id.desc())
        .limit(limit)
        .subquery("candidates")
    )


def _best(
    db: Session,
    actor: Actor,
    words: list[str],
    kind: str,
    columns: tuple[Any, ...],
    limit: int,
    offset: int = 0,
) -> list[Row[Any]]:
    """The best hits of one kind among the newest ``CANDIDATES`` visible matches (the
    newest of them, when a word is too common to rank: see ``ranked``)."""
    candidates = _candidates(db, actor, words, kind, columns, by_rank=ranked(db, words, kind))
    return list(
        db.execute(
            select(candidates)
            .order_by(_by_score(db, candidates.c.score), candidates.c.entry_id)
            .limit(limit)
            .offset(offset)
        ).all()
    )


def search(db: Session, actor: Actor, query: str, *, limit: int = 50) -> list[SearchHit]:
    """Documents and persons matching every word, among what ``actor`` may read, best first
    (among the newest CANDIDATES visible matches of each kind)."""
    require_any_case_access(db, actor)
    words = words_of(query)
    if not words:
        return []
    doc_rows = _best(
        db,
        actor,
        words,
        "document",
        (SearchEntry.ref_id, SearchEntry.case_id, Document.title, Case.case_number),
        limit,
    )
    person_rows = _best(
        db,
        actor,
        words,
        "person",
        (SearchEntry.ref_id, Person.first_name, Person.last_name, Person.date_of_birth),
        limit,
    )
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


_DOCUMENT_COLUMNS = (SearchEntry.ref_id, SearchEntry.case_id, Document.title, Case.case_number)
_PERSON_COLUMNS = (SearchEntry.ref_id, Person.first_name, Person.last_name, Person.date_of_birth)
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class DocumentHit:
    document_id: int
    case_id: int
    title: str
    case_number: str
    # The words around the first match, as (text, matched) pieces: the page marks the
    # matched ones, escaping everything (the text is a document's, never trusted).
    snippet: list[tuple[str, bool]]


@dataclass(frozen=True)
class SearchResults:
    words: int
    people: Page[SearchHit]
    documents: Page[DocumentHit]
    capped: int = CANDIDATES  # counts stop here: "more than 10,000"
    # False: a word is too common to rank by (see ``ranked``): the newest matches come first.
    people_ranked: bool = True
    documents_ranked: bool = True


def _page_of(
    db: Session,
    actor: Actor,
    words: list[str],
    kind: str,
    page: PageRequest,
    by_rank: bool,
) -> tuple[list[int], int, bool]:
    """One page of the newest ``CANDIDATES`` visible matches of one kind, best first: the
    entry ids, how many there are, and whether there were more (the count stops there)."""
    return _window(db, actor, words, kind, page.offset, page.size, by_rank)


def _window(
    db: Session,
    actor: Actor,
    words: list[str],
    kind: str,
    offset: int,
    limit: int,
    by_rank: bool,
) -> tuple[list[int], int, bool]:
    """``limit`` of the newest ``CANDIDATES`` visible matches of one kind from ``offset``,
    best first: the entry ids, how many there are, and whether there were more.

    The candidates are walked, filtered and scored once, and counted in the same statement
    (a window over them); only the page leaves the database. One candidate too many is
    taken to tell "more than", and dropped from the ranking: the oldest, so exactly the
    newest CANDIDATES are ranked."""
    candidates = _candidates(db, actor, words, kind, (), limit=CANDIDATES + 1, by_rank=by_rank)
    counted = select(
        candidates.c.entry_id,
        candidates.c.score,
        func.count().over().label("total"),
        func.min(candidates.c.entry_id).over().label("oldest"),
    ).subquery("counted")
    extra = (counted.c.total > CANDIDATES) & (counted.c.entry_id == counted.c.oldest)
    rows = db.execute(
        select(counted.c.entry_id, counted.c.total)
        .where(~extra)
        .order_by(_by_score(db, counted.c.score), counted.c.entry_id)
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        total = int(rows[0].total)
    elif offset or not limit:  # past the end, or only the count wanted: count them
        total = db.scalar(select(func.count()).select_from(candidates)) or 0
    else:
        total = 0
    return [int(r.entry_id) for r in rows], min(total, CANDIDATES), total > CANDIDATES


def _rows_by_entry(db: Session, columns: tuple[Any, ...], kind: str, ids: list[int]) -> list[Any]:
    """The shown hits' columns, in the ranked order of ``ids``."""
    if not ids:
        return []
    query = select(SearchEntry.id.label("entry_id"), *columns).where(SearchEntry.id.in_(ids))
    if kind == "document":
        query = query.join(Document, Document.id == SearchEntry.ref_id).join(
            Case, Case.id == SearchEntry.case_id
        )
    else:
        query = query.join(Person, Person.id == SearchEntry.ref_id)
    found = {row.entry_id: row for row in db.execute(query)}
    return [found[i] for i in ids if i in found]


def search_pages(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    query: str,
    *,
    people_page: PageRequest = PageRequest(size=20),
    documents_page: PageRequest = PageRequest(size=20),
) -> SearchResults:
    """One page of the matching people and one of the matching documents, each with how
    many match in all (up to CANDIDATES: "more than" beyond), and for each document shown a
    snippet of its text around the words. Recorded as one search (its counts, never its
    words)."""
    require_any_case_access(db, actor)
    words = words_of(query)
    empty_people: Page[SearchHit] = Page([], 0, people_page.number, people_page.size)
    empty_documents: Page[DocumentHit] = Page([], 0, documents_page.number, documents_page.size)
    if not words:
        return SearchResults(0, empty_people, empty_documents)
    people_ranked, documents_ranked = ranked(db, words, "person"), ranked(db, words, "document")
    person_ids, people_total, people_capped = _page_of(
        db, actor, words, "person", people_page, people_ranked
    )
    doc_ids, documents_total, documents_capped = _page_of(
        db, actor, words, "document", documents_page, documents_ranked
    )
    person_rows = _rows_by_entry(db, _PERSON_COLUMNS, "person", person_ids)
    doc_rows = _rows_by_entry(db, _DOCUMENT_COLUMNS, "document", doc_ids)
    people = Page(
        [
            SearchHit(
                "person", r.ref_id, None, f"{r.first_name} {r.last_name}", None, r.date_of_birth
            )
            for r in person_rows
        ],
        people_total,
        people_page.number,
        people_page.size,
        people_capped,
    )
    texts = _texts(db, kek, [(r.ref_id, r.case_id) for r in doc_rows])
    documents = Page(
        [
            DocumentHit(
                r.ref_id, r.case_id, r.title, r.case_number, snippet(texts.get(r.ref_id, ""), words)
            )
            for r in doc_rows
        ],
        documents_total,
        documents_page.number,
        documents_page.size,
        documents_capped,
    )
    audit.record(
        db,
        actor,
        RecordsEvent.SEARCH_RUN,
        details={"words": len(words), "people": people.total, "documents": documents.total},
    )
    return SearchResults(
        len(words),
        people,
        documents,
        people_ranked=people_ranked,
        documents_ranked=documents_ranked,
    )


def _texts(db: Session, kek: KeyEncryptionKeys, found: list[tuple[int, int]]) -> dict[int, str]:
    """The extracted text of the documents shown, opened with their cases' keys."""
    if not found:
        return {}
    keys = {
        row[0]: row[1]
        for row in db.execute(
            select(Case.id, Case.data_key_id).where(Case.id.in_({case for _, case in found}))
        )
    }
    # The sealed texts only, in one query: not the stored files, which can be megabytes.
    rows = db.execute(
        select(DocumentContent.document_id, DocumentContent.text).where(
            DocumentContent.document_id.in_([document for document, _ in found]),
            DocumentContent.text.is_not(None),
        )
    )
    sealed = {document_id: value for document_id, value in rows if value is not None}
    texts: dict[int, str] = {}
    for document_id, case_id in found:
        if document_id not in sealed or case_id not in keys:
            continue
        try:
            texts[document_id] = crypto.open_sealed(
                db,
                kek,
                key_id=keys[case_id],
                sealed=sealed[document_id],
                context=extraction.text_context(document_id),
            ).decode()
        except crypto.KeyDestroyed:
            continue
    return texts


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """About ``width`` characters of ``text`` around the first of ``words`` found, cut at
    word boundaries, as pieces each saying whether it is a matched word."""
    if not text:
        return []
    wanted = {w.casefold() for w in words}
    tokens = list(_WORD.finditer(text))
    first = next((t for t in tokens if t.group().casefold() in wanted), None)
    centre = first.start() if first else 0
    start = max(0, centre - width // 3)
    end = min(len(text), start + width)
    # Whole words only at the edges.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < centre else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (first.end() if first else start) else end
    window = " ".join(text[start:end].split())
    pieces: list[tuple[str, bool]] = [("… ", False)] if start > 0 else []
    at = 0
    for t in _WORD.finditer(window):
        if t.group().casefold() in wanted:
            if t.start() > at:
                pieces.append((window[at : t.start()], False))
            pieces.append((t.group(), True))
            at = t.end()
    if at < len(window):
        pieces.append((window[at:], False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


SEARCH_KINDS = ("person", "document")


def search_page(
    db: Session, actor: Actor, query: str, page: PageRequest, *, kind: str | None = None
) -> Page[SearchHit]:
    """One page of the people and documents matching every word, among what ``actor`` may
    read (the API's one list): every matching person, best first, then every matching
    document, best first; ``kind`` keeps one of the two. Each kind counts up to CANDIDATES
    (``capped`` beyond). Recorded as one search (its counts, never its words)."""
    require_any_case_access(db, actor)
    words = words_of(query)
    if not words:
        return Page([], 0, page.number, page.size)
    kinds = [k for k in SEARCH_KINDS if kind in (None, k)]
    offset, room = page.offset, page.size
    hits: list[SearchHit] = []
    total, capped = 0, False
    for each in kinds:
        # The window runs on into the next kind where this one ends: its offset is what is
        # left of the page's once this kind's matches are behind it.
        ids, counted, more = _window(
            db, actor, words, each, max(0, offset - total), room, ranked(db, words, each)
        )
        hits += _hits(db, each, ids)
        room -= len(ids)
        total, capped = total + counted, capped or more
    audit.record(
        db,
        actor,
        RecordsEvent.SEARCH_RUN,
        details={"words": len(words), "hits": total, "page": page.number},
    )
    return Page(hits, total, page.number, page.size, capped)


def _hits(db: Session, kind: str, ids: list[int]) -> list[SearchHit]:
    if kind == "person":
        return [
            SearchHit(
                "person", r.ref_id, None, f"{r.first_name} {r.last_name}", None, r.date_of_birth
            )
            for r in _rows_by_entry(db, _PERSON_COLUMNS, "person", ids)
        ]
    return [
        SearchHit("document", r.ref_id, r.case_id, r.title, r.case_number)
        for r in _rows_by_entry(db, _DOCUMENT_COLUMNS, "document", ids)
    ]
