"""A member of staff on the demo site whose induction is outstanding, for the browser tests
of the induction gate's pages (the demo's own staff have done theirs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, select

from steward.core import auth, clock
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import service as records
from steward.records.models import Case
from steward.training.models import Course, CourseVersion, Requirement, StaffMember
from steward.training.policy import RequirementKind
from tests.factories.training import make_course, make_requirement, make_staff

USERNAME = "new-starter-gated"
CODE = "A11Y-INDUCTION"


@contextmanager
def gated_starter(data_dir: Path, password: str) -> Iterator[tuple[str, int]]:
    """(username, a case assigned to them) while an induction they have not done is
    required; afterwards the requirement, its course and the staff record are gone again,
    so the rest of the demo site is as it was."""
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    user_id: int | None = None
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            user = db.scalar(select(auth.User).where(auth.User.username == USERNAME))
            if user is None:
                user = auth.create_user(
                    db, Actor.system(), username=USERNAME, role=Role.CASEWORKER, password=password
                )
            case_id = db.scalars(select(Case.id).order_by(Case.id).limit(1)).one()
            records.assign(db, Actor.system(), case_id=case_id, user_id=user.id)
            make_staff(db, user_id=user.id, start_date=clock.today(), name="New Starter")
            course = make_course(
                db,
                code=CODE,
                title="Data protection induction (accessibility check)",
                module_slug="data-protection-induction",
                validity_months=None,
            )
            make_requirement(db, course, kind=RequirementKind.INDUCTION, due_within_days=5)
            user_id = user.id
        yield USERNAME, case_id
    finally:
        with session_scope(make_sessionmaker(engine)) as db:
            course_ids = select(Course.id).where(Course.code == CODE).scalar_subquery()
            db.execute(delete(Requirement).where(Requirement.course_id == course_ids))
            db.execute(delete(CourseVersion).where(CourseVersion.course_id == course_ids))
            db.execute(delete(Course).where(Course.code == CODE))
            if user_id is not None:
                db.execute(delete(StaffMember).where(StaffMember.user_id == user_id))
        engine.dispose()
