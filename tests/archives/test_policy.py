"""The archive's pure rules: retrieval transitions, overdue, reconciliation, safe text, names."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.archives import policy
from steward.archives.matching import THRESHOLD, QueryName, score_name
from steward.archives.models import (
    BoxStatus,
    LocationKind,
    PaperFileStatus,
    RetrievalStatus,
)
from steward.archives.names import NameNotationError, format_names, keys_for, parse_names
from steward.core.errors import InvalidTransition

S = RetrievalStatus


def test_the_retrieval_table_covers_every_status() -> None:
    assert set(policy.ALLOWED) == set(RetrievalStatus)


@pytest.mark.parametrize("current", list(RetrievalStatus))
@pytest.mark.parametrize("target", list(RetrievalStatus))
def test_only_the_listed_retrieval_transitions_are_allowed(
    current: RetrievalStatus, target: RetrievalStatus
) -> None:
    allowed = {
        (S.REQUESTED, S.OUT),
        (S.REQUESTED, S.CANCELLED),
        (S.OUT, S.RETURNED),
    }
    if (current, target) in allowed:
        policy.check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            policy.check_transition(current, target)


def test_a_returned_or_cancelled_retrieval_is_closed() -> None:
    assert policy.ALLOWED[S.RETURNED] == frozenset()
    assert policy.ALLOWED[S.CANCELLED] == frozenset()
    # a file out cannot be cancelled: it has to come back first
    assert S.CANCELLED not in policy.ALLOWED[S.OUT]


@given(
    status=st.sampled_from(list(RetrievalStatus)),
    due=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1))),
    today=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
)
def test_overdue_means_out_and_past_the_due_day(
    status: RetrievalStatus, due: date | None, today: date
) -> None:
    expected = status == S.OUT and due is not None and due < today
    assert policy.is_overdue(status, due, today) is expected


def test_due_today_is_not_overdue() -> None:
    assert not policy.is_overdue(S.OUT, date(2026, 5, 1), date(2026, 5, 1))
    assert policy.is_overdue(S.OUT, date(2026, 5, 1), date(2026, 5, 2))


def test_default_loan_and_limits() -> None:
    out = date(2026, 1, 1)
    assert policy.due_back(out, None) == date(2026, 1, 29)
    assert policy.due_back(out, date(2026, 2, 1)) == date(2026, 2, 1)
    with pytest.raises(ValueError, match="before"):
        policy.due_back(out, date(2025, 12, 31))
    with pytest.raises(ValueError, match="at most"):
        policy.due_back(out, date(2027, 6, 1))


def test_box_status_follows_the_kind_of_location() -> None:
    assert policy.box_status_at(LocationKind.OFF_SITE) == BoxStatus.OFF_SITE
    assert policy.box_status_at(LocationKind.ON_SITE) == BoxStatus.ON_SITE
    assert policy.box_status_at(None) == BoxStatus.ON_SITE


@given(st.sets(st.integers(0, 40)), st.sets(st.integers(0, 40)))
def test_reconciliation_partitions_every_file_once(expected: set[int], certified: set[int]) -> None:
    result = policy.reconcile(expected, certified)
    assert result.destroyed | result.missing | result.unexpected == expected | certified
    assert not (result.destroyed & result.missing)
    assert not (result.destroyed & result.unexpected)
    assert not (result.missing & result.unexpected)
    assert result.destroyed <= expected and result.destroyed <= certified


def test_a_box_is_destroyed_only_when_every_file_in_it_is() -> None:
    d, m = PaperFileStatus.DESTROYED, PaperFileStatus.MARKED_FOR_DESTRUCTION
    assert policy.box_fully_destroyed([d, d])
    assert not policy.box_fully_destroyed([d, m])
    assert not policy.box_fully_destroyed([])


def test_only_an_active_file_may_be_sent_for_destruction() -> None:
    assert policy.markable(PaperFileStatus.ACTIVE)
    assert not policy.markable(PaperFileStatus.MARKED_FOR_DESTRUCTION)
    assert not policy.markable(PaperFileStatus.DESTROYED)


@pytest.mark.parametrize(
    "value", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_like_cells_are_exported_as_text(value: str) -> None:
    assert policy.csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "../../etc/passwd", "Ann", ""])
def test_other_cells_are_exported_unchanged(value: str) -> None:
    assert policy.csv_safe(value) == value


def test_location_codes_ignore_spelling_of_the_same_shelf() -> None:
    assert policy.location_code(["HQ", "room 2", "b", "3"]) == "HQ-ROOM2-B-3"
    assert policy.location_code(["hq", "Room-2", "B", "3"]) == "HQ-ROOM2-B-3"
    assert policy.location_code([None, ""]) == ""


# --- names on a file ---------------------------------------------------------------------------


def test_the_names_notation() -> None:
    names = parse_names("Ava Jones (2011-03-02, child_subject); Mark Jones (1980-01-31); Bo")
    assert [(n.name, n.date_of_birth, n.role) for n in names] == [
        ("Ava Jones", date(2011, 3, 2), "child_subject"),
        ("Mark Jones", date(1980, 1, 31), None),
        ("Bo", None, None),
    ]
    assert parse_names(format_names(names)) == names


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ava Jones (2011-02-30)", "not a real date"),
        ("Ava Jones (02/03/2011)", "YYYY-MM-DD"),
        ("(2011-03-02)", "no name"),
        ("Ava (Jones) (2011-03-02)", "brackets"),
    ],
)
def test_names_in_the_wrong_notation_are_refused_without_quoting_them(
    text: str, message: str
) -> None:
    with pytest.raises(NameNotationError, match=message) as caught:
        parse_names(text)
    assert "Ava" not in str(caught.value) and "Jones" not in str(caught.value)


def test_a_previous_surname_written_on_the_file_becomes_a_key() -> None:
    keys = keys_for("Jane Smith née Brown")
    assert (keys.forename, keys.surname, keys.other_surname) == ("jane", "smith", "brown")
    assert keys_for("Jane Smith formerly Jane Brown").other_surname == "brown"
    assert keys_for("Jane Smith").other_surname is None


def _score(asked: list[str], dob: date | None, written: str, written_dob: date | None) -> float:
    return score_name([QueryName.of(n) for n in asked], dob, keys_for(written), written_dob).points


DOB = date(1984, 7, 3)


@pytest.mark.parametrize(
    ("asked", "written", "written_dob"),
    [
        (["Robert Hughes"], "Bob Hughes", DOB),  # nickname
        (["Katherine Evans"], "Kate Evans", DOB),
        (["Jane Smith", "Jane Brown"], "Jane Brown", DOB),  # searched with her maiden name too
        (["Jane Smith"], "Jane Brown née Smith", None),  # file writes her other surname
        (["Jane Smith"], "Jane Smith", date(1984, 3, 7)),  # day and month swapped
        (["Jane Smiht"], "Jane Smith", DOB),  # typo
        (["Jane Smyth"], "Jane Smith", DOB),  # sounds alike
        (["Jane Smith"], "Jane Smith", None),  # no date on the file
    ],
)
def test_hard_cases_reach_the_threshold(
    asked: list[str], written: str, written_dob: date | None
) -> None:
    assert _score(asked, DOB, written, written_dob) >= THRESHOLD


@pytest.mark.parametrize(
    ("asked", "written", "written_dob"),
    [
        (["Jane Smith"], "Jane Smith", date(1990, 1, 1)),  # another birth date: someone else
        (["Jane Smith"], "John Smith", None),
        (["Jane Smith"], "Mary Clarke", DOB),  # only the date in common
    ],
)
def test_other_people_stay_below_the_threshold(
    asked: list[str], written: str, written_dob: date | None
) -> None:
    assert _score(asked, DOB, written, written_dob) < THRESHOLD


def test_reasons_say_why_a_name_matched() -> None:
    score = score_name(
        [QueryName.of("Bob Hughes")], DOB, keys_for("Robert Hughes"), date(1984, 3, 7)
    )
    assert set(score.reasons) == {
        "surname",
        "forename is a short form",
        "date of birth with day and month swapped",
    }
