"""The board report's figures as JSON-ready data (`steward assurance report --json`, the API):
codes for enums, ISO dates, the same figures the PDF prints."""

from __future__ import annotations

from typing import Any

from steward.assurance.report.model import AreaFigures, BoardReport, MeasureFigure, Trend


def _measure(m: MeasureFigure) -> dict[str, Any]:
    return {
        "key": m.key,
        "title": m.title,
        "kind": m.kind.value,
        "definition": m.definition,
        "shown": m.shown,
        "value": m.value,
        "numerator": m.numerator,
        "denominator": m.denominator,
        "count": m.count,
        "note": m.note,
        "status": m.status.value,
        "thresholds": {"green": m.green, "amber": m.amber},
    }


def _area(a: AreaFigures) -> dict[str, Any]:
    return {
        "area": a.area.value,
        "title": a.area.label,
        "rating": a.rating.value if a.rating else None,
        "assessed_on": a.assessed_on.isoformat() if a.assessed_on else None,
        "assessed_by_role": a.assessed_by_role,
        "audit_rating": a.audit_rating.value if a.audit_rating else None,
        "audit_title": a.audit_title,
        "status": a.worst.value,
        "opinion": a.opinion,
        "measures": [_measure(m) for m in a.measures],
    }


def _trend(t: Trend) -> dict[str, Any]:
    return {
        "key": t.key,
        "title": t.title,
        "kind": t.kind.value,
        "points": [
            {"on": p.on.isoformat(), "value": p.value, "status": p.status.value} for p in t.points
        ],
    }


def to_json(report: BoardReport) -> dict[str, Any]:
    o = report.overall
    return {
        "as_of": report.as_of.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "organisation": report.organisation or None,
        "catalogue_version": report.catalogue_version,
        "overall": {
            "rating": o.rating.value if o.rating else None,
            "source": o.source,
            "audit_title": o.audit_title,
            "on": o.on.isoformat() if o.on else None,
        },
        "summary": list(report.summary),
        "areas": [_area(a) for a in report.areas],
        "recommendations": [
            {
                "priority": p.priority.value,
                "total": p.total,
                "open": p.open,
                "done": p.done,
                "not_accepted": p.not_accepted,
                "overdue": p.overdue,
            }
            for p in report.recommendations
        ],
        "actions": {
            "by_status": {s.value: n for s, n in report.actions.by_status},
            "overdue": report.actions.overdue,
            "overdue_urgent_or_high": [
                {
                    "reference": r.reference,
                    "audit_title": r.audit_title,
                    "text": r.text,
                    "priority": r.priority.value,
                    "agreed_on": r.agreed_on.isoformat(),
                }
                for r in report.actions.red
            ],
        },
        "attestations": {
            "current": report.attestations.current,
            "due_soon": report.attestations.due_soon,
            "expired": report.attestations.expired,
        },
        "breaches": {
            "reported": report.breaches.reported,
            "near_misses": report.breaches.near_misses,
            "notified": report.breaches.notified,
            "notified_within_72_hours": report.breaches.notified_within_72_hours,
            "overdue_now": report.breaches.overdue_now,
            "not_notified": report.breaches.not_notified,
        },
        "trends": [_trend(t) for t in report.trends],
    }
