"""`steward staff import` and `steward training import` against a real, committed database:
what the operator sees, the JSON scripts read, and the exit status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from steward.training.models import Completion, StaffMember
from tests.cli.conftest import Cli
from tests.training.test_lms_import import example_courses

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "training"
HR = EXAMPLES / "hr-staff.csv"


def _count(cli: Cli, table: type[StaffMember] | type[Completion]) -> int:
    with cli.session() as db:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)


def test_staff_import_then_again_changes_nothing(cli: Cli) -> None:
    first = cli.ok("staff", "import", str(HR))
    assert "Added 7 new member(s) of staff" in first.stdout
    assert first.stderr == ""
    again = json.loads(cli.ok("staff", "import", str(HR), "--json").stdout)
    assert {k: again[k] for k in ("rows", "added", "changed", "unchanged", "errors")} == {
        "rows": 7,
        "added": 0,
        "changed": 0,
        "unchanged": 7,
        "errors": [],
    }
    assert again["message"].startswith("Nothing changed")
    assert _count(cli, StaffMember) == 7


def test_staff_import_lists_each_bad_row_applies_the_rest_and_exits_1(
    cli: Cli, tmp_path: Path
) -> None:
    lines = HR.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("temporary", "agency")
    lines[5] = lines[5].replace("2025-06-30,2030-06-30", "2025-06-30,2024-06-30")
    bad = tmp_path / "hr.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("staff", "import", str(bad))
    assert result.exit_code == 1
    assert "2 row(s) had problems and changed nothing; the other 5 row(s) were applied" in (
        result.stdout
    )
    assert "Row 4, employment_type: Employment type is not one of" in result.stderr
    assert "Row 6, leaving_date: Leaving date is on or before the start date" in result.stderr
    assert _count(cli, StaffMember) == 5
    report = json.loads(cli("staff", "import", str(bad), "--json").stdout)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (4, "employment_type"),
        (6, "leaving_date"),
    ]


def test_a_refused_file_changes_nothing_and_says_why(cli: Cli, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HR.read_text(encoding="utf-8").encode("latin-1"))
    result = cli("staff", "import", str(latin))
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.stderr
    refused = json.loads(cli("staff", "import", str(latin), "--json").stdout)
    assert refused["changed"] is False and "file" in refused["errors"]
    assert _count(cli, StaffMember) == 0


def test_training_import_records_once_and_reports_the_failed(cli: Cli, tmp_path: Path) -> None:
    cli.ok("staff", "import", str(HR))
    with cli.session() as db:
        example_courses(db)
    moodle = cli.ok("training", "import", str(EXAMPLES / "moodle-completions.csv"))
    assert "Recorded 4 completion(s); already recorded: 0." in moodle.stdout
    xapi = json.loads(
        cli.ok("training", "import", str(EXAMPLES / "xapi-statements.json"), "--json").stdout
    )
    assert (xapi["format"], xapi["recorded"], xapi["not_counted"]["failed"]) == ("xapi", 2, 1)
    again = cli.ok("training", "import", str(EXAMPLES / "xapi-statements.json"))
    assert "Recorded 0 completion(s); already recorded: 2." in again.stdout
    # A course completion report renamed on the way: the course is named on the command line.
    renamed = tmp_path / "refresher.csv"
    shutil.copy(EXAMPLES / "completion-dp-refresher.csv", renamed)
    assert cli("training", "import", str(renamed)).exit_code == 1
    cli.ok("training", "import", str(renamed), "--course", "DP-REFRESHER")
    assert _count(cli, Completion) == 8


def test_training_import_names_each_statement_it_could_not_match(cli: Cli, tmp_path: Path) -> None:
    with cli.session() as db:
        example_courses(db)
    result = cli("training", "import", str(EXAMPLES / "xapi-statements.json"))
    assert result.exit_code == 1
    assert "Statement 1, actor: No member of staff" in result.stderr
    assert _count(cli, Completion) == 0
