"""Person records that are one human: suggestions, and reversible confirmed merges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.keys import match_keys
from steward.identity.models import DuplicatePair, MatchProfile, PersonMerge
from steward.identity.service.duplicates_splink import (
    SPLINK_FROM,
    STORED_COLUMNS,
    edges_from_stored,
)
from steward.identity.service.scoring import (
    ActiveModel,
    active_model,
    population_probability,
    score,
)
from steward.identity.service.search import (
    candidate_ids,
    load_profiles,
    profile_from_row,
    rank,
    require_people_manage,
    require_search,
)
from steward.identity.service.types import Candidate, DuplicateCluster
from steward.records.models import Person

# Keys shared by more persons than this are too common to pair everyone on (a "John Smith"
# key); the rarer keys of the same persons still pair them.
MAX_KEY_GROUP = 40
# Two records are put in one cluster from this probability, unless their given names or DOBs
# differ. Chosen on generated data (bench/data/people.py, 5,000 records): B-cubed precision
# 0.998, recall 0.983; at 0.99 recall falls to 0.971 for no gain in precision.
DUPLICATE_PROBABILITY = 0.9


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# Persons per page of the candidate-pair scan: memory holds one page's pairs and profiles.
_PAGE = 5_000
_SMALL_KEYS = "identity_dup_keys"  # a temporary table: private to this connection


def _collect_small_keys(db: Session) -> None:
    """The keys worth pairing on, once: 2..MAX_KEY_GROUP persons hold them."""
    db.execute(text(f"DROP TABLE IF EXISTS {_SMALL_KEYS}"))
    db.execute(text(f"CREATE TEMPORARY TABLE {_SMALL_KEYS} (key BIGINT PRIMARY KEY)"))
    db.execute(
        text(
            f"INSERT INTO {_SMALL_KEYS} (key) SELECT key FROM identity_match_keys"  # noqa: S608
            " GROUP BY key HAVING count(*) > 1 AND count(*) <= :most"
        ),
        {"most": MAX_KEY_GROUP},
    )


def _candidate_pages(db: Session) -> Iterator[list[tuple[int, int]]]:
    """Distinct candidate pairs (x < y), a page of persons x at a time, each pair once."""
    _collect_small_keys(db)
    try:
        low, high = db.execute(
            select(func.min(MatchProfile.person_id), func.max(MatchProfile.person_id))
        ).one()
        if low is None:
            return
        for start in range(low, high + 1, _PAGE):
            rows = db.execute(
                text(
                    "SELECT DISTINCT a.person_id, b.person_id"  # noqa: S608 - fixed names only
                    f" FROM identity_match_keys a JOIN {_SMALL_KEYS} s ON s.key = a.key"
                    " JOIN identity_match_keys b ON b.key = a.key AND b.person_id > a.person_id"
                    " WHERE a.person_id >= :lo AND a.person_id < :hi"
                ),
                {"lo": start, "hi": start + _PAGE},
            )
            yield [(x, y) for x, y in rows]
    finally:
        db.execute(text(f"DROP TABLE IF EXISTS {_SMALL_KEYS}"))


def _scored_edges(db: Session, model: ActiveModel) -> Iterator[tuple[int, int, float]]:
    """Pairs the model puts in one cluster, with their probability, streamed page by page."""
    for pairs in _candidate_pages(db):
        needed = {p for pair in pairs for p in pair}
        profiles = {r.person_id: profile_from_row(r) for r in load_profiles(db, needed)}
        for x, y in pairs:
            s = score(model, profiles[x], profiles[y], previous=frozenset())
            probability = population_probability(model, s)
            if probability >= DUPLICATE_PROBABILITY and not s.contradicted:
                yield x, y, probability


def _splink_scored_edges(db: Session, model: ActiveModel) -> Iterator[tuple[int, int, float]]:
    """The same edges, scored set-wise by Splink over every person at once."""
    columns = ", ".join(STORED_COLUMNS)
    rows = db.connection().exec_driver_sql(f"SELECT {columns} FROM identity_profiles").fetchall()  # noqa: S608 - fixed names
    for x, y, p in edges_from_stored(rows, model, DUPLICATE_PROBABILITY):
        yield min(x, y), max(x, y), p


Engine = Literal["auto", "steward", "splink"]


def _engine_for(db: Session, engine: Engine) -> Literal["steward", "splink"]:
    if engine != "auto":
        return engine
    persons = db.scalar(select(func.count()).select_from(MatchProfile)) or 0
    return "splink" if persons >= SPLINK_FROM else "steward"


def _active_merges(db: Session) -> list[PersonMerge]:
    return list(db.scalars(select(PersonMerge).where(PersonMerge.unmerged_at.is_(None))))


@dataclass
class _Group:
    members: set[int]
    score: float = 1.0
    merged: bool = True


def duplicate_edges(
    session: Session, *, engine: Engine = "auto"
) -> tuple[str, set[tuple[int, int]], dict[tuple[int, int], float]]:
    """The engine used, the pairs already merged, and every pair (x < y) the model puts in
    one cluster with its probability (merged pairs at 1.0). No permission check and no audit
    event: the callers below do both."""
    model = active_model(session)
    chosen = _engine_for(session, engine)
    scored = _splink_scored_edges if chosen == "splink" else _scored_edges
    merged_pairs = {
        (min(m.person_id, m.other_person_id), max(m.person_id, m.other_person_id))
        for m in _active_merges(session)
    }
    edges: dict[tuple[int, int], float] = dict.fromkeys(merged_pairs, 1.0)
    for x, y, p in scored(session, model):
        if (x, y) not in edges:
            edges[(x, y)] = p
    return chosen, merged_pairs, edges


def find_duplicates(
    session: Session, *, actor: Actor, engine: Engine = "auto"
) -> list[DuplicateCluster]:
    """Clusters of person records the model believes are one human, plus confirmed merges.

    Pairs are scored by our Python scorer (``steward``: candidate pairs stream a page of
    persons at a time, never all pairs at once) or, from ``SPLINK_FROM`` persons on ("auto"),
    by Splink's predict with the same comparisons and weights. Only the accepted edges (few:
    one per likely duplicate) are kept, then grouped by their union-find root."""
    actor.require(Permission.PEOPLE_MANAGE)
    chosen, merged_pairs, edges = duplicate_edges(session, engine=engine)
    uf = _UnionFind()
    for x, y in edges:
        uf.union(x, y)
    groups: dict[int, _Group] = {}
    for (x, y), p in edges.items():
        group = groups.setdefault(uf.find(x), _Group(set()))
        group.members.update((x, y))
        group.score = min(group.score, p)
        group.merged = group.merged and (x, y) in merged_pairs
    clusters = [
        DuplicateCluster(tuple(sorted(g.members)), g.score, g.merged) for g in groups.values()
    ]
    clusters.sort(key=lambda c: c.person_ids)
    audit.record(
        session,
        actor,
        IdentityEvent.DUPLICATES_LISTED,
        details={"clusters": len(clusters), "engine": chosen},
    )
    return clusters


def settled_with(db: Session, person_id: int) -> set[int]:
    """Records already merged with this one, or judged not the same person: never offered
    again as its duplicates."""
    merged = db.execute(
        select(PersonMerge.person_id, PersonMerge.other_person_id).where(
            PersonMerge.unmerged_at.is_(None),
            or_(PersonMerge.person_id == person_id, PersonMerge.other_person_id == person_id),
        )
    )
    judged = db.execute(
        select(DuplicatePair.person_id, DuplicatePair.other_person_id).where(
            DuplicatePair.decision.is_not(None),
            or_(DuplicatePair.person_id == person_id, DuplicatePair.other_person_id == person_id),
        )
    )
    return {x for row in (*merged, *judged) for x in row} - {person_id}


def possible_duplicates(
    db: Session, *, actor: Actor, person_id: int, limit: int = 10
) -> list[Candidate]:
    """Other person records that may be this person, for the person page's panel."""
    require_search(db, actor)
    row = db.get(MatchProfile, person_id)
    if row is None:
        return []
    q = profile_from_row(row)
    ids = (
        candidate_ids(db, match_keys(q, dob_errors=True))
        - {person_id}
        - settled_with(db, person_id)
    )
    ranked = rank(active_model(db), q, load_profiles(db, ids), previous=frozenset(), limit=limit)
    audit.record(
        db,
        actor,
        IdentityEvent.SEARCH_RUN,
        subject_type="person",
        subject_id=person_id,
        details={"candidates": len(ranked)},
    )
    return [
        Candidate(r.person_id, r.record_id, s.probability, s.band or "possible", s.reasons)
        for r, s in ranked
    ]


