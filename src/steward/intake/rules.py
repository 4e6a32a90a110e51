"""The row-level rules that need no database, a column at a time (polars expressions, no
Python call per cell), over the table ``reading.read_table`` makes.

Each per-value check in ``policy`` has its expression here under the same name, giving the same
verdict for every string (tests/intake/test_rules_match_policy.py holds them together):
``is_formula``, ``nhs_number_code``, ``nino_code``, ``postcode_ok``, ``phone_ok``, ``email_ok``,
``parse_date``, ``dob_plausible``.

A field gets at most its first issue, in this order: REQUIRED, FORMULA, TOO_LONG, then its
type's own (CHOICE; DATE_INVALID, DATE_FUTURE, DOB_IMPLAUSIBLE; NHS_FORMAT, NHS_CHECKSUM;
NINO_FORMAT, NINO_PREFIX; POSTCODE_FORMAT; PHONE_FORMAT; EMAIL_FORMAT): a date that is not a
date is not also in the future. A phone number opening with + and a digit is the phone
check's to judge, not a formula. A row that repeats an earlier row of the file (after
``normalise``) also gets ROW_DUPLICATE, with no field.

``check`` and ``normalise`` run as one lazy query each (about 0.3 s of CPU per 100,000
party-details rows); bench/intake.py measures them beside pandera.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import polars as pl

from steward.intake import policy
from steward.intake.datasets import Dataset, Field, FieldType
from steward.intake.policy import Code

FIRST_ROW = 2  # the partner's spreadsheet row of the first data row: the header is row 1
DOB_FIELD = "date_of_birth"
ROLE_FIELD = "role"
_DEFAULT_AGES = (0, 110)
# The in-memory engine computes an expression used twice once (common subexpressions): the
# NHS check digit reads the number ten times. Polars 2's default streaming engine does not.
ENGINE: Final = "in-memory"

# policy.WHITESPACE as a regex class: Rust's \s is not Python's (it lacks \x1c-\x1f).
_WS = "".join(f"\\x{{{ord(c):X}}}" for c in policy.WHITESPACE)
_FORMULA = "^[" + "".join(f"\\x{{{ord(c[0]):X}}}" for c in policy.FORMULA_STARTS) + "]"
_NINO_PREFIX_NEVER = (
    f"^([{''.join(sorted(policy.NINO_FIRST_NEVER))}].|.[{''.join(sorted(policy.NINO_SECOND_NEVER))}]"
    f"|{'|'.join(sorted(policy.NINO_PAIRS_NEVER))})"
)
_PHONE = policy.PHONE_PATTERN.pattern.replace(r"\s", f"[{_WS}]")


# The codes as a polars enum: a column of them is small integers, cheap to choose between.
CODES = pl.Enum([code.value for code in Code])
_NONE = pl.lit(None, dtype=CODES)


def _code(code: Code) -> pl.Expr:
    return pl.lit(code.value, dtype=CODES)


@dataclass(frozen=True, slots=True)
class Issue:
    row_number: int
    field: str | None
    code: Code


# --- the per-value checks, as expressions ---------------------------------------------------


def stripped(value: pl.Expr) -> pl.Expr:
    return value.str.strip_chars(policy.WHITESPACE)


def compact(value: pl.Expr) -> pl.Expr:
    return value.str.replace_all(f"[{_WS}-]", "").str.to_uppercase()


def is_formula(value: pl.Expr) -> pl.Expr:
    return value.str.contains(_FORMULA)


def nhs_number_code(value: pl.Expr) -> pl.Expr:
    """NHS_FORMAT, NHS_CHECKSUM or null: ten digits whose weighted sum (10 down to 1) is a
    multiple of 11, so a check digit that would have to be 10 never validates."""
    number = compact(value)
    whole = number.str.to_integer(base=10, strict=False)
    total = sum(((whole // 10**k) % 10) * (k + 1) for k in range(10))
    return (
        pl.when(~number.str.contains("^[0-9]{10}$"))
        .then(_code(Code.NHS_FORMAT))
        .when(total % 11 != 0)
        .then(_code(Code.NHS_CHECKSUM))
        .otherwise(_NONE)
    )


def nino_code(value: pl.Expr) -> pl.Expr:
    number = compact(value)
    return (
        pl.when(~number.str.contains(policy.NINO_PATTERN.pattern))
        .then(_code(Code.NINO_FORMAT))
        .when(number.str.contains(_NINO_PREFIX_NEVER))
        .then(_code(Code.NINO_PREFIX))
        .otherwise(_NONE)
    )


def postcode_ok(value: pl.Expr) -> pl.Expr:
    return stripped(value).str.to_uppercase().str.contains(policy.POSTCODE_PATTERN.pattern)


def normalise_postcode(value: pl.Expr) -> pl.Expr:
    bare = compact(value)
    length = bare.str.len_chars()
    return (
        pl.when(length > 3)
        .then(pl.concat_str(bare.str.slice(0, length - 3), pl.lit(" "), bare.str.slice(-3)))
        .otherwise(bare)
    )


def phone_ok(value: pl.Expr) -> pl.Expr:
    text = stripped(value)
    # counted as all characters less the few that are not digits: far fewer matches to find
    digits = (text.str.len_chars() - text.str.count_matches("[^0-9]")).cast(pl.Int64)
    national = pl.when(text.str.starts_with("+44")).then(digits - 1).otherwise(digits)
    return text.str.contains(_PHONE) & national.is_in(policy.PHONE_DIGITS)


def email_ok(value: pl.Expr) -> pl.Expr:
    text = stripped(value)
    return text.str.contains(policy.EMAIL_PATTERN.pattern) & (text.str.len_chars() <= 254)


def parse_date(value: pl.Expr) -> pl.Expr:
    """policy.parse_date: YYYY-MM-DD or DD/MM/YYYY, null for anything else or a day that does
    not exist (chrono, like Python, knows the calendar; unlike Python it has a year 0)."""
    text = stripped(value)
    parsed = (
        pl.when(text.str.contains(f"^{policy.DATE_ISO.pattern}$"))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .when(text.str.contains(f"^{policy.DATE_UK.pattern}$"))
        .then(text.str.to_date("%d/%m/%Y", strict=False))
    )
    return pl.when(parsed.dt.year() >= 1).then(parsed)


def dob_plausible(role: pl.Expr, dob: pl.Expr, on: date) -> pl.Expr:
    """policy.dob_plausible: the age on ``on`` within the role's limits (any other role,
    or none, 0 to 110)."""
    limits = policy.AGE_LIMITS
    low = role.replace_strict(
        {r: lo for r, (lo, _) in limits.items()}, default=_DEFAULT_AGES[0], return_dtype=pl.Int32
    )
    high = role.replace_strict(
        {r: hi for r, (_, hi) in limits.items()}, default=_DEFAULT_AGES[1], return_dtype=pl.Int32
    )
    month, day = dob.dt.month(), dob.dt.day()
    before_birthday = (month > on.month) | ((month == on.month) & (day > on.day))
    age = on.year - dob.dt.year() - before_birthday.cast(pl.Int32)
    return age.is_between(low.fill_null(_DEFAULT_AGES[0]), high.fill_null(_DEFAULT_AGES[1]))


# --- a table's issues ------------------------------------------------------------------------


def _first(cases: list[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr | None = None) -> pl.Expr:
    """The value of the first case whose condition holds (a null condition does not), else
    ``otherwise``: one field's first issue."""
    found = _NONE if otherwise is None else otherwise
    for condition, value in reversed(cases):
        found = pl.when(condition).then(value).otherwise(found)
    return found


