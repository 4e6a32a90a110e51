"""The detector: patterns, the case's people, and the names of people the case does not know,
resolved into what to redact and why.

A name the case does not know is found two ways. First by elimination: a capitalised word that
nothing explains (not a known name or address, not a pattern hit, not a title, month, court,
organisation or role word, not an ordinary English word starting a sentence, not a county,
country or well-known organisation: see `lexicon`) is taken for a name, the safe side, since a
name missed is a breach and a place name redacted is only a box too many. A word in the lists
of names people are given is never explained by those lists ("Florence", "Lincoln", "Grace").
Then by the language model, which is slow, so it sees only the sentences where elimination
cannot decide:

* a sentence's first word that is both an ordinary word and a given name ("Will", "Grace"),
  or a noun that is no given name ("Chester", "Chronology"): a name if the model sees any
  named thing there (it tags "Chester said" an organisation, so its label is not trusted),
  an ordinary word if it sees nothing. A given name followed by what follows a subject
  ("Will said", "Hope has") is a name without asking; an ordinary first word followed by a
  surname ("Marian Gardiner") is one name;
* a word after a place preposition ("moved from Manchester", "lives in Chester"): a place
  only if the model calls it one, and the word is not followed by "'s" or "said".

`detect_many` sends the sentences of many texts to it in one batch.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from steward.redaction import lexicon, patterns
from steward.redaction.ner_protocol import EntityFinder, NameFinder
from steward.redaction.people import (
    REQUESTER,
    TITLES,
    Compiled,
    attribute,
    own_values,
    scan,
    sentence_spans,
)
from steward.redaction.policy import decide
from steward.redaction.spans import Finding, Label, Role, Source, Span, resolve, spans


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MONTH_WORDS = frozenset(m.lower() for m in patterns.MONTH_NAMES)
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_INITIAL = re.compile(r"\.?\s+[A-Z]")
# Ordinary words written in lower case, not parts of emails ("jade.dennis@...").
_LOWER_WORD = re.compile(r"(?<![\w.@'\u2019-])[a-z][a-z]*(?![\w@'\u2019-]|\.\w)")
_TRAILING_POSSESSIVE = re.compile(r"(?:['\u2019]s?|\s+)$")

# Words that start with a capital without being anyone's name.
_ORG_WORDS = _wordset(
    """police council court courts centre center service services trust school academy college
    nursery university hospital surgery practice clinic team department authority agency
    support housing association partnership board committee unit office group project
    foundation charity church tribunal family children's aid advice"""
)
# Orders, documents and proceedings written with capitals ("an Interim Care Order").
_DOCUMENT_WORDS = _wordset(
    """order orders act report plan agreement hearing judgment application statement
    assessment review conference proceedings bundle direction directions"""
)
# Roles written with capitals ("the Children's Guardian", "Designated Safeguarding Lead").
_ROLE_WORDS = _wordset(
    """guardian officer visitor worker manager judge magistrate magistrates recorder inspector
    constable sergeant detective nurse doctor teacher headteacher lead safeguarding designated
    senior principal head chief deputy assistant coordinator practitioner advocate solicitor
    barrister counsel clerk applicant respondent mother father child children"""
)
# Ordinary words that are also first names: elimination cannot tell, the model decides.
_NAME_LIKE = _wordset(
    """will may mark grace hope faith joy rose dawn pat bill sue jack frank april june summer
    amber holly ivy rob art penny ruby crystal hazel heather iris lily daisy robin jay drew
    bob sunny autumn river sky skye star angel honey dusty rusty gene guy ray lance chase
    miles norman page hunter mason carter cole dean"""
)
_STOP = (
    frozenset(t.lower() for t in TITLES)
    | _ORG_WORDS
    | frozenset(m.lower() for m in patterns.MONTH_NAMES)
    | _wordset(
        """monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
        master miss madam sir gp nhs cafcass dwp hmrc pc dc ds sgt dr mr mrs ms mx prof
        england wales scotland uk britain british english welsh scottish irish
        section paragraph page part schedule appendix annex rule order act article regulation
        mondays tuesdays wednesdays thursdays fridays saturdays sundays weekends
        christmas easter ok dob d.o.b re ref tel mob email national insurance number
        interim final care supervision emergency protection placement special guardianship
        arrangements prohibited steps specific issue local authority"""
    )
    | _ROLE_WORDS
)
# Ordinary words that start sentences ("According to ...", "Letters for ...").
_COMMON = _wordset(
    """a an the this that these those there here he she they it we i you his her their its our
    my your him them us me who whom whose which what when where why how while after before
    during on in at from to for with without by as if although though however since because
    but and or so yet nor not no yes all both each every either neither some any many much
    few several most more less other another such only also then thus therefore meanwhile
    further furthermore moreover finally first second third next last later earlier today
    yesterday tomorrow according following given regarding concerning despite within between
    among under over above below about against into onto upon through throughout until till
    police letters report section case court before after previously currently recently now
    is are was were be been being has have had do does did will would shall should may might
    can could must please note one two three four five six seven eight nine ten
    post mail letter contact contacts records record notes note information details concerns
    concern attendance school housing referral referrals visit visits meeting meetings home
    work money contact support parenting evidence background summary conclusion conclusions
    recommendation recommendations analysis assessment assessments observations observation
    history chronology health education behaviour safety risk risks welfare wishes feelings
    overall generally unfortunately fortunately clearly sadly initially subsequently again
    neither otherwise instead indeed perhaps certainly apparently reportedly both mum dad
    nobody somebody someone everyone everybody anyone nothing something everything
    call ring phone telephone email write send ask tell see speak meet check confirm ensure
    arrange consider refer discuss explain agree keep make take give get let use find"""
)


