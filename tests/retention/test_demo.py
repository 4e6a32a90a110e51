"""The demo: the default schedule approved, old paper files due, holds, an overdue review."""

from __future__ import annotations

import json
from datetime import date

from steward.core.permissions import Actor
from steward.retention.service import report
from tests.cli.conftest import Cli


def test_the_demo_shows_retention_at_work(cli: Cli) -> None:
    cli.ok("demo", "seed", "--cases", "12")
    shown = json.loads(cli.ok("retention", "schedule", "show", "--json").stdout)
    assert shown["status"] == "approved" and len(shown["rules"]) == 6
    due = json.loads(
        cli.ok("retention", "due", "--as-of", date.today().isoformat(), "--json").stdout
    )
    paper = {d["identifier"] for d in due if d["kind"] == "paper_file"}
    assert len(paper) >= 3  # the old paper-only files: the youngest child is over 25
    holds = json.loads(cli.ok("retention", "holds", "list", "--json").stdout)
    assert {h["kind"] for h in holds} == {"litigation", "complaint"}
    with cli.session() as db:
        built = report.build(db, Actor.system())
    assert len(built.overdue_reviews) == 1 and built.overdue_reviews[0][2] >= 3
    cli.ok("demo", "seed", "--cases", "12")  # a second run adds nothing and fails nothing
    assert len(json.loads(cli.ok("retention", "holds", "list", "--json").stdout)) == 2
