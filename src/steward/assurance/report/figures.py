"""The board report's figures, gathered from every part of assurance as they stood at the end
of a day: the measures as the dashboard computes them, self-assessments and audit ratings
given by then, the action plan as its updates had left it, attestations and breaches.

Reading needs ASSURANCE_VIEW (IG officer, DPO, auditor). Producing the report is an export:
one audit event, with the day and counts only."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.assurance.areas import Area, Rating
from steward.assurance.audits import policy as plan_policy
from steward.assurance.audits.models import (
    ActionUpdate,
    Audit,
    AuditArea,
    FollowUp,
    Recommendation,
    SelfAssessment,
)
from steward.assurance.audits.policy import ActionStatus, Priority
from steward.assurance.audits.service.attestations import attestation_summary
from steward.assurance.breaches.register import breach_summary
from steward.assurance.controls import service as controls
from steward.assurance.controls.catalogue import Catalogue
from steward.assurance.controls.measures import MEASURES
from steward.assurance.controls.policy import Rag
from steward.assurance.report import wording
from steward.assurance.report.events import ReportEvent
from steward.assurance.report.model import (
    ActionProgress,
    AreaFigures,
    Attestations,
    BoardReport,
    Breaches,
    MeasureFigure,
    Overall,
    PriorityFigures,
    RedAction,
    Trend,
    TrendPoint,
)
from steward.core import audit, auth, clock
from steward.core.permissions import ROLE_NAMES, Actor, Permission, Role


def figures(db: Session, actor: Actor, as_of: date, *, organisation: str = "") -> BoardReport:
    """Everything the board report shows on ``as_of``, refused for a future or absurd day.
    ``organisation`` is printed on the cover (the settings' organisation_name; blank: none).
    Producing it is recorded as an export: call it once per report made."""
    actor.require(Permission.ASSURANCE_VIEW)
    controls.check_as_of(as_of)
    current = controls.current(db)
    results = _results(db, current.catalogue, as_of)
    areas = _areas(db, as_of, results)
    overall = _overall(db, as_of)
    recommendations, actions = _action_plan(db, as_of)
    attested = attestation_summary(db, as_of)
    attestations = Attestations(attested.current, attested.due_soon, attested.expired)
    breaches = _breaches(db, as_of)
    report = BoardReport(
        as_of=as_of,
        generated_at=clock.now(),
        organisation=organisation,
        catalogue_version=current.version.version if current.version else None,
        overall=overall,
        areas=areas,
        recommendations=recommendations,
        actions=actions,
        attestations=attestations,
        breaches=breaches,
        trends=_trends(db, results, as_of),
        summary=wording.summary(overall, areas, recommendations, actions, attestations, breaches),
    )
    audit.record(
        db,
        actor,
        ReportEvent.PRODUCED,
        subject_type="assurance_board_report",
        details={
            "as_of": as_of.isoformat(),
            "measures": sum(len(a.measures) for a in areas),
            "red": sum(m.status is Rag.RED for a in areas for m in a.measures),
        },
    )
    return report


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` in UK time: what was recorded before it counts."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.UK)
    return local.astimezone(UTC)


# --- the measures, as the dashboard places and rates them -----------------------------------


def _results(db: Session, catalogue: Catalogue, as_of: date) -> list[tuple[Area, controls.Result]]:
    """Every measure the catalogue names, in its order, under the area of the first
    expectation naming it: as the dashboard places and rates them."""
    chosen = controls.thresholds(db)
    placed: dict[str, Area] = {}
    for expectation in catalogue.measured():
        if expectation.measure is not None:
            placed.setdefault(expectation.measure, expectation.area)
    return [
        (area, controls.evaluate(db, MEASURES[key], as_of, chosen[key]))
        for key, area in placed.items()
    ]


def _measure(result: controls.Result) -> MeasureFigure:
    c = result.computed
    return MeasureFigure(
        key=result.measure.key,
        title=result.measure.title,
        kind=result.measure.kind,
        definition=result.measure.definition,
        shown=result.shown,
        value=result.value,
        numerator=c.numerator if c else None,
        denominator=c.denominator if c else None,
        count=c.count if c else None,
        note=c.note if c else "",
        status=result.rag,
        green=result.thresholds.green,
        amber=result.thresholds.amber,
        threshold_words=result.threshold_words,
    )


def _trends(
    db: Session, results: list[tuple[Area, controls.Result]], as_of: date
) -> tuple[Trend, ...]:
    trends = []
    for _, result in results:
        m = result.measure
        if not (m.headline and m.compute is not None):
            continue
        points = []
        for day in controls.month_ends(as_of):
            found = result if day == as_of else controls.evaluate(db, m, day, result.thresholds)
            points.append(TrendPoint(day, found.value, found.rag))
        trends.append(Trend(m.key, m.title, m.kind, tuple(points)))
    return tuple(trends)


# --- ratings: self-assessments and audits given by the day -----------------------------------


def _areas(
    db: Session, as_of: date, results: list[tuple[Area, controls.Result]]
) -> tuple[AreaFigures, ...]:
    by_area: dict[Area, list[controls.Result]] = {a: [] for a in Area}
    for area, result in results:
        by_area[area].append(result)
    assessed: dict[Area, tuple[SelfAssessment, str | None]] = {}
    for assessment, assessor in db.execute(
        select(SelfAssessment, auth.User.role)
        .outerjoin(auth.User, auth.User.id == SelfAssessment.assessed_by)
        .where(SelfAssessment.assessed_on <= as_of)
        .order_by(SelfAssessment.assessed_on, SelfAssessment.id)
    ):
        assessed[Area(assessment.area)] = (assessment, assessor)  # the latest wins
    audited: dict[Area, tuple[Rating, str]] = {}
    for code, rating, title in db.execute(
        select(AuditArea.area, AuditArea.rating, Audit.title)
        .join(Audit, Audit.id == AuditArea.audit_id)
        .where(AuditArea.rating.is_not(None), Audit.reported_on <= as_of)
        .order_by(Audit.reported_on, Audit.id)
    ):
        audited[Area(code)] = (Rating(str(rating)), title)
    lines = []
    for area in Area:
        latest = assessed.get(area)
        row, role = latest if latest else (None, None)
        rated = audited.get(area)
        measures = tuple(_measure(r) for r in by_area[area])
        draft = AreaFigures(
            area=area,
            rating=Rating(row.rating) if row else None,
            assessed_on=row.assessed_on if row else None,
            assessed_by_role=ROLE_NAMES.get(Role(role)) if role else None,
            audit_rating=rated[0] if rated else None,
            audit_title=rated[1] if rated else None,
            measures=measures,
            worst=controls.AreaResults(area, by_area[area]).worst,
            opinion="",
        )
        lines.append(_with_opinion(draft))
    return tuple(lines)


def _with_opinion(area: AreaFigures) -> AreaFigures:
    return replace(area, opinion=wording.opinion(area))


def _overall(db: Session, as_of: date) -> Overall:
    """The latest overall rating given by the day: an audit's report or a follow-up review's.
    A follow-up's rating replaces the audit's stored one, so an audit whose rating a later
    follow-up changed shows the changed rating; its date is the report's."""
    audited = db.execute(
        select(Audit.overall_rating, Audit.title, Audit.reported_on)
        .where(Audit.overall_rating.is_not(None), Audit.reported_on <= as_of)
        .order_by(Audit.reported_on.desc(), Audit.id.desc())
        .limit(1)
    ).first()
    followed = db.execute(
        select(FollowUp.rating, Audit.title, FollowUp.reviewed_on)
        .join(Audit, Audit.id == FollowUp.audit_id)
        .where(FollowUp.rating.is_not(None), FollowUp.reviewed_on <= as_of)
        .order_by(FollowUp.reviewed_on.desc(), FollowUp.id.desc())
        .limit(1)
    ).first()
    if followed is not None and (audited is None or followed[2] >= audited[2]):
        return Overall(Rating(str(followed[0])), "follow_up", followed[1], followed[2])
    if audited is not None:
        return Overall(Rating(str(audited[0])), "audit", audited[1], audited[2])
    return Overall(None, "none", None, None)


# --- the action plan as it stood -------------------------------------------------------------


def _statuses(db: Session, end: datetime) -> dict[int, ActionStatus]:
    """Each action's status at ``end``: its last update's before then; open without one (an
    action changes status only through a dated update)."""
    found: dict[int, ActionStatus] = {}
    for rec_id, status in db.execute(
        select(ActionUpdate.recommendation_id, ActionUpdate.status_to)
        .where(ActionUpdate.posted_at < end)
        .order_by(ActionUpdate.posted_at, ActionUpdate.id)
    ):
        found[rec_id] = ActionStatus(status)
    return found


def _action_plan(db: Session, as_of: date) -> tuple[tuple[PriorityFigures, ...], ActionProgress]:
    end = _end_of(as_of)
    statuses = _statuses(db, end)
    rows = db.execute(
        select(Recommendation, Audit.title)
        .join(Audit, Audit.id == Recommendation.audit_id)
        .where(Audit.reported_on <= as_of, Recommendation.created_at < end)
        .order_by(Recommendation.agreed_on, Recommendation.reference, Recommendation.id)
    ).all()
    # Counted in Python: an action plan holds tens of rows, not millions.
    tally: dict[Priority, Counter[str]] = {p: Counter() for p in Priority}
    by_status: Counter[ActionStatus] = Counter()
    red: list[RedAction] = []
    for rec, title in rows:
        priority = Priority(rec.priority)
        status = statuses.get(rec.id, ActionStatus.OPEN)
        overdue = plan_policy.is_overdue(status, rec.agreed_on, as_of)
        by_status[status] += 1
        counts = tally[priority]
        counts["total"] += 1
        counts["open"] += plan_policy.is_open(status)
        counts["done"] += status is ActionStatus.DONE
        counts["not_accepted"] += status is ActionStatus.NOT_ACCEPTED
        counts["overdue"] += overdue
        if plan_policy.is_red(priority, status, rec.agreed_on, as_of):
            red.append(RedAction(rec.reference, title, rec.text, priority, rec.agreed_on))
    recommendations = tuple(
        PriorityFigures(
            p,
            tally[p]["total"],
            tally[p]["open"],
            tally[p]["done"],
            tally[p]["not_accepted"],
            tally[p]["overdue"],
        )
        for p in Priority
    )
    progress = ActionProgress(
        by_status=tuple((s, by_status[s]) for s in ActionStatus),
        overdue=sum(p.overdue for p in recommendations),
        red=tuple(red),
    )
    return recommendations, progress


def _breaches(db: Session, as_of: date) -> Breaches:
    found = breach_summary(db, as_of)
    return Breaches(
        reported=found.in_last_12_months,
        near_misses=found.near_misses,
        notified=found.notified,
        notified_within_72_hours=found.notified_within_72_hours,
        overdue_now=found.overdue_now,
        not_notified=found.not_notified,
    )
