"""Finding every person record that may be the person asked about."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.identity.events import IdentityEvent
from steward.identity.keys import Facts, Profile, match_keys, profile_of
from steward.identity.models import MatchKey, MatchProfile
from steward.identity.normalise import normalise_name
from steward.identity.service.scoring import (
    ActiveModel,
    QueryScorer,
    Scored,
    active_model,
    score,
)
from steward.identity.service.types import Candidate, PersonQuery
from steward.records import service as records

# Searching everyone's records is an information-governance duty, not casework: any of these.
SEARCH_PERMISSIONS = (Permission.CASES_READ_ALL, Permission.SAR_MANAGE, Permission.INTAKE_REVIEW)
_CHUNK = 500
# Persons scored per lookup, after ranking by shared keys (ranked_candidate_ids). A subject's
# records share rare keys with the query (DOB, postcode, address); at 1M the 250th candidate
# of the commonest names shares only name-sound keys with it.
CANDIDATE_CAP = 250


def require_search(db: Session, actor: Actor) -> None:
    """Forbidden unless the role searches everyone; then, as every search result names
    people from the records, the induction gate (records.InductionRequired)."""
    if not any(actor.can(p) for p in SEARCH_PERMISSIONS):
        raise Forbidden("Your role does not allow searching people across all cases.")
    records.require_induction(db, actor)


def require_people_manage(db: Session, actor: Actor) -> None:
    """For work on person records (compare, merge, keep apart): the role, then the gate."""
    actor.require(Permission.PEOPLE_MANAGE)
    records.require_induction(db, actor)


def query_profile(query: PersonQuery) -> Profile:
    if not normalise_name(query.first_name) or not normalise_name(query.last_name):
        raise ValidationFailed(
            "Give at least a first name and a last name.",
            errors={"first_name": "Enter a first name", "last_name": "Enter a last name"},
        )
    return profile_of(
        Facts(
            first_name=query.first_name,
            last_name=query.last_name,
            middle_names=query.middle_names,
            other_last_names=tuple(query.previous_last_names),
            dob=query.dob,
            postcodes=tuple(p for p in (query.postcode, *query.previous_postcodes) if p),
            address=query.address,
        )
    )


def profile_from_row(row: MatchProfile | Row[Any]) -> Profile:
    """The profile an identity_profiles row holds: exactly what ``profile_of`` built."""
    return Profile(
        first_name=row.first_name,
        middle_names=row.middle_names,
        last_name=row.last_name,
        surnames=frozenset(row.surnames.split()),
        dob=row.dob,
        postcodes=tuple(p for p in row.postcodes.split("|") if p),
        address=row.address,
        other_first_names=frozenset(row.other_first_names.split()),
    )


_PROFILE_COLUMNS = (
    MatchProfile.person_id,
    MatchProfile.record_id,
    MatchProfile.first_name,
    MatchProfile.middle_names,
    MatchProfile.last_name,
    MatchProfile.surnames,
    MatchProfile.dob,
    MatchProfile.postcodes,
    MatchProfile.address,
    MatchProfile.other_first_names,
)


def _ranked_statement() -> Select[tuple[int]]:
    postings = (
        select(
            MatchKey.person_id,
            # A numeric, not a float: the sums are then exact whatever order the database adds
            # them in, so ties rank alike here and in ranked_candidate_ids_many.
            (literal_column("1.0") / func.count().over(partition_by=MatchKey.key)).label("telling"),
        )
        .where(MatchKey.key.in_(bindparam("keys", expanding=True)))
        .subquery()
    )
    return (
        select(postings.c.person_id)
        .group_by(postings.c.person_id)
        .order_by(func.sum(postings.c.telling).desc(), postings.c.person_id)
        .limit(bindparam("cap", type_=Integer))
    )


# Built once: a lookup is a few milliseconds, and building and caching the statement anew
# each time cost SQLAlchemy more than the database's own work (a partner's file makes one
# lookup per row).
_RANKED = _ranked_statement()
_PROFILES = select(*_PROFILE_COLUMNS).where(
    MatchProfile.person_id.in_(bindparam("ids", expanding=True))
)


def ranked_candidate_ids(
    db: Session, keys: Iterable[int], *, cap: int = CANDIDATE_CAP
) -> list[int]:
    """The ``cap`` persons sharing the most telling keys with the query, best first.

    Each key a person shares counts 1 / (the persons holding it): a key only a handful share
    (surname sound + DOB, postcode + initial) says far more than "John" + "Smith"'s sound,
    which a common name shares with thousands at 5M. Ranked in the database, so a common
    surname's postings never reach Python; only the ``cap`` best are scored."""
    ordered = sorted(set(keys))
    if not ordered:
        return []
    return list(db.scalars(_RANKED, {"keys": ordered, "cap": cap}))


