"""Builders for partners, their accounts and agreements, through the intake service (whose
own checks are tested in tests/intake/test_partners.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from steward.core import clock, crypto
from steward.core.auth import User
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor, Role
from steward.intake import datasets
from steward.intake.models import Agreement, Partner, RowIssue, Submission, SubmissionRow
from steward.intake.policy import (
    Code,
    FileFormat,
    LawfulBasis,
    PartnerKind,
    RowOutcome,
    SubmissionStatus,
    outcome_for,
    row_context,
)
from steward.intake.service import partners
from tests.factories.core import make_user

_counter = itertools.count(1)
ALL_DATASETS = ("court_orders", "party_details", "safeguarding_checks")


def make_partner(
    db: Session,
    *,
    code: str | None = None,
    name: str | None = None,
    kind: PartnerKind = PartnerKind.LOCAL_AUTHORITY,
) -> Partner:
    n = next(_counter)
    return partners.create_partner(
        db,
        Actor.system(),
        code=code or f"LA-{n:03d}",
        name=name or f"Borsetshire County Council {n}",
        kind=kind,
    )


def make_agreement(
    db: Session,
    partner: Partner,
    *,
    dataset_names: Iterable[str] = ALL_DATASETS,
    starts_on: date = date(2020, 4, 1),
    ends_on: date | None = None,
    retention_months: int = 12,
) -> Agreement:
    n = next(_counter)
    return partners.create_agreement(
        db,
        Actor.system(),
        partner_id=partner.id,
        reference=f"DSA-{n:04d}",
        title=f"Information sharing with {partner.name}",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        statutory_power="Children Act 1989, s.7; Criminal Justice and Court Services Act 2000, s.12",
        dataset_names=dataset_names,
        retention_months=retention_months,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def make_partner_user(db: Session, partner: Partner, *, username: str | None = None) -> User:
    user = make_user(db, Role.PARTNER, username=username)
    partners.link_user(db, Actor.system(), partner_id=partner.id, user_id=user.id)
    return user


def partner_actor(user: User) -> Actor:
    return Actor.user(user.id, Role.PARTNER)


def make_submission(
    db: Session,
    kek: KeyEncryptionKeys,
    partner: Partner,
    agreement: Agreement,
    *,
    dataset: str = "party_details",
    status: SubmissionStatus = SubmissionStatus.COMPLETE,
    submitted_at: datetime | None = None,
    user: User | None = None,
) -> Submission:
    """A submission row as the pipeline leaves it (counts are kept by make_row)."""
    n = next(_counter)
    key = crypto.create_data_key(db, kek, purpose="intake-submission")
    submission = Submission(
        partner_id=partner.id,
        agreement_id=agreement.id,
        dataset=dataset,
        dataset_version=datasets.get(dataset).version,
        file_format=FileFormat.CSV,
        filename=f"{dataset}-{n}.csv",
        size_bytes=100,
        file_sha256=f"{n:064x}",
        status=status,
        data_key_id=key.id,
        submitted_by_user_id=user.id if user else None,
        submitted_at=submitted_at or clock.now(),
        finished_at=submitted_at or clock.now(),
    )
    db.add(submission)
    db.flush()
    return submission


def make_row(
    db: Session,
    kek: KeyEncryptionKeys,
    submission: Submission,
    values: dict[str, str | None],
    *,
    issues: Iterable[tuple[str | None, Code]] = (),
    outcome: RowOutcome | None = None,
    person_id: int | None = None,
    case_id: int | None = None,
) -> SubmissionRow:
    """One row with its sealed values and issues; the outcome follows from the issues unless
    given, and the submission's counts follow the row."""
    found = list(issues)
    outcome = outcome or outcome_for({code for _, code in found})
    submission.rows += 1
    submission.rows_done += 1
    number = submission.rows + 1  # the header is row 1
    row = SubmissionRow(
        submission_id=submission.id,
        partner_id=submission.partner_id,
        row_number=number,
        outcome=outcome,
        case_id=case_id,
        person_id=person_id,
    )
    db.add(row)
    db.flush()
    assert submission.data_key_id is not None
    row.values_sealed = crypto.seal(
        db,
        kek,
        key_id=submission.data_key_id,
        plaintext=json.dumps(values).encode(),
        context=row_context(row.id),
    )
    db.add_all(
        RowIssue(submission_id=submission.id, row_id=row.id, row_number=number, field=f, code=code)
        for f, code in found
    )
    setattr(submission, outcome.value, getattr(submission, outcome.value) + 1)
    db.flush()
    return row
