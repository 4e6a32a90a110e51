"""Person records that are one human: suggestions, and reversible confirmed merges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from steward.core import audit, clock
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.keys import match_keys
from steward.identity.models import MatchKey, MatchProfile, PersonMerge
from steward.identity.service.scoring import active_model, score
from steward.identity.service.search import (
    candidate_ids,
    load_profiles,
    profile_from_row,
    rank,
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


def _candidate_pairs(db: Session) -> set[tuple[int, int]]:
    small = (
        select(MatchKey.key)
        .group_by(MatchKey.key)
        .having(func.count() > 1, func.count() <= MAX_KEY_GROUP)
        .subquery()
    )
    a, b = aliased(MatchKey), aliased(MatchKey)
    pairs = db.execute(
        select(a.person_id, b.person_id)
        .join(small, small.c.key == a.key)
        .join(b, (b.key == a.key) & (b.person_id > a.person_id))
    )
    return {(x, y) for x, y in pairs}


def _active_merges(db: Session) -> list[PersonMerge]:
    return list(db.scalars(select(PersonMerge).where(PersonMerge.unmerged_at.is_(None))))


def find_duplicates(session: Session, *, actor: Actor) -> list[DuplicateCluster]:
    """Clusters of person records the model believes are one human, plus confirmed merges."""
    actor.require(Permission.PEOPLE_MANAGE)
    model = active_model(session)
    pairs = _candidate_pairs(session)
    needed = {p for pair in pairs for p in pair}
    profiles = {r.person_id: profile_from_row(r) for r in load_profiles(session, needed)}
    uf = _UnionFind()
    pair_score: dict[tuple[int, int], float] = {}
    for x, y in pairs:
        s = score(model, profiles[x], profiles[y], previous=frozenset())
        if s.probability >= DUPLICATE_PROBABILITY and not s.contradicted:
            uf.union(x, y)
            pair_score[(x, y)] = s.probability
    merged_pairs = {
        (min(m.person_id, m.other_person_id), max(m.person_id, m.other_person_id))
        for m in _active_merges(session)
    }
    for x, y in merged_pairs:
        uf.union(x, y)
        pair_score[(x, y)] = 1.0
    groups: dict[int, set[int]] = {}
    for x, y in pair_score:
        groups.setdefault(uf.find(x), set()).update((x, y))
    clusters = []
    for members in groups.values():
        inside = [s for (x, y), s in pair_score.items() if x in members]
        all_merged = all(pair in merged_pairs for pair in pair_score if pair[0] in members)
        clusters.append(DuplicateCluster(tuple(sorted(members)), min(inside), all_merged))
    clusters.sort(key=lambda c: c.person_ids)
    audit.record(
        session, actor, IdentityEvent.DUPLICATES_LISTED, details={"clusters": len(clusters)}
    )
    return clusters


def possible_duplicates(
    db: Session, *, actor: Actor, person_id: int, limit: int = 10
) -> list[Candidate]:
    """Other person records that may be this person, for the person page's panel."""
    require_search(actor)
    row = db.get(MatchProfile, person_id)
    if row is None:
        return []
    q = profile_from_row(row)
    ids = candidate_ids(db, match_keys(q, dob_errors=True)) - {person_id}
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
    actor.require(Permission.PEOPLE_MANAGE)
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
    actor.require(Permission.PEOPLE_MANAGE)
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
