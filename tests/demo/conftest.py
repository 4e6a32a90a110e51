"""One small demo organisation, seeded once for the module that asks for it.

Seeding runs the real services (accounts, Argon2 hashes, sealing, indexing, audit), so it is
done once per module on its own connection inside an outer transaction that is rolled back
at the end; each test gets a session that joins it through a savepoint, so whatever a test
reads or writes (read events, break-glass) is undone after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth
from steward.core.config import Environment
from steward.core.crypto import FileKeyring
from steward.core.db import session_scope
from steward.core.permissions import Actor
from steward.demo import service
from steward.demo.organisation import CasePlan, DemoOrganisation
from steward.demo.records import batched
from steward.records.service import run_pending
from tests.cli.conftest import cli, fresh_cli  # noqa: F401 - the CLI fixtures, for test_cli
from tests.records import samples

SEED = 20_260_501
CASES = 60
TODAY = date(2026, 5, 1)


@dataclass
class Seeded:
    connection: Connection
    factory: sessionmaker[Session]
    plans: list[CasePlan]
    person_ids: dict[str, int]
    staff: list[str]

    def user(self, db: Session, username: str) -> auth.User:
        user = db.scalar(select(auth.User).where(auth.User.username == username))
        assert user is not None
        return user


@pytest.fixture(scope="module")
def seeded(engine: Engine, keyring: FileKeyring) -> Iterator[Seeded]:
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    actor = Actor.system()
    with session_scope(factory) as db:
        service.seed(db, actor, environment=Environment.TEST)
    with session_scope(factory) as db:
        started = service.start_records(
            db, keyring, actor, environment=Environment.TEST, cases=CASES, seed=SEED, today=TODAY
        )
    assert started is not None
    organisation, loader = started
    # The same plans again, from a second organisation with the same seed: a test compares.
    plans = list(
        DemoOrganisation(
            today=TODAY, seed=SEED, cases=CASES, caseworkers=service.demo_caseworkers()
        ).case_plans()
    )
    # Small batches, so people recorded in one transaction are parties in later ones.
    for batch in batched(organisation.case_plans(), 17):
        with session_scope(factory) as db:
            loader.load(db, batch)
    # The documents' text, as `steward serve` extracts it after seeding (in this process:
    # the content is our own, and a child per document would cost minutes here).
    run_pending(factory, keyring, extractor=samples.in_process_extractor)
    try:
        yield Seeded(
            connection,
            factory,
            plans,
            dict(loader.person_ids),
            [member.username for member in organisation.staff],
        )
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def demo_db(seeded: Seeded) -> Iterator[Session]:
    session = seeded.factory()
    try:
        yield session
    finally:
        session.close()
