"""The rules benchmark's peer: pandera (pandas backend) with the same checks as
steward.intake.rules, written as a pandera user would write them, vectorised with pandas'
string methods and numpy, on the same bytes read with ``pandas.read_csv(dtype=str)``.

Each check is named with the rule code it stands for, so the two sides' counts of bad cells
can be compared rule by rule. As in ours, the checks within a field's type give its first
fault only (a checksum is judged only on ten digits, a date in the future only when it is a
date, a date of birth's fit with the role only when it is a date and not in the future).
Across kinds (a formula that is also too long) the checks run side by side, as pandera runs
them; the generated file has one fault a cell, so both sides count the same cells.
Dates go through ``pd.to_datetime(..., format=..., errors="coerce")``, whose nanosecond range
(1677 to 2262) holds every date in the file.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from steward.intake import policy
from steward.intake.datasets import Dataset, Field, FieldType

NHS_WEIGHTS = np.arange(10, 0, -1)
_FORMULA = "^[=+\\-@\t\r]"
_NINO_NEVER = (
    f"^(?:[{''.join(sorted(policy.NINO_FIRST_NEVER))}].|.[{''.join(sorted(policy.NINO_SECOND_NEVER))}]"
    f"|{'|'.join(sorted(policy.NINO_PAIRS_NEVER))})"
)


def read(data: bytes, dataset: Dataset) -> pd.DataFrame:
    """The same bytes as ours, every cell text, stripped, empty ones missing."""
    frame = pd.read_csv(
        io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
    )
    frame.columns = [c.strip().lower() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].str.strip(policy.WHITESPACE).replace("", np.nan)
    return frame[list(dataset.columns)]


# --- the per-value checks, vectorised on a Series (nulls already dropped by pandera) ----------


def _bool(s: pd.Series) -> pd.Series:
    """A string method's answer as booleans (pandera passes the missing cells too, and ignores
    what a check says of them)."""
    return s.eq(True)


def _compact(s: pd.Series) -> pd.Series:
    return s.str.replace(r"[\s-]", "", regex=True).str.upper()


def _nhs_parts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    number = _compact(s)
    ten = _bool(number.str.fullmatch(r"[0-9]{10}"))
    digits = np.zeros((len(s), 10), dtype=np.int64)
    if ten.any():
        chosen = number[ten].to_numpy().astype("S10")
        digits[ten.to_numpy()] = (
            np.frombuffer(chosen.tobytes(), dtype=np.uint8).reshape(-1, 10) - 48
        )
    checksum_ok = pd.Series((digits @ NHS_WEIGHTS) % 11 == 0, index=s.index)
    return ten, checksum_ok


def nhs_format(s: pd.Series) -> pd.Series:
    return _nhs_parts(s)[0]


def nhs_checksum(s: pd.Series) -> pd.Series:
    ten, ok = _nhs_parts(s)
    return ~ten | ok


def _nino_parts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    number = _compact(s)
    shape = _bool(number.str.fullmatch(policy.NINO_PATTERN.pattern.strip("^$")))
    never = _bool(number.str.contains(_NINO_NEVER, regex=True))
    return shape, never


def nino_format(s: pd.Series) -> pd.Series:
    return _nino_parts(s)[0]


def nino_prefix(s: pd.Series) -> pd.Series:
    shape, never = _nino_parts(s)
    return ~shape | ~never


def postcode_ok(s: pd.Series) -> pd.Series:
    pattern = policy.POSTCODE_PATTERN.pattern.strip("^$")
    return _bool(s.str.strip().str.upper().str.fullmatch(pattern))


def phone_ok(s: pd.Series) -> pd.Series:
    text = s.str.strip()
    shape = _bool(text.str.fullmatch(policy.PHONE_PATTERN.pattern.strip("^$")))
    digits = text.str.count(r"[0-9]")
    national = digits - _bool(text.str.startswith("+44")).astype(int)
    return shape & national.isin(policy.PHONE_DIGITS)


def email_ok(s: pd.Series) -> pd.Series:
    text = s.str.strip()
    shape = _bool(text.str.fullmatch(policy.EMAIL_PATTERN.pattern.strip("^$")))
    return shape & (text.str.len() <= 254)


def parse_dates(s: pd.Series) -> pd.Series:
    text = s.str.strip()
    iso = text.where(_bool(text.str.fullmatch(policy.DATE_ISO.pattern)))
    uk = text.where(_bool(text.str.fullmatch(policy.DATE_UK.pattern)))
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(uk, format="%d/%m/%Y", errors="coerce")
    )


def not_formula(s: pd.Series, *, phone: bool = False) -> pd.Series:
    formula = _bool(s.str.contains(_FORMULA, regex=True))
    if phone:
        formula &= ~_bool(s.str.contains(r"^\+[0-9]", regex=True))
    return ~formula


# --- the schema ------------------------------------------------------------------------------


def _checks(field: Field, today: pd.Timestamp) -> list[pa.Check]:
    checks = [
        pa.Check(
            lambda s, phone=field.type is FieldType.PHONE: not_formula(s, phone=phone),
            name="cell.formula",
        )
    ]
    if field.max_length is not None:
        checks.append(
            pa.Check(lambda s, n=field.max_length: s.str.len() <= n, name="field.too_long")
        )
    match field.type:
        case FieldType.CHOICE:
            allowed = [c.lower() for c in field.choices]
            checks.append(
                pa.Check(lambda s: s.str.strip().str.lower().isin(allowed), name="field.choice")
            )
        case FieldType.DATE:
            checks.append(pa.Check(lambda s: parse_dates(s).notna(), name="date.invalid"))
            if field.past_only:
                checks.append(
                    pa.Check(
                        lambda s: (lambda d: d.isna() | (d <= today))(parse_dates(s)),
                        name="date.future",
                    )
                )
        case FieldType.NHS_NUMBER:
            checks += [
                pa.Check(nhs_format, name="nhs.format"),
                pa.Check(nhs_checksum, name="nhs.checksum"),
            ]
        case FieldType.NI_NUMBER:
            checks += [
                pa.Check(nino_format, name="nino.format"),
                pa.Check(nino_prefix, name="nino.prefix"),
            ]
        case FieldType.POSTCODE:
            checks.append(pa.Check(postcode_ok, name="postcode.format"))
        case FieldType.PHONE:
            checks.append(pa.Check(phone_ok, name="phone.format"))
        case FieldType.EMAIL:
            checks.append(pa.Check(email_ok, name="email.format"))
        case _:
            pass
    return checks


def _dob_fits_role(frame: pd.DataFrame, today: pd.Timestamp) -> pd.Series:
    dob = parse_dates(frame["date_of_birth"])
    role = frame["role"].str.strip().str.lower()
    low = role.map({r: lo for r, (lo, _) in policy.AGE_LIMITS.items()}).fillna(0)
    high = role.map({r: hi for r, (_, hi) in policy.AGE_LIMITS.items()}).fillna(110)
    before = (dob.dt.month > today.month) | (
        (dob.dt.month == today.month) & (dob.dt.day > today.day)
    )
    age = today.year - dob.dt.year - before.astype(int)
    judged = dob.notna() & (dob <= today)
    return ~judged | ((age >= low) & (age <= high))


def normalised(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The values as recorded, as ours normalises them: what a repeated row is judged on."""
    out = {}
    for field in dataset.fields:
        s = frame[field.name]
        present = s.notna()
        value = s.copy()
        match field.type:
            case FieldType.CHOICE:
                lower = s.str.strip().str.lower()
                value = lower.where(lower.isin([c.lower() for c in field.choices]), s)
            case FieldType.DATE:
                dates = parse_dates(s)
                value = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), s)
            case FieldType.NHS_NUMBER:
                ten, ok = _nhs_parts(s.fillna(""))
                value = _compact(s).where(present & ten & ok, s)
            case FieldType.NI_NUMBER:
                shape, never = _nino_parts(s.fillna(""))
                value = _compact(s).where(present & shape & ~never, s)
            case FieldType.POSTCODE:
                bare = _compact(s)
                value = (bare.str[:-3] + " " + bare.str[-3:]).where(
                    present & postcode_ok(s.fillna("")), s
                )
            case FieldType.EMAIL:
                value = s.str.strip()
            case _:
                pass
        out[field.name] = value
    return pd.DataFrame(out)


def schema(dataset: Dataset, today: date) -> pa.DataFrameSchema:
    stamp = pd.Timestamp(today)
    columns = {
        field.name: pa.Column(str, nullable=not field.required, checks=_checks(field, stamp))
        for field in dataset.fields
    }
    frame_checks = [
        pa.Check(lambda df: ~normalised(df, dataset).duplicated(keep="first"), name="row.duplicate")
    ]
    if "role" in dataset.columns and "date_of_birth" in dataset.columns:
        frame_checks.append(pa.Check(lambda df: _dob_fits_role(df, stamp), name="dob.implausible"))
    return pa.DataFrameSchema(columns, checks=frame_checks, strict=True, ordered=False)


def validate(frame: pd.DataFrame, dataset: Dataset, today: date) -> dict[str, int]:
    """The bad cells per rule code (a frame-wide check counts rows) of a frame ``read`` made."""
    try:
        schema(dataset, today).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return {}
    counts: Counter[str] = Counter()
    for check, group in cases.groupby("check"):
        name = "field.required" if check == "not_nullable" else str(check)
        frame_wide = (group["schema_context"] == "DataFrameSchema").all()
        counts[name] += int(group["index"].nunique() if frame_wide else len(group))
    return dict(sorted(counts.items()))
