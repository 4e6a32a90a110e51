"""The two records-management measures against data built to give a known figure: record
classes with a rule, an owner and a review in 12 months; disposals with a certificate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from steward.archives.models import (
    CertificateLine,
    CertificateOutcome,
    DestructionCertificate,
    PaperFile,
    PaperFileStatus,
)
from steward.assurance.controls import service
from steward.assurance.controls.measures import MEASURES
from steward.assurance.controls.policy import Rag
from steward.core import clock
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.records.models import RecordClass
from steward.records.service import file_plan
from steward.retention import schedule_format
from steward.retention.models import DisposalCertificate, DisposalList, DisposalStatus
from steward.retention.service import class_reviews, schedules
from tests.factories.core import make_user

AS_OF = date(2026, 4, 15)


@pytest.fixture(autouse=True)
def mid_april() -> Iterator[None]:
    with clock.frozen(datetime(2026, 4, 15, 12, tzinfo=UTC)):
        yield


def _figure(db: Session, key: str, as_of: date = AS_OF) -> service.Result:
    return service.evaluate(db, MEASURES[key], as_of, service.thresholds(db)[key])


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


# --- record classes reviewed ------------------------------------------------------------------


def _approve_schedule_on(db: Session, day: date) -> None:
    with clock.frozen(_at(day)):
        draft = schedules.load(db, Actor.system(), schedule_format.default_schedule_text())
        schedules.approve(db, Actor.system(), version=draft.version)


def _class_id(db: Session, code: str) -> int:
    return file_plan.record_class(db, code).id


def test_classes_need_a_rule_an_owner_and_a_review_in_12_months(db: Session) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    owner = make_user(db, Role.MANAGER)
    _approve_schedule_on(db, date(2025, 1, 6))  # 15 months ago: no longer a review

    def own(code: str) -> None:
        file_plan.set_owner(db, officer.actor, class_id=_class_id(db, code), owner_user_id=owner.id)

    def review(code: str, on: date) -> None:
        class_reviews.record_review(
            db, officer.actor, class_id=_class_id(db, code), reviewed_on=on, outcome="confirmed"
        )

    own("CASE.PRIVATE")
    review("CASE.PRIVATE", date(2026, 2, 10))  # owned and reviewed: meets it
    own("CASE.PUBLIC")
    review("CASE.PUBLIC", date(2025, 3, 14))  # 13 months ago: not reviewed
    review("CASE.OTHER", date(2026, 3, 1))  # reviewed, but nobody owns it
    own("CASE.ADOPTION")
    review("CASE.ADOPTION", date(2025, 4, 16))  # the first day of the 12 months: reviewed
    own("CASE.LAC")  # its only review: the old schedule's approval
    own("SAR")
    own("CORR")
    review("CORR", date(2026, 3, 1))  # owned and reviewed, but the schedule has no rule for it
    # PARTNER: nothing. CASE, a heading over other classes with no rule of its own: not counted.

    found = _figure(db, "record_classes_reviewed")
    assert found.computed is not None
    assert (found.computed.numerator, found.computed.denominator) == (2, 8)
    assert found.rag is Rag.RED
    short = {r.cells[0]: r.cells[4] for r in found.computed.rows}
    assert set(short) == {"CASE.PUBLIC", "CASE.OTHER", "CASE.LAC", "SAR", "CORR", "PARTNER"}
    assert short["CASE.OTHER"] == "No owner"
    assert short["CASE.PUBLIC"] == "Not reviewed in 12 months"
    assert short["CORR"] == "No rule in the schedule in force"
    assert (
        short["PARTNER"] == "No rule in the schedule in force; No owner; Not reviewed in 12 months"
    )
    assert found.computed.rows[0].href == f"/retention/classes/{_class_id(db, 'CASE.LAC')}"

    # A schedule version approved within the 12 months reviews every rule in it.
    _approve_schedule_on(db, date(2026, 1, 12))
    after = _figure(db, "record_classes_reviewed")
    assert after.computed is not None
    # PRIVATE, ADOPTION, and now PUBLIC, LAC and SAR (owned); OTHER still has no owner.
    assert (after.computed.numerator, after.computed.denominator) == (5, 8)
    # Asked about a day before that approval: neither it nor the later review of PRIVATE is
    # seen, and PUBLIC's review (then 10 months old) still counts.
    before = _figure(db, "record_classes_reviewed", date(2026, 1, 11))
    assert before.computed is not None
    assert (before.computed.numerator, before.computed.denominator) == (2, 8)
    assert "CASE.PUBLIC" not in {r.cells[0] for r in before.computed.rows}


def test_no_schedule_approved_leaves_every_class_without_a_rule(db: Session) -> None:
    file_plan.ensure_default_file_plan(db)
    found = _figure(db, "record_classes_reviewed")
    assert found.computed is not None and found.computed.numerator == 0
    assert found.computed.denominator == 7  # the default file plan's classes, less CASE


def test_only_the_records_manager_sets_owners_and_records_reviews(db: Session) -> None:
    caseworker = make_user(db, Role.CASEWORKER)
    officer = make_user(db, Role.IG_OFFICER)
    partner = make_user(db, Role.PARTNER)
    class_id = _class_id(db, "SAR")
    with pytest.raises(Forbidden):
        file_plan.set_owner(db, caseworker.actor, class_id=class_id, owner_user_id=caseworker.id)
    with pytest.raises(Forbidden):
        class_reviews.record_review(
            db, caseworker.actor, class_id=class_id, reviewed_on=AS_OF, outcome="confirmed"
        )
    with pytest.raises(ValidationFailed) as refused:
        file_plan.set_owner(db, officer.actor, class_id=class_id, owner_user_id=partner.id)
    assert "owner_user_id" in refused.value.errors
    for on, outcome, note, field in (
        (AS_OF + timedelta(days=1), "confirmed", "", "reviewed_on"),
        (AS_OF, "maybe", "", "outcome"),
        (AS_OF, "change_needed", "", "note"),
        (AS_OF, "confirmed", "x" * 501, "note"),
    ):
        with pytest.raises(ValidationFailed) as bad:
            class_reviews.record_review(
                db, officer.actor, class_id=class_id, reviewed_on=on, outcome=outcome, note=note
            )
        assert field in bad.value.errors
    found = db.get(RecordClass, class_id)
    assert found is not None and found.owner_user_id is None
    assert class_reviews.reviews(db, officer.actor, class_id, service.PageRequest()).total == 0


# --- disposals certified ----------------------------------------------------------------------


def _list(
    db: Session, reference: str, status: DisposalStatus, completed: date | None, *, certified: bool
) -> DisposalList:
    found = DisposalList(
        reference=reference,
        as_of=date(2026, 1, 1),
        status=status,
        schedule_version=1,
        proposed_at=_at(date(2025, 12, 1)),
        completed_at=_at(completed) if completed else None,
    )
    db.add(found)
    db.flush()
    if certified:
        db.add(
            DisposalCertificate(
                list_id=found.id,
                reference=f"CERT-{reference}",
                issued_at=_at(completed or AS_OF),
                destroyed_count=1,
                paper_count=0,
                kept_count=0,
                method="test",
                rules="{}",
                approvers="{}",
                sha256="0" * 64,
            )
        )
        db.flush()
    return found


def _paper(
    db: Session,
    reference: str,
    status: PaperFileStatus,
    *,
    sent: date | None = None,
    destroyed: date | None = None,
) -> PaperFile:
    found = PaperFile(
        file_reference=reference,
        status=status,
        destruction_reference="DL-2026-0001" if sent else None,
        marked_at=_at(sent) if sent else None,
        destroyed_at=_at(destroyed) if destroyed else None,
        created_at=_at(date(2020, 1, 1)),
        updated_at=_at(date(2020, 1, 1)),
    )
    db.add(found)
    db.flush()
    return found


def _certificate(db: Session, received: date, lines: list[tuple[PaperFile, str]]) -> None:
    certificate = DestructionCertificate(
        reference="DL-2026-0001",
        sha256=str(received).ljust(64, "0"),
        received_at=_at(received),
        destroyed_count=sum(1 for _, o in lines if o == CertificateOutcome.DESTROYED),
        missing_count=sum(1 for _, o in lines if o == CertificateOutcome.MISSING),
        unexpected_count=0,
    )
    for paper, outcome in lines:
        certificate.lines.append(
            CertificateLine(
                paper_file_id=paper.id, identifier=paper.file_reference, outcome=outcome
            )
        )
    db.add(certificate)
    db.flush()


def test_disposals_certified_count_lists_carried_out_and_paper_sent(db: Session) -> None:
    done = PaperFileStatus.DESTROYED
    sent = PaperFileStatus.MARKED_FOR_DESTRUCTION
    _list(db, "DL-A", DisposalStatus.COMPLETED, date(2026, 2, 1), certified=True)
    uncertified = _list(db, "DL-B", DisposalStatus.COMPLETED, date(2026, 3, 2), certified=False)
    _list(db, "DL-C", DisposalStatus.EXECUTING, None, certified=False)  # in progress
    _list(db, "DL-OLD", DisposalStatus.COMPLETED, date(2025, 1, 20), certified=False)  # too old
    certified = _paper(db, "PF-1", done, sent=date(2026, 1, 10), destroyed=date(2026, 2, 1))
    never = _paper(db, "PF-2", sent, sent=date(2026, 1, 10))  # sent; no certificate since
    _paper(db, "PF-3", sent, sent=date(2026, 4, 1))  # sent 14 days ago: awaiting it
    unproven = _paper(db, "PF-4", done, destroyed=date(2026, 2, 15))  # destroyed, no certificate
    _paper(db, "PF-5", PaperFileStatus.ACTIVE)
    missing = _paper(db, "PF-6", sent, sent=date(2026, 1, 10))
    _certificate(
        db,
        date(2026, 2, 1),
        [(certified, CertificateOutcome.DESTROYED), (missing, CertificateOutcome.MISSING)],
    )

    found = _figure(db, "disposals_certified")
    assert found.computed is not None
    # Lists: A of A and B. Paper: PF-1 of PF-1, PF-2, PF-4 and PF-6 (PF-3 awaits).
    assert (found.computed.numerator, found.computed.denominator) == (2, 6)
    assert found.rag is Rag.RED
    assert "disposal lists: 1 of 2" in found.computed.note
    assert "paper files: 1 of 4" in found.computed.note and "1 awaiting" in found.computed.note
    rows = [(r.cells[0], r.cells[1], r.cells[2], r.href) for r in found.computed.rows]
    assert rows == [
        ("DL-B", "Disposal list", "2 Mar 2026", f"/retention/disposal/{uncertified.id}"),
        ("PF-2", "Paper file", "10 Jan 2026", f"/archives/files/{never.id}"),
        ("PF-6", "Paper file", "10 Jan 2026", f"/archives/files/{missing.id}"),
        ("PF-4", "Paper file", "15 Feb 2026", f"/archives/files/{unproven.id}"),
    ]

    # At the end of January the certificate had not come and every file sent was within its
    # 30 days; no list had been carried out: nothing to count, not red.
    earlier = _figure(db, "disposals_certified", date(2026, 1, 31))
    assert earlier.computed is not None and earlier.computed.denominator == 0
    assert earlier.rag is Rag.NONE


def test_every_disposal_certified_is_green(db: Session) -> None:
    _list(db, "DL-A", DisposalStatus.COMPLETED, date(2026, 2, 1), certified=True)
    found = _figure(db, "disposals_certified")
    assert found.rag is Rag.GREEN and found.shown == "100% (1 of 1)"
