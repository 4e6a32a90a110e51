"""Each computed measure against data built to give a known figure, with the edge cases the
DPO relies on: a lawfully extended request is on time against its extended date, a paused
clock is not overdue, a leaver is not counted, someone still in their first window is left
out, an account unused for 90 days is counted once it is older than that."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from steward.archives.models import (
    ArchiveBox,
    ArchiveLocation,
    BoxStatus,
    Retrieval,
    RetrievalStatus,
)
from steward.assurance.breaches import service as breach_service
from steward.assurance.breaches.policy import IcoDecision
from steward.assurance.controls import service
from steward.assurance.controls.measures import MEASURES
from steward.assurance.controls.policy import Rag
from steward.core import clock
from steward.core.crypto import FileKeyring, KeyEncryptionKeys
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.intake.models import Agreement, Partner
from steward.records.models import CaseAssignment
from steward.retention.service import dates, holds
from steward.sar import service as sar
from steward.sar.policy import RequesterType, Status
from steward.training.policy import RequirementKind
from tests.assurance import breach_helpers
from tests.assurance.audits_helpers import make_action, make_attestation, make_audit
from tests.factories.core import make_user
from tests.factories.intake import make_agreement, make_partner, make_submission
from tests.factories.records import make_case
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.retention.helpers import case_with_children, default_schedule
from tests.sar.test_report import _receive, _send, arrange, on

AS_OF = date(2026, 4, 15)
SUBJECT = RequesterType.DATA_SUBJECT


@pytest.fixture(autouse=True)
def mid_april() -> Iterator[None]:
    with clock.frozen(datetime(2026, 4, 15, 12, tzinfo=UTC)):
        yield


def _figure(db: Session, key: str, as_of: date = AS_OF) -> service.Result:
    return service.evaluate(db, MEASURES[key], as_of, service.thresholds(db)[key])


def test_sars_answered_on_time_count_the_extended_date(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    # Five answered in the 12 months: A on time, B extended and on time against its extended
    # date (late against the first), C late, D refused in time, F late. E was withdrawn.
    arrange(db, keyring)
    found = _figure(db, "sar_on_time", date(2026, 3, 31))
    assert found.computed is not None
    assert (found.computed.numerator, found.computed.denominator) == (3, 5)
    assert found.value == 60.0
    assert found.rag is Rag.RED  # default: green at 95%, amber at 85%
    late = [row.cells[0] for row in found.computed.rows]
    assert len(late) == 2  # C and F, by reference; B (extended) is not among them
    assert all(row.href and row.href.startswith("/sar/requests/") for row in found.computed.rows)
    # A year later, none of them falls in the window: nothing counted, not red.
    later = _figure(db, "sar_on_time", date(2027, 4, 1))
    assert later.computed is not None and later.computed.denominator == 0
    assert later.rag is Rag.NONE


def test_open_requests_overdue_leave_out_paused_and_extended(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    handler = make_user(db, Role.IG_OFFICER).actor
    received = date(2026, 3, 2)  # due 2 April
    late = _receive(db, keyring, handler, received, SUBJECT)
    paused = _receive(db, keyring, handler, received, SUBJECT)
    extended = _receive(db, keyring, handler, received, SUBJECT)
    paused_then_answered = _receive(db, keyring, handler, received, SUBJECT)
    answered = _receive(db, keyring, handler, received, SUBJECT)
    with on(date(2026, 3, 5)):
        sar.move(db, keyring, handler, late, Status.SEARCHING)
        sar.ask_clarification(db, handler, paused)  # still awaited: the clock is stopped
        sar.move(db, keyring, handler, extended, Status.SEARCHING)
        sar.extend(db, keyring, handler, extended, reasons="Complex: many records")
        sar.ask_clarification(db, handler, paused_then_answered)
    with on(date(2026, 3, 30)):
        # Stopped 5 to 30 March: 26 days added to the deadline, so not yet due on 15 April.
        sar.clarification_answered(db, handler, paused_then_answered)
    _send(db, keyring, handler, make_user(db, Role.DPO).actor, answered, date(2026, 4, 10))

    found = _figure(db, "sar_overdue_open")
    assert found.computed is not None
    assert found.computed.count == 1
    reference = sar.get(db, handler, late).reference
    assert found.computed.rows[0].cells[0] == reference
    assert found.computed.rows[0].cells[-1] == "13"  # due 2 April, 13 days before 15 April
    assert found.rag is Rag.RED
    # Before the due date nothing was overdue.
    assert _figure(db, "sar_overdue_open", date(2026, 4, 1)).computed.count == 0  # type: ignore[union-attr]


def test_staff_with_current_training_leave_out_leavers_and_those_in_their_window(
    db: Session,
) -> None:
    course = make_course(db, validity_months=12)
    make_requirement(db, course, due_within_days=30)
    current = make_staff(db, name="Ada Current")
    complete(db, current, course, date(2026, 1, 10))
    lapsed = make_staff(db, name="Bea Lapsed")
    complete(db, lapsed, course, date(2024, 1, 10))
    leaver = make_staff(db, name="Cal Leaver", leaving_date=date(2026, 3, 1))
    complete(db, leaver, course, date(2024, 1, 10))
    make_staff(db, name="Dee Starter", start_date=date(2026, 4, 1))  # 30 days to do it

    found = _figure(db, "training_current")
    assert found.computed is not None
    assert (found.computed.numerator, found.computed.denominator) == (1, 2)
    assert [row.cells[1] for row in found.computed.rows] == ["Bea Lapsed"]
    assert found.rag is Rag.RED


def test_starters_with_case_access_before_induction(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    induction = make_course(db, validity_months=None)
    make_requirement(db, induction, kind=RequirementKind.INDUCTION, due_within_days=10)
    case = make_case(db, keyring)

    def starter(name: str, *, done: bool, assigned: bool, leaving: date | None = None) -> None:
        user = make_user(db, Role.CASEWORKER)
        staff = make_staff(
            db, name=name, start_date=date(2026, 4, 1), user_id=user.id, leaving_date=leaving
        )
        if done:
            complete(db, staff, induction, date(2026, 4, 2))
        if assigned:
            db.add(CaseAssignment(case_id=case.id, user_id=user.id, assigned_at=clock.now()))
            db.flush()

    starter("Eve Early", done=False, assigned=True)  # the gap the measure is for
    starter("Fay Inducted", done=True, assigned=True)
    starter("Gus Unassigned", done=False, assigned=False)
    starter("Hal Left", done=False, assigned=True, leaving=date(2026, 4, 10))

    found = _figure(db, "starters_before_induction")
    assert found.computed is not None
    assert found.computed.count == 1
    assert found.computed.rows[0].cells[1] == "Eve Early"
    assert found.computed.rows[0].cells[3] == "1"
    assert found.rag is Rag.RED  # the target is none


def test_accounts_with_two_factor_and_unused(db: Session) -> None:
    before = MEASURES["accounts_two_factor"].compute(db, AS_OF)  # type: ignore[misc]
    unused_before = MEASURES["accounts_unused"].compute(db, AS_OF).count  # type: ignore[misc]

    with clock.frozen(datetime(2025, 1, 1, tzinfo=UTC)):
        old = [make_user(db, Role.CASEWORKER) for _ in range(3)]
    old[0].totp_enabled = True
    old[0].last_signin_at = datetime(2026, 4, 1, tzinfo=UTC)  # used recently
    old[1].last_signin_at = datetime(2025, 12, 1, tzinfo=UTC)  # unused for 135 days
    # old[2] never signed in, and is older than 90 days: unused
    new = make_user(db, Role.CASEWORKER)  # created today, never signed in: not yet unused
    closed = make_user(db, Role.CASEWORKER)
    closed.is_active = False  # a closed account counts in neither
    db.flush()
    assert new.last_signin_at is None

    after = MEASURES["accounts_two_factor"].compute(db, AS_OF)  # type: ignore[misc]
    assert after.numerator == before.numerator + 1  # type: ignore[operator]
    assert after.denominator == before.denominator + 4  # type: ignore[operator]
    unused = MEASURES["accounts_unused"].compute(db, AS_OF)  # type: ignore[misc]
    assert unused.count == unused_before + 2  # type: ignore[operator]
    names = {row.cells[0] for row in unused.rows}
    assert {old[1].username, old[2].username} <= names
    assert old[0].username not in names and new.username not in names
    assert closed.username not in names


def test_a_key_without_a_function_is_not_measured_yet(db: Session) -> None:
    unwired = dataclasses.replace(MEASURES["disposals_certified"], compute=None)
    found = service.evaluate(db, unwired, AS_OF, unwired.defaults)
    assert found.rag is Rag.NOT_MEASURED and found.computed is None
    assert found.shown == "Not measured yet"


def test_the_dashboard_groups_measures_by_area_with_a_trend(db: Session) -> None:
    dpo = make_user(db, Role.DPO).actor
    board = service.dashboard(db, dpo, AS_OF)
    areas = {a.area.value: [r.measure.key for r in a.results] for a in board.areas}
    assert areas["requests"] == ["sar_on_time", "sar_overdue_open"]
    assert "accounts_two_factor" in areas["security"]
    assert "breaches_within_72h" in areas["breaches"]
    assert [t.measure.key for t in board.trends] == [
        "training_current",
        "sar_on_time",
        "accounts_two_factor",
    ]
    assert all(len(t.points) == 12 for t in board.trends)
    assert board.trends[0].points[-1].on == AS_OF
    assert board.trends[0].points[0].on == date(2025, 5, 31)


def test_need_to_know_the_rows_behind_a_figure(db: Session) -> None:
    auditor = make_user(db, Role.AUDITOR).actor
    # The auditor does not handle requests: they see the count, not the references.
    found = service.drilldown(db, auditor, "sar_overdue_open", AS_OF, service.PageRequest())
    assert not found.may_see_rows and found.rows is None
    with pytest.raises(Forbidden):
        service.export(db, auditor, "sar_overdue_open", AS_OF)
    # The audit trail's reader sees the accounts behind an account measure.
    assert service.drilldown(db, auditor, "accounts_unused", AS_OF, service.PageRequest()).rows
    with pytest.raises(Forbidden):
        service.dashboard(db, make_user(db, Role.CASEWORKER).actor, AS_OF)


def test_a_date_in_the_future_is_refused(db: Session) -> None:
    dpo = make_user(db, Role.DPO).actor
    with pytest.raises(ValidationFailed, match="future"):
        service.dashboard(db, dpo, AS_OF + timedelta(days=1))


def test_records_past_disposal_leave_out_held_ones_and_undatable_are_counted(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)
    long_past = case_with_children(db, keyring, date(1985, 1, 1))
    held = case_with_children(db, keyring, date(1985, 1, 1))
    # Not due for years, and held too: the held are taken off only where past their date.
    later = case_with_children(db, keyring, date(2020, 1, 1))
    case_with_children(db, keyring, None)  # a child with no date of birth: cannot be dated
    dates.sweep(db, Actor.system())
    holds.place_hold(
        db,
        Actor.system(),
        keyring,
        kind="litigation",
        scope="case",
        targets=[held.case_number.lower(), later.case_number],
        reason="Claim issued",
    )
    found = _figure(db, "records_past_disposal")
    assert found.computed is not None
    past = [row.cells[0] for row in found.computed.rows]
    assert long_past.case_number in past and held.case_number not in past
    assert found.computed.count == len(past)
    assert "days past its date" in found.computed.note
    assert found.rag is not Rag.GREEN
    undatable = _figure(db, "records_undatable")
    assert undatable.computed is not None and undatable.computed.count >= 1
    assert all(row.cells[2] == "Cannot be dated" for row in undatable.computed.rows)
    # The dashboard's figure alone is the drill-down's figure, without reading the rows.
    for key in ("records_past_disposal", "records_undatable"):
        full = _figure(db, key)
        alone = service.evaluate(db, MEASURES[key], AS_OF, full.thresholds, rows=False)
        assert full.computed is not None and alone.computed is not None
        assert (alone.value, alone.computed.note, alone.rag) == (
            full.value,
            full.computed.note,
            full.rag,
        )
        assert full.computed.rows and alone.computed.rows == []


def test_paper_boxes_located_and_files_out_longer_than_30_days(db: Session) -> None:
    def box(barcode: str, *, located: bool, destroyed: bool = False) -> ArchiveBox:
        found = ArchiveBox(
            barcode=barcode,
            location_id=place.id if located else None,
            status=BoxStatus.DESTROYED if destroyed else BoxStatus.ON_SITE,
            created_at=clock.now() - timedelta(days=400),
            updated_at=clock.now(),
        )
        db.add(found)
        db.flush()
        return found

    place = ArchiveLocation(code="STORE-A", kind="on_site", created_at=clock.now())
    db.add(place)
    db.flush()
    box("BX-1", located=True)
    box("BX-2", located=True)
    lost = box("BX-LOST", located=False)
    box("BX-GONE", located=False, destroyed=True)  # destroyed: no longer held
    located = _figure(db, "boxes_located")
    assert located.computed is not None
    assert (located.computed.numerator, located.computed.denominator) == (2, 3)
    assert located.computed.rows[0].cells == ("BX-LOST",)
    assert located.computed.rows[0].href == f"/archives/boxes/{lost.id}"

    def out(days: int, status: RetrievalStatus = RetrievalStatus.OUT) -> None:
        db.add(
            Retrieval(
                box_id=lost.id,
                purpose="audit",
                status=status,
                requested_at=clock.now() - timedelta(days=days + 1),
                out_at=clock.now() - timedelta(days=days),
            )
        )
        db.flush()

    out(45)
    out(10)  # out, but not for long
    out(60, RetrievalStatus.RETURNED)  # back in store
    long_out = _figure(db, "files_out_long")
    assert long_out.computed is not None and long_out.computed.count == 1
    assert long_out.computed.rows[0].cells[2] == "45"


def test_partner_submissions_under_an_agreement_and_rows_accepted(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    first, second = make_partner(db, name="Alpha Council"), make_partner(db, name="Beta Police")
    open_ended = make_agreement(db, first)
    ended = make_agreement(db, second, ends_on=date(2026, 1, 31))

    def sent(partner: Partner, agreement: Agreement, day: date, ok: int, bad: int) -> None:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        submission = make_submission(db, keyring, partner, agreement, submitted_at=at)
        submission.accepted, submission.rejected = ok, bad
        db.flush()

    sent(first, open_ended, date(2026, 3, 1), 90, 10)
    sent(second, ended, date(2026, 1, 15), 30, 20)  # the agreement was in force that day
    sent(second, ended, date(2026, 3, 1), 20, 30)  # after it ended
    sent(first, open_ended, date(2025, 1, 1), 0, 100)  # more than a year before: not counted

    agreed = _figure(db, "partner_under_agreement")
    assert agreed.computed is not None
    assert (agreed.computed.numerator, agreed.computed.denominator) == (2, 3)
    assert [row.cells for row in agreed.computed.rows] == [("Beta Police", "1 Mar 2026")]
    assert agreed.rag is Rag.RED
    accepted = _figure(db, "partner_rejection_rate")
    assert accepted.computed is not None
    assert (accepted.computed.numerator, accepted.computed.denominator) == (140, 200)
    assert [row.cells for row in accepted.computed.rows] == [
        ("Alpha Council", "100", "10", "10.0%"),
        ("Beta Police", "100", "50", "50.0%"),
    ]
    assert accepted.computed.note == "highest rejection rate: Beta Police"


def test_overdue_urgent_or_high_actions_are_red_and_medium_ones_only_noted(db: Session) -> None:
    owner = make_user(db, Role.MANAGER)
    audit = make_audit(db)
    late = AS_OF - timedelta(days=1)
    make_action(db, audit, owner, priority="high", agreed_on=late, reference="S1")
    make_action(db, audit, owner, priority="medium", agreed_on=late, reference="S2")
    make_action(db, audit, owner, priority="urgent", agreed_on=AS_OF, reference="S3")  # due today
    found = _figure(db, "audit_actions_overdue")
    assert found.computed is not None and found.computed.count == 1
    assert found.rag is Rag.RED
    assert [row.cells[0] for row in found.computed.rows] == ["S1"]
    assert "2 of 3 open actions overdue" in found.computed.note


def test_expired_attestations_count_and_those_due_soon_are_noted(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    make_attestation(db, keyring, review_on=AS_OF - timedelta(days=1))
    make_attestation(db, keyring, review_on=AS_OF + timedelta(days=10), title="Minutes")
    make_attestation(db, keyring, review_on=AS_OF + timedelta(days=200), title="ToR")
    found = _figure(db, "attestations_due")
    assert found.computed is not None and found.computed.count == 1
    assert "1 due within 30 days" in found.computed.note


def test_breaches_notified_within_72_hours_of_awareness(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    officer = make_user(db, Role.IG_OFFICER).actor
    staff = make_user(db).actor
    assert _figure(db, "breaches_within_72h").computed.value is None  # type: ignore[union-attr]
    for hours in (70, 80):  # one in time, one late
        aware = datetime(2026, 3, 2, 10, tzinfo=UTC)
        breach = breach_helpers.reported(db, keyring, staff, discovered_at=aware)
        breach_helpers.assessed(db, keyring, officer, breach)
        breach_service.decide_ico(
            db,
            keyring,
            officer,
            breach.id,
            breach_service.IcoDecisionIn(
                decision=IcoDecision.NOTIFIED,
                notified_at=aware + timedelta(hours=hours),
                reference=f"IC-{hours}",
                reason="" if hours < 72 else "The extent was not known until day four",
            ),
        )
    found = _figure(db, "breaches_within_72h")
    assert found.computed is not None
    assert (found.computed.numerator, found.computed.denominator) == (1, 2)
    assert found.rag is Rag.RED
