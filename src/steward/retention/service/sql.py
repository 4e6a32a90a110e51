"""Date arithmetic in SQL, one rendering per backend, matching policy.add_months/round_up.

SQLite has date() modifiers, PostgreSQL intervals. Both compute "add N months; a day that
does not exist in the target month becomes the 1st of the next" the same way: go to the 1st
of the target month, add the original day minus one, and never go past the 1st of the month
after. Months are validated integers from the schedule, rendered as literals.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class AddMonths(FunctionElement[Any]):
    type = Date()
    # The month count is rendered into the SQL, so it must not be served from the statement
    # cache keyed without it (found by the property test: every shift came back the same).
    inherit_cache = False
    name = "add_months"

    def __init__(self, day: ColumnElement[Any], months: int) -> None:
        if not isinstance(months, int) or months < 0:
            raise ValueError("months must be a non-negative integer")
        self.months = months
        super().__init__(day)


class RoundUp(FunctionElement[Any]):
    type = Date()
    inherit_cache = False  # the rounding is rendered into the SQL (see AddMonths)
    name = "round_up"

    def __init__(self, day: ColumnElement[Any], rounding: str) -> None:
        if rounding not in ("end_of_month", "end_of_year"):
            raise ValueError("unknown rounding")
        self.rounding = rounding
        super().__init__(day)


class Earliest(FunctionElement[Any]):
    """The earliest of the dates that are known (NULL only if none is)."""

    type = Date()
    inherit_cache = True
    name = "earliest"


class Latest(FunctionElement[Any]):
    """The latest of the dates, or NULL if any is unknown."""

    type = Date()
    inherit_cache = True
    name = "latest"


class LatestKnown(FunctionElement[Any]):
    """The latest of the dates that are known."""

    type = Date()
    inherit_cache = True
    name = "latest_known"


def _arg(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> str:
    return str(compiler.process(next(iter(element.clauses)), **kw))


def _args(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> list[str]:
    return [str(compiler.process(c, **kw)) for c in element.clauses]


@compiles(AddMonths, "sqlite")
def _add_months_sqlite(element: AddMonths, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = _arg(compiler, element, **kw), element.months
    # Days 1-28 exist in every month: one date() call (a million rows: seconds saved). Only
    # the 29th-31st need the careful form. Dates are stored and computed as YYYY-MM-DD text.
    careful = (
        f"min(date({day}, 'start of month', '+{n} months', "
        f"'+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days'), "
        f"date({day}, 'start of month', '+{n + 1} months'))"
    )
    return (
        f"CASE WHEN substr({day}, 9, 2) <= '28' THEN date({day}, '+{n} months') ELSE {careful} END"
    )


@compiles(AddMonths, "postgresql")
def _add_months_pg(element: AddMonths, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = _arg(compiler, element, **kw), element.months
    return (
        f"LEAST(CAST(date_trunc('month', {day}) + make_interval(months => {n}, "
        f"days => CAST(extract(day FROM {day}) AS INTEGER) - 1) AS DATE), "
        f"CAST(date_trunc('month', {day}) + make_interval(months => {n + 1}) AS DATE))"
    )


@compiles(RoundUp, "sqlite")
def _round_sqlite(element: RoundUp, compiler: SQLCompiler, **kw: Any) -> str:
    day = _arg(compiler, element, **kw)
    unit = "year" if element.rounding == "end_of_year" else "month"
    return f"date({day}, 'start of {unit}', '+1 {unit}', '-1 day')"


@compiles(RoundUp, "postgresql")
def _round_pg(element: RoundUp, compiler: SQLCompiler, **kw: Any) -> str:
    day = _arg(compiler, element, **kw)
    unit = "year" if element.rounding == "end_of_year" else "month"
    return f"CAST(date_trunc('{unit}', {day}) + interval '1 {unit}' - interval '1 day' AS DATE)"


def _coalesced(args: list[str]) -> list[str]:
    # Each argument falls back to the others: min()/max() of these ignore the NULLs.
    return [f"coalesce({', '.join([a, *[b for b in args if b is not a]])})" for a in args]


@compiles(Earliest, "sqlite")
def _earliest_sqlite(element: Earliest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({', '.join(_coalesced(_args(compiler, element, **kw)))})"


@compiles(Earliest, "postgresql")
def _earliest_pg(element: Earliest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({', '.join(_args(compiler, element, **kw))})"  # LEAST ignores NULLs


@compiles(LatestKnown, "sqlite")
def _latest_known_sqlite(element: LatestKnown, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({', '.join(_coalesced(_args(compiler, element, **kw)))})"


@compiles(LatestKnown, "postgresql")
def _latest_known_pg(element: LatestKnown, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({', '.join(_args(compiler, element, **kw))})"


@compiles(Latest, "sqlite")
def _latest_sqlite(element: Latest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({', '.join(_args(compiler, element, **kw))})"  # NULL if any is NULL


@compiles(Latest, "postgresql")
def _latest_pg(element: Latest, compiler: SQLCompiler, **kw: Any) -> str:
    args = _args(compiler, element, **kw)
    nulls = " OR ".join(f"({a}) IS NULL" for a in args)
    return f"CASE WHEN {nulls} THEN NULL ELSE GREATEST({', '.join(args)}) END"
