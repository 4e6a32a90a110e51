"""`steward people import|find|duplicates|train` against a real, committed database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from tests.cli.conftest import Cli

PEOPLE = (
    "record_id,first_name,middle_names,last_name,dob,postcode,address\n"
    'P1,Robert,James,Zielinski,1980-03-05,LS1 4AB,"12 High Street, Leeds"\n'
    'P2,Bob,,Zielinski,1980-05-03,LS1 4AB,"12 High St, Leeds"\n'
    'P3,Amelia,,Zielinski,2016-04-09,LS1 4AB,"12 High Street, Leeds"\n'
    "P4,,,Nameless,not a date,,\n"
)


def _import(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    result = cli("people", "import", str(path))
    assert result.exit_code == 1  # one row refused
    assert "Imported 3 person record(s)" in result.stdout
    assert "line 5: first_name: required" in result.stderr
    assert "Nameless" not in result.stderr
    again = cli("people", "import", str(path), "--json")
    assert json.loads(again.stdout)["skipped"] == 3


def test_find_prints_candidates_as_json(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path)
    out = cli.ok(
        "people",
        "find",
        "--first-name",
        "Rob",
        "--last-name",
        "Zielinski",
        "--dob",
        "1980-03-05",
        "--postcode",
        "ls1 4ab",
        "--json",
    )
    found = json.loads(out.stdout)
    assert {c["record_id"] for c in found if c["band"] == "match"} == {"P1", "P2"}
    assert set(found[0]) == {"person_id", "record_id", "score", "band", "reasons"}
    bob = next(c for c in found if c["record_id"] == "P2")
    assert "DOB day/month swapped" in bob["reasons"]


def test_batch_find_prints_one_line_per_query(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path)
    queries = tmp_path / "queries.csv"
    queries.write_text(
        "query_id,first_name,middle_names,last_name,previous_last_names,dob,postcode,address,previous_postcodes\n"
        "Q1,Robert,,Smith,Zielinski;Jones,1980-03-05,M1 1AE,,LS1 4AB\n"
        "Q2,Amelia,,Zielinski,,31/12/2016,,,\n",
        encoding="utf-8",
    )
    out = cli.ok("people", "find", "--batch", str(queries), "--json")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["query_id"] for line in lines] == ["Q1", "Q2"]
    assert "P1" in {c["record_id"] for c in lines[0]["candidates"]}
    assert "YYYY-MM-DD" in lines[1]["error"]


def test_train_then_duplicates(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path)
    refused = cli("people", "train")
    assert refused.exit_code == 1 and "at least 50 persons" in refused.stderr
    dupes = cli.ok("people", "duplicates", "--json")
    clusters = json.loads(dupes.stdout)
    assert len(clusters) == 1 and len(clusters[0]["person_ids"]) == 2
    by_splink = cli.ok("people", "duplicates", "--engine", "splink", "--json")
    assert [c["person_ids"] for c in json.loads(by_splink.stdout)] == [clusters[0]["person_ids"]]
    assert cli("people", "duplicates", "--engine", "spark").exit_code != 0


def test_find_needs_names(cli: Cli) -> None:
    result = cli("people", "find", "--last-name", "Zielinski")
    assert result.exit_code == 1 and "--first-name" in result.stderr


def test_reindex_rebuilds_every_persons_keys_and_prints_counts_only(
    cli: Cli, tmp_path: Path
) -> None:
    _import(cli, tmp_path)
    with cli.engine() as engine, engine.begin() as conn:
        conn.execute(text("DELETE FROM identity_match_keys"))  # keys built by older rules
    lost = cli.ok("people", "find", "--first-name", "Robert", "--last-name", "Zielinski", "--json")
    assert json.loads(lost.stdout) == []
    out = cli.ok("people", "reindex", "--json")
    counts = json.loads(out.stdout)
    assert counts["persons"] == 3 and counts["keys"] > 0
    assert "Zielinski" not in out.stdout
    found = cli.ok("people", "find", "--first-name", "Robert", "--last-name", "Zielinski", "--json")
    assert "P1" in {c["record_id"] for c in json.loads(found.stdout)}
    with cli.engine() as engine, engine.connect() as conn:
        details = conn.execute(
            text("SELECT details FROM audit_events WHERE tag = 'identity:people:reindexed'")
        ).scalar_one()
    assert "Zielinski" not in str(details) and "3" in str(details)


def test_import_of_a_windows_1252_file_names_the_line_and_imports_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(PEOPLE.encode()[: PEOPLE.index("P4")] + "P4,Zoë,,Brontë,,,\n".encode("cp1252"))
    result = cli("people", "import", str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "line 5 " in result.stderr and "Save it as UTF-8" in result.stderr
    assert "Bront" not in result.stderr
    with cli.session() as db:
        assert db.scalar(text("SELECT count(*) FROM persons")) == 0


def test_batch_find_on_a_windows_1252_file_says_to_save_it_as_utf8(
    cli: Cli, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.csv"
    queries.write_bytes("query_id,first_name,last_name\nQ1,Zoë,Brontë\n".encode("cp1252"))
    result = cli("people", "find", "--batch", str(queries))
    assert result.exit_code == 1 and "save it as UTF-8" in result.stderr
