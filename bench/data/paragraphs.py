"""Family-court report paragraphs with roles and gold spans, for the redaction benchmark (BENCHMARKS §2).

``generate(n, seed=..., template_set="A"|"B")`` returns one dict per paragraph::

    {"id", "text", "requester": {...}, "parties": [...], "own_names": [...],
     "gold": [{"start", "end", "role", "label", "text"}]}

Everything but ``gold`` is exactly a ``steward redact detect`` input line (see
``steward.redaction.context.context_from_json``); strip ``gold`` before a detector sees it
(``detector_input``). Gold spans record, at insertion, whose data each slot is:

* ``role``: ``requester`` (their own data: disclosed, must be kept), ``third_party`` (must be
  redacted) or ``professional`` (acting in role: kept);
* ``label``: a ``steward.redaction.spans.Label`` value.

Conventions a detector is scored against (per character):

* Titles are not personal data: in "Mrs Jones" only "Jones" is gold, in "Dr Amir Khan" only
  "Amir Khan". A possessive's "'s" is not gold either ("Dean's" → "Dean").
* An address is one ADDRESS span from the house number to the postcode inclusive, whatever
  line breaks it is written over; a postcode written on its own is a POSTCODE span.
* A date of birth is the date only ("born on [3 April 2019]"); NHS and NI numbers are the
  number only. An NHS-shaped number with a bad check digit, or an NI number with a prefix
  HMRC never issues, written in someone's details is gold ``IDENTIFIER``, not NHS/NI.
* Everything else is not personal data: case numbers, hearing dates, court and
  organisation names (listed in ``own_names``), "GP", "NHS", "Cafcass", "PC".

The case context is only partly listed, as real cases are: the requester's own details are
given in full (they identify themselves), professionals by name, but third parties may be
missing, or listed without their address, phone or identifiers; neighbours, informants and
"a man called …" are never listed, so only a name finder can catch them.

Two disjoint template sets, A (tune on it) and B (report on it): the same kinds of slot in
different sentences. Names come from Faker's ``en_GB`` lists, drawn with one
``random.Random(seed)``; phones from Ofcom's drama ranges. Same arguments → same bytes.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any, Literal

from faker.providers.person.en_GB import Provider as GbPerson

from bench.data.nicknames import NICKNAMES

GENERATOR_VERSION = 1
SEED_A = 20_261_201
SEED_B = 20_261_202

TemplateSet = Literal["A", "B"]
Piece = tuple[str, str | None, str | None]  # text, role, label

# Towns with their real postcode areas, and districts, so addresses look like addresses.
TOWNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Leeds", "LS", ("Headingley", "Armley", "Beeston", "Chapel Allerton", "Seacroft", "Horsforth")),
    ("Bradford", "BD", ("Shipley", "Manningham", "Idle", "Thornbury")),
    ("Wakefield", "WF", ("Ossett", "Horbury", "Outwood")),
    ("Huddersfield", "HD", ("Lindley", "Marsh", "Almondbury")),
    ("Halifax", "HX", ("Sowerby Bridge", "Illingworth")),
    ("Sheffield", "S", ("Hillsborough", "Walkley", "Darnall")),
    ("York", "YO", ("Acomb", "Heworth")),
    ("Harrogate", "HG", ("Starbeck", "Bilton")),
)  # fmt: skip
STREET_WORDS = (
    "Oak", "Elm", "Ash", "Mill", "Church", "Station", "Victoria", "Albert", "Park", "Manor",
    "Chestnut", "Beech", "Rowan", "Cemetery", "Quarry", "Moor", "Green", "Springfield",
    "Hawthorn", "Kingsway", "Woodland", "Meadow", "Cross", "Bank",
)  # fmt: skip
STREET_SUFFIXES = (
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Drive",
    "Grove",
    "Crescent",
    "Terrace",
    "Mount",
)
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Ofcom numbers reserved for drama: never anyone's real phone.
LANDLINE_PREFIXES = ("0113 496 0", "0114 496 0", "0161 496 0", "0121 496 0", "0117 496 0")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.co.uk")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
ORGANISATIONS = (
    "Cafcass", "Leeds City Council", "Kirkstall Family Centre", "Barnardo's",
    "St Anne's Family Support", "Bradford Children's Services", "Wakefield District Housing",
)  # fmt: skip
COURTS = (
    "Leeds Family Court",
    "Bradford Combined Court",
    "the Family Court at Wakefield",
    "Sheffield Family Court",
)
NINO_BAD_PREFIXES = ("GB", "BG", "NK", "KN", "TN", "NT", "ZZ", "DA", "FQ", "QA", "VU", "IO", "AO")
NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # not D F I Q U V
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # not D F I Q U V O
NINO_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


# --- people -----------------------------------------------------------------------------------


@dataclass
class Address:
    number: int
    street: str
    district: str | None
    town: str
    postcode: str

    def one_line(self) -> str:
        parts = [
            f"{self.number} {self.street}",
            *([self.district] if self.district else []),
            f"{self.town} {self.postcode}",
        ]
        return ", ".join(parts)

    def written(self, rng: Random) -> str:
        """As a report writes it: one line, or two or three lines."""
        parts = [
            f"{self.number} {self.street}",
            *([self.district] if self.district else []),
            f"{self.town} {self.postcode}",
        ]
        sep = rng.choice((", ", ", ", ",\n", "\n"))
        if sep != ", " and len(parts) == 3 and rng.random() < 0.5:
            return f"{parts[0]},\n{parts[1]}, {parts[2]}"
        return sep.join(parts)


@dataclass
class Person:
    key: str
    first: str
    last: str
    female: bool
    role: str  # requester / third_party / professional
    relation: str
    title: str = ""
    prev_last: str | None = None
    nickname: str | None = None
    address: Address | None = None
    withheld: bool = False
    phone: str | None = None  # canonical, as the context lists it
    email: str | None = None
    nhs: str | None = None
    nhs_bad: str | None = None
    nino: str | None = None
    nino_bad: str | None = None
    dob: date | None = None
    listed: bool = True  # in the case context at all
    listed_fields: set[str] = field(default_factory=set)

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class Pools:
    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.female = sorted(GbPerson.first_names_female)
        self.male = sorted(GbPerson.first_names_male)
        self.last = sorted(GbPerson.last_names)
        self.used_first: set[str] = set()
        self.used_last: set[str] = set()
        self.used_phone: set[str] = set()

    def first(self, female: bool) -> str:
        pool = self.female if female else self.male
        while True:
            name = self.rng.choice(pool)
            # Distinct first names (and no first name that is also a surname in the case) keep
            # every mention's owner unambiguous.
            if name not in self.used_first and name not in self.used_last and len(name) > 2:
                self.used_first.add(name)
                return name

    def surname(self) -> str:
        while True:
            name = self.rng.choice(self.last)
            if name not in self.used_last and name not in self.used_first:
                self.used_last.add(name)
                return name

    def address(self) -> Address:
        rng = self.rng
        town, area, districts = rng.choice(TOWNS)
        word = rng.choice(STREET_WORDS) if rng.random() < 0.7 else self.surname()
        postcode = f"{area}{rng.randint(1, 29)} {rng.randint(0, 9)}{''.join(rng.choices(UNIT_LETTERS, k=2))}"
        district = rng.choice(districts) if rng.random() < 0.5 else None
        return Address(
            rng.randint(1, 180), f"{word} {rng.choice(STREET_SUFFIXES)}", district, town, postcode
        )

    def phone(self, mobile: bool) -> str:
        while True:
            if mobile:
                number = f"07700 900{self.rng.randint(0, 999):03d}"
            else:
                number = f"{self.rng.choice(LANDLINE_PREFIXES)}{self.rng.randint(0, 999):03d}"
            if number not in self.used_phone:
                self.used_phone.add(number)
                return number

    def email(self, first: str, last: str) -> str:
        style = self.rng.randrange(3)
        local = (
            f"{first}.{last}"
            if style == 0
            else f"{first[0]}{last}{self.rng.randint(1, 99)}"
            if style == 1
            else f"{first}{self.rng.randint(70, 99)}"
        )
        return f"{local.lower()}@{self.rng.choice(EMAIL_DOMAINS)}"


def nhs_number(rng: Random, *, valid: bool) -> str:
    """Ten digits, the last a mod-11 check digit (wrong on purpose when not valid)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        if digits[0] == 0:
            continue
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check == 10:
            continue
        if not valid:
            check = (check + rng.randint(1, 9)) % 10
        s = "".join(map(str, digits)) + str(check)
        return f"{s[:3]} {s[3:6]} {s[6:]}"


