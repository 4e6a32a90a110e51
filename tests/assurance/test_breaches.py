"""The breach register's use-cases against the database: reporting (sealed, refused input
changes nothing), triage and decisions, closure's rules, who sees what, links under
need-to-know, the CSV and the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.breaches import register, service
from steward.assurance.breaches.models import Breach, BreachStep
from steward.assurance.breaches.policy import (
    ClockState,
    IcoDecision,
    Kind,
    PeopleDecision,
    Risk,
    Status,
)
from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Role
from tests.assurance.breach_helpers import assessed, at, notified, reported
from tests.factories.core import make_user
from tests.factories.records import make_case, make_person

HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script> ../../etc/passwd"


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Breach)) or 0


def test_any_member_of_staff_reports_and_the_text_is_sealed(
    db: Session, keyring: FileKeyring
) -> None:
    for role in (Role.CASEWORKER, Role.ADMIN, Role.AUDITOR, Role.MANAGER):
        reported(db, keyring, make_user(db, role).actor, description=f"Sent wrongly {role}")
    partner = make_user(db, Role.PARTNER).actor
    with pytest.raises(Forbidden):
        reported(db, keyring, partner)
    row = db.scalars(select(Breach).order_by(Breach.id.desc()).limit(1)).one()
    assert row.description_sealed is not None and b"Sent wrongly" not in row.description_sealed
    assert row.status == Status.REPORTED.value


def test_a_report_with_bad_answers_is_refused_and_nothing_is_kept(
    db: Session, keyring: FileKeyring
) -> None:
    actor = make_user(db).actor
    before = _count(db)
    with pytest.raises(ValidationFailed) as refused:
        service.report(
            db,
            keyring,
            actor,
            service.ReportIn(
                description=" ",
                discovered_at=clock.now() + timedelta(days=1),
                data_involved="",
                people_affected=-1,
            ),
        )
    assert set(refused.value.errors) == {
        "description",
        "discovered_at",
        "data_involved",
        "people_affected",
    }
    assert _count(db) == before


def test_the_reporter_sees_their_own_reports_and_nobody_elses(
    db: Session, keyring: FileKeyring
) -> None:
    mine_user, other = make_user(db).actor, make_user(db).actor
    mine = reported(db, keyring, mine_user, description="Mine")
    theirs = reported(db, keyring, other, description="Theirs")
    listed = service.mine(db, mine_user, PageRequest())
    assert [r.id for r in listed.items] == [mine.id]
    assert register.reporters_view(db, keyring, mine_user, mine.id)[1]["description"] == "Mine"
    with pytest.raises(NotFound):
        register.reporters_view(db, keyring, mine_user, theirs.id)
    # A caseworker cannot read the register nor a breach's record.
    with pytest.raises(Forbidden):
        register.register(db, mine_user, register.RegisterFilter(), PageRequest())
    with pytest.raises(Forbidden):
        register.detail(db, keyring, mine_user, mine.id)
    with pytest.raises(Forbidden):
        assessed(db, keyring, mine_user, mine)


def test_triage_decide_and_close_with_a_timeline(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    breach = reported(db, keyring, make_user(db).actor)
    assessed(db, keyring, officer, breach, risk=Risk.HIGH)
    notified(db, keyring, officer, breach, clock.now())
    with pytest.raises(ValidationFailed) as refused:
        service.close(db, keyring, officer, breach.id, "Check addresses twice")
    assert set(refused.value.errors) == {"people"}
    service.decide_people(
        db,
        keyring,
        officer,
        breach.id,
        service.PeopleDecisionIn(decision=PeopleDecision.TOLD, told_on=clock.today()),
    )
    service.close(db, keyring, officer, breach.id, "Check addresses twice")
    assert breach.status == Status.CLOSED.value and breach.closed_at is not None
    steps = db.scalars(select(BreachStep.step).where(BreachStep.breach_id == breach.id)).all()
    assert steps == ["reported", "assessed", "ico_notified", "people_told", "closed"]
    with pytest.raises(InvalidTransition):
        service.close(db, keyring, officer, breach.id, "Again")
    with pytest.raises(InvalidTransition):
        assessed(db, keyring, officer, breach)
    tags = db.scalars(
        select(AuditEvent.tag).where(
            AuditEvent.subject_type == "breach", AuditEvent.subject_id == str(breach.id)
        )
    ).all()
    assert "breach:closed" in tags and "breach:ico:decided" in tags


def test_not_notifying_needs_a_reason_and_a_low_risk(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.DPO).actor
    breach = assessed(
        db, keyring, officer, reported(db, keyring, make_user(db).actor), risk=Risk.RISK
    )
    refuse = service.IcoDecisionIn(decision=IcoDecision.NOT_NOTIFIED, reason="")
    with pytest.raises(ValidationFailed) as refused:
        service.decide_ico(db, keyring, officer, breach.id, refuse)
    assert set(refused.value.errors) == {"decision", "reason"}
    assert breach.ico_decision is None
    assessed(db, keyring, officer, breach, risk=Risk.UNLIKELY)
    service.decide_ico(
        db,
        keyring,
        officer,
        breach.id,
        service.IcoDecisionIn(decision=IcoDecision.NOT_NOTIFIED, reason="Encrypted, recovered"),
    )
    assert breach.ico_decision == IcoDecision.NOT_NOTIFIED.value
    detail = register.detail(db, keyring, officer, breach.id)
    assert detail.texts["ico_reason"] == "Encrypted, recovered"
    assert detail.row.clock.state is ClockState.NOT_NOTIFIED


def test_the_auditor_reads_decisions_but_not_the_narrative(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    breach = assessed(db, keyring, officer, reported(db, keyring, make_user(db).actor))
    auditor = make_user(db, Role.AUDITOR).actor
    seen = register.detail(db, keyring, auditor, breach.id)
    assert seen.texts["description"] == service.WITHHELD and not seen.can_manage
    assert (
        register.detail(db, keyring, officer, breach.id)
        .texts["description"]
        .startswith("Court report")
    )
    assert register.register(db, auditor, register.RegisterFilter(), PageRequest()).total >= 1
    with pytest.raises(Forbidden):
        service.close(db, keyring, auditor, breach.id, "x")


def test_linked_cases_are_named_only_to_those_who_may_read_them(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    case = make_case(db, keyring)
    breach = reported(db, keyring, make_user(db).actor)
    service.link(db, officer, breach.id, case_number=case.case_number)
    service.link(db, officer, breach.id, case_number=case.case_number)  # once only
    officer_view = register.detail(db, keyring, officer, breach.id)
    assert [x.label for x in officer_view.links] == [case.case_number]
    auditor_view = register.detail(db, keyring, make_user(db, Role.AUDITOR).actor, breach.id)
    assert auditor_view.links == [] and auditor_view.hidden_links == 1
    with pytest.raises(ValidationFailed):
        service.link(db, officer, breach.id, case_number="NO-SUCH-CASE")
    with pytest.raises(ValidationFailed):
        service.link(db, officer, breach.id, person_id=99_999_999)


def test_the_register_filters_and_the_csv_neutralises_formulas(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    reporter = make_user(db).actor
    with clock.frozen(at(2026, 3, 2, 10, 0)):
        overdue = assessed(db, keyring, officer, reported(db, keyring, reporter))
        told = assessed(db, keyring, officer, reported(db, keyring, reporter, description=HOSTILE))
        notified(db, keyring, officer, told, clock.now())
    with clock.frozen(at(2026, 3, 6, 10, 0)):
        every = register.RegisterFilter()
        ids = lambda f: {r.id for r in register.register(db, officer, f, PageRequest()).items}  # noqa: E731
        assert overdue.id in ids(register.RegisterFilter(clock="overdue"))
        assert told.id not in ids(register.RegisterFilter(clock="overdue"))
        assert told.id in ids(register.RegisterFilter(notified="yes"))
        assert overdue.id in ids(register.RegisterFilter(notified="undecided"))
        assert {overdue.id, told.id} <= ids(every)
        rows = list(register.export(db, officer, every))
    assert rows[0] == register.CSV_HEADER
    flat = "\n".join(",".join(r) for r in rows)
    assert "<script>" not in flat and "cmd|" not in flat  # no narrative in the CSV at all
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    with pytest.raises(ValidationFailed):
        register.RegisterFilter(status="=cmd|")


def test_breach_summary_counts_the_last_twelve_months(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    reporter = make_user(db).actor
    before = register.breach_summary(db, at(2026, 6, 30, 0, 0).date())
    with clock.frozen(at(2026, 6, 1, 9, 0)):
        on_time = assessed(db, keyring, officer, reported(db, keyring, reporter))
        notified(db, keyring, officer, on_time, clock.now() + timedelta(hours=0))
        late = assessed(db, keyring, officer, reported(db, keyring, reporter))
        open_one = assessed(db, keyring, officer, reported(db, keyring, reporter))
        near = assessed(db, keyring, officer, reported(db, keyring, reporter), kind=Kind.NEAR_MISS)
        low = assessed(db, keyring, officer, reported(db, keyring, reporter), risk=Risk.UNLIKELY)
        service.decide_ico(
            db,
            keyring,
            officer,
            low.id,
            service.IcoDecisionIn(decision=IcoDecision.NOT_NOTIFIED, reason="No risk"),
        )
    with clock.frozen(at(2026, 6, 10, 9, 0)):
        service.decide_ico(
            db,
            keyring,
            officer,
            late.id,
            service.IcoDecisionIn(
                decision=IcoDecision.NOTIFIED,
                notified_at=at(2026, 6, 5, 9, 0),
                reference="IC-2",
                reason="The facts took four days to establish",
            ),
        )
    with clock.frozen(at(2026, 7, 1, 12, 0)):
        found = register.breach_summary(db, at(2026, 6, 30, 0, 0).date())
    assert found.in_last_12_months - before.in_last_12_months == 5
    assert found.near_misses - before.near_misses == 1
    assert found.notified - before.notified == 2
    assert found.notified_within_72_hours - before.notified_within_72_hours == 1
    assert found.overdue_now - before.overdue_now == 1  # open_one
    assert found.not_notified_with_reason - before.not_notified_with_reason == 1
    assert open_one.ico_decision is None and near.kind == Kind.NEAR_MISS.value
    # A year later none of them counts.
    with clock.frozen(at(2027, 7, 1, 12, 0)):
        later = register.breach_summary(db, at(2027, 6, 30, 0, 0).date())
    assert later.in_last_12_months == 0


def test_linked_people_are_named_only_to_those_who_may_read_them(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    person = make_person(db, "Ada", "Linkwell")
    breach = reported(db, keyring, make_user(db).actor)
    service.link(db, officer, breach.id, person_id=person.id)
    shown = register.detail(db, keyring, officer, breach.id).links
    assert [(x.kind, x.label, x.href) for x in shown] == [
        ("person", "Ada Linkwell", f"/people/{person.id}")
    ]
    auditor_view = register.detail(db, keyring, make_user(db, Role.AUDITOR).actor, breach.id)
    assert auditor_view.links == [] and auditor_view.hidden_links == 1
    events = db.scalars(select(AuditEvent.details).where(AuditEvent.tag == "breach:linked")).all()
    assert all("Linkwell" not in str(d) for d in events)
