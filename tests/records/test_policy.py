"""Need-to-know as a table, every role and every circumstance written out from the rules:

- caseworker: the cases assigned to them; others only by break-glass;
- manager: their team's cases, or assigned ones; others only by break-glass;
- ig_officer, dpo: every case, for their duties;
- admin, auditor, partner: no case content at all, and no break-glass route to it.

And the input schemas: hostile text is data (stored as given, escaped when shown), but a case
number has a strict shape and dates must be in order.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Permission, Role
from steward.records import service
from steward.records.models import CaseType
from steward.records.policy import Access, case_access
from steward.records.schemas import AddressIn, CaseCreate, DocumentMeta, PersonCreate
from tests.factories.core import make_user
from tests.factories.records import make_case

A, T, BG, R, N = Access.ASSIGNED, Access.TEAM, Access.BREAK_GLASS, Access.ROLE, Access.NONE

# (assigned, same_team, break_glass_open) -> what the role gets
EXPECTED: dict[Role, dict[tuple[bool, bool, bool], Access]] = {
    Role.CASEWORKER: {
        (False, False, False): N,
        (False, False, True): BG,
        (False, True, False): N,  # a caseworker's team is not their caseload
        (False, True, True): BG,
        (True, False, False): A,
        (True, False, True): A,
        (True, True, False): A,
        (True, True, True): A,
    },
    Role.MANAGER: {
        (False, False, False): N,
        (False, False, True): BG,
        (False, True, False): T,
        (False, True, True): T,
        (True, False, False): A,
        (True, False, True): A,
        (True, True, False): A,
        (True, True, True): A,
    },
    Role.IG_OFFICER: dict.fromkeys(itertools.product((False, True), repeat=3), R),
    Role.DPO: dict.fromkeys(itertools.product((False, True), repeat=3), R),
    Role.ADMIN: dict.fromkeys(itertools.product((False, True), repeat=3), N),
    Role.AUDITOR: dict.fromkeys(itertools.product((False, True), repeat=3), N),
    Role.PARTNER: dict.fromkeys(itertools.product((False, True), repeat=3), N),
}

CASES = [
    (role, assigned, same_team, break_glass_open, expected)
    for role, table in EXPECTED.items()
    for (assigned, same_team, break_glass_open), expected in table.items()
]


def test_the_table_covers_every_role_and_circumstance() -> None:
    assert set(EXPECTED) == set(Role)
    assert all(len(table) == 8 for table in EXPECTED.values())


@pytest.mark.parametrize(
    ("role", "assigned", "same_team", "break_glass_open", "expected"),
    CASES,
    ids=[f"{r.value}-a{int(a)}-t{int(t)}-bg{int(b)}" for r, a, t, b, _ in CASES],
)
def test_case_access(
    role: Role, assigned: bool, same_team: bool, break_glass_open: bool, expected: Access
) -> None:
    actor = Actor.user(1, role)
    got = case_access(
        actor, assigned=assigned, same_team=same_team, break_glass_open=break_glass_open
    )
    assert got is expected


@pytest.mark.parametrize("flags", list(itertools.product((False, True), repeat=3)))
def test_the_operator_at_the_command_line_reads_every_case(flags: tuple[bool, bool, bool]) -> None:
    assigned, same_team, break_glass_open = flags
    got = case_access(
        Actor.system(), assigned=assigned, same_team=same_team, break_glass_open=break_glass_open
    )
    assert got is Access.ROLE


def test_only_caseworkers_and_managers_may_break_glass() -> None:
    may = {role for role in Role if Actor.user(1, role).can(Permission.CASES_BREAK_GLASS)}
    assert may == {Role.CASEWORKER, Role.MANAGER}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.PARTNER])
def test_roles_without_case_access_are_refused_outright_by_the_service(
    db: Session, keyring: FileKeyring, role: Role
) -> None:
    """Not offered break-glass, and not able to take it."""
    user = make_user(db, role)
    case = make_case(db, keyring)
    with pytest.raises(Forbidden) as raised:
        service.view_case(db, user.actor, case.id)
    assert not isinstance(raised.value, service.NeedsBreakGlass)
    with pytest.raises(Forbidden):
        service.break_glass(
            db, keyring, user.actor, case_id=case.id, reason="I would like to see this case"
        )
    with pytest.raises(Forbidden):
        service.search(db, user.actor, "anything")


@pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.DPO])
def test_governance_roles_read_any_case_without_break_glass(
    db: Session, keyring: FileKeyring, role: Role
) -> None:
    user = make_user(db, role)
    case = make_case(db, keyring, team="south")
    assert service.view_case(db, user.actor, case.id)[1] is Access.ROLE


# --- schemas: hostile text is data ----------------------------------------------------

HOSTILE = [
    "<script>alert('x')</script>",
    "Robert'); DROP TABLE cases;--",
    "{{ 7*7 }} ${7*7} %s %n",
    "../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
    "O'Brien-Níamh Ó Súilleabháin",
    "Siân ap Gruffydd",
    "李小龍",
    "🙂",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_accepted_as_data(value: str) -> None:
    person = PersonCreate(first_name=value, last_name=value, organisation=value)
    assert (person.first_name, person.last_name, person.organisation) == (value, value, value)
    case = CaseCreate(
        case_number="AB/12-345",
        case_type=CaseType.PRIVATE_LAW,
        opened_on=date(2024, 1, 1),
        court=value,
        local_authority=value,
    )
    assert (case.court, case.local_authority) == (value, value)
    address = AddressIn(line1=value, town=value)
    assert address.line1 == value
    meta = DocumentMeta(title=value, kind="case_note", created_on=date(2024, 1, 1))
    assert meta.title == value


@pytest.mark.parametrize(
    "value", ["Ann\x00e", "Ann\x1b[31me", "Ann\x08e", "Ann\x7fe"], ids=["nul", "esc", "bs", "del"]
)
def test_control_characters_are_refused_in_every_text_field(value: str) -> None:
    """NUL cannot even be stored on PostgreSQL; the others are never part of a name."""
    with pytest.raises(ValidationError, match="must not contain control characters"):
        PersonCreate(first_name=value, last_name="Okafor")
    with pytest.raises(ValidationError, match="must not contain control characters"):
        CaseCreate(
            case_number="AB123", case_type="private_law", opened_on=date(2024, 1, 1), court=value
        )
    with pytest.raises(ValidationError, match="must not contain control characters"):
        DocumentMeta(title=value, kind="case_note", created_on=date(2024, 1, 1))
    with pytest.raises(ValidationError, match="must not contain control characters"):
        AddressIn(line1=value)


def test_tabs_and_line_breaks_are_text() -> None:
    assert AddressIn(line1="Flat 2\tRear", line2="Block A\r\nEast").line2 == "Block A\r\nEast"


def test_names_are_trimmed_and_must_not_be_empty() -> None:
    assert PersonCreate(first_name="  Grace ", last_name=" Okafor").first_name == "Grace"
    with pytest.raises(ValidationError):
        PersonCreate(first_name="   ", last_name="Okafor")
    with pytest.raises(ValidationError):
        PersonCreate(first_name="G" * 101, last_name="Okafor")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PersonCreate.model_validate({"first_name": "A", "last_name": "B", "is_admin": True})


# --- schemas: case numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [("ZZ123456", "ZZ123456"), (" ab/12-345 ", "AB/12-345"), ("LS24C00123", "LS24C00123")],
)
def test_case_numbers_are_normalised(given: str, stored: str) -> None:
    case = CaseCreate(case_number=given, case_type=CaseType.PUBLIC_LAW, opened_on=date(2024, 1, 1))
    assert case.case_number == stored


@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "../../etc/passwd",
        "<script>",
        "AB 123",
        "AB.123",
        "/AB123",
        "-AB123",
        "AB",
        "",
        "A" * 33,
        "AB123;DROP",
        "AB%2F123",
        "ÄB123",
        "AB\n123",
    ],
)
def test_case_number_pattern_refuses_anything_else(bad: str) -> None:
    with pytest.raises(ValidationError) as raised:
        CaseCreate(case_number=bad, case_type=CaseType.PUBLIC_LAW, opened_on=date(2024, 1, 1))
    assert raised.value.errors()[0]["loc"] == ("case_number",)


# --- schemas: dates in order ----------------------------------------------------------


def test_a_case_closed_before_it_opened_is_refused() -> None:
    with pytest.raises(ValidationError, match="the case is closed before it was opened"):
        CaseCreate(
            case_number="AB123",
            case_type=CaseType.ADOPTION,
            opened_on=date(2024, 3, 1),
            closed_on=date(2024, 2, 29),
        )
    same_day = CaseCreate(
        case_number="AB123",
        case_type=CaseType.ADOPTION,
        opened_on=date(2024, 3, 1),
        closed_on=date(2024, 3, 1),
    )
    assert same_day.closed_on == same_day.opened_on


def test_an_address_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="an address's end date is before its start date"):
        AddressIn(line1="1 High Street", from_date=date(2020, 6, 1), to_date=date(2020, 5, 31))
    assert AddressIn(line1="1 High Street", from_date=date(2020, 6, 1), to_date=date(2020, 6, 1))
    assert AddressIn(line1="1 High Street", to_date=date(2020, 6, 1)).from_date is None


def test_person_dates_must_be_plausible_and_in_order() -> None:
    with pytest.raises(ValidationError, match="the date of death is before the date of birth"):
        PersonCreate(
            first_name="A",
            last_name="B",
            date_of_birth=date(1950, 1, 2),
            date_of_death=date(1950, 1, 1),
        )
    with pytest.raises(ValidationError, match="the date of birth is before 1880"):
        PersonCreate(first_name="A", last_name="B", date_of_birth=date(1879, 12, 31))
    with pytest.raises(ValidationError, match="an address's end date is before its start date"):
        PersonCreate(
            first_name="A",
            last_name="B",
            addresses=[{"line1": "x", "from_date": "2021-01-02", "to_date": "2021-01-01"}],
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("opened_on", "2024-02-30"), ("opened_on", "yesterday"), ("closed_on", "31/01/2024")],
)
def test_impossible_or_ambiguous_dates_are_refused(field: str, value: str) -> None:
    data = {"case_number": "AB123", "case_type": "public_law", "opened_on": "2024-01-01"}
    with pytest.raises(ValidationError):
        CaseCreate.model_validate({**data, field: value})
