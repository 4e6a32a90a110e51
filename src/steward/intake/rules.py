"""INTERIM (wip/intake-pipeline): a stand-in for wip/intake-rules' row rules, with its
signatures, so the pipeline can be built and tested before that branch lands. Replaced on
merge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from steward.intake import policy
from steward.intake.datasets import Dataset, FieldType
from steward.intake.policy import Code


@dataclass(frozen=True)
class Issue:
    row_number: int  # as the partner numbers it: the first data row is row 2
    field: str | None
    code: Code


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check(table: pl.DataFrame, dataset: Dataset, *, today: date) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[tuple[str | None, ...]] = set()
    for index, row in enumerate(table.iter_rows(named=True)):
        number = index + 2
        key = tuple(row.values())
        if key in seen:
            issues.append(Issue(number, None, Code.ROW_DUPLICATE))
        seen.add(key)
        for f in dataset.fields:
            value = row[f.name]
            if value is None:
                if f.required:
                    issues.append(Issue(number, f.name, Code.REQUIRED))
                continue
            code: Code | None = None
            if policy.is_formula(value):
                code = Code.FORMULA
            elif f.max_length and len(value) > f.max_length:
                code = Code.TOO_LONG
            elif f.type is FieldType.CHOICE and value not in f.choices:
                code = Code.CHOICE
            elif f.type is FieldType.DATE:
                parsed = _date(value)
                if parsed is None:
                    code = Code.DATE_INVALID
                elif f.past_only and parsed > today:
                    code = Code.DATE_FUTURE
                elif f.name == "date_of_birth" and not policy.dob_plausible(
                    row.get("role"), parsed, today
                ):
                    code = Code.DOB_IMPLAUSIBLE
            elif f.type is FieldType.NHS_NUMBER:
                code = policy.nhs_number_code(value)
            elif f.type is FieldType.NI_NUMBER:
                code = policy.nino_code(value)
            elif f.type is FieldType.POSTCODE and not policy.postcode_ok(value):
                code = Code.POSTCODE_FORMAT
            elif f.type is FieldType.PHONE and not policy.phone_ok(value):
                code = Code.PHONE_FORMAT
            elif f.type is FieldType.EMAIL and not policy.email_ok(value):
                code = Code.EMAIL_FORMAT
            if code is not None:
                issues.append(Issue(number, f.name, code))
    return issues


def normalise(table: pl.DataFrame, dataset: Dataset) -> pl.DataFrame:
    exprs = []
    for f in dataset.fields:
        col = pl.col(f.name)
        if f.type in (FieldType.NHS_NUMBER, FieldType.NI_NUMBER, FieldType.CASE_NUMBER):
            col = col.str.replace_all(r"[\s-]", "").str.to_uppercase()
        elif f.type is FieldType.POSTCODE:
            col = col.map_elements(policy.normalise_postcode, return_dtype=pl.String)
        exprs.append(col.alias(f.name))
    return table.select(exprs)