@dataclass
class _Pending:
    """One text between the fast stage and the language model."""

    text: str
    c: Compiled
    findings: list[Finding]
    named: list[Finding]
    rest: list[Finding]
    sentences: list[tuple[int, int]]
    ask: list[tuple[int, int]]  # sentences for the language model
    own: list[tuple[int, int]]  # the organisation's and courts' names: never anyone's
    doubts: _Doubts


class Detector:
    """Finds what to redact in a text, given a compiled case (see `compile_context`)."""

    def __init__(self, *, ner: NameFinder | None = None, batch_size: int = 64) -> None:
        self._ner = ner
        self._batch = batch_size
        # How many sentences the gate sent to the model, of how many seen (for the benchmark).
        self.sentences_seen = 0
        self.sentences_to_ner = 0

    def analyse(self, text: str, c: Compiled) -> list[Finding]:
        """Every finding, kept or redacted, resolved (non-overlapping, sorted)."""
        pending = [self._fast(text, c)]
        self._with_names(pending)
        return resolve(pending[0].findings)

    def detect(self, text: str, c: Compiled) -> list[Span]:
        """What to redact in `text`."""
        return spans(self.analyse(text, c))

    def detect_many(self, items: Iterable[tuple[str, Compiled]]) -> Iterator[list[Span]]:
        """`detect` for many texts, in order, the language model run over batches of them."""
        it = iter(items)
        while chunk := list(islice(it, self._batch)):
            pending = [self._fast(text, c) for text, c in chunk]
            self._with_names(pending)
            for p in pending:
                yield spans(p.findings)

    def _fast(self, text: str, c: Compiled) -> _Pending:
        hits = patterns.find_patterns(text)
        named, own = scan(text, c)
        owned, rest = own_values(text, hits, c)
        sentences = sentence_spans(text)
        covered = _Cover([(f.start, f.end) for f in (*named, *owned, *rest)] + own)
        unknown, ask, doubts = _unexplained(text, c, covered, sentences)
        unknown, named, joined = _join_family_names(
            text, unknown, named, c, [*doubts.first_words, *doubts.words]
        )
        doubts.words[:] = [w for w in doubts.words if w not in joined]
        # "West Yorkshire Police" is not the West family's.
        named = [f for f in named if not _part_of_organisation(text, f)]
        self.sentences_seen += len(sentences)
        if self._ner is None:
            ask = []
        self.sentences_to_ner += len(ask)
        d = decide(Role.UNKNOWN, Label.NAME)
        names = [
            Finding(
                lo,
                hi,
                Label.NAME,
                Role.THIRD_PARTY,
                None,
                d.redact,
                d.code,
                d.reason,
                Source.PATTERN,
            )
            for lo, hi in unknown
        ]
        return _Pending(
            text, c, [*named, *owned, *names], [*named, *names], rest, sentences, ask, own, doubts
        )

    def _with_names(self, pending: Sequence[_Pending]) -> None:
        """Ask the model about the gated sentences of all `pending` at once, then attribute."""
        asked = [(p, lo, hi) for p in pending for lo, hi in p.ask]
        found = self._entities([p.text[lo:hi] for p, lo, hi in asked]) if asked else []
        unknown: dict[int, list[Finding]] = {}
        seen: dict[int, list[tuple[int, int, str]]] = {}
        for (p, lo, _hi), entities in zip(asked, found, strict=True):
            for start, end, label in entities:
                if not _overlaps_known(p, lo + start, lo + end):  # "Will Priya Shah attend?"
                    seen.setdefault(id(p), []).append((lo + start, lo + end, label))
                f = _unknown_name(p, lo + start, lo + end) if label == "PERSON" else None
                if f is not None:
                    unknown.setdefault(id(p), []).append(f)
        for p in pending:
            doubtful = (
                [*p.doubts.words, *p.doubts.places]  # no one to ask: the safe side
                if self._ner is None
                else p.doubts.unresolved(seen.get(id(p), []))
            )
            for start, end in doubtful:
                f = _unknown_name(p, start, end)
                if f is not None:
                    unknown.setdefault(id(p), []).append(f)
        for p in pending:
            extra = unknown.get(id(p), [])
            people = [*p.named, *extra]
            p.findings += extra + attribute(p.text, p.rest, people, p.c, p.sentences)

    def _entities(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """What the model sees in each text; a finder that only knows names gives PERSON."""
        if self._ner is None:
            return [[] for _ in texts]
        if isinstance(self._ner, EntityFinder):
            return self._ner.entities(texts)
        return [[(lo, hi, "PERSON") for lo, hi in found] for found in self._ner.names(texts)]


# What the model may call a place; and what it calls things a name may be mistaken for.
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_NAMED_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART"}
)


