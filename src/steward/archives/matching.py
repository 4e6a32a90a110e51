"""Scoring a name written on a paper file against the person being searched for. Pure.

Each piece of evidence adds points and names itself, so the person reviewing a subject
access request sees why a file was offered ("surname sounds alike, date of birth with day
and month swapped"), not just a number. A date of birth that disagrees outright counts
against: the same name with another birth date is usually someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import jellyfish

from steward.archives.names import NameKeys, keys_for
from steward.identity.normalise import dob_variants, nickname_forms

# A file is offered when one name on it reaches this, or its case number is the one asked.
THRESHOLD = 4.5
_CLOSE_SPELLING = 0.88


@dataclass(frozen=True)
class QueryName:
    """One name the person is or was known by, reduced to keys once per search."""

    keys: NameKeys
    forename_forms: frozenset[str]

    @classmethod
    def of(cls, name: str) -> QueryName:
        keys = keys_for(name)
        forms = nickname_forms(keys.forename) if keys.forename else frozenset()
        return cls(keys=keys, forename_forms=forms)


@dataclass(frozen=True)
class Score:
    points: float
    reasons: tuple[str, ...]


def _similar(a: str, b: str) -> bool:
    return jellyfish.jaro_winkler_similarity(a, b) >= _CLOSE_SPELLING


def surname_evidence(query: NameKeys, written: NameKeys) -> tuple[float, str | None]:
    """Current and previous surnames both ways round: a woman searched for under her married
    name is found on a file that wrote her maiden name beside it, and vice versa."""
    asked = [(query.surname, query.surname_phonetic, False)]
    asked.append((query.other_surname, query.other_surname_phonetic, True))
    on_file = [(written.surname, written.surname_phonetic, False)]
    on_file.append((written.other_surname, written.other_surname_phonetic, True))
    best: tuple[float, str | None] = (0.0, None)
    for q, q_sound, q_previous in asked:
        for w, w_sound, w_previous in on_file:
            if not q or not w:
                continue
            previous = q_previous or w_previous
            if q == w:
                found = (3.0, "previous surname" if previous else "surname")
            elif q_sound and q_sound == w_sound:
                found = (2.0, "surname sounds alike")
            elif _similar(q, w):
                found = (1.5, "surname spelled closely")
            else:
                continue
            if found[0] > best[0]:
                best = found
    return best


def forename_evidence(query: QueryName, written: NameKeys) -> tuple[float, str | None]:
    q, w = query.keys.forename, written.forename
    if not q or not w:
        return 0.0, None
    if q == w:
        return 2.0, "forename"
    if query.forename_forms & nickname_forms(w):
        return 1.5, "forename is a short form"
    if query.keys.forename_phonetic and query.keys.forename_phonetic == written.forename_phonetic:
        return 1.0, "forename sounds alike"  # weak: Jane and John share a key
    if _similar(q, w):
        return 1.0, "forename spelled closely"
    if q[0] == w[0]:
        return 0.5, "same initial"
    return 0.0, None


def dob_evidence(query: date | None, written: date | None) -> tuple[float, str | None]:
    if query is None or written is None:
        return 0.0, None
    if query == written:
        return 3.0, "date of birth"
    if written in dob_variants(query):
        return 2.0, "date of birth with day and month swapped"
    if query.year == written.year and query.month == written.month:
        return 0.5, "month and year of birth"
    return -3.0, "date of birth differs"


def score_name(
    names: list[QueryName], dob: date | None, written: NameKeys, written_dob: date | None
) -> Score:
    """The best reading of one written name against any of the person's names."""
    best = Score(0.0, ())
    dob_points, dob_reason = dob_evidence(dob, written_dob)
    candidates: list[QueryName | None] = list(names) or [None]
    for query in candidates:
        points, reasons = dob_points, [dob_reason] if dob_reason else []
        if query is not None:
            for got, why in (
                surname_evidence(query.keys, written),
                forename_evidence(query, written),
            ):
                points += got
                if why:
                    reasons.append(why)
        if points > best.points:
            best = Score(points, tuple(reasons))
    return best
