"""The queries behind the data-quality figures (service/quality.py says what each counts).

Every figure is counted in the database, never row by row in Python: a partner's year can be
a million rows. Rows are counted per file first, from one covering index in its own order
(ix_intake_rows_quality), then placed in their partner and month; the held rows open at a
moment and those decided in a period are read through their own indexes; the percentiles
of the time to resolve come from ranking the decided rows in a window and reading back only
the rows at the ranks they need. Months are UK months: cut at the instants UK days begin.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from steward.core.audit import AuditEvent
from steward.intake.events import IntakeEvent
from steward.intake.models import Partner, RowIssue, Submission, SubmissionRow
from steward.intake.policy import Code, RowOutcome, SubmissionStatus

CONFLICT_CODES = (Code.PERSON_CONFLICT, Code.EARLIER_DIFFERS)
# A stored code this version does not know (a later one wrote it) is left out, not an error.
_CODES = frozenset(c.value for c in Code)


class _DaysBetween(FunctionElement[float]):
    """Days (with their fraction) from the first instant to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


def _two(compiler: SQLCompiler, element: _DaysBetween, **kw: Any) -> tuple[str, str]:
    first, second = (str(compiler.process(c, **kw)) for c in element.clauses)
    return first, second


@compiles(_DaysBetween, "sqlite")
def _days_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = _two(compiler, element, **kw)
    return f"(julianday({second}) - julianday({first}))"


