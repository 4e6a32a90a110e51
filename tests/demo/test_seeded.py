"""A small demo organisation loaded through the records service: what staff then see."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.config import Environment
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Actor
from steward.demo import service
from steward.records import service as records
from steward.records.events import RecordsEvent
from steward.records.models import (
    Case,
    CaseAssignment,
    CaseStatus,
    Document,
    NameKind,
    Party,
    PartyRole,
    Person,
    PersonName,
)
from tests.demo.conftest import CASES, Seeded


def test_the_database_holds_the_plan(seeded: Seeded, demo_db: Session) -> None:
    numbers = list(demo_db.scalars(select(Case.case_number).order_by(Case.id)))
    assert numbers == [p.case.case_number for p in seeded.plans]
    persons = sum(len(p.persons) for p in seeded.plans)
    assert demo_db.scalar(select(func.count()).select_from(Person)) == persons
    names = {
        (p.first_name, p.last_name)
        for p in demo_db.scalars(select(Person).where(Person.id.in_(seeded.person_ids.values())))
    }
    assert names == {
        (person.data.first_name, person.data.last_name)
        for plan in seeded.plans
        for person in plan.persons
    }
    documents = sum(len(p.documents) for p in seeded.plans)
    assert demo_db.scalar(select(func.count()).select_from(Document)) == documents


def test_every_change_went_through_the_service_and_the_chain_holds(demo_db: Session) -> None:
    tags = dict(
        demo_db.execute(
            select(audit.AuditEvent.tag, func.count()).group_by(audit.AuditEvent.tag)
        ).all()
    )
    assert tags[RecordsEvent.CASE_CREATED.value] == CASES
    assert tags[RecordsEvent.PERSON_CREATED.value] == demo_db.scalar(
        select(func.count()).select_from(Person)
    )
    assert tags[RecordsEvent.DOCUMENT_ADDED.value] == demo_db.scalar(
        select(func.count()).select_from(Document)
    )
    assert tags[RecordsEvent.CASE_ASSIGNED.value] == demo_db.scalar(
        select(func.count()).select_from(CaseAssignment)
    )
    assert audit.verify(demo_db).ok


def test_every_case_has_a_child_of_plausible_age(demo_db: Session) -> None:
    rows = demo_db.execute(
        select(Case.id, Case.opened_on, Person.date_of_birth)
        .join(Party, Party.case_id == Case.id)
        .join(Person, Person.id == Party.person_id)
        .where(Party.role == PartyRole.CHILD_SUBJECT)
    ).all()
    assert {r.id for r in rows} == set(demo_db.scalars(select(Case.id)))
    for _, opened, dob in rows:
        if dob is not None:
            assert 0 <= (opened - dob).days / 365.25 < 18


def test_families_share_surnames_and_addresses_and_some_changed_names(demo_db: Session) -> None:
    children: dict[int, list[Person]] = defaultdict(list)
    adults: dict[int, list[Person]] = defaultdict(list)
    for case_id, role, person in demo_db.execute(
        select(Party.case_id, Party.role, Person).join(Person, Person.id == Party.person_id)
    ).all():
        if role == PartyRole.CHILD_SUBJECT:
            children[case_id].append(person)
        elif role in (PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.RELATIVE):
            adults[case_id].append(person)
    shared_name = shared_home = 0
    for case_id, kids in children.items():
        family = kids + adults[case_id]
        surnames = {p.last_name for p in family}
        shared_name += len(surnames) < len(family)
        homes = [a.postcode for p in family for a in p.addresses[-1:]]
        shared_home += len(set(homes)) < len(homes)
    assert shared_name / len(children) > 0.7
    assert shared_home / len(children) > 0.6
    previous = demo_db.scalar(
        select(func.count()).select_from(PersonName).where(PersonName.kind == NameKind.PREVIOUS)
    )
    assert previous and previous >= 5


def test_the_demo_caseworker_sees_their_caseload_and_not_the_others(
    seeded: Seeded, demo_db: Session
) -> None:
    mine = seeded.user(demo_db, "caseworker").actor
    other = seeded.user(demo_db, "caseworker2").actor
    assigned = records.my_cases(demo_db, mine).items
    assert assigned
    assert any(case.status == CaseStatus.OPEN for case in assigned)
    assert {c.team for c in assigned} == {"north"}
    for case in assigned[:3]:
        viewed, how = records.view_case(demo_db, mine, case.id)
        assert how.value == "assigned"
        assert any(p.role == PartyRole.CHILD_SUBJECT for p in viewed.parties)
        with pytest.raises(records.NeedsBreakGlass):
            records.view_case(demo_db, other, case.id)
    assert records.my_cases(demo_db, other).items
    assert not {c.id for c in assigned} & {c.id for c in records.my_cases(demo_db, other).items}


def test_a_demo_document_reads_as_a_family_court_document(
    seeded: Seeded, demo_db: Session, keyring: FileKeyring
) -> None:
    mine = seeded.user(demo_db, "caseworker").actor
    case = records.my_cases(demo_db, mine).items[0]
    viewed, _ = records.view_case(demo_db, mine, case.id)
    child = next(p.person for p in viewed.parties if p.role == PartyRole.CHILD_SUBJECT)
    texts = [records.view_document(demo_db, keyring, mine, d.id)[1] for d in viewed.documents]
    assert 2 <= len(texts) <= 6
    assert any(case.case_number in t or child.last_name in t for t in texts)


def test_search_finds_a_demo_child_by_name(seeded: Seeded, demo_db: Session) -> None:
    mine = seeded.user(demo_db, "caseworker").actor
    case = records.my_cases(demo_db, mine).items[0]
    viewed, _ = records.view_case(demo_db, mine, case.id)
    child = next(p.person for p in viewed.parties if p.role == PartyRole.CHILD_SUBJECT)
    hits = records.search(demo_db, mine, f"{child.first_name} {child.last_name}")
    assert ("person", child.id) in {(h.kind, h.ref_id) for h in hits}
    assert any(h.kind == "document" and h.case_id == case.id for h in hits)
    # The other team's caseworker is told nothing about this child.
    other = seeded.user(demo_db, "caseworker2").actor
    hidden = records.search(demo_db, other, f"{child.first_name} {child.last_name}")
    assert ("person", child.id) not in {(h.kind, h.ref_id) for h in hidden}


def test_summary_says_what_each_demo_account_sees(demo_db: Session) -> None:
    summary = service.summary(demo_db)
    assert summary.cases == CASES and summary.persons > CASES * 3
    sees = {view.username: view.sees for view in summary.accounts}
    assert sees["caseworker"].endswith("open)") and "assigned cases" in sees["caseworker"]
    assert "cases of team north" in sees["manager"]
    assert sees["dpo"] == f"all {CASES} cases, for their duties"
    assert sees["admin"] == "no case content"


def test_records_are_seeded_only_where_there_are_no_cases(
    demo_db: Session, keyring: FileKeyring
) -> None:
    assert service.has_cases(demo_db)
    again = service.start_records(
        demo_db, keyring, Actor.system(), environment=Environment.TEST, cases=5
    )
    assert again is None
    result = service.seed(demo_db, Actor.system(), environment=Environment.TEST, if_empty=True)
    assert result.skipped


def test_never_in_production(demo_db: Session, keyring: FileKeyring) -> None:
    cases = demo_db.scalar(select(func.count()).select_from(Case))
    with pytest.raises(Forbidden, match="never loaded in production"):
        service.seed(demo_db, Actor.system(), environment=Environment.PRODUCTION)
    with pytest.raises(Forbidden, match="never loaded in production"):
        service.start_records(
            demo_db, keyring, Actor.system(), environment=Environment.PRODUCTION, cases=1
        )
    assert demo_db.scalar(select(func.count()).select_from(Case)) == cases
