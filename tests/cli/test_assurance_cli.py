"""`steward assurance measures` on a real, committed database: the figures automation reads,
with no names in them, and a bad date refused."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli
from tests.training.test_report_cli import _workforce


def test_the_measures_as_json(cli: Cli) -> None:
    _workforce(cli)
    result = cli.ok("assurance", "measures", "--as-of", "2026-06-01", "--json")
    out = json.loads(result.stdout)
    assert out["as_of"] == "2026-06-01"
    found = {m["key"]: m for m in out["measures"]}
    training = found["training_current"]
    assert (training["numerator"], training["denominator"], training["value"]) == (2, 3, 66.7)
    assert training["status"] == "red" and training["area"] == "training"
    assert found["disposals_certified"]["status"] == "none"  # no disposal yet: nothing to count
    assert found["sar_overdue_open"]["count"] == 0
    # Figures only: the people behind them stay on the pages.
    assert "Bo Lapsed" not in result.stdout


def test_the_measures_as_a_table_and_a_bad_date(cli: Cli) -> None:
    assert "Staff with current mandatory training" in cli.ok("assurance", "measures").stdout
    refused = cli("assurance", "measures", "--as-of", "2026-13-01")
    assert refused.exit_code != 0
    assert "YYYY-MM-DD" in refused.stdout + refused.stderr
