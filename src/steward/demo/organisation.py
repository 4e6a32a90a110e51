"""The synthetic organisation: its caseworkers, then its cases, each with the families,
relatives and professionals in it and the documents it produced.

Everything comes from one seeded random stream and a seeded Faker ``en_GB``, so the same seed,
number of cases and day give the same organisation. No database here: the plans this module
makes are loaded through the records service by ``steward.demo.records``.

What makes it realistic enough to exercise the rest of Steward:

* case types in the proportions the model organisation sees (about 70% private law, 28%
  public law, 2% adoption), opened over eight years, most older cases closed;
* households: children share a surname and an address, married mothers carry their birth
  name as a previous name, some remarry (a second previous name), some children carry
  the other parent's or a double-barrelled surname, twins now and then;
* the same family coming back years later (a new application, a new baby, an adoption after
  care proceedings), sometimes recorded again as a second person record with a nickname, a
  typo, a new address or no date of birth, as happens in real case files;
* professionals (social workers of the case's local authority, solicitors, police officers)
  appearing in many cases;
* a few people in refuges, whose address must not be disclosed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from steward.core.permissions import Role
from steward.demo.documents import CaseFacts, Cast, Writer
from steward.demo.people import (
    FEMALE,
    MALE,
    POLISH_SURNAMES,
    STREET_STEMS,
    Address,
    Human,
    PeopleFactory,
    ascii_only,
)
from steward.demo.places import AREAS, SCHOOL_KINDS, SECONDARY_KINDS, Area
from steward.records.models import CaseType, IdentifierScheme, NameKind, PartyRole
from steward.records.schemas import (
    AddressIn,
    CaseCreate,
    ContactIn,
    DocumentMeta,
    IdentifierIn,
    OtherName,
    PersonCreate,
)

DEFAULT_SEED = 1989  # the Children Act
DEFAULT_CASES = 2500
YEARS = 8
CASELOAD = 25  # open cases a caseworker carries
DEMO_CLOSED_CASES = 10  # recently closed cases left assigned to each demo caseworker
MAX_SYNTHETIC_PER_TEAM = 9
CASE_TYPE_SHARES = {CaseType.PRIVATE_LAW: 70, CaseType.PUBLIC_LAW: 28, CaseType.ADOPTION: 2}
CASE_LETTER = {CaseType.PRIVATE_LAW: "P", CaseType.PUBLIC_LAW: "C", CaseType.ADOPTION: "A"}
# A family back in a later case is recorded afresh (a second person record) this often.
DUPLICATE_RECORD_RATE = 0.25


@dataclass(frozen=True)
class StaffMember:
    username: str
    role: Role
    team: str
    name: str  # how their documents are signed
    synthetic: bool  # False: one of the demo accounts everyone can sign in as


@dataclass(frozen=True)
class PersonPlan:
    key: str
    data: PersonCreate


@dataclass(frozen=True)
class PartyPlan:
    person: str  # a PersonPlan key, of this case or an earlier one
    role: PartyRole


@dataclass(frozen=True)
class DocumentPlan:
    meta: DocumentMeta
    subjects: tuple[str, ...]
    data: bytes
    filename: str


@dataclass(frozen=True)
class CasePlan:
    case: CaseCreate
    persons: tuple[PersonPlan, ...]  # people first recorded in this case
    parties: tuple[PartyPlan, ...]
    documents: tuple[DocumentPlan, ...]
    assignees: tuple[str, ...]  # usernames


@dataclass
class _Skeleton:
    case_type: CaseType
    area: Area
    opened: date
    closed: date | None
    number: str = ""
    assignees: list[str] = field(default_factory=list)


@dataclass
class _Family:
    area: Area
    children: list[Human]
    mother: Human | None
    father: Human | None
    grandparents: list[Human]
    partner: Human | None
    school: str
    gp: str
    last_opened: date
    case_types: list[CaseType] = field(default_factory=list)


@dataclass
class _Professionals:
    social_workers: list[Human]
    solicitors: list[Human]
    officers: list[Human]
    judges: list[str]


class DemoOrganisation:
    """One synthetic organisation. ``staff`` is ready on construction; ``case_plans()``
    yields the cases oldest first and may be consumed once."""

    def __init__(
        self,
        *,
        today: date,
        seed: int = DEFAULT_SEED,
        cases: int = DEFAULT_CASES,
        caseworkers: Sequence[tuple[str, str]] = (),
    ) -> None:
        if cases < 0:
            raise ValueError("the number of cases cannot be negative")
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - invented data, reproducible on purpose
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.people = PeopleFactory(self.rng, self.fake)
        self._skeletons = self._make_skeletons(cases)
        self.staff = self._allocate(caseworkers)
        self._names = {s.username: s.name for s in self.staff}
        self._former = {
            team: [self._staff_name() for _ in range(8)] for team in {a.team for a in AREAS}
        }
        self._professionals: dict[str, _Professionals] = {}
        self._families: dict[str, list[_Family]] = {}
        self._pending: list[PersonPlan] = []
        self._recorded: list[Human] = []
        self._consumed = False

    @property
    def case_count(self) -> int:
        return len(self._skeletons)

    def same_person_records(self) -> list[tuple[str, ...]]:
        """Ground truth for identity matching: the person-record keys, among the cases
        generated so far, that are really one person recorded more than once."""
        return [tuple(h.record_keys) for h in self._recorded if len(h.record_keys) > 1]

    # --- cases in outline: type, place, dates, numbers, who works them -------------------

    def _make_skeletons(self, count: int) -> list[_Skeleton]:
        rng = self.rng
        types, type_weights = zip(*CASE_TYPE_SHARES.items(), strict=True)
        area_weights = [a.weight for a in AREAS]
        span = YEARS * 365
        skeletons = []
        for _ in range(count):
            case_type = rng.choices(types, type_weights)[0]
            area = rng.choices(AREAS, area_weights)[0]
            # Slightly more cases in recent years, as demand has grown.
            opened = self.today - timedelta(days=1 + int(span * rng.random() ** 1.15))
            median = {CaseType.PRIVATE_LAW: 190, CaseType.PUBLIC_LAW: 300}.get(case_type, 140)
            duration = int(rng.lognormvariate(math.log(median), 0.45))
            closed = opened + timedelta(days=duration)
            skeletons.append(
                _Skeleton(case_type, area, opened, closed if closed < self.today else None)
            )
        skeletons.sort(key=lambda s: s.opened)
        counters: dict[tuple[str, int, str], int] = {}
        for s in skeletons:
            key = (s.area.court_code, s.opened.year % 100, CASE_LETTER[s.case_type])
            counters[key] = counters.get(key, 0) + 1
            s.number = f"{key[0]}{key[1]:02d}{key[2]}{counters[key]:05d}"
        for team in {a.team for a in AREAS}:
            in_team = [s for s in skeletons if s.area.team == team]
            if in_team and not any(s.closed is None for s in in_team):
                in_team[-1].closed = None  # every team has work in hand, however small the seed
        return skeletons

    def _staff_name(self) -> str:
        gender = FEMALE if self.rng.random() < 0.78 else MALE
        human = self.people.person(
            tradition=self.people.tradition(), gender=gender, dob=None, generation="any"
        )
        return human.name

    def _allocate(self, caseworkers: Sequence[tuple[str, str]]) -> list[StaffMember]:
        """Who works which case: each demo caseworker a caseload of their team's open cases
        (and a few it closed lately), synthetic caseworkers the rest, older cases nobody."""
        staff = [
            StaffMember(username, Role.CASEWORKER, team, self._staff_name(), synthetic=False)
            for username, team in caseworkers
        ]
        taken = {s.username for s in staff}
        recent = self.today - timedelta(days=548)
        for team in sorted({a.team for a in AREAS}):
            demo = [s for s in staff if s.team == team]
            open_cases = [s for s in self._skeletons if s.area.team == team and s.closed is None]
            closed = [
                s
                for s in self._skeletons
                if s.area.team == team and s.closed is not None and s.closed >= recent
            ]
            self.rng.shuffle(open_cases)
            self.rng.shuffle(closed)
            for member in demo:
                for s in open_cases[:CASELOAD]:
                    s.assignees.append(member.username)
                for s in closed[:DEMO_CLOSED_CASES]:
                    s.assignees.append(member.username)
                open_cases, closed = open_cases[CASELOAD:], closed[DEMO_CLOSED_CASES:]
            needed = min(MAX_SYNTHETIC_PER_TEAM, math.ceil(len(open_cases) / CASELOAD))
            synthetic: list[StaffMember] = []
            while len(synthetic) < needed:
                name = self._staff_name()
                username = ascii_only(name.replace(" ", ".")).lower()
                if username in taken or len(username) < 3:
                    continue
                taken.add(username)
                synthetic.append(StaffMember(username, Role.CASEWORKER, team, name, True))
            for i, s in enumerate(open_cases[: CASELOAD * len(synthetic)]):
                s.assignees.append(synthetic[i % len(synthetic)].username)
            for i, s in enumerate(closed if synthetic else []):
                s.assignees.append(synthetic[i % len(synthetic)].username)
            staff += synthetic
        return staff

    # --- professionals ------------------------------------------------------------------

    def _pros(self, area: Area) -> _Professionals:
        found = self._professionals.get(area.court_code)
        if found is not None:
            return found
        people, rng = self.people, self.rng
        la_slug = _slug(area.short_name)

        def professional(org: str, domain: str, title: str | None = None) -> Human:
            gender = FEMALE if rng.random() < 0.7 else MALE
            human = people.person(
                tradition=people.tradition(), gender=gender, dob=None, generation="any"
            )
            human.is_professional, human.organisation, human.title = True, org, title
            human.nickname = None
            human.email = (
                f"{ascii_only(human.first).lower()}.{ascii_only(human.last).lower()}@{domain}"
            )
            human.phone = people.landline(area)
            return human

        workers = [
            professional(
                f"{area.local_authority} Children's Services", f"{la_slug}-childrens.example"
            )
            for _ in range(12)
        ]
        solicitors = []
        for _ in range(5):
            a, b = self.fake.last_name(), self.fake.last_name()
            firm = rng.choice(
                (f"{a} & {b} Solicitors", f"{a} & Co", f"{a} {b} Family Law LLP", f"{a} Legal")
            )
            domain = f"{_slug(a)}-law.example"
            solicitors += [professional(firm, domain) for _ in range(rng.randint(2, 4))]
        officers = [
            professional(
                area.police, f"{_slug(area.police)}.police.example", rng.choice(("DC", "PC", "DS"))
            )
            for _ in range(8)
        ]
        judges = [
            f"{title} {self.fake.last_name()}"
            for title in (
                "HHJ",
                "District Judge",
                "District Judge",
                "Recorder",
                "Deputy District Judge",
            )
        ]
        found = _Professionals(workers, solicitors, officers, judges)
        self._professionals[area.court_code] = found
        return found

    def _pick(self, pool: list[Human], exclude: Sequence[Human] = ()) -> Human:
        # A long tail, as in life: a few professionals appear in many cases.
        choices = [h for h in pool if h not in exclude] or pool
        weights = [1 / (i + 1) for i in range(len(choices))]
        return self.rng.choices(choices, weights)[0]

    # --- families -----------------------------------------------------------------------

    def _school(self, area: Area, children: list[Human], on: date) -> str:
        ages = [c.age_on(on, unknown=8) for c in children]
        stem = self.rng.choice(STREET_STEMS)
        if max(ages) >= 11 and min(ages) >= 11:
            return f"{stem} {self.rng.choice(SECONDARY_KINDS)}"
        if max(ages) < 4:
            return f"{stem} Nursery"
        return f"{stem} {self.rng.choice(SCHOOL_KINDS)}"

    def _gendered(self, surname: str, gender: str | None) -> str:
        for masculine, feminine in POLISH_SURNAMES:
            if surname in (masculine, feminine):
                return feminine if gender == FEMALE else masculine
        return surname

    def _contacts_and_ids(self, human: Human, area: Area, case_type: CaseType) -> None:
        rng, people = self.rng, self.people
        adult = human.age_on(self.today, unknown=30) >= 16
        if adult:
            if rng.random() < 0.85:
                human.phone = people.mobile()
            if rng.random() < 0.45:
                human.email = people.personal_email(human.first, human.last)
            if rng.random() < 0.45:
                human.nino = people.nino()
            if rng.random() < 0.2:
                human.nhs_number = people.nhs_number()
            if case_type is CaseType.PUBLIC_LAW and rng.random() < 0.3:
                human.la_reference = people.la_reference(area)
        else:
            if rng.random() < 0.75:
                human.nhs_number = people.nhs_number()
            la_share = {CaseType.PUBLIC_LAW: 0.85, CaseType.ADOPTION: 0.95}.get(case_type, 0.08)
            if rng.random() < la_share:
                human.la_reference = people.la_reference(area)

    def _new_family(self, s: _Skeleton) -> _Family:
        rng, people, day, area = self.rng, self.people, s.opened, s.area
        mother_trad = people.tradition()
        father_trad = mother_trad if rng.random() < 0.85 else people.tradition()
        if s.case_type is CaseType.ADOPTION:
            count = rng.choices([1, 2], [85, 15])[0]
            youngest = rng.uniform(0.4, 7)
        elif s.case_type is CaseType.PUBLIC_LAW:
            count = rng.choices([1, 2, 3, 4, 5], [40, 30, 17, 9, 4])[0]
            youngest = 16.5 * rng.random() ** 1.8
        else:
            count = rng.choices([1, 2, 3, 4, 5], [47, 30, 14, 6, 3])[0]
            youngest = rng.uniform(0.3, 14.5)
        ages = [youngest]
        while len(ages) < count:
            gap = 0.0 if rng.random() < 0.04 else rng.uniform(1.1, 5.5)  # twins now and then
            if ages[-1] + gap >= 17.9:
                break
            ages.append(ages[-1] + gap)
        ages.reverse()  # eldest first
        mother_age = ages[0] + rng.uniform(17, 34)
        father_age = max(ages[0] + 17.5, mother_age + rng.gauss(2.5, 3.5))
        mother = people.person(
            tradition=mother_trad,
            gender=FEMALE,
            dob=people.birthday(mother_age, day),
            generation="adult",
        )
        father = people.person(
            tradition=father_trad,
            gender=MALE,
            dob=people.birthday(father_age, day),
            generation="adult",
        )
        married = rng.random() < {CaseType.PRIVATE_LAW: 0.4, CaseType.PUBLIC_LAW: 0.2}.get(
            s.case_type, 0.1
        )
        plain = "-" not in mother.last and "-" not in father.last
        if married:
            roll = rng.random()
            if roll < 0.85:
                mother.previous_lasts.append(mother.last)
                mother.last = self._gendered(father.last, FEMALE)
            elif roll < 0.92 and plain:
                mother.previous_lasts.append(mother.last)
                mother.last = f"{mother.birth_last}-{father.last}"
            naming = "father"
        else:
            naming = rng.choices(
                ["father", "mother", "double", "half"], [55, 33, 7 if plain else 0, 5]
            )[0]
        children: list[Human] = []
        for index, age in enumerate(ages):
            gender = FEMALE if rng.random() < 0.49 else MALE
            rule = naming if naming != "half" else ("mother" if index == 0 else "father")
            if rule == "father":
                last, trad = self._gendered(father.last, gender), father_trad
            elif rule == "mother":
                last, trad = self._gendered(mother.birth_last, gender), mother_trad
            else:
                last, trad = f"{mother.birth_last}-{father.last}", father_trad
            twin = children[-1] if children and age == ages[index - 1] else None
            dob = twin.dob if twin else people.birthday(age, day)
            child = people.person(
                tradition=trad, gender=gender, dob=dob, generation="child", last=last
            )
            children.append(child)
        youngest_dob = min(c.dob for c in children if c.dob)

        # Where they have lived: a family home, for some an earlier one; then separation.
        home_since = max(
            mother.dob + timedelta(days=18 * 365) if mother.dob else youngest_dob,
            day - timedelta(days=int(rng.uniform(0.6, 9) * 365)),
        )
        if rng.random() < 0.3:
            earlier = people.address(
                area, since=home_since - timedelta(days=int(rng.uniform(1, 5) * 365))
            )
            mother.addresses.append(earlier)
            father.addresses.append(_copy(earlier))
            people.move(mother, people.address(area), home_since)
            people.move(father, _copy(mother.addresses[-1]), home_since)
        else:
            mother.addresses.append(people.address(area, since=home_since))
            father.addresses.append(_copy(mother.addresses[-1]))
        together = s.case_type is CaseType.PUBLIC_LAW and rng.random() < 0.4
        lives_with = mother
        if not together:
            split = max(
                home_since + timedelta(days=30),
                day - timedelta(days=int(rng.uniform(0.2, 3.5) * 365)),
            )
            split = min(split, day - timedelta(days=7))
            if split > home_since:
                if s.case_type is CaseType.ADOPTION and rng.random() < 0.5:
                    father.addresses[-1] = father.addresses[-1].moved_out(split)
                else:
                    people.move(father, people.address(area), split)
                if rng.random() < 0.3:
                    people.move(mother, people.address(area), split)
            if s.case_type is CaseType.PRIVATE_LAW and rng.random() < 0.15:
                lives_with = father
        refuge = rng.random() < {CaseType.PRIVATE_LAW: 0.025, CaseType.PUBLIC_LAW: 0.03}.get(
            s.case_type, 0.0
        )
        if refuge and lives_with is mother:
            moved = day - timedelta(days=rng.randint(10, 120))
            if mother.address and mother.address.from_date and moved > mother.address.from_date:
                people.move(mother, people.address(area), moved)
                mother.address_withheld = True
        for child in children:
            _home_history(child, lives_with)
            child.address_withheld = lives_with.address_withheld

        partner = None
        if not together and rng.random() < 0.15 and not mother.address_withheld:
            partner = people.person(
                tradition=people.tradition(),
                gender=MALE,
                dob=people.birthday(mother_age + rng.uniform(-3, 8), day),
                generation="adult",
            )
            if mother.address is not None:
                people.share_address(partner, mother.address)
            if rng.random() < 0.5:  # remarried: her surname changes again
                mother.previous_lasts.append(mother.last)
                mother.last = self._gendered(partner.last, FEMALE)
            self._contacts_and_ids(partner, area, s.case_type)

        grandparents = self._grandparents(s, mother, father)
        for human in (mother, father, *children, *grandparents):
            self._contacts_and_ids(human, area, s.case_type)
        known_father = s.case_type is not CaseType.ADOPTION or rng.random() < 0.6
        family = _Family(
            area=area,
            children=children,
            mother=mother if s.case_type is not CaseType.ADOPTION or rng.random() < 0.92 else None,
            father=father if known_father else None,
            grandparents=grandparents,
            partner=partner,
            school=self._school(area, children, day),
            gp=self._gp(),
            last_opened=day,
        )
        return family

    def _gp(self) -> str:
        stem = self.rng.choice(STREET_STEMS)
        return self.rng.choice(
            (
                f"{stem} Medical Practice",
                f"{stem} Surgery",
                f"{stem} Health Centre",
                f"Dr {self.fake.last_name()} and Partners",
            )
        )

    def _grandparents(self, s: _Skeleton, mother: Human, father: Human) -> list[Human]:
        rng, people, day = self.rng, self.people, s.opened
        share = {CaseType.PRIVATE_LAW: 0.35, CaseType.PUBLIC_LAW: 0.6}.get(s.case_type, 0.3)
        found: list[Human] = []
        for parent, chance in ((mother, share), (father, share * 0.45)):
            if rng.random() >= chance or parent.dob is None:
                continue
            age = parent.age_on(day, unknown=30) + rng.uniform(18, 34)
            nan = people.person(
                tradition=people.tradition() if rng.random() < 0.1 else "british",
                gender=FEMALE,
                dob=people.birthday(age, day),
                generation="grand",
                last=parent.birth_last,
            )
            if rng.random() < 0.5:  # her own birth name, kept as a previous name
                nan.previous_lasts.append(people.surname("british", FEMALE))
            if rng.random() < 0.2:  # remarried since
                nan.previous_lasts.append(nan.last)
                nan.last = people.surname("british", MALE)
            if rng.random() < 0.2 and parent.address and not parent.address_withheld:
                people.share_address(nan, parent.address)  # the household lives together
            else:
                nan.addresses.append(
                    people.address(s.area, since=day - timedelta(days=rng.randint(400, 9000)))
                )
            found.append(nan)
            if rng.random() < 0.3:
                grandad = people.person(
                    tradition="british",
                    gender=MALE,
                    dob=people.birthday(age + rng.uniform(1, 5), day),
                    generation="grand",
                    last=parent.birth_last,
                )
                if nan.address is not None:
                    people.share_address(grandad, nan.address)
                found.append(grandad)
        return found

    def _returning_family(self, s: _Skeleton) -> _Family | None:
        """A family from an earlier case in the area, if this case is one of those that
        brings one back (a new application, a new baby, an adoption after care proceedings)."""
        rng = self.rng
        chance = {CaseType.PRIVATE_LAW: 0.1, CaseType.PUBLIC_LAW: 0.22, CaseType.ADOPTION: 0.6}[
            s.case_type
        ]
        families = self._families.get(s.area.court_code, [])
        if not families or rng.random() >= chance:
            return None
        max_age = 8 if s.case_type is CaseType.ADOPTION else 16
        for family in rng.sample(families, min(20, len(families))):
            if family.last_opened > s.opened - timedelta(days=270):
                continue
            if s.case_type is CaseType.ADOPTION and CaseType.PUBLIC_LAW not in family.case_types:
                continue
            eligible = [
                c for c in family.children if 0 <= c.age_on(s.opened, unknown=99) <= max_age
            ]
            if eligible:
                return family
        return None

    def _bring_back(self, family: _Family, s: _Skeleton) -> None:
        """What changed since the family's last case: a move, a new name, a new baby."""
        rng, people = self.rng, self.people
        mother = family.mother
        window = (s.opened - family.last_opened).days
        if mother and not mother.address_withheld and rng.random() < 0.3 and window > 120:
            moved = family.last_opened + timedelta(days=rng.randint(60, window - 30))
            new_home = people.address(s.area)
            if mother.address and mother.address.from_date and moved > mother.address.from_date:
                people.move(mother, new_home, moved)
                for child in family.children:
                    if (
                        child.address
                        and child.address.from_date
                        and moved > child.address.from_date
                    ):
                        people.move(child, _copy(new_home), moved)
        if mother and rng.random() < 0.12 and "-" not in mother.last:
            mother.previous_lasts.append(mother.last)
            mother.last = self._gendered(people.surname(people.tradition(), MALE), FEMALE)
        if (
            s.case_type is CaseType.PUBLIC_LAW
            and mother
            and rng.random() < 0.5
            and mother.age_on(s.opened, unknown=50) < 43
            and window > 320
        ):
            born = s.opened - timedelta(days=rng.randint(20, min(window - 290, 900)))
            baby = people.person(
                tradition="british",
                gender=FEMALE if rng.random() < 0.49 else MALE,
                dob=born,
                generation="child",
                last=self._gendered(mother.last, None),
            )
            if mother.address is not None:
                people.share_address(baby, mother.address)
                baby.addresses[-1].from_date = max(born, mother.address.from_date or born)
            self._contacts_and_ids(baby, s.area, s.case_type)
            family.children.append(baby)
        family.last_opened = s.opened

    # --- person records -----------------------------------------------------------------

    def _record(self, human: Human, *, returning: bool) -> str:
        """The key of the person record this case uses for ``human``, queuing a new record
        when there is none yet (or, for a returning family, now and then a second one)."""
        if not human.record_keys:
            self._recorded.append(human)
            human.record_keys.append(human.key)
            self._pending.append(PersonPlan(human.key, self._person_data(human, first=True)))
            return human.key
        if returning and not human.is_professional and self.rng.random() < DUPLICATE_RECORD_RATE:
            key = self.people.new_key()
            human.record_keys.append(key)
            self._pending.append(PersonPlan(key, self._person_data(human, first=False)))
            return key
        return self.rng.choice(human.record_keys)

    def _person_data(self, human: Human, *, first: bool) -> PersonCreate:
        rng = self.rng
        first_name, middle, last, dob = human.first, human.middle, human.last, human.dob
        others = [
            OtherName(kind=NameKind.PREVIOUS, first_name=human.first, last_name=previous)
            for previous in human.previous_lasts
        ]
        if human.nickname and rng.random() < 0.3:
            others.append(OtherName(kind=NameKind.ALIAS, first_name=human.nickname, last_name=last))
        addresses = human.addresses
        identifiers = []
        if first:
            for scheme, value in (
                (IdentifierScheme.NHS, human.nhs_number),
                (IdentifierScheme.NINO, human.nino),
                (IdentifierScheme.LA_REF, human.la_reference),
            ):
                if value:
                    identifiers.append(IdentifierIn(scheme=scheme, value=value))
        else:
            # Recorded again, by someone else, years later: as real case files do it.
            for change in rng.sample(["nickname", "middle", "typo", "dob", "address", "names"], 2):
                if change == "nickname" and human.nickname:
                    first_name = human.nickname
                elif change == "middle":
                    middle = None
                elif change == "typo" and len(last) > 4:
                    i = rng.randrange(1, len(last) - 2)
                    last = last[:i] + last[i + 1] + last[i] + last[i + 2 :]
                elif change == "dob" and dob is not None:
                    if rng.random() < 0.4:
                        dob = None
                    elif dob.day <= 12 and dob.day != dob.month:
                        dob = date(dob.year, dob.day, dob.month)  # day and month swapped
                elif change == "address":
                    addresses = addresses[-1:]
                elif change == "names":
                    others = []
        return PersonCreate(
            first_name=first_name,
            middle_names=middle,
            last_name=last,
            date_of_birth=dob,
            gender=human.gender,
            is_professional=human.is_professional,
            organisation=human.organisation,
            address_withheld=human.address_withheld,
            other_names=others,
            addresses=[
                AddressIn(
                    line1=a.line1,
                    line2=a.line2,
                    town=a.town,
                    postcode=a.postcode,
                    from_date=a.from_date,
                    to_date=a.to_date,
                )
                for a in addresses
            ],
            contacts=[
                ContactIn(kind=kind, value=value)
                for kind, value in (("phone", human.phone), ("email", human.email))
                if value
            ],
            identifiers=identifiers,
        )

    # --- one case -----------------------------------------------------------------------

    def case_plans(self) -> Iterator[CasePlan]:
        if self._consumed:
            raise RuntimeError("an organisation's cases can be generated once")
        self._consumed = True
        for skeleton in self._skeletons:
            yield self._case(skeleton)

    def _case(self, s: _Skeleton) -> CasePlan:
        rng = self.rng
        self._pending = []
        family = self._returning_family(s)
        returning = family is not None
        if family is not None:
            self._bring_back(family, s)
        else:
            family = self._new_family(s)
            self._families.setdefault(s.area.court_code, []).append(family)
        family.case_types.append(s.case_type)
        max_age = 8 if s.case_type is CaseType.ADOPTION else 17
        children = [c for c in family.children if 0 <= c.age_on(s.opened, unknown=99) <= max_age]
        if s.case_type is CaseType.ADOPTION and returning:
            children = children[: rng.choice([1, 1, 2])]
        pros = self._pros(s.area)
        cast = Cast(children=children, school=family.school, gp=family.gp, partner=family.partner)
        home = children[0].address
        cast.lives_with = next(
            (
                parent
                for parent in (family.mother, family.father)
                if parent and parent.address and home and parent.address.line1 == home.line1
            ),
            family.mother,
        )
        parties: list[tuple[Human, PartyRole]] = [(c, PartyRole.CHILD_SUBJECT) for c in children]
        mother, father = family.mother, family.father
        cast.mother, cast.father = mother, father
        parents = [p for p in (mother, father) if p is not None]

        if s.case_type is CaseType.PRIVATE_LAW:
            roll = rng.random()
            nan = family.grandparents[0] if family.grandparents else None
            if roll >= 0.9 and nan is not None:
                cast.applicants = [nan]
                cast.respondents = parents
            else:
                first = father if roll < 0.58 else mother
                first = first or parents[0]
                cast.applicants = [first]
                cast.respondents = [p for p in parents if p is not first]
            cast.relatives = [
                g for g in family.grandparents if g not in cast.applicants and rng.random() < 0.5
            ]
            if family.partner is not None and rng.random() < 0.2:
                cast.intervenors = [family.partner]
            for client in cast.applicants:
                if rng.random() < 0.5:
                    cast.solicitors[client.key] = self._pick(pros.solicitors)
            for client in cast.respondents:
                if rng.random() < 0.4:
                    cast.solicitors[client.key] = self._pick(
                        pros.solicitors, list(cast.solicitors.values())
                    )
            if rng.random() < 0.25:
                cast.social_workers = [self._pick(pros.social_workers)]
            if rng.random() < 0.12:
                cast.officers = [self._pick(pros.officers)]
        elif s.case_type is CaseType.PUBLIC_LAW:
            cast.respondents = [p for p in parents if p is mother or rng.random() < 0.75]
            cast.relatives = [g for g in family.grandparents if rng.random() < 0.7]
            if family.partner is not None and rng.random() < 0.1:
                cast.intervenors = [family.partner]
            cast.social_workers = [self._pick(pros.social_workers)]
            if rng.random() < 0.25:
                cast.social_workers.append(self._pick(pros.social_workers, cast.social_workers))
            for client in cast.respondents:
                if rng.random() < (0.92 if client is mother else 0.75):
                    cast.solicitors[client.key] = self._pick(
                        pros.solicitors, list(cast.solicitors.values())
                    )
            if rng.random() < 0.95:
                cast.solicitors["child"] = self._pick(
                    pros.solicitors, list(cast.solicitors.values())
                )
            if rng.random() < 0.25:
                cast.officers = [self._pick(pros.officers)]
        else:
            cast.applicants = self._adopters(s, children)
            cast.respondents = [p for p in parents if rng.random() < (0.9 if p is mother else 0.5)]
            cast.social_workers = [self._pick(pros.social_workers)]
            if mother is not None and mother in cast.respondents and rng.random() < 0.3:
                cast.solicitors[mother.key] = self._pick(pros.solicitors)

        parties += [(h, PartyRole.APPLICANT) for h in cast.applicants]
        parties += [(h, PartyRole.RESPONDENT) for h in cast.respondents]
        parties += [(h, PartyRole.RELATIVE) for h in cast.relatives]
        parties += [(h, PartyRole.INTERVENOR) for h in cast.intervenors]
        parties += [(h, PartyRole.SOCIAL_WORKER) for h in cast.social_workers]
        parties += [(h, PartyRole.SOLICITOR) for h in dict.fromkeys(cast.solicitors.values())]
        parties += [(h, PartyRole.OFFICER) for h in cast.officers]
        keys: dict[str, str] = {}
        for human, _ in parties:
            if human.key not in keys:
                keys[human.key] = self._record(human, returning=returning)
        party_plans = tuple(
            dict.fromkeys(PartyPlan(keys[human.key], role) for human, role in parties)
        )

        adviser = (
            self._names[s.assignees[0]] if s.assignees else rng.choice(self._former[s.area.team])
        )
        facts = CaseFacts(
            case_number=s.number,
            case_type=s.case_type,
            area=s.area,
            opened=s.opened,
            closed=s.closed,
            today=self.today,
            adviser=adviser,
            judge=rng.choice(pros.judges),
            cast=cast,
            parties=set(keys),
        )
        count = (
            rng.choices([3, 4, 5, 6], [25, 35, 25, 15])[0]
            if s.closed
            else rng.choices([2, 3, 4], [40, 40, 20])[0]
        )
        documents = tuple(
            DocumentPlan(
                meta=DocumentMeta(
                    title=draft.title,
                    kind=draft.kind,
                    created_on=draft.created_on,
                    security_marking=draft.marking,
                    provenance=draft.provenance,
                    author_name=draft.author,
                ),
                subjects=tuple(dict.fromkeys(keys[h.key] for h in draft.about)),
                data=draft.data,
                filename=draft.filename,
            )
            for draft in Writer(rng, facts).documents(count)
        )
        case = CaseCreate(
            case_number=s.number,
            case_type=s.case_type,
            court=s.area.court,
            local_authority=s.area.local_authority,
            opened_on=s.opened,
            closed_on=s.closed,
            team=s.area.team,
        )
        return CasePlan(case, tuple(self._pending), party_plans, documents, tuple(s.assignees))

    def _adopters(self, s: _Skeleton, children: list[Human]) -> list[Human]:
        rng, people, day = self.rng, self.people, s.opened
        tradition = people.tradition()
        age = rng.uniform(30, 48)
        first = people.person(
            tradition=tradition,
            gender=FEMALE if rng.random() < 0.8 else MALE,
            dob=people.birthday(age, day),
            generation="adult",
        )
        first.addresses.append(
            people.address(s.area, since=day - timedelta(days=rng.randint(700, 5000)))
        )
        adopters = [first]
        if rng.random() < 0.75:
            second = people.person(
                tradition=tradition,
                gender=MALE if first.gender == FEMALE or rng.random() < 0.2 else FEMALE,
                dob=people.birthday(age + rng.uniform(-4, 6), day),
                generation="adult",
                last=first.last,
            )
            if rng.random() < 0.7:
                second.previous_lasts.append(people.surname(tradition, second.gender))
            people.share_address(second, first.addresses[-1])
            adopters.append(second)
        for adopter in adopters:
            self._contacts_and_ids(adopter, s.area, s.case_type)
        return adopters


def _copy(address: Address) -> Address:
    return Address(
        address.line1,
        address.line2,
        address.town,
        address.postcode,
        address.from_date,
        address.to_date,
    )


def _home_history(child: Human, parent: Human) -> None:
    """The child's addresses: the parent's, from the child's birth on."""
    born = child.dob or date.min
    for address in parent.addresses:
        if address.to_date is not None and address.to_date <= born:
            continue
        copy = _copy(address)
        if copy.from_date is None or copy.from_date < born:
            copy.from_date = born
        child.addresses.append(copy)


def _slug(text: str) -> str:
    return "-".join(ascii_only(word).lower() for word in text.split() if ascii_only(word))