@compiles(_DaysBetween, "postgresql")
def _days_pg(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = _two(compiler, element, **kw)
    return f"(EXTRACT(EPOCH FROM ({second} - {first})) / 86400.0)"


def _bucket(column: Any, bounds: Sequence[datetime], *, before: bool = False) -> ColumnElement[int]:
    """Which month of the period an instant before its end falls in (0 the first); with
    ``before``, -1 for one before the period began."""
    whens = [(column < b, i) for i, b in enumerate(bounds[1:-1])]
    if before:
        whens.insert(0, (column < bounds[0], -1))
    if not whens:
        return literal_column("0")
    return case(*whens, else_=len(bounds) - 2)


def _within(column: Any, bounds: Sequence[datetime]) -> ColumnElement[bool]:
    return and_(column >= bounds[0], column < bounds[-1])


def _partners_filter(
    column: Any, partner_ids: Collection[int] | Collection[str] | None
) -> list[Any]:
    return [] if partner_ids is None else [column.in_(list(partner_ids))]


def _sent(bounds: Sequence[datetime], partner_ids: Collection[int] | None) -> Select[Any]:
    """The ids of the files sent in the period."""
    return select(Submission.id).where(
        _within(Submission.submitted_at, bounds),
        *_partners_filter(Submission.partner_id, partner_ids),
    )


def _by_partner_and_month(per_file: Any, bounds: Sequence[datetime], *keep: str) -> Any:
    """Figures counted per file, placed in their partner and month (grouped in an outer
    query: PostgreSQL would not see the month's CASE in the select and the same CASE in GROUP
    BY, each with its own parameters, as one expression)."""
    return (
        select(
            Submission.partner_id.label("partner_id"),
            _bucket(Submission.submitted_at, bounds).label("m"),
            *(per_file.c[name] for name in keep),
            per_file.c.n,
        )
        .join(per_file, per_file.c.submission_id == Submission.id)
        .subquery()
    )


Key = tuple[int, int]  # (partner id, month of the period)
Percentiles = tuple[int, float | None, float | None]  # how many, median, 90th percentile


def row_counts(
    db: Session, bounds: Sequence[datetime], partner_ids: Collection[int] | None
) -> dict[Key, dict[str, int]]:
    """Rows received per partner and month, by their outcome when checked.

    Counted per file and outcome first, from ix_intake_rows_quality alone, in its order: a
    year of a million rows is a walk along one index. Only a held row is ever decided, and a
    decision sets decided_at: an accepted or rejected row with one was held when checked."""
    per_file = (
        select(
            SubmissionRow.submission_id,
            SubmissionRow.outcome,
            func.count().label("n"),
            func.count(SubmissionRow.decided_at).label("decided"),
        )
        .where(SubmissionRow.submission_id.in_(_sent(bounds, partner_ids)))
        .group_by(SubmissionRow.submission_id, SubmissionRow.outcome)
        .subquery()
    )
    placed = _by_partner_and_month(per_file, bounds, "outcome", "decided")
    query = select(
        placed.c.partner_id,
        placed.c.m,
        placed.c.outcome,
        func.sum(placed.c.n),
        func.sum(placed.c.decided),
    ).group_by(placed.c.partner_id, placed.c.m, placed.c.outcome)
    found: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for partner_id, m, outcome, n, decided in db.execute(query):
        line = found[(partner_id, int(m))]
        line["rows"] += int(n)
        if outcome in (RowOutcome.ACCEPTED.value, RowOutcome.REJECTED.value):
            line[outcome] += int(n) - int(decided)
            line["held"] += int(decided)
        elif outcome == RowOutcome.QUARANTINED.value:
            line["held"] += int(n)
        elif outcome == RowOutcome.UNCHANGED.value:
            line["unchanged"] += int(n)
    return found


def submission_counts(
    db: Session, bounds: Sequence[datetime], partner_ids: Collection[int] | None
) -> tuple[dict[Key, tuple[int, int]], dict[int, dict[Code, int]]]:
    """Files sent and refused per partner and month; refusals by code per partner.

    A file refused whole is not stored (nothing of it is kept): its refusal is an event on
    the audit trail, about the partner, with the data set and the code (submissions.
    note_refusal), read here through the trail's index on the tag. A submission stored with
    the status "refused" counts as one too."""
    sent = (
        select(
            Submission.partner_id.label("partner_id"),
            _bucket(Submission.submitted_at, bounds).label("m"),
            Submission.status.label("status"),
            Submission.refusal_code.label("code"),
        )
        .where(
            _within(Submission.submitted_at, bounds),
            *_partners_filter(Submission.partner_id, partner_ids),
        )
        .subquery()
    )
    query = select(sent.c.partner_id, sent.c.m, sent.c.status, sent.c.code, func.count()).group_by(
        sent.c.partner_id, sent.c.m, sent.c.status, sent.c.code
    )
    counts: dict[Key, tuple[int, int]] = defaultdict(lambda: (0, 0))
    refusals: dict[int, dict[Code, int]] = defaultdict(lambda: defaultdict(int))

    def add(partner_id: int, m: int, n: int, refused: Code | str | None) -> None:
        files, refusals_so_far = counts[(partner_id, m)]
        counts[(partner_id, m)] = (files + n, refusals_so_far + (n if refused else 0))
        if refused in _CODES:
            refusals[partner_id][Code(refused)] += n

    for partner_id, m, status, code, n in db.execute(query):
        refused = status == SubmissionStatus.REFUSED.value
        add(partner_id, int(m), int(n), (code or "refused") if refused else None)
    logged = (
        select(
            AuditEvent.subject_id.label("partner"),
            _bucket(AuditEvent.occurred_at, bounds).label("m"),
            AuditEvent.details.label("details"),
        )
        .where(
            AuditEvent.tag == IntakeEvent.SUBMISSION_REFUSED.value,
            AuditEvent.subject_type == "partner",
            _within(AuditEvent.occurred_at, bounds),
            *_partners_filter(AuditEvent.subject_id, _texts(partner_ids)),
        )
        .subquery()
    )
    # Grouped by the details' text (canonical JSON: the same data set and code read alike),
    # so each kind of refusal is parsed once, however many there were.
    for partner, m, details, n in db.execute(
        select(logged.c.partner, logged.c.m, logged.c.details, func.count()).group_by(
            logged.c.partner, logged.c.m, logged.c.details
        )
    ):
        if partner and partner.isdigit():
            add(int(partner), int(m), int(n), str(json.loads(details).get("code") or "refused"))
    return counts, refusals


def _texts(partner_ids: Collection[int] | None) -> list[str] | None:
    return None if partner_ids is None else [str(p) for p in partner_ids]


def issues(
    db: Session, bounds: Sequence[datetime], partner_ids: Collection[int] | None
) -> tuple[dict[int, dict[Code, int]], dict[Key, int]]:
    """Rows with each issue code per partner; rows in conflict per partner and month. A row
    is in one file, so rows counted once per file add up to rows counted once."""
    of_period = RowIssue.submission_id.in_(_sent(bounds, partner_ids))
    per_code = (
        select(
            RowIssue.submission_id,
            RowIssue.code,
            func.count(RowIssue.row_id.distinct()).label("n"),
        )
        .where(of_period)
        .group_by(RowIssue.submission_id, RowIssue.code)
        .subquery()
    )
    placed = _by_partner_and_month(per_code, bounds, "code")
    by_code: dict[int, dict[Code, int]] = defaultdict(dict)
    for partner_id, code, n in db.execute(
        select(placed.c.partner_id, placed.c.code, func.sum(placed.c.n)).group_by(
            placed.c.partner_id, placed.c.code
        )
    ):
        if code in _CODES:
            by_code[partner_id][Code(code)] = int(n)
    per_file = (
        select(RowIssue.submission_id, func.count(RowIssue.row_id.distinct()).label("n"))
        .where(of_period, RowIssue.code.in_([c.value for c in CONFLICT_CODES]))
        .group_by(RowIssue.submission_id)
        .subquery()
    )
    placed = _by_partner_and_month(per_file, bounds)
    conflicts: dict[Key, int] = {
        (partner_id, int(m)): int(n)
        for partner_id, m, n in db.execute(
            select(placed.c.partner_id, placed.c.m, func.sum(placed.c.n)).group_by(
                placed.c.partner_id, placed.c.m
            )
        )
    }
    return by_code, conflicts


def _interpolate(ranked: dict[int, float], n: int, share: float) -> float | None:
    """The ``share`` percentile of n values, from the ones at the two ranks either side."""
    if n == 0:
        return None
    position = (n - 1) * share
    low = int(position)
    high = low + 1 if position > low else low
    value = ranked[low] + (ranked[high] - ranked[low]) * (position - low)
    return round(value, 1)


def resolutions(
    db: Session, bounds: Sequence[datetime], partner_ids: Collection[int] | None
) -> tuple[dict[int, Percentiles], dict[Key, Percentiles]]:
    """Time to resolve held rows decided in the period, per partner and per month.

    Ranked in a window and only the rows at the ranks the median and the 90th percentile
    need are read back: at most eight a group, however many rows were decided."""
    decided = (
        select(
            Submission.partner_id.label("partner_id"),
            _bucket(SubmissionRow.decided_at, bounds).label("m"),
            _DaysBetween(Submission.submitted_at, SubmissionRow.decided_at).label("days"),
        )
        .select_from(SubmissionRow)
        .join(Submission, Submission.id == SubmissionRow.submission_id)
        .where(
            _within(SubmissionRow.decided_at, bounds),
            *_partners_filter(Submission.partner_id, partner_ids),
        )
        .subquery()
    )
    by_month = [decided.c.partner_id, decided.c.m]
    ranked = select(
        decided.c.partner_id,
        decided.c.m,
        decided.c.days,
        (func.row_number().over(partition_by=by_month, order_by=decided.c.days) - 1).label("km"),
        func.count().over(partition_by=by_month).label("nm"),
        (
            func.row_number().over(partition_by=decided.c.partner_id, order_by=decided.c.days) - 1
        ).label("kp"),
        func.count().over(partition_by=decided.c.partner_id).label("np"),
    ).subquery()

    def needed(k: Any, n: Any) -> ColumnElement[bool]:
        # k is a rank either side of the median's position (n-1)/2 or of the 90th
        # percentile's 9(n-1)/10: in whole numbers, |2k - (n-1)| < 2 or |10k - 9(n-1)| < 10.
        return or_(func.abs(2 * k - (n - 1)) < 2, func.abs(10 * k - 9 * (n - 1)) < 10)

    query = select(ranked).where(
        or_(needed(ranked.c.km, ranked.c.nm), needed(ranked.c.kp, ranked.c.np))
    )
    months: dict[Key, tuple[int, dict[int, float]]] = {}
    partners: dict[int, tuple[int, dict[int, float]]] = {}
    for r in db.execute(query):
        days = float(r.days)
        months.setdefault((r.partner_id, int(r.m)), (int(r.nm), {}))[1][int(r.km)] = days
        partners.setdefault(r.partner_id, (int(r.np), {}))[1][int(r.kp)] = days

    def resolution(n: int, values: dict[int, float]) -> Percentiles:
        return n, _interpolate(values, n, 0.5), _interpolate(values, n, 0.9)

    return (
        {p: resolution(*found) for p, found in partners.items()},
        {key: resolution(*found) for key, found in months.items()},
    )


def open_held(
    db: Session, bounds: Sequence[datetime], partner_ids: Collection[int] | None
) -> dict[Key, tuple[int, datetime]]:
    """Held rows waiting at the end of the period, per partner and the month their file
    arrived (-1: before the period): how many, and when the oldest arrived.

    Those still held and those decided only after the end are two sets, each read through
    its own index (ix_intake_rows_outcome, ix_intake_rows_decided_at); an OR of the two made
    SQLite scan every row."""
    at = bounds[-1]

    def waiting(condition: ColumnElement[bool]) -> Select[int, datetime]:
        return (
            select(Submission.partner_id.label("partner_id"), Submission.submitted_at)
            .select_from(SubmissionRow)
            .join(Submission, Submission.id == SubmissionRow.submission_id)
            .where(
                Submission.submitted_at < at,
                condition,
                *_partners_filter(Submission.partner_id, partner_ids),
            )
        )

    both = union_all(
        waiting(SubmissionRow.outcome == RowOutcome.QUARANTINED.value),
        waiting(SubmissionRow.decided_at >= at),
    ).subquery()
    placed = select(
        both.c.partner_id,
        _bucket(both.c.submitted_at, bounds, before=True).label("m"),
        both.c.submitted_at,
    ).subquery()
    query = select(
        placed.c.partner_id, placed.c.m, func.count(), func.min(placed.c.submitted_at)
    ).group_by(placed.c.partner_id, placed.c.m)
    return {
        (partner_id, int(m)): (int(n), oldest) for partner_id, m, n, oldest in db.execute(query)
    }


def open_of(held: dict[Key, tuple[int, datetime]], partner_id: int) -> tuple[int, datetime | None]:
    """A partner's open held rows, whenever sent, and when the oldest arrived."""
    mine = [found for (p, _), found in held.items() if p == partner_id]
    return sum(n for n, _ in mine), min((oldest for _, oldest in mine), default=None)


def partners(db: Session, partner_ids: Collection[int] | None) -> list[Partner]:
    return list(
        db.scalars(
            select(Partner)
            .where(*_partners_filter(Partner.id, partner_ids))
            .order_by(Partner.name, Partner.id)
        )
    )
