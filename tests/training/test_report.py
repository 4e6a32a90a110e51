"""The compliance report over real tables: the figures a DPO quotes, who is left out of them
and why, what a manager sees, and what the audit trail keeps of each look."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.training.events import TrainingEvent
from steward.training.models import CourseVersion, TrainingPolicy
from steward.training.policy import EmploymentType, RequirementKind, Status, Topic
from steward.training.service import compliance, drilldown, trend
from steward.training.service import report as service
from steward.training.service.definitions import DEFINITIONS, TARGET_LABEL
from tests.factories.core import make_user
from tests.factories.training import complete, make_course, make_requirement, make_staff

AS_OF = date(2026, 6, 1)
SYSTEM = Actor.system()


def _build(db: Session, as_of: date = AS_OF, actor: Actor = SYSTEM) -> service.Report:
    return service.build(db, actor, as_of)


def _missing(report: service.Report) -> dict[str, list[tuple[str, Status, date | None]]]:
    return {
        p.staff_number: [(m.course_code, m.status, m.standing.due_on) for m in p.missing]
        for p in report.non_compliant
    }


def test_a_refresher_lapsing_on_the_as_of_date_turns_the_figure(db: Session) -> None:
    course = make_course(db, code="DP-REFRESH", validity_months=12)
    make_requirement(db, course)
    lapsing = make_staff(db, staff_number="E1")
    current = make_staff(db, staff_number="E2")
    complete(db, lapsing, course, date(2025, 6, 2))
    complete(db, current, course, date(2026, 1, 10))

    before = _build(db, date(2026, 6, 1))
    assert (before.organisation.compliant, before.organisation.counted) == (2, 2)
    assert before.organisation.percent == 100.0
    assert before.courses[0].counts == Counter({Status.DUE_SOON: 1, Status.CURRENT: 1})
    assert before.non_compliant == []

    on_the_day = _build(db, date(2026, 6, 2))
    assert (on_the_day.organisation.compliant, on_the_day.organisation.counted) == (1, 2)
    assert on_the_day.organisation.percent == 50.0
    assert _missing(on_the_day) == {"E1": [("DP-REFRESH", Status.OVERDUE, date(2026, 6, 2))]}
    assert on_the_day.courses[0].counts == Counter({Status.OVERDUE: 1, Status.CURRENT: 1})
    assert on_the_day.courses[0].percent == 50.0


def test_a_leaver_drops_out_from_their_leaving_date(db: Session) -> None:
    course = make_course(db)
    make_requirement(db, course)
    stayer = make_staff(db, team="North", staff_number="E1")
    leaver = make_staff(db, team="North", staff_number="E2", leaving_date=date(2026, 5, 20))
    complete(db, stayer, course, date(2026, 1, 5))
    del leaver  # never trained, so not compliant while still here

    still_here = _build(db, date(2026, 5, 19))
    assert still_here.organisation.in_scope == 2
    assert still_here.organisation.percent == 50.0
    assert set(_missing(still_here)) == {"E2"}

    gone = _build(db, date(2026, 5, 20))
    assert gone.organisation.in_scope == 1
    assert gone.organisation.percent == 100.0
    assert gone.non_compliant == []
    assert [(t, f.in_scope, f.compliant) for t, f in gone.teams] == [("North", 1, 1)]


def test_temporary_workers_and_contractors_count_like_anyone_else(db: Session) -> None:
    course = make_course(db, code="CYBER")
    make_requirement(db, course)
    temporary = make_staff(db, staff_number="T1", employment_type=EmploymentType.TEMPORARY)
    contractor = make_staff(db, staff_number="C1", employment_type=EmploymentType.CONTRACTOR)
    permanent = make_staff(db, staff_number="P1")
    complete(db, permanent, course, date(2026, 2, 1))
    complete(db, contractor, course, date(2026, 2, 1))

    report = _build(db)
    assert (report.organisation.compliant, report.organisation.counted) == (2, 3)
    kinds = {kind: (f.in_scope, f.compliant) for kind, f in report.employment_types}
    assert kinds == {
        EmploymentType.PERMANENT: (1, 1),
        EmploymentType.TEMPORARY: (1, 0),
        EmploymentType.CONTRACTOR: (1, 1),
        EmploymentType.VOLUNTEER: (0, 0),
    }
    assert set(_missing(report)) == {"T1"}
    assert temporary.id in {p.staff_id for p in report.non_compliant}


def test_a_new_starter_inside_their_induction_window_is_left_out_of_the_percentage(
    db: Session,
) -> None:
    induction = make_course(db, code="INDUCTION", validity_months=None)
    make_requirement(db, induction, kind=RequirementKind.INDUCTION, due_within_days=5)
    trained = make_staff(db, staff_number="E1")
    complete(db, trained, induction, date(2020, 1, 8))
    make_staff(db, staff_number="NEW", start_date=date(2026, 5, 29))

    report = _build(db, date(2026, 6, 1))
    org = report.organisation
    assert (org.in_scope, org.in_window, org.counted, org.compliant) == (2, 1, 1, 1)
    assert org.percent == 100.0
    assert report.non_compliant == []
    assert report.courses[0].counts[Status.NOT_YET_DUE] == 1
    assert report.courses[0].percent == 100.0

    late = _build(db, date(2026, 6, 3))  # 29 May + 5 days: the deadline has come
    assert (late.organisation.in_window, late.organisation.counted) == (0, 2)
    assert late.organisation.percent == 50.0
    assert _missing(late) == {"NEW": [("INDUCTION", Status.NEVER_DONE, date(2026, 6, 3))]}


def test_teams_topics_and_courses_each_count_their_own(db: Session) -> None:
    dp = make_course(db, code="DP", topic=Topic.DATA_PROTECTION)
    cyber = make_course(db, code="CYBER", topic=Topic.CYBER_SECURITY)
    sar = make_course(db, code="SAR", topic=Topic.SAR_HANDLING)
    make_requirement(db, dp)
    make_requirement(db, cyber)
    make_requirement(db, sar, kind=RequirementKind.SPECIALIST, job_roles=["SAR Officer"])
    north = make_staff(db, team="North", staff_number="N1")
    south = make_staff(db, team="South", staff_number="S1", job_role="SAR Officer")
    nobody = make_staff(db, team=None, staff_number="X1")
    for person in (north, south, nobody):
        complete(db, person, dp, date(2026, 3, 1))
    complete(db, north, cyber, date(2026, 3, 1))
    complete(db, south, sar, date(2026, 3, 1))

    report = _build(db)
    assert [(t, f.in_scope, f.compliant) for t, f in report.teams] == [
        ("North", 1, 1),
        ("South", 1, 0),
        (None, 1, 0),
    ]
    topics = {t: (f.in_scope, f.compliant) for t, f in report.topics}
    assert topics == {
        Topic.DATA_PROTECTION: (3, 3),
        Topic.CYBER_SECURITY: (3, 1),
        Topic.SAR_HANDLING: (1, 1),
    }
    courses = {c.code: (c.applies_to, c.counts[Status.CURRENT], c.percent) for c in report.courses}
    assert courses == {"CYBER": (3, 1, 33.3), "DP": (3, 3, 100.0), "SAR": (1, 1, 100.0)}
    assert _missing(report) == {
        "S1": [("CYBER", Status.NEVER_DONE, date(2020, 2, 5))],
        "X1": [("CYBER", Status.NEVER_DONE, date(2020, 2, 5))],
    }


def test_the_target_is_the_organisations_and_says_it_is_not_law(db: Session) -> None:
    course = make_course(db)
    make_requirement(db, course)
    complete(db, make_staff(db), course, date(2026, 3, 1))
    make_staff(db)
    assert _build(db).target_percent == 95
    assert _build(db).meets_target is False
    db.merge(TrainingPolicy(id=1, target_percent=50))
    db.flush()
    report = _build(db)
    assert (report.target_percent, report.meets_target) == (50, True)
    shown = report.as_dict()["target"]
    assert shown == {"percent": 50, "label": TARGET_LABEL, "met": True}
    assert "not a legal requirement" in TARGET_LABEL
    assert "not a requirement of the law" in DEFINITIONS["target"]


def test_every_figure_has_its_definition(db: Session) -> None:
    shown = _build(db).as_dict()
    assert set(shown["definitions"]) >= {
        "organisation",
        "team",
        "employment_type",
        "topic",
        "course",
        "trend",
        "non_compliant",
        "target",
        *(s.value for s in Status),
    }
    assert all(text.strip() for text in shown["definitions"].values())


def test_the_trend_is_the_figure_as_it_stood_at_each_month_end(db: Session) -> None:
    course = make_course(db, code="DP", validity_months=12)
    make_requirement(db, course)
    lapses = make_staff(db)
    joins = make_staff(db, start_date=date(2026, 2, 10))
    complete(db, lapses, course, date(2025, 3, 15))
    complete(db, joins, course, date(2026, 4, 2))

    report = _build(db, date(2026, 6, 15))
    assert [p.on for p in report.trend] == service.month_ends(date(2026, 6, 15))
    assert report.trend[-1].on == date(2026, 5, 31)
    for point in report.trend:
        alone = service.summarise(
            compliance.standings(db, point.on),
            as_of=point.on,
            scope=service.ORGANISATION,
            target_percent=95,
            trend=[],
        )
        assert point.organisation == alone.organisation, point.on
        assert point.topics == dict(alone.topics), point.on
    by_month = {p.on: p.organisation.percent for p in report.trend}
    assert by_month[date(2026, 2, 28)] == 100.0  # the joiner still in their window
    assert by_month[date(2026, 3, 31)] == 0.0  # lapsed 15 March; the joiner's deadline passed
    assert by_month[date(2026, 4, 30)] == 50.0


def test_month_ends() -> None:
    assert service.month_ends(date(2026, 3, 31), 3) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert service.month_ends(date(2026, 3, 30), 3) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]
    assert service.month_ends(date(2024, 12, 31), 2) == [date(2024, 11, 30), date(2024, 12, 31)]
    assert len(service.month_ends(date(2026, 6, 1))) == 12


def test_a_date_too_far_out_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        _build(db, date(1999, 12, 31))
    with pytest.raises(ValidationFailed):
        _build(db, date(2999, 1, 1))


def test_a_manager_sees_only_those_who_report_to_them(db: Session) -> None:
    course = make_course(db)
    make_requirement(db, course)
    account = make_user(db, Role.MANAGER)
    manager = make_staff(db, team="North", staff_number="M1", user_id=account.id)
    supervisor = make_staff(db, team="North", staff_number="M2", manager=manager)
    worker = make_staff(db, team="South", staff_number="W1", manager=supervisor)
    make_staff(db, team="North", staff_number="OTHER")
    del worker

    mine = _build(db, actor=account.actor)
    assert not mine.scope.organisation
    assert set(_missing(mine)) == {"M2", "W1"}
    assert mine.organisation.in_scope == 2
    assert {t for t, _ in mine.teams} == {"North", "South"}

    dpo = make_user(db, Role.DPO)
    everyone = _build(db, actor=dpo.actor)
    assert everyone.scope.organisation
    assert everyone.organisation.in_scope == 4
    auditor = make_user(db, Role.AUDITOR)
    assert _build(db, actor=auditor.actor).organisation.in_scope == 4

    north = drilldown.team_people(db, account.actor, AS_OF, "North", PageRequest())
    assert [p.staff_number for p in north.items] == ["M2"]
    gaps = drilldown.course_gaps(db, account.actor, AS_OF, course.id, PageRequest())[1]
    assert {g.person.staff_number for g in gaps.items} == {"M2", "W1"}

    unlinked = make_user(db, Role.MANAGER)
    assert _build(db, actor=unlinked.actor).organisation.in_scope == 0


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMIN, Role.PARTNER])
def test_roles_without_the_permission_are_refused(db: Session, role: Role) -> None:
    actor = make_user(db, role).actor
    with pytest.raises(Forbidden):
        _build(db, actor=actor)
    with pytest.raises(Forbidden):
        drilldown.export(db, actor, AS_OF)


def test_drill_downs_page_through_a_team_and_a_courses_gaps(db: Session) -> None:
    course = make_course(db, code="DP")
    make_requirement(db, course)
    for n in range(7):
        person = make_staff(db, team="North", name=f"Person {n:02d}")
        if n % 2:
            complete(db, person, course, date(2026, 3, 1))
    team = drilldown.team_people(db, SYSTEM, AS_OF, "North", PageRequest(2, 3))
    assert (team.total, [p.name for p in team.items]) == (
        7,
        ["Person 03", "Person 04", "Person 05"],
    )
    _, gaps = drilldown.course_gaps(db, SYSTEM, AS_OF, course.id, PageRequest(1, 3))
    assert gaps.total == 4
    assert [g.person.name for g in gaps.items] == ["Person 00", "Person 02", "Person 04"]
    assert {g.line.status for g in gaps.items} == {Status.NEVER_DONE}


def test_each_look_is_audited_with_counts_and_no_names(db: Session) -> None:
    course = make_course(db)
    make_requirement(db, course)
    make_staff(db, name="Zebedee Unique-Name", staff_number="E900")
    dpo = make_user(db, Role.DPO)
    _build(db, actor=dpo.actor)
    drilldown.team_people(db, dpo.actor, AS_OF, "North", PageRequest())
    drilldown.export(db, dpo.actor, AS_OF)
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.tag.like("training:report:%")).order_by(AuditEvent.seq)
    ).all()
    assert [e.tag for e in events] == [
        TrainingEvent.REPORT_READ,
        TrainingEvent.REPORT_READ,
        TrainingEvent.REPORT_EXPORTED,
    ]
    first = json.loads(events[0].details)
    assert first == {
        "as_of": "2026-06-01",
        "view": "report",
        "scope": "organisation",
        "people": 1,
        "non_compliant": 1,
    }
    assert json.loads(events[2].details)["lines"] == 1
    for event in events:
        assert "Zebedee" not in event.details and "E900" not in event.details


def test_the_trend_counts_each_day_as_standings_does(db: Session) -> None:
    """over_time reads once and takes policy.standing apart; each of its days must count
    exactly what standings gives that day, through redo versions released, requirements
    starting and ending, two requirements on one course, starters and leavers."""
    rng = random.Random(13)
    refresher = make_course(db, code="A-REFRESH", validity_months=6, topic=Topic.CYBER_SECURITY)
    induction = make_course(db, code="B-INDUCTION", validity_months=None)
    redone = make_course(db, code="C-REDONE", validity_months=24, topic=Topic.RECORDS_MANAGEMENT)
    make_requirement(db, refresher, due_within_days=20)
    make_requirement(db, refresher, due_within_days=90, teams=["North"])
    make_requirement(db, induction, kind=RequirementKind.INDUCTION, due_within_days=5)
    make_requirement(db, redone, starts_on=date(2025, 9, 1), due_within_days=45)
    make_requirement(
        db, induction, employment_types=["contractor"], ends_on=date(2026, 2, 1), due_within_days=1
    )
    redone.version = 2
    db.add(
        CourseVersion(
            course_id=redone.id, version=2, released_on=date(2026, 1, 20), requires_redo=True
        )
    )
    db.flush()
    for n in range(40):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 900))
        person = make_staff(
            db,
            team=rng.choice(["North", "South", None]),
            employment_type=rng.choice(list(EmploymentType)),
            start_date=start,
            leaving_date=start + timedelta(days=rng.randrange(30, 900)) if n % 5 == 0 else None,
        )
        for course in (refresher, induction, redone):
            day = start + timedelta(days=rng.randrange(0, 60))
            while day < date(2026, 7, 1) and rng.random() < 0.85:
                version = 2 if course is redone and day >= date(2026, 1, 20) else 1
                complete(db, person, course, day, version=version)
                day += timedelta(days=rng.randrange(60, 400))
    days = [*service.month_ends(date(2026, 6, 30), 12), date(2026, 1, 20), date(2026, 1, 19)]
    found = trend.over_time(db, days)
    assert set(found) == set(days)
    for day in days:
        expected = Counter(trend.Brief.of(p) for p in compliance.standings(db, day))
        assert found[day] == expected, day
    assert sum(found[date(2026, 6, 30)].values()) > 10
