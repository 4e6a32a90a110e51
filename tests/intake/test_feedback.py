"""The feedback a partner reads on a submission: issues by row, field and code, counts per
code, the CSV and PDF reports; who may see it; and that none of it repeats a sent value."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.intake.events import IntakeEvent
from steward.intake.models import Partner, RowIssue, Submission
from steward.intake.policy import CODE_TITLES, MESSAGES, Code, SubmissionStatus
from steward.intake.service import feedback, sending
from tests.factories.core import make_user
from tests.factories.intake import (
    make_agreement,
    make_partner,
    make_partner_user,
    make_row,
    make_submission,
    partner_actor,
)

# What a partner sent: none of it may appear in any feedback.
SENT = {
    "case_number": "ZZ/26/000123",
    "role": "child_subject",
    "first_name": "Zebedee",
    "last_name": "Quixotica",
    "date_of_birth": "1981-02-03",
    "nhs_number": "9434765918",
    "postcode": "QQ1 9ZZ",
    "email": "zebedee@example.org",
}
SENT_VALUES = [v for k, v in SENT.items() if k != "role"]


def _pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


@pytest.fixture
def mixed(db: Session, keyring: FileKeyring) -> tuple[Partner, Submission]:
    """A partner's submission of five rows: accepted, two issues, a whole-row issue, held,
    and accepted again."""
    partner = make_partner(db, name="Barsetshire County Council")
    agreement = make_agreement(db, partner)
    submission = make_submission(db, keyring, partner, agreement)
    make_row(db, keyring, submission, SENT)  # row 2
    make_row(
        db,
        keyring,
        submission,
        SENT,
        issues=[("nhs_number", Code.NHS_CHECKSUM), ("postcode", Code.POSTCODE_FORMAT)],
    )  # row 3
    make_row(db, keyring, submission, SENT, issues=[(None, Code.ROW_DUPLICATE)])  # row 4
    make_row(db, keyring, submission, SENT, issues=[("date_of_birth", Code.DOB_IMPLAUSIBLE)])
    make_row(db, keyring, submission, SENT)  # row 6
    return partner, submission


def _events(db: Session, tag: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.tag == tag)))


def test_issues_are_listed_by_row_with_the_fields_label_code_title_and_message(
    db: Session, mixed: tuple[Partner, Submission]
) -> None:
    _, submission = mixed
    found = feedback.feedback(db, Actor.system(), submission.id, PageRequest())
    assert [(i.row, i.field, i.field_label, i.code) for i in found.issues.items] == [
        (3, "nhs_number", "NHS number", "nhs.checksum"),
        (3, "postcode", "Postcode", "postcode.format"),
        (4, None, feedback.WHOLE_ROW, "row.duplicate"),
        (5, "date_of_birth", "Date of birth", "dob.implausible"),
    ]
    first = found.issues.items[0]
    assert first.title == CODE_TITLES[Code.NHS_CHECKSUM]
    assert first.message == MESSAGES[Code.NHS_CHECKSUM]
    assert found.issues.total == found.issues_total == 4
    held = found.issues.items[3]
    assert held.consequence == feedback.CONSEQUENCE_WORDS[feedback.Consequence.QUARANTINE]
    summary = found.summary
    assert (summary.partner_name, summary.dataset_title, summary.dataset_version) == (
        "Barsetshire County Council",
        "Party details",
        1,
    )
    assert summary.agreement_reference is not None
    assert summary.agreement_reference.startswith("DSA-")
    assert summary.filename == submission.filename
    assert (summary.rows, summary.accepted, summary.unchanged, summary.held, summary.rejected) == (
        5,
        2,
        0,
        1,
        2,
    )
    assert summary.status_words == "Checked" and not summary.in_progress


def test_counts_per_code_and_the_filter_and_paging(
    db: Session, keyring: FileKeyring, mixed: tuple[Partner, Submission]
) -> None:
    _, submission = mixed
    for _ in range(3):
        make_row(db, keyring, submission, SENT, issues=[("postcode", Code.POSTCODE_FORMAT)])
    found = feedback.feedback(db, Actor.system(), submission.id, PageRequest())
    assert [(c.code, c.count) for c in found.counts] == [
        ("postcode.format", 4),
        ("dob.implausible", 1),
        ("nhs.checksum", 1),
        ("row.duplicate", 1),
    ]
    postcodes = feedback.feedback(
        db, Actor.system(), submission.id, PageRequest(number=2, size=3), code="postcode.format"
    )
    assert postcodes.code == "postcode.format"
    assert postcodes.issues.total == 4 and postcodes.issues_total == 7
    assert [i.row for i in postcodes.issues.items] == [9]
    assert postcodes.issues.first == 4
    with pytest.raises(ValidationFailed):
        feedback.feedback(db, Actor.system(), submission.id, PageRequest(), code="no.such")


def test_a_partner_sees_its_own_and_no_one_elses(
    db: Session, mixed: tuple[Partner, Submission]
) -> None:
    partner, submission = mixed
    own = partner_actor(make_partner_user(db, partner))
    assert feedback.feedback(db, own, submission.id, PageRequest()).summary.submission_id == (
        submission.id
    )
    other = make_partner(db)
    stranger = partner_actor(make_partner_user(db, other))
    for call in (
        lambda: feedback.feedback(db, stranger, submission.id, PageRequest()),
        lambda: feedback.report_csv(db, stranger, submission.id),
        lambda: feedback.report_pdf(db, stranger, submission.id, organisation="Org"),
        lambda: feedback.progress(db, stranger, submission.id),
    ):
        with pytest.raises(NotFound):
            call()
    # An account not linked to any partner reaches nothing either.
    unlinked = make_user(db, Role.PARTNER).actor
    with pytest.raises(NotFound):
        feedback.feedback(db, unlinked, submission.id, PageRequest())
    # A missing one answers the same as another partner's.
    with pytest.raises(NotFound):
        feedback.feedback(db, own, submission.id + 1000, PageRequest())


def test_reviewers_see_every_partners_and_other_staff_none(
    db: Session, mixed: tuple[Partner, Submission]
) -> None:
    _, submission = mixed
    for role in (Role.IG_OFFICER, Role.DPO):
        reviewer = make_user(db, role).actor
        assert feedback.feedback(db, reviewer, submission.id, PageRequest()).issues.total == 4
    for role in (Role.CASEWORKER, Role.MANAGER, Role.ADMIN, Role.AUDITOR):
        staff = make_user(db, role).actor
        with pytest.raises(Forbidden):
            feedback.feedback(db, staff, submission.id, PageRequest())
        with pytest.raises(Forbidden):
            feedback.submissions(db, staff, PageRequest())


def test_each_view_and_export_is_on_record_without_values(
    db: Session, mixed: tuple[Partner, Submission]
) -> None:
    partner, submission = mixed
    own = partner_actor(make_partner_user(db, partner))
    feedback.feedback(db, own, submission.id, PageRequest(), code="nhs.checksum")
    feedback.report_csv(db, own, submission.id)
    feedback.report_pdf(db, own, submission.id, organisation="Org")
    reads = _events(db, IntakeEvent.SUBMISSION_READ)
    exports = _events(db, IntakeEvent.REPORT_EXPORTED)
    assert len(reads) == 1 and len(exports) == 2
    assert reads[0].subject_id == str(submission.id)
    assert json.loads(reads[0].details) == {
        "partner_id": partner.id,
        "page": 1,
        "code": "nhs.checksum",
    }
    assert [json.loads(e.details)["format"] for e in exports] == ["csv", "pdf"]
    assert all(json.loads(e.details)["issues"] == 4 for e in exports)
    for event in reads + exports:
        assert not any(value in event.details for value in SENT_VALUES)


def test_the_csv_lists_every_issue_and_neutralises_formula_like_cells(
    db: Session, keyring: FileKeyring, mixed: tuple[Partner, Submission]
) -> None:
    _, submission = mixed
    # A field name that a spreadsheet would run: ours come from the data sets' YAML, but a
    # report must never depend on that.
    row = make_row(db, keyring, submission, SENT, issues=[("first_name", Code.FORMULA)])
    db.add(
        RowIssue(
            submission_id=submission.id,
            row_id=row.id,
            row_number=row.row_number,
            field='=HYPERLINK("http://evil.example","x")',
            code="@SUM(A1)",
        )
    )
    db.flush()
    report = feedback.report_csv(db, Actor.system(), submission.id)
    assert report.media_type.startswith("text/csv")
    assert report.filename == f"submission-{submission.id}-feedback.csv"
    text = report.data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["row", "field", "code", "message"]
    assert lines[1] == ["3", "nhs_number", "nhs.checksum", MESSAGES[Code.NHS_CHECKSUM]]
    assert [line[0] for line in lines[1:]] == ["3", "3", "4", "5", "7", "7"]
    assert lines[3][1] == ""  # the row as a whole
    hostile = lines[-1]
    assert hostile[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert hostile[2] == "'@SUM(A1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)
    assert not any(value in text for value in SENT_VALUES)


def test_the_pdf_is_a_real_pdf_listing_rows_and_codes_and_no_values(
    db: Session, mixed: tuple[Partner, Submission]
) -> None:
    _, submission = mixed
    report = feedback.report_pdf(db, Actor.system(), submission.id, organisation="Cafcass Demo")
    assert report.media_type == "application/pdf"
    assert report.data.startswith(b"%PDF-")
    text = _pdf_text(report.data)
    for heading in ("Summary", "Issues by code", "Issues by row"):
        assert heading in text
    for code in ("nhs.checksum", "postcode.format", "row.duplicate", "dob.implausible"):
        assert code in text
    assert "Barsetshire County Council" in text and "Party details" in text
    assert submission.filename in text
    # Each issue, a row of the table: its row number, field, and code.
    for line in (
        "3 NHS number (nhs_number) nhs.checksum",
        "3 Postcode (postcode) postcode.format",
        "4 The row as a whole row.duplicate",
        "5 Date of birth (date_of_birth) dob.implausible",
    ):
        assert line in text
    assert not any(value in text for value in SENT_VALUES)


def test_a_pdf_of_many_issues_lists_the_first_and_points_to_the_csv(
    db: Session,
    keyring: FileKeyring,
    mixed: tuple[Partner, Submission],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, submission = mixed
    monkeypatch.setattr(feedback, "PDF_MAX_ISSUES", 2)
    text = _pdf_text(feedback.report_pdf(db, Actor.system(), submission.id, organisation="O").data)
    assert "The first 2 of 4 issues are listed here" in " ".join(text.split())


def test_the_list_is_newest_first_and_a_partner_sees_only_its_own(
    db: Session, keyring: FileKeyring, mixed: tuple[Partner, Submission]
) -> None:
    partner, first = mixed
    agreement_other = make_agreement(db, other := make_partner(db, name="Felpersham Police"))
    theirs = make_submission(db, keyring, other, agreement_other, dataset="court_orders")
    later = make_submission(
        db,
        keyring,
        partner,
        make_agreement(db, partner),
        dataset="safeguarding_checks",
        submitted_at=datetime.now(UTC) + timedelta(minutes=5),
        user=(sender := make_partner_user(db, partner)),
    )
    own = partner_actor(sender)
    listed = feedback.submissions(db, own, PageRequest())
    assert listed.linked and listed.own_partner == "Barsetshire County Council"
    assert [s.id for s in listed.page.items] == [later.id, first.id]
    assert listed.page.items[0].dataset_title == "Safeguarding check results"
    assert listed.page.items[0].submitted_by == sender.username
    # Asking for another partner's list still gives one's own.
    assert [
        s.id for s in feedback.submissions(db, own, PageRequest(), partner_id=other.id).page.items
    ] == [
        later.id,
        first.id,
    ]
    reviewer = make_user(db, Role.IG_OFFICER).actor
    every = feedback.submissions(db, reviewer, PageRequest())
    assert {later.id, first.id, theirs.id} <= {s.id for s in every.page.items}
    assert every.own_partner is None
    only = feedback.submissions(db, reviewer, PageRequest(), partner_id=other.id)
    assert [(s.id, s.partner_name) for s in only.page.items] == [(theirs.id, "Felpersham Police")]
    by_dataset = feedback.submissions(
        db, reviewer, PageRequest(), partner_id=partner.id, dataset="party_details"
    )
    assert [s.id for s in by_dataset.page.items] == [first.id]
    assert (
        feedback.submissions(
            db, reviewer, PageRequest(), partner_id=partner.id, status=SubmissionStatus.REFUSED
        ).page.total
        == 0
    )
    with pytest.raises(ValidationFailed):
        feedback.submissions(db, reviewer, PageRequest(), dataset="nonsense")
    with pytest.raises(ValidationFailed):
        feedback.submissions(db, reviewer, PageRequest(), status="nonsense")
    unlinked = feedback.submissions(db, make_user(db, Role.PARTNER).actor, PageRequest())
    assert not unlinked.linked and unlinked.page.total == 0


def test_progress_counts_rows_done(db: Session, keyring: FileKeyring) -> None:
    partner = make_partner(db)
    submission = make_submission(
        db, keyring, partner, make_agreement(db, partner), status=SubmissionStatus.VALIDATING
    )
    for _ in range(4):
        make_row(db, keyring, submission, SENT)
    submission.rows = 10
    found = feedback.progress(db, Actor.system(), submission.id)
    assert (found.status, found.done, found.total, found.percent, found.finished) == (
        "validating",
        4,
        10,
        40,
        False,
    )


def test_the_offer_is_the_data_sets_of_agreements_in_force(db: Session) -> None:
    partner = make_partner(db)
    make_agreement(db, partner, dataset_names=["court_orders"])
    make_agreement(
        db,
        partner,
        dataset_names=["party_details"],
        starts_on=date(2020, 1, 1),
        ends_on=date(2021, 1, 1),
    )
    own = partner_actor(make_partner_user(db, partner))
    offer = sending.offer(db, own, date(2026, 1, 1))
    assert offer.linked and not offer.on_behalf
    assert [d.name for d in offer.datasets] == ["court_orders"]
    assert set(offer.agreements) == {"court_orders"}
    lapsed = make_partner(db)
    make_agreement(db, lapsed, starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1))
    assert (
        sending.offer(db, partner_actor(make_partner_user(db, lapsed)), date(2026, 1, 1)).datasets
        == []
    )
    assert not sending.offer(db, make_user(db, Role.PARTNER).actor, date(2026, 1, 1)).linked
    staff = sending.offer(db, make_user(db, Role.IG_OFFICER).actor, date(2026, 1, 1))
    assert staff.on_behalf and (partner.id, partner.name) in staff.partners
    assert len(staff.datasets) == 3
    with pytest.raises(Forbidden):
        sending.offer(db, make_user(db, Role.CASEWORKER).actor, date(2026, 1, 1))
