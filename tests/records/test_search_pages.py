"""The search page's lists: a page and its count from one pass, in a stable order, and a
count that stops at the ranked candidates and says so ("more than")."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.crypto import FileKeyring
from steward.core.paging import PageRequest
from steward.records import service
from steward.records.models import SearchEntry
from tests.records.test_search import _world

search_module = __import__("steward.records.service.search", fromlist=["CANDIDATES"])


def _all_pages(
    db: Session, keyring: FileKeyring, actor: object, query: str, size: int
) -> list[int]:
    """Every document id, page after page, as a reader clicking Next sees them."""
    shown: list[int] = []
    number = 1
    while True:
        page = service.search_pages(
            db,
            keyring,
            actor,
            query,
            documents_page=PageRequest(number, size),  # type: ignore[arg-type]
        ).documents
        shown += [hit.document_id for hit in page.items]
        if not page.has_next:
            return shown
        number += 1


def test_pages_follow_the_ranking_without_repeats_or_gaps(
    db: Session, keyring: FileKeyring
) -> None:
    world = _world(db, keyring)
    actor = world.actors["dpo"]
    ranked = [
        h.ref_id for h in service.search(db, actor, "court", limit=1000) if h.kind == "document"
    ]
    assert len(ranked) > 7
    results = service.search_pages(db, keyring, actor, "court", documents_page=PageRequest(1, 3))
    assert results.documents.total == len(ranked) and not results.documents.capped
    assert _all_pages(db, keyring, actor, "court", 3) == ranked
    # The same search twice gives the same order (ties broken by the entry, not by chance).
    assert _all_pages(db, keyring, actor, "court", 3) == ranked


def test_a_count_beyond_the_ranked_candidates_says_more_than(
    db: Session, keyring: FileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(db, keyring)
    actor = world.actors["dpo"]
    every = [
        h.ref_id for h in service.search(db, actor, "court", limit=1000) if h.kind == "document"
    ]
    monkeypatch.setattr(search_module, "CANDIDATES", 4)
    page = service.search_pages(
        db, keyring, actor, "court", documents_page=PageRequest(1, 3)
    ).documents
    assert (page.total, page.capped) == (4, True)
    # Only the newest four matches (by search entry) are ranked: the hits shown are among them.
    rows = db.execute(
        select(SearchEntry.ref_id, SearchEntry.id).where(
            SearchEntry.kind == "document", SearchEntry.ref_id.in_(every)
        )
    ).all()
    entries = {ref_id: entry_id for ref_id, entry_id in rows}
    newest = sorted(every, key=entries.__getitem__)[-4:]
    assert {hit.document_id for hit in page.items} <= set(newest)
    monkeypatch.setattr(search_module, "CANDIDATES", len(every))
    exact = service.search_pages(db, keyring, actor, "court").documents
    assert (exact.total, exact.capped) == (len(every), False)


def test_a_word_too_common_to_rank_lists_the_newest_matches_first(
    db: Session, keyring: FileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL ranks every search: ts_rank reads only the hits")
    world = _world(db, keyring)
    actor = world.actors["dpo"]
    every = [
        h.ref_id for h in service.search(db, actor, "court", limit=1000) if h.kind == "document"
    ]
    ranked = service.search_pages(db, keyring, actor, "court", documents_page=PageRequest(1, 50))
    assert ranked.documents_ranked
    monkeypatch.setattr(search_module, "RANKED_WORD_LIMIT", 2)  # "court" is in more entries
    newest = service.search_pages(db, keyring, actor, "court", documents_page=PageRequest(1, 50))
    assert not newest.documents_ranked
    assert newest.documents.total == len(every)
    shown = [hit.document_id for hit in newest.documents.items]
    assert shown == sorted(every, reverse=True)  # entries follow the documents' order here
    # A rare word is still ranked.
    assert service.search_pages(db, keyring, actor, "zzqxv").documents_ranked
