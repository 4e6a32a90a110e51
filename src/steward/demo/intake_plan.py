"""The intake demo planned with no database: three partners, their contacts and data-sharing
agreements, and a year of the files they sent, row by row, made from what the case demo
recorded (a ``Snapshot`` that ``demo.intake`` reads from the records tables) and the seed.

The same snapshot, seed and day give the same plan. What it is made to show:

* a local authority (the area with the most open demo cases), sending party details every
  month from its own account (``partner``) and safeguarding check results every other month,
  as CSV and as Excel workbooks; HM Courts & Tribunals Service's family courts sending court
  order notifications every month (a nightly feed, CSV with day-first dates) and party
  details every quarter; the area's police force sending safeguarding checks every month as
  JSON, received by secure email and uploaded by the IG officer. The police's first
  agreement ended half a year ago and a renewed one took over;
* rows about the demo's own open cases and the people recorded in them: exact matches that
  link to the recorded person, relatives and professionals not yet recorded who are created,
  checks and orders recorded as documents on the case;
* rows held for the IG officer: the same person with another date of birth or NHS number
  (``person.conflict``), a person sent without a date of birth or a check on someone who is
  not a party (``person.possible``), a fact sent again with another value
  (``earlier.differs``), a child's date of birth typed a generation out
  (``dob.implausible``), an order for a case closed since (``case.closed``);
* a few percent of rows with faults the partner must correct, a different one each time:
  NHS check digit, National Insurance prefix, dates in the future or impossible, unknown case
  numbers, a cell a spreadsheet would run as a formula, a repeated row, a bad postcode or
  email, a missing date of birth, a value not in the list;
* a partner sending what it sent before (nothing recorded twice).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from faker import Faker

from steward.demo.intake_rows import (
    ACCEPTED,
    ADULT_ROLES,
    COUNCIL_ROLES,
    COURT_ORDERS,
    COURT_ROLES,
    FAULTS,
    PARTY_DETAILS,
    PARTY_ROLES,
    SAFEGUARDING,
    Expect,
    KnownCase,
    KnownParty,
    KnownPerson,
    PlannedRow,
    Rows,
    Snapshot,
    other_birthday,
    turns,
    weekday,
)
from steward.demo.people import FEMALE, MALE, PeopleFactory, ascii_only
from steward.demo.places import AREAS, Area
from steward.intake.policy import Code, FileFormat, LawfulBasis, PartnerKind

MONTHS = 12
# The register was set up in Steward this many days before the seed; the files came after.
REGISTERED_DAYS = 380
# The police force's renewed agreement was recorded this many days before the seed.
POLICE_RENEWED_DAYS = 190
# How many cases a month's file introduces at most, and rows of checks and orders at most.
CASES_PER_FILE = 8
CHECKS_PER_FILE = 8
ORDERS_PER_FILE = 15
# The share of a file's good rows given a fault, about (each file a different fault).
FAULTY = 0.04


class Sender(StrEnum):
    """Who uploads a partner's files."""

    ACCOUNT = "account"  # the partner's own account: the demo's `partner`
    OFFICER = "officer"  # sent by secure email and uploaded by the IG officer
    SYSTEM = "system"  # an automated feed (`steward intake submit`)


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactPlan:
    name: str
    email: str
    job_title: str


@dataclass(frozen=True)
class AgreementPlan:
    reference: str
    title: str
    lawful_basis: LawfulBasis
    statutory_power: str
    special_category_condition: str | None
    datasets: tuple[str, ...]
    retention_months: int
    starts_on: date
    recorded_on: date
    ends_on: date | None = None
    ended_on: date | None = None  # the day its end was recorded


@dataclass(frozen=True)
class PartnerPlan:
    code: str
    name: str
    kind: PartnerKind
    sender: Sender
    contacts: tuple[ContactPlan, ...]
    agreements: tuple[AgreementPlan, ...]


@dataclass(frozen=True)
class PlannedSubmission:
    partner: str  # its code
    dataset: str
    at: datetime
    file_format: FileFormat
    filename: str
    rows: tuple[PlannedRow, ...]
    day_first: bool = False  # dates written DD/MM/YYYY

    @property
    def on(self) -> date:
        return self.at.date()


def _slug(text: str) -> str:
    return "-".join(ascii_only(word).lower() for word in text.split() if ascii_only(word))


