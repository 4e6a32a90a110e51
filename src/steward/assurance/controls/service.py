"""What the assurance pages, API and CLI call: the current catalogue and its history, the
DPO's thresholds, each measure's figure and rating, the dashboard, and a measure's drill-down.

Viewing needs ASSURANCE_VIEW (IG officer, DPO, auditor); publishing a catalogue or changing a
threshold needs ASSURANCE_MANAGE (the DPO). The rows behind a figure (references, names) are
shown only to those whose role already lets them see those records (Measure.names_need);
everyone else with the view sees the counts."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.assurance.areas import Area
from steward.assurance.controls import catalogue as catalogue_format
from steward.assurance.controls.catalogue import Catalogue
from steward.assurance.controls.events import ControlsEvent
from steward.assurance.controls.measures import MEASURES, Computed, Measure, Row
from steward.assurance.controls.models import CatalogueVersion, MeasureThreshold
from steward.assurance.controls.policy import Kind, Rag, Thresholds, check, rate
from steward.core import audit, clock
from steward.core.errors import NotFound, ValidationFailed
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor, Permission

TREND_MONTHS = 12
OLDEST_AS_OF_YEARS = 10


# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentCatalogue:
    catalogue: Catalogue
    source: str
    version: CatalogueVersion | None  # None: the version shipped with Steward


def parse(text: str) -> Catalogue:
    return _parsed(text)


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Catalogue:
    # Reading the YAML was a sixth of the dashboard's time; a version's text never changes and
    # the Catalogue is frozen, so each text is parsed once per process. A text that fails
    # raises every time (exceptions are not cached).
    return catalogue_format.parse(text, MEASURES.keys())


def current(db: Session) -> CurrentCatalogue:
    latest = db.scalars(
        select(CatalogueVersion).order_by(CatalogueVersion.version.desc()).limit(1)
    ).first()
    source = latest.source if latest else catalogue_format.shipped_text()
    return CurrentCatalogue(parse(source), source, latest)


def history(db: Session, actor: Actor, page: PageRequest) -> Page[CatalogueVersion]:
    actor.require(Permission.ASSURANCE_VIEW)
    query = select(CatalogueVersion).order_by(CatalogueVersion.version.desc())
    found: Page[CatalogueVersion] = paginate(db, query, page)
    return found


def version(db: Session, actor: Actor, number: int) -> CatalogueVersion:
    actor.require(Permission.ASSURANCE_VIEW)
    found = db.scalars(select(CatalogueVersion).where(CatalogueVersion.version == number)).first()
    if found is None:
        raise NotFound("No catalogue version with that number.")
    return found


def publish(db: Session, actor: Actor, text: str, note: str = "") -> CatalogueVersion:
    """A new version of the catalogue, checked whole first: nothing is kept when it is refused."""
    actor.require(Permission.ASSURANCE_MANAGE)
    note = note.strip()
    if len(note) > 300:
        raise ValidationFailed(
            "The note is too long: at most 300 characters.",
            errors={"note": "Enter a note of at most 300 characters"},
        )
    parsed = parse(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    now = current(db)
    if hashlib.sha256(now.source.encode()).hexdigest() == digest:
        raise ValidationFailed(
            "This is the catalogue already in use: change it before publishing.",
            errors={"catalogue": "Change the catalogue before publishing it"},
        )
    number = (db.scalar(select(func.max(CatalogueVersion.version))) or 0) + 1
    row = CatalogueVersion(
        version=number,
        title=parsed.title,
        source=text,
        sha256=digest,
        note=note,
        published_at=clock.now(),
        published_by_user_id=actor.user_id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor,
        ControlsEvent.CATALOGUE_PUBLISHED,
        subject_type="assurance_catalogue",
        subject_id=row.id,
        details={"version": number, "expectations": len(parsed.expectations)},
    )
    return row


# --- thresholds ----------------------------------------------------------------------------


def measure_of(key: str) -> Measure:
    found = MEASURES.get(key)
    if found is None:
        raise NotFound("No measure with that key.")
    return found


def thresholds(db: Session) -> dict[str, Thresholds]:
    chosen = {
        t.measure_key: Thresholds(t.green, t.amber) for t in db.scalars(select(MeasureThreshold))
    }
    return {key: chosen.get(key, m.defaults) for key, m in MEASURES.items()}


def set_thresholds(db: Session, actor: Actor, key: str, green: float, amber: float) -> Thresholds:
    actor.require(Permission.ASSURANCE_MANAGE)
    measure = measure_of(key)
    chosen = Thresholds(green, amber)
    check(measure.kind, chosen)
    row = db.get(MeasureThreshold, key)
    if row is None:
        row = MeasureThreshold(measure_key=key)
        db.add(row)
    row.green, row.amber = green, amber
    row.set_at, row.set_by_user_id = clock.now(), actor.user_id
    db.flush()
    audit.record(
        db,
        actor,
        ControlsEvent.THRESHOLD_SET,
        details={"measure": key, "green": f"{green:g}", "amber": f"{amber:g}"},
    )
    return chosen


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    measure: Measure
    thresholds: Thresholds
    computed: Computed | None  # None: not measured yet
    rag: Rag

    @property
    def value(self) -> float | None:
        return None if self.computed is None else self.computed.value

    @property
    def shown(self) -> str:
        """The figure as a person reads it."""
        if self.computed is None:
            return "Not measured yet"
        c = self.computed
        if self.measure.kind is Kind.COUNT:
            return f"{c.count:,}"
        if not c.denominator:
            return "None to count"
        return f"{c.value:g}% ({c.numerator:,} of {c.denominator:,})"

    @property
    def threshold_words(self) -> str:
        t = self.thresholds
        if self.measure.kind is Kind.PERCENT:
            return f"Green at {t.green:g}% or more, amber at {t.amber:g}% or more, red below."
        return f"Green at {t.green:g} or fewer, amber at {t.amber:g} or fewer, red above."


def check_as_of(as_of: date) -> None:
    today = clock.today()
    if as_of > today:
        raise ValidationFailed(
            "The date to report on cannot be in the future.",
            errors={"as_of": "Enter today's date or a date in the past"},
        )
    if as_of < today - timedelta(days=366 * OLDEST_AS_OF_YEARS):
        raise ValidationFailed(
            f"The date to report on must be within the last {OLDEST_AS_OF_YEARS} years.",
            errors={"as_of": f"Enter a date in the last {OLDEST_AS_OF_YEARS} years"},
        )


def evaluate(
    db: Session, measure: Measure, as_of: date, chosen: Thresholds, *, rows: bool = True
) -> Result:
    """The measure on ``as_of``, rated; ``rows=False`` where only the figure is shown."""
    if measure.compute is None:
        return Result(measure, chosen, None, Rag.NOT_MEASURED)
    compute = measure.compute if rows or measure.figure is None else measure.figure
    computed = compute(db, as_of)
    return Result(measure, chosen, computed, rate(measure.kind, computed.value, chosen))


@dataclass(frozen=True)
class AreaResults:
    area: Area
    results: list[Result]

    @property
    def worst(self) -> Rag:
        for rag in (Rag.RED, Rag.AMBER, Rag.GREEN):
            if any(r.rag is rag for r in self.results):
                return rag
        return Rag.NOT_MEASURED if self.results else Rag.NONE


@dataclass(frozen=True)
class TrendPoint:
    on: date
    value: float | None
    rag: Rag


@dataclass(frozen=True)
class Trend:
    measure: Measure
    points: list[TrendPoint]


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    catalogue_version: int | None
    areas: list[AreaResults]
    trends: list[Trend]

    @property
    def results(self) -> list[Result]:
        return [r for a in self.areas for r in a.results]


def _catalogue_areas(catalogue: Catalogue) -> dict[str, Area]:
    """Measure key → the area of the first expectation naming it (the catalogue decides)."""
    found: dict[str, Area] = {}
    for expectation in catalogue.measured():
        if expectation.measure is not None:
            found.setdefault(expectation.measure, expectation.area)
    return found


def results(db: Session, actor: Actor, as_of: date) -> list[Result]:
    """Every measure the current catalogue names, in catalogue order."""
    actor.require(Permission.ASSURANCE_VIEW)
    check_as_of(as_of)
    chosen = thresholds(db)
    keys = _catalogue_areas(current(db).catalogue)
    return [evaluate(db, MEASURES[k], as_of, chosen[k]) for k in keys]


def area_results(db: Session, actor: Actor, area: Area, as_of: date) -> list[Result]:
    """The measures the current catalogue places in ``area``: what a self-assessment of that
    area shows beside the rating a person chooses."""
    actor.require(Permission.ASSURANCE_VIEW)
    chosen = thresholds(db)
    keys = _catalogue_areas(current(db).catalogue)
    return [
        evaluate(db, MEASURES[k], as_of, chosen[k], rows=False)
        for k, a in keys.items()
        if a is area
    ]


def month_ends(as_of: date, months: int = TREND_MONTHS) -> list[date]:
    """The last ``months`` month ends up to ``as_of``, the last being ``as_of`` itself."""
    ends = [as_of]
    at = date(as_of.year, as_of.month, 1) - timedelta(days=1)
    while len(ends) < months:
        ends.append(at)
        at = date(at.year, at.month, 1) - timedelta(days=1)
    return sorted(ends)


def dashboard(db: Session, actor: Actor, as_of: date, *, trend: bool = True) -> Dashboard:
    actor.require(Permission.ASSURANCE_VIEW)
    check_as_of(as_of)
    chosen = thresholds(db)
    now = current(db)
    keys = _catalogue_areas(now.catalogue)
    by_area: dict[Area, list[Result]] = {a: [] for a in Area}
    for key, area in keys.items():
        by_area[area].append(evaluate(db, MEASURES[key], as_of, chosen[key], rows=False))
    trends = []
    if trend:
        for key in keys:
            measure = MEASURES[key]
            if measure.headline and measure.compute is not None:
                trends.append(_trend(db, measure, as_of, chosen[key]))
    audit.record(db, actor, ControlsEvent.DASHBOARD_VIEWED, details={"as_of": as_of.isoformat()})
    return Dashboard(
        as_of,
        now.version.version if now.version else None,
        [AreaResults(a, r) for a, r in by_area.items()],
        trends,
    )


def _trend(db: Session, measure: Measure, as_of: date, chosen: Thresholds) -> Trend:
    days = month_ends(as_of)
    if measure.over_time is not None:  # the twelve points from one reading
        found = measure.over_time(db, days)
        points = [
            TrendPoint(day, c.value, rate(measure.kind, c.value, chosen))
            for day, c in zip(days, found, strict=True)
        ]
        return Trend(measure, points)
    points = []
    for day in days:
        one = evaluate(db, measure, day, chosen, rows=False)
        points.append(TrendPoint(day, one.value, one.rag))
    return Trend(measure, points)


@dataclass(frozen=True)
class Drilldown:
    result: Result
    may_see_rows: bool
    rows: Page[Row] | None  # None: not measured yet, or the viewer sees counts only


def drilldown(db: Session, actor: Actor, key: str, as_of: date, page: PageRequest) -> Drilldown:
    actor.require(Permission.ASSURANCE_VIEW)
    check_as_of(as_of)
    measure = measure_of(key)
    result = evaluate(db, measure, as_of, thresholds(db)[key])
    may_see = actor.can(measure.names_need)
    rows = None
    if result.computed is not None and may_see:
        found = result.computed.rows
        rows = Page(
            found[page.offset : page.offset + page.size], len(found), page.number, page.size
        )
    audit.record(
        db,
        actor,
        ControlsEvent.MEASURE_VIEWED,
        details={"measure": key, "as_of": as_of.isoformat(), "rows_shown": may_see},
    )
    return Drilldown(result, may_see, rows)


def export(db: Session, actor: Actor, key: str, as_of: date) -> tuple[Measure, list[Row]]:
    """Every row behind the figure, for a CSV; refused to those who see counts only."""
    actor.require(Permission.ASSURANCE_VIEW)
    check_as_of(as_of)
    measure = measure_of(key)
    actor.require(measure.names_need)
    if measure.compute is None:
        raise NotFound("This measure is not computed yet: there are no records behind it.")
    rows = measure.compute(db, as_of).rows
    audit.record(
        db,
        actor,
        ControlsEvent.MEASURE_EXPORTED,
        details={"measure": key, "as_of": as_of.isoformat(), "rows": len(rows)},
    )
    return measure, rows