def nino(rng: Random, *, valid: bool) -> str:
    if valid:
        while True:
            prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
            if prefix not in NINO_NEVER:
                break
    else:
        prefix = rng.choice(NINO_BAD_PREFIXES)
    digits = f"{rng.randint(0, 999999):06d}"
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def _dob(rng: Random, *, child: bool) -> date:
    start = date(2012, 1, 1) if child else date(1965, 1, 1)
    span = 4000 if child else 9000
    return start + timedelta(days=rng.randrange(span))


# --- a case -----------------------------------------------------------------------------------


@dataclass
class Case:
    people: dict[str, Person]
    case_number: str
    hearing: date
    court: str
    org: str


def _adult(pools: Pools, key: str, female: bool, role: str, relation: str) -> Person:
    rng = pools.rng
    title = rng.choice(("Ms", "Mrs", "Miss")) if female else "Mr"
    return Person(key, pools.first(female), pools.surname(), female, role, relation, title=title)


def _nickname(rng: Random, first: str) -> str | None:
    options = NICKNAMES.get(first)
    return rng.choice(options) if options else None


def make_case(rng: Random) -> Case:
    pools = Pools(rng)
    mother_requests = rng.random() < 0.6
    people: dict[str, Person] = {}
    R = _adult(pools, "R", mother_requests, "requester", "mother" if mother_requests else "father")
    O = _adult(  # noqa: E741 - the templates call the other parent O
        pools, "O", not mother_requests, "third_party", "father" if mother_requests else "mother"
    )
    P = _adult(pools, "P", mother_requests, "third_party", "new partner")
    G = _adult(pools, "G", rng.random() < 0.6, "third_party", "grandparent")
    for person in (R, O):
        if person.female and rng.random() < 0.4:
            person.prev_last = pools.surname()
        person.nickname = _nickname(rng, person.first)
    child_last = O.last if mother_requests else R.last
    girls = (rng.random() < 0.5, rng.random() < 0.5)
    C = Person("C", pools.first(girls[0]), child_last, girls[0], "third_party", "child")
    C2 = Person("C2", pools.first(girls[1]), child_last, girls[1], "third_party", "child")
    for child in (C, C2):
        child.dob = _dob(rng, child=True)
        child.nickname = _nickname(rng, child.first)
        child.nhs = nhs_number(rng, valid=True)
    for adult in (R, O, P, G):
        adult.address = pools.address()
        adult.phone = pools.phone(mobile=rng.random() < 0.7)
        adult.email = pools.email(adult.first, adult.last)
        adult.dob = _dob(rng, child=False)
        adult.nhs = nhs_number(rng, valid=True)
        adult.nino = nino(rng, valid=True)
    for third in (O, P, G):
        third.nhs_bad = nhs_number(rng, valid=False)
        third.nino_bad = nino(rng, valid=False)
    # A refuge: the other parent fled (requester is the father), or now and then the requester
    # herself, whose own address is disclosed to her.
    if not mother_requests and rng.random() < 0.6:
        O.withheld = True
    elif mother_requests and rng.random() < 0.15:
        R.withheld = True
    people.update(R=R, O=O, P=P, G=G, C=C, C2=C2)

    professionals = (
        ("SW", "social worker", ""),
        ("HV", "health visitor", ""),
        ("PO", "police officer", "PC"),
        ("CG", "Children's Guardian", ""),
        ("GP", "GP", "Dr"),
    )
    for key, relation, title in professionals:
        female = rng.random() < 0.6
        person = _adult(pools, key, female, "professional", relation)
        if title:
            person.title = title
        person.phone = pools.phone(mobile=rng.random() < 0.3)
        person.email = pools.email(person.first, person.last)
        people[key] = person
    # People the case does not know: only a name finder can catch them.
    for key, relation, female in (
        ("N", "neighbour", rng.random() < 0.5),
        ("I", "informant", rng.random() < 0.5),
        ("M", "man", False),
    ):
        person = _adult(pools, key, female, "third_party", relation)
        person.listed = False
        person.address = pools.address()
        person.phone = pools.phone(mobile=True)
        people[key] = person

    _choose_listing(rng, people)
    year = rng.randint(22, 25)
    case_number = f"{rng.choice(('FD', 'LS', 'BD', 'WF'))}{year}P{rng.randint(1, 999):05d}"
    hearing = date(2000 + year, 1, 1) + timedelta(days=rng.randrange(700))
    return Case(people, case_number, hearing, rng.choice(COURTS), rng.choice(ORGANISATIONS))


