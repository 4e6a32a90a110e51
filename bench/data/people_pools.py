"""Name and address pools for bench/data/people.py, drawn from Faker's locale lists.

Faker's own per-call API costs tens of microseconds a call; the generator needs ~10 draws per
record at 1M records, so it reads the providers' lists once and draws from them with its own
seeded ``random.Random``. Most households are ``en_GB`` (surnames weighted as Faker weights
them: Smith ~3%), with ``en_IE`` and ``en_IN`` families for a realistic tail of rarer names.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from random import Random

from faker.providers.address.en_GB import Provider as GbAddress
from faker.providers.person.en_GB import Provider as GbPerson
from faker.providers.person.en_IE import Provider as IePerson
from faker.providers.person.en_IN import Provider as InPerson

GROUPS = (("gb", 0.82), ("ie", 0.10), ("in", 0.08))
STREET_SUFFIXES = (
    "Road", "Road", "Road", "Street", "Street", "Lane", "Avenue", "Close", "Drive", "Way",
    "Crescent", "Gardens", "Grove", "Place", "Court", "Terrace", "Mews", "Walk", "Rise", "Hill",
)  # fmt: skip
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True, slots=True)
class Unit:
    """A postcode unit: one street in one town, shared by the dozen or so households on it."""

    street: str
    town: str
    postcode: str


class NamePools:
    def __init__(self, rng: Random) -> None:
        self.rng = rng
        gb_last = GbPerson.last_names
        self._gb_last = list(gb_last)
        self._gb_cum = list(accumulate(gb_last.values()))
        self._first = {
            ("gb", True): list(GbPerson.first_names_female),
            ("gb", False): list(GbPerson.first_names_male),
            ("ie", True): list(IePerson.first_names_female),
            ("ie", False): list(IePerson.first_names_male),
            ("in", True): list(InPerson.first_names_female),
            ("in", False): list(InPerson.first_names_male),
        }
        self._last = {"ie": list(IePerson.last_names), "in": list(InPerson.last_names)}
        self._groups = [g for g, _ in GROUPS]
        self._group_cum = list(accumulate(w for _, w in GROUPS))

    def group(self) -> str:
        return self.rng.choices(self._groups, cum_weights=self._group_cum)[0]

    def first(self, group: str, female: bool) -> str:
        if group == "ie" and self.rng.random() < 0.5:
            group = "gb"  # Irish families in Britain mostly use the same given names
        return self.rng.choice(self._first[group, female])

    def last(self, group: str) -> str:
        if group == "gb":
            return self.rng.choices(self._gb_last, cum_weights=self._gb_cum)[0]
        return self.rng.choice(self._last[group])


def _postcode(rng: Random) -> str:
    area = rng.choice(GbAddress.POSTAL_ZONES)
    unit = "".join(rng.choices(POSTCODE_UNIT_LETTERS, k=2))
    return f"{area}{rng.randint(1, 29)} {rng.randint(0, 9)}{unit}"


def _town(rng: Random, pools: NamePools) -> str:
    stem = pools.last("gb")
    suffix = rng.choice(GbAddress.city_suffixes)
    if rng.random() < 0.3:
        return f"{rng.choice(GbAddress.city_prefixes)} {stem}{suffix}"
    return f"{stem}{suffix}"


def make_units(rng: Random, pools: NamePools, n: int) -> list[Unit]:
    """n postcode units in ~n/40 towns; postcodes unique."""
    towns = [_town(rng, pools) for _ in range(max(5, n // 40))]
    seen: set[str] = set()
    units: list[Unit] = []
    while len(units) < n:
        postcode = _postcode(rng)
        if postcode in seen:
            continue
        seen.add(postcode)
        stem = pools.last("gb") if rng.random() < 0.6 else pools.first("gb", rng.random() < 0.5)
        street = f"{stem} {rng.choice(STREET_SUFFIXES)}"
        units.append(Unit(street=street, town=rng.choice(towns), postcode=postcode))
    return units
