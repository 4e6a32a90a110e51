"""The board report from data built to give known figures: the PDF read back as a reader
would copy it (pages, the ICO report's sections, the figures, the ratings' words) and, above
all, no personal data in it: a data subject's name, a case number and request references that
exist in the database, and text sealed in a breach and a self-assessment, are all absent.
The JSON's figures are the dashboard's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance import report
from steward.assurance.areas import Area
from steward.assurance.audits.service import actions, assessments
from steward.assurance.breaches import service as breach_service
from steward.assurance.breaches.policy import IcoDecision
from steward.assurance.controls import service as controls
from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.sar.models import SubjectAccessRequest
from tests.assurance import breach_helpers
from tests.assurance.audits_helpers import make_action, make_attestation, make_audit
from tests.assurance.pdf_text import pdf_text
from tests.factories.core import make_user
from tests.factories.records import make_case, make_person
from tests.sar.test_report import arrange

AS_OF = date(2026, 4, 15)
SUBJECT_NAME = ("Ava", "Zielinska")


@pytest.fixture(autouse=True)
def mid_april() -> Iterator[None]:
    with clock.frozen(datetime(2026, 4, 15, 12, tzinfo=UTC)):
        yield


def _organisation(db: Session, kek: KeyEncryptionKeys) -> tuple[str, Actor]:
    """Requests (3 of 5 answered on time), an ICO audit (reasonable overall) with an overdue
    urgent action, a done one and an open one, a self-assessment, an expired attestation, a
    breach notified in time whose sealed text names a child and her case. Returns the case
    number and the DPO."""
    arrange(db, kek)
    dpo = make_user(db, Role.DPO)
    person = make_person(db, *SUBJECT_NAME)
    case = make_case(db, kek)
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):  # the action plan agreed
        audit = make_audit(db)
        make_action(db, audit, dpo, priority="urgent", agreed_on=date(2026, 4, 1), reference="A1")
        make_action(db, audit, dpo, priority="high", reference="A2")
        done = make_action(db, audit, dpo, priority="low", reference="A3")
    actions.post_update(
        db, kek, dpo.actor, done.id, actions.NewUpdate(f"Done for {person.first_name}", "done")
    )
    assessments.record_assessment(
        db,
        kek,
        dpo.actor,
        Area.SECURITY,
        rating="limited",
        statement=f"Case {case.case_number} of {' '.join(SUBJECT_NAME)} shows gaps",
        assessed_on=date(2026, 4, 1),
    )
    make_attestation(db, kek, review_on=date(2026, 4, 10))
    officer = make_user(db, Role.IG_OFFICER).actor
    aware = datetime(2026, 4, 10, 9, tzinfo=UTC)
    breach = breach_helpers.reported(
        db,
        kek,
        officer,
        description=f"{' '.join(SUBJECT_NAME)}'s file {case.case_number} sent to the wrong address",
        discovered_at=aware,
    )
    breach_helpers.assessed(db, kek, officer, breach)
    breach_service.decide_ico(
        db,
        kek,
        officer,
        breach.id,
        breach_service.IcoDecisionIn(
            decision=IcoDecision.NOTIFIED,
            notified_at=aware + timedelta(hours=30),
            reference="IC-0042",
            reason="",
        ),
    )
    return case.case_number, dpo.actor


def test_the_figures_are_known(db: Session, keyring: KeyEncryptionKeys) -> None:
    _, dpo = _organisation(db, keyring)
    found = report.figures(db, dpo, AS_OF, organisation="Northshire Council")
    assert found.overall.rating is not None and found.overall.rating.value == "reasonable"
    security = next(a for a in found.areas if a.area is Area.SECURITY)
    assert security.rating is not None and security.rating.value == "limited"
    assert security.assessed_by_role == "Data protection officer"  # a role, never a name
    assert security.audit_rating is not None and security.audit_rating.value == "reasonable"
    assert "by the data protection officer on 1 April 2026" in security.opinion
    sar = next(m for a in found.areas for m in a.measures if m.key == "sar_on_time")
    assert (sar.numerator, sar.denominator, sar.shown) == (3, 5, "60% (3 of 5)")
    urgent, high, _, low = found.recommendations
    assert (urgent.total, urgent.open, urgent.overdue) == (1, 1, 1)
    assert (high.total, high.open, high.overdue) == (1, 1, 0)
    assert (low.total, low.done, low.open) == (1, 1, 0)
    assert [r.reference for r in found.actions.red] == ["A1"]
    assert (found.attestations.current, found.attestations.expired) == (0, 1)
    b = found.breaches
    assert (b.reported, b.notified, b.notified_within_72_hours) == (1, 1, 1)
    assert {t.key for t in found.trends} >= {"sar_on_time", "training_current"}
    assert all(len(t.points) == 12 and t.points[-1].on == AS_OF for t in found.trends)


def test_the_action_plan_as_it_stood_on_the_day(db: Session, keyring: KeyEncryptionKeys) -> None:
    # A3 was done on 15 April: on 14 April it was still open, and A1 not yet overdue on
    # 1 April (due on the day agreed, late the day after).
    _, dpo = _organisation(db, keyring)
    with clock.frozen(datetime(2026, 4, 16, 12, tzinfo=UTC)):
        before = report.figures(db, dpo, date(2026, 4, 14))
    low = before.recommendations[3]
    assert (low.done, low.open) == (0, 1)
    assert [r.reference for r in before.actions.red] == ["A1"]
    assert report.figures(db, dpo, date(2026, 4, 1)).actions.red == ()
    assert report.figures(db, dpo, date(2026, 4, 15)).recommendations[3].done == 1
    # Before the action plan was agreed, there was none.
    assert sum(p.total for p in report.figures(db, dpo, date(2026, 3, 19)).recommendations) == 0


def test_the_pdf_reads_as_a_board_report_with_no_personal_data(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    case_number, dpo = _organisation(db, keyring)
    data = report.pdf(report.figures(db, dpo, AS_OF, organisation="Northshire Council"))
    assert data.startswith(b"%PDF")
    document = pdfium.PdfDocument(data)
    assert document.get_metadata_dict()["Title"].startswith("Data protection assurance")
    document.close()
    text = pdf_text(data)
    flat = " ".join(text.split())  # lines wrapped by the layout joined again
    pages = text.count("Page ")
    assert pages >= 5 and f"Page 1 of {pages}" in text
    for heading in (
        "Data protection assurance: report to the board",
        "Northshire Council",
        "As of 15 April 2026",
        "Executive summary",
        "1. Assurance by audit area",
        "2. Measures by area",
        "3. Recommendations by priority",
        "4. Progress on the action plan",
        "5. Attestations and breaches",
        "6. Twelve-month trends",
        "Appendix: the scales used in this report",
    ):
        assert heading in flat, heading
    assert "60% (3 of 5)" in flat
    assert "Reasonable assurance" in flat and "Limited assurance" in flat
    assert "Very limited assurance" in flat and "High assurance" in flat  # the appendix
    assert "not set by regulation" in flat
    assert "Review access to the case system every quarter" in flat  # the auditor's words
    assert "Notified within 72 hours of awareness 1" in flat
    # No personal data: names, the case number, request references, sealed text.
    references = db.scalars(select(SubjectAccessRequest.reference)).all()
    assert references
    for absent in (*SUBJECT_NAME, "Report Person", case_number, *references):
        assert absent not in flat and absent not in text.replace("\n", ""), absent
    assert "wrong address" not in flat and "shows gaps" not in flat


def test_the_json_has_the_dashboards_figures(db: Session, keyring: KeyEncryptionKeys) -> None:
    _, dpo = _organisation(db, keyring)
    out = report.to_json(report.figures(db, dpo, AS_OF))
    board = controls.dashboard(db, dpo, AS_OF)
    for area, block in zip(out["areas"], board.areas, strict=True):
        assert area["area"] == block.area.value
        assert [(m["key"], m["value"], m["status"]) for m in area["measures"]] == [
            (r.measure.key, r.value, r.rag.value) for r in block.results
        ]
    assert [(t["key"], [p["value"] for p in t["points"]]) for t in out["trends"]] == [
        (t.measure.key, [p.value for p in t.points]) for t in board.trends
    ]
    assert out["as_of"] == "2026-04-15" and out["overall"]["rating"] == "reasonable"


def test_producing_it_is_an_audited_export_of_figures_only(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    _, dpo = _organisation(db, keyring)
    report.figures(db, dpo, AS_OF)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == "assurance:board_report:produced")
    ).one()
    details = json.loads(event.details)
    assert details["as_of"] == "2026-04-15"
    assert set(details) == {"as_of", "measures", "red"}


def test_who_may_have_it_and_which_days(db: Session, keyring: KeyEncryptionKeys) -> None:
    for role in (Role.DPO, Role.AUDITOR, Role.IG_OFFICER):
        report.figures(db, make_user(db, role).actor, AS_OF)
    with pytest.raises(Forbidden):
        report.figures(db, make_user(db, Role.CASEWORKER).actor, AS_OF)
    dpo = make_user(db, Role.DPO).actor
    with pytest.raises(ValidationFailed, match="future"):
        report.figures(db, dpo, AS_OF + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="10 years"):
        report.figures(db, dpo, date(2001, 1, 1))
