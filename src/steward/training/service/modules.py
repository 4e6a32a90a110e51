"""Putting the built-in modules in the catalogue: a Course per module file (``module_slug``
set), kept in step with the file, and a new CourseVersion released when the file's version
goes up (``requires_redo`` from the file). Running it again changes nothing.

A module's course is found by its slug, else adopted by its code (a course an LMS export
already named DP-INDUCTION, say, becomes the module's); a code another module already uses,
or a version lower than the catalogue's, is refused for that file alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib.abc import Traversable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.permissions import Actor, Permission
from steward.training import module_files
from steward.training.events import TrainingEvent
from steward.training.models import Course, CourseVersion
from steward.training.module_files import Module
from steward.training.policy import Delivery

SUBJECT_TYPE = "training_course"


class Outcome(StrEnum):
    CREATED = "created"
    RELEASED = "released"  # a new version, and any other change with it
    CHANGED = "changed"  # title, pass mark, duration...: the same version
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SyncRow:
    file: str
    outcome: Outcome
    code: str | None = None
    course_id: int | None = None
    version: int | None = None
    requires_redo: bool = False
    changed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SyncResult:
    rows: tuple[SyncRow, ...]

    def count(self, outcome: Outcome) -> int:
        return sum(row.outcome is outcome for row in self.rows)

    @property
    def refused(self) -> tuple[SyncRow, ...]:
        return tuple(row for row in self.rows if row.outcome is Outcome.REFUSED)


def sync(db: Session, actor: Actor, folder: Path | Traversable | None = None) -> SyncResult:
    """Bring the catalogue in step with every module file in ``folder`` (the shipped modules
    by default). A file that cannot be used is reported and changes nothing; the others
    still go in."""
    actor.require(Permission.TRAINING_MANAGE)
    modules, refused = module_files.load_directory(folder or module_files.directory())
    rows = [_refused(exc.name, exc.problems) for exc in refused]
    for module in modules:
        rows.append(_sync_one(db, actor, module))
    return SyncResult(tuple(sorted(rows, key=lambda row: row.file)))


def _refused(name: str, problems: list[str]) -> SyncRow:
    return SyncRow(name, Outcome.REFUSED, problems=tuple(problems))


def _fields(module: Module) -> dict[str, object]:
    """What the file decides about its course."""
    return {
        "title": module.title,
        "topic": module.topic.value,
        "delivery": Delivery.E_LEARNING.value,
        "duration_minutes": module.duration_minutes,
        "description": module.summary,
        "validity_months": module.validity_months,
        "pass_mark": module.pass_mark,
        "module_slug": module.slug,
    }


def _sync_one(db: Session, actor: Actor, module: Module) -> SyncRow:
    file = f"{module.slug}.md"
    course = db.scalar(select(Course).where(Course.module_slug == module.slug))
    by_code = db.scalar(select(Course).where(Course.code == module.code))
    if course is None and by_code is not None and by_code.module_slug not in (None, module.slug):
        return _refused(
            file,
            [
                f"the code {module.code} is already the course of the module "
                f"{by_code.module_slug}; give this module a code of its own"
            ],
        )
    course = course or by_code
    if course is None:
        return _create(db, actor, module)
    if course.code != module.code:
        return _refused(
            file,
            [
                f"this module is the course {course.code}; a course's code cannot change "
                "(LMS records and reports name it), so put the code back"
            ],
        )
    if module.version < course.version:
        return _refused(
            file,
            [
                f"the catalogue already teaches version {course.version}; a module's version "
                "can only go up"
            ],
        )
    changed = tuple(
        name for name, value in _fields(module).items() if getattr(course, name) != value
    )
    for name, value in _fields(module).items():
        setattr(course, name, value)
    if module.version > course.version:
        course.version = module.version
        db.add(
            CourseVersion(
                course_id=course.id,
                version=module.version,
                released_on=clock.today(),
                requires_redo=module.requires_redo,
                note=module.changes,
                released_by_user_id=actor.user_id,
            )
        )
        db.flush()
        audit.record(
            db,
            actor,
            TrainingEvent.COURSE_VERSION_RELEASED,
            subject_type=SUBJECT_TYPE,
            subject_id=course.id,
            details={
                "module": module.slug,
                "version": module.version,
                "requires_redo": module.requires_redo,
                "changed": list(changed),
            },
        )
        return SyncRow(
            file,
            Outcome.RELEASED,
            course.code,
            course.id,
            module.version,
            module.requires_redo,
            changed,
        )
    if not changed:
        return SyncRow(file, Outcome.UNCHANGED, course.code, course.id, course.version)
    db.flush()
    audit.record(
        db,
        actor,
        TrainingEvent.COURSE_CHANGED,
        subject_type=SUBJECT_TYPE,
        subject_id=course.id,
        details={"module": module.slug, "changed": list(changed)},
    )
    return SyncRow(file, Outcome.CHANGED, course.code, course.id, course.version, changed=changed)


def _create(db: Session, actor: Actor, module: Module) -> SyncRow:
    course = Course(
        code=module.code,
        version=module.version,
        lms_ids=[],
        created_at=clock.now(),
        **_fields(module),
    )
    db.add(course)
    db.flush()
    # The course's first version here: nobody has done it in Steward yet, so nothing to redo.
    db.add(
        CourseVersion(
            course_id=course.id,
            version=module.version,
            released_on=clock.today(),
            requires_redo=False,
            note=module.changes or "First release in Steward.",
            released_by_user_id=actor.user_id,
        )
    )
    db.flush()
    audit.record(
        db,
        actor,
        TrainingEvent.COURSE_CREATED,
        subject_type=SUBJECT_TYPE,
        subject_id=course.id,
        details={"module": module.slug, "version": module.version},
    )
    return SyncRow(f"{module.slug}.md", Outcome.CREATED, course.code, course.id, module.version)


def refused_message(row: SyncRow) -> str:
    return f"{row.file}: " + "; ".join(row.problems)
