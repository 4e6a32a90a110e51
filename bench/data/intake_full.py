"""A partner's party-details file about an organisation that already holds many persons: the
input of the full-intake benchmark (bench/intake_full.py).

The rows are those of the rules benchmark (bench/data/intake.py: the same generator, the same
fault kinds at the same rate), except that some clean rows about a family member are rewritten
to be about a person the organisation already holds, taken from the person index the
benchmark loads (bench/data/people.py's ``records.csv``):

- ``KNOWN`` of them exactly as recorded (names, date of birth, postcode, address): the
  intake should link them to that person, not make a second record;
- ``CONFLICTING`` of them with the date of birth a year out: the same person on the evidence
  with a different date of birth, which the intake must hold for an officer.

Only persons held by one record of the index are used (a person held twice is several exact
matches: a possible match, also held), each at most once, with a role their age fits.
Professionals' rows are left as they are. The rest are new persons.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from random import Random

from bench.data import intake

KNOWN = 0.35
CONFLICTING = 0.08
SEED = 20_261_203
PARTIES = frozenset({"child_subject", "parent", "applicant", "respondent", "relative"})


@dataclass(frozen=True)
class Held:
    first_name: str
    middle_names: str
    last_name: str
    dob: date
    postcode: str
    address_line: str
    town: str


@dataclass(frozen=True)
class FullFile:
    data: bytes
    rows: int
    case_numbers: list[str]
    about: dict[str, int]  # persons rows were rewritten to be about: known, conflicting
    planted: dict[str, int]  # the rule faults, as bench/data/intake.py planted them


def held_once(records_csv: Path, truth_csv: Path) -> list[Held]:
    """The persons of the index held by exactly one record with a date of birth, a postcode and
    an address, in the file's order."""
    with truth_csv.open(newline="") as f:
        per_person = Counter(row["person_key"] for row in csv.DictReader(f))
    with truth_csv.open(newline="") as f:
        single = {
            row["record_id"] for row in csv.DictReader(f) if per_person[row["person_key"]] == 1
        }
    held: list[Held] = []
    with records_csv.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["record_id"] not in single or not (row["dob"] and row["postcode"]):
                continue
            line, _, town = row["address"].partition(", ")
            if not town:
                continue
            held.append(
                Held(
                    row["first_name"],
                    row["middle_names"],
                    row["last_name"],
                    date.fromisoformat(row["dob"]),
                    row["postcode"],
                    line,
                    town,
                )
            )
    return held


def _role(age: int) -> str | None:
    if age < 17:
        return "child_subject"
    if age <= 60:
        return "parent"
    if age <= 75:
        return "respondent"
    return "relative" if age <= 90 else None


class _Rewriter:
    def __init__(self, held: list[Held], today: date, seed: int) -> None:
        self.rng = Random(seed)
        self.held = held
        self.rng.shuffle(self.held)
        self.today = today
        self.about: Counter[str] = Counter()

    def __call__(self, row: dict[str, str]) -> None:
        if row["role"] not in PARTIES or not self.held:
            return
        draw = self.rng.random()
        if draw >= KNOWN + CONFLICTING:
            return
        person = self.held.pop()
        age = (self.today - person.dob).days // 365
        role = _role(age)
        if role is None:
            return
        dob = person.dob
        if draw >= KNOWN:
            dob = dob.replace(year=dob.year - 1, day=min(dob.day, 28))
            self.about["conflicting"] += 1
        else:
            self.about["known"] += 1
        row.update(
            role=role,
            first_name=person.first_name,
            middle_names=person.middle_names,
            last_name=person.last_name,
            date_of_birth=dob.isoformat(),
            postcode=person.postcode,
            address_line=person.address_line,
            town=person.town,
            ni_number=row["ni_number"] if age >= 16 else "",
        )


def generate(rows: int, held: list[Held], today: date, seed: int = SEED) -> FullFile:
    rewrite = _Rewriter(list(held), today, seed)
    made = intake.generate(rows, intake.DEFAULT_SEED, person_for=rewrite)
    numbers = sorted(
        {row["case_number"] for row in csv.DictReader(made.data.decode().splitlines())}
    )
    return FullFile(made.data, made.rows, numbers, dict(rewrite.about), made.planted)
