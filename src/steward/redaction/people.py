"""Finding the case's own people in a text: their names, addresses, numbers and dates of birth.

`compile_context` builds, once per case, one trie of every way each party is written (full
name, first name, "Mrs Jones", "D. Marsh", "Dean's", previous names and nicknames, each address
whole or as any run of its lines), matched longest first in one pass over the text's words, so
line breaks, commas and possessives between them do not matter and the fullest reading of a
mention wins. (A trie rather than one regular-expression alternation: a case is compiled per
request, and compiling a 400-branch expression cost more than detecting.) Phone numbers,
emails, postcodes and identifiers are looked up by a normal form of what the pattern finder saw
("+44 (0)113 ..." is "0113 ..."). A number or date of birth no field names is attributed to the
nearest person named before it in the same sentence.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from steward.redaction import patterns
from steward.redaction.context import CaseContext, Party
from steward.redaction.policy import Decision, decide, shared, unattributed
from steward.redaction.spans import Finding, Label, Role, Source

REQUESTER = -1  # owner id of CaseContext.requester; parties are 0, 1, ...

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "PC", "DC", "DS", "Sgt", "Cllr", "Rev")
_FEMALE = re.compile(
    r"\b(?:(?:grand|step)?mother|mum|nan|gran|sister|aunt|wife|daughter|girlfriend|niece|woman)\b"
)
_MALE = re.compile(
    r"\b(?:(?:grand|step)?father|dad|grandad|brother|uncle|husband|son|boyfriend|nephew|man)\b"
)
# Children are not written "Mr Smith": a child's surname with a title is a parent's.
_CHILD = re.compile(r"^(?:child|son|daughter|baby|step-?(?:son|daughter)|sibling)$")
_TITLE_RE = re.compile(rf"(?:{'|'.join(TITLES)})\.?\s+", re.IGNORECASE)

# Written street words and their abbreviations match each other.
_STREET_WORDS = {
    "road": "rd",
    "street": "st",
    "avenue": "ave",
    "lane": "ln",
    "drive": "dr",
    "close": "cl",
    "crescent": "cres",
    "court": "ct",
    "place": "pl",
    "gardens": "gdns",
    "terrace": "terr",
    "square": "sq",
}
_ABBREVIATED = {v: k for k, v in _STREET_WORDS.items()}

_SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019)\]]*\s+|\n[ \t]*\n\s*")
_NOT_ENDING = frozenset({"mr", "mrs", "ms", "mx", "dr", "st", "no", "miss", "prof", "rev"})


_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_ENTRIES = ""  # trie key of the variants that end at a node (no token is empty)
_ADDRESS_NODE = "\x00"  # trie key marking a node inside an address: commas may come next
OWN = -2  # owner id of the organisation's own and the courts' names: never personal data


@dataclass(frozen=True, slots=True)
class _Variant:
    owner: int
    label: Label
    # A single bare word that a capital letter must start ("Will" the name, not "will").
    needs_capital: bool = False
    # The first token is an initial ("D. Marsh"): it must be a capital.
    initial: bool = False


Trie = dict[str, Any]


@dataclass(frozen=True)
class Compiled:
    """A case's people, compiled for matching. Build once per case, reuse for every text.

    Every way of writing each party is a token sequence in one trie, matched longest first
    in a single pass over the text's words (cheaper to build per case than a regular
    expression alternation over the same variants, and as fast to match)."""

    context: CaseContext
    trie: Trie
    phones: Mapping[str, tuple[int, ...]]
    emails: Mapping[str, tuple[int, ...]]
    postcodes: Mapping[str, tuple[int, ...]]
    identifiers: Mapping[str, tuple[int, ...]]
    dobs: Mapping[date, tuple[int, ...]]
    # Identifiers with no pattern of their own (a council reference), matched literally.
    other_ids: re.Pattern[str] | None = None
    other_id_owners: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # Casefolded words of every known name, address and own name (the NER gate's stop list).
    known_words: frozenset[str] = field(default=frozenset())

    def party(self, owner: int) -> Party:
        if owner == REQUESTER:
            assert self.context.requester is not None
            return self.context.requester
        return self.context.parties[owner]

    def role(self, owner: int) -> Role:
        if owner == REQUESTER:
            return Role.REQUESTER
        role = self.party(owner).role
        return Role.THIRD_PARTY if role is Role.UNKNOWN else role

    def decision(self, owners: Sequence[int], label: Label) -> Decision:
        found = [self._decision(o, label) for o in dict.fromkeys(owners)]
        return found[0] if len(found) == 1 else shared(found)

    def _decision(self, owner: int, label: Label) -> Decision:
        party = self.party(owner)
        return decide(
            self.role(owner), label, relation=party.relation, withheld=party.address_withheld
        )

    def finding(
        self, start: int, end: int, label: Label, owners: Sequence[int], source: Source
    ) -> Finding:
        """A finding for text that belongs to one of `owners`, decided by the policy."""
        d = self.decision(owners, label)
        # With several possible owners, the one whose decision was taken is named.
        owner = next((o for o in owners if self._decision(o, label).redact == d.redact), owners[0])
        return Finding(
            start,
            end,
            label,
            self.role(owner),
            None if owner == REQUESTER else owner,
            d.redact,
            d.code,
            d.reason,
            source,
        )


def _owners(c: CaseContext) -> list[tuple[int, Party]]:
    found = [(REQUESTER, c.requester)] if c.requester is not None else []
    return found + list(enumerate(c.parties))


def _norm(token: str) -> str:
    t = token.casefold()
    if t in ("'", "\u2019", "`"):
        return "'"
    if t in ("\u2010", "\u2013"):
        return "-"
    return _ABBREVIATED.get(t, t)


def tokens(text: str) -> list[str]:
    return [_norm(t) for t in _TOKEN.findall(text)]


def _titles(party: Party, explicit: str | None) -> tuple[str, ...]:
    if explicit:
        return (explicit,)
    relation = (party.relation or "").lower().strip()
    if _CHILD.match(relation):
        return ("Master", "Miss")
    if _FEMALE.search(relation):
        return ("Mrs", "Ms", "Miss", "Mx", "Dr")
    if _MALE.search(relation):
        return ("Mr", "Mx", "Dr")
    return TITLES


# Titles by who bears them; a variant after a title is stored under its group's marker, so
# "Mrs Jones" is looked up among the women's surnames (and the neutral titles').
_GROUPS = {
    "\x01f": ("Mrs", "Ms", "Miss"),
    "\x01m": ("Mr",),
    "\x01c": ("Master", "Miss"),
    "\x01x": ("Mx", "Dr", "Prof", "PC", "DC", "DS", "Sgt", "Cllr", "Rev"),
}
_TITLE_MARKERS: dict[str, tuple[str, ...]] = {}
for _marker, _titles_of in _GROUPS.items():
    for _t in _titles_of:
        _TITLE_MARKERS[_norm(_t)] = (*_TITLE_MARKERS.get(_norm(_t), ()), _marker)


def _markers(titles: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(m for t in titles for m in _TITLE_MARKERS.get(_norm(t), ())))


def _name_variants(party: Party, owner: int) -> Iterable[tuple[list[str], _Variant]]:
    """Every way the party's names are written, as token sequences."""
    for raw in party.names:
        title_match = _TITLE_RE.match(raw.strip())  # at 0: the string's start
        explicit = title_match.group().strip().rstrip(".").title() if title_match else None
        words = (raw.strip()[title_match.end() :] if title_match else raw).split()
        if not words:
            continue
        full = tokens(" ".join(words))
        first, last = tokens(words[0]), tokens(words[-1])
        forms = [full]
        if len(words) > 2:
            forms.append(first + last)
        for form in forms:
            yield form, _Variant(owner, Label.NAME, needs_capital=len(words) == 1)
        titled = [*forms, last] if len(words) >= 2 else forms
        for marker in _markers(_titles(party, explicit)):
            for form in titled:
                yield [marker, *form], _Variant(owner, Label.NAME)
        if len(words) >= 2:
            initial = _norm(words[0][0])
            yield [initial, *last], _Variant(owner, Label.NAME, initial=True)
            yield [initial, ".", *last], _Variant(owner, Label.NAME, initial=True)
            if len(words[0]) > 1:
                yield first, _Variant(owner, Label.NAME, needs_capital=True)
            if len(words[-1]) > 1:
                yield last, _Variant(owner, Label.NAME, needs_capital=True)


