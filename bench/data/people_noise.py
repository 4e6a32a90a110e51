"""The slips that corrupt benchmark person records: keying typos, wrong DOB digits, postcode typos.

Kept apart from people.py so the generator reads as the story of who has which records.
"""

from __future__ import annotations

import string
from datetime import date
from random import Random

ABBREVIATIONS = (
    (" Road", " Rd"),
    (" Street", " St"),
    (" Avenue", " Ave"),
    (" Lane", " Ln"),
    (" Close", " Cl"),
    (" Drive", " Dr"),
    (" Crescent", " Cres"),
    (" Gardens", " Gdns"),
    (" Place", " Pl"),
    (" Court", " Ct"),
    (" Terrace", " Terr"),
)
KEYBOARD = {
    c: n
    for c, n in zip(
        string.ascii_lowercase,
        [
            "qwsz",
            "vghn",
            "xdfv",
            "serfcx",
            "wsdr",
            "drtgvc",
            "ftyhbv",
            "gyujnb",
            "ujko",
            "huikmn",
            "jiolm",
            "kop",
            "njk",
            "bhjm",
            "iklp",
            "ol",
            "wa",
            "edft",
            "awedxz",
            "rfgy",
            "yhji",
            "cfgb",
            "qase",
            "zsdc",
            "tghu",
            "asx",
        ],
        strict=True,
    )
}


def typo(rng: Random, name: str) -> str:
    """One keying slip: a neighbouring key, a dropped, doubled or swapped letter (rarely first)."""
    if len(name) < 3:
        return name + name[-1].lower()
    i = rng.randrange(1, len(name)) if rng.random() < 0.9 else 0
    op = rng.random()
    c = name[i]
    if op < 0.35:
        options = KEYBOARD.get(c.lower(), "e")
        sub = rng.choice(options)
        return name[:i] + (sub.upper() if c.isupper() else sub) + name[i + 1 :]
    if op < 0.6:
        return name[:i] + name[i + 1 :]
    if op < 0.8:
        return name[:i] + c + name[i:]
    j = min(i + 1, len(name) - 1) if i + 1 < len(name) else i - 1
    a, b = sorted((i, j))
    return name[:a] + name[b] + name[a] + name[b + 1 :] if a != b else name


def dob_error(rng: Random, dob: date) -> date:
    """A wrong digit: year off by one or mistyped, or the day or month keyed wrong."""
    u = rng.random()
    for _ in range(5):
        try:
            if u < 0.3:
                return dob.replace(year=dob.year + rng.choice((-1, 1)))
            if u < 0.6:
                return dob.replace(
                    year=dob.year
                    - dob.year % 10
                    + rng.choice([d for d in range(10) if d != dob.year % 10])
                )
            if u < 0.85:
                day = rng.choice(
                    [
                        d
                        for d in range(1, 29)
                        if d != dob.day and (d % 10 == dob.day % 10 or d // 10 == dob.day // 10)
                    ]
                )
                return dob.replace(day=day)
            return dob.replace(
                month=rng.choice([m for m in (dob.month - 1, dob.month + 1) if 1 <= m <= 12])
            )
        except ValueError:
            u = 0.0
    return date(dob.year + 1, dob.month, min(dob.day, 28))


def postcode_typo(rng: Random, postcode: str) -> str:
    chars = list(postcode)
    positions = [i for i, c in enumerate(chars) if c != " "]
    i = rng.choice(positions)
    pool = string.digits if chars[i].isdigit() else "ABDEFGHJLNPQRSTUWXYZ"
    chars[i] = rng.choice([c for c in pool if c != chars[i]])
    return "".join(chars)
