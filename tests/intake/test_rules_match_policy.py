"""The vectorised rules give policy's verdict for every string: arbitrary text, and values built
to sit on the edge of each rule (ten random digits, NHS numbers with a true check digit,
NI numbers with every prefix letter, postcode-, phone-, email- and date-shaped strings,
wrapped in any whitespace). A whole table's issues equal the issues a row-by-row reading of
policy gives."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.intake import datasets, policy, rules
from steward.intake.datasets import Dataset, FieldType
from steward.intake.policy import Code

TODAY = date(2026, 1, 15)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

# --- values on the edge of each rule ---------------------------------------------------------

whitespace = st.text(alphabet=policy.WHITESPACE, max_size=2)
separators = st.sampled_from(["", " ", "-", "  ", "\t", "\u00a0", "\u2003", "\x1f"])


def _spaced(parts: list[str], seps: list[str]) -> str:
    return "".join(p + s for p, s in zip(parts, seps, strict=False)) + "".join(parts[len(seps) :])


@st.composite
def wrapped(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    value = draw(inner)
    if draw(st.booleans()):
        value = value.lower() if draw(st.booleans()) else value
    return draw(whitespace) + value + draw(whitespace)


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    """Nine digits and the check digit stdnum computes; a start whose check would be 10 keeps a
    random last digit (no number with that start is valid)."""
    nine = draw(st.text(alphabet=DIGITS, min_size=9, max_size=9))
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    last = str(check) if check < 10 else draw(st.sampled_from(DIGITS))
    if draw(st.integers(0, 4)) == 0:  # sometimes one digit mistyped
        last = draw(st.sampled_from(DIGITS))
    number = nine + last
    seps = draw(st.lists(separators, min_size=3, max_size=3))
    return _spaced([number[:3], number[3:6], number[6:]], seps)


@st.composite
def ninos(draw: st.DrawFn) -> str:
    first, second = draw(st.sampled_from(LETTERS)), draw(st.sampled_from(LETTERS))
    digits = draw(st.text(alphabet=DIGITS, min_size=5, max_size=7))
    suffix = draw(st.sampled_from(LETTERS[:6]))
    seps = draw(st.lists(st.sampled_from(["", " ", "-"]), min_size=4, max_size=4))
    return _spaced([first + second, digits[:2], digits[2:4], digits[4:], suffix], seps)


@st.composite
def postcodes(draw: st.DrawFn) -> str:
    area = draw(st.text(alphabet=LETTERS, min_size=1, max_size=2))
    district = draw(st.from_regex(r"[0-9][0-9A-Z]?", fullmatch=True))
    inward = draw(st.sampled_from(DIGITS)) + draw(st.text(alphabet=LETTERS, min_size=2, max_size=2))
    gap = draw(st.sampled_from(["", " ", "  ", "-"]))
    return draw(st.sampled_from([f"{area}{district}{gap}{inward}", "GIR 0AA", "GIR0AA"]))


phones = st.one_of(
    st.from_regex(policy.PHONE_PATTERN, fullmatch=True),
    st.from_regex(r"(\+44 ?|\+4|0|\+)[0-9 ()-]{6,16}", fullmatch=True),
    st.text(alphabet=DIGITS + " +-()", min_size=8, max_size=18),
)
emails = st.one_of(
    st.emails(),
    st.from_regex(policy.EMAIL_PATTERN, fullmatch=True),
    st.from_regex(r"[a-z.@ -]{1,6}@?[a-z.-]{0,6}", fullmatch=True),
)
dates = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.builds(
        "{:02d}/{:02d}/{:04d}".format,
        st.integers(0, 32),
        st.integers(0, 13),
        st.integers(0, 9999),
    ),
    st.dates().map(date.isoformat),
    st.from_regex(r"[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}", fullmatch=True),
)
formulas = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from([*policy.FORMULA_STARTS, "", " ", "'"]),
    st.text(),
)
ten_digits = st.text(alphabet=DIGITS, min_size=10, max_size=10)

anything = st.text()
near = st.one_of(
    wrapped(nhs_numbers()),
    wrapped(ten_digits),
    wrapped(ninos()),
    wrapped(postcodes()),
    wrapped(phones),
    wrapped(emails),
    wrapped(dates),
    formulas,
)
values = st.lists(st.one_of(anything, near), min_size=1, max_size=40)


def _apply(expr: Any, items: list[str]) -> list[Any]:
    frame = pl.DataFrame({"v": items}, schema={"v": pl.String})
    return frame.lazy().select(expr(pl.col("v")).alias("out")).collect().get_column("out").to_list()


def _code(code: Code | None) -> str | None:
    return None if code is None else code.value


SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(values)
def test_is_formula(items: list[str]) -> None:
    assert _apply(rules.is_formula, items) == [policy.is_formula(v) for v in items]


@SETTINGS
@given(values)
def test_compact(items: list[str]) -> None:
    assert _apply(rules.compact, items) == [policy.compact(v) for v in items]


@SETTINGS
@given(st.lists(st.one_of(anything, wrapped(nhs_numbers()), wrapped(ten_digits)), min_size=1))
def test_nhs_number_code(items: list[str]) -> None:
    assert _apply(rules.nhs_number_code, items) == [_code(policy.nhs_number_code(v)) for v in items]


@SETTINGS
@given(st.lists(st.one_of(anything, wrapped(ninos())), min_size=1))
def test_nino_code(items: list[str]) -> None:
    assert _apply(rules.nino_code, items) == [_code(policy.nino_code(v)) for v in items]


def test_every_prefix_letter_pair() -> None:
    items = [f"{a}{b}123456C" for a in LETTERS for b in LETTERS]
    assert _apply(rules.nino_code, items) == [_code(policy.nino_code(v)) for v in items]


@SETTINGS
@given(st.lists(st.one_of(anything, wrapped(postcodes())), min_size=1))
def test_postcode_ok_and_normalised(items: list[str]) -> None:
    ok = _apply(rules.postcode_ok, items)
    assert ok == [policy.postcode_ok(v) for v in items]
    normalised = _apply(rules.normalise_postcode, items)
    for value, good, got in zip(items, ok, normalised, strict=True):
        if good:
            assert got == policy.normalise_postcode(value)


@SETTINGS
@given(st.lists(st.one_of(anything, wrapped(phones)), min_size=1))
def test_phone_ok(items: list[str]) -> None:
    assert _apply(rules.phone_ok, items) == [policy.phone_ok(v) for v in items]


@SETTINGS
@given(st.lists(st.one_of(anything, wrapped(emails)), min_size=1))
def test_email_ok(items: list[str]) -> None:
    assert _apply(rules.email_ok, items) == [policy.email_ok(v) for v in items]


@SETTINGS
@given(st.lists(st.one_of(anything, wrapped(dates)), min_size=1))
def test_parse_date(items: list[str]) -> None:
    assert _apply(rules.parse_date, items) == [policy.parse_date(v) for v in items]


roles = st.one_of(st.sampled_from([*policy.AGE_LIMITS, "aunt", ""]), st.none(), st.text(max_size=4))


@SETTINGS
@given(
    st.lists(st.tuples(roles, st.dates(min_value=date(1, 1, 1))), min_size=1),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
def test_dob_plausible(pairs: list[tuple[str | None, date]], on: date) -> None:
    frame = pl.DataFrame(
        {"role": [r for r, _ in pairs], "dob": [d for _, d in pairs]},
        schema={"role": pl.String, "dob": pl.Date},
    )
    got = frame.select(rules.dob_plausible(pl.col("role"), pl.col("dob"), on)).to_series()
    assert got.to_list() == [policy.dob_plausible(r, d, on) for r, d in pairs]


# --- a whole table against a row-by-row reading of policy -----------------------------------


def _first_issue(dataset: Dataset, name: str, row: dict[str, str | None]) -> Code | None:
    """One field's first issue, from policy's per-value checks, in rules' order."""
    field = dataset.field(name)
    value = row[name]
    if value is None:
        return Code.REQUIRED if field.required else None
    phone_start = field.type is FieldType.PHONE and value[:1] == "+" and value[1:2] in set(DIGITS)
    if policy.is_formula(value) and not phone_start:
        return Code.FORMULA
    if field.max_length is not None and len(value) > field.max_length:
        return Code.TOO_LONG
    match field.type:
        case FieldType.CHOICE:
            ok = value.strip().lower() in {c.lower() for c in field.choices}
            return None if ok else Code.CHOICE
        case FieldType.DATE:
            day = policy.parse_date(value)
            if day is None:
                return Code.DATE_INVALID
            if field.past_only and day > TODAY:
                return Code.DATE_FUTURE
            if name == rules.DOB_FIELD:
                role = row.get(rules.ROLE_FIELD)
                role = None if role is None else role.strip().lower()
                return None if policy.dob_plausible(role, day, TODAY) else Code.DOB_IMPLAUSIBLE
            return None
        case FieldType.NHS_NUMBER:
            return policy.nhs_number_code(value)
        case FieldType.NI_NUMBER:
            return policy.nino_code(value)
        case FieldType.POSTCODE:
            return None if policy.postcode_ok(value) else Code.POSTCODE_FORMAT
        case FieldType.PHONE:
            return None if policy.phone_ok(value) else Code.PHONE_FORMAT
        case FieldType.EMAIL:
            return None if policy.email_ok(value) else Code.EMAIL_FORMAT
        case _:
            return None


