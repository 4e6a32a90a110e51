"""`steward people correct|corrections|restrict|lift` against a real, committed database."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Person, PersonCorrection, PersonRestriction
from steward.records.schemas import PersonCreate
from tests.cli.conftest import Cli


def _person(cli: Cli) -> int:
    with cli.session() as db:
        person = records.create_person(
            db,
            Actor.system(),
            PersonCreate(first_name="Ava", last_name="Zielinska", date_of_birth=date(2012, 5, 1)),
        )
        return person.id


def test_correct_changes_the_person_and_keeps_the_history(cli: Cli) -> None:
    person_id = _person(cli)
    done = cli.ok(
        "people",
        "correct",
        str(person_id),
        "--date-of-birth",
        "2013-05-01",
        "--last-name",
        "Moss",
        "--identifier",
        "nhs=9434765919",
        "--reason",
        "Birth certificate seen",
        "--sar",
        "SAR-2026-00001",
    )
    assert "Corrected last_name, date_of_birth, identifier:nhs" in done.stdout
    with cli.session() as db:
        person = db.get(Person, person_id)
        assert person is not None
        assert (person.last_name, person.date_of_birth) == ("Moss", date(2013, 5, 1))
        row = db.scalar(select(PersonCorrection))
        assert row is not None and row.sar_reference == "SAR-2026-00001"
    history = json.loads(cli.ok("people", "corrections", str(person_id), "--json").stdout)
    assert history[0]["previous"]["last_name"] == "Zielinska"
    assert history[0]["reason"] == "Birth certificate seen"


def test_bad_input_is_refused_and_changes_nothing(cli: Cli) -> None:
    person_id = _person(cli)
    for args in (
        ("--date-of-birth", "2013-02-30"),
        ("--date-of-birth", "2099-01-01"),
        ("--last-name", "Zielinska"),  # nothing differs
        ("--identifier", "passport=1"),
        ("--last-name", "Moss", "--sar", "not-a-reference"),
    ):
        result = cli("people", "correct", str(person_id), *args, "--reason", "Seen")
        assert result.exit_code == 1, result.stdout
        assert result.stderr
    missing_reason = cli("people", "correct", str(person_id), "--last-name", "Moss")
    assert missing_reason.exit_code == 2
    with cli.session() as db:
        assert db.get(Person, person_id).last_name == "Zielinska"  # type: ignore[union-attr]
        assert db.scalar(select(PersonCorrection.id)) is None


def test_restrict_and_lift(cli: Cli) -> None:
    person_id = _person(cli)
    cli.ok(
        "people",
        "restrict",
        str(person_id),
        "--reason",
        "Accuracy contested",
        "--sar",
        "SAR-2026-00002",
    )
    again = cli("people", "restrict", str(person_id), "--reason", "Accuracy contested")
    assert again.exit_code == 1 and "already restricted" in again.stderr
    with cli.session() as db:
        row = db.scalar(select(PersonRestriction))
        assert row is not None and row.lifted_at is None
    cli.ok("people", "lift", str(person_id), "--reason", "Accuracy confirmed")
    with cli.session() as db:
        row = db.scalar(select(PersonRestriction))
        assert row is not None and row.lifted_at is not None
    assert cli("people", "lift", str(person_id), "--reason", "again").exit_code == 1
