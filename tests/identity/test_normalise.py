"""The normalisation every identity search relies on (pure functions, no database)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from steward.identity.normalise import (
    dob_variants,
    name_tokens,
    nickname_forms,
    normalise_name,
    normalise_postcode,
    phonetic_key,
)


def test_names_lose_case_accents_and_punctuation() -> None:
    assert normalise_name("  Zoë  O'Brien-Smith ") == "zoe obrien smith"
    assert name_tokens("Anne\u2013Marie SMITH") == ["anne", "marie", "smith"]  # en dash
    assert normalise_name("...") == ""


def test_sound_alike_surnames_share_a_phonetic_key() -> None:
    assert phonetic_key("Smith") == phonetic_key("Smyth")
    assert phonetic_key("Smith") != phonetic_key("Jones")
    assert phonetic_key("") == ""


def test_nicknames_point_to_their_canonical_names() -> None:
    # The published list (identity/data/nicknames.SOURCE.md) links some pairs both ways.
    assert {"bob", "robert"} <= nickname_forms("Bob")
    assert {"katherine", "kathryn", "kate"} <= nickname_forms("Kate")
    assert "catherine" not in nickname_forms("Kate")  # not in the list: not guessed either
    assert "robert" in nickname_forms("Robert")
    assert nickname_forms("Zebedee") == {"zebedee"}
    assert nickname_forms(" ") == frozenset()


def test_postcodes_are_written_the_uk_way_or_refused() -> None:
    assert normalise_postcode("sw1a1aa") == "SW1A 1AA"
    assert normalise_postcode(" m1  1ae ") == "M1 1AE"
    assert normalise_postcode("not a postcode") is None
    assert normalise_postcode("") is None
    assert normalise_postcode(None) is None


def test_dob_variants_include_the_day_month_swap() -> None:
    assert dob_variants(date(1980, 3, 5)) == {date(1980, 3, 5), date(1980, 5, 3)}
    assert dob_variants(date(1980, 3, 25)) == {date(1980, 3, 25)}
    assert dob_variants(date(1980, 4, 4)) == {date(1980, 4, 4)}


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.dates())
def test_a_date_is_always_its_own_variant(dob: date) -> None:
    assert dob in dob_variants(dob)
