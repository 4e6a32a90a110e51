"""Seed a development or test installation with demo staff accounts and a synthetic
organisation's case records.

Everything here is invented. Production refuses it: demo accounts share one published
password, and demo cases would mix with real ones.

The order a seed runs in (see ``steward demo seed`` and docs/demo.md): the demo accounts
(one transaction), then ``start_records`` (synthetic caseworkers, one transaction), then the
cases in batches, each batch its own transaction holding whole cases only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyotp
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.config import Environment
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Forbidden
from steward.core.permissions import Actor, Permission, Role
from steward.demo.organisation import DEFAULT_CASES as DEFAULT_CASES
from steward.demo.organisation import DEFAULT_SEED as DEFAULT_SEED
from steward.demo.organisation import DemoOrganisation
from steward.demo.records import CaseLoader
from steward.intake.models import Submission, SubmissionRow
from steward.intake.policy import RowOutcome
from steward.intake.service import partners as intake_partners
from steward.records import service as records
from steward.records.models import Case, CaseAssignment, CaseStatus, Document, Person

# Cases per transaction: an interrupted seed keeps whole cases only, and a batch is small
# enough that a failure costs little, large enough that commits do not dominate.
BATCH_CASES = 200

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    team: str | None = None
    # A caseworker given a caseload by the case demo; the new starter only shadows two cases
    # (steward.demo.training), so the induction gate can be shown on them.
    caseload: bool = True


# Two caseworkers in different teams, so need-to-know can be seen working: the north manager
# oversees `caseworker` but not `caseworker2`. `new-starter` started a few days ago and has
# not done their induction yet.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("caseworker", Role.CASEWORKER, "north"),
    DemoAccount("caseworker2", Role.CASEWORKER, "south"),
    DemoAccount("manager", Role.MANAGER, "north"),
    DemoAccount("ig-officer", Role.IG_OFFICER),
    DemoAccount("dpo", Role.DPO),
    DemoAccount("admin", Role.ADMIN),
    DemoAccount("auditor", Role.AUDITOR),
    DemoAccount("partner", Role.PARTNER),
    DemoAccount("new-starter", Role.CASEWORKER, "north", caseload=False),
)


@dataclass(frozen=True)
class SeededAccount:
    account: DemoAccount
    created: bool


@dataclass(frozen=True)
class SeedResult:
    skipped: bool
    """True when nothing was seeded because the installation already had accounts or cases."""
    accounts: list[SeededAccount]
    """The demo accounts present after seeding; ``created`` tells which are new."""


def seed(
    db: Session, actor: Actor, *, environment: Environment, if_empty: bool = False
) -> SeedResult:
    """Create the demo accounts that do not exist yet, all with ``DEMO_PASSWORD``.

    ``if_empty``: leave an installation that already has any account or any case untouched,
    so `make run` can call this on every start. A seed that was interrupted has committed its
    accounts (and perhaps some cases), so it counts as not empty: it is never topped up."""
    _refuse_production(environment)
    actor.require(Permission.USERS_MANAGE)
    existing = set(db.scalars(select(auth.User.username)))
    if if_empty and (existing or has_cases(db)):
        present = [SeededAccount(a, created=False) for a in DEMO_ACCOUNTS if a.username in existing]
        return SeedResult(skipped=True, accounts=present)
    seeded = []
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            seeded.append(SeededAccount(account, created=False))
            continue
        auth.create_user(
            db,
            actor,
            username=account.username,
            role=account.role,
            password=DEMO_PASSWORD,
            team=account.team,
        )
        seeded.append(SeededAccount(account, created=True))
    return SeedResult(skipped=False, accounts=seeded)


def _refuse_production(environment: Environment) -> None:
    if environment is Environment.PRODUCTION:
        raise Forbidden("Demo data is never loaded in production (STEWARD_ENV=production).")


def has_cases(db: Session) -> bool:
    return db.scalar(select(Case.id).limit(1)) is not None


def demo_caseworkers() -> list[tuple[str, str]]:
    """(username, team) of the demo accounts that carry a caseload."""
    return [
        (a.username, a.team)
        for a in DEMO_ACCOUNTS
        if a.role is Role.CASEWORKER and a.team and a.caseload
    ]


def start_records(
    db: Session,
    kek: KeyEncryptionKeys,
    actor: Actor,
    *,
    environment: Environment,
    cases: int = DEFAULT_CASES,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
) -> tuple[DemoOrganisation, CaseLoader] | None:
    """Plan the synthetic organisation and create its caseworkers' accounts (with the demo
    password); the cases themselves are then loaded in batches by the returned loader.

    None when the installation already has cases: demo cases are only ever added to an
    installation that has none, so they never mix with real or partly seeded ones."""
    _refuse_production(environment)
    actor.require(Permission.USERS_MANAGE)
    actor.require(Permission.CASES_WRITE)
    if has_cases(db):
        return None
    caseworkers = [
        (username, team)
        for username, team in demo_caseworkers()
        if db.scalar(select(auth.User.id).where(auth.User.username == username)) is not None
    ]
    organisation = DemoOrganisation(
        today=today or clock.today(), seed=seed, cases=cases, caseworkers=caseworkers
    )
    records.ensure_default_file_plan(db)
    user_ids: dict[str, int] = {}
    for member in organisation.staff:
        user_id = db.scalar(select(auth.User.id).where(auth.User.username == member.username))
        if user_id is None:
            user_id = auth.create_user(
                db,
                actor,
                username=member.username,
                role=member.role,
                password=DEMO_PASSWORD,
                team=member.team,
            ).id
            _enrol_two_factor(db, kek, actor, user_id)
        user_ids[member.username] = user_id
    return organisation, CaseLoader(kek, actor, user_ids)


def _enrol_two_factor(db: Session, kek: KeyEncryptionKeys, actor: Actor, user_id: int) -> None:
    """The organisation's staff (not the demo sign-ins, which a visitor uses with a password
    alone) have set up two-factor sign-in, as the audit's action plan asked; the secret is
    thrown away, so nobody signs in as them."""
    secret = auth.begin_totp(db, kek, actor, user_id=user_id)
    auth.confirm_totp(db, kek, actor, user_id=user_id, code=pyotp.TOTP(secret).now())


def _partner_sees(db: Session, actor: Actor) -> str:
    partner = intake_partners.partner_of(db, actor)
    if partner is None:
        return "no case content; not yet linked to a partner organisation"
    sent = db.scalar(
        select(func.count()).select_from(Submission).where(Submission.partner_id == partner.id)
    )
    return f"the {sent or 0:,} submissions of {partner.name}, no case content"


def _held_rows(db: Session) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(SubmissionRow)
            .where(SubmissionRow.outcome == RowOutcome.QUARANTINED)
        )
        or 0
    )


@dataclass(frozen=True)
class AccountView:
    username: str
    role: Role
    team: str | None
    sees: str


@dataclass(frozen=True)
class Summary:
    cases: int
    open_cases: int
    persons: int
    documents: int
    staff: int
    accounts: list[AccountView]


def summary(db: Session) -> Summary:
    """What the installation holds, and what each demo account sees of it. Counts only:
    nothing is read, so nothing is recorded as read."""

    def count(query: Select[int]) -> int:
        return db.scalar(query) or 0

    cases = count(select(func.count()).select_from(Case))
    views = []
    for account in DEMO_ACCOUNTS:
        user = db.scalar(select(auth.User).where(auth.User.username == account.username))
        if user is None:
            continue
        actor = user.actor
        if records.induction_outstanding(db, actor):
            sees = "no case content until their induction is complete"
        elif actor.can(Permission.CASES_READ_ALL):
            sees = f"all {cases:,} cases, for their duties"
        elif actor.can(Permission.CASES_READ_ASSIGNED):
            assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == user.id)
            mine = count(select(func.count()).select_from(Case).where(Case.id.in_(assigned)))
            mine_open = count(
                select(func.count())
                .select_from(Case)
                .where(Case.id.in_(assigned), Case.status == CaseStatus.OPEN)
            )
            sees = f"{mine:,} assigned cases ({mine_open:,} open)"
            if actor.can(Permission.CASES_READ_TEAM) and user.team:
                visible = count(
                    select(func.count()).select_from(Case).where(records.visible_cases(db, actor))
                )
                sees = f"{visible:,} cases of team {user.team}" + (f", {sees}" if mine else "")
        elif actor.can(Permission.INTAKE_SUBMIT):
            sees = _partner_sees(db, actor)
        elif actor.can(Permission.AUDIT_READ):
            events = count(select(func.count()).select_from(audit.AuditEvent))
            sees = f"the audit trail ({events:,} events), no case content"
        else:
            sees = "no case content"
        if actor.can(Permission.INTAKE_REVIEW) and (held := _held_rows(db)):
            sees += f"; {held:,} partner rows held for review"
        views.append(AccountView(account.username, account.role, account.team, sees))
    return Summary(
        cases=cases,
        open_cases=count(
            select(func.count()).select_from(Case).where(Case.status == CaseStatus.OPEN)
        ),
        persons=count(select(func.count()).select_from(Person)),
        documents=count(select(func.count()).select_from(Document)),
        staff=count(select(func.count()).select_from(auth.User)),
        accounts=views,
    )
