"""The comparisons a candidate is scored on, their levels, and the banding rules. Pure.

Each comparison is defined once, here, as an ordered list of levels. Every level carries the
SQL condition Splink evaluates while training (DuckDB) and is mirrored by the Python
``*_level`` function used at lookup time, so the weights Splink learns are the weights we
apply; tests/identity/test_policy_sql.py holds the two to each other on generated pairs. The
first level of each comparison is its null level (nothing to compare; weight 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import jellyfish

from steward.identity.keys import Profile

FUZZY = 0.88  # Jaro-Winkler similarity from which two names count as one misspelt


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    tf_column: str | None = None  # exact-match level whose weight depends on the value's rarity


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]


def _null(*cols: str) -> Level:
    cond = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in cols)
    return Level("missing", cond)


def _fuzzy_sql(left: str, right: str) -> str:
    """``similar`` in DuckDB's SQL."""
    return (
        f"damerau_levenshtein({left}, {right}) <= 1"
        f" OR (jaro_winkler_similarity({left}, {right}) >= {FUZZY}"
        f" AND abs(length({left}) - length({right})) <= 1)"
    )


# ``last_name_level``'s level 3: the left side's surname, or any one-word surname it is known
# by, spelt like the right side's surname (``surname_words``: the one-word surnames).
_SURNAME_SIMILAR = (
    f"{_fuzzy_sql('last_name_l', 'last_name_r')}"
    f" OR len(list_filter(surname_words_l, lambda x: {_fuzzy_sql('x', 'last_name_r')})) > 0"
)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "first_name",
        (
            _null("first_name"),
            Level("same first name", "first_name_l = first_name_r", "first_name"),
            Level("nickname", "list_has_any(first_forms_l, first_forms_r)"),
            Level(
                "first and middle names swapped",
                "list_contains(given_names_r, first_name_l) OR list_contains(given_names_l, first_name_r)",
            ),
            Level("first name spelt similarly", _fuzzy_sql("first_name_l", "first_name_r")),
            Level("different first name", "ELSE"),
        ),
    ),
    Comparison(
        "last_name",
        (
            _null("last_name"),
            Level("same surname", "last_name_l = last_name_r", "last_name"),
            Level("shares a surname", "list_has_any(surnames_l, surnames_r)"),
            Level("surname spelt similarly", _SURNAME_SIMILAR),
            Level("different surname", "ELSE"),
        ),
    ),
    Comparison(
        "middle_names",
        (
            _null("middle_names"),
            Level("same middle names", "middle_names_l = middle_names_r"),
            Level(
                "same middle initial", "substr(middle_names_l, 1, 1) = substr(middle_names_r, 1, 1)"
            ),
            Level("different middle names", "ELSE"),
        ),
    ),
    Comparison(
        "dob",
        (
            _null("dob"),
            Level("same date of birth", "dob_l = dob_r"),
            Level(
                "DOB day and month swapped",
                "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) AND day(dob_l) = month(dob_r)",
            ),
            Level(
                "DOB differs in one part",
                "(year(dob_l) = year(dob_r) AND month(dob_l) = month(dob_r))"
                " OR (year(dob_l) = year(dob_r) AND day(dob_l) = day(dob_r))"
                " OR (month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r)"
                " AND damerau_levenshtein(CAST(year(dob_l) AS VARCHAR),"
                " CAST(year(dob_r) AS VARCHAR)) <= 1)",
            ),
            Level("different date of birth", "ELSE"),
        ),
    ),
    Comparison(
        "location",
        (
            Level(
                "missing",
                "(len(postcodes_l) = 0 AND address_l IS NULL)"
                " OR (len(postcodes_r) = 0 AND address_r IS NULL)",
            ),
            Level("same postcode", "list_has_any(postcodes_l, postcodes_r)", "postcode"),
            Level("same address", "address_l = address_r"),
            Level("same postcode district", "list_has_any(districts_l, districts_r)"),
            Level("different place", "ELSE"),
        ),
    ),
)

BY_NAME = {c.name: c for c in COMPARISONS}


def similar(a: str, b: str) -> bool:
    """A misspelling: one edit (transpositions count once), or close and of near length.

    Near length keeps "Marc" and "Marcus" (twins, say) apart while catching typed slips."""
    if jellyfish.damerau_levenshtein_distance(a, b) <= 1:
        return True
    return abs(len(a) - len(b)) <= 1 and jellyfish.jaro_winkler_similarity(a, b) >= FUZZY


def first_name_level(q: Profile, c: Profile) -> int:
    if not q.first_name or not c.first_name:
        return 0
    if q.first_name == c.first_name:
        return 1
    if q.first_forms & c.first_forms:
        return 2
    if q.first_name in c.given_names or c.first_name in q.given_names:
        return 3
    if similar(q.first_name, c.first_name):
        return 4
    return 5


def last_name_level(q: Profile, c: Profile) -> int:
    if not q.last_name or not c.last_name:
        return 0
    if q.last_name == c.last_name:
        return 1
    if q.surnames & c.surnames:
        return 2
    names = {q.last_name} | {s for s in q.surnames if " " not in s}
    if any(similar(n, c.last_name) for n in names):
        return 3
    return 4


def middle_level(q: Profile, c: Profile) -> int:
    if not q.middle_names or not c.middle_names:
        return 0
    if q.middle_names == c.middle_names:
        return 1
    if q.middle_names[0] == c.middle_names[0]:
        return 2
    return 3


def dob_level(q: date | None, c: date | None) -> int:
    if q is None or c is None:
        return 0
    if q == c:
        return 1
    if q.year == c.year and q.month == c.day and q.day == c.month:
        return 2
    if q.year == c.year and (q.month == c.month or q.day == c.day):
        return 3
    # A year mistyped by one digit (1984/1985, 1984/1948), not a parent born 22 years earlier
    # on the same day and month.
    if (q.month, q.day) == (c.month, c.day) and _one_edit(str(q.year), str(c.year)):
        return 3
    return 4


def _one_edit(a: str, b: str) -> bool:
    return int(jellyfish.damerau_levenshtein_distance(a, b)) <= 1


def location_level(q: Profile, c: Profile) -> tuple[int, str | None]:
    """The best level over every postcode the query gives, and the postcode that matched."""
    if (not q.postcodes and not q.address) or (not c.postcodes and not c.address):
        return 0, None
    for pc in q.postcodes:
        if pc in c.postcodes:
            return 1, pc
    if q.address and q.address == c.address:
        return 2, None
    q_districts = {p.split(" ")[0] for p in q.postcodes}
    if any(p.split(" ")[0] in q_districts for p in c.postcodes):
        return 3, None
    return 4, None


# The levels at which a given name or a DOB contradicts "same person": a relative sharing
# surname and address (twins, a parent and child of one name) differs exactly here.
FIRST_NAME_DIFFERENT = 5
DOB_DIFFERENT = 4
DOB_CONSISTENT = frozenset({1, 2, 3})  # same, day/month swapped, one part mistyped


def log2_odds(probability: float) -> float:
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds: float = math.pow(2.0, weight)
    return odds / (1 + odds)
