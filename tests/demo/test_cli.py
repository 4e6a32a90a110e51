"""`steward demo seed` with cases, through the real command on a real, committed database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth, clock
from steward.demo import records as demo_records
from steward.demo import service
from steward.demo.organisation import CasePlan, DemoOrganisation
from steward.intake.models import Partner, Submission
from steward.records.models import Case, Document, Party
from tests.cli.conftest import Cli


def _count(cli: Cli, table: type) -> int:
    with cli.session() as db:
        return db.scalar(select(func.count()).select_from(table)) or 0


def test_seed_creates_cases_and_says_who_sees_what(cli: Cli) -> None:
    result = cli.ok("demo", "seed", "--if-empty", "--cases", "12", "--seed", "5")
    assert "12 cases" in result.stdout
    assert "Demo cases" in result.stdout  # the progress bar
    assert "assigned cases" in result.stdout  # the demo caseworkers' caseloads
    assert "all 12 cases, for their duties" in result.stdout
    assert "Demo training:" in result.stdout  # the staff list and their training
    assert "Demo intake: 3 partners" in result.stdout  # partners, agreements, their files
    assert "new-starter" in result.stdout
    assert service.DEMO_PASSWORD in result.stdout
    assert _count(cli, Case) == 12
    assert _count(cli, Document) >= 24
    with cli.session() as db:
        assert auth.sign_in(
            db, cli.settings, username="caseworker", password=service.DEMO_PASSWORD
        ).user

    partners, submissions = _count(cli, Partner), _count(cli, Submission)
    assert partners == 3
    again = cli.ok("demo", "seed", "--if-empty", "--cases", "12")
    assert "no demo data added" in again.stdout
    assert "The installation holds 12 cases" in again.stdout
    assert _count(cli, Case) == 12
    plain = cli.ok("demo", "seed", "--cases", "12")
    assert "Demo intake" not in plain.stdout
    assert (_count(cli, Partner), _count(cli, Submission)) == (partners, submissions)


def test_the_seed_follows_the_plan_for_its_seed(cli: Cli) -> None:
    cli.ok("demo", "seed", "--cases", "6", "--seed", "42")
    with cli.session() as db:
        first = list(db.scalars(select(Case.case_number).order_by(Case.id)))

    planned = [
        p.case.case_number
        for p in DemoOrganisation(
            today=clock.today(), seed=42, cases=6, caseworkers=service.demo_caseworkers()
        ).case_plans()
    ]
    assert first == planned


def test_an_interrupted_seed_keeps_whole_cases_and_is_not_topped_up(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH_CASES", 3)
    original = demo_records.CaseLoader.load
    calls: list[int] = []

    def crash_on_second_batch(
        self: demo_records.CaseLoader, db: Session, plans: list[CasePlan]
    ) -> demo_records.Loaded:
        calls.append(1)
        if len(calls) == 2:
            original(self, db, plans[:1])  # part of a batch written...
            raise RuntimeError("power cut")  # ...and lost with its transaction
        return original(self, db, plans)

    monkeypatch.setattr(demo_records.CaseLoader, "load", crash_on_second_batch)
    result = cli("demo", "seed", "--cases", "9")
    assert result.exit_code != 0
    assert _count(cli, Case) == 3  # the first batch, whole
    with cli.session() as db:
        for case_id in db.scalars(select(Case.id)):
            assert db.scalar(
                select(func.count()).select_from(Party).where(Party.case_id == case_id)
            )
            assert db.scalar(
                select(func.count()).select_from(Document).where(Document.case_id == case_id)
            )
    monkeypatch.setattr(demo_records.CaseLoader, "load", original)
    skipped = cli.ok("demo", "seed", "--if-empty", "--cases", "9")
    assert "no demo data added" in skipped.stdout
    kept = cli.ok("demo", "seed", "--cases", "9")
    assert "Cases already exist: no demo cases added" in kept.stdout
    assert _count(cli, Case) == 3


def test_production_refuses_demo_cases(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_ENV", "production")
    monkeypatch.setenv("STEWARD_SECRET_KEY", "s" * 40)
    result = cli("demo", "seed", "--cases", "3")
    assert result.exit_code == 1
    assert "never loaded in production" in result.stderr
    monkeypatch.setenv("STEWARD_ENV", "test")
    assert _count(cli, Case) == 0