def _derived(field: Field) -> str:
    """The name of a field's worked-out value (its date, its identifier's code, its choice as
    matched): computed once per table, then read by both the checks and ``normalise``."""
    return f"__{field.name}__derived"


def _derive(field: Field) -> pl.Expr | None:
    value = pl.col(field.name)
    match field.type:
        case FieldType.CHOICE:
            return stripped(value).str.to_lowercase()
        case FieldType.DATE:
            return parse_date(value)
        case FieldType.NHS_NUMBER:
            return nhs_number_code(value)
        case FieldType.NI_NUMBER:
            return nino_code(value)
        case FieldType.POSTCODE:
            return postcode_ok(value)
        case _:
            return None


def _with_derived(table: pl.DataFrame, dataset: Dataset) -> pl.LazyFrame:
    derived = [
        expr.alias(_derived(field))
        for field in dataset.fields
        if (expr := _derive(field)) is not None
    ]
    return table.lazy().with_columns(derived)


def _role(dataset: Dataset) -> pl.Expr:
    if ROLE_FIELD in dataset.columns:
        return pl.col(_derived(dataset.field(ROLE_FIELD)))
    return pl.lit(None, dtype=pl.String)


def _type_code(field: Field, dataset: Dataset, today: date) -> pl.Expr | None:
    """The field type's own check: a code, or null."""
    value = pl.col(field.name)
    derived = pl.col(_derived(field))
    match field.type:
        case FieldType.CHOICE:
            allowed = [c.lower() for c in field.choices]
            return pl.when(derived.is_in(allowed)).then(_NONE).otherwise(_code(Code.CHOICE))
        case FieldType.DATE:
            cases = [(derived.is_null(), _code(Code.DATE_INVALID))]
            if field.past_only:
                cases.append((derived > pl.lit(today), _code(Code.DATE_FUTURE)))
            if field.name == DOB_FIELD:
                plausible = dob_plausible(_role(dataset), derived, today)
                cases.append((~plausible, _code(Code.DOB_IMPLAUSIBLE)))
            return _first(cases)
        case FieldType.NHS_NUMBER | FieldType.NI_NUMBER:
            return derived
        case FieldType.POSTCODE:
            return pl.when(derived).then(_NONE).otherwise(_code(Code.POSTCODE_FORMAT))
        case FieldType.PHONE:
            return pl.when(phone_ok(value)).then(_NONE).otherwise(_code(Code.PHONE_FORMAT))
        case FieldType.EMAIL:
            return pl.when(email_ok(value)).then(_NONE).otherwise(_code(Code.EMAIL_FORMAT))
        case _:
            return None


