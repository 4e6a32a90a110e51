"""The full-intake benchmark's file: rows rewritten to be about persons the organisation
holds are exactly as held (so the intake should link them) or a year out (a conflict), each
person used once, in a role their age fits; the rules benchmark's faults are all still there."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime

from bench.data import intake, intake_full

from steward.intake import datasets, reading, rules
from steward.intake.policy import FileFormat

TODAY = date(2026, 12, 3)


def _held(n: int) -> list[intake_full.Held]:
    return [
        intake_full.Held(
            f"Held{i}",
            "",
            f"Person{i}",
            date(1960 + i % 60, 1 + i % 12, 1 + i % 28),
            f"LS{1 + i % 9} {i % 10}AB",
            f"{i} High Street",
            "Leeds",
        )
        for i in range(n)
    ]


def _compact(postcode: str) -> str:
    return postcode.replace(" ", "").upper()


def _day(text: str) -> date:
    return date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%d/%m/%Y").date()


def test_rows_about_held_persons_are_as_held_or_a_year_out() -> None:
    held = _held(400)
    made = intake_full.generate(1_000, held, TODAY)
    by_name = {(h.first_name, h.last_name): h for h in held}
    rows = list(csv.DictReader(made.data.decode().splitlines()))
    about = [r for r in rows if (r["first_name"], r["last_name"]) in by_name]
    counts: Counter[str] = Counter()
    for row in about:
        person = by_name[(row["first_name"], row["last_name"])]
        # A row repeated as a fault may be restyled (postcode case and spacing, date format).
        assert (_compact(row["postcode"]), row["address_line"], row["town"]) == (
            _compact(person.postcode),
            person.address_line,
            person.town,
        )
        dob = _day(row["date_of_birth"])
        counts["known" if dob == person.dob else "conflicting"] += 1
        if dob != person.dob:
            assert dob.year == person.dob.year - 1
    # Each person is used once (a row repeated as a fault repeats its person too).
    assert len({(r["first_name"], r["last_name"]) for r in about}) == sum(made.about.values())
    assert counts["known"] >= made.about["known"] > 0
    assert counts["conflicting"] >= made.about["conflicting"] > 0
    assert set(made.case_numbers) == {r["case_number"] for r in rows}


def test_the_rule_faults_are_still_found() -> None:
    made = intake_full.generate(1_000, _held(400), TODAY)
    dataset = datasets.get(intake.DATASET)
    table = reading.read_table(made.data, file_format=FileFormat.CSV, dataset=dataset)
    found = Counter(i.code.value for i in rules.check(table, dataset, today=intake.TODAY))
    assert dict(found) == made.planted
