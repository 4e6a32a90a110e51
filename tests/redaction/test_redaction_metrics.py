"""The benchmark's scores on cases small enough to check by hand."""

from __future__ import annotations

import pytest
from bench.redaction_metrics import f_beta, score

TEXT = "Ms Kay Jones told me Dean Marsh lives at 4 Oak Road. PC Amy Lee attended."
#       0123456789012345678901234567890123456789012345678901234567890123456789012


def _gold(text: str, role: str, label: str = "NAME") -> dict:
    start = TEXT.index(text)
    return {"start": start, "end": start + len(text), "role": role, "label": label, "text": text}


ITEM = {
    "text": TEXT,
    "gold": [
        _gold("Kay Jones", "requester"),
        _gold("Dean Marsh", "third_party"),
        _gold("4 Oak Road", "third_party", "ADDRESS"),
        _gold("Amy Lee", "professional"),
    ],
}


def _at(text: str) -> tuple[int, int]:
    start = TEXT.index(text)
    return start, start + len(text)


def test_exactly_the_third_parties_scores_one() -> None:
    s = score([ITEM], [[_at("Dean Marsh"), _at("4 Oak Road")]])
    assert s["third_party_recall"] == 1.0
    assert s["precision"] == 1.0
    assert s["requester_kept"] == 1.0 and s["professionals_kept"] == 1.0
    assert s["f2"] == 1.0
    assert s["per_label_whole_spans"] == {"ADDRESS": 1.0, "NAME": 1.0}


def test_redacting_everything_loses_the_requester_and_precision() -> None:
    s = score([ITEM], [[(0, len(TEXT))]])
    assert s["third_party_recall"] == 1.0
    assert s["requester_kept"] == 0.0 and s["professionals_kept"] == 0.0
    assert s["precision"] == pytest.approx(20 / len(TEXT), abs=1e-4)


def test_a_partly_covered_address_counts_its_characters_but_not_as_whole() -> None:
    # "Oak Road" of "4 Oak Road": 8 of 10 address chars; the name fully.
    s = score([ITEM], [[_at("Dean Marsh"), _at("Oak Road")]])
    assert s["third_party_recall"] == pytest.approx(18 / 20)
    assert s["per_label_recall"] == {"ADDRESS": 0.8, "NAME": 1.0}
    assert s["per_label_whole_spans"]["ADDRESS"] == 0.0


def test_a_title_and_the_requester_count_against_precision() -> None:
    s = score([ITEM], [[_at("Ms Kay"), _at("Dean Marsh")]])
    assert s["precision"] == pytest.approx(10 / 16, abs=1e-4)
    assert s["requester_kept"] == pytest.approx(1 - 3 / 9, abs=1e-4)
    assert s["third_party_recall"] == 0.5


def test_overlapping_predictions_count_a_character_once() -> None:
    s = score([ITEM], [[_at("Dean Marsh"), _at("Dean"), _at("4 Oak Road")]])
    assert s["precision"] == 1.0 and s["predicted_chars"] == 20


def test_nothing_redacted() -> None:
    s = score([ITEM], [[]])
    assert s["third_party_recall"] == 0.0 and s["f2"] == 0.0 and s["precision"] == 1.0


def test_f2_weights_recall() -> None:
    assert f_beta(1.0, 0.5) < f_beta(0.5, 1.0)
    assert f_beta(0.8, 0.8) == pytest.approx(0.8)


def test_one_prediction_list_per_paragraph() -> None:
    with pytest.raises(ValueError, match="one prediction list"):
        score([ITEM, ITEM], [[]])
