"""The compliance computation and the gate over real tables (the rules alone: test_policy)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.permissions import Role
from steward.training.models import Completion, CourseVersion
from steward.training.policy import RequirementKind, Status
from steward.training.service import compliance, gate
from tests.factories.core import make_user
from tests.factories.training import complete, make_course, make_requirement, make_staff

AS_OF = date(2026, 6, 1)


def _status(db: Session, staff_id: int, course_id: int, as_of: date = AS_OF) -> Status:
    (person,) = compliance.standings(db, as_of, staff_ids=[staff_id])
    (line,) = [line for line in person.lines if line.course_id == course_id]
    return line.status


def test_a_refresher_lapses_on_the_day_its_interval_ends(db: Session) -> None:
    course = make_course(db, validity_months=12)
    make_requirement(db, course)
    staff = make_staff(db)
    complete(db, staff, course, date(2025, 6, 2))
    assert _status(db, staff.id, course.id, date(2026, 6, 1)) is Status.DUE_SOON
    assert _status(db, staff.id, course.id, date(2026, 6, 2)) is Status.OVERDUE
    assert _status(db, staff.id, course.id, date(2026, 4, 1)) is Status.CURRENT


def test_a_leaver_drops_out_from_their_leaving_date(db: Session) -> None:
    staff = make_staff(db, leaving_date=date(2026, 5, 1))
    assert compliance.standings(db, date(2026, 4, 30), staff_ids=[staff.id])
    assert not compliance.standings(db, date(2026, 5, 1), staff_ids=[staff.id])


def test_a_new_version_that_requires_a_redo_reopens_the_requirement(db: Session) -> None:
    course = make_course(db, validity_months=None)
    make_requirement(db, course, due_within_days=14)
    staff = make_staff(db)
    complete(db, staff, course, date(2025, 1, 10))
    course.version = 2
    db.add(
        CourseVersion(
            course_id=course.id,
            version=2,
            released_on=date(2026, 5, 1),
            requires_redo=True,
            note="new law",
        )
    )
    db.flush()
    assert _status(db, staff.id, course.id, date(2026, 4, 30)) is Status.CURRENT
    assert _status(db, staff.id, course.id, date(2026, 5, 10)) is Status.NOT_YET_DUE
    assert _status(db, staff.id, course.id, date(2026, 5, 15)) is Status.NEVER_DONE
    complete(db, staff, course, date(2026, 5, 16), version=2)
    assert _status(db, staff.id, course.id, date(2026, 5, 20)) is Status.CURRENT


def test_the_gate_is_open_until_induction_is_required_then_closed_until_done(
    db: Session,
) -> None:
    user = make_user(db, Role.CASEWORKER)
    assert not gate.state(db, user.id).closed
    course = make_course(db, validity_months=None)
    make_requirement(db, course, kind=RequirementKind.INDUCTION, starts_on=date(2000, 1, 1))
    gate.forget(db)
    unlinked = gate.state(db, user.id)
    assert unlinked.closed and unlinked.unlinked
    staff = make_staff(db, user_id=user.id)
    gate.forget(db)
    assert [c.course_id for c in gate.state(db, user.id).courses] == [course.id]
    complete(db, staff, course, date(2020, 1, 7))
    assert not gate.state(db, user.id).closed


def test_the_same_completion_recorded_twice_is_kept_once(db: Session) -> None:
    course = make_course(db)
    staff = make_staff(db)
    complete(db, staff, course, date(2026, 1, 5))
    complete(db, staff, course, date(2026, 1, 5))
    assert db.scalar(select(func.count()).select_from(Completion)) == 1
