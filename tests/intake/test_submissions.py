"""Receiving a partner's file: refused whole (nothing recorded) or stored sealed and
processed; who may submit for whom, and who may read a submission."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import crypto, jobs
from steward.core.audit import AuditEvent
from steward.core.config import Settings
from steward.core.crypto import DataKey, FileKeyring
from steward.core.errors import Forbidden, NotFound, ValidationFailed
from steward.core.permissions import Actor, Role
from steward.intake.errors import Refused
from steward.intake.events import IntakeEvent
from steward.intake.models import RowIssue, Submission, SubmissionFile, SubmissionRow
from steward.intake.policy import MESSAGES, Code, RowOutcome, SubmissionStatus, file_context
from steward.intake.service import processing, submissions
from steward.records.models import Person
from tests.factories.core import make_user
from tests.factories.intake import make_agreement, make_partner, make_partner_user, partner_actor
from tests.intake.pipeline import (
    NHS_A,
    NHS_BAD,
    child,
    count,
    csv_file,
    json_file,
    parties_of,
    persons,
    rows_of,
    setting,
    values_of,
)

SYSTEM = Actor.system()


def _submit(
    db: Session, kek: FileKeyring, partner_id: int, data: bytes, **kw: object
) -> Submission:
    return submissions.submit(
        db,
        kek,
        SYSTEM,
        dataset=str(kw.pop("dataset", "party_details")),
        filename=str(kw.pop("filename", "parties.csv")),
        data=data,
        partner_id=partner_id,
        **kw,  # type: ignore[arg-type]
    )


def test_a_file_mixing_good_and_bad_rows_records_exactly_the_good_ones(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    before = persons(db)
    data = csv_file(
        "party_details",
        [
            child(s.case, "Ava", "Zielinska", nhs_number=NHS_A),
            child(s.case, "Ben", "Okafor", date_of_birth="2016-07-01", nhs_number=NHS_BAD),
            {
                **child(s.case, "Cara", "Okafor", date_of_birth="2017-01-09"),
                "case_number": "NO0001",
            },
            child(s.other_case, "Dan", "Moss", date_of_birth="2012-11-30", phone="=HYPERLINK()"),
            child(s.other_case, "Eve", "Moss", date_of_birth="2013-12-01", postcode="ls1 4ap"),
        ],
    )
    submission = _submit(db, keyring, s.partner.id, data)

    assert submission.status == SubmissionStatus.COMPLETE
    assert (submission.rows, submission.rows_done) == (5, 5)
    assert (submission.accepted, submission.rejected, submission.quarantined) == (2, 3, 0)
    rows = rows_of(db, submission)
    assert [r.outcome for r in rows] == [
        RowOutcome.ACCEPTED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
        RowOutcome.ACCEPTED,
    ]
    assert [r.row_number for r in rows] == [2, 3, 4, 5, 6]
    # Exactly the good rows became records: two persons, each a party to their case.
    assert persons(db) == before + 2
    assert parties_of(db, s.case) == [(rows[0].person_id, "child_subject")]
    assert parties_of(db, s.other_case) == [(rows[4].person_id, "child_subject")]
    assert all(r.person_id is None and r.recorded_at is None for r in rows[1:4])
    assert rows[0].case_id == s.case.id and rows[0].recorded_at is not None
    ava = db.get(Person, rows[0].person_id)
    assert ava is not None and [(i.scheme, i.value) for i in ava.identifiers] == [("nhs", NHS_A)]
    issues = db.execute(
        select(RowIssue.row_number, RowIssue.field, RowIssue.code)
        .where(RowIssue.submission_id == submission.id)
        .order_by(RowIssue.row_number)
    ).all()
    assert [tuple(i) for i in issues] == [
        (3, "nhs_number", Code.NHS_CHECKSUM),
        (4, "case_number", Code.CASE_UNKNOWN),
        (5, "phone", Code.FORMULA),
    ]
    # Every row's values are sealed under the submission's own key, normalised.
    assert values_of(db, keyring, submission, rows[4])["postcode"] == "LS1 4AP"
    assert all(r.values_sealed and b"Okafor" not in r.values_sealed for r in rows)
    sealed_file = db.get(SubmissionFile, submission.id)
    assert sealed_file is not None and b"Zielinska" not in sealed_file.body
    assert submission.data_key_id is not None
    assert (
        crypto.open_sealed(
            db,
            keyring,
            key_id=submission.data_key_id,
            sealed=sealed_file.body,
            context=file_context(submission.id),
        )
        == data
    )
    key = db.get(DataKey, submission.data_key_id)
    assert key is not None and key.purpose == "intake-submission"
    assert submission.filename == "parties.csv" and submission.file_format == "csv"
    tags = db.scalars(
        select(AuditEvent.tag).where(
            AuditEvent.subject_type == "submission", AuditEvent.subject_id == str(submission.id)
        )
    ).all()
    assert tags == [
        IntakeEvent.SUBMISSION_RECEIVED,
        IntakeEvent.ROW_RECORDED,
        IntakeEvent.SUBMISSION_VALIDATED,
    ]
    details = db.scalars(
        select(AuditEvent.details).where(AuditEvent.tag == IntakeEvent.SUBMISSION_VALIDATED)
    ).all()
    assert json.loads(details[-1])["accepted"] == 2
    assert "Zielinska" not in " ".join(d or "" for d in db.scalars(select(AuditEvent.details)))


def test_the_outcome_lists_each_issue_with_its_message_and_no_value(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    data = csv_file(
        "party_details",
        [child(s.case), child(s.case, "Ben", "Okafor", nhs_number=NHS_BAD)],
    )
    submission = _submit(db, keyring, s.partner.id, data)
    body = submissions.outcome_json(db, submission)
    assert body == {
        "submission_id": submission.id,
        "status": "complete",
        "rows": 2,
        "accepted": 1,
        "quarantined": 0,
        "rejected": 1,
        "unchanged": 0,
        "issues": [
            {
                "row": 3,
                "field": "nhs_number",
                "code": "nhs.checksum",
                "message": MESSAGES[Code.NHS_CHECKSUM],
            }
        ],
    }
    assert NHS_BAD not in json.dumps(body) and "Okafor" not in json.dumps(body)


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"case_number,role,name\nZZ1,child_subject,Ava\n", "p.csv", Code.FILE_HEADER),
        ("case_number,role\n\xe9".encode("latin-1"), "p.csv", Code.FILE_ENCODING),
        (b"", "p.csv", Code.FILE_EMPTY),
        (b"%PDF-1.7 not a table", "p.pdf", Code.FILE_FORMAT),
    ],
)
def test_a_malformed_file_is_refused_whole_and_records_nothing(
    db: Session, keyring: FileKeyring, data: bytes, filename: str, code: Code
) -> None:
    s = setting(db, keyring)
    before = (persons(db), count(db, DataKey))
    with pytest.raises(Refused) as refused:
        _submit(db, keyring, s.partner.id, data, filename=filename)
    assert refused.value.code == code
    assert count(db, Submission) == 0 and count(db, SubmissionRow) == 0
    assert (persons(db), count(db, DataKey)) == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    data = csv_file("party_details", [child(s.case)] * 50)
    with pytest.raises(Refused) as refused:
        _submit(db, keyring, s.partner.id, data, max_bytes=1024)
    assert refused.value.code == Code.FILE_TOO_LARGE
    assert "0.0009765625 MB" not in refused.value.message and count(db, Submission) == 0


def test_a_submission_outside_any_agreement_or_of_an_uncovered_data_set_is_refused(
    db: Session, keyring: FileKeyring
) -> None:
    ended = setting(db, keyring, ends_on=date(2021, 3, 31))
    data = csv_file("party_details", [child(ended.case)])
    with pytest.raises(Refused) as refused:
        _submit(db, keyring, ended.partner.id, data)
    assert refused.value.code == Code.AGREEMENT_NONE

    not_yet = setting(db, keyring, starts_on=date(2099, 1, 1))
    with pytest.raises(Refused) as refused:
        _submit(db, keyring, not_yet.partner.id, data)
    assert refused.value.code == Code.AGREEMENT_NONE

    narrow = setting(db, keyring, dataset_names=["court_orders"])
    with pytest.raises(Refused) as refused:
        _submit(db, keyring, narrow.partner.id, data)
    assert refused.value.code == Code.AGREEMENT_DATASET
    assert count(db, Submission) == 0


def test_resubmitting_the_same_file_records_nothing_twice(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    data = csv_file("party_details", [child(s.case), child(s.case, "Ben", "Okafor")])
    first = _submit(db, keyring, s.partner.id, data)
    assert first.accepted == 2
    before = (persons(db), len(parties_of(db, s.case)), count(db, SubmissionRow))
    with pytest.raises(Refused) as refused:
        _submit(db, keyring, s.partner.id, data, filename="again.csv")
    assert refused.value.code == Code.FILE_REPEATED
    assert f"as submission {first.id} on " in refused.value.message
    assert (persons(db), len(parties_of(db, s.case)), count(db, SubmissionRow)) == before
    # A keyed hash: not the file's plain digest.
    import hashlib

    assert first.file_sha256 != hashlib.sha256(data).hexdigest()
    # The same file from another partner is that partner's own first submission.
    other = make_partner(db)
    make_agreement(db, other)
    assert _submit(db, keyring, other.id, data).status == SubmissionStatus.COMPLETE


def test_a_different_file_repeating_earlier_facts_is_unchanged_and_a_changed_fact_is_held(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    first = _submit(
        db,
        keyring,
        s.partner.id,
        csv_file(
            "party_details", [child(s.case), child(s.case, "Ben", "Okafor", phone="0113 496 0000")]
        ),
    )
    assert first.accepted == 2
    ava, ben = (r.person_id for r in rows_of(db, first))
    before = (persons(db), len(parties_of(db, s.case)))
    second = _submit(
        db,
        keyring,
        s.partner.id,
        json_file(
            "party_details",
            [
                {**child(s.case), "first_name": " ava "},  # the same fact, written differently
                child(s.case, "Ben", "Okafor", phone="0113 496 0999"),  # the same fact, changed
                child(s.other_case, "Cy", "Lane", date_of_birth="2019-05-05"),
            ],
        ),
        filename="parties.json",
    )
    rows = rows_of(db, second)
    assert [r.outcome for r in rows] == [
        RowOutcome.UNCHANGED,
        RowOutcome.QUARANTINED,
        RowOutcome.ACCEPTED,
    ]
    assert (second.unchanged, second.quarantined, second.accepted) == (1, 1, 1)
    assert rows[0].person_id == ava and rows[0].recorded_at is None
    assert rows[1].person_id == ben  # the candidate, beside the earlier value
    codes = db.scalars(select(RowIssue.code).where(RowIssue.row_id == rows[1].id)).all()
    assert codes == [Code.EARLIER_DIFFERS]
    # Nothing recorded twice: one new person (Cy), no new party in the first case.
    assert (persons(db), len(parties_of(db, s.case))) == (before[0] + 1, before[1])


def test_a_partner_submits_for_its_own_partner_only_and_reads_only_its_own(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    other = setting(db, keyring)
    user = make_partner_user(db, s.partner)
    actor = partner_actor(user)
    data = csv_file("party_details", [child(s.case)])
    mine = submissions.submit(
        db, keyring, actor, dataset="party_details", filename="p.csv", data=data
    )
    assert mine.partner_id == s.partner.id and mine.submitted_by_user_id == user.id
    with pytest.raises(NotFound):
        submissions.submit(
            db,
            keyring,
            actor,
            dataset="party_details",
            filename="p.csv",
            data=csv_file("party_details", [child(other.case)]),
            partner_id=other.partner.id,
        )
    theirs = _submit(db, keyring, other.partner.id, csv_file("party_details", [child(other.case)]))
    assert submissions.get_submission(db, actor, mine.id) is mine
    with pytest.raises(NotFound):
        submissions.get_submission(db, actor, theirs.id)
    # Staff who review intake read any partner's; other staff none.
    officer = make_user(db, Role.IG_OFFICER).actor
    assert submissions.get_submission(db, officer, theirs.id) is theirs
    with pytest.raises(Forbidden):
        submissions.get_submission(db, make_user(db, Role.CASEWORKER).actor, theirs.id)
    reads = db.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.tag == IntakeEvent.SUBMISSION_READ)
    ).all()
    assert reads == [str(mine.id), str(theirs.id)]
    # An unlinked partner account submits for no one.
    unlinked = Actor.user(make_user(db, Role.PARTNER).id, Role.PARTNER)
    with pytest.raises(Forbidden):
        submissions.submit(
            db, keyring, unlinked, dataset="party_details", filename="p.csv", data=data
        )


def test_staff_submit_on_a_partners_behalf_naming_the_partner(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    officer = make_user(db, Role.IG_OFFICER)
    data = csv_file("party_details", [child(s.case)])
    with pytest.raises(ValidationFailed):
        submissions.submit(
            db, keyring, officer.actor, dataset="party_details", filename="p.csv", data=data
        )
    made = submissions.submit(
        db,
        keyring,
        officer.actor,
        dataset="party_details",
        filename="p.csv",
        data=data,
        partner_id=s.partner.id,
    )
    assert made.partner_id == s.partner.id and made.submitted_by_user_id == officer.id
    with pytest.raises(Forbidden):
        submissions.submit(
            db,
            keyring,
            make_user(db, Role.CASEWORKER).actor,
            dataset="party_details",
            filename="p.csv",
            data=data,
            partner_id=s.partner.id,
        )


def test_a_large_file_is_processed_in_the_background_with_progress(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    user = make_partner_user(db, s.partner)
    db.commit()
    queue = jobs.make_queue(settings, session_factory, keyring, immediate=True)
    rows = [
        {
            "case_number": s.case.case_number,
            "order_type": "care",
            "order_date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "court": f"Family Court at Leeds, court {i}",
        }
        for i in range(12)
    ]
    submission = submissions.submit(
        db,
        keyring,
        partner_actor(user),
        dataset="court_orders",
        filename="orders.csv",
        data=csv_file("court_orders", rows),
        inline_rows=5,
        queue=queue,
    )
    assert submission.status == SubmissionStatus.RECEIVED and submission.job_id is not None
    db.commit()  # the job runs once the submission is committed
    db.refresh(submission)
    job = db.get(jobs.Job, submission.job_id)
    assert job is not None and job.status == "done", job.error
    assert (job.done, job.total) == (12, 12)
    assert job.result_path == f"/intake/submissions/{submission.id}"
    assert submission.status == SubmissionStatus.COMPLETE and submission.accepted == 12
    # Another partner's account cannot watch it; the partner's own and the officers can.
    stranger = setting(db, keyring)
    with pytest.raises(Forbidden):
        jobs.get(db, partner_actor(make_partner_user(db, stranger.partner)), job.id)
    assert jobs.get(db, partner_actor(user), job.id) is job
    assert jobs.get(db, make_user(db, Role.IG_OFFICER).actor, job.id) is job


def test_a_refusal_can_be_kept_on_the_audit_trail_with_its_code_only(
    db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    submissions.note_refusal(
        db, SYSTEM, partner_id=s.partner.id, dataset="party_details", code=Code.FILE_HEADER
    )
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == IntakeEvent.SUBMISSION_REFUSED)
    ).one()
    assert event.subject_id == str(s.partner.id)
    assert json.loads(event.details or "{}") == {"dataset": "party_details", "code": "file.header"}


def test_processing_a_finished_submission_again_changes_nothing(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    submission = _submit(db, keyring, s.partner.id, csv_file("party_details", [child(s.case)]))
    db.commit()
    before = (persons(db), count(db, SubmissionRow), count(db, AuditEvent))
    processing.process(session_factory, keyring, SYSTEM, submission.id)
    assert (persons(db), count(db, SubmissionRow), count(db, AuditEvent)) == before
