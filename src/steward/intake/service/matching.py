"""Who a partner's row is about: matched to a recorded person, never silently copied.

For party details the identity search (steward.identity.service) is asked about every row
of a batch at once, and the answer weighed with what the records hold (date of birth, NHS
and National Insurance numbers):

- LINK      an exact match: the search bands it "match", it has the same date of birth, and
            no NHS or NI number of its differs from the row's. The row is linked to that
            person; no second record of them is made.
- CONFLICT  the same person on the evidence, with a different date of birth or identifier;
            or the row's NHS/NI number is held by another recorded person. Held, with the
            candidate, for an officer to resolve (PERSON_CONFLICT).
- POSSIBLE  a candidate that may be the person, but not certainly (no date of birth to
            compare, the search's "possible" band, or several exact matches). Held
            (PERSON_POSSIBLE).
- NEW       no candidate: the person is recorded.

Professionals (social workers, solicitors) are not in the identity index: one is found by
name among the recorded professionals and linked when they share an email address or phone
number with the row; a namesake without one in common is POSSIBLE.

For safeguarding check results the person must be one of the case's parties, by name and
date of birth; otherwise the row is held (PERSON_POSSIBLE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from steward.core.permissions import Actor
from steward.identity import service as identity
from steward.identity.policy import dob_level
from steward.intake.policy import Code, compact
from steward.records import service as records
from steward.records.models import PartyRole

Values = dict[str, str | None]

# Persons weighed per row, the best by the keys they share with it (the identity search's
# ranking): the person a row is about shares its rarest keys (name with date of birth,
# postcode, address) and ranks among the first few; a subject access search scores far more,
# wanting every lead, which at a million persons is most of an intake's time.
CANDIDATES = 25
DOB_SAME, DOB_APART = 1, 4  # identity.policy.dob_level's levels

# The row's identifier fields and the records' scheme each is held under.
IDENTIFIER_FIELDS = (("nhs_number", "nhs"), ("ni_number", "nino"))
SCHEME_FIELD = {scheme: name for name, scheme in IDENTIFIER_FIELDS}


class Verdict(StrEnum):
    LINK = "link"
    NEW = "new"
    CONFLICT = "conflict"
    POSSIBLE = "possible"


@dataclass(frozen=True)
class Pending:
    """The person an earlier row of the same batch is about to create (its index): the
    search, run before the batch was recorded, cannot know them."""

    row: int


Ref = int | Pending


@dataclass(frozen=True)
class Match:
    verdict: Verdict
    person_id: Ref | None = None  # linked, or the candidate an officer compares
    field: str | None = None  # what differs, for a conflict: date_of_birth, nhs_number...

    @property
    def code(self) -> Code | None:
        return {
            Verdict.CONFLICT: Code.PERSON_CONFLICT,
            Verdict.POSSIBLE: Code.PERSON_POSSIBLE,
        }.get(self.verdict)


@dataclass(frozen=True)
class Seen:
    """A recorded person as the matcher weighs them."""

    person_id: int
    band: str  # "match" or "possible" (the identity search's), "" when not a search result
    dob: date | None
    identifiers: dict[str, str] = field(default_factory=dict)
    first_name: str = ""
    last_name: str = ""


def row_identifiers(values: Values) -> dict[str, str]:
    """The row's identifiers as the records store them (compact, upper case)."""
    return {
        scheme: compact(value) for name, scheme in IDENTIFIER_FIELDS if (value := values.get(name))
    }


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def differing(mine: dict[str, str], theirs: dict[str, str]) -> str | None:
    """The first identifier field both hold with different values."""
    for scheme, value in mine.items():
        if scheme in theirs and theirs[scheme] != value:
            return SCHEME_FIELD[scheme]
    return None


def _exact(seen: Seen, dob: date | None, ids: dict[str, str]) -> bool:
    return (
        seen.band == "match"
        and dob is not None
        and seen.dob == dob
        and differing(ids, seen.identifiers) is None
    )


