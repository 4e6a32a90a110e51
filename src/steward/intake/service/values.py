"""A row's values: opened from their seal, checked one by one, and set beside a person.

Shared by the review of held rows (an officer's corrected value meets the same per-value
rules as the partner's file did) and by the notices of corrections (a partner is told only
of a value it sent).
"""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import Conflict, NotFound
from steward.intake import policy
from steward.intake.datasets import Field, FieldType
from steward.intake.models import Submission, SubmissionRow
from steward.intake.policy import Code
from steward.records import service as records

Values = dict[str, str | None]

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


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


def value_code(db: Session, field: Field, value: str | None, *, on: date) -> Code | None:
    """The first rule ``value`` breaks, as a row-level code (the per-value reference of
    policy.py), or None. The case number must name a case, as in the pipeline."""
    if blank(value):
        return Code.REQUIRED if field.required else None
    assert value is not None
    text = value.strip()
    # A phone number may start with +44; every other typed format cannot start with a
    # formula's first character when it is valid, and text must not.
    if field.type is not FieldType.PHONE and policy.is_formula(text):
        return Code.FORMULA
    if field.max_length is not None and len(text) > field.max_length:
        return Code.TOO_LONG
    return _typed_code(db, field, text, on)


def _typed_code(db: Session, field: Field, text: str, on: date) -> Code | None:
    kind = field.type
    if kind is FieldType.CHOICE:
        return None if text in field.choices else Code.CHOICE
    if kind is FieldType.DATE:
        when = parse_date(text)
        if when is None:
            return Code.DATE_INVALID
        return Code.DATE_FUTURE if field.past_only and when > on else None
    if kind is FieldType.NHS_NUMBER:
        return policy.nhs_number_code(text)
    if kind is FieldType.NI_NUMBER:
        return policy.nino_code(text)
    if kind is FieldType.POSTCODE:
        return None if policy.postcode_ok(text) else Code.POSTCODE_FORMAT
    if kind is FieldType.PHONE:
        return None if policy.phone_ok(text) else Code.PHONE_FORMAT
    if kind is FieldType.EMAIL:
        return None if policy.email_ok(text) else Code.EMAIL_FORMAT
    if kind is FieldType.CASE_NUMBER:
        try:
            records.case_id_for_number(db, text)
        except NotFound:
            return Code.CASE_UNKNOWN
    return None


def parse_date(text: str) -> date | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


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
