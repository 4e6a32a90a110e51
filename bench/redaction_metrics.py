"""Per-character scores for the redaction benchmark and the quality gate (BENCHMARKS §2).

Gold spans come from ``bench.data.paragraphs`` with a role each. A prediction is the list of
(start, end) ranges a detector would redact in a paragraph (its label is not scored: a
name redacted as an address is still redacted). Per character, over all paragraphs:

* third-party recall: third-party gold characters covered by a prediction (a miss is a breach);
* requester kept: 1 - the share of the requester's own gold characters redacted;
* professionals kept: 1 - the share of professionals' gold characters redacted;
* precision: predicted characters that fall in third-party gold (the requester's data, a
  professional's, a title, a court's name or a case number redacted all count against it);
* F2: recall weighted four times precision, as a missed third party costs more than a box too many.

Per label: the character recall of third-party gold of that label, and the share of those
spans covered whole (an address with its house number left showing is not redacted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Ranges = Sequence[tuple[int, int]]


def covered(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {i for start, end in ranges for i in range(start, end)}


def f_beta(precision: float, recall: float, beta: float = 2.0) -> float:
    b2 = beta * beta
    denominator = b2 * precision + recall
    return (1 + b2) * precision * recall / denominator if denominator else 0.0


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def score(
    items: Sequence[Mapping[str, Any]], predictions: Sequence[Ranges], digits: int = 4
) -> dict[str, Any]:
    """The figures above for ``predictions[i]`` against ``items[i]["gold"]``."""
    if len(items) != len(predictions):
        raise ValueError("one prediction list per paragraph")
    by_role: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [gold chars, redacted]
    label_chars: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    label_spans: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    predicted_total = predicted_right = 0
    for item, ranges in zip(items, predictions, strict=True):
        redacted = covered(ranges)
        third_party: set[int] = set()
        for g in item["gold"]:
            chars = set(range(g["start"], g["end"]))
            hit = len(chars & redacted)
            by_role[g["role"]][0] += len(chars)
            by_role[g["role"]][1] += hit
            if g["role"] == "third_party":
                third_party |= chars
                label_chars[g["label"]][0] += len(chars)
                label_chars[g["label"]][1] += hit
                label_spans[g["label"]][0] += 1
                label_spans[g["label"]][1] += hit == len(chars)
        predicted_total += len(redacted)
        predicted_right += len(redacted & third_party)

    def kept(role: str) -> float | None:
        share = _share(by_role[role][1], by_role[role][0])
        return None if share is None else 1 - share

    recall = _share(by_role["third_party"][1], by_role["third_party"][0])
    precision = _share(predicted_right, predicted_total)

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, digits)

    return {
        "third_party_recall": r(recall),
        "requester_kept": r(kept("requester")),
        "professionals_kept": r(kept("professional")),
        # Nothing redacted: no wrong box, so precision 1 (recall then says what was missed).
        "precision": r(1.0 if precision is None else precision),
        "f2": r(f_beta(1.0 if precision is None else precision, recall or 0.0)),
        "per_label_recall": {k: r(_share(v[1], v[0])) for k, v in sorted(label_chars.items())},
        "per_label_whole_spans": {k: r(_share(v[1], v[0])) for k, v in sorted(label_spans.items())},
        "gold_chars": {k: v[0] for k, v in sorted(by_role.items())},
        "predicted_chars": predicted_total,
    }
