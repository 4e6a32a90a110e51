"""A partner's party-details file for the rules benchmark, fixed seed (Faker ``en_GB`` lists).

Shape: ``rows`` rows of the ``party_details`` data set as a local authority would send them:
cases of three to five people (children, parents, applicants and respondents, relatives and
the professionals), names from Faker's lists (bench/data/people_pools.py), dates of birth
that fit each role, written ISO or day-first; NHS numbers with a true check digit (some
spaced), NI numbers for adults with allowed prefixes, addresses on real-shaped postcode
units, phones in the forms Ofcom keeps for drama, e-mails; optional fields often empty.

Faults: a share of rows (``FAULT_RATE`` for each kind, about 1.5%) carries exactly one fault,
so every rule's count is known before either side runs (``Generated.planted``): an NHS
number with a wrong check digit or nine digits; an NI number with a prefix never issued or a
suffix past D; a postcode that is not one; a date of birth in the future, one that does not
exist, and a child aged forty; a formula in a name or address; a missing surname; a role not
in the list; a bad phone and e-mail; a first name too long; and rows repeating an earlier
clean row, half of them written differently (the date the other way round, the postcode
without its space, the role in capitals), which the rules see as the same row.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from bench.data.people_pools import NamePools, Unit, make_units
from steward.intake import datasets

DEFAULT_SEED = 20_260_115
TODAY = date(2026, 1, 15)  # the day the file is checked: dates after it are in the future
FAULT_RATE = 0.015
DATASET = "party_details"

ROLES = (
    ("child_subject", 34),
    ("parent", 26),
    ("applicant", 8),
    ("respondent", 8),
    ("relative", 10),
    ("intervenor", 2),
    ("social_worker", 8),
    ("solicitor", 4),
)
AGES = {  # the ages generated for each role (inside policy.AGE_LIMITS)
    "child_subject": (0, 17),
    "parent": (17, 60),
    "applicant": (18, 75),
    "respondent": (18, 75),
    "relative": (0, 90),
    "intervenor": (18, 80),
    "social_worker": (22, 65),
    "solicitor": (24, 70),
}
# Fault kinds, each the rule code the row must meet (one fault a row).
FAULTS = (
    "nhs.checksum",
    "nhs.format",
    "nino.prefix",
    "nino.format",
    "postcode.format",
    "date.future",
    "date.invalid",
    "dob.implausible",
    "cell.formula",
    "field.required",
    "field.choice",
    "phone.format",
    "email.format",
    "field.too_long",
    "row.duplicate",
)
NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # letters allowed first (policy.NINO_FIRST_NEVER left out)
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # and second (policy.NINO_SECOND_NEVER left out)
NINO_NEVER_PAIRS = ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")
BAD_NINO_PREFIXES = ("QQ", "DA", "FA", "AO", "AV", *NINO_NEVER_PAIRS)
BAD_POSTCODES = ("LS1 4AC", "QS1 4AP", "LS1", "12345", "SW1A 1A", "EC1A1BBB", "W1 1KK")
BAD_PHONES = ("12345", "+1 212 555 0100", "020 7946", "0207946000000", "07700 900 12a")
BAD_EMAILS = ("jane.example.org", "jane@example", "jane smith@example.org", "jane@@example.org")
FORMULAS = ('=HYPERLINK("http://x","click")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3")
BAD_ROLES = ("grandmother", "child", "guardian", "foster carer")
BAD_DATES = ("2019-02-30", "31/04/2012", "2011-13-01", "29/02/2015", "1990-00-10")


@dataclass(frozen=True)
class Generated:
    data: bytes
    rows: int
    planted: dict[str, int]  # rule code -> cells (rows, for the row-level ones) that meet it


def _nhs(rng: Random, *, valid: bool = True) -> str:
    while True:
        nine = [rng.randint(0, 9) for _ in range(9)]
        check = (11 - sum(d * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            break
    last = check if valid else (check + rng.randint(1, 9)) % 10
    digits = "".join(map(str, nine)) + str(last)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if rng.random() < 0.3 else digits


def _nino(rng: Random) -> str:
    while True:
        prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if prefix not in NINO_NEVER_PAIRS:
            break
    digits = f"{rng.randint(0, 999_999):06d}"
    suffix = rng.choice("ABCD")
    if rng.random() < 0.3:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def _phone(rng: Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return f"07700 900{rng.randint(0, 999):03d}"
    if kind < 0.8:
        return f"020 7946 0{rng.randint(0, 999):03d}"
    return f"+44 7700 900{rng.randint(0, 999):03d}"


def _ascii(name: str) -> str:
    """A name as a mailbox has it: Seán O'Brien-Smith as sean.obriensmith."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _date_text(rng: Random, day: date) -> str:
    return day.strftime("%d/%m/%Y") if rng.random() < 0.2 else day.isoformat()


