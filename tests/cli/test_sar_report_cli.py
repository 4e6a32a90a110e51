"""`steward sar report --json`: the performance figures of the page, for automation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from steward.cli.runtime import keyring
from steward.core import clock
from tests.cli.conftest import Cli
from tests.sar.test_report import EXPECTED_TOTAL, arrange


def test_report_as_json_over_a_period(cli: Cli) -> None:
    with clock.frozen(datetime(2026, 4, 15, 12, tzinfo=UTC)):
        with cli.session() as db:
            arrange(db, keyring(cli.settings))

        done = cli.ok("sar", "report", "--json", "--from", "2026-01-01", "--to", "2026-03-31")
        report = json.loads(done.stdout)
        assert (report["from"], report["to"]) == ("2026-01-01", "2026-03-31")
        assert report["total"] == EXPECTED_TOTAL
        assert report["by_requester_type"]["child"]["refusals"] == 1
        assert list(report["by_month"]) == ["2026-01", "2026-02", "2026-03"]

        default = json.loads(cli.ok("sar", "report", "--json").stdout)
        assert (default["from"], default["to"]) == ("2025-05-01", "2026-04-15")
        assert default["total"]["received"] == 6

        table = cli.ok("sar", "report", "--from", "2026-01-01", "--to", "2026-03-31").stdout
        assert "data_subject" in table and "2026-03" in table

        backwards = cli("sar", "report", "--from", "2026-03-01", "--to", "2026-01-01")
        assert backwards.exit_code != 0 and "on or before" in backwards.output
        assert cli("sar", "report", "--from", "2026-02-30").exit_code != 0
