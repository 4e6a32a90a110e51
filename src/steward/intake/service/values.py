"""A row's values: opened from their seal, checked one by one, and set beside a person.

Shared by the review of held rows (an officer's corrected value meets the same rules as the
partner's file did: ``rules.check``) and by the notices of corrections (a partner is told only
of a value it sent).
"""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound
from steward.intake import policy, rules
from steward.intake.datasets import Dataset, FieldType
from steward.intake.models import Submission, SubmissionRow
from steward.intake.policy import Code, Consequence
from steward.records import service as records

Values = dict[str, str | None]


def open_values(db: Session, kek: KeyEncryptionKeys, row: SubmissionRow) -> Values:
    """The row's values as the partner sent them. Once the submission's retention has ended
    its key is destroyed and nothing is left to open."""
    submission = db.get(Submission, row.submission_id)
    if submission is None or submission.data_key_id is None or row.values_sealed is None:
        raise Conflict("What the partner sent in this row has been destroyed.")
    plain = crypto.open_sealed(
        db,
        kek,
        key_id=submission.data_key_id,
        sealed=row.values_sealed,
        context=policy.row_context(row.id),
    )
    loaded = json.loads(plain)
    return {str(k): (None if v is None else str(v)) for k, v in loaded.items()}


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def check_row(
    db: Session, dataset: Dataset, values: Values, *, on: date
) -> tuple[Values, dict[str, Code]]:
    """The row as the pipeline would record it (``rules.normalise``) and, by field, the
    first rule each value breaks that would reject the row (``rules.check`` on a one-row
    table, as the partner's file met them, judged on ``on``; and the case number must name a
    case). Holding issues (a date of birth that does not fit the role) are the officer's to
    decide, so they are not among them."""
    table = pl.DataFrame(
        {
            name: [None if blank(values.get(name)) else _stripped(values.get(name))]
            for name in dataset.columns
        },
        schema={name: pl.String for name in dataset.columns},
    )
    found: dict[str, Code] = {}
    for issue in rules.check(table, dataset, today=on):
        code = Code(issue.code)
        if issue.field is not None and policy.CONSEQUENCE[code] is not Consequence.QUARANTINE:
            found.setdefault(issue.field, code)
    normalised_row = {
        str(k): (None if v is None else str(v))
        for k, v in rules.normalise(table, dataset).to_dicts()[0].items()
    }
    for field in dataset.fields:
        number = normalised_row.get(field.name)
        if field.type is FieldType.CASE_NUMBER and number and field.name not in found:
            try:
                records.case_id_for_number(db, number)
            except NotFound:
                found[field.name] = Code.CASE_UNKNOWN
    return normalised_row, found


def _stripped(value: str | None) -> str:
    return (value or "").strip(policy.WHITESPACE)


def normalised(kind: FieldType | None, value: object) -> str:
    """How two values of one field are compared: a difference of spacing, case or the way
    an identifier is grouped is not a difference of fact."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    text = " ".join(text.split())
    if not text:
        return ""
    if kind in (FieldType.NHS_NUMBER, FieldType.NI_NUMBER):
        return policy.compact(text)
    if kind is FieldType.POSTCODE:
        return policy.normalise_postcode(text)
    if kind is FieldType.PHONE:
        digits = re.sub(r"[^0-9]", "", text)
        return "0" + digits[2:] if text.startswith("+44") else digits
    return text.casefold()
