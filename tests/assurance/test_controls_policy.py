"""Rating a figure against its thresholds: percentages better higher, counts better lower,
nothing counted rated as nothing (not red)."""

from __future__ import annotations

import pytest

from steward.assurance.controls.policy import Kind, Rag, Thresholds, percent, rate


@pytest.mark.parametrize(
    ("value", "rag"),
    [(100, Rag.GREEN), (95, Rag.GREEN), (94.9, Rag.AMBER), (85, Rag.AMBER), (84.9, Rag.RED)],
)
def test_a_percentage_is_better_higher(value: float, rag: Rag) -> None:
    assert rate(Kind.PERCENT, value, Thresholds(95, 85)) is rag


@pytest.mark.parametrize(
    ("value", "rag"), [(0, Rag.GREEN), (1, Rag.AMBER), (3, Rag.AMBER), (4, Rag.RED)]
)
def test_a_count_is_better_lower(value: float, rag: Rag) -> None:
    assert rate(Kind.COUNT, value, Thresholds(0, 3)) is rag


def test_nothing_counted_is_not_red() -> None:
    assert rate(Kind.PERCENT, None, Thresholds(95, 85)) is Rag.NONE
    assert percent(0, 0) is None
    assert percent(1, 3) == 33.3