class _Rows:
    def __init__(self, rows: int, seed: int) -> None:
        self.rng = Random(seed)
        self.pools = NamePools(self.rng)
        self.units: list[Unit] = make_units(self.rng, self.pools, max(50, rows // 12))
        self.roles = [r for r, _ in ROLES]
        self.role_weights = [w for _, w in ROLES]

    def _dob(self, role: str) -> date:
        low, high = AGES[role]
        age_days = self.rng.randint(low * 365 + 1, high * 365 + 300)
        return TODAY - timedelta(days=age_days)

    def clean(self, case: str, unit: Unit, last: str) -> dict[str, str]:
        rng = self.rng
        role = rng.choices(self.roles, weights=self.role_weights)[0]
        female = rng.random() < 0.5
        group = self.pools.group()
        first = self.pools.first(group, female)
        if role in ("social_worker", "solicitor"):
            last = self.pools.last(group)
        dob = self._dob(role)
        adult = (TODAY - dob).days >= 16 * 365
        row = {
            "case_number": case,
            "role": role,
            "first_name": first,
            "middle_names": self.pools.first(group, female) if rng.random() < 0.3 else "",
            "last_name": last,
            "date_of_birth": _date_text(rng, dob) if rng.random() < 0.92 else "",
            "nhs_number": _nhs(rng) if rng.random() < 0.7 else "",
            "ni_number": _nino(rng) if adult and rng.random() < 0.6 else "",
            "address_line": f"{rng.randint(1, 240)} {unit.street}",
            "town": unit.town,
            "postcode": unit.postcode if rng.random() < 0.92 else "",
            "phone": _phone(rng) if rng.random() < 0.6 else "",
            "email": (
                f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.org"
                if rng.random() < 0.4
                else ""
            ),
        }
        return row

    def fault(self, kind: str, row: dict[str, str]) -> None:
        rng = self.rng
        match kind:
            case "nhs.checksum":
                row["nhs_number"] = _nhs(rng, valid=False)
            case "nhs.format":
                row["nhs_number"] = _nhs(rng).replace(" ", "")[:9]
            case "nino.prefix":
                row["ni_number"] = rng.choice(BAD_NINO_PREFIXES) + _nino(rng).replace(" ", "")[2:]
            case "nino.format":
                row["ni_number"] = _nino(rng).replace(" ", "")[:8] + rng.choice("EFXZ")
            case "postcode.format":
                row["postcode"] = rng.choice(BAD_POSTCODES)
            case "date.future":
                row["date_of_birth"] = _date_text(rng, TODAY + timedelta(days=rng.randint(1, 900)))
            case "date.invalid":
                row["date_of_birth"] = rng.choice(BAD_DATES)
            case "dob.implausible":
                row["role"] = "child_subject"
                row["date_of_birth"] = _date_text(rng, TODAY - timedelta(days=40 * 365 + 10))
            case "cell.formula":
                field = rng.choice(("first_name", "address_line", "town"))
                row[field] = rng.choice(FORMULAS)
            case "field.required":
                row["last_name"] = ""
            case "field.choice":
                row["role"] = rng.choice(BAD_ROLES)
                row["date_of_birth"] = ""  # no role, no age to judge: one fault only
            case "phone.format":
                row["phone"] = rng.choice(BAD_PHONES)
            case "email.format":
                row["email"] = rng.choice(BAD_EMAILS)
            case "field.too_long":
                row["first_name"] = "Anne-" * 20 + "Marie"
            case _:
                raise ValueError(kind)

    def restyled(self, row: dict[str, str]) -> dict[str, str]:
        """The same row as another system might write it: the rules normalise it back."""
        copy = dict(row)
        if self.rng.random() < 0.5:
            return copy
        dob = copy["date_of_birth"]
        if dob:
            day = (
                date.fromisoformat(dob)
                if "-" in dob
                else date(int(dob[6:]), int(dob[3:5]), int(dob[:2]))
            )
            copy["date_of_birth"] = day.isoformat() if "/" in dob else day.strftime("%d/%m/%Y")
        copy["postcode"] = copy["postcode"].replace(" ", "").lower()
        copy["role"] = copy["role"].upper()
        return copy


def generate(
    rows: int,
    seed: int = DEFAULT_SEED,
    person_for: Callable[[dict[str, str]], None] | None = None,
) -> Generated:
    """``rows`` party-details rows, about ``FAULT_RATE`` of them with each fault kind.
    ``person_for`` may rewrite who a clean row is about (bench/data/intake_full.py makes some
    rows about recorded persons); it is called before the row can be repeated, and draws from
    a generator of its own, so the file is otherwise the same."""
    maker = _Rows(rows, seed)
    rng = maker.rng
    columns = datasets.get(DATASET).columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    planted: Counter[str] = Counter()
    clean_rows: list[dict[str, str]] = []
    written = 0
    case_no = 0
    while written < rows:
        case_no += 1
        case = f"FC-{2016 + case_no % 10}-{case_no:07d}"
        unit = rng.choice(maker.units)
        family = maker.pools.last(maker.pools.group())
        for _ in range(rng.randint(3, 5)):
            if written >= rows:
                break
            draw = rng.random()
            kind = FAULTS[int(draw / FAULT_RATE)] if draw < FAULT_RATE * len(FAULTS) else None
            if kind == "row.duplicate" and clean_rows:
                row = maker.restyled(rng.choice(clean_rows))
            else:
                row = maker.clean(case, unit, family)
                if kind is not None and kind != "row.duplicate":
                    maker.fault(kind, row)
                elif kind is None:
                    if person_for is not None:
                        person_for(row)
                    clean_rows.append(row)
                    if len(clean_rows) > 5_000:  # repeats come from the recent rows
                        clean_rows.pop(0)
            if kind is not None and (kind != "row.duplicate" or clean_rows):
                planted[kind] += 1
            writer.writerow([row[c] for c in columns])
            written += 1
    return Generated(
        data=out.getvalue().encode(), rows=written, planted=dict(sorted(planted.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="print a generated party-details file")
    parser.add_argument("rows", type=int, nargs="?", default=20)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    made = generate(args.rows, args.seed)
    sys.stdout.write(made.data.decode())
    print(made.planted, file=sys.stderr)


if __name__ == "__main__":
    main()