def _address_variants(address: str, owner: int) -> Iterable[tuple[list[str], _Variant]]:
    """The address whole and as any run of its lines ("12 Oak Road, Leeds"); a line alone when
    it is a street line or has a number in it (a town alone is nobody's address)."""
    parts = [p.strip() for p in re.split(r"[,\n;]", address) if p.strip()]
    toks = [tokens(p) for p in parts]
    for i, part in enumerate(parts):
        for j in range(i + 2, len(parts) + 1):
            yield [t for ts in toks[i:j] for t in ts], _Variant(owner, Label.ADDRESS)
        if patterns.POSTCODE.fullmatch(part.upper()):
            yield toks[i], _Variant(owner, Label.POSTCODE)
        elif (i == 0 or any(ch.isdigit() for ch in part)) and len(part) >= 4:
            yield toks[i], _Variant(owner, Label.ADDRESS)


def _insert(trie: Trie, seq: Sequence[str], v: _Variant, *, address: bool = False) -> None:
    if not seq:
        return
    node = trie
    for i, tok in enumerate(seq):
        node = node.setdefault(tok, {})
        if address and i < len(seq) - 1:
            node[_ADDRESS_NODE] = True
    entries = node.setdefault(_ENTRIES, [])
    if v not in entries:
        entries.append(v)