@dataclass
class _Doubts:
    """Words elimination leaves to the model (see the module's docstring)."""

    words: list[tuple[int, int]]  # a name if the model sees any named thing there
    places: list[tuple[int, int]]  # a name unless the model calls it a place
    # A sentence's first word the lexicon calls ordinary: a name only before a surname.
    first_words: list[tuple[int, int]] = field(default_factory=list)

    def unresolved(self, seen: Sequence[tuple[int, int, str]]) -> Iterator[tuple[int, int]]:
        """The doubts that the model's `seen` entities make names."""

        def labels(lo: int, hi: int) -> set[str]:
            return {label for s, e, label in seen if s < hi and lo < e}

        for lo, hi in self.words:
            if labels(lo, hi) & _NAMED_LABELS:
                yield lo, hi
        for lo, hi in self.places:
            found = labels(lo, hi)
            if "PERSON" in found or not found & _PLACE_LABELS:
                yield lo, hi


def _overlaps_known(p: _Pending, start: int, end: int) -> bool:
    """Whether [start, end) overlaps a known party's data or the organisation's own names."""
    return any(
        f.start < end and start < f.end and f.source is not Source.PATTERN for f in p.findings
    ) or any(lo < end and start < hi for lo, hi in p.own)


def _unknown_name(p: _Pending, start: int, end: int) -> Finding | None:
    """A name the model found, unless it is a known party's (theirs already), a pattern hit,
    the organisation's own or a court's name, or only titles and stop words."""
    text = p.text
    title = re.match(rf"(?:{'|'.join(TITLES)})\.?\s+", text[start:end])
    if title is not None:
        start += title.end()
    trail = _TRAILING_POSSESSIVE.search(text, start, end)
    if trail is not None:
        end = trail.start()
    if end <= start:
        return None
    for f in p.findings:
        if f.start < end and start < f.end and f.source is not Source.PATTERN:
            return None
    for h in p.rest:
        if h.start < end and start < h.end:
            return None
    words = _WORD.findall(text[start:end])
    if not words or all(
        w.casefold() in _STOP or lexicon.is_place_or_organisation(_key(w)) for w in words
    ):
        return None  # the model tags "living in Yorkshire" a person
    if any(lo < end and start < hi for lo, hi in p.own):
        return None
    d = decide(Role.UNKNOWN, Label.NAME)
    return Finding(
        start, end, Label.NAME, Role.THIRD_PARTY, None, d.redact, d.code, d.reason, Source.NER
    )