LISTED_CHANCE = {"O": 0.9, "P": 0.6, "G": 0.5, "C": 0.85, "C2": 0.7}
FIELDS = (
    "address",
    "phone",
    "email",
    "nhs",
    "nhs_bad",
    "nino",
    "nino_bad",
    "dob",
    "prev",
    "nickname",
)


def _choose_listing(rng: Random, people: dict[str, Person]) -> None:
    for key, person in people.items():
        if key == "R":
            # The requester identifies themselves in full; now and then without phone or email,
            # which a detector must then attribute from the sentence.
            person.listed_fields = set(FIELDS)
            for optional in ("phone", "email"):
                if rng.random() < 0.15:
                    person.listed_fields.discard(optional)
        elif person.role == "professional":
            person.listed_fields = {f for f in ("phone", "email") if rng.random() < 0.8}
        elif person.listed:
            person.listed = rng.random() < LISTED_CHANCE.get(key, 1.0)
            person.listed_fields = {f for f in FIELDS if rng.random() < 0.6}


def _party_json(p: Person) -> dict[str, Any]:
    f = p.listed_fields
    names = [p.full]
    if p.prev_last and "prev" in f:
        names.append(f"{p.first} {p.prev_last}")
    if p.nickname and "nickname" in f:
        names.append(f"{p.nickname} {p.last}")
    out: dict[str, Any] = {"names": names}
    if p.role != "requester":
        out["role"] = p.role
    out["relation"] = p.relation
    if p.address and "address" in f:
        out["addresses"] = [p.address.one_line()]
    if p.phone and "phone" in f:
        out["phones"] = [p.phone]
    if p.email and "email" in f:
        out["emails"] = [p.email]
    ids = [
        v
        for k, v in (
            ("nhs", p.nhs),
            ("nhs_bad", p.nhs_bad),
            ("nino", p.nino),
            ("nino_bad", p.nino_bad),
        )
        if v and k in f
    ]
    if ids:
        out["identifiers"] = ids
    if p.dob and "dob" in f:
        out["dob"] = p.dob.isoformat()
    if p.withheld:
        out["address_withheld"] = True
    return out