def _identifier_label(value: str) -> Label:
    compact = re.sub(r"[\s-]", "", value)
    if compact.isdigit() and patterns.nhs_valid(compact):
        return Label.NHS_NUMBER
    if patterns.nino_valid(compact):
        return Label.NI_NUMBER
    return Label.IDENTIFIER


def _add(index: dict[Any, list[int]], key: Any, owner: int) -> None:
    if key:
        index.setdefault(key, []).append(owner)


def _frozen(index: Mapping[Any, list[int]]) -> dict[Any, tuple[int, ...]]:
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


def postcode_key(value: str) -> str:
    return re.sub(r"\s", "", value).upper()


def compact_id(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def _pattern_shaped(value: str) -> bool:
    hits = patterns.find_patterns(value)
    return len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(value.strip())


def compile_context(ctx: CaseContext) -> Compiled:
    """Compile the case's people for matching (once per case)."""
    trie: Trie = {}
    phones: dict[str, list[int]] = {}
    emails: dict[str, list[int]] = {}
    postcodes: dict[str, list[int]] = {}
    identifiers: dict[str, list[int]] = {}
    other_ids: dict[str, list[int]] = {}
    dobs: dict[date, list[int]] = {}
    words: set[str] = set()
    for owner, party in _owners(ctx):
        for seq, v in _name_variants(party, owner):
            _insert(trie, seq, v)
        for address in party.addresses:
            for seq, v in _address_variants(address, owner):
                _insert(trie, seq, v, address=True)
            for m in patterns.POSTCODE.finditer(address.upper()):
                _add(postcodes, postcode_key(m.group()), owner)
        for value in party.identifiers:
            _add(identifiers, compact_id(value), owner)
            if not _pattern_shaped(value):
                _add(other_ids, compact_id(value), owner)
        for phone in party.phones:
            _add(phones, patterns.phone_key(phone), owner)
        for email in party.emails:
            _add(emails, email.strip().casefold(), owner)
        if party.dob is not None:
            _add(dobs, party.dob, owner)
        for text in (*party.names, *party.addresses):
            words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", text))
    for own in ctx.own_names:
        _insert(trie, tokens(own), _Variant(OWN, Label.NAME))
        words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", own))
    other = None
    if other_ids:
        alternation = "|".join(
            r"[\s-]?".join(re.escape(ch) for ch in key)
            for key in sorted(other_ids, key=len, reverse=True)
        )
        other = re.compile(rf"(?<![\w])(?:{alternation})(?!\w)", re.IGNORECASE)
    return Compiled(
        context=ctx,
        trie=trie,
        phones=_frozen(phones),
        emails=_frozen(emails),
        postcodes=_frozen(postcodes),
        identifiers=_frozen(identifiers),
        dobs=_frozen(dobs),
        other_ids=other,
        other_id_owners=_frozen(other_ids),
        known_words=frozenset(words),
    )


_MONTH_WORDS = frozenset(m.lower() for m in patterns.MONTH_NAMES)


def _capital_ok(text: str, start: int, end: int) -> bool:
    if not text[start].isupper():
        return False
    # "April" the name is not the month in "3 April 2019"; "May" likewise.
    if text[start:end].lower() in _MONTH_WORDS:
        before = text[max(0, start - 4) : start]
        after = text[end : end + 5]
        if re.search(r"\d\s*$", before) or re.match(r"\s*\d", after):
            return False
    return True


def _in_email_or_link(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before == "@" or after == "@":
        return True
    if before == "." and start >= 2 and text[start - 2].isalnum():
        return True
    return after == "." and end + 1 < len(text) and text[end + 1].isalnum()


def scan(text: str, c: Compiled) -> tuple[list[Finding], list[tuple[int, int]]]:
    """Mentions of the case's people by name, address or literal identifier, decided; and
    where the organisation's own or a court's name is written (never personal data)."""
    found: list[Finding] = []
    own: list[tuple[int, int]] = []
    toks = [(_norm(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    n = len(toks)
    trie = c.trie
    i = 0
    while i < n:
        best, after_title = _titled(toks, i, trie)
        if best is None:
            node = trie.get(toks[i][0])
            best = _longest(toks, i, node) if node is not None else None
        if best is None:
            i += 1
            continue
        last, entries = best
        v = entries[0]
        start, end = toks[after_title if after_title else i][1], toks[last][2]
        if v.owner == OWN:
            own.append((toks[i][1], end))
            i = last + 1
            continue
        if not _acceptable(text, toks[i][1], start, end, v, titled=after_title > 0):
            i += 1
            continue
        owners = [e.owner for e in entries if e.label is v.label and e.owner != OWN]
        found.append(c.finding(start, end, v.label, owners, Source.CASE))
        i = last + 1
    if c.other_ids is not None:
        for m in c.other_ids.finditer(text):
            id_owners = c.other_id_owners.get(compact_id(m.group()), ())
            if id_owners:
                found.append(
                    c.finding(m.start(), m.end(), Label.IDENTIFIER, id_owners, Source.CASE)
                )
    return found, own


def _longest(
    toks: Sequence[tuple[str, int, int]], i: int, node: Trie
) -> tuple[int, list[_Variant]] | None:
    """The longest variant starting with token i (whose trie node is `node`)."""
    best: tuple[int, list[_Variant]] | None = None
    n = len(toks)
    j = i
    while True:
        if _ENTRIES in node:
            best = (j, node[_ENTRIES])
        j += 1
        if j >= n:
            break
        nxt = node.get(toks[j][0])
        if nxt is None and _ADDRESS_NODE in node:
            while j < n and toks[j][0] in (",", ";"):
                j += 1
            nxt = node.get(toks[j][0]) if j < n else None
        if nxt is None:
            break
        node = nxt
    return best


def _titled(
    toks: Sequence[tuple[str, int, int]], i: int, trie: Trie
) -> tuple[tuple[int, list[_Variant]] | None, int]:
    """A name after a title at token i ("Mrs Jones", "Dr. Khan"): the longest match among the
    names of people who may bear that title, and the token the name starts at."""
    markers = _TITLE_MARKERS.get(toks[i][0])
    if markers is None:
        return None, 0
    j = i + 1
    if j < len(toks) and toks[j][0] == ".":
        j += 1
    if j >= len(toks):
        return None, 0
    best: tuple[int, list[_Variant]] | None = None
    for marker in markers:
        node = trie.get(marker, {}).get(toks[j][0])
        found = _longest(toks, j, node) if node is not None else None
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best, j


def _acceptable(text: str, first: int, start: int, end: int, v: _Variant, *, titled: bool) -> bool:
    if v.label is not Label.NAME:
        return True
    if _in_email_or_link(text, first, end):
        return False
    if titled:
        return text[first].isupper()
    if v.initial and not text[start].isupper():
        return False
    return not v.needs_capital or _capital_ok(text, start, end)


def match_case(text: str, c: Compiled) -> list[Finding]:
    """Mentions of the case's people by name, address or literal identifier, decided."""
    return scan(text, c)[0]


def own_values(
    text: str, hits: Sequence[Finding], c: Compiled
) -> tuple[list[Finding], list[Finding]]:
    """Pattern hits that a party's fields name (their phone, email, postcode, number, date of
    birth), decided as that party's; and the rest, still nobody's."""
    owned: list[Finding] = []
    rest: list[Finding] = []
    for h in hits:
        owners = _lookup(text[h.start : h.end], h.label, c)
        if owners:
            owned.append(c.finding(h.start, h.end, h.label, owners, Source.CASE))
        else:
            rest.append(h)
    if c.dobs:
        owned.extend(_dates_of_birth(text, hits, c))
    return owned, rest


def _lookup(value: str, label: Label, c: Compiled) -> tuple[int, ...]:
    if label is Label.PHONE:
        key = patterns.phone_key(value)
        return c.phones.get(key, ()) if key else ()
    if label is Label.EMAIL:
        return c.emails.get(value.casefold(), ())
    if label is Label.POSTCODE:
        return c.postcodes.get(postcode_key(value), ())
    if label is Label.ADDRESS:
        return ()  # a street address the pattern found: whose it is, the sentence says
    if label is Label.DATE_OF_BIRTH:
        day = patterns.parse_date(value)
        return c.dobs.get(day, ()) if day else ()
    return c.identifiers.get(compact_id(value), ())


def _dates_of_birth(text: str, hits: Sequence[Finding], c: Compiled) -> list[Finding]:
    """A party's date of birth written without "born" or "DOB" before it."""
    taken = {(h.start, h.end) for h in hits}
    out = []
    for m in patterns.DATE.finditer(text):
        if m.span() in taken:
            continue
        day = patterns.parse_date(m.group())
        owners = c.dobs.get(day, ()) if day else ()
        if owners:
            out.append(c.finding(m.start(), m.end(), Label.DATE_OF_BIRTH, owners, Source.CASE))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence starts and ends; "Mr. Marsh" and "D. Marsh" do not end one."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == ".":
            before = re.search(r"(\w+)$", text[max(0, m.start() - 6) : m.start()])
            if before and (before.group(1).lower() in _NOT_ENDING or len(before.group(1)) == 1):
                continue
        out.append((start, m.start() + 1))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def attribute(
    text: str,
    hits: Sequence[Finding],
    named: Sequence[Finding],
    c: Compiled,
    sentences: Sequence[tuple[int, int]] | None = None,
) -> list[Finding]:
    """Decide pattern hits no field names: each is the nearest named person's in its sentence
    ("Dean Marsh (NHS 943 476 5919)"); with nobody named there, a third party's."""
    if not hits:
        return []
    bounds = sentences if sentences is not None else sentence_spans(text)
    names = sorted((f for f in named if f.label is Label.NAME), key=lambda f: f.start)
    name_starts = [n.start for n in names]
    longest = max((n.end - n.start for n in names), default=0)
    out = []
    for h in hits:
        lo, hi = _sentence_of(bounds, h.start)
        best: Finding | None = None
        best_gap = 2 * len(text) + 1
        first = bisect_right(name_starts, lo - longest)
        last = bisect_right(name_starts, hi)
        in_sentence = [n for n in names[first:last] if n.start < hi and n.end > lo]
        named_in_email = _named_in_email(text, h, in_sentence, c)
        for n in in_sentence if named_in_email is None else [named_in_email]:
            # Details follow their owner ("Dean's NHS number is ...", "Dean (DOB ...)",
            # "Dean lives at ... with Sam"): a name after the number only when none is before.
            gap = h.start - n.end if n.end <= h.start else len(text) + (n.start - h.end)
            if 0 <= gap < best_gap:
                best, best_gap = n, gap
        if best is None:
            d = unattributed(h.label)
            out.append(replace(h, redact=d.redact, code=d.code, reason=d.reason))
        elif best.party is None and best.role is not Role.REQUESTER:
            d = decide(Role.UNKNOWN, h.label)
            out.append(
                replace(
                    h,
                    role=Role.THIRD_PARTY,
                    redact=d.redact,
                    code=d.code,
                    reason="belongs to someone not known to the case",
                )
            )
        else:
            owner = REQUESTER if best.party is None else best.party
            out.append(c.finding(h.start, h.end, h.label, [owner], Source.PATTERN))
    return out


def _named_in_email(text: str, h: Finding, names: Sequence[Finding], c: Compiled) -> Finding | None:
    """The one person in the sentence whose surname is in the email address ("lbuckley44@"
    is Buckley's, whoever is named nearer)."""
    if h.label is not Label.EMAIL or len(names) < 2:
        return None
    local = text[h.start : h.end].split("@", 1)[0].casefold()
    found: dict[object, Finding] = {}
    for n in names:
        words = [text[n.start : n.end]]
        if n.source is Source.CASE:
            words += c.party(REQUESTER if n.party is None else n.party).names
        surnames = {w.split()[-1].casefold() for w in words if w.split()}
        if any(len(s) >= 3 and s in local for s in surnames):
            found.setdefault(
                (n.role, n.party, text[n.start : n.end] if n.source is not Source.CASE else None), n
            )
    return next(iter(found.values())) if len(found) == 1 else None


def _sentence_of(bounds: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    i = bisect_right(bounds, (pos, sys.maxsize)) - 1
    if i >= 0 and bounds[i][0] <= pos < bounds[i][1]:
        return bounds[i]
    return pos, pos + 1


def find_people(text: str, c: Compiled) -> list[Finding]:
    """Everything of the case's people in `text`, decided: names and addresses, their numbers
    and dates of birth, and pattern hits attributed to whoever is named nearest."""
    hits = patterns.find_patterns(text)
    named = match_case(text, c)
    owned, rest = own_values(text, hits, c)
    return named + owned + attribute(text, rest, named, c)
