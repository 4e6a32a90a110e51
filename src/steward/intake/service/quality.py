"""The quality of the data each partner sends, month by month, and one line per partner for
the assurance dashboard.

Definitions (shown beside each figure on the pages, carried by the API, so a reader knows
what is counted; ``DEFINITIONS`` holds the same words, and a test holds them to these):

- Period: the figures count what happened between the two dates, both included, in UK time;
  by default the last twelve months (from the first of the month eleven months ago to
  today). A month's line counts what happened in that month.
- Submissions: files the partner sent in the period, counted on the day each arrived,
  refused files included.
- Refused: files refused whole at a file-level check (wrong columns, not UTF-8, no agreement
  in force and the like): none of their rows is read or recorded, and nothing of the file is
  kept but the refusal and its code on the audit trail.
- Rows received: the rows of the files sent in the period (a refused file has none). Each
  row has one outcome, given when it was checked: accepted, unchanged, held or rejected.
- Accepted: rows with no issue at all, recorded with their source when checked.
- Unchanged: rows the partner had sent before with the same content: nothing new to record.
- Held: rows held (quarantined) for an information governance officer when checked, whatever
  the officer decided since.
- Rejected: rows rejected when checked, which the partner must correct and send again. A held
  row that an officer rejected later counts as held, not here.
- % rejected: rejected rows out of rows received. No figure when no row was received.
- % held: held rows out of rows received. No figure when no row was received.
- Rows by issue code: the rows with each issue, and their share of rows received. A row with
  several issues counts under each of them, and once under a code however many of its
  fields have it, so the codes add up to more than the rows with issues.
- Conflicts: rows held because they disagree with what is already known: the person is
  recorded with a different date of birth or identifier (person.conflict), or the partner
  sent a different value for the same fact before (earlier.differs). A row with both counts
  once.
- Still waiting: of the held rows received in the period (or in the month), those not yet
  decided at the end of the period's last day.
- Open held rows: held rows not yet decided at the end of the last day, whenever the partner
  sent them.
- Oldest open held row: whole days from the day the oldest open held row's file arrived to
  the last day.
- Decided: held rows an officer accepted, corrected or rejected in the period (in the month).
- Time to resolve: for the held rows decided in the period (in the month), the days from the
  moment their file arrived to the moment of the decision. The median is the middle of them
  (half took longer); the 90th percentile is the time within which nine in ten were decided.
  Both interpolate between the two nearest rows, as PostgreSQL's percentile_cont does. No
  figure when nothing was decided.
- Summary: the assurance dashboard's line for each partner covers the 90 days to the date
  shown (that day and the 89 before it): rows received, % rejected, open held rows and the
  oldest of them at the end of that day, and the median time to resolve.

Every figure is counted in the database (quality_queries.py), never row by row in Python: a
partner's year can be a million rows. Nothing personal is read: outcomes, codes, dates. Who may see: information governance (INTAKE_REVIEW),
those who see the assurance evidence (ASSURANCE_VIEW: the DPO, the auditor), and a partner
organisation's users their own partner's figures only (feedback on what they send).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from steward.core import audit, clock
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.intake.events import IntakeEvent
from steward.intake.models import Partner
from steward.intake.policy import CODE_TITLES, CONSEQUENCE, Code, Consequence
from steward.intake.service import quality_queries as queries
from steward.intake.service.partners import partner_of

MAX_MONTHS = 120
SUMMARY_DAYS = 90
# Who sees every partner's figures; a partner's own users see their partner's only.
SEE_ALL = (Permission.INTAKE_REVIEW, Permission.ASSURANCE_VIEW)

DEFINITIONS: dict[str, str] = {
    "period": "The figures count what happened between the two dates, both included, in UK "
    "time; by default the last twelve months (from the first of the month eleven months ago "
    "to today). A month's line counts what happened in that month.",
    "submissions": "Files the partner sent in the period, counted on the day each arrived, "
    "refused files included.",
    "refused": "Files refused whole at a file-level check (wrong columns, not UTF-8, no "
    "agreement in force and the like): none of their rows is read or recorded, and nothing of "
    "the file is kept but the refusal and its code on the audit trail.",
    "rows": "The rows of the files sent in the period (a refused file has none). Each row has "
    "one outcome, given when it was checked: accepted, unchanged, held or rejected.",
    "accepted": "Rows with no issue at all, recorded with their source when checked.",
    "unchanged": "Rows the partner had sent before with the same content: nothing new to record.",
    "held": "Rows held (quarantined) for an information governance officer when checked, "
    "whatever the officer decided since.",
    "rejected": "Rows rejected when checked, which the partner must correct and send again. A "
    "held row that an officer rejected later counts as held, not here.",
    "rejected_percent": "Rejected rows out of rows received. No figure when no row was received.",
    "held_percent": "Held rows out of rows received. No figure when no row was received.",
    "codes": "The rows with each issue, and their share of rows received. A row with several "
    "issues counts under each of them, and once under a code however many of its fields have "
    "it, so the codes add up to more than the rows with issues.",
    "conflicts": "Rows held because they disagree with what is already known: the person is "
    "recorded with a different date of birth or identifier (person.conflict), or the partner "
    "sent a different value for the same fact before (earlier.differs). A row with both "
    "counts once.",
    "waiting": "Of the held rows received in the period (or in the month), those not yet "
    "decided at the end of the period's last day.",
    "open_held": "Held rows not yet decided at the end of the last day, whenever the partner "
    "sent them.",
    "oldest_held": "Whole days from the day the oldest open held row's file arrived to the "
    "last day.",
    "decided": "Held rows an officer accepted, corrected or rejected in the period (in the month).",
    "resolution": "For the held rows decided in the period (in the month), the days from the "
    "moment their file arrived to the moment of the decision. The median is the middle of "
    "them (half took longer); the 90th percentile is the time within which nine in ten were "
    "decided. Both interpolate between the two nearest rows, as PostgreSQL's percentile_cont "
    "does. No figure when nothing was decided.",
    "summary": "The assurance dashboard's line for each partner covers the 90 days to the date "
    "shown (that day and the 89 before it): rows received, % rejected, open held rows and the "
    "oldest of them at the end of that day, and the median time to resolve.",
}


# --- the figures -------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Counts:
    """What a partner's files and rows came to, over a month or a period."""

    submissions: int = 0
    refused: int = 0
    rows: int = 0
    accepted: int = 0
    unchanged: int = 0
    held: int = 0
    rejected: int = 0
    conflicts: int = 0
    waiting: int = 0

    @property
    def rejected_percent(self) -> float | None:
        return _percent(self.rejected, self.rows)

    @property
    def held_percent(self) -> float | None:
        return _percent(self.held, self.rows)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "submissions": self.submissions,
            "refused": self.refused,
            "rows": self.rows,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "held": self.held,
            "rejected": self.rejected,
            "rejected_percent": self.rejected_percent,
            "held_percent": self.held_percent,
            "conflicts": self.conflicts,
            "waiting": self.waiting,
        }