def context_json(case: Case) -> dict[str, Any]:
    people = case.people
    parties = [_party_json(p) for key, p in people.items() if key != "R" and p.listed]
    own = sorted({case.org, case.court.removeprefix("the "), "Cafcass", "NHS"})
    return {"requester": _party_json(people["R"]), "parties": parties, "own_names": own}


# --- slots ------------------------------------------------------------------------------------


def _date_prose(rng: Random, d: date) -> str:
    style = rng.randrange(4)
    if style == 0:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == 1:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == 2:
        suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
        return f"{d.day}{suffix} {MONTHS[d.month - 1]} {d.year}"
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def _phone_written(rng: Random, canonical: str) -> str:
    digits = canonical.replace(" ", "")
    style = rng.randrange(4)
    if style == 0:
        return canonical
    if style == 1:
        return f"+44 (0){canonical[1:]}"
    if style == 2:
        return digits
    return f"+44 {canonical[1:]}"


def render_slot(rng: Random, case: Case, who: str, kind: str) -> list[Piece]:
    """The text of one slot, split into gold and non-gold pieces."""
    if who == "X":  # near-miss negatives: never personal data
        value = {
            "case": case.case_number,
            "hearing": _date_prose(rng, case.hearing),
            "court": case.court,
            "org": case.org,
        }[kind]
        return [(value, None, None)]
    p = case.people[who]
    role = p.role

    def gold(text: str, label: str) -> Piece:
        return (text, role, label)

    match kind:
        case "full":
            return [gold(p.full, "NAME")]
        case "brk":
            return [gold(f"{p.first}\n{p.last}", "NAME")]
        case "last":
            return [gold(p.last, "NAME")]
        case "first":
            return [gold(p.first, "NAME")]
        case "nick":
            return [gold(p.nickname or p.first, "NAME")]
        case "title":
            return [(f"{p.title} ", None, None), gold(p.last, "NAME")]
        case "tfull":
            return [(f"{p.title} ", None, None), gold(p.full, "NAME")]
        case "initial":
            dot = "." if rng.random() < 0.6 else ""
            return [gold(f"{p.first[0]}{dot} {p.last}", "NAME")]
        case "prev":
            return [gold(f"{p.first} {p.prev_last or p.last}", "NAME")]
        case "prevlast":
            return [gold(p.prev_last or p.last, "NAME")]
        case "addr":
            assert p.address is not None
            return [gold(p.address.written(rng), "ADDRESS")]
        case "addr1":
            assert p.address is not None
            return [gold(f"{p.address.number} {p.address.street}", "ADDRESS")]
        case "pc":
            assert p.address is not None
            return [gold(p.address.postcode, "POSTCODE")]
        case "phone":
            assert p.phone is not None
            return [gold(_phone_written(rng, p.phone), "PHONE")]
        case "email":
            assert p.email is not None
            return [gold(p.email, "EMAIL")]
        case "nhs":
            assert p.nhs is not None
            return [gold(p.nhs if rng.random() < 0.7 else p.nhs.replace(" ", ""), "NHS_NUMBER")]
        case "nhsbad":
            assert p.nhs_bad is not None
            return [gold(p.nhs_bad, "IDENTIFIER")]
        case "nino":
            assert p.nino is not None
            return [gold(p.nino, "NI_NUMBER")]
        case "ninobad":
            assert p.nino_bad is not None
            return [gold(p.nino_bad, "IDENTIFIER")]
        case "dob":
            assert p.dob is not None
            return [gold(_date_prose(rng, p.dob), "DATE_OF_BIRTH")]
        case "rel":
            return [(p.relation, None, None)]
        case "pron":
            return [("she" if p.female else "he", None, None)]
        case "Pron":
            return [("She" if p.female else "He", None, None)]
        case "poss":
            return [("her" if p.female else "his", None, None)]
        case "kin":
            return [("mother" if p.female else "father", None, None)]
    raise ValueError(f"unknown slot kind {kind!r}")


