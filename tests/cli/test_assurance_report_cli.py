"""`steward assurance report` on a real, committed database: the figures as JSON, the PDF
written to --out, and a bad date or an unwritable --out refused with a message."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Cli
from tests.training.test_report_cli import _workforce


def test_the_figures_as_json_and_the_pdf(cli: Cli, tmp_path: Path) -> None:
    _workforce(cli)
    out = tmp_path / "board.pdf"
    result = cli.ok("assurance", "report", "--as-of", "2026-06-01", "--json", "--out", str(out))
    figures = json.loads(result.stdout)
    assert figures["as_of"] == "2026-06-01"
    assert [a["area"] for a in figures["areas"]][:2] == ["governance", "records_management"]
    training = next(
        m for a in figures["areas"] for m in a["measures"] if m["key"] == "training_current"
    )
    assert (training["numerator"], training["denominator"]) == (2, 3)
    assert "Bo Lapsed" not in result.stdout  # figures only: the people stay on the pages
    assert out.read_bytes().startswith(b"%PDF")


def test_the_pdf_alone_and_default_today(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "board.pdf"
    result = cli.ok("assurance", "report", "--out", str(out))
    assert "the board report as of" in result.stdout
    assert out.read_bytes().startswith(b"%PDF")


def test_bad_dates_and_paths_are_refused(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    refused = cli("assurance", "report", "--as-of", "2026-13-01", "--json")
    assert refused.exit_code != 0 and "YYYY-MM-DD" in refused.stdout + refused.stderr
    future = cli("assurance", "report", "--as-of", "2999-01-01", "--json")
    assert future.exit_code != 0 and "future" in future.stdout + future.stderr
    folder = cli("assurance", "report", "--out", str(target))
    assert folder.exit_code != 0 and "is a folder" in folder.stdout + folder.stderr
    missing = cli("assurance", "report", "--out", str(target / "no" / "such.pdf"))
    assert missing.exit_code != 0 and "does not exist" in missing.stdout + missing.stderr
    neither = cli("assurance", "report")
    assert neither.exit_code != 0 and "--out" in neither.stdout + neither.stderr
    assert list(target.iterdir()) == []  # nothing written
