"""Structured personal data found by pattern, validated; near-misses are not personal data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.redaction.patterns import find_patterns, nhs_valid, nino_valid, parse_date, phone_key
from steward.redaction.spans import Label, Role


def found(text: str) -> list[tuple[Label, str]]:
    return [(f.label, text[f.start : f.end]) for f in find_patterns(text)]


def _nhs_check(nine: list[int]) -> int:
    check = 11 - sum(d * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    return 0 if check == 11 else check


nine_digits = st.lists(st.integers(0, 9), min_size=9, max_size=9).filter(
    lambda d: d[0] != 0 and _nhs_check(d) != 10
)


@given(nine_digits, st.sampled_from(["{}", "{} {} {}"]))
def test_an_nhs_number_with_a_right_check_digit_is_an_nhs_number(
    nine: list[int], layout: str
) -> None:
    digits = "".join(map(str, nine)) + str(_nhs_check(nine))
    written = digits if layout == "{}" else f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    assert nhs_valid(digits)
    assert found(f"NHS number {written}.") == [(Label.NHS_NUMBER, written)]


@given(nine_digits, st.integers(1, 9))
def test_a_wrong_check_digit_makes_it_an_identifier_still_caught_not_an_nhs_number(
    nine: list[int], off: int
) -> None:
    digits = "".join(map(str, nine)) + str((_nhs_check(nine) + off) % 10)
    written = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    assert not nhs_valid(digits)
    assert found(f"recorded as {written};") == [(Label.IDENTIFIER, written)]


ALLOWED_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
ALLOWED_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


@given(
    st.sampled_from(ALLOWED_FIRST),
    st.sampled_from(ALLOWED_SECOND),
    st.integers(0, 999_999),
    st.sampled_from("ABCD"),
    st.booleans(),
)
def test_a_national_insurance_number_round_trips_spaced_or_not(
    first: str, second: str, number: int, suffix: str, spaced: bool
) -> None:
    digits = f"{number:06d}"
    value = (
        f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
        if spaced
        else f"{first}{second}{digits}{suffix}"
    )
    expected = Label.IDENTIFIER if first + second in NEVER else Label.NI_NUMBER
    assert nino_valid(value) is (expected is Label.NI_NUMBER)
    assert found(f"NI number {value}, on file") == [(expected, value)]


@given(st.sampled_from("DFIQUV"), st.sampled_from(ALLOWED_SECOND + "DFIQUVO"), st.booleans())
def test_prefixes_hmrc_never_issues_are_not_ni_numbers(bad: str, other: str, first: bool) -> None:
    prefix = bad + other if first else other.replace("O", "A") + bad
    assert not nino_valid(f"{prefix}123456A")
    assert found(f"given as {prefix}123456A") == [(Label.IDENTIFIER, f"{prefix}123456A")]


def test_o_as_the_second_letter_is_never_issued() -> None:
    assert not nino_valid("AO123456A")
    assert nino_valid("OA123456A")


def test_an_ni_number_needs_a_suffix_a_to_d() -> None:
    assert found("ref AB123456E") == []


@pytest.mark.parametrize(
    "written",
    [
        "+44 (0)113 496 0123",
        "+44 113 496 0123",
        "07700 900123",
        "0113 496 0123",
        "(0113) 4960123",
        "01134960123",
        "+447700900123",
        "07700\n900123",
    ],
)
def test_uk_phone_numbers_in_the_usual_ways(written: str) -> None:
    assert found(f"call {written} today") == [(Label.PHONE, written)]


def test_phone_numbers_have_one_normal_form() -> None:
    forms = ["+44 (0)113 496 0123", "+44 113 496 0123", "0113 496 0123", "(0113) 4960123"]
    assert {phone_key(f) for f in forms} == {"1134960123"}
    assert phone_key("+33 1 23 45 67 89") is None


def test_a_year_after_a_phone_number_is_not_part_of_it() -> None:
    assert found("rang 0113 496 0123 2019 times") == [(Label.PHONE, "0113 496 0123")]


@pytest.mark.parametrize("postcode", ["LS1 4AB", "SW1A 1AA", "M1 1AE", "B33 8TH", "LS6\n2AB"])
def test_postcodes(postcode: str) -> None:
    assert found(f"the {postcode} area") == [(Label.POSTCODE, postcode)]


def test_emails_including_apostrophes() -> None:
    text = "at ao'brien59@example.com or dean.marsh@mail.example.co.uk."
    assert found(text) == [
        (Label.EMAIL, "ao'brien59@example.com"),
        (Label.EMAIL, "dean.marsh@mail.example.co.uk"),
    ]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("He was born 3 April 2019 in Leeds.", "3 April 2019"),
        ("DOB 03/04/2019.", "03/04/2019"),
        ("date of birth: 3.4.19", "3.4.19"),
        ("(date of birth 28 May 1971)", "28 May 1971"),
        ("gave her date of birth as 4th of May 2001", "4th of May 2001"),
        ("born on April 3, 2019", "April 3, 2019"),
    ],
)
def test_dates_of_birth_in_prose_are_the_date_only(text: str, date: str) -> None:
    assert found(text) == [(Label.DATE_OF_BIRTH, date)]


def test_a_street_address_the_case_may_not_know_runs_to_its_postcode() -> None:
    text = "lives at 12 Oak Road,\nHeadingley, Leeds LS6 2AB with him"
    assert found(text) == [(Label.ADDRESS, "12 Oak Road,\nHeadingley, Leeds LS6 2AB")]


@pytest.mark.parametrize(
    "text",
    [
        "Case number FD24P00123 at Leeds Family Court.",
        "In case LS24C01234 the hearing is listed on 3 April 2025.",
        "The final hearing is on 12/03/2025 at 10.30.",
        "The GP and the NHS trust were told; Cafcass attended.",
        "Section 7 report, paragraph 4.2, page 12 of 30.",
        "The hearing lasted 2 hours and cost £1,250.",
        "Bradford Combined Court, WF25P00961.",
    ],
)
def test_near_misses_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_pattern_findings_belong_to_nobody_until_the_case_says() -> None:
    (f,) = find_patterns("NHS 943 476 5919")
    assert (f.role, f.party, f.redact, f.code) == (Role.UNKNOWN, None, False, None)


def test_dates_parse_day_first() -> None:
    assert str(parse_date("03/04/2019")) == "2019-04-03"
    assert str(parse_date("3rd of April 2019")) == "2019-04-03"
    assert parse_date("31/02/2019") is None
