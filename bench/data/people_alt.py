"""A second person-record generator, written apart from ``people.py``, with another error model.

The identity thresholds were tuned on ``people.py`` (Faker ``en_GB`` names, typing slips,
English diminutives). A threshold that holds only there has learnt that generator. This one
shares nothing with it but the CSV columns: its own name lists (Welsh, Scottish, South
Asian, Polish and English names, with their real spelling variants), its own places, and
errors of another kind and at other rates:

* records scanned from paper: OCR confusions (``rn``/``m``, ``l``/``1``, ``O``/``0``,
  ``cl``/``d``, ``h``/``b``) and adjacent letters transposed, in names and postcodes;
* transliteration variants (Mohammed / Muhammad / Mohamad, Chowdhury / Choudhury) and
  Mac / Mc / Mac- spellings, apostrophes dropped (O'Neill / ONeill), accents dropped (Siân);
* family name first (``Khan Imran``), and Welsh/Sikh naming: a Sikh woman recorded as Kaur on
  one record and under her husband's surname on another; hyphenated and spaced
  double surnames, or only one half;
* DOB: only the year known and the 1st of January written, month/day written US-style, a
  decade misread (1985 / 1995), missing far more often on older records;
* postcode: space lost, outward code only, missing (more often than the address), or the
  person moved within the same town.

Households hold siblings with near-identical given names (Hassan / Hussain, Rhys / Rhian),
twins, and a parent and child of one name, so relatives are the hard negatives as in life.

Files (like ``people.py``'s, so both benchmarks read either): records.csv, truth.csv
(record_id, person_key, household_key, tags), queries.csv and queries_truth.csv. Cached under
bench/generated/ by size and seed.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.data.people import GENERATED_DIR, QUERY_COLUMNS, RECORD_COLUMNS, PeopleData

SEED = 7_310_2026
VERSION = 2

# (given names female, given names male, surnames) per naming tradition, with the weight of
# the tradition in the population.
WELSH = (
    [
        "Ffion",
        "Cerys",
        "Bethan",
        "Carys",
        "Eleri",
        "Llinos",
        "Rhian",
        "Sian",
        "Gwenllian",
        "Nia",
        "Angharad",
        "Lowri",
        "Seren",
        "Elin",
        "Mared",
    ],
    [
        "Rhys",
        "Dafydd",
        "Gethin",
        "Iolo",
        "Aled",
        "Emyr",
        "Huw",
        "Ieuan",
        "Gareth",
        "Owain",
        "Rhodri",
        "Cai",
        "Osian",
        "Gruffydd",
        "Dylan",
    ],
    [
        "Jones",
        "Williams",
        "Davies",
        "Evans",
        "Thomas",
        "Roberts",
        "Hughes",
        "Lewis",
        "Morgan",
        "Griffiths",
        "Price",
        "Pritchard",
        "Llewellyn",
        "Bowen",
        "Prosser",
        "Vaughan",
        "Powell",
        "ap Rhys",
        "Parry",
        "Jenkins",
    ],
)
SCOTTISH = (
    [
        "Eilidh",
        "Morag",
        "Catriona",
        "Ailsa",
        "Mhairi",
        "Isla",
        "Kirsty",
        "Fiona",
        "Shona",
        "Iona",
        "Kirsteen",
        "Elspeth",
    ],
    [
        "Iain",
        "Hamish",
        "Fergus",
        "Lachlan",
        "Ruaridh",
        "Angus",
        "Callum",
        "Alasdair",
        "Euan",
        "Murdo",
        "Struan",
        "Finlay",
    ],
    [
        "MacDonald",
        "Mackenzie",
        "Campbell",
        "Stewart",
        "Robertson",
        "MacLeod",
        "Fraser",
        "Murray",
        "MacGregor",
        "McIntyre",
        "Buchanan",
        "Henderson",
        "Ross",
        "Sinclair",
        "MacKay",
        "Munro",
    ],
)
SOUTH_ASIAN = (
    [
        "Priya",
        "Aisha",
        "Fatima",
        "Harpreet",
        "Gurpreet",
        "Nadia",
        "Zainab",
        "Anjali",
        "Yasmin",
        "Shabana",
        "Nasreen",
        "Rukhsana",
        "Sunita",
        "Parveen",
        "Amrit",
        "Simran",
    ],
    [
        "Mohammed",
        "Arjun",
        "Imran",
        "Sanjay",
        "Ravi",
        "Bilal",
        "Hassan",
        "Hussain",
        "Tariq",
        "Jaswinder",
        "Kuldeep",
        "Rajesh",
        "Abdul",
        "Faisal",
        "Amir",
        "Zubair",
    ],
    [
        "Patel",
        "Khan",
        "Ahmed",
        "Hussain",
        "Singh",
        "Begum",
        "Ali",
        "Rahman",
        "Chowdhury",
        "Sharma",
        "Shah",
        "Iqbal",
        "Akhtar",
        "Mahmood",
        "Islam",
        "Bibi",
        "Sandhu",
        "Gill",
    ],
)
POLISH = (
    ["Agnieszka", "Katarzyna", "Małgorzata", "Zofia", "Joanna", "Magdalena", "Ewa"],
    ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Grzegorz", "Marek"],
    [
        "Nowak",
        "Kowalski",
        "Wiśniewski",
        "Wójcik",
        "Kowalczyk",
        "Kamiński",
        "Lewandowski",
        "Zieliński",
        "Szymański",
        "Woźniak",
    ],
)
ENGLISH = (
    [
        "Emma",
        "Sarah",
        "Rebecca",
        "Hannah",
        "Lucy",
        "Claire",
        "Joanne",
        "Rachel",
        "Laura",
        "Gemma",
        "Michelle",
        "Kelly",
        "Amy",
        "Jade",
        "Chloe",
    ],
    [
        "Craig",
        "Lee",
        "Darren",
        "Wayne",
        "Jason",
        "Gavin",
        "Shaun",
        "Dean",
        "Ryan",
        "Kyle",
        "Liam",
        "Connor",
        "Jordan",
        "Scott",
        "Neil",
    ],
    [
        "Smith",
        "Taylor",
        "Brown",
        "Wilson",
        "Johnson",
        "Walker",
        "Wright",
        "Robinson",
        "Thompson",
        "White",
        "Hall",
        "Green",
        "Wood",
        "Harris",
        "O'Neill",
        "O'Brien",
        "Turner",
    ],
)
TRADITIONS = ((WELSH, 0.25), (SCOTTISH, 0.2), (SOUTH_ASIAN, 0.25), (POLISH, 0.08), (ENGLISH, 0.22))

# Written variants of one name: a clerk writes any of them.
VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Muhammad", "Mohammad", "Mohamed", "Mohamad"),
    "Chowdhury": ("Choudhury", "Chaudhry", "Choudhry"),
    "Hussain": ("Hussein", "Husain"),
    "Ahmed": ("Ahmad",),
    "Rahman": ("Rehman",),
    "Mahmood": ("Mahmud", "Mehmood"),
    "Sian": ("Siân", "Shan"),
    "Rhys": ("Reece", "Rees"),
    "Dafydd": ("Dai", "David"),
    "Iain": ("Ian",),
    "Ruaridh": ("Rory", "Ruairidh"),
    "Hamish": ("James",),
    "Stewart": ("Stuart",),
    "Gruffydd": ("Griffith",),
    "Llewellyn": ("Llewelyn", "Lewellyn"),
    "Catriona": ("Katrina",),
    "Elspeth": ("Elsie",),
}
OCR = (
    ("rn", "m"),
    ("m", "rn"),
    ("l", "1"),
    ("I", "l"),
    ("O", "0"),
    ("o", "0"),
    ("cl", "d"),
    ("d", "cl"),
    ("h", "b"),
    ("e", "c"),
    ("S", "5"),
    ("B", "8"),
    ("vv", "w"),
    ("ii", "u"),
)

# Places: (town, postcode areas with their district numbers, street words).
PLACES = (
    ("Cardiff", "CF", (3, 5, 10, 11, 14, 23, 24), ("Heol y Nant", "Ffordd Las", "Cathedral Road")),
    ("Swansea", "SA", (1, 2, 4, 5, 6), ("Heol Gwyrosydd", "Mumbles Road", "Walter Road")),
    ("Bangor", "LL", (57, 58), ("Ffordd Caergybi", "Lon Ogwen", "Glasinfryn")),
    ("Glasgow", "G", (3, 4, 11, 12, 20, 31, 42), ("Byres Road", "Dumbarton Road", "Paisley Road")),
    ("Edinburgh", "EH", (1, 3, 6, 7, 11, 16), ("Leith Walk", "Dalry Road", "Easter Road")),
    ("Inverness", "IV", (1, 2, 3), ("Culduthel Road", "Kenneth Street", "Crown Drive")),
    ("Leicester", "LE", (1, 2, 4, 5), ("Belgrave Road", "Narborough Road", "Melton Road")),
    ("Bradford", "BD", (3, 5, 7, 8, 9), ("Leeds Road", "Manningham Lane", "Oak Lane")),
    ("Southall", "UB", (1, 2), ("The Broadway", "Lady Margaret Road", "King Street")),
    ("Peterborough", "PE", (1, 2, 3), ("Lincoln Road", "Gladstone Street", "Park Road")),
)
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass
class _Person:
    key: str
    household: str
    first: str
    middle: str
    surname: str
    dob: date
    female: bool
    other_surnames: list[str] = field(default_factory=list)
    homes: list[tuple[str, str]] = field(default_factory=list)  # (postcode, address)


def _postcode(rng: random.Random, area: str, districts: tuple[int, ...]) -> str:
    letters = rng.choice(UNIT_LETTERS) + rng.choice(UNIT_LETTERS)
    return f"{area}{rng.choice(districts)} {rng.randint(1, 9)}{letters}"


def _home(rng: random.Random, place: tuple[Any, ...]) -> tuple[str, str]:
    town, area, districts, streets = place
    postcode = _postcode(rng, area, districts)
    return postcode, f"{rng.randint(1, 180)} {rng.choice(streets)}, {town}"


def _dob(rng: random.Random, born_from: int, born_to: int) -> date:
    start = date(born_from, 1, 1)
    return start + timedelta(days=rng.randrange((date(born_to, 12, 31) - start).days))


def _household(rng: random.Random, hid: str, counter: list[int]) -> list[_Person]:
    tradition = rng.choices([t for t, _ in TRADITIONS], [w for _, w in TRADITIONS])[0]
    women, men, surnames = tradition
    surname = rng.choice(surnames)
    if tradition is WELSH and rng.random() < 0.1:
        surname = f"{surname}-{rng.choice(surnames)}"  # a hyphenated Welsh double name
    place = rng.choice(PLACES)
    home = _home(rng, place)

    def person(first: str, sname: str, dob: date, female: bool, middle: str = "") -> _Person:
        counter[0] += 1
        p = _Person(f"A{counter[0]}", hid, first, middle, sname, dob, female, homes=[home])
        if rng.random() < 0.3:
            p.homes.append(_home(rng, place))  # moved within the town
        return p

    parent_year = rng.randint(1950, 1990)
    mother_surname = surname
    if tradition is SOUTH_ASIAN and surname == "Singh":
        mother_surname = "Kaur"
    members = [
        person(rng.choice(men), surname, _dob(rng, parent_year - 3, parent_year + 2), False),
        person(
            rng.choice(women), mother_surname, _dob(rng, parent_year - 2, parent_year + 4), True
        ),
    ]
    mother = members[1]
    if mother_surname == surname and rng.random() < 0.4:
        mother.other_surnames.append(rng.choice(surnames))  # her maiden name
    elif mother_surname == "Kaur":
        mother.other_surnames.append(surname)  # recorded under her husband's surname too
    children = rng.choice((0, 1, 2, 2, 3, 4))
    first_child_year = parent_year + rng.randint(20, 32)
    for i in range(children):
        female = rng.random() < 0.5
        names = women if female else men
        year = min(first_child_year + 2 * i, 2024)
        if i == 1 and rng.random() < 0.15:
            # Twins: same DOB, a near-identical name where the tradition has one.
            twin = members[-1]
            pool = [n for n in names if n[:2] == twin.first[:2] and n != twin.first] or names
            members.append(person(rng.choice(pool), twin.surname, twin.dob, female))
            continue
        if i == 0 and not female and rng.random() < 0.08:
            # A son named after his father: one name, one address, another DOB.
            members.append(person(members[0].first, surname, _dob(rng, year, year), False))
            continue
        middle = rng.choice(names) if rng.random() < 0.3 else ""
        members.append(person(rng.choice(names), surname, _dob(rng, year, year), female, middle))
    return members


def _ocr(rng: random.Random, text: str) -> str:
    options = [(a, b) for a, b in OCR if a in text]
    if not options:
        return text
    a, b = rng.choice(options)
    at = [i for i in range(len(text)) if text.startswith(a, i)]
    i = rng.choice(at)
    return text[:i] + b + text[i + len(a) :]


def _transpose(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _spelling(rng: random.Random, name: str) -> str:
    """A real written variant: transliteration, Mac/Mc, apostrophe or accent dropped."""
    if name in VARIANTS:
        return rng.choice(VARIANTS[name])
    if name.startswith("Mac"):
        return "Mc" + name[3:] if rng.random() < 0.6 else "Mac " + name[3:]
    if name.startswith("Mc"):
        return "Mac" + name[2:]
    if "'" in name:
        return name.replace("'", "")
    folded = name.translate(str.maketrans("łśźżóąęćńŁŚŹŻÓ", "lszzoaecnLSZZO"))
    return folded if folded != name else name


def _surname_written(rng: random.Random, p: _Person, tags: list[str]) -> str:
    surname = p.surname
    if p.other_surnames and rng.random() < 0.35:
        tags.append("other_surname")
        surname = rng.choice(p.other_surnames)
    if "-" in surname:
        roll = rng.random()
        if roll < 0.3:
            tags.append("hyphen_as_space")
            surname = surname.replace("-", " ")
        elif roll < 0.5:
            tags.append("one_half_of_double")
            surname = rng.choice(surname.split("-"))
    return surname


def _dob_written(rng: random.Random, p: _Person, tags: list[str]) -> str:
    # Older people's records were more often kept without a full DOB.
    missing = 0.18 if p.dob.year < 1970 else 0.04
    roll = rng.random()
    if roll < missing:
        tags.append("dob_missing")
        return ""
    roll -= missing
    if roll < 0.04:
        tags.append("dob_year_only")
        return date(p.dob.year, 1, 1).isoformat()
    if roll < 0.07 and p.dob.day <= 12:
        tags.append("dob_us_format")
        return date(p.dob.year, p.dob.day, p.dob.month).isoformat()
    if roll < 0.10:
        tags.append("dob_decade_misread")
        year = p.dob.year + rng.choice((-10, 10))
        return date(min(year, 2024), p.dob.month, min(p.dob.day, 28)).isoformat()
    return p.dob.isoformat()


def _place_written(rng: random.Random, p: _Person, tags: list[str]) -> tuple[str, str]:
    postcode, address = rng.choice(p.homes)
    roll = rng.random()
    if roll < 0.15:
        tags.append("postcode_missing")
        postcode = ""
    elif roll < 0.20:
        tags.append("postcode_ocr")
        postcode = _ocr(rng, postcode)
    elif roll < 0.25:
        tags.append("postcode_no_space")
        postcode = postcode.replace(" ", "")
    if rng.random() < 0.06:
        tags.append("address_missing")
        address = ""
    return postcode, address


# One miskeying per name at most, each with the tag the misses are reported under.
_FIRST_NAME_ERRORS = ("spelling_variant", "ocr_first", "transposed_first")
_SURNAME_ERRORS = ("surname_spelling_variant", "ocr_surname", "transposed_surname")


def _miskeyed(rng: random.Random, name: str, tags: list[str], kinds: tuple[str, ...]) -> str:
    roll = rng.random()
    for (tag, corrupt), upto in zip(
        zip(kinds, (_spelling, _ocr, _transpose), strict=True), (0.08, 0.14, 0.17), strict=True
    ):
        if roll < upto:
            tags.append(tag)
            return corrupt(rng, name)
    return name


def _record(rng: random.Random, p: _Person) -> tuple[list[str], list[str]]:
    tags: list[str] = []
    first, surname = p.first, _surname_written(rng, p, tags)
    first = _miskeyed(rng, first, tags, _FIRST_NAME_ERRORS)
    surname = _miskeyed(rng, surname, tags, _SURNAME_ERRORS)
    if rng.random() < 0.05:
        tags.append("family_name_first")
        first, surname = surname, first
    middle = p.middle if rng.random() < 0.5 else ""
    postcode, address = _place_written(rng, p, tags)
    return [first, middle, surname, _dob_written(rng, p, tags), postcode, address], tags


def _records_per_person(rng: random.Random) -> int:
    n = 1
    while n < 12 and rng.random() < 0.55:
        n += 1
    return n


def _generate(directory: Path, size: int, seed: int, queries: int) -> dict[str, Any]:
    rng = random.Random(seed)
    people: list[_Person] = []  # those with at least one record
    counter = [0]
    written = 0
    tag_counts: dict[str, int] = {}
    with (
        (directory / "records.csv").open("w", newline="") as rf,
        (directory / "truth.csv").open("w", newline="") as tf,
    ):
        rows, truth = csv.writer(rf), csv.writer(tf)
        rows.writerow(RECORD_COLUMNS)
        truth.writerow(("record_id", "person_key", "household_key", "tags"))
        h = 0
        while written < size:
            h += 1
            for p in _household(rng, f"H{h}", counter):
                if written >= size:
                    break
                people.append(p)
                for _ in range(_records_per_person(rng)):
                    if written >= size:
                        break
                    written += 1
                    values, tags = _record(rng, p)
                    rid = f"R{written:08d}"
                    rows.writerow([rid, *values])
                    truth.writerow([rid, p.key, p.household, ";".join(tags)])
                    for t in tags:
                        tag_counts[t] = tag_counts.get(t, 0) + 1
    asked = rng.sample(people, min(queries, len(people)))
    with (
        (directory / "queries.csv").open("w", newline="") as qf,
        (directory / "queries_truth.csv").open("w", newline="") as qtf,
    ):
        q, qt = csv.writer(qf), csv.writer(qtf)
        q.writerow(QUERY_COLUMNS)
        qt.writerow(("query_id", "person_key", "n_records"))
        for i, p in enumerate(asked):
            postcode, address = p.homes[-1]
            previous = ";".join(pc for pc, _ in p.homes[:-1])
            qid = f"AQ{i:06d}"
            q.writerow(
                [
                    qid,
                    p.first,
                    p.middle,
                    p.surname,
                    ";".join(p.other_surnames),
                    p.dob.isoformat(),
                    postcode,
                    address,
                    previous,
                ]
            )
            qt.writerow([qid, p.key, ""])
    return {
        "generator": "people_alt",
        "version": VERSION,
        "seed": seed,
        "records": written,
        "persons": len(people),
        "queries": len(asked),
        "tag_rates": {t: round(n / written, 4) for t, n in sorted(tag_counts.items())},
    }


def people_alt_data(size: int, *, seed: int = SEED, queries: int = 500) -> PeopleData:
    """The generated files for ``size`` records, made once and cached under bench/generated/."""
    directory = GENERATED_DIR / f"people-alt-{size}-s{seed}-q{queries}-v{VERSION}"
    meta_path = directory / "meta.json"
    if meta_path.exists():
        return PeopleData(directory, json.loads(meta_path.read_text()))
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".people-alt-", dir=GENERATED_DIR))
    try:
        meta = _generate(scratch, size, seed, queries)
        (scratch / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        if directory.exists():
            shutil.rmtree(directory)
        scratch.rename(directory)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)
    return PeopleData(directory, meta)
