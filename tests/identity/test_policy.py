"""The comparison levels, pure: what counts as the same, a known slip, or a difference."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from steward.identity import policy
from steward.identity.keys import Facts, profile_of

D = date(1984, 1, 14)


def test_dob_levels() -> None:
    assert policy.dob_level(D, None) == 0
    assert policy.dob_level(D, D) == 1
    assert policy.dob_level(D, date(1984, 1, 14).replace(month=1)) == 1
    assert policy.dob_level(date(1984, 3, 5), date(1984, 5, 3)) == 2
    assert policy.dob_level(D, date(1984, 1, 15)) == 3  # day mistyped
    assert policy.dob_level(D, date(1984, 7, 14)) == 3  # month mistyped
    assert policy.dob_level(D, date(1985, 1, 14)) == 3  # year, one digit
    assert policy.dob_level(D, date(1948, 1, 14)) == 3  # year, digits transposed
    # A parent born on the same day and month 22 years earlier is a different person.
    assert policy.dob_level(D, date(2006, 1, 14)) == policy.DOB_DIFFERENT
    assert policy.dob_level(D, date(1990, 6, 2)) == policy.DOB_DIFFERENT


def _p(first: str, middle: str | None = None, last: str = "Brown") -> object:
    return profile_of(Facts(first_name=first, middle_names=middle, last_name=last))


def test_first_name_levels() -> None:
    level = policy.first_name_level
    assert level(_p("Jane"), _p("JANE")) == 1  # type: ignore[arg-type]
    assert level(_p("Robert"), _p("Bob")) == 2  # type: ignore[arg-type]
    assert level(_p("Oliver", "James"), _p("James", "Oliver")) == 3  # type: ignore[arg-type]
    assert level(_p("Elizabeth"), _p("Eilzabeth")) == 4  # type: ignore[arg-type]
    # Twins Paul and Pauline are different people, not a misspelling. (Marc and Marcus were
    # the example until the published nickname list, which gives Marc as Marcus's nickname.)
    assert level(_p("Paul"), _p("Pauline")) == policy.FIRST_NAME_DIFFERENT  # type: ignore[arg-type]


def test_surname_levels() -> None:
    level = policy.last_name_level
    assert level(_p("A", last="Hughes-Whitfield"), _p("A", last="Whitfield")) == 2  # type: ignore[arg-type]
    assert level(_p("A", last="Zielinski"), _p("A", last="Zielisnki")) == 3  # type: ignore[arg-type]
    assert level(_p("A", last="Brown"), _p("A", last="Patel")) == 4  # type: ignore[arg-type]


@given(st.dates(), st.dates())
def test_dob_level_is_symmetric(a: date, b: date) -> None:
    assert policy.dob_level(a, b) == policy.dob_level(b, a)


def test_every_comparison_starts_with_its_null_level() -> None:
    for comparison in policy.COMPARISONS:
        assert comparison.levels[0].label == "missing"
        assert comparison.levels[-1].sql == "ELSE"
