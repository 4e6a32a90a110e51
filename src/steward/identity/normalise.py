"""Pure normalisation of names, dates of birth and postcodes, shared by every identity search.

Nothing here touches the database: the same functions build the stored match keys and the
keys of a query, so the two always agree. Other domains (paper archives, intake) call these
to compare a name the way identity does.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache, lru_cache
from importlib import resources

import jellyfish

_PUNCT_TO_SPACE = re.compile(r"[\s\-\u2010-\u2015_/.,;:()\[\]{}\"&+]+")
_DROP = re.compile(r"[^a-z0-9 ]")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


@lru_cache(maxsize=200_000)  # names repeat: an import of a million rows has a few thousand
def normalise_name(text: str) -> str:
    """Casefold, strip accents and punctuation, collapse spaces: "Zoë O'Brien-Smith" -> "zoe obrien smith".

    Apostrophes vanish (O'Brien and OBrien are one surname) while hyphens split, so each half
    of a double-barrelled surname can be matched on its own.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = stripped.casefold().replace("ß", "ss")
    spaced = _PUNCT_TO_SPACE.sub(" ", lowered)
    return " ".join(_DROP.sub("", spaced).split())


def name_tokens(text: str) -> list[str]:
    return normalise_name(text).split()


@lru_cache(maxsize=200_000)
def phonetic_key(name: str) -> str:
    """A sound-alike key (Metaphone) of the whole name, spaces removed: Smith and Smyth share one."""
    joined = normalise_name(name).replace(" ", "")
    if not joined:
        return ""
    return jellyfish.metaphone(joined).upper() or joined.upper()


@cache
def _nickname_table() -> dict[str, frozenset[str]]:
    """form -> the canonical given names it may stand for (a canonical name maps to itself too)."""
    table: dict[str, set[str]] = {}
    text = resources.files("steward.identity").joinpath("data/nicknames.csv").read_text("utf-8")
    # The published list (data/nicknames.SOURCE.md): "name,has_nickname,nickname" per line.
    for raw in text.splitlines()[1:]:
        canonical, _relationship, form = (normalise_name(part) for part in raw.split(","))
        table.setdefault(canonical, set()).add(canonical)
        table.setdefault(form, set()).add(canonical)
    return {form: frozenset(names) for form, names in table.items()}


@lru_cache(maxsize=50_000)
def nickname_forms(first_name: str) -> frozenset[str]:
    """The canonical given names this name may be a diminutive of, itself included: Bob -> {bob, robert}."""
    name = normalise_name(first_name).replace(" ", "")
    if not name:
        return frozenset()
    return _nickname_table().get(name, frozenset()) | {name}


def is_known_given_name(name: str) -> bool:
    return normalise_name(name).replace(" ", "") in _nickname_table()


def normalise_postcode(text: str | None) -> str | None:
    """UK postcode in its written form ("SW1A 1AA"), or None if the text is not a postcode."""
    if text is None:
        return None
    compact = re.sub(r"[^A-Za-z0-9]", "", text).upper()
    match = _POSTCODE.match(compact)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_outward(postcode: str | None) -> str | None:
    """The outward code ("SW1A") of a postcode in normalised form."""
    normal = normalise_postcode(postcode)
    return normal.split(" ")[0] if normal else None


def dob_variants(dob: date) -> frozenset[date]:
    """The date itself plus the dates a clerk most often wrote instead: day and month swapped."""
    variants = {dob}
    if dob.day <= 12 and dob.day != dob.month:
        variants.add(date(dob.year, dob.day, dob.month))
    return frozenset(variants)
