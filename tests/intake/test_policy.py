"""The per-value rules of intake (policy.py), the reference the vectorised rules are held to:
each with values that pass and values that fail, and the codes' consequences and messages."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from stdnum.gb import nhs

from steward.intake import policy
from steward.intake.policy import (
    CODE_TITLES,
    CONSEQUENCE,
    MESSAGES,
    Code,
    Consequence,
    RowOutcome,
)


def test_every_code_has_a_message_a_title_and_a_consequence() -> None:
    assert set(MESSAGES) == set(Code) == set(CODE_TITLES) == set(CONSEQUENCE)
    assert {c for c in Code if CONSEQUENCE[c] is Consequence.REFUSE} == {
        c for c in Code if c.value.startswith(("file.", "agreement."))
    }
    assert CONSEQUENCE[Code.DOB_IMPLAUSIBLE] is Consequence.QUARANTINE
    assert CONSEQUENCE[Code.NHS_CHECKSUM] is Consequence.REJECT


def test_an_outcome_follows_the_worst_issue() -> None:
    assert policy.outcome_for(set()) is RowOutcome.ACCEPTED
    assert policy.outcome_for({Code.DOB_IMPLAUSIBLE}) is RowOutcome.QUARANTINED
    assert policy.outcome_for({Code.DOB_IMPLAUSIBLE, Code.FORMULA}) is RowOutcome.REJECTED


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula(value: str) -> None:
    assert policy.is_formula(value)


@pytest.mark.parametrize("value", ["1+1", "Ann-Marie", "a@b.org", " =1", "'=1", ""])
def test_not_a_formula(value: str) -> None:
    assert not policy.is_formula(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9434765919", None),
        ("943 476 5919", None),
        ("943-476-5919", None),
        (" 9434765919 ", None),
        ("4010232137", None),
        ("9434765918", Code.NHS_CHECKSUM),
        ("943476591", Code.NHS_FORMAT),
        ("94347659190", Code.NHS_FORMAT),
        ("943476591X", Code.NHS_FORMAT),
        ("", Code.NHS_FORMAT),
    ],
)
def test_nhs_number(value: str, code: Code | None) -> None:
    assert policy.nhs_number_code(value) is code


def test_an_nhs_number_whose_check_digit_would_be_10_is_never_valid() -> None:
    """DOMAIN.md §3, mod 11: 11 - (weighted sum mod 11) is the check digit, 11 means 0, and
    10 means the nine digits are not an NHS number at all."""
    nine = "123456789"  # weighted sum 10*1 + 9*2 + ... + 2*9 = 210; 210 mod 11 = 1; 11 - 1 = 10
    assert sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11 == 1
    for last in "0123456789":
        assert policy.nhs_number_code(nine + last) is Code.NHS_CHECKSUM
        assert not nhs.is_valid(nine + last)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("AB123456C", None),
        ("ab 12 34 56 c", None),
        ("AB-12-34-56-D", None),
        ("OA123456A", None),  # O is never second, but may be first
        ("AB123456E", Code.NINO_FORMAT),  # suffix A-D only
        ("AB12345C", Code.NINO_FORMAT),
        ("A1123456C", Code.NINO_FORMAT),
        ("AB123456", Code.NINO_FORMAT),
        *[(f"{first}A123456A", Code.NINO_PREFIX) for first in "DFIQUV"],
        *[(f"A{second}123456A", Code.NINO_PREFIX) for second in "DFIOQUV"],
        *[
            (f"{pair}123456A", Code.NINO_PREFIX)
            for pair in ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]
        ],
    ],
)
def test_nino(value: str, code: Code | None) -> None:
    assert policy.nino_code(value) is code


@pytest.mark.parametrize(
    ("value", "ok", "normalised"),
    [
        ("SW1A 1AA", True, "SW1A 1AA"),
        ("sw1a1aa", True, "SW1A 1AA"),
        (" LS1 4AP ", True, "LS1 4AP"),
        ("M1 1AE", True, "M1 1AE"),
        ("GIR 0AA", True, "GIR 0AA"),
        ("LS1 4AC", False, None),  # C never in the inward code
        ("QS1 4AP", False, None),  # Q never first
        ("LS1", False, None),
        ("12345", False, None),
    ],
)
def test_postcode(value: str, ok: bool, normalised: str | None) -> None:
    assert policy.postcode_ok(value) is ok
    if normalised:
        assert policy.normalise_postcode(value) == normalised


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("020 7946 0000", True),
        ("+44 20 7946 0000", True),
        ("+442079460000", True),
        ("(020) 7946-0000", False),  # brackets only after the first digit
        ("020 (7946) 0000", True),
        ("07700 900123", True),
        ("01632 96070", True),  # ten digits
        ("+1 212 555 0100", False),
        ("020 7946", False),
        ("0207946000000", False),
        ("+44 020 7946 0000", False),  # twelve national digits
    ],
)
def test_phone(value: str, ok: bool) -> None:
    assert policy.phone_ok(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("jane@example.org", True),
        ("jane.smith+la@council.gov.uk", True),
        (" jane@example.org ", True),
        ("jane@example", False),
        ("jane smith@example.org", False),
        ("@example.org", False),
        ("a" * 250 + "@x.org", False),
    ],
)
def test_email(value: str, ok: bool) -> None:
    assert policy.email_ok(value) is ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("29/02/2024", date(2024, 2, 29)),
        (" 2024-03-31 ", date(2024, 3, 31)),
        ("0001-01-01", date(1, 1, 1)),
        ("2023-02-29", None),
        ("2023-02-30", None),
        ("31/04/2024", None),
        ("0000-01-01", None),
        ("2024-3-31", None),
        ("31-03-2024", None),
        ("20240331", None),
        ("2024-03-31T00:00", None),
        ("٢٠٢٤-٠٣-٣١", None),  # digits, but not ASCII ones
    ],
)
def test_parse_date(value: str, expected: date | None) -> None:
    assert policy.parse_date(value) == expected


def test_whitespace_is_pythons() -> None:
    python = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert python == policy.WHITESPACE


ON = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("role", "dob", "ok"),
    [
        ("child_subject", date(2008, 1, 16), True),  # 17, 18 tomorrow
        ("child_subject", date(2008, 1, 15), False),  # 18 today
        ("child_subject", date(2026, 1, 15), True),
        ("parent", date(2014, 1, 15), True),
        ("parent", date(2014, 1, 16), False),
        ("social_worker", date(2008, 1, 16), False),
        ("solicitor", date(1935, 1, 16), True),
        ("solicitor", date(1935, 1, 15), False),
        (None, date(1916, 1, 15), True),
        (None, date(1915, 1, 15), False),
        ("aunt", date(1915, 1, 15), False),
        (None, date(2026, 1, 16), False),  # not yet born
    ],
)
def test_dob_plausible(role: str | None, dob: date, ok: bool) -> None:
    assert policy.dob_plausible(role, dob, ON) is ok
