"""Putting the built-in modules in the catalogue: a course per module, kept in step with its
file; a new version released (asking for a redo where the file says so) only when the file's
version goes up; nothing changed by running it again; a bad file refused on its own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Role
from steward.training import module_files
from steward.training.models import Course, CourseVersion
from steward.training.service import modules
from steward.training.service.modules import Outcome
from tests.factories.core import make_user
from tests.factories.training import make_course
from tests.training.test_module_files import GOOD

SYSTEM = Actor.system()


def _folder(tmp_path: Path, text: str = GOOD, name: str = "test-module.md") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def _course(db: Session, code: str = "TEST-MODULE") -> Course:
    course = db.scalar(select(Course).where(Course.code == code))
    assert course is not None
    return course


def _versions(db: Session, course: Course) -> list[tuple[int, bool]]:
    return [
        (v.version, v.requires_redo)
        for v in db.scalars(
            select(CourseVersion)
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.version)
        )
    ]


def _event_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_shipped_modules_go_in_once_and_again_change_nothing(db: Session) -> None:
    first = modules.sync(db, SYSTEM)
    assert first.count(Outcome.CREATED) == len(module_files.shipped())
    induction = _course(db, "DP-INDUCTION")
    assert induction.module_slug == "data-protection-induction"
    assert (induction.delivery, induction.pass_mark, induction.topic) == (
        "e_learning",
        80,
        "data_protection",
    )
    before = _event_count(db)
    again = modules.sync(db, SYSTEM)
    assert again.count(Outcome.UNCHANGED) == len(module_files.shipped())
    assert _event_count(db) == before


def test_a_new_version_is_released_only_when_the_files_version_goes_up(
    db: Session, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, GOOD.replace("version: 2", "version: 1"))
    (row,) = modules.sync(db, SYSTEM, folder).rows
    assert row.outcome is Outcome.CREATED
    course = _course(db)
    # The first version in Steward never asks for a redo: nobody has done it here.
    assert _versions(db, course) == [(1, False)]
    # Reworded, same version: the course changes, no version is released.
    _folder(tmp_path, GOOD.replace("version: 2", "version: 1").replace("A test", "The test"))
    (row,) = modules.sync(db, SYSTEM, folder).rows
    assert (row.outcome, row.changed) == (Outcome.CHANGED, ("title",))
    assert course.title == "The test module" and _versions(db, course) == [(1, False)]
    # Version 2, which asks everyone to redo it.
    _folder(tmp_path)
    (row,) = modules.sync(db, SYSTEM, folder).rows
    assert (row.outcome, row.version, row.requires_redo) == (Outcome.RELEASED, 2, True)
    assert course.version == 2 and _versions(db, course) == [(1, False), (2, True)]
    released = db.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.version == 2
        )
    )
    assert released is not None and released.released_on == clock.today()
    assert released.note == "The quiz asks about phishing now."
    assert modules.sync(db, SYSTEM, folder).rows[0].outcome is Outcome.UNCHANGED


def test_a_version_going_down_is_refused_and_changes_nothing(db: Session, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    modules.sync(db, SYSTEM, folder)
    _folder(tmp_path, GOOD.replace("version: 2", "version: 1").replace("A test", "Other"))
    (row,) = modules.sync(db, SYSTEM, folder).rows
    assert row.outcome is Outcome.REFUSED and "can only go up" in row.problems[0]
    course = _course(db)
    assert (course.version, course.title) == (2, "A test module")


def test_a_course_already_named_by_the_code_is_adopted(db: Session, tmp_path: Path) -> None:
    """An LMS import made TEST-MODULE before Steward shipped the module: it becomes the
    module's course, keeping its completions."""
    existing = make_course(db, code="TEST-MODULE", title="From Moodle", pass_mark=None)
    (row,) = modules.sync(db, SYSTEM, _folder(tmp_path)).rows
    assert (row.outcome, row.course_id) == (Outcome.RELEASED, existing.id)
    assert (existing.module_slug, existing.pass_mark, existing.version) == ("test-module", 80, 2)


def test_a_code_another_module_uses_is_refused(db: Session, tmp_path: Path) -> None:
    make_course(db, code="TEST-MODULE", module_slug="another-module")
    (row,) = modules.sync(db, SYSTEM, _folder(tmp_path)).rows
    assert row.outcome is Outcome.REFUSED
    assert "already the course of the module another-module" in row.problems[0]


def test_a_bad_file_is_refused_alone(db: Session, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _folder(tmp_path, GOOD.replace("- [ ] Password1", "- [x] Password1"), "broken.md")
    result = modules.sync(db, SYSTEM, folder)
    assert [(r.file, r.outcome) for r in result.rows] == [
        ("broken.md", Outcome.REFUSED),
        ("test-module.md", Outcome.CREATED),
    ]
    assert db.scalar(select(Course).where(Course.module_slug == "broken")) is None


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.IG_OFFICER])
def test_only_those_who_manage_training_may_sync(db: Session, role: Role) -> None:
    with pytest.raises(Forbidden):
        modules.sync(db, make_user(db, role).actor)


def test_a_released_version_that_asks_for_a_redo_reopens_the_course(
    db: Session, tmp_path: Path
) -> None:
    from steward.training.policy import Status
    from steward.training.service import compliance
    from tests.factories.training import complete, make_requirement, make_staff

    folder = _folder(tmp_path, GOOD.replace("version: 2", "version: 1"))
    modules.sync(db, SYSTEM, folder)
    course = _course(db)
    make_requirement(db, course, starts_on=date(2020, 1, 1))
    person = make_staff(db)
    complete(db, person, course, clock.today())
    (standing,) = compliance.standings(db, clock.today(), staff_ids=[person.id])
    assert standing.lines[0].status is Status.CURRENT
    _folder(tmp_path)
    modules.sync(db, SYSTEM, folder)
    (standing,) = compliance.standings(db, clock.today(), staff_ids=[person.id])
    assert standing.lines[0].status is Status.NOT_YET_DUE