def weigh(values: Values, candidates: Sequence[Seen], holders: dict[str, Seen]) -> Match:
    """The verdict on one party-details row. ``candidates`` are the search's answers, best
    first; ``holders`` maps a scheme of the row's identifiers to the recorded person who
    holds that value already. Pure: tested without a database."""
    dob = _date(values.get("date_of_birth"))
    ids = row_identifiers(values)
    holding = {h.person_id: h for h in holders.values()}
    if len(holding) > 1:
        # The row's NHS number is one person's, its NI number another's.
        first = next(iter(holders))
        return Match(Verdict.CONFLICT, holders[first].person_id, SCHEME_FIELD[first])
    if holding:
        (holder,) = holding.values()
        searched = next((c for c in candidates if c.person_id == holder.person_id), None)
        if searched is not None and searched.band == "match":
            if _exact(searched, dob, ids):
                return Match(Verdict.LINK, holder.person_id)
            differs = differing(ids, searched.identifiers)
            if differs is not None:
                return Match(Verdict.CONFLICT, holder.person_id, differs)
            if dob is not None and searched.dob is not None:
                return Match(Verdict.CONFLICT, holder.person_id, "date_of_birth")
            # Same name and number, but a date of birth missing on one side to compare.
            return Match(Verdict.POSSIBLE, holder.person_id)
        # The number is recorded as someone the search does not take this row to be.
        scheme = next(iter(holders))
        return Match(Verdict.CONFLICT, holder.person_id, SCHEME_FIELD[scheme])
    matches = [c for c in candidates if c.band == "match"]
    exact = [c for c in matches if _exact(c, dob, ids)]
    if len(exact) == 1:
        return Match(Verdict.LINK, exact[0].person_id)
    if exact:
        return Match(Verdict.POSSIBLE, exact[0].person_id)  # the records hold duplicates
    for c in matches:
        differs = differing(ids, c.identifiers)
        if differs is not None:
            return Match(Verdict.CONFLICT, c.person_id, differs)
        if dob is not None and c.dob is not None and c.dob != dob:
            return Match(Verdict.CONFLICT, c.person_id, "date_of_birth")
    # The search's "possible" band is wide (a subject access search wants every lead): among
    # a million persons it holds namesakes, strangers sharing a date of birth and a postcode,
    # and every member of a household. A partner's row is held for a possible candidate who
    # may be the same person: the same full name, born the same day or one a clerk may have
    # mistyped (day and month swapped, a digit of the year); or one name the same and the
    # same day of birth (a surname changed by marriage or adoption). A namesake born years
    # apart, and a parent or sibling at the same address, are someone else.
    named = [c for c in candidates if c.band == "match" or _may_be(values, dob, c)]
    if named:
        return Match(Verdict.POSSIBLE, named[0].person_id)
    return Match(Verdict.NEW)


def _may_be(values: Values, dob: date | None, seen: Seen) -> bool:
    first, last = _name_key(values)
    same_first = bool(first) and first == _fold(seen.first_name)
    same_last = bool(last) and last == _fold(seen.last_name)
    born = dob_level(dob, seen.dob)  # 0 unknown, 1 same day, 2-3 a likely slip, 4 apart
    return (same_first and same_last and born < DOB_APART) or (
        (same_first or same_last) and born == DOB_SAME
    )


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


def _query(values: Values) -> identity.PersonQuery:
    return identity.PersonQuery(
        first_name=values.get("first_name") or "",
        last_name=values.get("last_name") or "",
        middle_names=values.get("middle_names"),
        dob=_date(values.get("date_of_birth")),
        postcode=values.get("postcode"),
        address=values.get("address_line"),
    )


def is_professional(values: Values) -> bool:
    try:
        return PartyRole(values.get("role") or "").is_professional
    except ValueError:
        return False


def weigh_professional(
    values: Values, named: Sequence[records.ProfessionalFacts], holders: dict[str, Seen]
) -> Match:
    """The verdict on a professional's row (pure): linked by a shared email or phone."""
    mine = {
        records.contact_key(kind, value)
        for kind in ("email", "phone")
        if (value := values.get(kind))
    }
    sharing = [p for p in named if p.contacts & mine]
    linked = sharing[0].person_id if len(sharing) == 1 else None
    for scheme, holder in holders.items():
        if holder.person_id != linked:
            return Match(Verdict.CONFLICT, holder.person_id, SCHEME_FIELD[scheme])
    if linked is not None:
        return Match(Verdict.LINK, linked)
    if sharing or named:
        return Match(Verdict.POSSIBLE, (sharing or named)[0].person_id)
    return Match(Verdict.NEW)


