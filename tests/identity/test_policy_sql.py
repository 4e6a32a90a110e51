"""The SQL Splink trains on gives every pair the level the Python used at lookup gives it.

``policy.COMPARISONS`` carries each level's SQL (evaluated by DuckDB while Splink trains the
weights) and ``policy.*_level`` the same levels in Python (lookup): if the two drifted apart,
the weight learnt for a level would be applied to pairs of another kind. Names, surnames,
dates and places are drawn from small sets, so nicknames, misspellings, shared halves of
double-barrelled surnames, previous surnames, swapped DOB parts and shared districts all
come up often.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.identity import policy
from steward.identity.keys import Facts, Profile, profile_of
from steward.identity.training import splink_rows

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")

FIRST = ["Robert", "Bob", "Rob", "Roberta", "Katherine", "Kate", "Kathryn", "Jon", "John"]
FIRST += ["Jonathan", "Ann", "Anne", "Anna", "Mary Jane", "Oliver", "Olivia", ""]
LAST = ["Smith", "Smyth", "Smith-Jones", "Jones", "Jone", "Okafor", "Okafar", "O'Brien"]
LAST += ["Brien", "Zielinski", "Zielinsky", "Van Der Berg", ""]
MIDDLE = ["", "James", "Jane", "J", "Oliver", "Robert", "Ann Marie"]
POSTCODES = ["LS1 4AB", "LS1 4BA", "LS2 7HH", "YO1 7HH", "SW1A 1AA"]
ADDRESSES = [None, "12 High Street, Leeds", "12 High St, Leeds", "3 Mill Lane"]
_LISTS = {"first_forms", "given_names", "surnames", "surname_words", "postcodes", "districts"}

dobs = st.one_of(
    st.none(),
    st.builds(
        date,
        st.sampled_from([1980, 1981, 1908, 1890, 1918]),
        st.integers(1, 12),
        st.integers(1, 28),
    ),
)
facts = st.builds(
    Facts,
    first_name=st.sampled_from(FIRST),
    last_name=st.sampled_from(LAST),
    middle_names=st.sampled_from(MIDDLE),
    other_last_names=st.lists(st.sampled_from(LAST), max_size=2).map(tuple),
    other_first_names=st.lists(st.sampled_from(FIRST), max_size=1).map(tuple),
    dob=dobs,
    postcodes=st.lists(st.sampled_from(POSTCODES), max_size=2).map(tuple),
    address=st.sampled_from(ADDRESSES),
)


def _level_case(comparison: policy.Comparison) -> str:
    whens = [
        f"ELSE {i}" if level.sql == "ELSE" else f"WHEN {level.sql} THEN {i}"
        for i, level in enumerate(comparison.levels)
    ]
    return f"CASE {' '.join(whens)} END AS {comparison.name}"


def _python_levels(q: Profile, c: Profile) -> dict[str, int]:
    return {
        "first_name": policy.first_name_level(q, c),
        "last_name": policy.last_name_level(q, c),
        "middle_names": policy.middle_level(q, c),
        "dob": policy.dob_level(q.dob, c.dob),
        "location": policy.location_level(q, c)[0],
    }


@pytest.fixture(scope="module")
def con() -> Iterator[Any]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def _sql_levels(con: Any, pairs: list[tuple[Profile, Profile]]) -> list[dict[str, int]]:
    left = splink_rows([q for q, _ in pairs])
    right = splink_rows([c for _, c in pairs])
    columns: dict[str, Any] = {}
    for name in left:
        kind = pa.list_(pa.string()) if name in _LISTS else None
        if name == "dob":
            kind = pa.date32()
        elif name not in _LISTS and name != "unique_id":
            kind = pa.string()
        columns[f"{name}_l"] = pa.array(left[name], kind)
        columns[f"{name}_r"] = pa.array(right[name], kind)
    pairs_table = pa.table(columns)  # noqa: F841 - read by DuckDB by name
    cases = ", ".join(_level_case(c) for c in policy.COMPARISONS)
    names = [c.name for c in policy.COMPARISONS]
    rows = con.execute(f"SELECT unique_id_l, {cases} FROM pairs_table ORDER BY 1").fetchall()  # noqa: S608 - our own SQL
    return [dict(zip(names, row[1:], strict=True)) for row in rows]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(facts, facts), min_size=1, max_size=8))
def test_training_sql_gives_every_pair_the_lookup_level(
    con: Any, drawn: list[tuple[Facts, Facts]]
) -> None:
    pairs = [(profile_of(q), profile_of(c)) for q, c in drawn]
    assert _sql_levels(con, pairs) == [_python_levels(q, c) for q, c in pairs]


def test_a_previous_surname_spelt_like_the_surname_is_one_level_in_both(con: Any) -> None:
    """The case the review found: training compared only the current surnames."""
    q = profile_of(Facts("Sarah", "Clarke", other_last_names=("Okafor",)))
    c = profile_of(Facts("Sarah", "Okafar"))
    pairs = [(q, c)]
    assert _python_levels(q, c)["last_name"] == 3
    assert _sql_levels(con, pairs)[0]["last_name"] == 3


def test_a_previous_postcode_is_the_same_place_in_both(con: Any) -> None:
    q = profile_of(Facts("Sarah", "Okafor", postcodes=("LS1 4AB", "YO1 7HH")))
    c = profile_of(Facts("Sarah", "Okafor", postcodes=("YO1 7HH",)))
    assert _python_levels(q, c)["location"] == 1
    assert _sql_levels(con, [(q, c)])[0]["location"] == 1
