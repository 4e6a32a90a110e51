"""The intake demo on the small demo organisation: three partners with contacts and agreements
(one ended), the demo's partner account sending for the council, a year of files received
through the real pipeline on their own days, rows linked to the people already recorded (never
a second record of them), rows held for the IG officer with person conflicts among them, rows
rejected with the faults they were given, and seeding it twice adding nothing."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.crypto import FileKeyring
from steward.demo import intake as demo_intake
from steward.demo import service
from steward.demo.intake_files import file_bytes
from steward.demo.intake_plan import IntakePlan, Sender
from steward.demo.intake_rows import Expect, Snapshot
from steward.intake import datasets, reading
from steward.intake.events import IntakeEvent
from steward.intake.models import (
    Agreement,
    AgreementDataset,
    Partner,
    PartnerContact,
    RowIssue,
    Submission,
    SubmissionRow,
)
from steward.intake.policy import (
    Code,
    FileFormat,
    PartnerKind,
    RowOutcome,
    SubmissionStatus,
)
from steward.intake.service import partners, register
from steward.records.models import Party, Person
from tests.demo.conftest import SEED, Seeded


@dataclass
class Loaded:
    demo: demo_intake.IntakeDemo
    snapshot: Snapshot
    persons_before: int
    last_person_before: int


@pytest.fixture(scope="module")
def loaded(seeded: Seeded, keyring: FileKeyring) -> Loaded:
    with seeded.factory() as db:
        snapshot = demo_intake.read_snapshot(db)
        before = db.scalar(select(func.count()).select_from(Person)) or 0
        last = db.scalar(select(func.max(Person.id))) or 0
    demo = demo_intake.prepare(seeded.factory, keyring, seed=SEED)
    assert demo is not None
    return Loaded(demo, snapshot, before, last)


def _user(db: Session, username: str) -> auth.User:
    user = db.scalar(select(auth.User).where(auth.User.username == username))
    assert user is not None, username
    return user


def test_three_partners_with_contacts_and_agreements_one_ended(
    loaded: Loaded, demo_db: Session
) -> None:
    today = clock.today()
    found = {p.kind: p for p in demo_db.scalars(select(Partner))}
    assert set(found) == {PartnerKind.LOCAL_AUTHORITY, PartnerKind.COURT, PartnerKind.POLICE}
    for partner in found.values():
        assert partner.active
        assert demo_db.scalars(
            select(PartnerContact).where(PartnerContact.partner_id == partner.id)
        ).all()
        views = register.agreements(demo_db, _user(demo_db, "ig-officer").actor, partner.id)
        in_force = [v for v in views if v.state is register.AgreementState.IN_FORCE]
        assert in_force, partner.name
        for view in in_force:
            agreement = view.agreement
            assert agreement.lawful_basis and agreement.statutory_power
            assert "Act" in agreement.statutory_power
            assert view.datasets and agreement.retention_months > 0
    ended = demo_db.scalars(select(Agreement).where(Agreement.ends_on < today)).all()
    assert [a.partner_id for a in ended] == [found[PartnerKind.POLICE].id]
    # It was ended (on the record) when its successor was recorded, not written as ended.
    (event,) = demo_db.scalars(
        select(audit.AuditEvent).where(audit.AuditEvent.tag == IntakeEvent.AGREEMENT_ENDED.value)
    ).all()
    assert event.subject_id == str(ended[0].id)
    council = found[PartnerKind.LOCAL_AUTHORITY]
    covered = set(
        demo_db.scalars(
            select(AgreementDataset.dataset)
            .join(Agreement, Agreement.id == AgreementDataset.agreement_id)
            .where(Agreement.partner_id == council.id)
        )
    )
    assert covered == {"party_details", "safeguarding_checks"}
    assert "Children Act 1989" in " ".join(
        demo_db.scalars(select(Agreement.statutory_power).where(Agreement.partner_id == council.id))
    )


def test_the_partner_account_sends_for_the_council(loaded: Loaded, demo_db: Session) -> None:
    account = _user(demo_db, "partner")
    own = partners.partner_of(demo_db, account.actor)
    assert own is not None and own.kind == PartnerKind.LOCAL_AUTHORITY
    assert own.name == loaded.demo.plan.council.name
    organisation = register.organisation(demo_db, account.actor)
    assert {d.name for d in organisation.datasets} == {"party_details", "safeguarding_checks"}
    senders = {
        (partner_id, user_id)
        for partner_id, user_id in demo_db.execute(
            select(Submission.partner_id, Submission.submitted_by_user_id)
        )
    }
    assert {user for partner_id, user in senders if partner_id == own.id} == {account.id}
    # The police force's files came by secure email, uploaded by the IG officer; the court's
    # by the automated feed.
    officer = _user(demo_db, "ig-officer")
    kinds = {p.id: p.kind for p in demo_db.scalars(select(Partner))}
    by_kind = {kinds[p]: u for p, u in senders if kinds[p] != PartnerKind.LOCAL_AUTHORITY}
    assert by_kind.get(PartnerKind.POLICE, officer.id) == officer.id
    assert by_kind.get(PartnerKind.COURT) is None


def test_files_were_received_on_their_own_days_across_the_year(
    loaded: Loaded, demo_db: Session
) -> None:
    subs = demo_db.scalars(select(Submission).order_by(Submission.submitted_at)).all()
    assert len(subs) == len(loaded.demo.submitted) and loaded.demo.refused == 0
    assert all(s.status == SubmissionStatus.COMPLETE for s in subs)
    months = {s.submitted_at.strftime("%Y-%m") for s in subs}
    assert len(months) >= 6, months
    today = clock.today()
    ages = [(today - s.submitted_at.astimezone(clock.UK).date()).days for s in subs]
    assert min(ages) >= 1 and 250 <= max(ages) <= 370
    planned = {sid: p for p, sid in loaded.demo.submitted}
    agreements = {a.id: a for a in demo_db.scalars(select(Agreement))}
    for sub in subs:
        # The pipeline stamped the day it ran on: the clock was set to the file's moment.
        assert sub.submitted_at == planned[sub.id].at
        assert sub.finished_at is not None and sub.finished_at >= sub.submitted_at
        day = sub.submitted_at.astimezone(clock.UK).date()
        agreement = agreements[sub.agreement_id or 0]
        assert agreement.starts_on <= day and (
            agreement.ends_on is None or day <= agreement.ends_on
        )
    assert {FileFormat(s.file_format) for s in subs} == set(FileFormat)
    police = next(p for p in loaded.demo.plan.partners if p.kind is PartnerKind.POLICE)
    assert police.sender is Sender.OFFICER


def test_held_rows_wait_for_the_officer_with_person_conflicts(
    loaded: Loaded, demo_db: Session
) -> None:
    held = demo_db.scalars(
        select(SubmissionRow).where(SubmissionRow.outcome == RowOutcome.QUARANTINED)
    ).all()
    assert 3 <= len(held) <= 25
    assert all(r.decision is None and r.recorded_at is None for r in held)
    codes = defaultdict(set)
    for row_id, code in demo_db.execute(
        select(RowIssue.row_id, RowIssue.code).where(RowIssue.row_id.in_([r.id for r in held]))
    ):
        codes[row_id].add(code)
    conflicts = [r for r in held if Code.PERSON_CONFLICT.value in codes[r.id]]
    assert conflicts
    # A conflict is held against the person it may be: someone already recorded.
    assert all(
        r.person_id is not None and r.person_id <= loaded.last_person_before for r in conflicts
    )
    received = {s.id: s.submitted_at for s in demo_db.scalars(select(Submission))}
    oldest = min(received[r.submission_id] for r in held)
    assert (clock.now() - oldest).days > 60  # some have waited a while
    submissions = {s.id: s for s in demo_db.scalars(select(Submission))}
    assert sum(s.quarantined for s in submissions.values()) == len(held)


def test_exact_matches_link_to_the_recorded_person_and_nobody_is_recorded_twice(
    loaded: Loaded, demo_db: Session
) -> None:
    rows = {(r.submission_id, r.row_number): r for r in demo_db.scalars(select(SubmissionRow))}
    linked = 0
    for planned, sid in loaded.demo.submitted:
        for number, row in enumerate(planned.rows, start=2):
            kept = rows[(sid, number)]
            if row.expect is Expect.LINK:
                assert kept.outcome == RowOutcome.ACCEPTED, (planned.filename, number)
                assert kept.person_id == row.person_id
                assert demo_db.scalar(
                    select(func.count())
                    .select_from(Party)
                    .where(Party.case_id == kept.case_id, Party.person_id == row.person_id)
                )
                linked += 1
    assert linked >= 5
    created = demo_db.scalars(select(Person).where(Person.id > loaded.last_person_before)).all()
    after = demo_db.scalar(select(func.count()).select_from(Person))
    assert after == loaded.persons_before + len(created)
    new_accepted = {
        kept.person_id
        for planned, sid in loaded.demo.submitted
        if planned.dataset == "party_details"
        for number, row in enumerate(planned.rows, start=2)
        if (kept := rows[(sid, number)]).outcome == RowOutcome.ACCEPTED
        and kept.person_id is not None
        and kept.person_id > loaded.last_person_before
    }
    assert {p.id for p in created} == new_accepted
    earlier = {
        (p.first_name.casefold(), p.last_name.casefold(), p.date_of_birth)
        for p in demo_db.scalars(select(Person).where(Person.id <= loaded.last_person_before))
    }
    for person in created:
        key = (person.first_name.casefold(), person.last_name.casefold(), person.date_of_birth)
        assert person.is_professional or key not in earlier


def test_rejected_rows_carry_the_fault_they_were_given(loaded: Loaded, demo_db: Session) -> None:
    issues: dict[tuple[int, int], set[str]] = defaultdict(set)
    for sid, number, code in demo_db.execute(
        select(RowIssue.submission_id, RowIssue.row_number, RowIssue.code)
    ):
        issues[(sid, number)].add(code)
    outcomes = dict(
        ((r.submission_id, r.row_number), r.outcome) for r in demo_db.scalars(select(SubmissionRow))
    )
    faults = Counter()
    for planned, sid in loaded.demo.submitted:
        for number, row in enumerate(planned.rows, start=2):
            if row.expect is Expect.REJECT:
                assert row.code is not None
                assert outcomes[(sid, number)] == RowOutcome.REJECTED
                assert row.code.value in issues[(sid, number)], (planned.filename, number)
                faults[row.code] += 1
    total = loaded.demo.rows
    assert faults and sum(faults.values()) <= 0.1 * total
    assert loaded.demo.outcomes["rejected"] >= sum(faults.values())


def test_the_plan_is_the_same_for_the_same_seed_and_its_files_read(loaded: Loaded) -> None:
    plan = loaded.demo.plan
    again = IntakePlan(loaded.snapshot, today=plan.today, seed=SEED)
    assert again.partners == plan.partners
    assert again.submissions == plan.submissions
    for planned in plan.submissions:
        dataset = datasets.get(planned.dataset)
        data = file_bytes(
            dataset,
            [r.values for r in planned.rows],
            planned.file_format,
            day_first=planned.day_first,
        )
        assert data == file_bytes(
            dataset,
            [r.values for r in again.submissions[plan.submissions.index(planned)].rows],
            planned.file_format,
            day_first=planned.day_first,
        )
        assert reading.detect_format(planned.filename, data) is planned.file_format
        table = reading.read_table(data, file_format=planned.file_format, dataset=dataset)
        assert table.height == len(planned.rows)
    other = IntakePlan(loaded.snapshot, today=plan.today, seed=SEED + 1)
    assert other.submissions != plan.submissions


def test_a_second_run_adds_nothing(loaded: Loaded, seeded: Seeded, keyring: FileKeyring) -> None:
    with seeded.factory() as db:
        counts = [
            db.scalar(select(func.count()).select_from(table))
            for table in (Partner, Agreement, Submission, SubmissionRow, Person)
        ]
    assert demo_intake.prepare(seeded.factory, keyring, seed=SEED) is None
    with seeded.factory() as db:
        assert counts == [
            db.scalar(select(func.count()).select_from(table))
            for table in (Partner, Agreement, Submission, SubmissionRow, Person)
        ]


def test_the_summary_says_what_the_partner_and_the_officer_see(
    loaded: Loaded, demo_db: Session
) -> None:
    views = {v.username: v.sees for v in service.summary(demo_db).accounts}
    assert loaded.demo.plan.council.name in views["partner"]
    held = loaded.demo.outcomes["quarantined"]
    assert f"{held:,} partner rows held for review" in views["ig-officer"]