def choose_area(snapshot: Snapshot) -> Area:
    """The area whose local authority has the most open demo cases (the first listed on a
    tie): its council, family court and police force are the partners."""
    open_by_la = Counter(c.local_authority for c in snapshot.cases if c.open)
    return max(AREAS, key=lambda a: (open_by_la[a.local_authority], -AREAS.index(a)))


# Professional views, kept as the partner's opinion (the data set's opinion field).
# The faults each data set's files show, in turn.


@dataclass
class _Sent:
    """What one partner sent of one data set so far, for resends and follow-ups."""

    cases: set[str] = field(default_factory=set)  # introduced (parties) or checked
    good: list[PlannedRow] = field(default_factory=list)  # rows meant to be accepted
    persons: set[int] = field(default_factory=set)  # held against or checked already
    until: date | None = None  # the day of the last file (court orders: sent up to)


class IntakePlan:
    """The partners and a year of their files (see the module's docstring)."""

    def __init__(self, snapshot: Snapshot, *, today: date, seed: int) -> None:
        self.snapshot = snapshot
        self.today = today
        self.seed = seed
        self.rng = random.Random(f"intake-{seed}-{today}")  # noqa: S311 - reproducible
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.fake = fake
        self.people = PeopleFactory(self.rng, fake)
        self.area = choose_area(snapshot)
        self.rows = Rows(self.rng, self.people, self.area, snapshot, seed=seed, today=today)
        self.registered_on = today - timedelta(days=REGISTERED_DAYS)
        self._history: dict[tuple[str, str], _Sent] = {}
        self._faults: dict[tuple[str, str], Iterator[Code]] = {}
        self._owed: dict[tuple[str, str], float] = {}
        self.partners = self._partners()
        self.submissions = sorted(self._submissions(), key=lambda s: s.at)

    # --- the register ------------------------------------------------------------------

    @property
    def council(self) -> PartnerPlan:
        return self.partners[0]

    @property
    def court(self) -> PartnerPlan:
        return self.partners[1]

    @property
    def police(self) -> PartnerPlan:
        return self.partners[2]

    def _contact(self, domain: str, title: str) -> ContactPlan:
        human = self.people.person(
            tradition=self.people.tradition(),
            gender=self.rng.choice((FEMALE, MALE)),
            dob=None,
            generation="adult",
        )
        local = f"{ascii_only(human.first)}.{ascii_only(human.last)}".lower()
        return ContactPlan(f"{human.first} {human.last}", f"{local}@{domain}", title)

    def _partners(self) -> list[PartnerPlan]:
        area, today = self.area, self.today
        la = _slug(area.short_name)
        initials = "".join(word[0] for word in area.police.split() if word[0].isupper())
        renewed = today - timedelta(days=POLICE_RENEWED_DAYS)
        safeguarding_condition = (
            "Data Protection Act 2018, Schedule 1, Part 2, paragraph 18 (safeguarding of "
            "children and of individuals at risk)"
        )
        council = PartnerPlan(
            code=f"LA-{la.upper()}",
            name=area.local_authority,
            kind=PartnerKind.LOCAL_AUTHORITY,
            sender=Sender.ACCOUNT,
            contacts=(
                self._contact(f"{la}-council.example", "Information governance lead"),
                self._contact(f"{la}-childrens.example", "Principal social worker"),
            ),
            agreements=(
                AgreementPlan(
                    reference=f"DSA-{today.year - 2}-031",
                    title=f"Information sharing with {area.short_name} children's services",
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                    statutory_power="Children Act 1989, s.7 and s.47; Children Act 2004, s.11; "
                    "Criminal Justice and Court Services Act 2000, s.12",
                    special_category_condition=safeguarding_condition,
                    datasets=(PARTY_DETAILS, SAFEGUARDING),
                    retention_months=24,
                    starts_on=date(today.year - 2, 4, 1),
                    recorded_on=self.registered_on,
                ),
            ),
        )
        court = PartnerPlan(
            code="HMCTS-FAMILY",
            name="HM Courts & Tribunals Service (family courts)",
            kind=PartnerKind.COURT,
            sender=Sender.SYSTEM,
            contacts=(self._contact("justice.example", "Family business data manager"),),
            agreements=(
                AgreementPlan(
                    reference=f"DSA-{today.year - 2}-004",
                    title="Court order notifications and parties to family proceedings",
                    lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
                    statutory_power="Criminal Justice and Court Services Act 2000, s.12; "
                    "Family Procedure Rules 2010, Part 12 and Practice Direction 12B",
                    special_category_condition=None,
                    datasets=(COURT_ORDERS, PARTY_DETAILS),
                    retention_months=12,
                    starts_on=date(today.year - 2, 1, 6),
                    recorded_on=self.registered_on,
                ),
            ),
        )
        police_domain = f"{_slug(area.police)}.police.example"
        police = PartnerPlan(
            code=f"POL-{initials}",
            name=area.police,
            kind=PartnerKind.POLICE,
            sender=Sender.OFFICER,
            contacts=(
                self._contact(police_domain, "Public protection unit manager"),
                self._contact(police_domain, "Data protection officer"),
            ),
            agreements=(
                AgreementPlan(
                    reference=f"DSA-{today.year - 4}-007",
                    title="Police safeguarding checks for family court cases",
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                    statutory_power="Children Act 2004, s.11; "
                    "Criminal Justice and Court Services Act 2000, s.12",
                    special_category_condition=None,
                    datasets=(SAFEGUARDING,),
                    retention_months=12,
                    starts_on=date(today.year - 4, 10, 1),
                    recorded_on=self.registered_on,
                    ends_on=renewed + timedelta(days=13),
                    ended_on=renewed,
                ),
                # Renewed after a review: criminal offence data named, kept longer.
                AgreementPlan(
                    reference=f"DSA-{renewed.year}-019",
                    title="Police safeguarding checks for family court cases (renewed)",
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                    statutory_power="Children Act 2004, s.11; Crime and Disorder Act 1998, "
                    "s.115; Criminal Justice and Court Services Act 2000, s.12",
                    special_category_condition=f"{safeguarding_condition}; criminal offence "
                    "data under Article 10 and section 10(5)",
                    datasets=(SAFEGUARDING,),
                    retention_months=18,
                    starts_on=renewed + timedelta(days=14),
                    recorded_on=renewed,
                ),
            ),
        )
        return [council, court, police]

    # --- the files ---------------------------------------------------------------------

    def _day(self, month: int, offset: int) -> date:
        """Month 0 is the oldest of the year, ``MONTHS - 1`` last month."""
        return weekday(self.today - timedelta(days=30 * (MONTHS - 1 - month) + 14 - offset))

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, time(9), tzinfo=UTC) + timedelta(
            minutes=self.rng.randrange(0, 7 * 60)
        )

    def _submissions(self) -> Iterator[PlannedSubmission]:
        council, court, police = self.partners
        for month in range(MONTHS):
            yield from self._council_parties(council, month, self._day(month, 0))
            if month % 2 == 1:
                yield from self._checks(council, month, self._day(month, 3))
            yield from self._checks(police, month, self._day(month, 6))
            yield from self._orders(court, month, self._day(month, 9))
            if month % 3 == 1:
                yield from self._court_parties(court, month, self._day(month, 11))

    def _sent(self, partner: PartnerPlan, dataset: str) -> _Sent:
        return self._history.setdefault((partner.code, dataset), _Sent())

    def _in_scope(self, partner: PartnerPlan, case: KnownCase) -> bool:
        if partner.kind is PartnerKind.LOCAL_AUTHORITY:
            return case.local_authority == self.area.local_authority
        if partner.kind is PartnerKind.POLICE:
            forces = {a.local_authority for a in AREAS if a.police == self.area.police}
            return case.local_authority in forces
        return True

    def _open_cases(self, partner: PartnerPlan, until: date) -> list[KnownCase]:
        return [
            c
            for c in self.snapshot.cases
            if c.open and c.opened_on <= until and self._in_scope(partner, c)
        ]

    def _submission(
        self,
        partner: PartnerPlan,
        dataset: str,
        day: date,
        rows: list[PlannedRow],
        file_format: FileFormat,
        *,
        day_first: bool = False,
    ) -> Iterator[PlannedSubmission]:
        if not rows:
            return
        rows = self._with_faults(partner, dataset, day, rows)
        stem = {PARTY_DETAILS: "parties", SAFEGUARDING: "checks", COURT_ORDERS: "orders"}
        filename = f"{partner.code.lower()}-{stem[dataset]}-{day:%Y-%m-%d}.{file_format.value}"
        sent = self._sent(partner, dataset)
        sent.good += [r for r in rows if r.expect in ACCEPTED]
        sent.until = day
        yield PlannedSubmission(
            partner.code,
            dataset,
            self._at(day),
            file_format,
            filename,
            tuple(rows),
            day_first,
        )

    # --- party details ---------------------------------------------------------------------

    def _linkable(self, party: KnownParty, roles: Sequence[str]) -> bool:
        p = party.person
        if party.role not in roles:
            return False
        if p.is_professional:
            return bool(p.email or p.phone)
        return p.distinct and p.date_of_birth is not None

    def _family_rows(self, case: KnownCase, roles: Sequence[str]) -> list[PlannedRow]:
        return [
            PlannedRow(
                self.rows.person_row(case, party), Expect.LINK, person_id=party.person.person_id
            )
            for party in case.parties
            if self._linkable(party, roles)
        ]

    def _candidates(
        self, cases: Sequence[KnownCase], used: set[int]
    ) -> list[tuple[KnownCase, KnownParty]]:
        return [
            (case, party)
            for case in cases
            for party in case.parties
            if not party.person.is_professional
            and party.person.distinct
            and party.person.date_of_birth is not None
            and party.role in PARTY_ROLES
            and party.person.person_id not in used
        ]

    def _held_parties(
        self, partner: PartnerPlan, month: int, day: date, cases: Sequence[KnownCase]
    ) -> list[PlannedRow]:
        """The council's rows an officer must look at, a few a month, by month."""
        sent = self._sent(partner, PARTY_DETAILS)
        pool = self._candidates(cases, sent.persons)
        rows: list[PlannedRow] = []

        def take(want: bool = False) -> tuple[KnownCase, KnownParty] | None:
            chosen = [(c, p) for c, p in pool if not want or p.person.nhs]
            if not chosen:
                return None
            picked = self.rng.choice(chosen)
            pool.remove(picked)
            sent.persons.add(picked[1].person.person_id)
            return picked

        if month in (1, 4, 7, 10) and (found := take()):
            case, party = found
            born = other_birthday(party.person.date_of_birth, day)
            rows.append(
                PlannedRow(
                    self.rows.person_row(case, party, born=born),
                    Expect.CONFLICT,
                    person_id=party.person.person_id,
                )
            )
        if month in (2, 8) and (found := take(want=True)):
            case, party = found
            values = self.rows.person_row(case, party)
            values["nhs_number"] = self.rows.fresh_identifier("nhs")
            rows.append(PlannedRow(values, Expect.CONFLICT, person_id=party.person.person_id))
        if month in (3, 11) and (found := take()):
            case, party = found
            rows.append(
                PlannedRow(
                    self.rows.person_row(case, party, born=None),
                    Expect.POSSIBLE,
                    person_id=party.person.person_id,
                )
            )
        if month == 6:
            children = [(c, p) for c, p in pool if p.role == "child_subject"]
            if children:
                case, party = self.rng.choice(children)
                sent.persons.add(party.person.person_id)
                recorded = party.person.date_of_birth
                assert recorded is not None
                typed = date(recorded.year - 30, recorded.month, min(recorded.day, 28))
                rows.append(
                    PlannedRow(
                        self.rows.person_row(case, party, born=typed),
                        Expect.IMPLAUSIBLE,
                        person_id=party.person.person_id,
                    )
                )
        if month in (5, 9):
            moved = [
                r
                for r in sent.good
                if r.expect is Expect.LINK and r.values.get("address_line") and r.person_id
            ]
            if moved:
                earlier = self.rng.choice(moved)
                home = self.people.address(self.area)
                values = dict(earlier.values)
                values.update(address_line=home.line1, town=home.town, postcode=home.postcode)
                rows.append(PlannedRow(values, Expect.DIFFERS, person_id=earlier.person_id))
        return rows

    def _council_parties(
        self, council: PartnerPlan, month: int, day: date
    ) -> Iterator[PlannedSubmission]:
        sent = self._sent(council, PARTY_DETAILS)
        known = self._open_cases(council, day - timedelta(days=5))
        new = [c for c in known if c.case_number not in sent.cases][:CASES_PER_FILE]
        domain = f"{_slug(self.area.short_name)}-childrens.example"
        earlier = [c for c in known if c.case_number in sent.cases]
        rows: list[PlannedRow] = []
        for case in new:
            sent.cases.add(case.case_number)
            rows += self._family_rows(case, COUNCIL_ROLES)
            if self.rng.random() < 0.35:
                rows.append(self.rows.new_relative(case, day))
        introduced = [c for c in known if c.case_number in sent.cases]
        if introduced and self.rng.random() < 0.4:
            rows.append(
                self.rows.new_professional(self.rng.choice(introduced), "social_worker", domain)
            )
        if not new and introduced and self.rng.random() < 0.5:
            rows.append(self.rows.new_relative(self.rng.choice(introduced), day))
        if month in (4, 10) and sent.good:
            # The council's system sends a family again: nothing is recorded twice.
            again = self.rng.sample(sent.good, min(3, len(sent.good)))
            rows += [PlannedRow(r.values, Expect.UNCHANGED, person_id=r.person_id) for r in again]
        rows += self._held_parties(council, month, day, earlier)
        self.rng.shuffle(rows)
        workbook = month in (2, 7)  # filled in by hand those months
        yield from self._submission(
            council,
            PARTY_DETAILS,
            day,
            rows,
            FileFormat.XLSX if workbook else FileFormat.CSV,
        )

    def _court_parties(
        self, court: PartnerPlan, month: int, day: date
    ) -> Iterator[PlannedSubmission]:
        """Applicants, respondents and their solicitors of new private law applications."""
        sent = self._sent(court, PARTY_DETAILS)
        new = [
            c
            for c in self._open_cases(court, day - timedelta(days=7))
            if c.case_type == "private_law"
            and c.case_number not in sent.cases
            and c.opened_on > day - timedelta(days=120)
        ][:5]
        rows: list[PlannedRow] = []
        for case in new:
            sent.cases.add(case.case_number)
            rows += self._family_rows(case, COURT_ROLES)
        solicitors = [
            (c, p.person.email.split("@")[1])
            for c in new
            for p in c.parties
            if p.role == "solicitor" and p.person.email
        ]
        if solicitors and self.rng.random() < 0.6:
            case, domain = self.rng.choice(solicitors)
            rows.append(self.rows.new_professional(case, "solicitor", domain))
        yield from self._submission(court, PARTY_DETAILS, day, rows, FileFormat.CSV)

    # --- safeguarding checks -----------------------------------------------------------

    def _checks(self, partner: PartnerPlan, month: int, day: date) -> Iterator[PlannedSubmission]:
        """Checks on the adults of each case the partner was asked about (the council's: the
        cases it has sent parties for)."""
        sent = self._sent(partner, SAFEGUARDING)
        police = partner.kind is PartnerKind.POLICE
        cases = self._open_cases(partner, day - timedelta(days=10))
        if not police:
            introduced = self._sent(partner, PARTY_DETAILS).cases
            cases = [c for c in cases if c.case_number in introduced]
        rows: list[PlannedRow] = []
        for case in cases:
            if case.case_number in sent.cases:
                continue
            adults = [
                p.person
                for p in case.parties
                if p.role in ADULT_ROLES and p.person.date_of_birth is not None
            ]
            if len(rows) + len(adults) > CHECKS_PER_FILE:
                break
            sent.cases.add(case.case_number)
            rows += [
                PlannedRow(self.rows.check_row(case, person, day, police=police), Expect.RECORD)
                for person in adults
            ]
        checked = [c for c in cases if c.case_number in sent.cases]
        if checked and ((police and month in (2, 8)) or (not police and month in (3, 9))):
            case = self.rng.choice(checked)
            rows.append(self._held_check(partner, case, day, police=police))
        yield from self._submission(
            partner,
            SAFEGUARDING,
            day,
            rows,
            FileFormat.JSON if police else FileFormat.XLSX,
        )

    def _held_check(
        self, partner: PartnerPlan, case: KnownCase, day: date, *, police: bool
    ) -> PlannedRow:
        """A check on the mother's new partner (the police's: no party of the case) or on a
        parent with the date of birth mistyped (the council's): both held for a person."""
        adults = [
            p.person for p in case.parties if p.role in ADULT_ROLES and p.person.date_of_birth
        ]
        if police or not adults:
            human = self.people.person(
                tradition=self.people.tradition(),
                gender=MALE,
                dob=self.people.birthday(self.rng.uniform(22, 45), day),
                generation="adult",
            )
            subject = KnownPerson(
                person_id=0,
                first_name=human.first,
                middle_names=None,
                last_name=human.last,
                date_of_birth=human.dob,
                is_professional=False,
                address_withheld=False,
                nhs=None,
                nino=None,
                address_line=None,
                town=None,
                postcode=None,
                phone=None,
                email=None,
                distinct=False,
            )
            return PlannedRow(
                self.rows.check_row(case, subject, day, police=police), Expect.POSSIBLE
            )
        parent = self.rng.choice(adults)
        assert parent.date_of_birth is not None
        typo = replace(parent, date_of_birth=other_birthday(parent.date_of_birth, day))
        return PlannedRow(
            self.rows.check_row(case, typo, day, police=police),
            Expect.POSSIBLE,
            person_id=parent.person_id,
        )

    # --- court orders --------------------------------------------------------------------

    def _orders(self, court: PartnerPlan, month: int, day: date) -> Iterator[PlannedSubmission]:
        sent = self._sent(court, COURT_ORDERS)
        since = sent.until or day - timedelta(days=45)
        rows: list[PlannedRow] = []
        for case in self._open_cases(court, day):
            for on, kind in self.rows.orders_of(case):
                if since < on <= day - timedelta(days=1):
                    rows.append(PlannedRow(self.rows.order_row(case, on, kind), Expect.RECORD))
        rows.sort(key=lambda r: (r.values["order_date"] or "", r.values["case_number"] or ""))
        rows = rows[:ORDERS_PER_FILE]
        if month in (1, 5, 9) and sent.good:
            # The feed's window overlaps the last file's now and then: sent again, unchanged.
            again = self.rng.sample(sent.good[-10:], min(2, len(sent.good)))
            rows += [PlannedRow(r.values, Expect.UNCHANGED) for r in again]
        if month in (4, 10) and sent.good:
            earlier = self.rng.choice(sent.good)
            # The court named another way: the same order, another value.
            named = earlier.values["court"] or ""
            renamed = (
                f"{named.removeprefix('Family Court at ')} Family Court"
                if named.startswith("Family Court at ")
                else f"{named} (sitting remotely)"
            )
            rows.append(PlannedRow(earlier.values | {"court": renamed}, Expect.DIFFERS))
        if month == 7:
            closed = [
                c
                for c in self.snapshot.cases
                if c.closed_on is not None and since < c.closed_on <= day - timedelta(days=1)
            ]
            if closed:
                case = self.rng.choice(closed)
                final = self.rows.orders_of(case)[-1]
                rows.append(PlannedRow(self.rows.order_row(case, *final), Expect.CLOSED))
        yield from self._submission(court, COURT_ORDERS, day, rows, FileFormat.CSV, day_first=True)

    # --- faults ------------------------------------------------------------------------

    def _with_faults(
        self, partner: PartnerPlan, dataset: str, day: date, rows: list[PlannedRow]
    ) -> list[PlannedRow]:
        """About ``FAULTY`` of the good rows given a fault, each file the next in turn."""
        good = [i for i, r in enumerate(rows) if r.expect in ACCEPTED]
        # Owed across a partner's files, so the share holds however small each file is.
        owed = self._owed.get((partner.code, dataset), 0.5) + len(good) * FAULTY
        count = min(int(owed), len(good))
        self._owed[(partner.code, dataset)] = owed - count
        faults = self._faults.setdefault(
            (partner.code, dataset), turns(FAULTS[dataset], len(self._faults))
        )
        rows = list(rows)
        for index in self.rng.sample(good, count):
            code = next(faults)
            if code is Code.ROW_DUPLICATE:
                rows.append(PlannedRow(dict(rows[index].values), Expect.REJECT, code))
                continue
            values = dict(rows[index].values)
            self.rows.spoil(values, code, day)
            rows[index] = PlannedRow(values, Expect.REJECT, code)
        return rows


# A council knows the family and its social workers; a court the parties and solicitors.