def _unexplained(
    text: str,
    c: Compiled,
    covered: _Cover,
    sentences: Sequence[tuple[int, int]],
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], _Doubts]:
    """Runs of capitalised words nothing explains (taken for names the case does not know);
    the sentences holding a word only the language model can decide ("Will", "Grace", "from
    Manchester"); and those words."""
    names: list[tuple[int, int]] = []
    ask: list[tuple[int, int]] = []
    doubts = _Doubts([], [])
    lower_words: set[str] | None = None
    for lo, hi in sentences:
        run: tuple[int, int] | None = None
        place_run = False  # the run is only words after a place preposition so far
        doubted = len(doubts.words) + len(doubts.places)
        pending: tuple[int, int] | None = None  # a word the model would decide, just before
        for m in _WORD.finditer(text, lo, hi):
            word = m.group()
            verdict = _explain(text, c, covered, lo, m)
            if verdict == "common-first":
                if lower_words is None:
                    lower_words = set(_LOWER_WORD.findall(text))
                key = _key(word)
                verdict = "explained" if key in _COMMON or key in lower_words else _first_word(key)
            if verdict == "ask" and _subject(text, m):
                verdict = "name"  # "Will said", "Hope has", "Grace, aged 7,": someone
            after_ask = pending is not None and not text[pending[1] : m.start()].strip()
            if verdict == "name" and run is None and after_ask and pending is not None:
                run = pending  # "Holly Bryant": a surname after it makes it a name
                place_run = False
                for doubted_words in (doubts.words, doubts.first_words):
                    if doubted_words and doubted_words[-1] == pending:
                        doubted_words.pop()
            pending = (m.start(), m.end()) if verdict in ("ask", "ordinary") else None
            if verdict == "ordinary":
                doubts.first_words.append((m.start(), m.end()))
                verdict = "explained"
            if verdict in ("name", "place"):
                gap = text[run[1] : m.start()] if run else ""
                if run is not None and (not gap.strip() or gap.strip() == "."):
                    run = (run[0], m.end())
                    place_run = place_run and verdict == "place"
                else:
                    if run is not None:
                        (doubts.places if place_run else names).append(run)
                    run = (m.start(), m.end())
                    place_run = verdict == "place"
                continue
            if run is not None and _continues_name(text, covered, run, m):
                run = (run[0], m.end())  # "Jodie Page": a surname that is also a word
                continue
            if run is not None:
                (doubts.places if place_run else names).append(run)
                run = None
            if verdict == "ask":
                doubts.words.append((m.start(), m.end()))
        if run is not None:
            (doubts.places if place_run else names).append(run)
        if len(doubts.words) + len(doubts.places) > doubted:
            ask.append((lo, hi))
    doubts.places[:] = [_trim_possessive(text, lo, hi) for lo, hi in doubts.places]
    return [_trim_possessive(text, lo, hi) for lo, hi in names], ask, doubts