def _fields(counts: Counts) -> tuple[int, ...]:
    return (
        counts.submissions,
        counts.refused,
        counts.rows,
        counts.accepted,
        counts.unchanged,
        counts.held,
        counts.rejected,
        counts.conflicts,
        counts.waiting,
    )


@dataclass(frozen=True)
class Resolution:
    """How long held rows took to decide: days from arrival to decision."""

    decided: int = 0
    median_days: float | None = None
    p90_days: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
        }


@dataclass(frozen=True)
class CodeCount:
    """The rows with one issue code, and their share of rows received."""

    code: Code
    rows: int
    percent: float | None

    @property
    def title(self) -> str:
        return CODE_TITLES[self.code]

    @property
    def consequence(self) -> Consequence:
        return CONSEQUENCE[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "title": self.title,
            "consequence": self.consequence.value,
            "rows": self.rows,
            "percent": self.percent,
        }


@dataclass(frozen=True)
class Month:
    month: date  # the first of the month
    counts: Counts
    resolution: Resolution


@dataclass(frozen=True)
class PartnerReport:
    """One partner's figures over the period, and month by month."""

    partner_id: int
    code: str
    name: str
    start: date
    end: date
    total: Counts
    resolution: Resolution
    months: list[Month]
    codes: list[CodeCount]  # issues found in rows, most rows first
    refusals: list[CodeCount]  # files refused whole, by code; percent of submissions
    open_held: int
    oldest_held_days: int | None

    @property
    def rejections(self) -> list[CodeCount]:
        return [c for c in self.codes if c.consequence is Consequence.REJECT]

    @property
    def holds(self) -> list[CodeCount]:
        return [c for c in self.codes if c.consequence is Consequence.QUARANTINE]


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    partners: list[PartnerReport]

    @property
    def months(self) -> list[date]:
        return _months(self.start, self.end)

    @property
    def total(self) -> Counts:
        return sum((p.total for p in self.partners), Counts())

    @property
    def codes(self) -> list[CodeCount]:
        """Every partner's issues together, most rows first."""
        rows: dict[Code, int] = defaultdict(int)
        for partner in self.partners:
            for found in partner.codes:
                rows[found.code] += found.rows
        return _ranked(rows, self.total.rows)


