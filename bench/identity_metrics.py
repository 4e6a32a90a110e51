"""Scoring for the identity benchmark: the same per-query figures for ours and Splink.

A side answers each SAR query with a review list (every candidate it would show a reviewer)
and, within it, the records it marks as the same person ("match"). Scored against the truth:

* ``recall``: the subject's records in the review list / the subject's records, summed over
  queries (micro); ``recall_macro`` averages per query; ``queries_fully_found`` is the share
  of queries whose every record was listed. The goal (BENCHMARKS §1) is on ``recall``.
* ``precision``: correct records among those marked "match", summed over queries.
* ``review_list_mean``: how many candidates a reviewer reads per query.
* ``match_recall``: the subject's records marked "match" / the subject's records: what is
  found without a reviewer; ``not_matched_by_tag`` counts, by tag, the subject's records
  left to the reviewer (in the list but not marked) or missed.
* ``missed_by_tag``: for the records missed, the corruptions they carried (truth.csv tags),
  as misses / records with that tag among the queried subjects, so the engine knows which
  kind of record it loses. ``false_matches``: wrong "match" records that were the subject's
  relatives (same household) or strangers.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Truth:
    person: dict[str, str]  # record_id -> person_key
    household: dict[str, str]  # person_key -> household_key
    tags: dict[str, tuple[str, ...]]  # record_id -> corruption tags
    records_of: dict[str, list[str]]  # person_key -> record_ids

    @classmethod
    def read(cls, path: Path) -> Truth:
        person: dict[str, str] = {}
        household: dict[str, str] = {}
        tags: dict[str, tuple[str, ...]] = {}
        records_of: dict[str, list[str]] = defaultdict(list)
        with path.open(newline="") as f:
            rows = csv.reader(f)
            next(rows)
            for rid, pkey, hkey, tag_text in rows:
                person[rid] = pkey
                household[pkey] = hkey
                if tag_text:
                    tags[rid] = tuple(tag_text.split(";"))
                records_of[pkey].append(rid)
        return cls(person, household, tags, dict(records_of))


@dataclass(frozen=True, slots=True)
class Answer:
    """One side's answer to one query: record ids listed for review, and those marked match."""

    review: frozenset[str]
    match: frozenset[str]


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    if not seconds:
        return {}
    ordered = sorted(seconds)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] * 1000, 2)

    return {
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": round(sum(ordered) / len(ordered) * 1000, 2),
    }


def score_queries(
    answers: Mapping[str, Answer], subjects: Mapping[str, str], truth: Truth
) -> dict[str, Any]:
    """Per-query recall/precision over the queries answered (query_id -> subject person key)."""
    found = total = correct = marked = full = auto = 0
    recalls: list[float] = []
    review_sizes: list[int] = []
    tag_total: Counter[str] = Counter()
    tag_missed: Counter[str] = Counter()
    tag_unmatched: Counter[str] = Counter()
    false_matches: Counter[str] = Counter()
    for qid, answer in answers.items():
        subject = subjects[qid]
        own = truth.records_of.get(subject, [])
        hits = sum(1 for rid in own if rid in answer.review)
        auto += sum(1 for rid in own if rid in answer.match)
        found += hits
        total += len(own)
        full += hits == len(own)
        recalls.append(hits / len(own) if own else 1.0)
        review_sizes.append(len(answer.review))
        for rid in own:
            for tag in truth.tags.get(rid, ("clean",)):
                tag_total[tag] += 1
                if rid not in answer.review:
                    tag_missed[tag] += 1
                if rid not in answer.match:
                    tag_unmatched[tag] += 1
        for rid in answer.match:
            marked += 1
            other = truth.person.get(rid)
            if other == subject:
                correct += 1
            elif other is not None and truth.household.get(other) == truth.household[subject]:
                false_matches["relative_same_household"] += 1
            else:
                false_matches["stranger"] += 1
    n = len(answers)
    return {
        "queries": n,
        "subject_records": total,
        "recall": round(found / total, 4) if total else None,
        "recall_macro": round(sum(recalls) / n, 4) if n else None,
        "queries_fully_found": round(full / n, 4) if n else None,
        "precision": round(correct / marked, 4) if marked else None,
        "marked_match": marked,
        "review_list_mean": round(sum(review_sizes) / n, 1) if n else None,
        "match_recall": round(auto / total, 4) if total else None,
        "missed_records": total - found,
        "missed_by_tag": _tag_rates(tag_missed, tag_total),
        "not_matched_by_tag": _tag_rates(tag_unmatched, tag_total),
        "false_matches": dict(false_matches),
    }


def _tag_rates(missed: Counter[str], total: Counter[str]) -> dict[str, dict[str, float | int]]:
    return {
        tag: {"missed": missed[tag], "of": total[tag], "rate": round(missed[tag] / total[tag], 3)}
        for tag in sorted(total, key=lambda t: -missed[t])
        if missed[tag]
    }


def bcubed(cluster_of: Mapping[str, str], truth: Truth) -> dict[str, float]:
    """B-cubed precision/recall/F1 of a clustering (record_id -> cluster id) over every record
    in the truth (a record the clustering left out is a singleton), and the share of people
    resolved perfectly (one cluster holding exactly their records)."""
    clusters: dict[str, list[str]] = defaultdict(list)
    for rid in truth.person:
        clusters[cluster_of.get(rid, "single:" + rid)].append(rid)
    person_size = {p: len(rids) for p, rids in truth.records_of.items()}
    p_sum = r_sum = 0.0
    perfect = 0
    for members in clusters.values():
        by_person = Counter(truth.person[rid] for rid in members)
        for pkey, overlap in by_person.items():
            p_sum += overlap * overlap / len(members)
            r_sum += overlap * overlap / person_size[pkey]
        if len(by_person) == 1:
            (pkey,) = by_person
            perfect += len(members) == person_size[pkey]
    n = len(truth.person)
    precision, recall = p_sum / n, r_sum / n
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4),
        "people_perfectly_resolved": round(perfect / len(person_size), 4),
    }


def clusters_from_groups(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """record_id -> cluster id from groups of record ids (e.g. suggested duplicate sets)."""
    cluster_of: dict[str, str] = {}
    for i, group in enumerate(groups):
        for rid in group:
            cluster_of.setdefault(rid, f"g{i}")
    return cluster_of
