"""The training demo on the small demo organisation: every demo account on the staff list with
its induction done (so the induction gate leaves their cases open), the new starter with
theirs outstanding, completions from every source, an organisation mostly but not wholly
compliant, and seeding it twice adding nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.demo import service
from steward.demo import training as demo_training
from steward.demo.organisation import DemoOrganisation
from steward.demo.training_files import hr_csv, moodle_csv, xapi_json
from steward.demo.training_plan import Account, TrainingPlan
from steward.records.models import Case, CaseAssignment, CaseStatus
from steward.training.models import Attempt, Completion, Course, Requirement, StaffMember
from steward.training.policy import EmploymentType, RequirementKind, Source, Status
from steward.training.service import compliance, gate, manual, team
from steward.training.service import staff as staff_service
from tests.demo.conftest import CASES, SEED, TODAY, Seeded

STAFF_ACCOUNTS = [a.username for a in service.DEMO_ACCOUNTS if a.role is not Role.PARTNER]


@pytest.fixture(scope="module")
def trained(seeded: Seeded, keyring: FileKeyring) -> demo_training.TrainingDemo:
    organisation = DemoOrganisation(
        today=TODAY, seed=SEED, cases=CASES, caseworkers=service.demo_caseworkers()
    )
    names = {member.username: member.name for member in organisation.staff}
    result = demo_training.prepare(seeded.factory, keyring, seed=SEED, names=names)
    assert result is not None
    return result


def _user(db: Session, username: str) -> auth.User:
    user = db.scalar(select(auth.User).where(auth.User.username == username))
    assert user is not None, username
    return user


def _completions(db: Session, staff_id: int, code: str) -> list[Completion]:
    return list(
        db.scalars(
            select(Completion)
            .join(Course, Course.id == Completion.course_id)
            .where(Completion.staff_id == staff_id, Course.code == code)
        )
    )


def test_every_staff_account_is_on_the_staff_list_with_induction_done(
    trained: demo_training.TrainingDemo, seeded: Seeded, demo_db: Session
) -> None:
    organisation = DemoOrganisation(
        today=TODAY, seed=SEED, cases=CASES, caseworkers=service.demo_caseworkers()
    )
    names = {member.username: member.name for member in organisation.staff}
    for username in [*STAFF_ACCOUNTS, *seeded.staff]:
        if username == "new-starter":
            continue
        user = _user(demo_db, username)
        person = staff_service.for_user(demo_db, user.id)
        assert person is not None, f"{username} has no staff record"
        assert _completions(demo_db, person.id, "DP-INDUCTION"), username
        assert not gate.state(demo_db, user.id).closed, f"the gate is closed to {username}"
        if username in names:  # signed their documents with the name HR holds
            assert person.name == names[username]
    partner = _user(demo_db, "partner")
    assert staff_service.for_user(demo_db, partner.id) is None


def test_the_new_starter_has_induction_outstanding_and_two_cases_to_reach(
    trained: demo_training.TrainingDemo, demo_db: Session
) -> None:
    user = _user(demo_db, "new-starter")
    person = staff_service.for_user(demo_db, user.id)
    assert person is not None and person.team == "north"
    assert (clock.today() - person.start_date).days < gate.current_policy(demo_db).induction_days
    assert not demo_db.scalars(select(Completion).where(Completion.staff_id == person.id)).all()
    closed = gate.state(demo_db, user.id)
    assert [c.code for c in closed.courses] == ["DP-INDUCTION"]
    assert closed.courses[0].module_slug == "data-protection-induction"
    (standing,) = compliance.standings(demo_db, clock.today(), staff_ids=[person.id])
    assert standing.in_window and not standing.missing
    cases = demo_db.scalars(
        select(Case).join(CaseAssignment).where(CaseAssignment.user_id == user.id)
    ).all()
    assert len(cases) == 2 and all(c.status == CaseStatus.OPEN for c in cases)
    lead = staff_service.for_user(demo_db, _user(demo_db, "manager").id)
    assert lead is not None and person.manager_id == lead.id


def test_completions_come_from_every_source(
    trained: demo_training.TrainingDemo, demo_db: Session, keyring: FileKeyring
) -> None:
    sources = Counter(demo_db.scalars(select(Completion.source)))
    assert set(sources) == {s.value for s in Source}
    assert all(count >= 20 for count in sources.values()), sources
    assert dict(trained.completions) == dict(sources)
    # Every e-learning completion was earned by a passed attempt; some attempts failed.
    elearning = demo_db.scalars(
        select(Completion).where(Completion.source == Source.E_LEARNING.value)
    ).all()
    assert all(c.attempt_id is not None for c in elearning)
    passed = Counter(demo_db.scalars(select(Attempt.passed)))
    assert passed[True] >= len(elearning) and passed[False] > 0
    # The demo accounts took their modules in Steward, the clock set to the day.
    caseworker = staff_service.for_user(demo_db, _user(demo_db, "caseworker").id)
    assert caseworker is not None
    mine = demo_db.scalars(select(Attempt).where(Attempt.staff_id == caseworker.id)).all()
    assert mine and all(a.submitted_at is not None for a in mine)
    # Classroom sessions carry their attendance sheet; the manager recorded their own team's.
    sessions = demo_db.scalars(
        select(Completion).where(Completion.source == Source.MANUAL.value)
    ).all()
    assert all(c.evidence_sealed is not None for c in sessions)
    manager = _user(demo_db, "manager")
    assert {c.recorded_by_user_id for c in sessions} >= {manager.id, _user(demo_db, "admin").id}
    theirs = next(c.id for c in sessions if c.recorded_by_user_id == manager.id)
    sheet = manual.evidence(demo_db, keyring, manager.actor, theirs)
    assert sheet.media_type == "application/pdf" and b"Attendance sheet" in sheet.data
    # The LMS history spans the last two years and more.
    first = demo_db.scalar(select(func.min(Completion.completed_on)))
    assert first is not None and (clock.today() - first).days > 2 * 365


def test_the_organisation_is_mostly_but_not_wholly_compliant(
    trained: demo_training.TrainingDemo, demo_db: Session
) -> None:
    today = clock.today()
    standings = compliance.standings(demo_db, today)
    counted = [s for s in standings if not s.in_window]
    percent = 100 * sum(s.compliant for s in counted) / len(counted)
    assert 75 <= percent <= 97
    assert trained.compliant_percent == round(percent, 1)
    assert 250 <= len(standings) <= 350
    statuses = Counter(line.status for s in standings for line in s.lines)
    for status in Status:
        assert statuses[status] > 0, status
    assert any(not s.in_window for s in standings) and any(s.in_window for s in standings)
    assert {s.employment_type for s in standings} == {t.value for t in EmploymentType}
    assert len({s.team for s in standings}) >= 6
    # Leavers are on the list with their history but in no figure.
    leavers = demo_db.scalars(select(StaffMember.id).where(StaffMember.leaving_date <= today)).all()
    assert len(leavers) >= 20
    assert not set(leavers) & {s.staff_id for s in standings}
    kinds = set(demo_db.scalars(select(Requirement.kind)))
    assert kinds == {k.value for k in RequirementKind}


def test_the_manager_has_a_team_with_someone_overdue(
    trained: demo_training.TrainingDemo, demo_db: Session
) -> None:
    manager = _user(demo_db, "manager")
    mine = team.team(demo_db, manager.actor, as_of=clock.today())
    names = {m.standing.staff_id for m in mine.members.items}
    for username in ("caseworker", "new-starter"):
        person = staff_service.for_user(demo_db, _user(demo_db, username).id)
        assert person is not None and person.id in names
    assert mine.overdue >= 2 and mine.due_soon >= 1
    assert len(mine.members.items) >= 10


def test_the_audit_trail_holds(trained: demo_training.TrainingDemo, demo_db: Session) -> None:
    assert audit.verify(demo_db).ok


def test_seeding_again_adds_nothing(
    trained: demo_training.TrainingDemo, seeded: Seeded, demo_db: Session, keyring: FileKeyring
) -> None:
    tables = (StaffMember, Course, Requirement, Completion, Attempt, CaseAssignment)

    def counts() -> list[int]:
        return [demo_db.scalar(select(func.count()).select_from(t)) or 0 for t in tables]

    before = counts()
    assert demo_training.prepare(seeded.factory, keyring, seed=SEED) is None
    demo_db.expire_all()
    assert counts() == before


def test_the_same_seed_plans_the_same_files() -> None:
    accounts = [
        Account("caseworker", Role.CASEWORKER, "north", "Ruth Smith"),
        Account("manager", Role.MANAGER, "north"),
        Account("new-starter", Role.CASEWORKER, "north"),
    ]

    def files(seed: int) -> tuple[bytes, bytes, bytes]:
        plan = TrainingPlan(today=TODAY, seed=seed, accounts=accounts)
        return hr_csv(plan), moodle_csv(plan), xapi_json(plan)

    assert files(SEED) == files(SEED)
    other = files(SEED + 1)
    assert all(a != b for a, b in zip(files(SEED), other, strict=True))