_MANY_CHUNK = (
    200  # queries per statement: (query, key) pairs stay well under bound-parameter limits
)


def ranked_candidate_ids_many(
    db: Session, key_sets: Sequence[Iterable[int]], *, cap: int = CANDIDATE_CAP
) -> list[list[int]]:
    """``ranked_candidate_ids`` for many queries in one statement per ``_MANY_CHUNK`` of
    them, each answer in the order of ``key_sets``: the same weights (1 / the persons holding
    a key), the same order and cap, without a round trip and a statement per query."""
    found: list[list[int]] = [[] for _ in key_sets]
    pairs = [(qid, key) for qid, keys in enumerate(key_sets) for key in sorted(set(keys))]
    by_query: dict[int, list[tuple[int, int]]] = {}
    for qid, key in pairs:
        by_query.setdefault(qid, []).append((qid, key))
    queries = sorted(by_query)
    connection = db.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # The (query, key) pairs go in as one parameter (SQLite: a JSON array; PostgreSQL: two
    # arrays), through the driver: thousands of separate parameters cost SQLAlchemy's
    # compiler and the driver's parser far longer than the database took to answer.
    asked = (
        f"SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each({mark})"  # noqa: S608 - a placeholder
        if sqlite
        else f"SELECT * FROM unnest({mark}::integer[], {mark}::bigint[])"  # noqa: S608 - placeholders
    )
    sql = (
        f"WITH asked(qid, key) AS ({asked}), "  # noqa: S608 - fixed text and placeholders only
        "counts AS (SELECT m.key AS key, 1.0 / count(*) AS telling "
        "FROM identity_match_keys m WHERE m.key IN (SELECT key FROM asked) GROUP BY m.key), "
        "scored AS (SELECT a.qid AS qid, m.person_id AS person_id, sum(c.telling) AS weight "
        "FROM asked a JOIN identity_match_keys m ON m.key = a.key "
        "JOIN counts c ON c.key = a.key GROUP BY a.qid, m.person_id), "
        "ranked AS (SELECT qid, person_id, row_number() OVER "
        "(PARTITION BY qid ORDER BY weight DESC, person_id) AS place FROM scored) "
        f"SELECT qid, person_id FROM ranked WHERE place <= {mark} ORDER BY qid, place"
    )
    for start in range(0, len(queries), _MANY_CHUNK):
        chunk = [pair for qid in queries[start : start + _MANY_CHUNK] for pair in by_query[qid]]
        params: tuple[Any, ...] = (
            (json.dumps(chunk), cap)
            if sqlite
            else ([q for q, _ in chunk], [k for _, k in chunk], cap)
        )
        for qid, person_id in connection.exec_driver_sql(sql, params):
            found[qid].append(person_id)
    return found


def load_profile_rows(db: Session, ids: Sequence[int]) -> list[Row[Any]]:
    """The profiles of these persons as plain rows (no ORM objects: a lookup reads hundreds)."""
    rows: list[Row[Any]] = []
    for start in range(0, len(ids), _CHUNK):
        rows.extend(db.execute(_PROFILES, {"ids": list(ids[start : start + _CHUNK])}))
    return rows


def candidate_ids(db: Session, keys: Iterable[int]) -> set[int]:
    ordered = sorted(keys)
    ids: set[int] = set()
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        ids.update(db.scalars(select(MatchKey.person_id).where(MatchKey.key.in_(chunk))))
    return ids


def load_profiles(db: Session, ids: Iterable[int]) -> list[MatchProfile]:
    ordered = sorted(ids)
    rows: list[MatchProfile] = []
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        rows.extend(db.scalars(select(MatchProfile).where(MatchProfile.person_id.in_(chunk))))
    return rows


def rank(
    model: ActiveModel,
    q: Profile,
    rows: Sequence[MatchProfile],
    *,
    previous: frozenset[str],
    limit: int,
) -> list[tuple[MatchProfile, Scored]]:
    scored = [(row, score(model, q, profile_from_row(row), previous=previous)) for row in rows]
    kept = [(row, s) for row, s in scored if s.band is not None]
    kept.sort(key=lambda item: (-item[1].weight, item[0].person_id))
    return kept[:limit]


