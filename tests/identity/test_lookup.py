"""Lookup at scale: the stored profile scores as the in-memory one, the many-candidate scorer
scores as ``score`` does, candidates are capped by how telling their keys are, and a large
import keeps lookups on the index with fresh planner statistics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import Actor
from steward.identity import PersonQuery, find_people, import_people_csv
from steward.identity.keys import Facts, match_keys, profile_of
from steward.identity.models import KEY_INDEX, MatchProfile
from steward.identity.service import importer
from steward.identity.service.scoring import QueryScorer, active_model, score
from steward.identity.service.search import profile_from_row, query_profile, ranked_candidate_ids
from tests.factories.records import make_person
from tests.identity.test_policy_sql import facts

SYSTEM = Actor.system()
DOB = date(1980, 3, 5)
LEEDS = {"line1": "12 High Street", "town": "Leeds", "postcode": "LS1 4AB"}
HEADER = "record_id,first_name,middle_names,last_name,dob,postcode,address\n"


def test_an_alias_first_name_scores_the_same_read_back_as_in_memory(db: Session) -> None:
    person = make_person(
        db,
        "Robert",
        "Zielinski",
        DOB,
        addresses=[LEEDS],
        other_names=[{"kind": "alias", "first_name": "Bogdan"}],
    )
    query = PersonQuery("Bogdan", "Zielinski", dob=DOB, postcode="LS1 4AB")
    in_memory = profile_of(
        Facts(
            "Robert",
            "Zielinski",
            other_first_names=("Bogdan",),
            dob=DOB,
            postcodes=("LS1 4AB",),
            address="12 High Street, Leeds",
        )
    )
    row = db.get(MatchProfile, person.id)
    assert row is not None
    stored = profile_from_row(row)
    assert stored == in_memory
    model = active_model(db)
    expected = score(model, query_profile(query), in_memory, previous=frozenset())
    assert expected.band == "match"
    found = {c.person_id: c for c in find_people(db, query, actor=SYSTEM)}
    assert found[person.id].band == "match"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(facts, st.lists(facts, min_size=1, max_size=12))
def test_the_many_candidate_scorer_weighs_and_bands_as_score_does(
    db: Session, asked: Facts, stored: list[Facts]
) -> None:
    model = active_model(db)
    q = profile_of(asked)
    scorer = QueryScorer(model, q)
    for c in map(profile_of, stored):
        expected = score(model, q, c, previous=frozenset())
        weight, band = scorer.weight_and_band(c)
        assert (round(weight, 9), band) == (round(expected.weight, 9), expected.band)


def test_candidates_are_capped_by_how_telling_their_shared_keys_are(db: Session) -> None:
    """Ten namesakes share only the name's keys with the query; the one record with the
    query's DOB and postcode shares rarer keys, so it is kept when only three are scored."""
    namesakes = [make_person(db, "John", "Smith", date(1950 + i, 1, 1 + i)) for i in range(10)]
    subject = make_person(db, "Jon", "Smyth", DOB, addresses=[LEEDS])
    q = query_profile(PersonQuery("John", "Smith", dob=DOB, postcode="LS1 4AB"))
    ranked = ranked_candidate_ids(db, match_keys(q, dob_errors=True), cap=3)
    assert ranked[0] == subject.id
    assert len(ranked) == 3
    every = ranked_candidate_ids(db, match_keys(q, dob_errors=True), cap=100)
    assert set(every) == {subject.id, *(p.id for p in namesakes)}


def _rows(prefix: str, n: int) -> str:
    return "".join(
        f"{prefix}{i},Name{i},,Surname{i % 7},1980-01-{1 + i % 28:02d},LS1 4AB,\n" for i in range(n)
    )


def _has_key_index(factory: sessionmaker[Session]) -> bool:
    with session_scope(factory, read_only=True) as db:
        names = {ix["name"] for ix in inspect(db.connection()).get_indexes("identity_match_keys")}
    return KEY_INDEX in names


def _analysed(factory: sessionmaker[Session], table: str = "identity_match_keys") -> bool:
    """Whether the planner has statistics of ``table``."""
    with session_scope(factory, read_only=True) as db:
        if db.get_bind().dialect.name == "sqlite":
            sql = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = :table"
        else:
            sql = "SELECT reltuples > 0 FROM pg_class WHERE relname = :table"
        return bool(db.scalar(text(sql), {"table": table}))


def test_a_large_import_into_a_live_index_keeps_lookups_on_it(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH", 5)
    monkeypatch.setattr(importer, "STATISTICS_AFTER_ROWS", 5)
    first = tmp_path / "first.csv"
    first.write_text(HEADER + _rows("A", 3))
    import_people_csv(session_factory, first, actor=SYSTEM)
    monkeypatch.setattr(importer, "REBUILD_INDEX_ROWS", 10)  # the next file counts as large
    seen: list[bool] = []
    second = tmp_path / "second.csv"
    second.write_text(HEADER + _rows("B", 20))
    import_people_csv(
        session_factory,
        second,
        actor=SYSTEM,
        progress=lambda _: seen.append(_has_key_index(session_factory)),
    )
    assert seen and all(seen)
    assert _analysed(session_factory)


def test_a_growing_import_refreshes_the_statistics_as_it_doubles(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planned on the statistics of a table a tenth of its size, each batch's "already
    imported?" lookup read every legacy identifier on PostgreSQL."""
    monkeypatch.setattr(importer, "BATCH", 5)
    monkeypatch.setattr(importer, "STATISTICS_AFTER_ROWS", 5)
    refreshed: list[int] = []
    real = importer.refresh_statistics

    def counting(factory: sessionmaker[Session]) -> None:
        refreshed.append(1)
        real(factory)

    monkeypatch.setattr(importer, "refresh_statistics", counting)
    path = tmp_path / "people.csv"
    path.write_text(HEADER + _rows("D", 40))
    import_people_csv(session_factory, path, actor=SYSTEM)
    assert len(refreshed) == 5  # at 5, 10, 20 and 40 persons, and once at the end
    assert _analysed(session_factory, "identifiers")


def test_a_first_large_load_builds_the_index_at_the_end_on_a_real_engine(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a factory bound to the engine, as in production: on PostgreSQL the index is
    built concurrently, outside any transaction."""
    monkeypatch.setattr(importer, "REBUILD_INDEX_ROWS", 10)
    monkeypatch.setattr(importer, "BATCH", 5)
    factory = make_sessionmaker(fresh_engine)
    path = tmp_path / "people.csv"
    path.write_text(HEADER + _rows("C", 12))
    seen: list[bool] = []
    report = import_people_csv(
        factory, path, actor=SYSTEM, progress=lambda _: seen.append(_has_key_index(factory))
    )
    assert report.created == 12
    assert seen and not any(seen)  # dropped for the first load
    assert _has_key_index(factory) and _analysed(factory)
    with session_scope(factory) as db:
        found = find_people(
            db, PersonQuery("Name3", "Surname3", dob=date(1980, 1, 4)), actor=SYSTEM
        )
        assert "C3" in [c.record_id for c in found]
        assert db.scalar(select(MatchProfile.record_id).where(MatchProfile.record_id == "C3"))
