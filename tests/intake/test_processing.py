"""Processing a stored submission: the cross-record rules (case, person, earlier facts), what
accepted rows become, batches and resuming, and the end of what a partner sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import DataKey, FileKeyring
from steward.core.permissions import Actor
from steward.intake.events import IntakeEvent
from steward.intake.models import RowIssue, Submission, SubmissionFile, SubmissionRow
from steward.intake.policy import Code, RowOutcome, SubmissionStatus
from steward.intake.service import matching, processing, shredding, submissions
from steward.records import service as records
from steward.records.models import Document, DocumentKind, DocumentSubject, Person
from steward.records.schemas import IdentifierIn
from steward.records.service.destroy import person_references
from tests.factories.records import add_party, make_person
from tests.intake.pipeline import (
    NHS_A,
    NHS_B,
    NINO_A,
    Setting,
    child,
    csv_file,
    parties_of,
    persons,
    rows_of,
    setting,
)

SYSTEM = Actor.system()


def _submit(
    db: Session, kek: FileKeyring, s: Setting, dataset: str, rows: list[dict[str, str]]
) -> Submission:
    return submissions.submit(
        db,
        kek,
        SYSTEM,
        dataset=dataset,
        filename=f"{dataset}.csv",
        data=csv_file(dataset, rows),
        partner_id=s.partner.id,
    )


def _codes(db: Session, row: SubmissionRow) -> list[tuple[str | None, str]]:
    return [
        (f, c)
        for f, c in db.execute(
            select(RowIssue.field, RowIssue.code)
            .where(RowIssue.row_id == row.id)
            .order_by(RowIssue.id)
        )
    ]


def _ava(db: Session, **extra: object) -> Person:
    return make_person(db, "Ava", "Zielinska", date(2015, 3, 2), **extra)


# --- persons ---------------------------------------------------------------------------------


def test_an_exact_match_links_to_the_recorded_person_and_gains_their_nhs_number(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    ava = _ava(db)
    before = persons(db)
    submission = _submit(db, keyring, s, "party_details", [child(s.case, nhs_number=NHS_A)])
    (row,) = rows_of(db, submission)
    assert row.outcome == RowOutcome.ACCEPTED and _codes(db, row) == []
    assert row.person_id == ava.id and persons(db) == before  # linked, not copied
    assert parties_of(db, s.case) == [(ava.id, "child_subject")]
    db.refresh(ava)
    assert [(i.scheme, i.value) for i in ava.identifiers] == [("nhs", NHS_A)]


def test_the_same_person_with_another_date_of_birth_is_held_with_the_candidate(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    ava = _ava(db)
    before = persons(db)
    # Day and month swapped: the identity search still takes it for her.
    submission = _submit(
        db, keyring, s, "party_details", [child(s.case, date_of_birth="2015-02-03")]
    )
    (row,) = rows_of(db, submission)
    assert row.outcome == RowOutcome.QUARANTINED
    assert _codes(db, row) == [("date_of_birth", Code.PERSON_CONFLICT)]
    assert row.person_id == ava.id and row.recorded_at is None
    assert persons(db) == before and parties_of(db, s.case) == []


def test_a_differing_nhs_number_or_one_held_by_someone_else_is_a_conflict(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    ava = _ava(db, identifiers=[IdentifierIn(scheme="nhs", value=NHS_A)])
    zed = make_person(
        db,
        "Zed",
        "Quartermaine",
        date(1980, 1, 1),
        identifiers=[IdentifierIn(scheme="nhs", value=NHS_B)],
    )
    before = persons(db)
    submission = _submit(
        db,
        keyring,
        s,
        "party_details",
        [
            child(s.case, nhs_number=NHS_B),  # Ava, with Zed's number
            child(s.other_case, "Ava", "Zielinska", nhs_number="4010232137"),  # another number
            {
                **child(s.other_case, "Olu", "Brand", ni_number=NINO_A),
                "role": "parent",
                "date_of_birth": "1985-06-06",
                "nhs_number": NHS_A,  # Ava's
            },
        ],
    )
    rows = rows_of(db, submission)
    assert [r.outcome for r in rows] == [RowOutcome.QUARANTINED] * 3
    assert [_codes(db, r) for r in rows] == [[("nhs_number", Code.PERSON_CONFLICT)]] * 3
    assert [r.person_id for r in rows] == [zed.id, ava.id, ava.id]
    assert persons(db) == before


def test_a_possible_match_is_held_and_no_candidate_makes_a_new_person(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    ava = _ava(db)
    before = persons(db)
    submission = _submit(
        db,
        keyring,
        s,
        "party_details",
        [
            child(s.case, date_of_birth=""),  # no date of birth to be sure by
            child(s.case, "Kit", "Marlowe-Vance", date_of_birth="2014-08-08"),
        ],
    )
    held, new = rows_of(db, submission)
    assert held.outcome == RowOutcome.QUARANTINED and held.person_id == ava.id
    assert _codes(db, held) == [(None, Code.PERSON_POSSIBLE)]
    assert new.outcome == RowOutcome.ACCEPTED and new.person_id not in (None, ava.id)
    assert persons(db) == before + 1


def test_one_new_person_in_two_cases_of_one_batch_is_recorded_once(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    before = persons(db)
    worker = {
        "role": "social_worker",
        "first_name": "Sam",
        "last_name": "Ndlovu",
        "email": "sam.ndlovu@barset.gov.example",
    }
    submission = _submit(
        db,
        keyring,
        s,
        "party_details",
        [
            child(s.case, "Mia", "Hart", date_of_birth="2018-02-02", nhs_number=NHS_A),
            child(s.other_case, "Mia", "Hart", date_of_birth="2018-02-02"),
            {"case_number": s.case.case_number, **worker},
            {"case_number": s.other_case.case_number, **worker},
        ],
    )
    rows = rows_of(db, submission)
    assert [r.outcome for r in rows] == [RowOutcome.ACCEPTED] * 4
    assert rows[0].person_id == rows[1].person_id and rows[2].person_id == rows[3].person_id
    assert persons(db) == before + 2
    # A later file naming the social worker by the same email links to them too.
    later = _submit(
        db,
        keyring,
        s,
        "party_details",
        [{"case_number": s.case.case_number, **worker, "role": "solicitor"}],
    )
    (row,) = rows_of(db, later)
    assert row.outcome == RowOutcome.ACCEPTED and row.person_id == rows[2].person_id
    # Without a shared contact a namesake professional is only possible.
    stranger = _submit(
        db,
        keyring,
        s,
        "party_details",
        [
            {
                "case_number": s.other_case.case_number,
                **worker,
                "role": "solicitor",
                "email": "sam@elsewhere.example",
            }
        ],
    )
    (row,) = rows_of(db, stranger)
    assert row.outcome == RowOutcome.QUARANTINED and _codes(db, row) == [
        (None, Code.PERSON_POSSIBLE)
    ]


def test_weighing_is_pure_and_follows_the_rules() -> None:
    seen = matching.Seen
    row = {"first_name": "Ava", "last_name": "Z", "date_of_birth": "2015-03-02"}
    same = seen(1, "match", date(2015, 3, 2))
    assert matching.weigh(row, [same], {}) == matching.Match(matching.Verdict.LINK, 1)
    assert matching.weigh(row, [same, seen(2, "match", date(2015, 3, 2))], {}).verdict is (
        matching.Verdict.POSSIBLE
    )
    # The same first name and day of birth under another surname (marriage, adoption).
    renamed = seen(3, "possible", date(2015, 3, 2), {}, "AVA", "Other")
    assert matching.weigh(row, [renamed], {}).verdict is matching.Verdict.POSSIBLE
    # The same full name, dated a slip apart (a digit of the year), may be her.
    mistyped = seen(8, "possible", date(2016, 3, 2), {}, "Ava", "Z")
    assert matching.weigh(row, [mistyped], {}).verdict is matching.Verdict.POSSIBLE
    assert matching.weigh({**row, "date_of_birth": ""}, [mistyped], {}).verdict is (
        matching.Verdict.POSSIBLE
    )
    # A namesake born years apart is someone else.
    namesake = seen(9, "possible", date(2009, 7, 30), {}, "Ava", "Z")
    assert matching.weigh(row, [namesake], {}).verdict is matching.Verdict.NEW
    # A stranger sharing only a date of birth and a postcode is no reason to hold the row.
    stranger = seen(4, "possible", date(2015, 3, 2), {}, "Adam", "Smith")
    assert matching.weigh(row, [stranger], {}).verdict is matching.Verdict.NEW
    # Nor is a household member: the surname and address shared, born on another day.
    sibling = seen(5, "possible", date(2012, 7, 9), {}, "Kit", "Z")
    assert matching.weigh(row, [sibling], {}).verdict is matching.Verdict.NEW
    undated = seen(6, "possible", None, {}, "Kit", "Z")
    assert matching.weigh(row, [undated], {}).verdict is matching.Verdict.NEW
    assert matching.weigh(row, [seen(6, "possible", None, {}, "Ava", "Z")], {}).verdict is (
        matching.Verdict.POSSIBLE
    )
    # The same surname and day of birth may be the same person under another first name.
    same_day = seen(7, "possible", date(2015, 3, 2), {}, "Kit", "Z")
    assert matching.weigh(row, [same_day], {}).verdict is matching.Verdict.POSSIBLE
    assert matching.weigh(row, [], {}).verdict is matching.Verdict.NEW
    held = {"nhs": seen(9, "", None)}
    assert matching.weigh({**row, "nhs_number": NHS_A}, [same], held) == matching.Match(
        matching.Verdict.CONFLICT, 9, "nhs_number"
    )
    nhs_held = {"nhs": seen(1, "", date(2015, 3, 2), {"nhs": NHS_A})}
    linked = seen(1, "match", date(2015, 3, 2), {"nhs": NHS_A})
    assert matching.weigh({**row, "nhs_number": NHS_A}, [linked], nhs_held).verdict is (
        matching.Verdict.LINK
    )


# --- cases and what accepted rows become -----------------------------------------------------


def test_an_unknown_case_is_rejected_and_a_closed_case_held(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    records.close_case(db, SYSTEM, case_id=s.other_case.id)
    order = {"order_type": "care", "order_date": "2024-05-01", "court": "Family Court at Leeds"}
    submission = _submit(
        db,
        keyring,
        s,
        "court_orders",
        [
            {"case_number": "ZZ999999", **order},
            {"case_number": s.other_case.case_number, **order},
            {"case_number": s.case.case_number.lower(), **order},
        ],
    )
    unknown, closed, fine = rows_of(db, submission)
    assert unknown.outcome == RowOutcome.REJECTED and unknown.case_id is None
    assert _codes(db, unknown) == [("case_number", Code.CASE_UNKNOWN)]
    assert closed.outcome == RowOutcome.QUARANTINED and closed.case_id == s.other_case.id
    assert _codes(db, closed) == [("case_number", Code.CASE_CLOSED)]
    assert closed.document_id is None
    assert fine.outcome == RowOutcome.ACCEPTED and fine.document_id is not None
    document = db.get(Document, fine.document_id)
    assert document is not None and document.case_id == s.case.id
    assert document.kind == DocumentKind.COURT_ORDER
    text = records.download_document(db, keyring, SYSTEM, document.id).data.decode()
    assert f"submission {submission.id}, row 4" in text and s.partner.name in text
    assert db.scalars(select(Document).where(Document.case_id == s.other_case.id)).all() == []


def test_a_safeguarding_check_is_recorded_about_a_party_of_the_case_or_held(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    ava = _ava(db)
    add_party(db, s.case, ava)
    check = {
        "check_type": "police_records",
        "outcome": "no_information",
        "checked_on": "2024-06-01",
        "professional_view": "No concerns from our side.",
    }
    submission = _submit(
        db,
        keyring,
        s,
        "safeguarding_checks",
        [
            {
                "case_number": s.case.case_number,
                "first_name": "AVA",
                "last_name": "Zielinska",
                "date_of_birth": "2015-03-02",
                **check,
            },
            {
                "case_number": s.case.case_number,
                "first_name": "Ava",
                "last_name": "Zielinska",
                "date_of_birth": "2015-03-09",
                **check,
            },
            {
                "case_number": s.case.case_number,
                "first_name": "Noor",
                "last_name": "Haddad",
                "date_of_birth": "1990-01-01",
                **check,
            },
        ],
    )
    found, other_dob, stranger = rows_of(db, submission)
    assert found.outcome == RowOutcome.ACCEPTED and found.person_id == ava.id
    subjects = db.scalars(
        select(DocumentSubject.person_id).where(DocumentSubject.document_id == found.document_id)
    ).all()
    assert subjects == [ava.id]
    text = records.download_document(db, keyring, SYSTEM, found.document_id or 0).data.decode()
    assert "PROFESSIONAL VIEW: THE PARTNER'S OPINION" in text
    assert other_dob.outcome == RowOutcome.QUARANTINED and other_dob.person_id == ava.id
    assert stranger.outcome == RowOutcome.QUARANTINED and stranger.person_id is None
    assert _codes(db, stranger) == [(None, Code.PERSON_POSSIBLE)]


# --- batches, interruption and resuming ------------------------------------------------------


class Crash(Exception):
    pass


def _stored(db: Session, kek: FileKeyring, s: Setting, rows: list[dict[str, str]]) -> Submission:
    return submissions.submit(
        db,
        kek,
        SYSTEM,
        dataset="party_details",
        filename="parties.csv",
        data=csv_file("party_details", rows),
        partner_id=s.partner.id,
        inline_rows=0,
    )


def test_an_interrupted_run_keeps_whole_batches_and_a_rerun_finishes_without_duplicates(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    names = ["Amara", "Bruno", "Celia", "Dmitri", "Esther", "Faisal", "Greta"]
    surnames = ["Okoye", "Lindqvist", "Barros", "Petrov", "Nakamura", "Haddad", "Schultz"]
    kids = [
        child(
            s.case if i % 2 else s.other_case,
            names[i],
            surnames[i],
            date_of_birth=f"20{10 + i}-0{1 + i}-1{i}",
            postcode=f"LS{i + 1} 4AP",
        )
        for i in range(7)
    ]
    kids[3]["nhs_number"] = "12345"  # rejected
    submission = _stored(db, keyring, s, kids)
    assert submission.status == SubmissionStatus.RECEIVED and submission.rows == 7
    db.commit()
    before = persons(db)

    def crash(n: int) -> None:
        if n == 2:
            raise Crash

    seen: list[tuple[int, int]] = []
    with pytest.raises(Crash):
        processing.process(
            session_factory,
            keyring,
            SYSTEM,
            submission.id,
            batch_rows=3,
            before_commit=crash,
            progress=lambda d, t: seen.append((d, t)),
        )
    db.expire_all()
    assert seen == [(0, 7), (3, 7)]
    assert submission.status == SubmissionStatus.VALIDATING and submission.rows_done == 3
    assert [r.row_number for r in rows_of(db, submission)] == [2, 3, 4]
    assert persons(db) == before + 3 and submission.accepted == 3

    processing.process(session_factory, keyring, SYSTEM, submission.id, batch_rows=3)
    db.expire_all()
    assert submission.status == SubmissionStatus.COMPLETE and submission.finished_at is not None
    rows = rows_of(db, submission)
    assert [r.row_number for r in rows] == list(range(2, 9))
    assert (submission.accepted, submission.rejected, submission.rows_done) == (6, 1, 7)
    assert persons(db) == before + 6
    assert len({r.person_id for r in rows if r.person_id}) == 6
    batches = db.scalars(
        select(AuditEvent.details).where(
            AuditEvent.tag == IntakeEvent.ROW_RECORDED, AuditEvent.subject_id == str(submission.id)
        )
    ).all()
    assert len(batches) == 3  # the rolled-back batch left no event
    assert processing.unfinished(db) == []


# --- retention -------------------------------------------------------------------------------


def test_a_partners_row_never_keeps_a_person_whose_case_is_destroyed(
    db: Session, keyring: FileKeyring
) -> None:
    assert ("intake_rows", "person_id") not in [(t.name, c) for t, c in person_references()]
    s = setting(db, keyring)
    submission = _submit(db, keyring, s, "party_details", [child(s.case, "Lea", "Fenn")])
    (row,) = rows_of(db, submission)
    person_id = row.person_id
    assert person_id is not None
    records.destroy_case(db, SYSTEM, case_id=s.case.id)
    db.expire_all()
    assert db.get(Person, person_id) is None
    assert (row.person_id, row.case_id) == (None, None)
    assert row.outcome == RowOutcome.ACCEPTED  # the provenance of what was, without the ids


def test_shredding_destroys_what_was_sent_once_every_row_is_decided_and_retention_ran(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring, retention_months=6)
    with clock.frozen(datetime(2026, 1, 10, 12, tzinfo=UTC)):
        done = _submit(
            db,
            keyring,
            s,
            "party_details",
            [child(s.case, "Lea", "Fenn"), child(s.case, nhs_number="1")],
        )
        held = _submit(
            db, keyring, s, "party_details", [child(s.case, "Lea", "Fenn", date_of_birth="")]
        )
    assert (done.accepted, done.rejected) == (1, 1) and held.quarantined == 1
    assert shredding.due(db, date(2026, 7, 9)) == []
    assert shredding.shred_expired(db, SYSTEM, date(2026, 7, 10)) == [done.id]  # held waits
    assert done.shredded_at is not None and db.get(SubmissionFile, done.id) is None
    key = db.get(DataKey, done.data_key_id)
    assert key is not None and key.wrapped_key is None
    accepted, rejected = rows_of(db, done)
    assert accepted.values_sealed is None and rejected.values_sealed is None
    assert accepted.fact_key is not None and rejected.fact_key is None
    assert accepted.person_id is not None  # provenance stays
    assert (done.rows, done.accepted, done.rejected) == (2, 1, 1)
    assert _codes(db, rejected) == [("nhs_number", Code.NHS_FORMAT)]
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == IntakeEvent.SUBMISSION_SHREDDED)
    ).one()
    assert event.subject_id == str(done.id)
    assert shredding.shred_expired(db, SYSTEM, date(2030, 1, 1)) == []  # the held one still waits
    # Once decided, its clock starts at the decision.
    (waiting,) = rows_of(db, held)
    waiting.outcome = RowOutcome.REJECTED
    waiting.decided_at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    db.flush()
    assert shredding.due(db, date(2026, 8, 31)) == []
    assert shredding.due(db, date(2026, 9, 1)) == [held.id]


def test_a_stranger_sharing_a_birthday_and_a_postcode_is_a_new_person(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    ava = _ava(db, addresses=[{"line1": "1 High Street", "town": "Leeds", "postcode": "LS1 4AP"}])
    before = persons(db)
    submission = _submit(
        db, keyring, s, "party_details", [child(s.case, "Adam", "Smith", postcode="LS1 4AP")]
    )
    (row,) = rows_of(db, submission)
    assert row.outcome == RowOutcome.ACCEPTED and row.person_id not in (None, ava.id)
    assert persons(db) == before + 1