@dataclass(frozen=True)
class PartnerQuality:
    """One partner's line on the assurance dashboard: the 90 days to ``on``."""

    partner_id: int
    code: str
    name: str
    on: date
    start: date
    rows: int
    rejected: int
    open_held: int
    oldest_held_days: int | None
    decided: int
    median_resolution_days: float | None

    @property
    def rejected_percent(self) -> float | None:
        return _percent(self.rejected, self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner_id": self.partner_id,
            "partner_code": self.code,
            "partner_name": self.name,
            "from": self.start.isoformat(),
            "to": self.on.isoformat(),
            "rows": self.rows,
            "rejected": self.rejected,
            "rejected_percent": self.rejected_percent,
            "open_held": self.open_held,
            "oldest_held_days": self.oldest_held_days,
            "decided": self.decided,
            "median_resolution_days": self.median_resolution_days,
        }


@dataclass(frozen=True)
class Overview:
    """The page of every partner: the summary lines and the period's report."""

    summary: list[PartnerQuality]
    report: Report
    own_partner: bool = False  # a partner's user, seeing its own partner only
    linked: bool = True  # False: a partner's user whose account submits for no partner


def _ranked(rows: dict[Code, int], whole: int) -> list[CodeCount]:
    return [
        CodeCount(code, n, _percent(n, whole))
        for code, n in sorted(rows.items(), key=lambda item: (-item[1], item[0].value))
    ]


# --- periods -----------------------------------------------------------------------------


def default_range(today: date) -> tuple[date, date]:
    """The last twelve months: from the first of the month eleven months ago, to today."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def _months(start: date, end: date) -> list[date]:
    found, at = [], date(start.year, start.month, 1)
    while at <= end:
        found.append(at)
        at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return found


def check_range(start: date, end: date) -> None:
    if start > end:
        raise ValidationFailed(
            "The start of the period must be on or before its end.",
            errors={"from": "The start must be on or before the end"},
        )
    if len(_months(start, end)) > MAX_MONTHS:
        raise ValidationFailed(
            f"Choose a period of at most {MAX_MONTHS // 12} years.",
            errors={"from": f"Choose a period of at most {MAX_MONTHS // 12} years"},
        )


def _instant(day: date) -> datetime:
    """The moment a UK day begins, in UTC (how instants are stored)."""
    return datetime.combine(day, time.min, tzinfo=clock.UK).astimezone(UTC)


def _bounds(start: date, end: date) -> list[datetime]:
    """The instants that cut the period into its months: its start, the first of each later
    month, and the end of its last day."""
    return [
        _instant(start),
        *(_instant(m) for m in _months(start, end)[1:]),
        _instant(end + timedelta(days=1)),
    ]


# --- who sees what -----------------------------------------------------------------------


def _scope(db: Session, actor: Actor) -> list[int] | None:
    """The partners whose figures the actor sees: None for every partner."""
    if any(map(actor.can, SEE_ALL)):
        return None
    actor.require(Permission.INTAKE_SUBMIT)
    own = partner_of(db, actor)
    return [own.id] if own else []


def _require_partner(db: Session, actor: Actor, partner_id: int) -> Partner:
    scope = _scope(db, actor)
    partner = db.get(Partner, partner_id)
    # Another partner's figures are "not found", never "forbidden": a partner must not learn
    # which other partners there are.
    if partner is None or (scope is not None and partner_id not in scope):
        raise NotFound("There is no such partner.")
    return partner


def _age(oldest: datetime | None, last_day: date) -> int | None:
    return None if oldest is None else (last_day - oldest.astimezone(clock.UK).date()).days


# --- the use-cases -----------------------------------------------------------------------


def build_report(
    db: Session, *, start: date, end: date, partner_ids: Collection[int] | None = None
) -> Report:
    """The figures of the period for the partners given (None: every partner). No access
    check and no audit event: callers check who is asking (``report``, ``overview``)."""
    check_range(start, end)
    bounds = _bounds(start, end)
    months = _months(start, end)
    counts = queries.row_counts(db, bounds, partner_ids)
    files, refusals = queries.submission_counts(db, bounds, partner_ids)
    by_code, conflicts = queries.issues(db, bounds, partner_ids)
    resolved, resolved_monthly = queries.resolutions(db, bounds, partner_ids)
    held_open = queries.open_held(db, bounds, partner_ids)
    partners = []
    for partner in queries.partners(db, partner_ids):
        lines = []
        for i, month in enumerate(months):
            key = (partner.id, i)
            sent, refused = files.get(key, (0, 0))
            figures = Counts(
                submissions=sent,
                refused=refused,
                conflicts=conflicts.get(key, 0),
                waiting=held_open.get(key, (0, None))[0],
                **counts.get(key, {}),
            )
            lines.append(
                Month(month, figures, Resolution(*resolved_monthly.get(key, (0, None, None))))
            )
        total = sum((line.counts for line in lines), Counts())
        waiting, oldest = queries.open_of(held_open, partner.id)
        partners.append(
            PartnerReport(
                partner_id=partner.id,
                code=partner.code,
                name=partner.name,
                start=start,
                end=end,
                total=total,
                resolution=Resolution(*resolved.get(partner.id, (0, None, None))),
                months=lines,
                codes=_ranked(by_code.get(partner.id, {}), total.rows),
                refusals=_ranked(refusals.get(partner.id, {}), total.submissions),
                open_held=waiting,
                oldest_held_days=_age(oldest, end),
            )
        )
    return Report(start, end, partners)


def summary_start(on: date) -> date:
    """The first of the summary's 90 days to ``on``."""
    return on - timedelta(days=SUMMARY_DAYS - 1)


