"""The board report's words: each area's opinion line, the executive summary and the
appendix's definitions. Pure functions of the figures, so a test reads what a board reads.

The opinion states the evidence beside the person's rating; it never rates an area itself
(Steward shows evidence, a person chooses the rating: docs/assurance.md)."""

from __future__ import annotations

from datetime import date

from steward.assurance.areas import Rating
from steward.assurance.audits.policy import Priority
from steward.assurance.controls.policy import Rag
from steward.assurance.report.model import (
    ActionProgress,
    AreaFigures,
    Attestations,
    Breaches,
    MeasureFigure,
    Overall,
    PriorityFigures,
)

# What each point of the ICO's four-point scale says (DOMAIN.md §6), in our own words.
SCALE: tuple[tuple[Rating, str], ...] = (
    (
        Rating.HIGH,
        "Processes and procedures are in place and are delivering data protection "
        "compliance; there is only limited scope to improve them.",
    ),
    (
        Rating.REASONABLE,
        "Processes and procedures are in place and are delivering data protection "
        "compliance; there is some scope to improve them and reduce the risk of "
        "non-compliance.",
    ),
    (
        Rating.LIMITED,
        "Processes and procedures are only partly delivering data protection compliance; "
        "there is considerable scope to improve them.",
    ),
    (
        Rating.VERY_LIMITED,
        "There is a substantial risk that data protection compliance will not be achieved; "
        "action is needed now to improve the controls.",
    ),
)

PRIORITIES: tuple[tuple[Priority, str], ...] = (
    (Priority.URGENT, "A risk to tackle immediately."),
    (Priority.HIGH, "A risk to tackle at the earliest opportunity."),
    (
        Priority.MEDIUM,
        "A risk to tackle over a longer time, or one that other controls already reduce.",
    ),
    (Priority.LOW, "Good practice that would strengthen the controls further."),
)

RAG_MEANING = (
    "Each measure is green, amber or red against thresholds the organisation chose (the "
    "Data Protection Officer sets them); they are not set by regulation. A percentage is "
    "green at or above its green threshold and amber at or above its amber threshold; a "
    "count of things wrong is green at or below green and amber at or below amber. A "
    "measure with nothing to count is shown as such, never as red."
)

NO_PERSONAL_DATA = (
    "This report holds figures only: no names of the people the organisation keeps records "
    "on, no case or request references, and none of the free text recorded about breaches or "
    "actions."
)


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def rating_words(rating: Rating | None) -> str:
    return rating.label if rating else "Not rated"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def rag_counts(measures: tuple[MeasureFigure, ...]) -> str:
    """ "2 green, 1 amber, 1 red" over the measures that were rated."""
    parts = [
        f"{sum(m.status is rag for m in measures)} {rag.value}"
        for rag in (Rag.GREEN, Rag.AMBER, Rag.RED)
        if any(m.status is rag for m in measures)
    ]
    return ", ".join(parts)


def opinion(area: AreaFigures) -> str:
    """One line per area: who rated it and when, and what the measures show beside it."""
    if area.rating is not None and area.assessed_on is not None:
        by = f" by the {area.assessed_by_role.lower()}" if area.assessed_by_role else ""
        first = f"Self-assessed as {area.rating.label.lower()}{by} on {day(area.assessed_on)}."
    else:
        first = "Not self-assessed yet."
    if area.audit_rating is not None:
        first += f" Rated {area.audit_rating.label.lower()} by the latest audit."
    rated = rag_counts(area.measures)
    if not area.measures:
        return first + " No measure is placed in this area."
    if not rated:
        return first + " Its measures have nothing to count yet."
    return first + f" Measures: {rated}."


def overall_words(overall: Overall) -> str:
    if overall.rating is None:
        return "No overall rating has been given yet."
    if overall.audit_title is None or overall.on is None:
        return f"{overall.rating.label}."
    what = "the follow-up review of " if overall.source == "follow_up" else ""
    return f"{overall.rating.label}, from {what}{overall.audit_title} ({day(overall.on)})."


def overall_source(overall: Overall) -> str:
    """Where the overall rating comes from, for the cover beneath the rating itself."""
    if overall.rating is None:
        return "No audit has given an overall rating yet; see each area's self-assessment."
    if overall.audit_title is None or overall.on is None:
        return ""
    if overall.source == "follow_up":
        return f"From the follow-up review of {overall.audit_title}, {day(overall.on)}."
    return f"From {overall.audit_title}, reported {day(overall.on)}."


def summary(
    overall: Overall,
    areas: tuple[AreaFigures, ...],
    recommendations: tuple[PriorityFigures, ...],
    actions: ActionProgress,
    attestations: Attestations,
    breaches: Breaches,
) -> tuple[str, ...]:
    """The executive summary, most important first."""
    lines = [f"Overall: {overall_words(overall)}"]
    measures = tuple(m for a in areas for m in a.measures)
    red = [m for m in measures if m.status is Rag.RED]
    unrated = len(measures) - sum(m.status in (Rag.GREEN, Rag.AMBER, Rag.RED) for m in measures)
    lines.append(
        f"Of {_count(len(measures), 'measure')}, {rag_counts(measures) or 'none rated'}"
        + (f"; {unrated:,} with nothing to count or not measured yet." if unrated else ".")
        + (f" Red: {'; '.join(m.title.lower() for m in red)}." if red else "")
    )
    assessed = sum(a.rating is not None for a in areas)
    lines.append(f"{assessed} of {len(areas)} audit areas have a self-assessment.")
    total = sum(p.total for p in recommendations)
    open_ = sum(p.open for p in recommendations)
    done = sum(p.done for p in recommendations)
    lines.append(
        f"Audit recommendations: {total:,} in all, {done:,} done, {open_:,} open, "
        f"{actions.overdue:,} overdue ({len(actions.red):,} of them urgent or high)."
    )
    lines.append(
        f"Attestations: {attestations.current:,} current, {attestations.due_soon:,} due for "
        f"review within 30 days, {attestations.expired:,} expired."
    )
    lines.append(
        f"Breaches in the last 12 months: {breaches.reported:,} reported "
        f"({_count(breaches.near_misses, 'near miss', 'near misses')}), "
        f"{breaches.notified:,} notified to the ICO, {breaches.notified_within_72_hours:,} of "
        "them within 72 hours."
    )
    return tuple(lines)