def _normalised(dataset: Dataset, row: dict[str, str | None]) -> tuple[str | None, ...]:
    out: list[str | None] = []
    for field in dataset.fields:
        value = row[field.name]
        if value is not None:
            match field.type:
                case FieldType.CHOICE if value.strip().lower() in field.choices:
                    value = value.strip().lower()
                case FieldType.DATE if (day := policy.parse_date(value)) is not None:
                    value = day.isoformat()
                case FieldType.NHS_NUMBER if policy.nhs_number_code(value) is None:
                    value = policy.compact(value)
                case FieldType.NI_NUMBER if policy.nino_code(value) is None:
                    value = policy.compact(value)
                case FieldType.POSTCODE if policy.postcode_ok(value):
                    value = policy.normalise_postcode(value)
                case FieldType.EMAIL:
                    value = value.strip()
        out.append(value)
    return tuple(out)


def _reference(dataset: Dataset, rows: list[dict[str, str | None]]) -> list[tuple[int, Any, Code]]:
    found: list[tuple[int, Any, Code]] = []
    seen: set[tuple[str | None, ...]] = set()
    for i, row in enumerate(rows):
        for field in dataset.fields:
            code = _first_issue(dataset, field.name, row)
            if code is not None:
                found.append((i + rules.FIRST_ROW, field.name, code))
        key = _normalised(dataset, row)
        if key in seen:
            found.append((i + rules.FIRST_ROW, None, Code.ROW_DUPLICATE))
        seen.add(key)
    return found