def match_parties(db: Session, rows: Sequence[Values]) -> list[Match]:
    """The verdict on each row, from one search of them all and a few lookups in the
    records."""
    if not rows:
        return []
    professional = [is_professional(v) for v in rows]
    searched = [v for v, p in zip(rows, professional, strict=True) if not p]
    found = iter(
        identity.match_people(
            db, [_query(v) for v in searched], actor=Actor.system(), cap=CANDIDATES
        )
        if searched
        else []
    )
    answers = [[] if p else next(found) for p in professional]
    named = records.professionals_named(
        db,
        [
            (v.get("first_name") or "", v.get("last_name") or "")
            for v, p in zip(rows, professional, strict=True)
            if p
        ],
    )
    row_ids = [row_identifiers(v) for v in rows]
    held = records.identifier_holders(
        db, [(scheme, value) for ids in row_ids for scheme, value in ids.items()]
    )
    facts = records.person_facts(
        db, {c.person_id for cs in answers for c in cs} | set(held.values())
    )

    def seen(person_id: int, band: str) -> Seen:
        f = facts.get(person_id)
        if f is None:
            return Seen(person_id, band, None)
        return Seen(person_id, band, f.date_of_birth, f.identifiers, f.first_name, f.last_name)

    verdicts = []
    for values, candidates, ids, is_pro in zip(rows, answers, row_ids, professional, strict=True):
        holders = {
            scheme: seen(held[(scheme, value)], "")
            for scheme, value in ids.items()
            if (scheme, value) in held
        }
        if is_pro:
            key = (
                (values.get("first_name") or "").strip().lower(),
                (values.get("last_name") or "").strip().lower(),
            )
            verdicts.append(weigh_professional(values, named.get(key, []), holders))
        else:
            verdicts.append(weigh(values, [seen(c.person_id, c.band) for c in candidates], holders))
    return verdicts


def _name(value: str | None) -> str:
    return " ".join((value or "").casefold().split())


def find_subject(values: Values, parties: Sequence[records.PartyFacts]) -> Match:
    """The party of the case a safeguarding check is about: same names and date of birth.
    Anyone else is held; a party with the same names but another date of birth is offered
    as the candidate."""
    first, last = _name(values.get("first_name")), _name(values.get("last_name"))
    dob = _date(values.get("date_of_birth"))
    named = [p for p in parties if _name(p.first_name) == first and _name(p.last_name) == last]
    exact = {p.person_id for p in named if dob is not None and p.date_of_birth == dob}
    if len(exact) == 1:
        return Match(Verdict.LINK, exact.pop())
    return Match(Verdict.POSSIBLE, named[0].person_id if named else None)


# --- within one batch ------------------------------------------------------------------------


def _name_key(values: Values) -> tuple[str, str]:
    return _fold(values.get("first_name") or ""), _fold(values.get("last_name") or "")


def _contacts(values: Values) -> set[str]:
    return {
        records.contact_key(kind, value)
        for kind in ("email", "phone")
        if (value := values.get(kind))
    }


@dataclass
class InBatch:
    """Who the batch's accepted rows are about so far: a later row naming the same new
    person links to them (one person, never two), and an identifier a row gave a person is
    theirs for the rest of the batch."""

    by_name: dict[tuple[str, str], list[tuple[Ref, Values]]] = field(default_factory=dict)
    identifiers: dict[tuple[str, str], Ref] = field(default_factory=dict)
    held: dict[Ref, dict[str, str]] = field(default_factory=dict)

    def correct(self, match: Match, values: Values) -> Match:
        """``match`` (from the search) corrected for the rows accepted before in the batch."""
        ids = row_identifiers(values)
        if match.verdict is Verdict.NEW:
            for earlier_ref, earlier in self.by_name.get(_name_key(values), []):
                if is_professional(values) != is_professional(earlier):
                    continue
                if is_professional(values):
                    same = bool(_contacts(values) & _contacts(earlier))
                else:
                    dob = values.get("date_of_birth")
                    same = dob is not None and dob == earlier.get("date_of_birth")
                if same and differing(ids, self.held.get(earlier_ref, {})) is None:
                    match = Match(Verdict.LINK, earlier_ref)
                else:
                    match = Match(Verdict.POSSIBLE, earlier_ref)
                break
        if match.verdict in (Verdict.NEW, Verdict.LINK):
            for scheme, value in ids.items():
                holder = self.identifiers.get((scheme, value))
                if holder is not None and holder != match.person_id:
                    return Match(Verdict.CONFLICT, holder, SCHEME_FIELD[scheme])
            if match.person_id is not None:
                differs = differing(ids, self.held.get(match.person_id, {}))
                if differs is not None:
                    return Match(Verdict.CONFLICT, match.person_id, differs)
        return match

    def note(self, ref: Ref, values: Values, *, created: bool) -> None:
        """An accepted row: ``ref`` is the person it links to, or creates (``created``)."""
        if created:
            self.by_name.setdefault(_name_key(values), []).append((ref, values))
        held = self.held.setdefault(ref, {})
        for scheme, value in row_identifiers(values).items():
            self.identifiers.setdefault((scheme, value), ref)
            held.setdefault(scheme, value)