@dataclass(frozen=True)
class MergeView:
    id: int
    other_person_id: int
    merged_at: datetime


def merges_of(db: Session, *, person_id: int) -> list[MergeView]:
    rows = db.scalars(
        select(PersonMerge)
        .where(
            PersonMerge.unmerged_at.is_(None),
            or_(PersonMerge.person_id == person_id, PersonMerge.other_person_id == person_id),
        )
        .order_by(PersonMerge.id)
    )
    return [
        MergeView(
            m.id,
            m.other_person_id if m.person_id == person_id else m.person_id,
            m.merged_at,
        )
        for m in rows
    ]


def merge_persons(
    db: Session, *, actor: Actor, person_id: int, other_person_id: int
) -> PersonMerge:
    """Record that two person records are one human. Both stay as they are: un-merge undoes it."""
    require_people_manage(db, actor)
    if person_id == other_person_id:
        raise ValidationFailed(
            "A person record cannot be merged with itself.",
            errors={"other_person_id": "Choose a different person record"},
        )
    for pid in (person_id, other_person_id):
        if db.get(Person, pid) is None:
            raise NotFound("There is no such person.")
    low, high = sorted((person_id, other_person_id))
    existing = db.scalar(
        select(PersonMerge.id).where(
            PersonMerge.person_id == low,
            PersonMerge.other_person_id == high,
            PersonMerge.unmerged_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict("These two person records are already merged.")
    merge = PersonMerge(
        person_id=low, other_person_id=high, merged_at=clock.now(), merged_by=actor.user_id
    )
    db.add(merge)
    db.flush()
    audit.record(
        db,
        actor,
        IdentityEvent.PERSON_MERGED,
        subject_type="person",
        subject_id=low,
        details={"other_person_id": high, "merge_id": merge.id},
    )
    return merge


def unmerge_persons(db: Session, *, actor: Actor, merge_id: int) -> PersonMerge:
    require_people_manage(db, actor)
    merge = db.get(PersonMerge, merge_id)
    if merge is None or merge.unmerged_at is not None:
        raise NotFound("There is no such merge, or it has already been undone.")
    merge.unmerged_at = clock.now()
    merge.unmerged_by = actor.user_id
    db.flush()
    audit.record(
        db,
        actor,
        IdentityEvent.PERSON_UNMERGED,
        subject_type="person",
        subject_id=merge.person_id,
        details={"other_person_id": merge.other_person_id, "merge_id": merge.id},
    )
    return merge
