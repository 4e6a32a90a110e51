"""The review of held partner rows: the queue, one row beside the person it may be, and each
decision (accept, correct, reject) with its reason sealed, its counts and its events; the
partner told of a correction, by notice (field names) and email (values); and partners told
when a person they sent is corrected later on the record."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from steward.core import audit, clock, crypto
from steward.core.auth import User
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from steward.core.outbox import OutboxMessage
from steward.core.paging import PageRequest
from steward.core.permissions import Actor, Role
from steward.intake.events import IntakeEvent
from steward.intake.models import PartnerNotice, SubmissionRow
from steward.intake.policy import Code, Decision, RowOutcome, reason_context
from steward.intake.service import decisions, notices, review
from steward.records import service as records
from steward.records.models import IdentifierScheme, Party, Person
from steward.records.schemas import IdentifierIn, PersonCorrectionIn
from steward.retention.service import rectification
from steward.training.policy import RequirementKind
from steward.training.service import gate
from tests.factories.core import make_user
from tests.factories.intake import (
    make_agreement,
    make_partner,
    make_partner_user,
    make_row,
    make_submission,
    partner_actor,
)
from tests.factories.records import make_person
from tests.factories.training import make_course, make_requirement, make_staff
from tests.intake.review_helpers import (
    RECORDED_DOB,
    SENT_DOB,
    Held,
    add_contact,
    held_conflict,
    party_values,
)

REASON = "The school's admission record confirms the date of birth we hold"


@pytest.fixture
def officer(db: Session) -> Actor:
    return make_user(db, Role.IG_OFFICER).actor


@pytest.fixture
def held(db: Session, keyring: FileKeyring) -> Held:
    return held_conflict(db, keyring)


class Event:
    def __init__(self, row: audit.AuditEvent) -> None:
        self.subject_id = row.subject_id
        self.text = row.details
        self.details = json.loads(row.details)


def _events(db: Session, tag: IntakeEvent) -> list[Event]:
    query = select(audit.AuditEvent).where(audit.AuditEvent.tag == tag.value)
    return [Event(row) for row in db.scalars(query.order_by(audit.AuditEvent.seq))]


def _outbox_body(db: Session, keyring: FileKeyring, message: OutboxMessage) -> str:
    return crypto.open_sealed(
        db,
        keyring,
        key_id=message.data_key_id,
        sealed=message.body_sealed,
        context=f"outbox_message:{message.id}:body",
    ).decode()


def _counts(held: Held) -> tuple[int, int, int]:
    s = held.submission
    return s.quarantined, s.accepted, s.rejected


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_lists_held_rows_oldest_first_with_what_they_wait_on(
    db: Session, keyring: FileKeyring, officer: Actor
) -> None:
    now = clock.now()
    newer = held_conflict(db, keyring, submitted_at=now - timedelta(days=2))
    older = held_conflict(
        db,
        keyring,
        submitted_at=now - timedelta(days=9),
        issues=(("date_of_birth", Code.DOB_IMPLAUSIBLE), (None, Code.CASE_CLOSED)),
    )
    # A row the pipeline accepted itself is not held.
    make_row(
        db,
        keyring,
        newer.submission,
        party_values(newer.case, newer.nhs),
        outcome=RowOutcome.ACCEPTED,
    )

    page = review.held_rows(db, officer, PageRequest())
    mine = [line for line in page.items if line.row_id in {newer.row.id, older.row.id}]
    assert [line.row_id for line in mine] == [older.row.id, newer.row.id]
    first = mine[0]
    assert first.partner_name == older.partner.name
    assert first.dataset_title == "Party details"
    assert first.submission_id == older.submission.id and first.row_number == 2
    assert first.issues == ["Date of birth does not fit role", "Case closed"]
    assert first.age_days == 9
    assert page.total >= 2

    only = review.held_rows(db, officer, PageRequest(), partner_id=newer.partner.id)
    assert [line.row_id for line in only.items] == [newer.row.id]
    closed = review.held_rows(db, officer, PageRequest(), code=Code.CASE_CLOSED.value)
    assert older.row.id in [line.row_id for line in closed.items]
    assert newer.row.id not in [line.row_id for line in closed.items]
    paged = review.held_rows(db, officer, PageRequest(number=2, size=1))
    assert len(paged.items) == 1 and paged.total == page.total

    partners, codes = review.held_filters(db, officer)
    assert newer.partner.name in [p.text for p in partners]
    assert {c.value for c in codes} >= {Code.PERSON_CONFLICT.value, Code.CASE_CLOSED.value}
    with pytest.raises(ValidationFailed):
        review.held_rows(db, officer, PageRequest(), code=Code.NHS_CHECKSUM.value)


# --- one row ---------------------------------------------------------------------------------


def test_a_held_row_opens_beside_the_recorded_person_with_the_differences_named(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    shown = review.held_row(db, keyring, officer, held.row.id)
    fields = {f.name: f for f in shown.fields}
    assert fields["date_of_birth"].value == SENT_DOB
    assert fields["date_of_birth"].recorded == RECORDED_DOB.isoformat()
    assert fields["date_of_birth"].differs
    assert [i.code for i in fields["date_of_birth"].issues] == [Code.PERSON_CONFLICT.value]
    assert fields["nhs_number"].recorded == held.nhs and not fields["nhs_number"].differs
    assert fields["postcode"].compared and not fields["postcode"].differs
    assert fields["role"].recorded == "child_subject"
    assert shown.differences == ["date_of_birth"]
    assert shown.ask_same_person
    assert shown.candidate is not None and shown.candidate.person_id == held.person.id
    assert [c.case_number for c in shown.candidate.cases] == [held.case.case_number]
    assert shown.source.agreement_reference == held.agreement.reference
    assert shown.source.submission_id == held.submission.id and shown.source.row_number == 2
    read = _events(db, IntakeEvent.ROW_READ)
    assert [e.subject_id for e in read] == [str(held.row.id)]
    assert SENT_DOB not in read[0].text


# --- decisions -------------------------------------------------------------------------------


def test_accepting_the_same_person_links_the_row_and_moves_the_counts(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    persons = db.scalar(select(func.count(Person.id)))
    done = decisions.decide(
        db,
        keyring,
        officer,
        row_id=held.row.id,
        decision=Decision.ACCEPT,
        reason=REASON,
        link_to_candidate=True,
    )
    assert done.outcome is RowOutcome.ACCEPTED and done.linked
    assert done.person_id == held.person.id
    assert db.scalar(select(func.count(Person.id))) == persons  # nobody new, nothing copied
    assert held.person.date_of_birth == RECORDED_DOB
    row = db.get(SubmissionRow, held.row.id)
    assert row is not None
    assert (row.outcome, row.decision) == ("accepted", "accept")
    assert row.decided_by_user_id == officer.user_id and row.decided_at and row.recorded_at
    assert _counts(held) == (0, 1, 0)
    [event] = _events(db, IntakeEvent.ROW_ACCEPTED)
    assert event.details["linked"] is True and event.details["codes"] == ["person.conflict"]
    assert REASON not in event.text
    assert db.scalar(select(func.count(PartnerNotice.id))) == 0


def test_a_different_person_is_recorded_as_new(
    db: Session, keyring: FileKeyring, officer: Actor
) -> None:
    held = held_conflict(db, keyring, nhs_number=None, first_name="Eva")
    done = decisions.decide(
        db,
        keyring,
        officer,
        row_id=held.row.id,
        decision="accept",
        reason=REASON,
        link_to_candidate=False,
    )
    assert done.person_id is not None and done.person_id != held.person.id
    new = db.get(Person, done.person_id)
    assert new is not None and new.first_name == "Eva"
    assert new.date_of_birth == date.fromisoformat(SENT_DOB)
    parties = set(db.scalars(select(Party.person_id).where(Party.case_id == held.case.id)))
    assert parties == {held.person.id, new.id}


def test_recording_as_new_a_person_whose_nhs_number_is_held_changes_nothing(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    with pytest.raises(Conflict):
        decisions.decide(
            db,
            keyring,
            officer,
            row_id=held.row.id,
            decision=Decision.ACCEPT,
            reason=REASON,
            link_to_candidate=False,
        )
    db.refresh(held.row)
    assert held.row.outcome == "quarantined" and held.row.decision is None
    assert _counts(held) == (1, 0, 0)
    assert _events(db, IntakeEvent.ROW_ACCEPTED) == []


def test_correcting_records_the_corrected_value_and_tells_the_partner_by_name_only(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    done = decisions.decide(
        db,
        keyring,
        officer,
        row_id=held.row.id,
        decision=Decision.CORRECT,
        reason=REASON,
        corrected={"date_of_birth": "2015-03-02", "first_name": "Ava"},  # unchanged: not told
        link_to_candidate=True,
    )
    assert done.outcome is RowOutcome.ACCEPTED and done.corrected_fields == ["date_of_birth"]
    assert _counts(held) == (0, 1, 0)
    notice = db.get(PartnerNotice, done.notice_id)
    assert notice is not None
    assert (notice.partner_id, notice.submission_id, notice.row_number) == (
        held.partner.id,
        held.submission.id,
        held.row.row_number,
    )
    assert notice.fields == "date_of_birth"
    assert SENT_DOB not in (notice.note or "") and "2015-03-02" not in (notice.note or "")
    message = db.get(OutboxMessage, notice.outbox_id)
    assert message is not None and done.messages == 1
    body = _outbox_body(db, keyring, message)
    assert f'Date of birth: you sent "{SENT_DOB}"; corrected to "2015-03-02"' in body
    assert held.contact.name in body and held.agreement.reference in body
    [sent] = _events(db, IntakeEvent.NOTICE_SENT)
    assert sent.details["fields"] == ["date_of_birth"] and sent.details["messages"] == 1
    [corrected] = _events(db, IntakeEvent.ROW_CORRECTED)
    assert corrected.details["fields"] == ["date_of_birth"]
    assert SENT_DOB not in corrected.text


def test_a_correction_that_records_a_new_person_records_the_corrected_values_normalised(
    db: Session, keyring: FileKeyring, officer: Actor
) -> None:
    held = held_conflict(db, keyring, nhs_number=None)
    done = decisions.decide(
        db,
        keyring,
        officer,
        row_id=held.row.id,
        decision=Decision.CORRECT,
        reason=REASON,
        # Typed as a spreadsheet would, normalised as the pipeline does: the postcode is the
        # one sent, so it is no correction; the date is one, recorded as a date.
        corrected={
            "postcode": "fe1 2ab",
            "last_name": "Zielinska-Hart",
            "date_of_birth": "02/03/2015",
        },
        link_to_candidate=False,
    )
    new = db.get(Person, done.person_id)
    assert new is not None and new.last_name == "Zielinska-Hart"
    assert new.date_of_birth == RECORDED_DOB
    assert done.corrected_fields == ["date_of_birth", "last_name"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("date_of_birth", "2015-02-30", Code.DATE_INVALID),
        ("date_of_birth", "2999-01-01", Code.DATE_FUTURE),
        ("nhs_number", "9434765918", Code.NHS_CHECKSUM),
        ("ni_number", "QQ123456C", Code.NINO_PREFIX),
        ("postcode", "NOT A POSTCODE", Code.POSTCODE_FORMAT),
        ("email", "not-an-address", Code.EMAIL_FORMAT),
        ("first_name", "=HYPERLINK(1)", Code.FORMULA),
        ("last_name", "", Code.REQUIRED),
        ("role", "uncle", Code.CHOICE),
        ("case_number", "NO-SUCH-CASE", Code.CASE_UNKNOWN),
    ],
)
def test_a_bad_corrected_value_is_refused_and_changes_nothing(
    db: Session,
    keyring: FileKeyring,
    officer: Actor,
    held: Held,
    field: str,
    value: str,
    code: Code,
) -> None:
    outbox_before = db.scalar(select(func.count(OutboxMessage.id)))
    with pytest.raises(ValidationFailed) as refused:
        decisions.decide(
            db,
            keyring,
            officer,
            row_id=held.row.id,
            decision=Decision.CORRECT,
            reason=REASON,
            corrected={field: value, "date_of_birth": "2015-03-02"}
            if field != "date_of_birth"
            else {field: value},
            link_to_candidate=True,
        )
    from steward.intake.policy import MESSAGES

    assert refused.value.errors[field] == MESSAGES[code]
    db.refresh(held.row)
    assert held.row.outcome == "quarantined" and held.row.decision_reason_sealed is None
    assert _counts(held) == (1, 0, 0)
    assert db.scalar(select(func.count(PartnerNotice.id))) == 0
    assert db.scalar(select(func.count(OutboxMessage.id))) == outbox_before


def test_rejecting_records_nothing_and_seals_the_reason(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    persons = db.scalar(select(func.count(Person.id)))
    decisions.decide(
        db, keyring, officer, row_id=held.row.id, decision=Decision.REJECT, reason=REASON
    )
    db.flush()
    row = db.get(SubmissionRow, held.row.id)
    assert row is not None and (row.outcome, row.decision) == ("rejected", "reject")
    assert row.recorded_at is None and row.document_id is None
    assert _counts(held) == (0, 0, 1)
    assert db.scalar(select(func.count(Person.id))) == persons
    # Sealed under the submission's key, bound to this row: the words are in no column.
    assert held.submission.data_key_id is not None and row.decision_reason_sealed is not None
    opened = crypto.open_sealed(
        db,
        keyring,
        key_id=held.submission.data_key_id,
        sealed=row.decision_reason_sealed,
        context=reason_context(row.id),
    )
    assert opened.decode() == REASON
    needle = REASON.encode()
    assert needle not in row.decision_reason_sealed
    dumped = db.execute(text("SELECT * FROM intake_rows")).all()
    assert all(needle not in repr(r).encode() for r in dumped)
    [event] = _events(db, IntakeEvent.ROW_REJECTED)
    assert REASON not in event.text


def test_a_decided_row_cannot_be_decided_again(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    decisions.decide(
        db, keyring, officer, row_id=held.row.id, decision=Decision.REJECT, reason=REASON
    )
    for decision in Decision:
        with pytest.raises(InvalidTransition):
            decisions.decide(
                db,
                keyring,
                officer,
                row_id=held.row.id,
                decision=decision,
                reason=REASON,
                link_to_candidate=True,
            )
    assert _counts(held) == (0, 0, 1)


def test_a_decision_needs_a_reason_and_for_a_conflict_whether_it_is_the_same_person(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        decisions.decide(
            db, keyring, officer, row_id=held.row.id, decision=Decision.ACCEPT, reason="  "
        )
    assert set(refused.value.errors) == {"reason", "link"}
    with pytest.raises(ValidationFailed) as nothing:
        decisions.decide(
            db,
            keyring,
            officer,
            row_id=held.row.id,
            decision=Decision.CORRECT,
            reason=REASON,
            corrected={"date_of_birth": SENT_DOB},
            link_to_candidate=True,
        )
    assert set(nothing.value.errors) == {"corrected"}
    assert _counts(held) == (1, 0, 0)


def test_partners_caseworkers_and_a_gated_new_starter_are_refused(
    db: Session, keyring: FileKeyring, held: Held
) -> None:
    partner_user = make_partner_user(db, held.partner)
    outsiders = [partner_actor(partner_user), make_user(db, Role.CASEWORKER).actor]
    starter: User = make_user(db, Role.IG_OFFICER)
    make_staff(db, user_id=starter.id, start_date=clock.today())
    course = make_course(
        db, code="IND-REVIEW", title="Induction", module_slug=None, validity_months=None
    )
    make_requirement(db, course, kind=RequirementKind.INDUCTION, due_within_days=5)
    gate.forget(db)
    for actor in [*outsiders, starter.actor]:
        with pytest.raises(Forbidden):
            review.held_rows(db, actor, PageRequest())
        with pytest.raises(Forbidden):
            review.held_row(db, keyring, actor, held.row.id)
        with pytest.raises(Forbidden):
            decisions.decide(
                db, keyring, actor, row_id=held.row.id, decision=Decision.REJECT, reason=REASON
            )
    with pytest.raises(records.InductionRequired):
        review.held_row(db, keyring, starter.actor, held.row.id)
    assert _counts(held) == (1, 0, 0)
    assert _events(db, IntakeEvent.ROW_READ) == []


# --- notices ---------------------------------------------------------------------------------


def _accepted_from(db: Session, keyring: FileKeyring, held: Held, **changed: str | None) -> int:
    """A row of another submission the pipeline accepted, recorded as the held row's person."""
    submission = make_submission(db, keyring, held.partner, held.agreement)
    row = make_row(
        db,
        keyring,
        submission,
        party_values(held.case, held.nhs, date_of_birth=RECORDED_DOB.isoformat(), **changed),
        outcome=RowOutcome.ACCEPTED,
        person_id=held.person.id,
        case_id=held.case.id,
    )
    return row.id


