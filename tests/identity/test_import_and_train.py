"""The legacy person-index import, training with Splink, duplicates, and the quality gate on
generated UK-style records (bench/data/people.py, BENCHMARKS §1) at small scale."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from bench.data.people import people_data, read_queries, read_truth
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core.audit import AuditEvent
from steward.core.db import session_scope
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.identity import (
    PersonQuery,
    find_duplicates,
    find_people,
    import_people_csv,
    train_model,
)
from steward.identity.keys import Facts, Profile, profile_of
from steward.identity.models import MatchKey, MatchLevel, MatchProfile
from steward.identity.service import merge_persons, unmerge_persons
from steward.identity.service.duplicates import Engine
from steward.records.models import Identifier, Person

HEADER = "record_id,first_name,middle_names,last_name,dob,postcode,address\n"
SYSTEM = Actor.system()


def _csv(tmp_path: Path, body: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _count(db: Session, model: type[object]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def test_rows_are_imported_once_and_bad_rows_are_named_without_their_data(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        'L1,Robert,James,Zielinski,1980-03-05,ls14ab,"12 High Street, Leeds"\n'
        "L2,Sarah,,Okafor,,,\n"
        ",Nameless,,Row,1980-01-01,,\n"
        "L4,Ann,,Secretsurname,05/03/1980,,\n"
        "L1,Robert,,Again,1980-03-05,,\n"
        "L6,Tom,,Later,2999-01-01,,\n",
    )
    report = import_people_csv(session_factory, path, actor=SYSTEM)
    assert (report.created, report.skipped) == (3, 0)
    assert [(p.line, p.reason.split(":")[0]) for p in report.problems] == [
        (4, "record_id"),
        (5, "dob"),
        (6, "record_id"),
    ]
    assert "Secretsurname" not in str(report.as_dict())
    assert report.notes[0].line == 7  # a future DOB is set aside, the person kept
    with session_scope(session_factory) as db:
        assert _count(db, Person) == 3 and _count(db, MatchProfile) == 3
        robert = db.scalar(select(MatchProfile).where(MatchProfile.record_id == "L1"))
        assert robert is not None and robert.postcodes == "LS1 4AB"
        keys = _count(db, MatchKey)
    again = import_people_csv(session_factory, path, actor=SYSTEM)
    assert (again.created, again.skipped) == (0, 3)
    with session_scope(session_factory) as db:
        assert _count(db, Person) == 3 and _count(db, MatchKey) == keys
        assert db.scalar(select(Identifier.value).where(Identifier.value == "L2")) == "L2"


def test_a_file_without_the_columns_changes_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("id,name\n1,Bob\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="record_id"):
        import_people_csv(session_factory, path, actor=SYSTEM)
    with session_scope(session_factory) as db:
        assert _count(db, Person) == 0


def test_import_and_training_need_people_manage(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    caseworker = Actor.user(1, Role.CASEWORKER)
    with pytest.raises(Forbidden):
        import_people_csv(session_factory, _csv(tmp_path, ""), actor=caseworker)
    with pytest.raises(Forbidden):
        train_model(session_factory, actor=caseworker)


@pytest.fixture(scope="module")
def generated() -> object:
    return people_data(2000, queries=300)


def _query(row: dict[str, str]) -> PersonQuery:
    def split(text: str) -> tuple[str, ...]:
        return tuple(p for p in text.split(";") if p)

    return PersonQuery(
        first_name=row["first_name"],
        last_name=row["last_name"],
        middle_names=row["middle_names"] or None,
        previous_last_names=split(row["previous_last_names"]),
        dob=date.fromisoformat(row["dob"]) if row["dob"] else None,
        postcode=row["postcode"] or None,
        address=row["address"] or None,
        previous_postcodes=split(row["previous_postcodes"]),
    )


def test_quality_gate_on_generated_records(
    session_factory: sessionmaker[Session], generated: object
) -> None:
    """BENCHMARKS §1's goal at small scale: recall >= 0.995 of each subject's records in the
    list, precision >= 0.97 among "match", with weights trained by Splink on the same data."""
    data = generated
    report = import_people_csv(session_factory, data.records_csv, actor=SYSTEM)  # type: ignore[attr-defined]
    assert report.created >= 1990
    info = train_model(session_factory, actor=SYSTEM)
    assert info.version == 1 and info.trainer.startswith("splink")
    # The trained weights say what a reviewer expects: agreement counts for, difference against.
    assert (
        info.weights["dob"]["same date of birth"]
        > 0
        > info.weights["dob"]["different date of birth"]
    )
    records_of: dict[str, set[str]] = {}
    for record_id, (person, _, _) in read_truth(data.truth_csv).items():  # type: ignore[attr-defined]
        records_of.setdefault(person, set()).add(record_id)
    listed = wanted_total = 0
    right = wrong = 0
    with session_scope(session_factory) as db:
        assert _count(db, MatchLevel) > 0
        for row, person in read_queries(data):  # type: ignore[arg-type]
            found = find_people(db, _query(row), actor=SYSTEM)
            wanted = records_of[person]
            listed += len(wanted & {c.record_id for c in found})
            wanted_total += len(wanted)
            for c in found:
                if c.band == "match":
                    right, wrong = (
                        (right + 1, wrong) if c.record_id in wanted else (right, wrong + 1)
                    )
    # Micro recall, as the goal and the benchmark state it: records found / records wanted,
    # summed over queries (a mean per query would let a 20-record subject count as one).
    assert listed / wanted_total >= 0.995
    assert right / (right + wrong) >= 0.97


@pytest.mark.parametrize("dedupe_engine", ["steward", "splink"])
def test_duplicates_cluster_one_humans_records_and_merges_show(
    session_factory: sessionmaker[Session], tmp_path: Path, dedupe_engine: Engine
) -> None:
    path = _csv(
        tmp_path,
        'A1,Robert,James,Zielinski,1980-03-05,LS1 4AB,"12 High Street, Leeds"\n'
        'A2,Bob,James,Zielinski,1980-03-05,LS1 4AB,"12 High St, Leeds"\n'
        'A3,Amelia,,Zielinski,2016-04-09,LS1 4AB,"12 High Street, Leeds"\n'
        'A4,Olivia,,Zielinski,2016-04-09,LS1 4AB,"12 High Street, Leeds"\n',
    )
    import_people_csv(session_factory, path, actor=SYSTEM)
    with session_scope(session_factory) as db:
        ids = dict(db.execute(select(MatchProfile.record_id, MatchProfile.person_id)).all())
        clusters = find_duplicates(db, actor=SYSTEM, engine=dedupe_engine)
        assert [c.person_ids for c in clusters] == [(ids["A1"], ids["A2"])]  # twins stay apart
        merge = merge_persons(db, actor=SYSTEM, person_id=ids["A3"], other_person_id=ids["A4"])
        with_merge = find_duplicates(db, actor=SYSTEM, engine=dedupe_engine)
        assert (ids["A3"], ids["A4"]) in [c.person_ids for c in with_merge if c.merged]
        unmerge_persons(db, actor=SYSTEM, merge_id=merge.id)
        assert len(find_duplicates(db, actor=SYSTEM, engine=dedupe_engine)) == 1
        details = db.scalars(
            select(AuditEvent.details).where(AuditEvent.tag.like("identity:%"))
        ).all()
        assert not any("zielinski" in (d or "").lower() for d in details)


def test_a_large_import_rebuilds_the_key_index_once(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import inspect

    from steward.identity.models import KEY_INDEX
    from steward.identity.service import importer

    monkeypatch.setattr(importer, "REBUILD_INDEX_ROWS", 1)
    path = _csv(tmp_path, "B1,Robert,,Zielinski,1980-03-05,LS1 4AB,\n")
    import_people_csv(session_factory, path, actor=SYSTEM)
    with session_scope(session_factory) as db:
        indexes = {ix["name"] for ix in inspect(db.connection()).get_indexes("identity_match_keys")}
        assert KEY_INDEX in indexes
        found = find_people(db, PersonQuery("Bob", "Zielinski", dob=date(1980, 3, 5)), actor=SYSTEM)
        assert [c.record_id for c in found] == ["B1"]


def _profiles(data: object, count: int) -> list[Profile]:
    rows = list(csv.DictReader(data.records_csv.open(newline="")))[:count]  # type: ignore[attr-defined]
    return [
        profile_of(
            Facts(
                first_name=r["first_name"],
                last_name=r["last_name"],
                middle_names=r["middle_names"] or None,
                dob=date.fromisoformat(r["dob"]) if r["dob"] else None,
                postcodes=(r["postcode"],) if r["postcode"] else (),
                address=r["address"] or None,
            )
        )
        for r in rows
    ]


def _no_spill(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, work: Callable[[], object]) -> None:
    """Under a memory limit too small for ``work``, it fails rather than spill to ./.tmp."""
    from steward.identity import training

    # DuckDB's default spills to ./.tmp when memory runs short: outside the encrypted store.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(training.IN_MEMORY_ONLY, "memory_limit", "4MB")
    monkeypatch.setitem(training.IN_MEMORY_ONLY, "threads", 1)
    # Splink re-raises DuckDB's out-of-memory error as its own exception, message kept.
    with pytest.raises(Exception, match="no temporary directory"):
        work()
    assert list(tmp_path.iterdir()) == []


def test_training_never_spills_persons_to_a_plaintext_temp_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, generated: object
) -> None:
    from steward.identity import training

    profiles = _profiles(generated, 2000)
    _no_spill(monkeypatch, tmp_path, lambda: training.train(profiles))


def test_batch_deduplication_never_spills_persons_to_a_plaintext_temp_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, generated: object
) -> None:
    from steward.identity.service.duplicates_splink import splink_edges
    from steward.identity.service.scoring import _DEFAULT

    profiles = _profiles(generated, 2000)
    _no_spill(monkeypatch, tmp_path, lambda: list(splink_edges(profiles, _DEFAULT, 0.9)))


def test_a_byte_not_in_utf8_refuses_the_whole_file_before_anything_is_written(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.identity.service import importer

    monkeypatch.setattr(importer, "BATCH", 2)  # batches before the bad line would commit
    path = tmp_path / "excel.csv"
    good = "".join(f"E{i},Ann,,Smith,1980-01-01,,\n" for i in range(6)).encode()
    path.write_bytes(HEADER.encode() + good + "E9,Zoë,,Brontë,,,\n".encode("cp1252"))
    with pytest.raises(ValidationFailed) as caught:
        import_people_csv(session_factory, path, actor=SYSTEM)
    assert "line 8 " in caught.value.message and "Save it as UTF-8" in caught.value.message
    assert list(caught.value.errors) == ["line 8"]
    with session_scope(session_factory) as db:
        assert _count(db, Person) == 0


def test_a_utf8_file_with_a_byte_order_mark_imports(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "B1,Zoë,,Brontë,,,\n").encode())
    assert import_people_csv(session_factory, path, actor=SYSTEM).created == 1


def test_a_quote_left_open_names_the_line_it_opens_on(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    body = "".join(f"Q{i},Ann,,Smith,,,\n" for i in range(2, 8))  # lines 2 to 7
    swallowed = "".join(f"Q{i},Ann,,Smith,,,\n" for i in (9, 10, 11))
    closed_later = body + 'Q8,"Ann,,Smith,,,\n' + swallowed + 'Q12,Ann",,Smith,,,\nQ13,A,,B,,,\n'
    report = import_people_csv(session_factory, _csv(tmp_path, closed_later), actor=SYSTEM)
    assert [p.line for p in report.problems] == [8]
    assert "quote opened on line 8 is not closed until line 12" in report.problems[0].reason
    assert report.created == 7  # lines 2 to 7, and 13

    blank_lines = "R2,Ann,,Smith,,,\n\n\nR5,Ann,,Smith,,,\n"  # skipped, not a record run on
    clean = import_people_csv(session_factory, _csv(tmp_path, blank_lines, "b.csv"), actor=SYSTEM)
    assert (clean.created, clean.problems) == (2, [])

    never_closed = body + 'Q8,"Ann,,Smith,,,\nQ9,Ann,,Smith,,,\n'
    with pytest.raises(ValidationFailed) as caught:
        import_people_csv(session_factory, _csv(tmp_path, never_closed, "open.csv"), actor=SYSTEM)
    assert list(caught.value.errors) == ["line 8"]
