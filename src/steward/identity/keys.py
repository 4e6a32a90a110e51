"""A person's match profile and blocking keys, built the same way for stored persons and queries.

Pure functions, no database. Each key family survives a different kind of bad data, so a
person is still found when one field is wrong:

- ``sd``  surname sound + DOB            first name wrong or a nickname outside the table
- ``fd``  given name (any form) + DOB    surname changed (marriage), first/middle swapped
- ``fsy`` given name + surname sound + birth year   day or month of the DOB wrong
- ``fs``  given name + surname sound     DOB missing or wholly wrong, and moved house
- ``sp``  surname sound + postcode       DOB wrong and first name unusual
- ``do``  DOB + postcode district        surname changed and first name misspelt
- ``fym``/``fmd`` given name + DOB year-month / month-day   surname changed and DOB mistyped
- ``fgy`` first + middle name + birth year                 surname changed, day and month wrong
- ``f3s`` first three letters + surname sound               a diminutive outside the table
- ``pi``/``ai`` postcode / address + given-name initial     surname changed or misspelt, DOB wrong

A query also builds ``fd`` and ``fs`` keys with its first name and surname swapped ("Pringle
Samara" for "Samara Pringle", as FEBRL's corruptions and hurried clerks write them).

A query builds its keys from every name and postcode it has (current and previous) and from
the DOB's plausible variants (day/month swap), so the stored side never needs variants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from steward.identity.normalise import (
    dob_variants,
    name_tokens,
    nickname_forms,
    normalise_name,
    normalise_postcode,
    phonetic_key,
)


@dataclass(frozen=True)
class Facts:
    """What is known of one person record (or asked about in one query), raw as written."""

    first_name: str
    last_name: str
    middle_names: str | None = None
    other_last_names: tuple[str, ...] = ()
    other_first_names: tuple[str, ...] = ()
    dob: date | None = None
    postcodes: tuple[str, ...] = ()
    address: str | None = None


@dataclass(frozen=True)
class Profile:
    """The normalised form the scorer compares (and the identity_profiles row holds)."""

    first_name: str
    middle_names: str
    last_name: str
    surnames: frozenset[str]
    dob: date | None
    postcodes: tuple[str, ...]
    address: str
    other_first_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def given_names(self) -> frozenset[str]:
        return frozenset({self.first_name, *self.middle_names.split()} - {""})

    @property
    def first_forms(self) -> frozenset[str]:
        forms: set[str] = set(nickname_forms(self.first_name))
        for other in self.other_first_names:
            forms |= nickname_forms(other)
        return frozenset(forms)


def _surname_set(names: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        tokens = name_tokens(name)
        if tokens:
            out.update(tokens)
            out.add("".join(tokens))
    return frozenset(out)


_STREET_WORDS = {
    "road": "rd",
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "lane": "ln",
    "close": "cl",
    "drive": "dr",
    "crescent": "cres",
    "gardens": "gdns",
    "place": "pl",
    "court": "ct",
    "terrace": "ter",
    "square": "sq",
    "grove": "gr",
}


def normalise_address(text: str | None) -> str:
    """An address normalised with street words in one spelling: "12 High Street" -> "12 high st"."""
    if not text:
        return ""
    return " ".join(_STREET_WORDS.get(t, t) for t in name_tokens(text))


def profile_of(facts: Facts) -> Profile:
    first_tokens = name_tokens(facts.first_name)
    middles = name_tokens(facts.middle_names or "")
    # A first name written "Mary Jane" is a first name plus a middle name.
    first = first_tokens[0] if first_tokens else ""
    middles = first_tokens[1:] + middles
    postcodes = tuple(
        dict.fromkeys(p for p in (normalise_postcode(pc) for pc in facts.postcodes) if p)
    )
    return Profile(
        first_name=first,
        middle_names=" ".join(middles),
        last_name=normalise_name(facts.last_name),
        surnames=_surname_set([facts.last_name, *facts.other_last_names]),
        dob=facts.dob,
        postcodes=postcodes,
        address=normalise_address(facts.address),
        other_first_names=frozenset(
            n for n in (normalise_name(x).replace(" ", "") for x in facts.other_first_names) if n
        ),
    )


def hash_key(text: str, _blake2b: Callable[..., Any] = hashlib.blake2b) -> int:
    """A signed 63-bit key: fits BIGINT everywhere, and collisions only add a candidate."""
    return int.from_bytes(_blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def _given_forms(profile: Profile) -> set[str]:
    forms = set(profile.first_forms)
    for middle in profile.middle_names.split():
        forms |= nickname_forms(middle)
    sound = phonetic_key(profile.first_name)
    if sound:
        forms.add("~" + sound)
    return forms


def _initials(profile: Profile) -> set[str]:
    return {g[0] for g in profile.given_names}


def key_strings(profile: Profile, *, dob_errors: bool = False) -> set[str]:
    """Blocking keys as text; ``dob_errors`` adds the DOB variants (for queries)."""
    givens = _given_forms(profile)
    plain = set(profile.first_forms) | set(profile.given_names)
    first_only = set(profile.first_forms)
    prefixes = {g[:3] for g in profile.given_names if len(g) >= 3}
    sounds = {phonetic_key(s) for s in profile.surnames} - {""}
    dobs: set[date] = set()
    if profile.dob is not None:
        dobs = set(dob_variants(profile.dob)) if dob_errors else {profile.dob}
    districts = {p.split(" ")[0] for p in profile.postcodes}
    keys: set[str] = set()
    for d in dobs:
        iso = d.isoformat()
        keys.update(f"sd|{s}|{iso}" for s in sounds)
        keys.update(f"fd|{g}|{iso}" for g in givens)
        keys.update(f"do|{iso}|{o}" for o in districts)
        keys.update(f"fym|{f}|{iso[:7]}" for f in plain)
        keys.update(f"fmd|{f}|{iso[5:]}" for f in plain)
        keys.update(f"fsy|{f}|{s}|{d.year}" for f in first_only for s in sounds)
        if profile.middle_names:
            middle = profile.middle_names.split()[0]
            keys.update(f"fgy|{f}|{middle}|{d.year}" for f in first_only)
    first_sound = phonetic_key(profile.first_name)
    named = plain | ({"~" + first_sound} if first_sound else set())
    for s in sounds:
        keys.update(f"fs|{g}|{s}" for g in named)
        keys.update(f"f3s|{p}|{s}" for p in prefixes)
        keys.update(f"sp|{s}|{p}" for p in profile.postcodes)
    for p in profile.postcodes:
        keys.update(f"pi|{p}|{i}" for i in _initials(profile))
    if profile.address:
        keys.update(f"ai|{profile.address}|{i}" for i in _initials(profile))
    if dob_errors:  # a query: the stored side never needs the swapped form
        keys |= _swapped_keys(profile, dobs)
    return keys


def swapped(profile: Profile) -> Profile | None:
    """The profile with first name and surname exchanged, or None if that is not one word each."""
    if not profile.first_name or not profile.last_name or " " in profile.last_name:
        return None
    return Profile(
        first_name=profile.last_name,
        middle_names=profile.middle_names,
        last_name=profile.first_name,
        surnames=frozenset({profile.first_name}),
        dob=profile.dob,
        postcodes=profile.postcodes,
        address=profile.address,
    )


def _swapped_keys(profile: Profile, dobs: set[date]) -> set[str]:
    other = swapped(profile)
    if other is None:
        return set()
    sound = phonetic_key(other.last_name)
    keys = {f"fd|{other.first_name}|{d.isoformat()}" for d in dobs}
    if sound:
        keys.add(f"fs|{other.first_name}|{sound}")
    return keys


def match_keys(profile: Profile, *, dob_errors: bool = False) -> set[int]:
    return {hash_key(k) for k in key_strings(profile, dob_errors=dob_errors)}
