"""The course catalogue, requirements and the organisation's training settings, through their
services: what is refused (and that a refusal changes nothing), what each change does to the
figures compliance computes, and the one audit event each change leaves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.training.catalogue_schemas import (
    CourseChange,
    CourseCreate,
    PolicyChange,
    RequirementCreate,
    RequirementEnd,
    RequirementFilters,
    VersionRelease,
)
from steward.training.events import TrainingEvent
from steward.training.models import Course, CourseVersion, Requirement, TrainingPolicy
from steward.training.policy import Delivery, EmploymentType, RequirementKind, Status, Topic
from steward.training.service import catalogue, compliance, gate, requirements, settings
from tests.factories.core import make_user
from tests.factories.training import complete, make_course, make_requirement, make_staff

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with clock.frozen(datetime(2026, 6, 1, 9, 0)):
        yield


@pytest.fixture
def dpo(db: Session) -> Actor:
    return make_user(db, Role.DPO).actor


@pytest.fixture
def admin(db: Session) -> Actor:
    return make_user(db, Role.ADMIN).actor


def _events(db: Session, tag: TrainingEvent) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.tag == tag.value)))


def _new_course(**overrides: object) -> CourseCreate:
    fields: dict[str, object] = {
        "code": "dp-refresher",
        "title": "Data protection refresher",
        "topic": "data_protection",
        "delivery": "e_learning",
        "duration_minutes": 45,
        "validity_months": 12,
        "pass_mark": 80,
        "lms_ids": ["moodle:42", " https://lms.example.org/xapi/dp ", "moodle:42"],
    }
    return CourseCreate(**(fields | overrides))


def _status(db: Session, staff_id: int, course_id: int, as_of: date) -> Status:
    (person,) = compliance.standings(db, as_of, staff_ids=[staff_id])
    (line,) = [line for line in person.lines if line.course_id == course_id]
    return line.status


# --- courses -----------------------------------------------------------------------------


def test_a_course_is_added_with_its_first_version_and_one_event(db: Session, admin: Actor) -> None:
    course = catalogue.create(db, admin, _new_course())
    assert course.code == "DP-REFRESHER"  # codes are kept in capitals
    assert course.lms_ids == ["moodle:42", "https://lms.example.org/xapi/dp"]
    (first,) = catalogue.versions(db, admin, course.id)
    assert (first.version, first.released_on, first.requires_redo) == (1, TODAY, False)
    (event,) = _events(db, TrainingEvent.COURSE_CREATED)
    assert event.subject_id == str(course.id)
    assert json.loads(event.details)["pass_mark"] == 80


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"code": "=cmd|calc"}, "code", "capital letters, digits, hyphens"),
        ({"code": "  "}, "code", "Enter a course code"),
        ({"pass_mark": 101}, "pass_mark", "less than or equal to 100"),
        ({"pass_mark": -1}, "pass_mark", "greater than or equal to 0"),
        ({"validity_months": 0}, "validity_months", "greater than or equal to 1"),
        ({"duration_minutes": 0}, "duration_minutes", "greater than or equal to 1"),
        ({"topic": "astrology"}, "topic", "data_protection"),
        ({"title": ""}, "title", "at least 1 character"),
        ({"title": "Evil\u202eeulav"}, "title", "control characters"),
        ({"lms_ids": ["x" * 301]}, "lms_ids", "at most 300 characters"),
    ],
)
def test_a_course_that_breaks_a_rule_is_refused_with_the_field_and_what_to_do(
    overrides: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _new_course(**overrides)
    (error,) = refused.value.errors()
    assert error["loc"][0] == field
    assert words in error["msg"]


def test_a_code_or_lms_id_another_course_uses_is_refused_and_nothing_is_added(
    db: Session, admin: Actor
) -> None:
    catalogue.create(db, admin, _new_course())
    with pytest.raises(ValidationFailed) as taken:
        catalogue.create(db, admin, _new_course(lms_ids=[]))
    assert "already used" in taken.value.errors["code"]
    with pytest.raises(ValidationFailed) as clash:
        catalogue.create(db, admin, _new_course(code="CYBER-1", lms_ids=["moodle:42"]))
    assert "already names course DP-REFRESHER" in clash.value.errors["lms_ids"]
    assert db.scalar(select(func.count(Course.id))) == 1
    assert len(_events(db, TrainingEvent.COURSE_CREATED)) == 1


def test_changing_a_course_records_the_fields_changed_and_nothing_when_nothing_changed(
    db: Session, admin: Actor
) -> None:
    course = catalogue.create(db, admin, _new_course())
    catalogue.change(db, admin, course.id, CourseChange(title="Data protection refresher"))
    assert _events(db, TrainingEvent.COURSE_CHANGED) == []
    catalogue.change(
        db, admin, course.id, CourseChange(validity_months=24, pass_mark=None, topic="other")
    )
    assert (course.validity_months, course.pass_mark, course.topic) == (24, None, "other")
    (event,) = _events(db, TrainingEvent.COURSE_CHANGED)
    assert json.loads(event.details) == {"fields": ["pass_mark", "topic", "validity_months"]}
    with pytest.raises(ValidationError, match="title cannot be empty"):
        CourseChange(title=None)


def test_a_retired_course_stops_applying_and_cannot_be_changed(db: Session, admin: Actor) -> None:
    course = make_course(db)
    make_requirement(db, course)
    staff = make_staff(db)
    assert compliance.standings(db, TODAY, staff_ids=[staff.id])[0].lines
    catalogue.retire(db, admin, course.id)
    assert course.retired_on == TODAY
    assert compliance.standings(db, TODAY, staff_ids=[staff.id])[0].lines == ()
    (event,) = _events(db, TrainingEvent.COURSE_RETIRED)
    assert json.loads(event.details) == {"requirements_in_force": 1}
    for attempt in (
        lambda: catalogue.retire(db, admin, course.id),
        lambda: catalogue.change(db, admin, course.id, CourseChange(title="New")),
        lambda: catalogue.release_version(
            db, admin, course.id, VersionRelease(note="x", requires_redo=False)
        ),
    ):
        with pytest.raises(Conflict, match="retired on 1 June 2026"):
            attempt()
    # Listed only when asked for.
    assert catalogue.courses(db, admin, PageRequest()).total == 0
    assert catalogue.courses(db, admin, PageRequest(), include_retired=True).total == 1


def test_the_list_is_counted_filtered_and_says_how_many_requirements_are_in_force(
    db: Session, admin: Actor
) -> None:
    dp = make_course(db, code="A-DP", topic=Topic.DATA_PROTECTION)
    make_course(db, code="B-CYBER", topic=Topic.CYBER_SECURITY, delivery=Delivery.CLASSROOM)
    make_requirement(db, dp)
    make_requirement(db, dp, ends_on=date(2026, 1, 1))  # ended: not counted
    make_requirement(db, dp, starts_on=date(2026, 9, 1))  # not yet: not counted
    listed = catalogue.courses(db, admin, PageRequest())
    assert listed.total == 2
    assert [(r.course.code, r.requirements_in_force) for r in listed.items] == [
        ("A-DP", 1),
        ("B-CYBER", 0),
    ]
    by_topic = catalogue.courses(db, admin, PageRequest(), topic=Topic.CYBER_SECURITY)
    assert [r.course.code for r in by_topic.items] == ["B-CYBER"]
    by_delivery = catalogue.courses(db, admin, PageRequest(), delivery=Delivery.E_LEARNING)
    assert [r.course.code for r in by_delivery.items] == ["A-DP"]


# --- versions ----------------------------------------------------------------------------


def test_a_version_requiring_a_redo_reopens_the_requirement_for_someone_who_had_completed(
    db: Session, admin: Actor
) -> None:
    course = make_course(db, validity_months=None)
    make_requirement(db, course, due_within_days=14)
    staff = make_staff(db)
    complete(db, staff, course, date(2025, 3, 1))
    assert _status(db, staff.id, course.id, TODAY) is Status.CURRENT
    version = catalogue.release_version(
        db, admin, course.id, VersionRelease(note="The new DUA Act", requires_redo=True)
    )
    assert (version.version, course.version, version.released_on) == (2, 2, TODAY)
    # Everyone has the requirement's 14 days from the release to redo it.
    standing = compliance.standings(db, TODAY, staff_ids=[staff.id])[0].lines[0].standing
    assert standing.status is Status.NOT_YET_DUE
    assert standing.due_on == date(2026, 6, 15)
    assert _status(db, staff.id, course.id, date(2026, 6, 15)) is Status.NEVER_DONE
    complete(db, staff, course, date(2026, 6, 10), version=2)
    assert _status(db, staff.id, course.id, date(2026, 6, 15)) is Status.CURRENT
    (event,) = _events(db, TrainingEvent.COURSE_VERSION_RELEASED)
    assert json.loads(event.details) == {
        "version": 2,
        "requires_redo": True,
        "released_on": "2026-06-01",
    }
    assert [v.version for v in catalogue.versions(db, admin, course.id)] == [2, 1]


def test_a_version_without_a_redo_keeps_earlier_completions_counting(
    db: Session, admin: Actor
) -> None:
    course = make_course(db, validity_months=None)
    make_requirement(db, course, due_within_days=14)
    staff = make_staff(db)
    complete(db, staff, course, date(2025, 3, 1))
    catalogue.release_version(
        db, admin, course.id, VersionRelease(note="Typos fixed", requires_redo=False)
    )
    assert course.version == 2
    assert _status(db, staff.id, course.id, date(2026, 12, 1)) is Status.CURRENT


def test_a_redo_version_reopens_induction_as_training_due_without_shutting_anyone_out(
    db: Session, admin: Actor
) -> None:
    """Staff already at work redo the new version through reminders and escalation; the gate
    (docs/training.md) stays open for them, and a later starter must do the new version."""
    user = make_user(db, Role.CASEWORKER)
    course = make_course(db, validity_months=None)
    make_requirement(db, course, kind=RequirementKind.INDUCTION)
    staff = make_staff(db, user_id=user.id)
    complete(db, staff, course, date(2025, 3, 1))
    catalogue.release_version(db, admin, course.id, VersionRelease(note="New", requires_redo=True))
    gate.forget(db)
    assert not gate.state(db, user.id).closed
    (person,) = compliance.standings(db, clock.today(), staff_ids=[staff.id])
    assert [line.status for line in person.lines] == [Status.NOT_YET_DUE]


def test_a_version_cannot_be_released_before_the_last_one_or_years_ahead(
    db: Session, admin: Actor
) -> None:
    course = make_course(db, released_on=date(2026, 3, 1))
    for released_on, words in [
        (date(2026, 2, 1), "Version 1 was released on 1 March 2026"),
        (date(2028, 1, 1), "within a year"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            catalogue.release_version(
                db,
                admin,
                course.id,
                VersionRelease(note="x", requires_redo=True, released_on=released_on),
            )
        assert words in refused.value.errors["released_on"]
    assert course.version == 1
    assert db.scalar(select(func.count(CourseVersion.id))) == 1
    with pytest.raises(ValidationError):
        VersionRelease(note="  ", requires_redo=True)


# --- requirements ------------------------------------------------------------------------


def _people(db: Session) -> dict[str, int]:
    """A small staff list: two teams, three employment types, accounts of three roles."""
    officer = make_user(db, Role.IG_OFFICER)
    manager = make_user(db, Role.MANAGER)
    worker = make_user(db, Role.CASEWORKER)
    return {
        "officer": make_staff(db, team="North", user_id=officer.id, job_role="IG Officer").id,
        "manager": make_staff(db, team="North", user_id=manager.id, job_role="Team Manager").id,
        "worker": make_staff(db, team="South", user_id=worker.id).id,
        "temp": make_staff(db, team="South", employment_type=EmploymentType.TEMPORARY).id,
        "contractor": make_staff(db, team=None, employment_type=EmploymentType.CONTRACTOR).id,
        "leaver": make_staff(db, team="North", leaving_date=date(2026, 1, 1)).id,
    }


def _applies_to(db: Session, course_id: int, people: dict[str, int]) -> set[str]:
    found = {
        person.staff_id
        for person in compliance.standings(db, TODAY)
        if any(line.course_id == course_id for line in person.lines)
    }
    return {name for name, staff_id in people.items() if staff_id in found}


@pytest.mark.parametrize(
    ("filters", "expected", "words"),
    [
        ({}, {"officer", "manager", "worker", "temp", "contractor"}, "Everyone on the staff list"),
        ({"teams": ["north"]}, {"officer", "manager"}, "Staff in the north team"),
        (
            {"employment_types": ["temporary", "contractor"]},
            {"temp", "contractor"},
            "Staff employed as contractor or temporary staff",
        ),
        (
            {"account_roles": ["ig_officer"]},
            {"officer"},
            "Staff with a Steward account as Information governance officer",
        ),
        (
            {"job_roles": ["Team Manager"], "account_roles": ["manager"]},
            {"manager"},
            "Staff whose job role is Team Manager, with a Steward account as Manager",
        ),
        ({"teams": ["South"], "employment_types": ["permanent"]}, {"worker"}, None),
    ],
)
def test_a_requirements_filters_pick_out_exactly_those_it_applies_to_and_the_preview_agrees(
    db: Session,
    admin: Actor,
    filters: dict[str, list[str]],
    expected: set[str],
    words: str | None,
) -> None:
    people = _people(db)
    course = make_course(db)
    described, count = requirements.preview(db, admin, RequirementFilters(**filters))
    requirements.set_requirement(
        db,
        admin,
        RequirementCreate(course_id=course.id, kind="specialist", due_within_days=30, **filters),
    )
    assert _applies_to(db, course.id, people) == expected
    assert count == len(expected)  # the leaver is not counted
    if words:
        assert described == words
    (view,) = requirements.for_course(db, admin, course.id)
    assert (view.people, view.who, view.state) == (count, described, "in force")


def test_an_induction_requirement_takes_the_organisations_induction_days(
    db: Session, admin: Actor, dpo: Actor
) -> None:
    course = make_course(db)
    settings.change(db, dpo, PolicyChange(induction_days=10))
    made = requirements.set_requirement(
        db, admin, RequirementCreate(course_id=course.id, kind="induction")
    )
    assert (made.due_within_days, made.starts_on, made.created_by_user_id) == (
        10,
        TODAY,
        admin.user_id,
    )
    with pytest.raises(ValidationFailed) as refused:
        requirements.set_requirement(
            db, admin, RequirementCreate(course_id=course.id, kind="mandatory")
        )
    assert "how many days" in refused.value.errors["due_within_days"]


def test_a_requirement_that_breaks_a_rule_is_refused_and_nothing_is_set(
    db: Session, admin: Actor
) -> None:
    course = make_course(db)
    requirements.set_requirement(
        db, admin, RequirementCreate(course_id=course.id, kind="mandatory", due_within_days=30)
    )
    with pytest.raises(Conflict, match="already set"):
        requirements.set_requirement(
            db,
            admin,
            RequirementCreate(course_id=course.id, kind="mandatory", due_within_days=60),
        )
    with pytest.raises(ValidationFailed) as far:
        requirements.set_requirement(
            db,
            admin,
            RequirementCreate(
                course_id=course.id,
                kind="mandatory",
                due_within_days=30,
                teams=["North"],
                starts_on=date(2206, 1, 1),
            ),
        )
    assert "check the year" in far.value.errors["starts_on"]
    refusals: list[dict[str, object]] = [
        {"teams": []},
        {"account_roles": ["partner"]},
        {"employment_types": ["intern"]},
        {"due_within_days": -1},
        {"due_within_days": 10_000},
    ]
    for bad in refusals:
        with pytest.raises(ValidationError):
            RequirementCreate.model_validate({"course_id": course.id, "kind": "mandatory", **bad})
    assert db.scalar(select(func.count(Requirement.id))) == 1
    assert len(_events(db, TrainingEvent.REQUIREMENT_SET)) == 1


def test_ending_a_requirement_stops_it_applying_from_that_day_and_never_in_the_past(
    db: Session, admin: Actor
) -> None:
    people = _people(db)
    course = make_course(db)
    made = requirements.set_requirement(
        db,
        admin,
        RequirementCreate(
            course_id=course.id,
            kind="mandatory",
            due_within_days=30,
            starts_on=date(2026, 1, 1),
        ),
    )
    with pytest.raises(ValidationFailed) as past:
        requirements.end(db, admin, made.id, RequirementEnd(ends_on=date(2026, 5, 31)))
    assert "today or later" in past.value.errors["ends_on"]
    requirements.end(db, admin, made.id, RequirementEnd())
    assert made.ends_on == TODAY
    assert _applies_to(db, course.id, people) == set()
    # Yesterday's figures are as they were.
    yesterday = compliance.standings(db, date(2026, 5, 31), staff_ids=[people["worker"]])
    assert [line.course_id for line in yesterday[0].lines] == [course.id]
    with pytest.raises(Conflict, match="already ends on 1 June 2026"):
        requirements.end(db, admin, made.id, RequirementEnd())
    (event,) = _events(db, TrainingEvent.REQUIREMENT_ENDED)
    assert json.loads(event.details) == {"course_id": course.id, "ends_on": "2026-06-01"}
    (view,) = requirements.for_course(db, admin, course.id)
    assert view.state == "ended"


def test_no_requirement_is_set_on_a_retired_course(db: Session, admin: Actor) -> None:
    course = make_course(db)
    catalogue.retire(db, admin, course.id)
    with pytest.raises(Conflict, match="apply to nobody"):
        requirements.set_requirement(
            db, admin, RequirementCreate(course_id=course.id, kind="mandatory", due_within_days=1)
        )


# --- settings ----------------------------------------------------------------------------


def test_turning_the_gate_off_needs_a_reason_is_audited_and_shown(db: Session, dpo: Actor) -> None:
    assert settings.gate_off(db) is None
    with pytest.raises(ValidationFailed) as bare:
        settings.change(db, dpo, PolicyChange(induction_gate=False, gate_off_reason="because"))
    assert "Say why" in bare.value.errors["gate_off_reason"]
    assert gate.current_policy(db).induction_gate is True
    reason = "The LMS is down until Friday; induction records cannot reach us."
    settings.change(db, dpo, PolicyChange(induction_gate=False, gate_off_reason=reason))
    shown = settings.gate_off(db)
    assert shown is not None and shown.reason == reason and shown.by is not None
    (event,) = _events(db, TrainingEvent.GATE_TURNED_OFF)
    details = json.loads(event.details)
    assert details["induction_gate"] is False
    assert reason not in event.details  # words stay out of the trail
    # Back on: the reason is cleared, and the event says so.
    settings.change(db, dpo, PolicyChange(induction_gate=True))
    assert settings.gate_off(db) is None
    stored = db.get(TrainingPolicy, 1)
    assert stored is not None and stored.gate_off_reason is None
    assert len(_events(db, TrainingEvent.GATE_TURNED_ON)) == 1


def test_the_gate_off_opens_case_content_to_someone_without_induction(
    db: Session, dpo: Actor
) -> None:
    user = make_user(db, Role.CASEWORKER)
    make_requirement(db, make_course(db), kind=RequirementKind.INDUCTION)
    assert gate.state(db, user.id).closed
    settings.change(
        db, dpo, PolicyChange(induction_gate=False, gate_off_reason="Disaster recovery exercise")
    )
    assert not gate.state(db, user.id).closed


def test_a_settings_change_is_one_event_with_the_fields_and_none_when_nothing_changed(
    db: Session, dpo: Actor
) -> None:
    settings.change(db, dpo, PolicyChange(induction_days=5, target_percent=95))
    assert _events(db, TrainingEvent.SETTINGS_CHANGED) == []  # the defaults already
    settings.change(db, dpo, PolicyChange(due_soon_days=14, target_percent=90))
    (event,) = _events(db, TrainingEvent.SETTINGS_CHANGED)
    assert json.loads(event.details) == {
        "fields": ["due_soon_days", "target_percent"],
        "induction_gate": True,
        "induction_days": 5,
        "due_soon_days": 14,
        "target_percent": 90,
    }
    assert gate.current_policy(db).due_soon_days == 14
    for bad in ({"target_percent": 0}, {"target_percent": 101}, {"due_soon_days": 0}):
        with pytest.raises(ValidationError):
            PolicyChange.model_validate(bad)


def test_only_the_dpo_changes_the_settings_and_caseworkers_read_nothing(
    db: Session, admin: Actor
) -> None:
    with pytest.raises(Forbidden, match="data protection officer"):
        settings.change(db, admin, PolicyChange(target_percent=50))
    assert gate.current_policy(db).target_percent == 95
    worker = make_user(db, Role.CASEWORKER).actor
    course = make_course(db)
    refused: list[Callable[[], object]] = [
        lambda: catalogue.courses(db, worker, PageRequest()),
        lambda: catalogue.get(db, worker, course.id),
        lambda: catalogue.create(db, worker, _new_course()),
        lambda: catalogue.retire(db, worker, course.id),
        lambda: requirements.preview(db, worker, RequirementFilters()),
        lambda: requirements.set_requirement(
            db, worker, RequirementCreate(course_id=course.id, kind="induction")
        ),
        lambda: settings.read(db, worker),
        lambda: settings.change(db, worker, PolicyChange(target_percent=50)),
    ]
    for attempt in refused:
        with pytest.raises(Forbidden):
            attempt()
    # Managers and auditors read the catalogue, but change nothing.
    manager = make_user(db, Role.MANAGER).actor
    assert catalogue.get(db, manager, course.id) is course
    with pytest.raises(Forbidden):
        catalogue.retire(db, manager, course.id)