_INFLECTED = ("ing", "ed", "ly", "s")


def _first_word(key: str) -> str:
    """A sentence's first word, not a common one: "ordinary" (an ordinary English word, a
    plural noun, a county, country or organisation: a name only if a surname follows,
    "Marian Gardiner"), "ask" (a given name that is also an ordinary word, or a noun: the
    model decides) or "name"."""
    if lexicon.is_given_name(key):
        return "ask" if lexicon.is_ordinary(key) else "name"
    if (
        lexicon.is_ordinary(key)
        or lexicon.is_plural_noun(key)
        or lexicon.is_place_or_organisation(key)
    ):
        # "Following Dean's visit", "Records Marsh kept": an inflected word is no one's name.
        return "explained" if key.endswith(_INFLECTED) else "ordinary"
    return "ask" if lexicon.is_noun(key) else "name"


# What follows a person at the start of a sentence, not an ordinary word ("Will you ...",
# "Hope remains").
_SUBJECT_AFTER = re.compile(
    r"(?:['\u2019]s\b|\s+(?:is|was|has|had|said|says|told|tells|does|did|doesn't|didn't|"
    r"isn't|wasn't|hasn't|hadn't|would|wouldn't|could|couldn't|can|can't|cannot|wants|wanted|"
    r"likes|liked|lives|lived|loves|loved|feels|felt|thinks|thought|attends|attended|stated|"
    r"reported|explained|confirmed|described|disclosed|asked|agreed|denied|and\s+(?:her|his|"
    r"their|I)|\()\b|,\s+(?:the|aged?|who|my|her|his|their)\b)"
)


def _subject(text: str, m: re.Match[str]) -> bool:
    """A given name starting a sentence as its subject ("Will said"; not "Chronology is")."""
    key = _key(m.group())
    return (key in _NAME_LIKE or lexicon.is_given_name(key)) and bool(
        _SUBJECT_AFTER.match(text, m.end())
    )


_PLACE_PREPOSITIONS = frozenset(
    [
        "in",
        "near",
        "around",
        "outside",
        "across",
        "throughout",
        "within",
        "towards",
        "via",
        "from",
        "to",
        "into",
    ]
)
_AREA_PREPOSITIONS = frozenset(
    ["in", "near", "around", "outside", "across", "throughout", "within"]
)
# Verbs of moving or living that make "from"/"to" (and, for a given name, "in") mean a place.
_MOVING = re.compile(
    r"(?:mov|reloc|travel|went|go|return|fled|flee|came|come|visit|liv|born|based|resid|"
    r"holiday|dr[io]v|flew|fly|settl|emigrat|stay|grew|raised|brought up|originat)",
    re.IGNORECASE,
)
_PERSON_AFTER = re.compile(
    r"(?:['\u2019]s?\b|,?\s+(?:said|says|told|tells|stated|states|reported|reports|explained|"
    r"confirmed|asked|added|agreed|denied|admitted|alleged|claimed|described|wants|wanted|"
    r"felt|feels|thinks|thought)\b)"
)
_LAST_WORDS = re.compile(r"[A-Za-z']+")


def _mid_sentence(text: str, m: re.Match[str], key: str) -> str:
    """A capitalised word inside a sentence that nothing else explains: "explained" (a county,
    country, organisation or nationality), "place" (after a place preposition: the model
    decides) or "name"."""
    given = lexicon.is_given_name(key)
    if not given and (lexicon.is_place_or_organisation(key) or lexicon.is_demonym(key)):
        return "explained"
    return "place" if _place_cue(text, m, given) else "name"