PARTIES = datasets.get("party_details")
_BY_TYPE: dict[FieldType, st.SearchStrategy[str]] = {
    FieldType.DATE: wrapped(dates),
    FieldType.NHS_NUMBER: wrapped(nhs_numbers()),
    FieldType.NI_NUMBER: wrapped(ninos()),
    FieldType.POSTCODE: wrapped(postcodes()),
    FieldType.PHONE: wrapped(phones),
    FieldType.EMAIL: wrapped(emails),
    FieldType.CHOICE: st.sampled_from([*PARTIES.field("role").choices, "Parent", "aunt"]),
    FieldType.TEXT: st.sampled_from(["Jane", "Smith", "=1+1", "-x", "Ann-Marie"]),
    FieldType.CASE_NUMBER: st.sampled_from(["FC-1", "FC-2", "@x"]),
}


@st.composite
def tables(draw: st.DrawFn, dataset: Dataset) -> list[dict[str, str | None]]:
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        if rows and draw(st.integers(0, 4)) == 0:  # a repeat, maybe written differently
            rows.append(dict(draw(st.sampled_from(rows))))
            continue
        row: dict[str, str | None] = {}
        for field in dataset.fields:
            kind = draw(st.integers(0, 9))
            row[field.name] = (
                None
                if kind == 0
                else draw(anything)
                if kind == 1
                else draw(_BY_TYPE[field.type]).strip(policy.WHITESPACE) or None
            )
        rows.append(row)
    return rows


@settings(max_examples=50, deadline=None)
@given(tables(PARTIES))
def test_check_matches_policy_row_by_row(rows: list[dict[str, str | None]]) -> None:
    table = pl.DataFrame(rows, schema=dict.fromkeys(PARTIES.columns, pl.String))
    got = [(i.row_number, i.field, i.code) for i in rules.check(table, PARTIES, today=TODAY)]
    assert got == _reference(PARTIES, rows)