# --- templates --------------------------------------------------------------------------------
# Each sentence names its slots {WHO.kind}: R requester, O other parent, P the other parent's
# new partner, G a grandparent, C/C2 the children, SW social worker, HV health visitor,
# PO police officer, CG Children's Guardian, GP the family doctor, N neighbour, I informant,
# M "a man called …" (N, I, M never in the context), X near-miss negatives.

OPENING_A = (
    "This report is prepared for {X.court} in case {X.case}. I am the {CG.rel}, {CG.tfull}.",
    "Case number {X.case}. The final hearing is listed at {X.court} on {X.hearing}.",
    "I was appointed by {X.org} to report on {C.full}, born {C.dob}, and {C2.first}.",
)
TEMPLATES_A = (
    "{R.tfull} told me that {O.first}'s new partner, {P.full}, lives at {P.addr}.",
    "{R.title} lives at {R.addr} with the children and can be reached on {R.phone}.",
    "{R.title} lives at {R.addr}, while {O.title} now lives at {O.addr}.",
    "{O.full} (date of birth {O.dob}) told the {SW.rel}, {SW.full}, that {O.pron} had not been drinking.",
    "{C.nick} said that a man called {M.first} sometimes stays over at {O.first}'s house.",
    "A neighbour, {N.full}, telephoned {X.org} on {X.hearing} to say that {N.pron} had heard shouting.",
    "The {GP.rel}, {GP.title}, confirmed that {C.first}'s NHS number is {C.nhs} and that {C.pron} is registered with the practice.",
    "{O.title}'s NHS number is recorded on the referral as {O.nhsbad}; the GP surgery could not match it.",
    "{R.first}'s National Insurance number is {R.nino} and {R.poss} NHS number is {R.nhs}.",
    "The referral gave {P.first}'s NI number as {P.ninobad}, which the DWP could not trace.",
    "{O.nick} can be contacted on {O.phone} or by email at {O.email}.",
    "{R.first} asked that letters be sent to {R.email} rather than posted.",
    "{PO.tfull} of West Yorkshire Police attended on {X.hearing} after a call from {I.full}.",
    "The {HV.rel}, {HV.full}, visited {R.first} and the baby and can be contacted on {HV.phone}.",
    "[R.prev]{R.first} was previously known as {R.prev} and used that name when {R.pron} lived in the {R.pc} area.",
    "{O.initial} is recorded on the police national computer; {O.poss} {G.kin} {G.full} lives at {G.addr}.",
    "{G.tfull}'s telephone number is {G.phone} and {G.poss} date of birth is {G.dob}.",
    "{O.brk} and {R.brk} separated in 2021 and the children have lived with {R.title} since then.",
    "{C2.first} (DOB {C2.dob}) attends the nursery and the GP has no concerns.",
    "[O.withheld]{O.title} is currently staying at {O.addr} and this address must not be disclosed.",
    "[R.withheld]{R.title} and the children are in a refuge at {R.addr}; it must not be disclosed to {O.title}.",
    "The {CG.rel} spoke with {CG.title}'s manager at {X.org}; the NHS trust was not involved.",
    "{P.title} told me {P.pron} could be reached at {P.email} or on {P.phone}.",
    "{I.full}, who made the anonymous referral, gave {I.poss} address as {I.addr}.",
    "{R.title} said that {O.first}'s {G.kin}, {G.first}, collects {C.first} from school on Fridays.",
    "{R.first} confirmed that {R.poss} date of birth is {R.dob}.",
    "{G.title}'s NI number, {G.nino}, appears on the tenancy agreement.",
    "{P.first} is believed to have moved to the {P.pc} area with {O.first}.",
)
OPENING_B = (
    "Section 7 report for {X.court}, case {X.case}, prepared by {SW.tfull}, {SW.rel}.",
    "Before the court on {X.hearing} ({X.court}, {X.case}): the welfare of {C.full} and {C2.full}.",
    "{X.org} was asked to prepare this report; the next hearing is on {X.hearing}.",
)
TEMPLATES_B = (
    "When I met {R.full} at {R.poss} home, {R.addr}, {R.pron} told me the children were settled.",
    "{R.title} says {O.title} has moved in with {P.full} at {P.addr}.",
    "{O.first}'s partner {P.first} was not present; {P.pron} is understood to work nights.",
    "According to {R.first}, {O.full} was born on {O.dob} and has a caution for assault.",
    "A man called {M.first} was present during the visit but would not give his surname.",
    "Police were called by a neighbour, {N.tfull}, who lives at {N.addr}.",
    "{PO.title} ({PO.rel}) confirmed the call log; {PO.pron} may be contacted on {PO.phone}.",
    "{C.full}'s NHS number, {C.nhs}, was given to me by the {HV.rel}, {HV.tfull}.",
    "On the school's form {O.first}'s NHS number appears as {O.nhsbad}, which does not match any record.",
    "{R.title}'s NI number is {R.nino}; {R.pron} asked that {R.poss} benefits letters go to {R.email}.",
    "{G.title}'s National Insurance number was written as {G.ninobad} on the housing application.",
    "{O.first} gave {O.poss} mobile as {O.phone} and {O.poss} email as {O.email}.",
    "{R.nick} prefers to be called by that name and can be reached on {R.phone}.",
    "The informant, {I.full}, asked that {I.poss} name be kept from the family.",
    "{GP.tfull}, the family's GP, wrote that {C2.first}, born on {C2.dob}, is well.",
    "[R.prev]{R.tfull} (formerly {R.prevlast}) confirmed {R.poss} date of birth as {R.dob}.",
    "{R.full} and {O.brk} were married until 2020; {O.title} then moved to the {O.pc} area.",
    "[O.withheld]{O.title} now lives at a refuge, {O.addr}; the address is confidential and must not be shared.",
    "[R.withheld]{R.first} gave me {R.poss} refuge address, {R.addr}, which {O.first} must not be told.",
    "{G.full}, {C.first}'s grandparent, telephoned from {G.phone} to offer support.",
    "Letters for {G.initial} should go to {G.addr}.",
    "The {CG.rel}, {CG.full}, met {C.nick} at school and can be emailed at {CG.email}.",
    "{SW.title} of {X.org} noted that the NHS and Cafcass records agree.",
    "{P.tfull} gave {P.poss} date of birth as {P.dob} and {P.poss} NHS number as {P.nhs}.",
    "{C2.first}'s {O.rel}'s new partner, {P.first}, has moved to {P.pc}.",
    "{O.title}'s National Insurance number is {O.nino}, according to the benefits letter.",
    "{R.first}'s NHS number ({R.nhs}) is on the letter from the GP.",
)
SETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "A": (OPENING_A, TEMPLATES_A),
    "B": (OPENING_B, TEMPLATES_B),
}


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.gold: list[dict[str, Any]] = []

    def add(self, text: str, role: str | None, label: str | None) -> None:
        if role is not None and label is not None:
            self.gold.append(
                {
                    "start": self.length,
                    "end": self.length + len(text),
                    "role": role,
                    "label": label,
                    "text": text,
                }
            )
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _eligible(template: str, case: Case) -> bool:
    """A template may start with "[WHO.withheld]" or "[WHO.prev]": only for cases that have it."""
    if not template.startswith("["):
        return True
    who, _, what = template[1 : template.index("]")].partition(".")
    person = case.people[who]
    return person.withheld if what == "withheld" else person.prev_last is not None


