"""`steward training report` on a real, committed database: the JSON automation reads."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from steward.core.audit import AuditEvent
from steward.training.events import TrainingEvent
from steward.training.policy import EmploymentType, RequirementKind
from tests.cli.conftest import Cli
from tests.factories.training import complete, make_course, make_requirement, make_staff


def _workforce(cli: Cli) -> None:
    with cli.session() as db:
        induction = make_course(db, code="INDUCTION", title="Induction", validity_months=None)
        refresher = make_course(db, code="DP-REFRESH", title="Data protection refresher")
        make_requirement(db, induction, kind=RequirementKind.INDUCTION, due_within_days=5)
        make_requirement(db, refresher, due_within_days=30)
        ok = make_staff(db, staff_number="E1", name="Ada Current", team="North")
        lapsed = make_staff(db, staff_number="E2", name="Bo Lapsed", team="North")
        temp = make_staff(
            db,
            staff_number="T1",
            name="Cy Temporary",
            team="South",
            employment_type=EmploymentType.TEMPORARY,
        )
        make_staff(db, staff_number="NEW", name="Di Starter", start_date=date(2026, 5, 29))
        make_staff(db, staff_number="GONE", name="Ed Leaver", leaving_date=date(2026, 5, 1))
        for person in (ok, lapsed, temp):
            complete(db, person, induction, date(2020, 1, 7))
        complete(db, ok, refresher, date(2026, 1, 10))
        complete(db, lapsed, refresher, date(2025, 5, 1))
        complete(db, temp, refresher, date(2026, 2, 1))


def test_the_report_as_json(cli: Cli) -> None:
    _workforce(cli)
    out = json.loads(cli.ok("training", "report", "--as-of", "2026-06-01", "--json").stdout)
    assert out["as_of"] == "2026-06-01"
    assert out["scope"] == "organisation"
    assert out["target"]["percent"] == 95 and "not a legal requirement" in out["target"]["label"]
    assert out["organisation"] == {
        "in_scope": 4,
        "in_window": 1,
        "counted": 3,
        "compliant": 2,
        "non_compliant": 1,
        "percent": 66.7,
    }
    assert [(t["team"], t["in_scope"], t["compliant"], t["percent"]) for t in out["teams"]] == [
        ("North", 3, 1, 50.0),
        ("South", 1, 1, 100.0),
    ]
    courses = {c["course_code"]: c for c in out["courses"]}
    assert courses["DP-REFRESH"] | {"title": None} == {
        "course_code": "DP-REFRESH",
        "title": None,
        "topic": "data_protection",
        "applies_to": 4,
        "current": 2,
        "due_soon": 0,
        "overdue": 1,
        "never_done": 0,
        "not_yet_due": 1,
        "percent": 66.7,
    }
    kinds = {k["employment_type"]: (k["in_scope"], k["compliant"]) for k in out["employment_types"]}
    assert kinds["temporary"] == (1, 1)
    assert out["non_compliant"] == [
        {
            "staff_number": "E2",
            "name": "Bo Lapsed",
            "team": "North",
            "employment_type": "permanent",
            "missing": [
                {
                    "course_code": "DP-REFRESH",
                    "course_title": "Data protection refresher",
                    "status": "overdue",
                    "due_on": "2026-05-01",
                }
            ],
        }
    ]
    assert len(out["trend"]) == 12 and out["trend"][-1]["month_end"] == "2026-05-31"
    assert out["definitions"]["organisation"].startswith("Staff in scope who are compliant")
    with cli.session() as db:
        (event,) = db.scalars(
            select(AuditEvent).where(AuditEvent.tag == TrainingEvent.REPORT_EXPORTED)
        ).all()
        assert json.loads(event.details)["format"] == "json"
        assert "Lapsed" not in event.details


def test_the_report_as_text_and_a_bad_date(cli: Cli) -> None:
    _workforce(cli)
    shown = cli.ok("training", "report", "--as-of", "2026-06-01", "--no-trend").stdout
    assert "66.7% compliant: 2 of 3" in shown
    assert "E2  Bo Lapsed: DP-REFRESH overdue since 2026-05-01" in shown
    refused = cli("training", "report", "--as-of", "2026-02-30")
    assert refused.exit_code == 1
    assert "YYYY-MM-DD" in refused.output
    too_far = cli("training", "report", "--as-of", "1990-01-01", "--json")
    assert too_far.exit_code == 1
    assert "Choose a date" in too_far.output