def _place_cue(text: str, m: re.Match[str], given: bool) -> bool:
    """ "moved from Manchester", "lives in Chester"; not "in Chester's care" or "to Paris,
    said"; for a given name only with a verb of moving or living ("confided in Florence")."""
    if _PERSON_AFTER.match(text, m.end()):
        return False
    before = text[max(0, m.start() - 60) : m.start()]
    if before and not before[-1].isspace():
        return False
    words = _LAST_WORDS.findall(before)[-4:]
    if not words or words[-1].casefold() not in _PLACE_PREPOSITIONS:
        return False
    moving = any(_MOVING.match(w) for w in words[:-1])
    return moving or (not given and words[-1].casefold() in _AREA_PREPOSITIONS)


def _join_family_names(
    text: str,
    unknown: list[tuple[int, int]],
    named: list[Finding],
    c: Compiled,
    maybe: Sequence[tuple[int, int]] = (),
) -> tuple[list[tuple[int, int]], list[Finding], set[tuple[int, int]]]:
    """An unknown first name next to a known surname ("Janice Fitzgerald", where only the
    father Fitzgerald is known) is someone else of that family: one unknown name, whole. So
    is a sentence's first word that might be ordinary (`maybe`: "Marian Gardiner's NHS
    number", "Grace Gardiner said"); the `maybe` words so joined are returned too."""
    if not (unknown or maybe) or not named:
        return unknown, named, set()
    by_start = {f.start: f for f in named if f.label is Label.NAME}
    joined: list[tuple[int, int]] = []
    dropped: set[int] = set()
    used: set[tuple[int, int]] = set()
    for lo, hi in unknown:
        after = _surname_after(text, lo, hi, by_start, c)
        joined.append((lo, hi) if after is None else (lo, after.end))
        if after is not None:
            dropped.add(after.start)
    for lo, hi in maybe:
        after = _surname_after(text, lo, hi, by_start, c)
        if after is not None and after.start not in dropped:
            joined.append((lo, after.end))
            dropped.add(after.start)
            used.add((lo, hi))
    return joined, [f for f in named if f.start not in dropped], used


_GAP = re.compile(r"\s+")
_INITIAL_GAP = re.compile(r"\.?\s+")


def _surname_after(
    text: str, lo: int, hi: int, by_start: dict[int, Finding], c: Compiled
) -> Finding | None:
    """The known party's surname written alone right after [lo, hi), if any."""
    m = (_INITIAL_GAP if hi - lo == 1 else _GAP).match(text, hi)
    after = by_start.get(m.end()) if m else None
    if after is not None and _is_surname(text[after.start : after.end], after, c):
        return after
    return None


_NOT_SURNAMES = _ORG_WORDS | frozenset(t.lower() for t in TITLES) | _MONTH_WORDS


def _continues_name(text: str, covered: _Cover, run: tuple[int, int], m: re.Match[str]) -> bool:
    word = m.group()
    if text[run[0] : run[1]].endswith(("'s", "\u2019s", "'", "\u2019")):
        return False  # "Carly's NI number"
    if word.isupper() and len(word) <= 4:
        return False
    return (
        word[0].isupper()
        and not text[run[1] : m.start()].strip()
        and _key(word) not in _NOT_SURNAMES
        and not _inside(covered, m.start(), m.end())
    )


def _dotted(text: str, m: re.Match[str]) -> bool:
    return text.startswith(".", m.end())


def _is_surname(written: str, f: Finding, c: Compiled) -> bool:
    if f.label is not Label.NAME or any(ch.isspace() for ch in written):
        return False
    party = c.party(REQUESTER if f.party is None else f.party)
    return any(n.split()[-1].casefold() == written.casefold() for n in party.names if n.split())


def _key(word: str) -> str:
    key = word.casefold()
    return key[:-2] if key.endswith(("'s", "\u2019s")) else key.rstrip("'\u2019")


