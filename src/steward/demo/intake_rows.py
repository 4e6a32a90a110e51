"""What the intake demo's rows say: the people and cases the case demo recorded (a
``Snapshot``), and each row of a partner's file made from them: a person as the partner knows
them, someone not yet recorded, a safeguarding check, a court order, and the faults a partner's
file has now and then. The plan that puts them in files: ``demo.intake_plan``."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from steward.demo.people import FEMALE, MALE, PeopleFactory, ascii_only
from steward.demo.places import Area
from steward.intake import datasets
from steward.intake.policy import Code

PARTY_DETAILS, SAFEGUARDING, COURT_ORDERS = "party_details", "safeguarding_checks", "court_orders"
ADULT_ROLES = ("parent", "applicant", "respondent")
Values = dict[str, str | None]


class Expect(StrEnum):
    """What a row is made to show: the pipeline decides, this is what it should decide."""

    LINK = "link"  # accepted: an exact match, linked to the recorded person
    NEW = "new"  # accepted: someone not yet recorded, created
    RECORD = "record"  # accepted: a check or an order, a document on the case
    UNCHANGED = "unchanged"  # sent before, the same: nothing recorded twice
    CONFLICT = "conflict"  # held: person.conflict
    POSSIBLE = "possible"  # held: person.possible
    DIFFERS = "differs"  # held: earlier.differs
    IMPLAUSIBLE = "implausible"  # held: dob.implausible (and the date of birth differs)
    CLOSED = "closed"  # held: case.closed
    REJECT = "reject"  # rejected: ``code`` says why


ACCEPTED = frozenset({Expect.LINK, Expect.NEW, Expect.RECORD})

# --- what the case demo recorded -----------------------------------------------------------


@dataclass(frozen=True)
class KnownPerson:
    person_id: int
    first_name: str
    middle_names: str | None
    last_name: str
    date_of_birth: date | None
    is_professional: bool
    address_withheld: bool
    nhs: str | None
    nino: str | None
    address_line: str | None  # the address lived at now
    town: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    # Nobody else recorded shares their date of birth and a name: the identity search finds
    # them alone, so an exact row links (the demo's families come back, recorded again).
    distinct: bool


@dataclass(frozen=True)
class KnownParty:
    person: KnownPerson
    role: str


@dataclass(frozen=True)
class KnownCase:
    case_number: str
    case_type: str
    court: str | None
    local_authority: str | None
    opened_on: date
    closed_on: date | None
    open: bool
    parties: tuple[KnownParty, ...] = ()  # read for open cases only


@dataclass(frozen=True)
class Snapshot:
    cases: tuple[KnownCase, ...]
    # Every NHS and National Insurance number recorded: invented ones avoid them.
    identifiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlannedRow:
    values: Values
    expect: Expect
    code: Code | None = None  # the fault of a rejected row
    person_id: int | None = None  # the recorded person it links to, or is held against


# --- the wording ----------------------------------------------------------------------------

POLICE_VIEWS = {
    "no_information": (
        "No trace on police systems. In my view there is nothing in police information "
        "to suggest a risk to the children.",
        "Nothing recorded for this person. I have no concerns to raise from police records.",
    ),
    "information_held": (
        "One domestic incident attended in {year}, no further action. In my view it is "
        "relevant background but not, on its own, a current risk.",
        "Two calls to the address in {year} about arguments. The officer's view is that "
        "these were low level and not a continuing concern.",
    ),
    "concerns_identified": (
        "Three domestic abuse incidents recorded since {year}, one ending in a caution. In my "
        "professional opinion there is a continuing risk of harm to the children.",
        "A breach of a non-molestation order reported in {year}. In my view the risk to the "
        "mother and the children remains high.",
    ),
}

COUNCIL_VIEWS = {
    "no_information": (
        "Not known to children's services. In my view no further enquiries are needed.",
        "No record held. I see no reason for the local authority to be involved.",
    ),
    "information_held": (
        "Known to children's services in {year} (early help, since closed). My view is that "
        "the family engaged well.",
        "A child in need assessment in {year}, no further action. I consider the earlier "
        "concerns resolved.",
    ),
    "concerns_identified": (
        "Child protection plan under the category of neglect from {year}. In my professional "
        "opinion the concerns have not been resolved.",
        "Section 47 enquiries in {year} after an injury to a child. My view is that the "
        "parent minimises the concerns.",
    ),
}

OUTCOMES = ("no_information", "information_held", "concerns_identified")

OUTCOME_WEIGHTS = (55, 30, 15)

FIRST_ORDERS = {
    "private_law": ("child_arrangements", "prohibited_steps", "child_arrangements"),
    "public_law": ("interim_care",),
    "adoption": ("placement",),
}

LATER_ORDERS = {
    "private_law": ("child_arrangements", "specific_issue", "prohibited_steps", "non_molestation"),
    "public_law": ("interim_care", "interim_care", "supervision"),
    "adoption": ("other",),
}

FAULTS = {
    PARTY_DETAILS: (
        Code.NHS_CHECKSUM,
        Code.FORMULA,
        Code.NINO_PREFIX,
        Code.DATE_FUTURE,
        Code.CASE_UNKNOWN,
        Code.ROW_DUPLICATE,
        Code.POSTCODE_FORMAT,
        Code.EMAIL_FORMAT,
    ),
    SAFEGUARDING: (
        Code.FORMULA,
        Code.DATE_FUTURE,
        Code.CASE_UNKNOWN,
        Code.REQUIRED,
        Code.ROW_DUPLICATE,
        Code.CHOICE,
    ),
    COURT_ORDERS: (
        Code.CASE_UNKNOWN,
        Code.DATE_FUTURE,
        Code.ROW_DUPLICATE,
        Code.CHOICE,
        Code.DATE_INVALID,
    ),
}

PARTY_ROLES = frozenset(datasets.get(PARTY_DETAILS).field("role").choices)

COUNCIL_ROLES = ("child_subject", "parent", "applicant", "respondent", "relative", "social_worker")

COURT_ROLES = ("applicant", "respondent", "solicitor")


class Rows:
    """Makes the rows' values from one random stream, never an identifier the records hold."""

    def __init__(
        self,
        rng: random.Random,
        people: PeopleFactory,
        area: Area,
        snapshot: Snapshot,
        *,
        seed: int,
        today: date,
    ) -> None:
        self.rng, self.people, self.area = rng, people, area
        self.seed, self.today = seed, today
        self.numbers = {c.case_number for c in snapshot.cases}
        self._taken = set(snapshot.identifiers)

    def person_row(
        self,
        case: KnownCase,
        party: KnownParty,
        *,
        born: date | Literal["recorded"] | None = "recorded",
    ) -> Values:
        """A party as the partner knows them: as recorded, or with ``born`` as the date of
        birth (None: not given)."""
        p = party.person
        if born == "recorded":
            born = p.date_of_birth
        withheld = p.address_withheld or p.is_professional
        return {
            "case_number": case.case_number,
            "role": party.role,
            "first_name": p.first_name,
            "middle_names": p.middle_names,
            "last_name": p.last_name,
            "date_of_birth": iso(born),
            "nhs_number": p.nhs,
            "ni_number": p.nino,
            "address_line": None if withheld else p.address_line,
            "town": None if withheld else p.town,
            "postcode": None if withheld else p.postcode,
            "phone": p.phone,
            "email": p.email,
        }

    def fresh_identifier(self, make: str) -> str:
        """An NHS (``nhs``) or National Insurance number nobody is recorded with."""
        while True:
            value = self.people.nhs_number() if make == "nhs" else self.people.nino()
            if value not in self._taken:
                self._taken.add(value)
                return value

    def new_relative(self, case: KnownCase, day: date) -> PlannedRow:
        """A grandparent or aunt the council now knows of, living elsewhere in the area."""
        people, rng = self.people, self.rng
        gender = FEMALE if rng.random() < 0.7 else MALE
        human = people.person(
            tradition=people.tradition(),
            gender=gender,
            dob=people.birthday(rng.uniform(38, 74), day),
            generation="any",
        )
        home = people.address(self.area)
        line = f"{home.line1}, {home.line2}" if home.line2 else home.line1
        values: Values = {
            "case_number": case.case_number,
            "role": "relative",
            "first_name": human.first,
            "middle_names": human.middle,
            "last_name": human.last,
            "date_of_birth": iso(human.dob),
            "nhs_number": None,
            "ni_number": self.fresh_identifier("nino") if rng.random() < 0.5 else None,
            "address_line": line,
            "town": home.town,
            "postcode": home.postcode,
            "phone": people.mobile(),
            "email": None,
        }
        return PlannedRow(values, Expect.NEW)

    def new_professional(self, case: KnownCase, role: str, domain: str) -> PlannedRow:
        """A social worker who took the case over, or a solicitor newly instructed."""
        human = self.people.person(
            tradition=self.people.tradition(),
            gender=FEMALE if self.rng.random() < 0.7 else MALE,
            dob=None,
            generation="any",
        )
        values: Values = dict.fromkeys(datasets.get(PARTY_DETAILS).columns)
        values.update(
            case_number=case.case_number,
            role=role,
            first_name=human.first,
            last_name=human.last,
            phone=self.people.landline(self.area),
            email=f"{ascii_only(human.first)}.{ascii_only(human.last)}@{domain}".lower(),
        )
        return PlannedRow(values, Expect.NEW)

    def check_row(self, case: KnownCase, person: KnownPerson, day: date, *, police: bool) -> Values:
        """A check's result with the checking professional's view (the partner's opinion)."""
        rng = self.rng
        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
        views = (POLICE_VIEWS if police else COUNCIL_VIEWS)[outcome]
        year = rng.randint(max(day.year - 8, 2010), day.year - 1)
        checked = max(day - timedelta(days=rng.randint(1, 12)), case.opened_on)
        return {
            "case_number": case.case_number,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": iso(person.date_of_birth),
            "check_type": "police_records" if police else "local_authority_records",
            "outcome": outcome,
            "checked_on": checked.isoformat(),
            "professional_view": rng.choice(views).format(year=year),
        }

    def orders_of(self, case: KnownCase) -> list[tuple[date, str]]:
        """The orders made in a case from its opening to today, the same for every file."""
        rng = random.Random(f"intake-orders-{self.seed}-{case.case_number}")  # noqa: S311
        first = FIRST_ORDERS.get(case.case_type, ("other",))
        later = LATER_ORDERS.get(case.case_type, ("other",))
        made: list[tuple[date, str]] = []
        on = case.opened_on + timedelta(days=rng.randint(14, 35))
        last = case.closed_on or self.today
        while on < last:
            made.append((weekday(on), rng.choice(later if made else first)))
            on += timedelta(days=rng.randint(60, 110))
        if case.closed_on is not None:
            final = {"public_law": "care", "adoption": "adoption"}.get(
                case.case_type, "child_arrangements"
            )
            made.append((case.closed_on, final))
        return made

    def order_row(self, case: KnownCase, on: date, kind: str) -> Values:
        return {
            "case_number": case.case_number,
            "order_type": kind,
            "order_date": on.isoformat(),
            "court": case.court or "Central Family Court",
        }

    def spoil(self, values: Values, code: Code, day: date) -> None:
        """Give a row sent on ``day`` the fault ``code`` finds, as partners' files have it."""
        rng = self.rng
        if code is Code.NHS_CHECKSUM:
            number = values.get("nhs_number") or self.fresh_identifier("nhs")
            values["nhs_number"] = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
        elif code is Code.NINO_PREFIX:
            # A temporary number (TN...) from a system that makes them up: never issued.
            values["ni_number"] = f"TN{rng.randrange(10**6):06d}{rng.choice('ABCD')}"
        elif code is Code.DATE_FUTURE:
            name = next(n for n in ("checked_on", "order_date", "date_of_birth") if n in values)
            values[name] = (day + timedelta(days=rng.randint(20, 330))).isoformat()
        elif code is Code.CASE_UNKNOWN:
            number = values["case_number"] or ""
            while number in self.numbers or not number:
                number = f"{(values['case_number'] or 'ZZ00P')[:5]}{rng.randrange(90_000, 99_999)}"
            values["case_number"] = number
        elif code is Code.FORMULA:
            if "professional_view" in values:
                values["professional_view"] = "- no trace on local systems, see attached note"
            else:  # no fixed abode, set off with dashes: a spreadsheet reads a formula
                values["address_line"] = "-- no fixed abode --"
        elif code is Code.POSTCODE_FORMAT:
            values["postcode"] = (values.get("postcode") or "M1 1AE").split()[0]
        elif code is Code.EMAIL_FORMAT:
            email = values.get("email") or f"{(values['last_name'] or 'x').lower()}@example.com"
            values["email"] = email.replace("@", " at ")
        elif code is Code.REQUIRED:
            values["date_of_birth"] = None
        elif code is Code.CHOICE:
            if "outcome" in values:
                values["outcome"] = "No trace"
            else:
                values["order_type"] = (values["order_type"] or "").replace("_", " ").title()
        elif code is Code.DATE_INVALID:
            values["order_date"] = f"{day.year}-02-30"


def weekday(day: date) -> date:
    """The day, or the Monday after it if it falls at a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def turns(faults: Sequence[Code], start: int) -> Iterator[Code]:
    """The faults in turn, each partner starting at another, so every one is shown."""
    start %= len(faults)
    return itertools.cycle((*faults[start:], *faults[:start]))


def other_birthday(born: date | None, on: date) -> date:
    """The date of birth as another record has it: day and month swapped where that is a
    date, otherwise a day out; never after ``on``."""
    assert born is not None
    if born.day <= 12 and born.day != born.month:
        swapped = date(born.year, born.day, born.month)
        if swapped <= on:
            return swapped
    other = born - timedelta(days=1) if born.day > 1 else born + timedelta(days=1)
    return other if other <= on else born - timedelta(days=1)
