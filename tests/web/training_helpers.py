"""A member of staff to take a built-in module on the demo site (browser and accessibility
tests): the modules synced into its catalogue, a new account linked to a staff record, and a
mandatory course that applies to them alone (an induction requirement would close the gate
for every demo account not yet on the staff list, so none is added)."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from steward.core import auth
from steward.core.config import Environment, Settings
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.training import module_files
from steward.training.models import Completion
from steward.training.policy import RequirementKind
from steward.training.service import elearning, modules
from tests.factories.core import DEFAULT_PASSWORD
from tests.factories.training import make_requirement, make_staff

INDUCTION = "data-protection-induction"


def demo_trainee(data_dir: Path, *, name: str = "Rowan Achebe") -> tuple[str, str]:
    """(username, password) of a new caseworker on the demo site who must complete the data
    protection induction module."""
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    job_role = f"Browser trainee {secrets.token_hex(3)}"
    username = f"trainee-{secrets.token_hex(3)}"
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            modules.sync(db, Actor.system())
            user = auth.create_user(
                db,
                Actor.system(),
                username=username,
                role=Role.CASEWORKER,
                password=DEFAULT_PASSWORD,
            )
            make_staff(db, user_id=user.id, name=name, job_role=job_role, start_date=date.today())
            course = elearning.course_of(db, INDUCTION)
            assert course is not None
            make_requirement(
                db,
                course,
                kind=RequirementKind.MANDATORY,
                job_roles=[job_role],
                due_within_days=5,
                starts_on=date(2020, 1, 1),
            )
    finally:
        engine.dispose()
    return username, DEFAULT_PASSWORD


def answer_quiz(page: Any, *, wrong: int) -> None:
    """Answer the induction module's quiz on the open page (the first ``wrong`` questions
    wrongly) and send it."""
    for index, question in enumerate(module_files.shipped()[INDUCTION].questions):
        choice = question.correct_index
        if index < wrong:
            choice = (choice + 1) % len(question.options)
        page.check(f"#{question.id}" if choice == 0 else f"#{question.id}-{choice + 1}")
    # The form posts: wait for the page it leads to, not the load state of the one being left.
    with page.expect_navigation():
        page.click("[data-testid=send]")


def latest_reference(data_dir: Path) -> str:
    """The verification reference of the demo site's latest completion."""
    from sqlalchemy import select

    from steward.training.service import certificates

    settings = Settings(env=Environment.DEVELOPMENT, data_dir=data_dir, database_url=None)
    engine = make_engine(settings)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            latest = db.scalars(select(Completion).order_by(Completion.id.desc()).limit(1)).one()
            return certificates.reference(latest)
    finally:
        engine.dispose()
