"""The detector's quality gate (BENCHMARKS §2 goals) on generated report paragraphs.

Set B is the held-out set: the detector is tuned on set A, and scored here on 200 paragraphs
of B with a fixed seed, per character (``bench.redaction_metrics``). A third party's data
missed is a breach; the requester's own data redacted fails the request; professionals acting
in role are normally disclosed. The speed goal is measured in ``bench/redaction.py``, not here.
"""

from __future__ import annotations

from typing import Any

import pytest
from bench.data.paragraphs import SEED_B, detector_input, generate
from bench.redaction_metrics import score

from steward.redaction.context import context_from_json
from steward.redaction.detect import Detector
from steward.redaction.ner import spacy_names
from steward.redaction.people import compile_context

PARAGRAPHS = 200


@pytest.fixture(scope="module")
def scores() -> dict[str, Any]:
    items = generate(PARAGRAPHS, seed=SEED_B, template_set="B")
    detector = Detector(ner=spacy_names())
    lines = [detector_input(item) for item in items]
    pairs = [(line["text"], compile_context(context_from_json(line))) for line in lines]
    found = list(detector.detect_many(pairs))
    return score(items, [[(s.start, s.end) for s in spans] for spans in found])


def test_third_parties_are_redacted(scores: dict[str, Any]) -> None:
    assert scores["third_party_recall"] >= 0.99, scores["per_label_recall"]


def test_the_requesters_own_data_is_kept(scores: dict[str, Any]) -> None:
    assert scores["requester_kept"] >= 0.98


def test_professionals_in_role_are_kept(scores: dict[str, Any]) -> None:
    assert scores["professionals_kept"] >= 0.95


def test_little_is_redacted_that_is_not_a_third_partys(scores: dict[str, Any]) -> None:
    assert scores["precision"] >= 0.95