def _fill(writer: _Writer, template: str, rng: Random, case: Case) -> None:
    if template.startswith("["):
        template = template[template.index("]") + 1 :]
    for literal, field_name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            writer.add(literal, None, None)
        if field_name is None:
            continue
        who, _, kind = field_name.partition(".")
        for text, role, label in render_slot(rng, case, who, kind):
            writer.add(text, role, label)


def _wrap(text: str, rng: Random) -> str:
    """Line breaks as text pulled out of a PDF has them: a space becomes "\\n" (same length, so
    gold offsets hold), wherever a line runs past the width, inside a name or not."""
    if rng.random() < 0.4:
        return text
    width = rng.randint(55, 90)
    out = list(text)
    line_start = 0
    last_space = -1
    for i, ch in enumerate(out):
        if ch == "\n":
            line_start, last_space = i + 1, -1
        elif ch == " ":
            last_space = i
        if i - line_start >= width and last_space > line_start:
            out[last_space] = "\n"
            line_start, last_space = last_space + 1, -1
    return "".join(out)


def paragraph(rng: Random, index: int, template_set: TemplateSet) -> dict[str, Any]:
    openings, templates = SETS[template_set]
    case = make_case(rng)
    writer = _Writer()
    eligible = [t for t in templates if _eligible(t, case)]
    chosen = [rng.choice(openings), *rng.sample(eligible, rng.randint(4, 7))]
    # The hard cases a refuge brings are always written when the case has one.
    chosen += [t for t in eligible if t.startswith("[") and "withheld" in t and t not in chosen]
    for i, template in enumerate(chosen):
        if i:
            writer.add(" ", None, None)
        _fill(writer, template, rng, case)
    text = _wrap(writer.text, rng)
    for g in writer.gold:
        g["text"] = text[g["start"] : g["end"]]
    return {
        "id": f"{template_set}{index:05d}",
        "text": text,
        **context_json(case),
        "gold": writer.gold,
    }