def rank_rows(
    model: ActiveModel,
    q: Profile,
    rows: Sequence[Row[Any]],
    *,
    previous: frozenset[str],
    limit: int,
) -> list[tuple[Row[Any], Scored]]:
    """The candidates worth a reviewer's time, best first, scored as ``score`` scores them:
    every one weighed by a ``QueryScorer``, the reasons worked out for the ``limit`` shown."""
    scorer = QueryScorer(model, q)
    kept: list[tuple[float, int, Row[Any], Profile]] = []
    for row in rows:
        profile = profile_from_row(row)
        weight, band = scorer.weight_and_band(profile)
        if band is not None:
            kept.append((weight, row.person_id, row, profile))
    kept.sort(key=lambda item: (-item[0], item[1]))
    return [(row, score(model, q, p, previous=previous)) for _, _, row, p in kept[:limit]]


def find_people(
    session: Session, query: PersonQuery, *, actor: Actor, limit: int = 50
) -> list[Candidate]:
    """Every person record that may be this person, best first: "match" or "possible".

    One search event is recorded, with the number of candidates only: the words searched for
    are personal data and stay out of the audit trail."""
    require_search(session, actor)
    q = query_profile(query)
    previous = frozenset(
        t for name in query.previous_last_names for t in normalise_name(name).split()
    )
    model = active_model(session)
    ids = ranked_candidate_ids(session, match_keys(q, dob_errors=True))
    ranked = rank_rows(model, q, load_profile_rows(session, ids), previous=previous, limit=limit)
    audit.record(
        session,
        actor,
        IdentityEvent.SEARCH_RUN,
        details={
            "candidates": len(ranked),
            "matches": sum(1 for _, s in ranked if s.band == "match"),
        },
    )
    return [
        Candidate(
            person_id=row.person_id,
            record_id=row.record_id,
            score=s.probability,
            band=s.band or "possible",
            reasons=s.reasons,
        )
        for row, s in ranked
    ]


def match_people(
    session: Session,
    queries: Sequence[PersonQuery],
    *,
    actor: Actor,
    limit: int = 5,
    cap: int = CANDIDATE_CAP,
) -> list[list[Candidate]]:
    """``find_people`` for many persons at once (the rows of a partner's file), each answer
    in the order of ``queries``: the model is read once and one search event is recorded for
    the lot, with counts only. A query without both names has no candidates. ``cap``: the
    persons scored per query, after ranking by shared keys (``ranked_candidate_ids``)."""
    require_search(session, actor)
    model = active_model(session)
    asked = [
        i
        for i, query in enumerate(queries)
        if normalise_name(query.first_name) and normalise_name(query.last_name)
    ]
    profiles = {i: query_profile(queries[i]) for i in asked}
    ranked_ids = ranked_candidate_ids_many(
        session, [match_keys(profiles[i], dob_errors=True) for i in asked], cap=cap
    )
    wanted = sorted({pid for ids in ranked_ids for pid in ids})
    rows = {row.person_id: row for row in load_profile_rows(session, wanted)}
    found: list[list[Candidate]] = [[] for _ in queries]
    for i, ids in zip(asked, ranked_ids, strict=True):
        query = queries[i]
        previous = frozenset(
            t for name in query.previous_last_names for t in normalise_name(name).split()
        )
        ranked = rank_rows(
            model, profiles[i], [rows[p] for p in ids if p in rows], previous=previous, limit=limit
        )
        found[i] = [
            Candidate(
                person_id=row.person_id,
                record_id=row.record_id,
                score=s.probability,
                band=s.band or "possible",
                reasons=s.reasons,
            )
            for row, s in ranked
        ]
    audit.record(
        session,
        actor,
        IdentityEvent.SEARCH_RUN,
        details={
            "lookups": len(queries),
            "candidates": sum(len(c) for c in found),
            "matches": sum(1 for c in found for x in c if x.band == "match"),
        },
    )
    return found


def parse_dob(text: str | None) -> date | None:
    """An ISO date, or None if empty; a clear error otherwise (the value is not repeated)."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationFailed(
            "Date of birth must be written YYYY-MM-DD.", errors={"dob": "Use YYYY-MM-DD"}
        ) from exc
