"""`steward import cases` and `steward cases show` against a real, committed database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from steward.core.audit import AuditEvent
from steward.records.models import Case, Person
from tests.cli.conftest import Cli

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cases.jsonl"


def _example_lines() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").splitlines()


def _counts(cli: Cli) -> tuple[int, int, int]:
    with cli.session() as db:
        return (
            int(db.scalar(select(func.count()).select_from(Case)) or 0),
            int(db.scalar(select(func.count()).select_from(Person)) or 0),
            int(db.scalar(select(func.count()).select_from(AuditEvent)) or 0),
        )


def test_the_example_file_imports_and_a_re_run_changes_nothing(cli: Cli) -> None:
    first = cli.ok("import", "cases", str(EXAMPLE))
    assert "Imported 3 case(s): 7 new person(s), 1 matched" in first.stdout
    assert first.stderr == ""
    counts = _counts(cli)
    assert counts[:2] == (3, 7)

    again = cli.ok("import", "cases", str(EXAMPLE))
    assert "Imported no new cases." in again.stdout
    assert "Skipped 3 case(s) already imported (lines 1, 2, 3)." in again.stdout
    assert _counts(cli) == counts


def test_cases_show_json_has_the_parties_and_documents(cli: Cli) -> None:
    cli.ok("import", "cases", str(EXAMPLE))
    _, _, events_before = _counts(cli)
    shown = json.loads(cli.ok("cases", "show", "ex24p00001", "--json").stdout)
    assert {k: shown[k] for k in ("case_number", "case_type", "status", "record_class")} == {
        "case_number": "EX24P00001",
        "case_type": "private_law",
        "status": "open",
        "record_class": "CASE.PRIVATE",
    }
    assert [
        (
            p["role"],
            p["person"]["first_name"],
            p["person"]["last_name"],
            p["person"]["date_of_birth"],
        )
        for p in shown["parties"]
    ] == [
        ("child_subject", "Mia", "Thornbury-Vale", "2015-09-30"),
        ("applicant", "Hannah", "Thornbury-Vale", "1990-07-14"),
        ("respondent", "Daniel", "Vale", "1988-01-22"),
    ]
    assert all(isinstance(p["person"]["id"], int) for p in shown["parties"])
    documents = [
        {k: d[k] for k in ("title", "kind", "created_on", "media_type", "size_bytes")}
        for d in shown["documents"]
    ]
    assert documents == [
        {
            "title": "Telephone call with the mother",
            "kind": "case_note",
            "created_on": "2024-02-12",
            "media_type": "text/plain",
            "size_bytes": documents[0]["size_bytes"],
        },
        {
            "title": "Letter from school",
            "kind": "correspondence",
            "created_on": "2024-03-01",
            "media_type": "application/pdf",
            "size_bytes": 737,
        },
    ]
    assert all(isinstance(d["id"], int) for d in shown["documents"])
    # The read is audited, as the system operator, with ids only.
    with cli.session() as db:
        viewed = db.scalars(
            select(AuditEvent).where(AuditEvent.seq > events_before).order_by(AuditEvent.seq)
        ).all()
    assert [(e.tag, e.actor_kind, e.subject_id) for e in viewed] == [
        ("records:case:viewed", "system", str(shown["id"]))
    ]


def test_cases_show_prints_a_summary_and_names_are_never_markup(cli: Cli, tmp_path: Path) -> None:
    line = json.loads(_example_lines()[2])
    line["persons"][0]["first_name"] = "[bold red]Leo[/bold red]"
    line["documents"][0]["title"] = "[link=http://x]Initial[/link] enquiries"
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    cli.ok("import", "cases", str(path))
    out = cli.ok("cases", "show", "EX25P00003").stdout
    assert "Case EX25P00003" in out and "private law" in out and "CASE.PRIVATE" in out
    assert "[bold red]Leo[/bold red] Thornbury-Vale" in out
    assert "[link=http://x]Initial[/link] enquiries" in out
    assert "Hannah Jane Thornbury-Vale" in out and "applicant" in out and "1990-07-14" in out


def test_cases_show_of_an_unknown_number_says_so(cli: Cli) -> None:
    result = cli("cases", "show", "NO-SUCH-1")
    assert result.exit_code == 1
    assert "There is no case with that number." in result.stderr


def test_a_file_with_one_bad_line_imports_the_rest_exits_1_and_names_the_line(
    cli: Cli, tmp_path: Path
) -> None:
    lines = _example_lines()
    bad = json.loads(lines[1])
    bad["persons"][0]["date_of_birth"] = "2019-02-30"
    bad["persons"][0]["first_name"] = "Secretname"
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(bad), "", lines[2], "{oops"]) + "\n")

    result = cli("import", "cases", str(path))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Imported 2 case(s)" in result.stdout
    assert "Failed: 2 line(s), nothing of those cases was imported." in result.stderr
    assert "line 2: persons[0].date_of_birth: Input should be a valid date" in result.stderr
    assert "line 5: not valid JSON" in result.stderr
    assert "Secretname" not in result.output
    assert _counts(cli)[0] == 2

    report = json.loads(cli("import", "cases", str(path), "--json").stdout)
    assert (report["imported"], report["skipped"], report["failed"]) == (0, 2, 2)
    assert report["skipped_lines"] == [1, 4]
    assert [f["line"] for f in report["failures"]] == [2, 5]


def test_a_dry_run_reports_and_saves_nothing(cli: Cli) -> None:
    before = _counts(cli)
    result = cli.ok("import", "cases", str(EXAMPLE), "--dry-run")
    assert "Would import 3 case(s)" in result.stdout
    assert "Dry run: nothing was saved." in result.stdout
    assert _counts(cli) == before


def test_small_batches_commit_as_they_go(cli: Cli) -> None:
    result = cli.ok("import", "cases", str(EXAMPLE), "--batch-size", "1", "--json")
    assert json.loads(result.stdout)["imported"] == 3
    assert _counts(cli)[0] == 3


def test_import_of_a_missing_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "cases", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
