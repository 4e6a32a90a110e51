"""Loading, checking, impact and approval of schedule versions; dates moving with facts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.records import service as records
from steward.records.models import CaseType, Person
from steward.retention import schedule_format
from steward.retention.models import RetentionSchedule, ScheduleStatus
from steward.retention.service import dates, schedules
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule, due_on

SHORTER = schedule_format.default_schedule_text().replace(
    "    description: destroy when the youngest child in the case reaches 25\n"
    "    trigger:\n      person: {date: birth, role: child_subject, pick: latest}\n"
    "    period: {years: 25}\n",
    "    description: destroy when the youngest child in the case reaches 21\n"
    "    trigger:\n      person: {date: birth, role: child_subject, pick: latest}\n"
    "    period: {years: 21}\n",
    1,
)


def test_the_default_schedule_parses_with_every_domain_example() -> None:
    parsed = schedule_format.parse(schedule_format.default_schedule_text())
    assert {r.class_code for r in parsed.rules} == {
        "CASE.PRIVATE",
        "CASE.PUBLIC",
        "CASE.OTHER",
        "CASE.LAC",
        "CASE.ADOPTION",
        "SAR",
    }
    assert all(r.authority and r.citation for r in parsed.rules)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("rules: []\n", "title"),
        ("title: t\nowner: o\nrules:\n  - class: lower\n", "rules[0].class"),
        (
            "title: t\nowner: o\nrules:\n  - {class: SAR, authority: a, citation: c, action: destroy,"
            " trigger: {record: opened}, period: {years: 2}}\n",
            "rules[0].trigger.record",
        ),
        (
            "title: t\nowner: o\nrules:\n  - {class: SAR, authority: a, citation: c, action: destroy,"
            " trigger: {person: {date: birth, role: kid}}, period: {years: 2}}\n",
            "rules[0].trigger.person.role",
        ),
        (
            "title: t\nowner: o\nrules:\n  - {class: SAR, authority: a, citation: c, action: destroy,"
            " trigger: {record: closed}, period: {years: 2, weeks: 3}}\n",
            "rules[0].period.weeks",
        ),
        (
            "title: t\nowner: o\nrules:\n  - {class: SAR, authority: a, citation: c, action: destroy,"
            " trigger: {latest_of: [{trigger: {record: closed}}]}, period: {years: 2}}\n",
            "rules[0].trigger.latest_of",
        ),
        ("title: [unclosed\n", "line 2"),
    ],
)
def test_bad_schedules_are_refused_naming_the_place(text: str, where: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        schedule_format.parse(text)
    assert where in caught.value.errors, caught.value.errors


def test_an_unknown_class_changes_nothing(db: Session) -> None:
    default_schedule(db)
    text = schedule_format.default_schedule_text().replace("class: SAR", "class: SAR.NOPE")
    before = db.scalar(select(func.count()).select_from(RetentionSchedule))
    with pytest.raises(ValidationFailed, match="file plan"):
        schedules.load(db, Actor.system(), text)
    assert db.scalar(select(func.count()).select_from(RetentionSchedule)) == before


def test_impact_is_shown_before_approval_and_nothing_moves_until_then(
    db: Session, keyring: FileKeyring
) -> None:
    cases = [case_with_children(db, keyring, date(2011, 3, 2)) for _ in range(3)]
    public = case_with_children(db, keyring, date(2011, 3, 2), case_type=CaseType.PUBLIC_LAW)
    first = default_schedule(db)
    draft = schedules.load(db, Actor.system(), SHORTER)
    impact = {i.class_code: i for i in schedules.stored_impact(draft)}
    assert (impact["CASE.PRIVATE"].records, impact["CASE.PRIVATE"].earlier) == (3, 3)
    assert (impact["CASE.PUBLIC"].unchanged, impact["CASE.PUBLIC"].earlier) == (1, 0)
    assert due_on(db, cases[0], first) == date(2036, 3, 2)  # still the approved date

    caseworker = make_user(db, Role.CASEWORKER)
    with pytest.raises(Forbidden):
        schedules.approve(db, caseworker.actor, version=draft.version)
    dpo = make_user(db, Role.DPO)
    schedules.approve(db, dpo.actor, version=draft.version)
    assert first.status == ScheduleStatus.SUPERSEDED
    assert due_on(db, cases[0]) == date(2032, 3, 2)
    rules = {r.class_code: r for r in draft.rules}
    assert rules["CASE.PRIVATE"].version == 2 and rules["CASE.PUBLIC"].version == 1
    assert due_on(db, public) == date(2036, 3, 2)


def test_dates_move_when_facts_change(db: Session, keyring: FileKeyring) -> None:
    case = case_with_children(db, keyring, date(2011, 3, 2), date(2009, 1, 1))
    default_schedule(db)
    assert due_on(db, case) == date(2036, 3, 2)
    youngest = db.scalar(
        select(Person).where(Person.first_name == "Child0").order_by(Person.id.desc())
    )
    assert youngest is not None
    youngest.date_of_birth = date(2013, 7, 9)  # a corrected birth date
    db.flush()
    dates.sweep(db, Actor.system())
    assert due_on(db, case) == date(2038, 7, 9)
    with clock.frozen(clock.now().replace(year=2026)):
        records.reopen_case(db, Actor.system(), case_id=case.id)
    dates.reevaluate(db, dates.RecordKind.CASE, [case.id])
    assert due_on(db, case) is None  # open: no disposal date


def test_a_recorded_death_and_an_adoption_order_date_the_record(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)  # it adds the looked-after child class to the file plan
    lac = case_with_children(
        db, keyring, date(2000, 5, 1), case_type=CaseType.PUBLIC_LAW, record_class="CASE.LAC"
    )
    adoption = case_with_children(db, keyring, date(2015, 1, 1), case_type=CaseType.ADOPTION)
    dates.sweep(db, Actor.system())
    assert due_on(db, lac) == date(2075, 5, 1)
    assert due_on(db, adoption) is None  # waiting for the adoption order's date
    child = db.scalar(
        select(Person).where(Person.date_of_birth == date(2000, 5, 1)).order_by(Person.id.desc())
    )
    assert child is not None
    child.date_of_death = date(2012, 8, 1)
    db.flush()
    dates.reevaluate(db, dates.RecordKind.CASE, [lac.id])
    assert due_on(db, lac) == date(2027, 8, 1)
    dates.record_event(
        db,
        Actor.system(),
        case_number=adoption.case_number,
        event="adoption_order",
        occurred_on=date(2016, 4, 4),
    )
    assert due_on(db, adoption) == date(2116, 4, 4)


def test_explain_is_for_those_who_may_read_the_case(db: Session, keyring: FileKeyring) -> None:
    case = case_with_children(db, keyring, date(2011, 3, 2))
    default_schedule(db)
    found = dates.explain(db, make_user(db, Role.IG_OFFICER).actor, case_number=case.case_number)
    assert found.due_on == date(2036, 3, 2) and found.rule_version == 1
    assert "youngest child subject Child0, born 2011-03-02, reaches 25 on 2036-03-02" in found.facts
    with pytest.raises(Forbidden):
        dates.explain(db, make_user(db, Role.CASEWORKER).actor, case_number=case.case_number)
    event = db.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert event is not None and "Child0" not in event.details and "2011" not in event.details


# Ten aliases per level, nine levels: 10^9 nodes if composed. Refused at the first anchor.
_FAN_OUT = 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
)


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("title: &t [*t]\n", "line 1", "anchors (&) and aliases (*) are not allowed"),
        (_FAN_OUT, "line 1", "anchors (&) and aliases (*) are not allowed"),
        ("title: t\nowner: *o\n", "line 2", "anchors (&) and aliases (*) are not allowed"),
        ("title: t\nowner: !!python/name:os.system o\n", "line 2", "tags (!) are not allowed"),
        ("title: t\nrules: " + "[" * 40 + "]" * 40 + "\n", "line 2", "nested more than 32"),
        ("rules: [" + ", ".join(["1"] * 100_001) + "]\n", "line 1", "more than 100,000 values"),
    ],
)
def test_a_hostile_schedule_is_refused_before_it_is_built(
    text: str, where: str, problem: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        schedule_format.parse(text)
    assert caught.value.errors[where].startswith(problem)
