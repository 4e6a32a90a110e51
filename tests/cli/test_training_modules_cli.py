"""`steward training modules sync`: the built-in modules go into the catalogue, running it
again changes nothing, and a module file that cannot be used is named with its problems
(exit status 1) while the others still go in."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from steward.training import module_files
from steward.training.models import Course
from tests.cli.conftest import Cli
from tests.training.test_module_files import GOOD


def test_sync_puts_the_modules_in_the_catalogue_once(cli: Cli) -> None:
    first = json.loads(cli.ok("training", "modules", "sync", "--json").stdout)
    shipped = len(module_files.shipped())
    assert first["counts"]["created"] == shipped
    assert {m["code"] for m in first["modules"]} >= {"DP-INDUCTION", "SAR-HANDLING"}
    again = json.loads(cli.ok("training", "modules", "sync", "--json").stdout)
    assert again["counts"] == {
        "created": 0,
        "released": 0,
        "changed": 0,
        "unchanged": shipped,
        "refused": 0,
    }
    with cli.session() as db:
        slugs = set(db.scalars(select(Course.module_slug)))
    assert slugs == set(module_files.shipped())
    table = cli.ok("training", "modules", "sync").stdout
    assert "data-protection-induction.md" in table and "unchanged" in table


def test_a_bad_module_file_is_named_and_the_others_still_go_in(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "test-module.md").write_text(GOOD)
    (tmp_path / "broken.md").write_text(GOOD.replace("- [ ] Password1", "- [x] Password1"))
    result = cli("training", "modules", "sync", "--from", str(tmp_path))
    assert result.exit_code == 1
    assert "broken.md: line 31: question 2 must have exactly one correct answer" in " ".join(
        result.stderr.split()
    )
    with cli.session() as db:
        assert db.scalar(select(Course.code).where(Course.module_slug == "test-module")) == (
            "TEST-MODULE"
        )
        assert db.scalar(select(Course.id).where(Course.module_slug == "broken")) is None