def _correct(db: Session, keyring: FileKeyring, officer: Actor, person_id: int, **data: object):  # type: ignore[no-untyped-def]
    return rectification.correct_person(
        db,
        keyring,
        officer,
        person_id=person_id,
        data=PersonCorrectionIn.model_validate({"reason": REASON, **data}),
    )


def test_correcting_a_person_a_partner_sent_tells_that_partner(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    row_id = _accepted_from(db, keyring, held)
    other = make_partner(db)
    add_contact(db, other, email="other@example.org")
    # Another partner sent the same person with a date of birth we never held: not told.
    sub = make_submission(db, keyring, other, make_agreement(db, other))
    make_row(
        db,
        keyring,
        sub,
        party_values(held.case, held.nhs, date_of_birth="2014-01-01"),
        outcome=RowOutcome.ACCEPTED,
        person_id=held.person.id,
    )
    done = _correct(
        db, keyring, officer, held.person.id, date_of_birth="2015-04-02", middle_names="Rose"
    )
    [notice] = db.scalars(select(PartnerNotice)).all()
    row = db.get(SubmissionRow, row_id)
    assert row is not None
    assert (notice.partner_id, notice.submission_id, notice.row_number) == (
        held.partner.id,
        row.submission_id,
        row.row_number,
    )
    assert notice.fields == "date_of_birth"  # the middle name was never sent: not told
    assert notice.note == notices.FROM_RECORD
    message = db.get(OutboxMessage, notice.outbox_id)
    assert message is not None
    body = _outbox_body(db, keyring, message)
    assert 'Date of birth: you sent "2015-03-02"; corrected to "2015-04-02"' in body
    assert "Rose" not in body
    [event] = _events(db, IntakeEvent.NOTICE_SENT)
    assert event.details["correction_id"] == done.correction.id


def test_a_correction_of_what_no_partner_sent_tells_nobody(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    _accepted_from(db, keyring, held)
    _correct(db, keyring, officer, held.person.id, middle_names="Rose")
    # The held row (not recorded) sent another date of birth: it is no partner's record yet.
    _correct(db, keyring, officer, held.person.id, date_of_birth=SENT_DOB)
    assert db.scalar(select(func.count(PartnerNotice.id))) == 1  # the accepted row's DOB only


def test_the_partner_sees_its_own_corrections_and_staff_see_all(
    db: Session, keyring: FileKeyring, officer: Actor, held: Held
) -> None:
    other = held_conflict(db, keyring)
    for h in (held, other):
        decisions.decide(
            db,
            keyring,
            officer,
            row_id=h.row.id,
            decision=Decision.CORRECT,
            reason=REASON,
            corrected={"date_of_birth": "2015-03-02"},
            link_to_candidate=True,
        )
    mine = partner_actor(make_partner_user(db, held.partner))
    seen = notices.corrections_for_partner(db, mine, PageRequest())
    assert seen.partner_name == held.partner.name
    assert [(n.submission_id, n.row_number, n.fields) for n in seen.page.items] == [
        (held.submission.id, held.row.row_number, ["Date of birth"])
    ]
    unlinked = partner_actor(make_user(db, Role.PARTNER))
    assert notices.corrections_for_partner(db, unlinked, PageRequest()).page.total == 0
    with pytest.raises(Forbidden):
        notices.corrections_for_partner(db, officer, PageRequest())
    every = notices.notices(db, officer, PageRequest())
    assert {n.partner_id for n in every.items} >= {held.partner.id, other.partner.id}
    one = notices.notices(db, officer, PageRequest(), partner_id=other.partner.id)
    assert [n.partner_id for n in one.items] == [other.partner.id]
    assert one.items[0].email == "queued" and one.items[0].origin == notices.FROM_REVIEW
    with pytest.raises(Forbidden):
        notices.notices(db, mine, PageRequest())


def test_the_partners_opinion_is_not_corrected(
    db: Session, keyring: FileKeyring, officer: Actor
) -> None:
    partner = make_partner(db)
    agreement = make_agreement(db, partner)
    submission = make_submission(db, keyring, partner, agreement, dataset="safeguarding_checks")
    held = held_conflict(db, keyring)
    row = make_row(
        db,
        keyring,
        submission,
        {
            "case_number": held.case.case_number,
            "first_name": "Ava",
            "last_name": "Zielinska",
            "date_of_birth": SENT_DOB,
            "check_type": "police_records",
            "outcome": "information_held",
            "checked_on": "2024-05-01",
            "professional_view": "Concerns about the home are not substantiated.",
        },
        issues=(("date_of_birth", Code.PERSON_CONFLICT),),
        person_id=held.person.id,
        case_id=held.case.id,
    )
    with pytest.raises(ValidationFailed) as refused:
        decisions.decide(
            db,
            keyring,
            officer,
            row_id=row.id,
            decision=Decision.CORRECT,
            reason=REASON,
            corrected={
                "professional_view": "Concerns substantiated.",
                "date_of_birth": "2015-03-02",
            },
            link_to_candidate=True,
        )
    assert set(refused.value.errors) == {"professional_view"}
    shown = review.held_row(db, keyring, officer, row.id)
    view = next(f for f in shown.fields if f.name == "professional_view")
    assert view.opinion and not view.compared
    done = decisions.decide(
        db,
        keyring,
        officer,
        row_id=row.id,
        decision=Decision.CORRECT,
        reason=REASON,
        corrected={"date_of_birth": "2015-03-02"},
        link_to_candidate=True,
    )
    assert done.document_id is not None and done.person_id == held.person.id


def test_a_conflict_the_pipeline_held_is_resolved_end_to_end(
    db: Session, keyring: FileKeyring, officer: Actor
) -> None:
    """A partner's file through the pipeline (submissions.submit): the child already recorded
    with another date of birth is held with her as the candidate; the officer corrects the
    date, links the row to her, and the party is recorded, the partner told."""
    from steward.intake.service import submissions
    from tests.intake.pipeline import NHS_A, child, csv_file, rows_of, setting

    s = setting(db, keyring)
    ava = make_person(
        db,
        "Ava",
        "Zielinska",
        RECORDED_DOB,
        identifiers=[IdentifierIn(scheme=IdentifierScheme.NHS, value=NHS_A)],
    )
    add_contact(db, s.partner)
    submission = submissions.submit(
        db,
        keyring,
        Actor.system(),
        dataset="party_details",
        filename="party.csv",
        data=csv_file("party_details", [child(s.case, date_of_birth="02/02/2015")]),
        partner_id=s.partner.id,
    )
    (row,) = rows_of(db, submission)
    assert row.outcome == "quarantined" and row.person_id == ava.id

    shown = review.held_row(db, keyring, officer, row.id)
    dob = next(f for f in shown.fields if f.name == "date_of_birth")
    assert (dob.value, dob.recorded, dob.differs) == ("2015-02-02", "2015-03-02", True)
    assert shown.ask_same_person and shown.candidate is not None
    done = decisions.decide(
        db,
        keyring,
        officer,
        row_id=row.id,
        decision=Decision.CORRECT,
        reason=REASON,
        corrected={"date_of_birth": "2015-03-02"},
        link_to_candidate=True,
    )
    assert done.person_id == ava.id and done.corrected_fields == ["date_of_birth"]
    assert set(db.scalars(select(Party.person_id).where(Party.case_id == s.case.id))) == {ava.id}
    db.refresh(submission)
    assert (submission.quarantined, submission.accepted) == (0, 1)
    [notice] = db.scalars(select(PartnerNotice)).all()
    assert (notice.submission_id, notice.row_number, notice.fields) == (
        submission.id,
        2,
        "date_of_birth",
    )