def _trim_possessive(text: str, lo: int, hi: int) -> tuple[int, int]:
    m = _TRAILING_POSSESSIVE.search(text, lo, hi)
    return (lo, m.start()) if m is not None and m.start() > lo else (lo, hi)


def _explain(text: str, c: Compiled, covered: _Cover, lo: int, m: re.Match[str]) -> str:
    """ "explained", "name", "ask" (the model decides) or "common-first" (a sentence's first
    word: explained if it is an ordinary word)."""
    word = m.group()
    if not word[0].isupper():
        return "explained"
    if _inside(covered, m.start(), m.end()):
        return "explained"
    if any(ch.isdigit() for ch in word):
        return "explained"  # a case number or reference: FD24P00123
    key = _key(word)
    first = _first_in_sentence(text, lo, m.start())
    if key in _NAME_LIKE and first:
        return "ask"  # "Will said ..." or "Will you ...": only the model can tell
    if key in _STOP or key in c.known_words:
        return "explained"
    if (
        len(word) == 1
        and _INITIAL.match(text, m.end())
        and (word not in "AI" or _dotted(text, m) or (word == "A" and not first))
    ):
        return "name"  # an initial: "D. Marsh" when the case does not know Marsh
    if word.isupper() and len(word) <= 4:
        return "explained"  # an acronym: PC, DWP, NHS
    if _before_org_word(text, m.end()):
        return "explained"
    if first:
        return "common-first"
    return _mid_sentence(text, m, key)


def ner_sentences(
    text: str,
    c: Compiled,
    covered: Sequence[Finding] = (),
    sentences: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """The sentences only the language model can decide (see `_unexplained`)."""
    bounds = sentences if sentences is not None else sentence_spans(text)
    return _unexplained(text, c, _Cover([(f.start, f.end) for f in covered]), bounds)[1]


def needs_ner(text: str, c: Compiled, covered: Sequence[Finding] = ()) -> bool:
    """Whether any sentence of `text` needs the language model (see `ner_sentences`)."""
    return bool(ner_sentences(text, c, covered))


def _part_of_organisation(text: str, f: Finding) -> bool:
    return (
        f.label is Label.NAME
        and f.source is Source.CASE
        and not any(ch.isspace() for ch in text[f.start : f.end])
        and _before_org_word(text, f.end)
    )


class _Cover:
    """Sorted spans answering "is [start, end) inside one of them?" in log time (texts may be
    whole documents with thousands of findings)."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [lo for lo, _hi in ordered]
        self._reach: list[int] = []
        reach = -1
        for _lo, hi in ordered:
            reach = max(reach, hi)
            self._reach.append(reach)

    def __contains__(self, span: tuple[int, int]) -> bool:
        i = bisect_right(self._starts, span[0]) - 1
        return i >= 0 and self._reach[i] >= span[1]


def _inside(covered: _Cover, start: int, end: int) -> bool:
    return (start, end) in covered


def _first_in_sentence(text: str, lo: int, pos: int) -> bool:
    """The first word of a sentence, or of a quotation or list item within one
    ('She said: "He hit me."')."""
    before = text[lo:pos].rstrip()
    return not before.strip("\"\u201c\u2018'([") or before.endswith(_OPENERS)


_OPENERS = (":", '"', "\u201c", "\u2018", "(", "\u2014", ";")


_ORG_RUN = re.compile(r"(?:\s+[A-Z][\w'\u2019-]*){0,3}?\s+([A-Z][\w'\u2019-]*)")


def _before_org_word(text: str, end: int) -> bool:
    """Part of a capitalised run that ends in an organisation word: "West Yorkshire Police"."""
    m = _ORG_RUN.match(text, end)
    while m is not None:
        if m.group(1).casefold() in _ORG_WORDS or m.group(1).casefold() in _DOCUMENT_WORDS:
            return True
        m = _ORG_RUN.match(text, m.end()) if m.end() - end < 60 else None
    return False
