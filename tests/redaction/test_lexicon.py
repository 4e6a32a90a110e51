"""The word lists the detector reads offline: they load from what is installed, and they say
what the detector relies on them to say."""

from __future__ import annotations

import pytest
from spacy.strings import hash_string

from steward.redaction import lexicon


def test_the_part_of_speech_keys_are_spacys_own_hashes() -> None:
    # The model's lookup tables are keyed by spaCy's string hashes; if spaCy ever changed its
    # hash, every word would silently look like a name (the safe side, but a useless one).
    assert {pos: hash_string(pos) for pos in lexicon._POS_HASHES} == lexicon._POS_HASHES


def test_the_tables_are_read_from_the_installed_model() -> None:
    index, _exc = lexicon._lemma_tables()
    assert {"noun", "verb", "adj", "adv"} <= set(index)
    assert all(len(words) > 1000 for words in index.values())


@pytest.mark.parametrize("word", ["hearing", "following", "contact", "overall", "records"])
def test_ordinary_words_and_their_inflections_are_ordinary(word: str) -> None:
    assert lexicon.is_ordinary(word)


@pytest.mark.parametrize("word", ["sandra", "florence", "lincoln", "grace", "wilkins", "shah"])
def test_given_names_and_surnames_are_known(word: str) -> None:
    assert lexicon.is_given_name(word)


@pytest.mark.parametrize("word", ["manchester", "yorkshire", "pakistan", "tesco", "barnardo's"])
def test_places_and_organisations_are_known(word: str) -> None:
    assert lexicon.is_place_or_organisation(word)


@pytest.mark.parametrize("word", ["kent", "jordan", "georgia", "christian", "devon"])
def test_a_place_that_is_also_a_name_is_never_explained_as_a_place(word: str) -> None:
    assert not lexicon.is_place_or_organisation(word)


def test_a_plural_surname_is_no_plural_noun() -> None:
    assert lexicon.is_plural_noun("neighbours")
    assert not lexicon.is_plural_noun("williams")


@pytest.mark.parametrize("word", ["pakistani", "polish", "nigerian", "romanian", "chinese"])
def test_nationalities_are_known(word: str) -> None:
    assert lexicon.is_demonym(word)


@pytest.mark.parametrize("word", ["marian", "julian", "dorian", "hamish"])
def test_a_name_shaped_like_a_nationality_is_not_one(word: str) -> None:
    assert not lexicon.is_demonym(word)
