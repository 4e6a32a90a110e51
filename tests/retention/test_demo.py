"""The demo: the default schedule approved, old cases due, holds, an overdue review."""

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
    numbers = {d["identifier"]: d for d in due}
    assert {"RT96P00011", "RT98C00031", "RT99C00047"} <= set(numbers)
    assert numbers["RT98C00031"]["held"] and numbers["RT99C00047"]["held"]
    assert not numbers["RT96P00011"]["held"]
    assert "RT99P00052" not in numbers  # a child's birth date is missing: it cannot be dated
    holds = json.loads(cli.ok("retention", "holds", "list", "--json").stdout)
    assert {h["kind"] for h in holds} == {"litigation", "complaint"}
    with cli.session() as db:
        built = report.build(db, Actor.system())
    assert len(built.overdue_reviews) == 1 and built.overdue_reviews[0][2] >= 2
    cli.ok("demo", "seed", "--cases", "12")  # a second run adds nothing and fails nothing