def quality_summary(
    db: Session, *, on: date, partner_ids: Collection[int] | None = None
) -> list[PartnerQuality]:
    """One line per partner for the assurance dashboard: the 90 days to ``on`` (see the
    module's definitions). No access check and no audit event: the dashboard checks its
    reader (ASSURANCE_VIEW) and records its own reading; ``summary`` does both."""
    start = summary_start(on)
    bounds = [_instant(start), _instant(on + timedelta(days=1))]
    counts = queries.row_counts(db, bounds, partner_ids)
    resolved, _ = queries.resolutions(db, bounds, partner_ids)
    held_open = queries.open_held(db, bounds, partner_ids)
    lines = []
    for partner in queries.partners(db, partner_ids):
        figures = counts.get((partner.id, 0), {})
        waiting, oldest = queries.open_of(held_open, partner.id)
        resolution = Resolution(*resolved.get(partner.id, (0, None, None)))
        lines.append(
            PartnerQuality(
                partner_id=partner.id,
                code=partner.code,
                name=partner.name,
                on=on,
                start=start,
                rows=figures.get("rows", 0),
                rejected=figures.get("rejected", 0),
                open_held=waiting,
                oldest_held_days=_age(oldest, on),
                decided=resolution.decided,
                median_resolution_days=resolution.median_days,
            )
        )
    return lines


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for, either end left out taking its default; it cannot end after
    today (held rows' ages would run on into days that have not come)."""
    today = clock.today()
    default_start, default_end = default_range(today)
    if end is not None and end > today:
        raise ValidationFailed(
            "The end of the period cannot be after today.",
            errors={"to": "The end must be today or earlier"},
        )
    start, end = start or default_start, end or default_end
    check_range(start, end)
    return start, end


def _read(db: Session, actor: Actor, partner_id: int | None, **details: str | int) -> None:
    """The one read event of a view: the period or day, and whose figures (ids and counts)."""
    audit.record(
        db,
        actor,
        IntakeEvent.QUALITY_READ,
        subject_type="partner" if partner_id else None,
        subject_id=partner_id,
        details=details,
    )


def report(
    db: Session,
    actor: Actor,
    *,
    partner_id: int,
    start: date | None = None,
    end: date | None = None,
) -> PartnerReport:
    """One partner's figures over the period (default: the last twelve months)."""
    partner = _require_partner(db, actor, partner_id)
    start, end = _period(start, end)
    built = build_report(db, start=start, end=end, partner_ids=[partner.id])
    _read(db, actor, partner.id, **{"from": start.isoformat(), "to": end.isoformat()})
    return built.partners[0]


def overview(
    db: Session, actor: Actor, *, start: date | None = None, end: date | None = None
) -> Overview:
    """Every partner the actor may see: the summary lines as of the period's last day, and
    the period's figures month by month."""
    scope = _scope(db, actor)
    start, end = _period(start, end)
    built = build_report(db, start=start, end=end, partner_ids=scope)
    lines = quality_summary(db, on=end, partner_ids=scope)
    period = {"from": start.isoformat(), "to": end.isoformat()}
    _read(db, actor, None, partners=len(built.partners), **period)
    return Overview(lines, built, own_partner=scope is not None, linked=scope != [])


def summary(db: Session, actor: Actor, *, on: date | None = None) -> list[PartnerQuality]:
    """The assurance dashboard's lines (default: as of today), for the partners the actor
    may see."""
    scope = _scope(db, actor)
    day = on or clock.today()
    if day > clock.today():
        raise ValidationFailed(
            "The date cannot be in the future.", errors={"on": "Choose today or a past date"}
        )
    lines = quality_summary(db, on=day, partner_ids=scope)
    _read(db, actor, None, partners=len(lines), on=day.isoformat())
    return lines
