"""The row-level rules over a table: every code with a row that meets it and one that does not,
a field's first issue only, the order of issues, duplicates, and the values as recorded."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from steward.intake import datasets, reading, rules
from steward.intake.datasets import Dataset
from steward.intake.policy import MESSAGES, Code, FileFormat
from steward.intake.rules import Issue

TODAY = date(2026, 1, 15)
PARTIES = datasets.get("party_details")
ORDERS = datasets.get("court_orders")
CHECKS = datasets.get("safeguarding_checks")

GOOD: dict[str, dict[str, str | None]] = {
    "party_details": {
        "case_number": "FC-2024-0001",
        "role": "parent",
        "first_name": "Jane",
        "middle_names": None,
        "last_name": "Smith",
        "date_of_birth": "1985-06-15",
        "nhs_number": "943 476 5919",
        "ni_number": "AB 12 34 56 C",
        "address_line": "1 High Street",
        "town": "Leeds",
        "postcode": "LS1 4AP",
        "phone": "020 7946 0000",
        "email": "jane@example.org",
    },
    "court_orders": {
        "case_number": "FC-2024-0001",
        "order_type": "care",
        "order_date": "2025-12-01",
        "court": "Leeds Family Court",
    },
    "safeguarding_checks": {
        "case_number": "FC-2024-0001",
        "first_name": "Jane",
        "last_name": "Smith",
        "date_of_birth": "1985-06-15",
        "check_type": "police_records",
        "outcome": "no_information",
        "checked_on": "2025-12-01",
        "professional_view": None,
    },
}


def table(dataset: Dataset, *changes: dict[str, str | None]) -> pl.DataFrame:
    """One row per change: the good row with those values in place."""
    rows = [{**GOOD[dataset.name], **change} for change in changes]
    return pl.DataFrame(rows, schema=dict.fromkeys(dataset.columns, pl.String))


def issues(dataset: Dataset, *changes: dict[str, str | None]) -> list[Issue]:
    return rules.check(table(dataset, *changes), dataset, today=TODAY)


def codes(dataset: Dataset, change: dict[str, str | None]) -> set[tuple[str | None, Code]]:
    return {(i.field, i.code) for i in issues(dataset, change)}


def test_the_good_rows_have_no_issue() -> None:
    for dataset in (PARTIES, ORDERS, CHECKS):
        assert issues(dataset, {}) == []


# (data set, field, a value that meets the code, a value that does not)
CASES = [
    (PARTIES, "last_name", Code.REQUIRED, None, "Smith"),
    (ORDERS, "case_number", Code.REQUIRED, None, "FC-1"),
    (PARTIES, "first_name", Code.TOO_LONG, "J" * 101, "J" * 100),
    (PARTIES, "email", Code.TOO_LONG, "a" * 250 + "@x.org", "a" * 242 + "@example.org"),
    (PARTIES, "role", Code.CHOICE, "grandparent", "Social_Worker"),
    (ORDERS, "order_type", Code.CHOICE, "care order", "CARE"),
    (CHECKS, "outcome", Code.CHOICE, "fine", "concerns_identified"),
    (PARTIES, "first_name", Code.FORMULA, "=cmd|' /C calc'!A0", "Jane"),
    (PARTIES, "address_line", Code.FORMULA, "@SUM(A1:A9)", "Flat 1 = top floor"),
    (PARTIES, "town", Code.FORMULA, "+Leeds", "Leeds+"),
    (PARTIES, "middle_names", Code.FORMULA, "-Ann", "Ann-Marie"),
    (CHECKS, "professional_view", Code.FORMULA, '=HYPERLINK("http://x")', "No concerns."),
    (PARTIES, "phone", Code.FORMULA, "-020 7946 0000", "+44 20 7946 0000"),
    (PARTIES, "date_of_birth", Code.DATE_INVALID, "1985-02-29", "1984-02-29"),
    (PARTIES, "date_of_birth", Code.DATE_INVALID, "31/04/1985", "30/04/1985"),
    (PARTIES, "date_of_birth", Code.DATE_INVALID, "15-06-1985", "15/06/1985"),
    (PARTIES, "date_of_birth", Code.DATE_INVALID, "June 1985", "1985-06-01"),
    (ORDERS, "order_date", Code.DATE_INVALID, "2025-13-01", "2025-12-31"),
    (ORDERS, "order_date", Code.DATE_FUTURE, "2026-01-16", "2026-01-15"),
    (ORDERS, "order_date", Code.DATE_FUTURE, "16/01/2026", "15/01/2026"),
    (CHECKS, "checked_on", Code.DATE_FUTURE, "2027-01-01", "2025-01-01"),
    (CHECKS, "date_of_birth", Code.DATE_FUTURE, "2026-01-16", "2026-01-15"),
    (PARTIES, "nhs_number", Code.NHS_FORMAT, "943 476 591", "943-476-5919"),
    (PARTIES, "nhs_number", Code.NHS_FORMAT, "94347659l9", "9434765919"),
    (PARTIES, "nhs_number", Code.NHS_CHECKSUM, "9434765918", "9434765919"),
    # 1234567890: the check digit would have to be 10, so no number with this start is valid
    (PARTIES, "nhs_number", Code.NHS_CHECKSUM, "1234567890", "4010232137"),
    (PARTIES, "ni_number", Code.NINO_FORMAT, "AB123456E", "ab123456d"),
    (PARTIES, "ni_number", Code.NINO_FORMAT, "AB12345C", "AB 12 34 56 C"),
    (PARTIES, "ni_number", Code.NINO_PREFIX, "DA123456A", "CA123456A"),
    (PARTIES, "ni_number", Code.NINO_PREFIX, "AO123456A", "OA123456A"),
    (PARTIES, "ni_number", Code.NINO_PREFIX, "GB123456A", "GA123456A"),
    (PARTIES, "ni_number", Code.NINO_PREFIX, "TN123456A", "TM123456A"),
    (PARTIES, "postcode", Code.POSTCODE_FORMAT, "LS1 4AC", "ls14ap"),
    (PARTIES, "postcode", Code.POSTCODE_FORMAT, "QS1 4AP", "GIR 0AA"),
    (PARTIES, "postcode", Code.POSTCODE_FORMAT, "LS1", "SW1A 1AA"),
    (PARTIES, "phone", Code.PHONE_FORMAT, "+1 212 555 0100", "+44 20 7946 0000"),
    (PARTIES, "phone", Code.PHONE_FORMAT, "020 7946", "020-7946-0000"),
    (PARTIES, "phone", Code.PHONE_FORMAT, "0207946000000", "07700 900123"),
    (PARTIES, "email", Code.EMAIL_FORMAT, "jane@example", "jane.smith+la@example.org.uk"),
    (PARTIES, "email", Code.EMAIL_FORMAT, "jane smith@example.org", "JANE@EXAMPLE.ORG"),
]


@pytest.mark.parametrize(
    ("dataset", "field", "code", "bad", "good"),
    CASES,
    ids=[f"{c[2].value}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_every_code_has_a_failing_and_a_passing_value(
    dataset: Dataset, field: str, code: Code, bad: str | None, good: str
) -> None:
    assert codes(dataset, {field: bad}) == {(field, code)}
    assert codes(dataset, {field: good}) == set()


def test_every_row_level_code_rules_produce_is_covered() -> None:
    produced = {c[2] for c in CASES} | {Code.DOB_IMPLAUSIBLE, Code.ROW_DUPLICATE}
    expected = {
        Code.REQUIRED,
        Code.TOO_LONG,
        Code.CHOICE,
        Code.FORMULA,
        Code.DATE_INVALID,
        Code.DATE_FUTURE,
        Code.NHS_FORMAT,
        Code.NHS_CHECKSUM,
        Code.NINO_FORMAT,
        Code.NINO_PREFIX,
        Code.POSTCODE_FORMAT,
        Code.PHONE_FORMAT,
        Code.EMAIL_FORMAT,
        Code.DOB_IMPLAUSIBLE,
        Code.ROW_DUPLICATE,
    }
    assert produced == expected


def _born(age: int) -> str:
    """Born ``age`` years ago today: that age today, one less yesterday."""
    return TODAY.replace(year=TODAY.year - age).isoformat()


@pytest.mark.parametrize(
    ("role", "bad", "good"),
    [
        ("child_subject", _born(40), _born(10)),
        ("child_subject", _born(18), _born(17)),
        ("child_subject", "2008-01-15", "2008-01-16"),  # 18 today; 18 tomorrow
        ("CHILD_SUBJECT", _born(18), _born(17)),  # the role as sent, in any case
        ("parent", _born(11), _born(12)),
        ("social_worker", _born(17), _born(18)),
        ("solicitor", _born(91), _born(90)),
        ("relative", _born(111), _born(0)),
    ],
)
def test_a_date_of_birth_that_does_not_fit_the_role_is_held(role: str, bad: str, good: str) -> None:
    assert codes(PARTIES, {"role": role, "date_of_birth": bad}) == {
        ("date_of_birth", Code.DOB_IMPLAUSIBLE)
    }
    assert codes(PARTIES, {"role": role, "date_of_birth": good}) == set()


def test_a_role_not_in_the_list_takes_any_age_to_110_and_is_a_choice_issue() -> None:
    assert codes(PARTIES, {"role": "aunt", "date_of_birth": _born(40)}) == {("role", Code.CHOICE)}
    assert codes(PARTIES, {"role": "aunt", "date_of_birth": _born(111)}) == {
        ("role", Code.CHOICE),
        ("date_of_birth", Code.DOB_IMPLAUSIBLE),
    }


def test_a_data_set_without_roles_takes_any_age_to_110() -> None:
    assert codes(CHECKS, {"date_of_birth": _born(110)}) == set()
    assert codes(CHECKS, {"date_of_birth": _born(111)}) == {("date_of_birth", Code.DOB_IMPLAUSIBLE)}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2099-02-30", Code.DATE_INVALID),  # not also in the future
        ("=2099-01-01", Code.FORMULA),  # not also not a date
        ("2099-01-01", Code.DATE_FUTURE),  # not also implausible
    ],
)
def test_a_field_gets_only_its_first_issue(value: str, code: Code) -> None:
    assert codes(PARTIES, {"role": "child_subject", "date_of_birth": value}) == {
        ("date_of_birth", code)
    }


def test_required_comes_before_anything_else_and_empty_optional_fields_pass() -> None:
    assert codes(CHECKS, {"date_of_birth": None}) == {("date_of_birth", Code.REQUIRED)}
    empty = dict.fromkeys(
        ["middle_names", "date_of_birth", "nhs_number", "ni_number", "postcode", "phone", "email"]
    )
    assert codes(PARTIES, empty) == set()


def test_a_phone_number_opening_with_plus_is_checked_as_a_phone_number_not_a_formula() -> None:
    assert codes(PARTIES, {"phone": "+44 20 7946 0000"}) == set()
    assert codes(PARTIES, {"phone": "+4420"}) == {("phone", Code.PHONE_FORMAT)}
    assert codes(PARTIES, {"phone": "+SUM(A1)"}) == {("phone", Code.FORMULA)}
    # elsewhere a leading + is a formula, digits or not
    assert codes(PARTIES, {"town": "+44"}) == {("town", Code.FORMULA)}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("first_name", "=cmd|' /C calc'!A0", Code.FORMULA),
        ("address_line", "<script>alert(1)</script>", None),
        ("address_line", "../../etc/passwd", None),
        ("town", "'; DROP TABLE persons; --", None),
        ("nhs_number", "<script>alert(1)</script>", Code.NHS_FORMAT),
        ("postcode", "../../etc/passwd", Code.POSTCODE_FORMAT),
        ("email", "<script>@example.org", Code.EMAIL_FORMAT),
    ],
)
def test_hostile_strings_are_formula_or_plain_text_and_never_in_a_message(
    field: str, value: str, expected: Code | None
) -> None:
    found = issues(PARTIES, {field: value})
    assert {(i.field, i.code) for i in found} == ({(field, expected)} if expected else set())
    for issue in found:
        assert value not in MESSAGES[issue.code]
        assert value not in repr(issue)
    if expected is None:  # kept as sent, as text
        assert rules.normalise(table(PARTIES, {field: value}), PARTIES).item(0, field) == value


def test_no_message_holds_a_value_from_the_file() -> None:
    """Messages are fixed text: none has a placeholder a value could be put into."""
    for message in MESSAGES.values():
        assert "{" not in message
        assert "%s" not in message


def test_a_file_mixing_good_and_bad_rows_flags_exactly_the_bad_ones() -> None:
    changes: list[dict[str, str | None]] = [
        {},
        {"nhs_number": "9434765918"},
        {"first_name": "Ann"},
        {"ni_number": "QQ123456C", "postcode": "nowhere"},
        {"first_name": "Bob", "date_of_birth": "2030-01-01"},
        {"first_name": "Cy", "role": "child_subject", "date_of_birth": "09/03/2012"},
        {"first_name": "Di", "email": "di@"},
    ]
    found = issues(PARTIES, *changes)
    assert [(i.row_number, i.field, i.code) for i in found] == [
        (3, "nhs_number", Code.NHS_CHECKSUM),
        (5, "ni_number", Code.NINO_PREFIX),
        (5, "postcode", Code.POSTCODE_FORMAT),
        (6, "date_of_birth", Code.DATE_FUTURE),
        (8, "email", Code.EMAIL_FORMAT),
    ]


def test_issues_are_sorted_by_row_then_the_data_sets_field_order() -> None:
    found = issues(
        PARTIES,
        {"email": "x", "role": "x", "nhs_number": "x"},
        {"first_name": "A", "postcode": "x", "case_number": None},
        {"first_name": "A", "postcode": "x", "case_number": None},
    )
    assert [(i.row_number, i.field) for i in found] == [
        (2, "role"),
        (2, "nhs_number"),
        (2, "email"),
        (3, "case_number"),
        (3, "postcode"),
        (4, "case_number"),
        (4, "postcode"),
        (4, None),
    ]
    assert found[-1].code is Code.ROW_DUPLICATE


def test_a_row_repeating_an_earlier_one_after_normalising_is_a_duplicate_the_first_is_not() -> None:
    same = {
        "postcode": "ls14ap",
        "date_of_birth": "15/06/1985",
        "role": "PARENT",
        "nhs_number": "9434765919",
    }
    found = issues(
        PARTIES, {}, {"first_name": "Other"}, same, {**same, "email": " jane@example.org"}
    )
    assert [(i.row_number, i.field, i.code) for i in found] == [
        (4, None, Code.ROW_DUPLICATE),
        (5, None, Code.ROW_DUPLICATE),
    ]
    # a differing text value is a different row
    assert issues(PARTIES, {}, {"first_name": "jane"}) == []


def test_normalise_gives_the_values_as_recorded_and_leaves_bad_ones_as_sent() -> None:
    good = {
        "role": "Child_Subject",
        "date_of_birth": "09/03/2012",
        "nhs_number": "943-476-5919",
        "ni_number": "ab 12 34 56 c",
        "postcode": " sw1a1aa ",
        "email": "  Jane@Example.org ",
        "phone": "020 7946 0000",
        "first_name": "jANE",
    }
    bad = {
        "role": "Aunt",
        "date_of_birth": "31/02/2012",
        "nhs_number": "943-476-5918",
        "ni_number": "qq 12 34 56 c",
        "postcode": "sw1a 1ac",
    }
    out = rules.normalise(table(PARTIES, good, bad), PARTIES).rows(named=True)
    assert {k: out[0][k] for k in good} == {
        "role": "child_subject",
        "date_of_birth": "2012-03-09",
        "nhs_number": "9434765919",
        "ni_number": "AB123456C",
        "postcode": "SW1A 1AA",
        "email": "Jane@Example.org",
        "phone": "020 7946 0000",
        "first_name": "jANE",
    }
    assert {k: out[1][k] for k in bad} == bad
    assert (
        rules.normalise(table(ORDERS, {"order_type": "CARE"}), ORDERS).item(0, "order_type")
        == "care"
    )


def test_read_then_check_on_a_csv_numbers_rows_as_the_spreadsheet_does() -> None:
    header = ",".join(PARTIES.columns)
    good = ",".join(v or "" for v in GOOD["party_details"].values())
    bad = good.replace("943 476 5919", "943 476 5918")
    data = f"{header}\n{good}\n,,,,,,,,,,,,\n{bad}\n".encode()
    table_ = reading.read_table(data, file_format=FileFormat.CSV, dataset=PARTIES)
    found = rules.check(table_, PARTIES, today=TODAY)
    assert (4, "nhs_number", Code.NHS_CHECKSUM) in [(i.row_number, i.field, i.code) for i in found]
    assert {i.row_number for i in found} == {3, 4}  # the empty row 3 misses its required fields
    assert all(i.code is Code.REQUIRED for i in found if i.row_number == 3)


def test_an_empty_table_has_no_issues() -> None:
    empty = pl.DataFrame(schema=dict.fromkeys(PARTIES.columns, pl.String))
    assert rules.check(empty, PARTIES, today=TODAY) == []
    assert rules.normalise(empty, PARTIES).height == 0
