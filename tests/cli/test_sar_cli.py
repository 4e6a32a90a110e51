"""`steward sar new`, `list` and `show`: a request logged, queued and read back from the
command line, with a readable refusal of a bad file and nothing saved."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli

REQUEST = {
    "requester_type": "data_subject",
    "channel": "email",
    "received_on": "2026-01-05",
    "requester": {"full_name": "Kayleigh Marsden", "date_of_birth": "1990-04-01"},
    "description": "My records from 2004 to 2009",
}


def test_a_request_is_logged_listed_and_shown(cli: Cli) -> None:
    reference = cli.ok("sar", "new", "-", input=json.dumps(REQUEST)).stdout.strip()
    assert reference.startswith("SAR-2026-")
    listed = json.loads(cli.ok("sar", "list", "--json").stdout)
    assert listed["total"] == 1
    assert listed["requests"][0] | {"days_left": 0} == {
        "reference": reference,
        "right": "access",
        "status": "received",
        "requester_type": "data_subject",
        "received_on": "2026-01-05",
        "day_one": "2026-01-05",
        "due_on": "2026-02-05",
        "days_left": 0,
        "extended": False,
        "clock_stopped": False,
    }
    shown = json.loads(cli.ok("sar", "show", reference.lower(), "--json").stdout)
    assert shown["details"]["requester"]["full_name"] == "Kayleigh Marsden"
    assert [step["to"] for step in shown["timeline"]] == ["received"]
    assert "Marsden" not in cli.ok("sar", "list").stdout


def test_a_bad_request_file_says_what_is_wrong_and_saves_nothing(cli: Cli) -> None:
    bad = {**REQUEST, "requester_type": "parent", "received_on": "2099-01-01"}
    done = cli("sar", "new", "-", input=json.dumps(bad))
    assert done.exit_code == 1
    assert "nothing was saved" in done.stderr and "received_on" in done.stderr
    assert json.loads(cli.ok("sar", "list", "--json").stdout)["total"] == 0
    missing = cli("sar", "show", "SAR-2026-99999")
    assert missing.exit_code == 1 and "no request with that reference" in missing.stderr
