"""Invented people: names as British families carry them, addresses, identifiers, contacts.

Pure functions of a seeded ``random.Random`` and a seeded Faker ``en_GB``: no database here.
Identifiers are valid in form but cannot belong to anyone: NHS numbers are taken from the
999 range the NHS keeps for testing, telephone numbers from Ofcom's drama ranges, e-mail
addresses from the reserved ``.example`` domains.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from steward.demo.places import MOBILE_PREFIX, Area

FEMALE = "Female"
MALE = "Male"

# Names children born in England and Wales since about 2008 are often given.
CHILD_FEMALE = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Willow", "Freya", "Florence", "Emily", "Ella", "Poppy", "Evie", "Elsie", "Charlotte",
    "Evelyn", "Sienna", "Daisy", "Phoebe", "Sophie", "Ruby", "Jessica", "Chloe", "Millie", "Holly",
    "Lacey", "Layla", "Harper", "Maisie", "Matilda", "Scarlett", "Erin", "Megan", "Katie", "Leah",
    "Amelia-Rose", "Lexi", "Macie", "Skye", "Eleanor", "Alice", "Hannah", "Abigail", "Lola", "Nevaeh",
)  # fmt: skip
CHILD_MALE = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Oscar", "Harry", "Archie", "Jack", "Henry",
    "Charlie", "Freddie", "Theodore", "Thomas", "Alfie", "Jacob", "Teddy", "Finley", "Joshua",
    "William", "Isaac", "James", "Ethan", "Lucas", "Max", "Mason", "Riley", "Logan", "Dylan",
    "Harrison", "Tyler", "Kai", "Jayden", "Callum", "Liam", "Kayden", "Bobby", "Tommy", "Reggie",
    "Samuel", "Daniel", "Benjamin", "Alexander", "Joseph", "Edward", "Louie", "Frankie", "Ronnie",
)  # fmt: skip
# Names of people born roughly 1975 to 2004: today's parents.
ADULT_FEMALE = (
    "Sarah", "Emma", "Laura", "Gemma", "Rebecca", "Kelly", "Stacey", "Amy", "Jessica", "Hannah",
    "Lauren", "Charlotte", "Danielle", "Jade", "Katie", "Samantha", "Nicola", "Claire", "Lisa",
    "Jennifer", "Victoria", "Rachel", "Natalie", "Kirsty", "Leanne", "Chantelle", "Shannon",
    "Chloe", "Megan", "Sophie", "Zoe", "Hayley", "Kayleigh", "Louise", "Elizabeth", "Catherine",
    "Michelle", "Joanne", "Donna", "Tracey", "Abigail", "Alexandra", "Bethany", "Courtney",
)  # fmt: skip
ADULT_MALE = (
    "Daniel", "James", "Christopher", "Matthew", "Thomas", "Michael", "David", "Andrew", "Ryan",
    "Craig", "Lee", "Mark", "Paul", "Richard", "Robert", "Jonathan", "Ashley", "Carl", "Dean",
    "Liam", "Jamie", "Adam", "Luke", "Scott", "Kyle", "Nathan", "Jordan", "Connor", "Joshua",
    "Samuel", "Benjamin", "William", "Stephen", "Anthony", "Gary", "Wayne", "Darren", "Shaun",
    "Nicholas", "Joseph", "Edward", "Alexander", "Jason", "Kieran", "Callum", "Aaron",
)  # fmt: skip

# Families of other naming traditions common in the UK: (female, male) first names, surnames.
FIRST_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "south_asian": (
        ("Aisha", "Fatima", "Zainab", "Maryam", "Amina", "Sana", "Nadia", "Priya", "Anjali",
         "Simran", "Noor", "Hafsa", "Iqra", "Ayesha", "Safiya", "Rukhsana"),
        ("Mohammed", "Muhammad", "Ali", "Imran", "Asif", "Tariq", "Zain", "Ayaan", "Yusuf",
         "Ibrahim", "Hamza", "Arjun", "Rohan", "Sanjay", "Vikram", "Bilal", "Adam", "Omar"),
    ),
    "west_african": (
        ("Adaeze", "Chiamaka", "Ama", "Abena", "Grace", "Blessing", "Precious", "Folake",
         "Esther", "Comfort", "Temitope", "Favour", "Ruth", "Deborah"),
        ("Oluwaseun", "Chinedu", "Kwame", "Kofi", "Emmanuel", "Samuel", "Tobi", "Femi",
         "David", "Joshua", "Daniel", "Olumide", "Kwabena", "Ebuka"),
    ),
    "polish": (
        ("Zofia", "Julia", "Natalia", "Agnieszka", "Katarzyna", "Magdalena", "Oliwia",
         "Anna", "Wiktoria", "Joanna"),
        ("Jakub", "Kacper", "Piotr", "Tomasz", "Mateusz", "Andrzej", "Marek", "Szymon",
         "Paweł", "Krzysztof"),
    ),
}  # fmt: skip
SURNAMES: dict[str, tuple[str, ...]] = {
    "south_asian": ("Khan", "Hussain", "Ahmed", "Ali", "Patel", "Shah", "Akhtar", "Iqbal",
                    "Mahmood", "Rahman", "Islam", "Chaudhry", "Singh", "Sharma", "Mistry",
                    "Begum", "Malik"),
    "west_african": ("Okafor", "Adeyemi", "Mensah", "Owusu", "Boateng", "Okonkwo", "Adebayo",
                     "Asante", "Oyelaran", "Eze", "Nwosu", "Appiah", "Ogunleye", "Addo"),
}  # fmt: skip
# Polish surnames change with gender: (masculine, feminine).
POLISH_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Dąbrowski", "Dąbrowska"),
    ("Mazur", "Mazur"),
)  # fmt: skip

# Formal names and what people are called: documents use both, and some records hold the
# short name as an alias.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Will", "Billy"), "Robert": ("Rob", "Bobby"), "Elizabeth": ("Liz", "Beth"),
    "Catherine": ("Kate", "Cathy"), "Katie": ("Kate",), "James": ("Jim", "Jamie"),
    "Thomas": ("Tom", "Tommy"), "Michael": ("Mike", "Micky"), "Christopher": ("Chris",),
    "Jennifer": ("Jen", "Jenny"), "Alexander": ("Alex", "Xander"), "Daniel": ("Dan", "Danny"),
    "Samuel": ("Sam", "Sammy"), "Joseph": ("Joe", "Joey"), "Jonathan": ("Jon", "Jonny"),
    "Rebecca": ("Becky", "Becca"), "Victoria": ("Vicky", "Tori"), "Charlotte": ("Lottie", "Charlie"),
    "Nicholas": ("Nick",), "Matthew": ("Matt",), "Benjamin": ("Ben", "Benji"),
    "Edward": ("Ed", "Teddy"), "Anthony": ("Tony", "Ant"), "Richard": ("Rich", "Richie"),
    "Stephen": ("Steve",), "Andrew": ("Andy", "Drew"), "Samantha": ("Sam", "Sammie"),
    "Joshua": ("Josh",), "Oliver": ("Ollie",), "Henry": ("Harry",), "Jessica": ("Jess",),
    "Abigail": ("Abbie", "Abby"), "Alexandra": ("Alex", "Lexi"), "Amelia": ("Millie", "Mia"),
    "Eleanor": ("Ellie", "Nell"), "Isabella": ("Bella", "Izzy"), "Olivia": ("Liv", "Livvy"),
    "Frederick": ("Freddie",), "Theodore": ("Theo", "Teddy"), "Florence": ("Flo", "Florrie"),
    "Matilda": ("Tilly",), "Sophia": ("Sophie",), "Archibald": ("Archie",),
    "Mohammed": ("Mo",), "Muhammad": ("Mo",), "Oluwaseun": ("Seun",), "Temitope": ("Tope",),
    "Katarzyna": ("Kasia",), "Krzysztof": ("Krzysiek",), "Aleksandra": ("Ola",),
    "Deborah": ("Debbie",), "Nicola": ("Nicky",), "Natalie": ("Nat",), "Hannah": ("Annie",),
}  # fmt: skip

STREET_STEMS = (
    "Church", "Station", "Victoria", "Park", "Mill", "Manor", "Albert", "Queen's", "King's",
    "Springfield", "Highfield", "Oak", "Beech", "Elm", "Chestnut", "Meadow", "Orchard", "Windsor",
    "York", "Grange", "Green", "Howard", "Nelson", "Cromwell", "Alexandra", "Clarence", "Bridge",
    "School", "Chapel", "Moor", "Brook", "Hill", "Lime", "Willow", "Ash", "Cedar", "Rowan",
    "Hawthorn", "Sycamore", "Larch", "Holly", "Cherry", "St John's", "St Mary's", "Fern", "Poplar",
)  # fmt: skip
STREET_SUFFIXES = (
    "Road", "Road", "Road", "Street", "Street", "Avenue", "Close", "Lane", "Drive", "Grove",
    "Crescent", "Way", "Terrace", "Gardens", "Place", "Court", "View", "Rise", "Walk", "Mews",
)  # fmt: skip
BLOCK_NAMES = ("House", "Court", "Lodge", "Heights", "Tower", "Point")
# Letters a postcode's inward code may end in (Royal Mail never uses C, I, K, M, O, V there).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# A National Insurance number's first letter is never D, F, I, Q, U or V; its second never
# D, F, I, O, Q, U or V; some pairs are never issued.
NINO_FIRST = "".join(c for c in string.ascii_uppercase if c not in "DFIQUV")
NINO_SECOND = "".join(c for c in string.ascii_uppercase if c not in "DFIOQUV")
NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


@dataclass
class Address:
    line1: str
    line2: str | None
    town: str
    postcode: str
    from_date: date | None = None
    to_date: date | None = None

    def one_line(self) -> str:
        parts = [self.line1, self.line2, f"{self.town} {self.postcode}"]
        return ", ".join(p for p in parts if p)

    def moved_out(self, on: date) -> Address:
        return Address(self.line1, self.line2, self.town, self.postcode, self.from_date, on)


@dataclass(eq=False)  # people are equal only to themselves
class Human:
    """One invented person as they really are; a record of them (a ``PersonCreate``) may
    show less, or show it differently (a nickname, an old address)."""

    key: str
    first: str
    middle: str | None
    last: str
    gender: str | None
    dob: date | None
    birth_last: str
    previous_lasts: list[str] = field(default_factory=list)
    nickname: str | None = None
    addresses: list[Address] = field(default_factory=list)  # oldest first; last is current
    address_withheld: bool = False
    phone: str | None = None
    email: str | None = None
    nhs_number: str | None = None
    nino: str | None = None
    la_reference: str | None = None
    is_professional: bool = False
    organisation: str | None = None
    title: str | None = None  # "DC", "Social Worker": how documents introduce a professional
    record_keys: list[str] = field(default_factory=list)  # every person record made of them

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def called(self) -> str:
        return self.nickname or self.first

    @property
    def address(self) -> Address | None:
        return self.addresses[-1] if self.addresses else None

    @property
    def is_female(self) -> bool:
        return self.gender == FEMALE

    def age_on(self, day: date, *, unknown: int) -> int:
        """Age in whole years on ``day``; ``unknown`` when the date of birth is not known."""
        if self.dob is None:
            return unknown
        return day.year - self.dob.year - ((day.month, day.day) < (self.dob.month, self.dob.day))

    @property
    def honorific(self) -> str:
        if self.title:
            return self.title
        return "Ms" if self.is_female else "Mr"

    @property
    def formal(self) -> str:
        return f"{self.honorific} {self.last}"

    def pronoun(self, case: str = "subject") -> str:
        table = {
            "subject": ("she", "he"),
            "object": ("her", "him"),
            "possessive": ("her", "his"),
        }
        return table[case][0 if self.is_female else 1]


@dataclass
class Tradition:
    """A naming tradition: which first names and surnames a family draws from."""

    name: str
    weight: int


TRADITIONS = (
    Tradition("british", 80),
    Tradition("south_asian", 9),
    Tradition("west_african", 5),
    Tradition("polish", 6),
)


class PeopleFactory:
    """Makes invented people from one random stream, never the same identifier twice."""

    def __init__(self, rng: random.Random, fake: Faker) -> None:
        self.rng = rng
        self.fake = fake
        self._next_key = 0
        self._nhs: set[str] = set()
        self._nino: set[str] = set()
        self._la_refs: set[str] = set()

    # --- keys and identifiers -----------------------------------------------------------

    def new_key(self) -> str:
        self._next_key += 1
        return f"P{self._next_key:06d}"

    def nhs_number(self) -> str:
        """A valid NHS number (modulus 11) from the 999 range, which is never issued."""
        while True:
            digits = [9, 9, 9, *(self.rng.randrange(10) for _ in range(6))]
            check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
            if check == 10:
                continue  # no valid check digit: such numbers are never issued
            value = "".join(map(str, digits)) + str(0 if check == 11 else check)
            if value not in self._nhs:
                self._nhs.add(value)
                return value

    def nino(self) -> str:
        while True:
            prefix = self.rng.choice(NINO_FIRST) + self.rng.choice(NINO_SECOND)
            if prefix in NINO_UNUSED_PREFIXES:
                continue
            value = f"{prefix}{self.rng.randrange(1_000_000):06d}{self.rng.choice('ABCD')}"
            if value not in self._nino:
                self._nino.add(value)
                return value

    def la_reference(self, area: Area) -> str:
        while True:
            value = f"{area.la_code}-{self.rng.randrange(100_000, 999_999)}"
            if value not in self._la_refs:
                self._la_refs.add(value)
                return value

    def mobile(self) -> str:
        return f"{MOBILE_PREFIX}{self.rng.randrange(1000):03d}"

    def landline(self, area: Area) -> str:
        width = 11 - len(area.landline.replace(" ", ""))  # digits left to an 11-digit number
        return f"{area.landline}{self.rng.randrange(10**width):0{width}d}"

    def personal_email(self, first: str, last: str) -> str:
        local = self.rng.choice(
            (
                f"{first}.{last}",
                f"{first}{last}{self.rng.randrange(1, 99)}",
                f"{first[0]}{last}",
                f"{first}_{self.rng.randrange(1980, 2010)}",
            )
        )
        domain = self.rng.choice(("example.com", "example.org", "example.net", "mail.example"))
        return f"{ascii_only(local).lower()}@{domain}"

    # --- names --------------------------------------------------------------------------

    def tradition(self) -> str:
        return self.rng.choices(
            [t.name for t in TRADITIONS], weights=[t.weight for t in TRADITIONS]
        )[0]

    def surname(self, tradition: str, gender: str | None) -> str:
        if tradition == "polish":
            masculine, feminine = self.rng.choice(POLISH_SURNAMES)
            return feminine if gender == FEMALE else masculine
        if tradition in SURNAMES:
            choice = self.rng.choice(SURNAMES[tradition])
            return "Hussain" if choice == "Begum" and gender != FEMALE else choice
        last: str = self.fake.last_name()
        if self.rng.random() < 0.03:  # double-barrelled from birth
            other: str = self.fake.last_name()
            if other != last:
                last = f"{last}-{other}"
        return last

    def first_name(self, tradition: str, gender: str | None, *, generation: str) -> str:
        female = gender == FEMALE
        if tradition in FIRST_NAMES and self.rng.random() < 0.8:
            return self.rng.choice(FIRST_NAMES[tradition][0 if female else 1])
        if generation == "child":
            return self.rng.choice(CHILD_FEMALE if female else CHILD_MALE)
        if generation == "adult" and self.rng.random() < 0.7:
            return self.rng.choice(ADULT_FEMALE if female else ADULT_MALE)
        # Faker's en_GB names span generations: right for grandparents and professionals.
        name: str = self.fake.first_name_female() if female else self.fake.first_name_male()
        return name

    def middle_name(self, tradition: str, gender: str | None, *, generation: str) -> str | None:
        roll = self.rng.random()
        if roll < 0.35:
            return None
        first = self.first_name(tradition, gender, generation=generation)
        if roll > 0.92:
            return f"{first} {self.first_name(tradition, gender, generation=generation)}"
        return first

    def person(
        self,
        *,
        tradition: str,
        gender: str | None,
        dob: date | None,
        generation: str,
        last: str | None = None,
    ) -> Human:
        first = self.first_name(tradition, gender, generation=generation)
        middle = self.middle_name(tradition, gender, generation=generation)
        if middle and (first in middle.split() or len(set(middle.split())) < len(middle.split())):
            middle = None
        surname = last or self.surname(tradition, gender)
        human = Human(
            key=self.new_key(),
            first=first,
            middle=middle,
            last=surname,
            gender=gender,
            dob=dob,
            birth_last=surname,
        )
        nicks = NICKNAMES.get(first)
        if nicks and self.rng.random() < 0.35:
            human.nickname = self.rng.choice(nicks)
        return human

    def birthday(self, age: float, on: date) -> date:
        """The date of birth of someone ``age`` years old (a fraction: any day of the year)
        on ``on``."""
        return on - timedelta(days=int(age * 365.25))

    # --- addresses ----------------------------------------------------------------------

    def street(self) -> str:
        stem = self.rng.choice(STREET_STEMS) if self.rng.random() < 0.7 else self.fake.last_name()
        return f"{stem} {self.rng.choice(STREET_SUFFIXES)}"

    def postcode(self, area: Area) -> str:
        outward = self.rng.choice(area.postcode_areas) + str(self.rng.randint(1, 28))
        inward = f"{self.rng.randint(1, 9)}{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"
        return f"{outward} {inward}"

    def address(self, area: Area, *, since: date | None = None) -> Address:
        town = self.rng.choice(area.towns)
        if self.rng.random() < 0.22:
            block = f"{self.rng.choice(STREET_STEMS)} {self.rng.choice(BLOCK_NAMES)}"
            line1, line2 = f"Flat {self.rng.randint(1, 48)}", f"{block}, {self.street()}"
        else:
            line1, line2 = f"{self.rng.randint(1, 180)} {self.street()}", None
        return Address(line1, line2, town, self.postcode(area), since, None)

    def move(self, human: Human, new: Address, on: date) -> None:
        if human.addresses:
            human.addresses[-1] = human.addresses[-1].moved_out(on)
        new.from_date = on
        human.addresses.append(new)

    def share_address(self, human: Human, address: Address) -> None:
        """``human`` lives at ``address`` too (a copy: each record keeps its own dates)."""
        human.addresses.append(
            Address(address.line1, address.line2, address.town, address.postcode, address.from_date)
        )


def ascii_only(text: str) -> str:
    table = str.maketrans("łśćńóżźąęŁŚĆŃÓŻŹĄĘ", "lscnozzaeLSCNOZZAE")
    return "".join(c for c in text.translate(table) if c.isalnum() or c in "._-")
