"""Pure rules of the measures: how a figure is rated against its thresholds.

A percentage is better higher (green at or above ``green``, amber at or above ``amber``); a
count of things wrong is better lower (green at or below ``green``, amber at or below
``amber``). The thresholds are the organisation's choice, not the law's."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from steward.core.errors import ValidationFailed


class Kind(StrEnum):
    PERCENT = "percent"  # higher is better
    COUNT = "count"  # lower is better


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"  # nothing to count yet: no rating
    NOT_MEASURED = "not_measured"  # the catalogue names it, no function computes it yet


RAG_LABELS = {
    Rag.GREEN: "Green",
    Rag.AMBER: "Amber",
    Rag.RED: "Red",
    Rag.NONE: "Nothing to count",
    Rag.NOT_MEASURED: "Not measured yet",
}
RAG_TAGS = {
    Rag.GREEN: "govuk-tag--green",
    Rag.AMBER: "govuk-tag--yellow",
    Rag.RED: "govuk-tag--red",
    Rag.NONE: "govuk-tag--grey",
    Rag.NOT_MEASURED: "govuk-tag--grey",
}


@dataclass(frozen=True)
class Thresholds:
    green: float
    amber: float


def check(kind: Kind, thresholds: Thresholds) -> None:
    """Refuse thresholds that cannot rate anything sensibly."""
    if kind is Kind.PERCENT:
        if not 0 <= thresholds.amber <= thresholds.green <= 100:
            raise ValidationFailed(
                "For a percentage, amber must be at most green, both between 0 and 100.",
                errors={"amber": "Enter amber at most green, both between 0 and 100"},
            )
    elif not 0 <= thresholds.green <= thresholds.amber:
        raise ValidationFailed(
            "For a count, green must be at most amber, and neither below 0.",
            errors={"green": "Enter green at most amber, and neither below 0"},
        )


def rate(kind: Kind, value: float | None, thresholds: Thresholds) -> Rag:
    if value is None:
        return Rag.NONE
    if kind is Kind.PERCENT:
        if value >= thresholds.green:
            return Rag.GREEN
        return Rag.AMBER if value >= thresholds.amber else Rag.RED
    if value <= thresholds.green:
        return Rag.GREEN
    return Rag.AMBER if value <= thresholds.amber else Rag.RED


def percent(numerator: int, denominator: int) -> float | None:
    """None when nothing is counted: 0% would say everything failed."""
    return round(100 * numerator / denominator, 1) if denominator else None
