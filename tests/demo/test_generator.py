"""The synthetic organisation as planned, before any database: reproducible, and shaped like
the model organisation's case files."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from steward.demo.organisation import CasePlan, DemoOrganisation, StaffMember
from steward.demo.pdf import text_pdf
from steward.records import extract
from steward.records.models import CaseType, IdentifierScheme, NameKind, PartyRole
from steward.records.policy import PDF, sniff_media_type
from steward.records.schemas import PersonCreate

TODAY = date(2026, 5, 1)
CASEWORKERS = [("caseworker", "north"), ("caseworker2", "south")]
NINO = re.compile(r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}$")


def _organisation(seed: int = 7, cases: int = 400) -> tuple[DemoOrganisation, list[CasePlan]]:
    organisation = DemoOrganisation(today=TODAY, seed=seed, cases=cases, caseworkers=CASEWORKERS)
    return organisation, list(organisation.case_plans())


@pytest.fixture(scope="module")
def plans() -> list[CasePlan]:
    return _organisation()[1]


@pytest.fixture(scope="module")
def staff() -> list[StaffMember]:
    return _organisation()[0].staff


def _persons(plans: list[CasePlan]) -> dict[str, PersonCreate]:
    return {p.key: p.data for plan in plans for p in plan.persons}


def nhs_valid(number: str) -> bool:
    if not re.fullmatch(r"\d{10}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(number[9])


def test_the_same_seed_gives_the_same_organisation() -> None:
    first_org, first = _organisation(seed=11, cases=40)
    second_org, second = _organisation(seed=11, cases=40)
    assert first == second  # numbers, names, addresses, identifiers, document bytes
    assert first_org.staff == second_org.staff
    _, other = _organisation(seed=12, cases=40)
    assert [p.case.case_number for p in other] != [p.case.case_number for p in first]


def test_cases_can_be_generated_once() -> None:
    organisation = DemoOrganisation(today=TODAY, cases=1)
    list(organisation.case_plans())
    with pytest.raises(RuntimeError):
        list(organisation.case_plans())


def test_case_types_dates_and_numbers(plans: list[CasePlan]) -> None:
    types = Counter(p.case.case_type for p in plans)
    assert 0.62 <= types[CaseType.PRIVATE_LAW] / len(plans) <= 0.78
    assert 0.20 <= types[CaseType.PUBLIC_LAW] / len(plans) <= 0.36
    assert types[CaseType.ADOPTION] >= 1
    assert len({p.case.case_number for p in plans}) == len(plans)
    oldest = TODAY - timedelta(days=8 * 365 + 1)
    assert all(oldest <= p.case.opened_on < TODAY for p in plans)
    assert all(
        p.case.court and p.case.court.startswith(("Family Court at", "Central", "East London"))
        for p in plans
    )
    old = [p for p in plans if p.case.opened_on < TODAY - timedelta(days=3 * 365)]
    assert old and all(p.case.closed_on is not None for p in old)
    recent = [p for p in plans if p.case.opened_on > TODAY - timedelta(days=90)]
    assert recent and all(p.case.closed_on is None for p in recent)
    for p in plans:
        assert p.case.closed_on is None or p.case.opened_on <= p.case.closed_on < TODAY
        assert (
            p.case.case_number[4]
            == {"private_law": "P", "public_law": "C", "adoption": "A"}[p.case.case_type]
        )


def test_every_case_has_children_of_plausible_age_and_two_to_six_documents(
    plans: list[CasePlan],
) -> None:
    persons = _persons(plans)
    for plan in plans:
        children = [persons[p.person] for p in plan.parties if p.role is PartyRole.CHILD_SUBJECT]
        assert children, plan.case.case_number
        for child in children:
            dob = child.date_of_birth
            if dob is None:  # a second record of a child, made without the date of birth
                continue
            age = (plan.case.opened_on - dob).days / 365.25
            assert 0 <= age < 18, (plan.case.case_number, dob)
        assert 2 <= len(plan.documents) <= 6
        for document in plan.documents:
            assert plan.case.opened_on <= document.meta.created_on <= (plan.case.closed_on or TODAY)
            party_keys = {p.person for p in plan.parties}
            assert set(document.subjects) <= party_keys


def test_families_share_surnames_and_addresses(plans: list[CasePlan]) -> None:
    persons = _persons(plans)
    siblings_share = shares_home = multi = 0
    for plan in plans:
        children = [persons[p.person] for p in plan.parties if p.role is PartyRole.CHILD_SUBJECT]
        adults = [
            persons[p.person]
            for p in plan.parties
            if p.role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)
        ]
        if len(children) > 1:
            multi += 1
            siblings_share += len({c.last_name for c in children}) == 1
        child_homes = {a.postcode for c in children for a in c.addresses[-1:]}
        adult_homes = {a.postcode for p in adults for a in p.addresses[-1:]}
        shares_home += bool(child_homes & adult_homes)
    assert siblings_share / multi > 0.8
    assert shares_home / len(plans) > 0.6


def test_names_as_families_carry_them(plans: list[CasePlan]) -> None:
    people = list(_persons(plans).values())
    previous = [p for p in people if any(n.kind is NameKind.PREVIOUS for n in p.other_names)]
    aliases = [p for p in people if any(n.kind is NameKind.ALIAS for n in p.other_names)]
    double = [p for p in people if "-" in p.last_name]
    assert len(previous) / len(people) > 0.08
    assert aliases and double
    twins = 0
    persons = _persons(plans)
    for plan in plans:
        dobs = Counter(
            persons[p.person].date_of_birth
            for p in plan.parties
            if p.role is PartyRole.CHILD_SUBJECT
        )
        twins += any(n > 1 for dob, n in dobs.items() if dob)
    assert twins >= 1


def test_people_return_and_professionals_recur(plans: list[CasePlan]) -> None:
    appearances = Counter(p.person for plan in plans for p in plan.parties)
    persons = _persons(plans)
    professionals = [k for k, d in persons.items() if d.is_professional]
    assert max(appearances[k] for k in professionals) >= 8  # a busy social worker or solicitor
    family = [k for k in appearances if k not in set(professionals)]
    assert sum(1 for k in family if appearances[k] > 1) >= 10  # families back in a later case
    # Some people are recorded twice (a nickname, a typo, a move, no date of birth).
    organisation = DemoOrganisation(today=TODAY, seed=7, cases=400, caseworkers=CASEWORKERS)
    assert organisation.same_person_records() == []
    assert list(organisation.case_plans()) == plans
    twice = organisation.same_person_records()
    assert len(twice) >= 5
    for keys in twice:
        records = [persons[k] for k in keys]
        assert len({r.gender for r in records}) == 1
        assert len({r.date_of_birth for r in records} - {None}) <= 2  # maybe day/month swapped
    withheld = [d for d in persons.values() if d.address_withheld]
    assert withheld and len(withheld) / len(persons) < 0.05


def test_identifiers_are_valid_and_unreal(plans: list[CasePlan]) -> None:
    seen: set[tuple[str, str]] = set()
    counts: Counter[str] = Counter()
    for data in _persons(plans).values():
        for identifier in data.identifiers:
            assert (identifier.scheme, identifier.value) not in seen
            seen.add((identifier.scheme, identifier.value))
            counts[identifier.scheme] += 1
            if identifier.scheme is IdentifierScheme.NHS:
                assert nhs_valid(identifier.value) and identifier.value.startswith("999")
            elif identifier.scheme is IdentifierScheme.NINO:
                assert NINO.match(identifier.value), identifier.value
        for contact in data.contacts:
            if contact.kind == "phone":
                digits = contact.value.replace(" ", "")
                assert len(digits) == 11
                # Ofcom's drama ranges only.
                assert re.match(
                    r"^(07700900|01134960|01144960|01614960|01514960|01914980|01174960|01184960|02079460|01632960)",
                    digits,
                ), contact.value
            else:
                assert contact.value.split("@")[1].endswith(
                    ("example", ".example.com", "example.com", "example.org", "example.net")
                )
        for address in data.addresses:
            assert address.postcode and POSTCODE.match(address.postcode), address.postcode
    assert (
        counts[IdentifierScheme.NHS]
        and counts[IdentifierScheme.NINO]
        and counts[IdentifierScheme.LA_REF]
    )


def test_documents_name_the_case_and_its_people(plans: list[CasePlan]) -> None:
    persons = _persons(plans)
    kinds = Counter(d.meta.kind for p in plans for d in p.documents)
    assert len(kinds) == 5
    pdfs = 0
    for plan in plans[:120]:
        children = [persons[p.person] for p in plan.parties if p.role is PartyRole.CHILD_SUBJECT]
        text = ""
        for document in plan.documents:
            media_type = sniff_media_type(document.data)
            body, note = extract.extract_text(media_type, document.data)
            assert note is None and body.strip()
            pdfs += media_type == PDF
            text += body
        # A second record of a child may carry a typo or a nickname: one name or the other.
        assert any(c.last_name in text or c.first_name in text for c in children)
    assert pdfs >= 3


def test_text_pdf_is_a_real_pdf_with_its_text() -> None:
    body = "\n".join(
        f"Line {i} (with brackets) and a backslash \\ for Zofia Wiśniewska" for i in range(120)
    )
    data = text_pdf("Care order", body)
    assert sniff_media_type(data) == PDF
    text, note = extract.extract_text(PDF, data)
    assert note is None
    assert "Line 0 (with brackets)" in text and "Line 119" in text


def test_caseloads(plans: list[CasePlan], staff: list[StaffMember]) -> None:
    open_assigned: Counter[str] = Counter()
    for plan in plans:
        for username in plan.assignees:
            if plan.case.closed_on is None:
                open_assigned[username] += 1
    assert 0 < open_assigned["caseworker"] <= 25
    assert 0 < open_assigned["caseworker2"] <= 25
    assert len([s for s in staff if s.synthetic]) <= 20
    by_team = {s.username: s.team for s in staff}
    for plan in plans:
        assert all(by_team[u] == plan.case.team for u in plan.assignees)
