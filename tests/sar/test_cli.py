"""`steward sar deadline`: the clock for automation, with readable refusals."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from steward.cli.main import app

runner = CliRunner()


def test_deadline_prints_the_due_date() -> None:
    done = runner.invoke(app, ["sar", "deadline", "--received", "2024-11-25"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "2024-12-27"


def test_deadline_with_pauses_extension_and_region_as_json() -> None:
    done = runner.invoke(
        app,
        [
            "sar",
            "deadline",
            "--received",
            "2026-03-02",
            "--pause",
            "2026-03-05:2026-03-10",
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {
        "day_one": "2026-03-02",
        "due": "2026-04-08",
        "extended": False,
        "first_deadline": "2026-04-08",
        "paused_days": 6,
        "region": "england-and-wales",
        "method": "calendar_month",
    }
    extended = runner.invoke(
        app, ["sar", "deadline", "--received", "2025-12-02", "--region", "scotland", "--extended"]
    )
    assert extended.output.strip() == "2026-03-02"


def test_bad_dates_are_refused_with_what_to_type() -> None:
    for args in (
        ["--received", "2026-02-30"],
        ["--received", "2026-03-02", "--pause", "2026-03-05"],
        ["--received", "2026-03-02", "--pause", "2026-03-10:2026-03-05"],
    ):
        done = runner.invoke(app, ["sar", "deadline", *args])
        assert done.exit_code == 1, args
        assert "YYYY-MM-DD" in done.output or "FROM:TO" in done.output or "answered" in done.output
