"""The detector: patterns, the case's people, and the names of people the case does not know,
resolved into what to redact and why.

A name the case does not know is found two ways. First by elimination: a capitalised word that
nothing explains (not a known name or address, not a pattern hit, not a title, month, court,
organisation or role word, not an ordinary word starting a sentence) is taken for a name, the
safe side, since a name missed is a breach and a place name redacted is only a box too many.
Then by the language model, which is slow, so it sees only the sentences where elimination
cannot decide: a capitalised word that is both an ordinary word and a first name ("Will",
"Grace", "May"). `detect_many` sends the sentences of many texts to it in one batch.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from steward.redaction import patterns
from steward.redaction.ner_protocol import NameFinder
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
    foundation charity church tribunal family children's"""
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
        unknown, ask = _unexplained(text, c, covered, sentences)
        unknown, named = _join_family_names(text, unknown, named, c)
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
            text, c, [*named, *owned, *names], [*named, *names], rest, sentences, ask, own
        )

    def _with_names(self, pending: Sequence[_Pending]) -> None:
        """Ask the model about the gated sentences of all `pending` at once, then attribute."""
        asked = [(p, lo, hi) for p in pending for lo, hi in p.ask]
        found: list[list[tuple[int, int]]] = []
        if asked and self._ner is not None:
            found = self._ner.names([p.text[lo:hi] for p, lo, hi in asked])
        unknown: dict[int, list[Finding]] = {}
        for (p, lo, _hi), names in zip(asked, found, strict=True):
            for start, end in names:
                f = _unknown_name(p, lo + start, lo + end)
                if f is not None:
                    unknown.setdefault(id(p), []).append(f)
        for p in pending:
            extra = unknown.get(id(p), [])
            people = [*p.named, *extra]
            p.findings += extra + attribute(p.text, p.rest, people, p.c, p.sentences)


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
    if not words or all(w.casefold() in _STOP for w in words):
        return None
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
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Runs of capitalised words nothing explains (taken for names the case does not know);
    and the sentences holding a word only the language model can decide ("Will", "Grace")."""
    names: list[tuple[int, int]] = []
    ask: list[tuple[int, int]] = []
    lower_words: set[str] | None = None
    for lo, hi in sentences:
        run: tuple[int, int] | None = None
        asked = False
        pending: tuple[int, int] | None = None  # a word the model would decide, just before
        for m in _WORD.finditer(text, lo, hi):
            word = m.group()
            verdict = _explain(text, c, covered, lo, m)
            after_ask = pending is not None and not text[pending[1] : m.start()].strip()
            if verdict == "name" and run is None and after_ask and pending is not None:
                run = pending  # "Holly Bryant": a surname after it makes it a name
            pending = (m.start(), m.end()) if verdict == "ask" else None
            if verdict == "common-first":
                if lower_words is None:
                    lower_words = set(_LOWER_WORD.findall(text))
                key = _key(word)
                verdict = "explained" if key in _COMMON or key in lower_words else "name"
            if verdict == "name":
                gap = text[run[1] : m.start()] if run else ""
                if run is not None and (not gap.strip() or gap.strip() == "."):
                    run = (run[0], m.end())
                else:
                    if run is not None:
                        names.append(run)
                    run = (m.start(), m.end())
                continue
            if run is not None and _continues_name(text, covered, run, m):
                run = (run[0], m.end())  # "Jodie Page": a surname that is also a word
                continue
            if run is not None:
                names.append(run)
                run = None
            if verdict == "ask" and not asked:
                ask.append((lo, hi))
                asked = True
        if run is not None:
            names.append(run)
    return [_trim_possessive(text, lo, hi) for lo, hi in names], ask


def _join_family_names(
    text: str, unknown: list[tuple[int, int]], named: list[Finding], c: Compiled
) -> tuple[list[tuple[int, int]], list[Finding]]:
    """An unknown first name next to a known surname ("Janice Fitzgerald", where only the
    father Fitzgerald is known) is someone else of that family: one unknown name, whole."""
    if not unknown or not named:
        return unknown, named
    by_start = {f.start: f for f in named if f.label is Label.NAME}
    joined: list[tuple[int, int]] = []
    dropped: set[int] = set()
    for lo, hi in unknown:
        m = re.match(r"\.?\s+" if hi - lo == 1 else r"\s+", text[hi:])
        after = by_start.get(hi + m.end()) if m else None
        if after is not None and _is_surname(text[after.start : after.end], after, c):
            joined.append((lo, after.end))
            dropped.add(after.start)
        else:
            joined.append((lo, hi))
    return joined, [f for f in named if f.start not in dropped]


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
    return "name"


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
