"""What the submission pipeline's tests share: partners' files built from rows, and a
partner with an agreement and cases to send them about."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.intake import datasets
from steward.intake.models import Agreement, Partner, Submission, SubmissionRow
from steward.intake.policy import row_context
from steward.records.models import Case, Party, Person
from tests.factories.intake import make_agreement, make_partner
from tests.factories.records import make_case

Row = Mapping[str, str]

# A valid NHS number (mod 11) and National Insurance numbers, for rows that need them.
NHS_A = "9434765919"
NHS_B = "9434765870"
NHS_BAD = "9434765918"
NINO_A = "AB123456C"


def csv_file(dataset: str, rows: Iterable[Row]) -> bytes:
    columns = datasets.get(dataset).columns
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode()


def json_file(dataset: str, rows: Iterable[Row]) -> bytes:
    columns = datasets.get(dataset).columns
    return json.dumps([{c: row.get(c) for c in columns} for row in rows]).encode()


def child(case: Case, first: str = "Ava", last: str = "Zielinska", **extra: str) -> dict[str, str]:
    return {
        "case_number": case.case_number,
        "role": "child_subject",
        "first_name": first,
        "last_name": last,
        "date_of_birth": "2015-03-02",
        "postcode": "LS1 4AP",
        **extra,
    }


@dataclass
class Setting:
    partner: Partner
    agreement: Agreement
    case: Case
    other_case: Case


def setting(db: Session, kek: KeyEncryptionKeys, **agreement: object) -> Setting:
    partner = make_partner(db)
    made = make_agreement(db, partner, **agreement)  # type: ignore[arg-type]
    return Setting(partner, made, make_case(db, kek), make_case(db, kek))


def count(db: Session, model: type[object]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def rows_of(db: Session, submission: Submission) -> list[SubmissionRow]:
    return list(
        db.scalars(
            select(SubmissionRow)
            .where(SubmissionRow.submission_id == submission.id)
            .order_by(SubmissionRow.row_number)
        )
    )


def values_of(
    db: Session, kek: KeyEncryptionKeys, submission: Submission, row: SubmissionRow
) -> dict[str, str | None]:
    assert submission.data_key_id is not None and row.values_sealed is not None
    plain = crypto.open_sealed(
        db,
        kek,
        key_id=submission.data_key_id,
        sealed=row.values_sealed,
        context=row_context(row.id),
    )
    loaded: dict[str, str | None] = json.loads(plain)
    return loaded


def parties_of(db: Session, case: Case) -> list[tuple[int, str]]:
    return [
        (p.person_id, p.role)
        for p in db.scalars(select(Party).where(Party.case_id == case.id).order_by(Party.id))
    ]


def persons(db: Session) -> int:
    return count(db, Person)