def generate(n: int, *, seed: int, template_set: TemplateSet) -> list[dict[str, Any]]:
    """``n`` paragraphs; the same arguments always give the same paragraphs, byte for byte."""
    if template_set not in SETS:
        raise ValueError("template_set must be 'A' or 'B'")
    rng = Random(f"{seed}:{template_set}:{GENERATOR_VERSION}")
    return [paragraph(rng, i, template_set) for i in range(n)]


def detector_input(item: dict[str, Any]) -> dict[str, Any]:
    """The `steward redact detect` input line: the paragraph without its gold."""
    return {k: v for k, v in item.items() if k != "gold"}


def iter_jsonl(items: list[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        yield json.dumps(item, ensure_ascii=False, sort_keys=True)


def _main(argv: list[str] | None = None) -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Write generated report paragraphs as JSON lines.")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=SEED_B)
    parser.add_argument("--set", dest="template_set", choices=("A", "B"), default="A")
    parser.add_argument("--no-gold", action="store_true", help="write exactly the detector input")
    args = parser.parse_args(argv)
    items = generate(args.n, seed=args.seed, template_set=args.template_set)
    strip: Callable[[dict[str, Any]], dict[str, Any]] = (
        detector_input if args.no_gold else (lambda x: x)
    )
    for line in iter_jsonl([strip(i) for i in items]):
        sys.stdout.write(line + "\n")


if __name__ == "__main__":
    _main()