def _field_code(field: Field, dataset: Dataset, today: date) -> pl.Expr:
    value = pl.col(field.name)
    formula = is_formula(value)
    if field.type is FieldType.PHONE:
        # +44 opens a phone number; whether the rest is one is the phone check's to say.
        formula = formula & ~value.str.contains(r"^\+[0-9]")
    cases = [
        (value.is_null(), _code(Code.REQUIRED) if field.required else _NONE),
        (formula, _code(Code.FORMULA)),
    ]
    if field.max_length is not None:
        cases.append((value.str.len_chars() > field.max_length, _code(Code.TOO_LONG)))
    return _first(cases, _type_code(field, dataset, today))


def _normalised(field: Field) -> pl.Expr:
    value = pl.col(field.name)
    derived = pl.col(_derived(field))
    match field.type:
        case FieldType.CHOICE:
            canonical = {c.lower(): c for c in field.choices}
            return derived.replace_strict(canonical, default=value, return_dtype=pl.String)
        case FieldType.DATE:
            return (
                pl.when(derived.is_not_null())
                .then(derived.dt.to_string("%Y-%m-%d"))
                .otherwise(value)
            )
        case FieldType.NHS_NUMBER | FieldType.NI_NUMBER:
            return pl.when(derived.is_null()).then(compact(value)).otherwise(value)
        case FieldType.POSTCODE:
            return pl.when(derived).then(normalise_postcode(value)).otherwise(value)
        case FieldType.EMAIL:
            return stripped(value)
        case _:
            return value


def normalise(table: pl.DataFrame, dataset: Dataset) -> pl.DataFrame:
    """The values as they are recorded: dates ISO, choices in the template's (lower) case, NHS
    number as ten digits, NI number compact upper case, postcode upper case with one space,
    email trimmed. A value that fails its check stays as sent."""
    normalised = [_normalised(f).cast(pl.String).alias(f.name) for f in dataset.fields]
    return _with_derived(table, dataset).select(normalised).collect(engine=ENGINE)


_CODES = {code.value: code for code in Code}


# Field types recorded as sent: two rows that differ in one of these are never the same row.
_AS_SENT = frozenset({FieldType.TEXT, FieldType.CASE_NUMBER, FieldType.PHONE})


def _repeats(table: pl.DataFrame, dataset: Dataset) -> pl.Series:
    """The rows (0-based) that repeat an earlier row once normalised. Only rows whose
    as-sent values occur more than once can (a hash of them finds those few; a collision
    only adds a candidate), so only those are normalised and compared in full."""
    as_sent = [f.name for f in dataset.fields if f.type in _AS_SENT]
    indexed = table.with_row_index("__row")
    if as_sent:
        hashes = table.select(as_sent).hash_rows()
        indexed = indexed.filter(hashes.is_duplicated())
    normalised = [_normalised(f).cast(pl.String).alias(f.name) for f in dataset.fields]
    return (
        _with_derived(indexed, dataset)
        .select(pl.col("__row"), pl.struct(normalised).is_first_distinct().alias("first"))
        .filter(~pl.col("first"))
        .collect(engine=ENGINE)
        .get_column("__row")
    )


def check(table: pl.DataFrame, dataset: Dataset, *, today: date) -> list[Issue]:
    """Every issue the rows have without looking at the database, by row then by the data
    set's field order (ROW_DUPLICATE last in its row)."""
    fields = dataset.fields
    names: list[str | None] = [f.name for f in fields] + [None]
    columns = [_field_code(f, dataset, today).alias(str(i)) for i, f in enumerate(fields)]
    repeats = (
        _repeats(table, dataset)
        .rename("row")
        .to_frame()
        .with_columns(
            pl.lit(len(fields), dtype=pl.Int32).alias("at"),
            _code(Code.ROW_DUPLICATE).alias("code"),
        )
    )
    found = (
        _with_derived(table, dataset)
        .select(columns)
        .with_row_index("row")
        .filter(pl.any_horizontal(pl.exclude("row").is_not_null()))
        .unpivot(index="row", variable_name="at", value_name="code")
        .drop_nulls("code")
        .with_columns(pl.col("at").cast(pl.Int32))
    )
    issues = pl.concat([found, repeats.lazy()]).sort("row", "at").collect(engine=ENGINE)
    rows, at, codes = (issues.get_column(c).to_list() for c in ("row", "at", "code"))
    return [
        Issue(row + FIRST_ROW, names[i], _CODES[code])
        for row, i, code in zip(rows, at, codes, strict=True)
    ]
