"""Held-out check (issue 10): our thresholds on data they were not tuned on, beside Splink.

The identity cut-offs (``MATCH_PROBABILITY``, ``DUPLICATE_PROBABILITY``, the banding rules)
were chosen on ``bench/data/people.py``. Here they meet ``bench/data/people_alt.py``, a
generator written apart from it with another error model (OCR confusions, transliteration
and Mac/Mc variants, family name first, Kaur/husband's surname, hyphenation, year-only and
US-style DOBs, missing fields distributed differently; Welsh, Scottish, South Asian, Polish
and English names). FEBRL, the other held-out set, is ``bench/febrl_smoke.py``.

Per side, on the same records and queries, each in its own process:

* lookups: ``recall`` of the subject's records in the review list, ``precision`` of those
  marked the same person, ``match_recall`` (found without a reviewer) and ``match_f1``
  (precision and match_recall combined); Splink: review >= 0.5, match >= 0.95, as in
  ``bench/identity.py``;
* deduplication: B-cubed precision / recall / F1 of ``find_duplicates`` (each engine:
  ``steward``, the Python scorer, and ``splink``, Splink's predict with our comparisons)
  beside Splink's own clusters at 0.95.

Full: 50,000 records; ``--quick``: 2,000. Nothing here is a speed figure.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path
from typing import Any

from bench import log
from bench.identity_metrics import Truth, bcubed, clusters_from_groups
from bench.identity_metrics import score_queries as score

PEER_REVIEW, PEER_MATCH = 0.5, 0.95
FULL_SIZE, QUICK_SIZE = 50_000, 2_000
QUERY_KEYS = ("recall", "precision", "match_recall", "queries_fully_found", "review_list_mean")


def _child(fn: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def _query_figures(scores: dict[str, Any]) -> dict[str, Any]:
    out = {k: scores[k] for k in QUERY_KEYS}
    p, r = scores["precision"] or 0.0, scores["match_recall"] or 0.0
    out["match_f1"] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    return out


def evaluate(
    records: Path, truth: Truth, queries: list[dict[str, str]], subjects: dict[str, str]
) -> dict[str, Any]:
    """Both sides' lookups and deduplication on one records file, scored the same way."""
    from bench.identity import _ours_answers, _peer_answers
    from bench.identity_ours import run_duplicates, run_ours
    from bench.identity_splink import run_peer

    threads = min(2, os.cpu_count() or 1)
    log("heldout: Splink (train, dedupe, lookups)")
    peer_raw = _child(run_peer, str(records), queries, 1e6, threads)
    peer = _query_figures(
        score(_peer_answers(peer_raw["answers"], PEER_REVIEW, PEER_MATCH), subjects, truth)
    )
    peer["dedupe_bcubed"] = bcubed(peer_raw["cluster_of"], truth)
    with tempfile.TemporaryDirectory(prefix="bench-heldout-") as data_dir:
        log("heldout: ours (import, train, lookups)")
        ours_raw = _child(run_ours, str(records), queries, data_dir)
        ours_q = score(_ours_answers(ours_raw["answers"]), subjects, truth)
        ours = _query_figures(ours_q)
        ours["import_failed"] = ours_raw["import_report"]["failed"]
        for engine in ("steward", "splink"):
            log(f"heldout: ours find_duplicates ({engine})")
            found = _child(run_duplicates, data_dir, engine)
            ours[f"dedupe_bcubed_{engine}"] = bcubed(clusters_from_groups(found["groups"]), truth)
    return {
        "ours": ours,
        "peer": peer,
        "misses": {"ours": ours_q["missed_by_tag"]},
        "splink": peer_raw["version"],
    }


def run(quick: bool) -> dict[str, Any]:
    from bench.data.people import read_queries
    from bench.data.people_alt import people_alt_data

    size = QUICK_SIZE if quick else FULL_SIZE
    data = people_alt_data(size, queries=200 if quick else 500)
    asked = read_queries(data)
    one = evaluate(
        data.records_csv,
        Truth.read(data.truth_csv),
        [q for q, _ in asked],
        {q["query_id"]: key for q, key in asked},
    )
    return {
        "ours": one["ours"],
        "peer": one["peer"],
        "ratio": {},  # quality only: figures side by side (ratio.md)
        "sizes": {
            "records": data.meta["records"],
            "persons": data.meta["persons"],
            "queries": len(asked),
        },
        "seeds": {"people_alt": data.meta["seed"]},
        "context": {
            "generator": data.meta,
            "ours_missed_by_tag": one["misses"]["ours"],
            "splink": one["splink"],
            "peer_thresholds": {"review": PEER_REVIEW, "match": PEER_MATCH},
        },
    }


def _row(side: str, q: dict[str, Any], dedupe: dict[str, Any]) -> str:
    return (
        f"| {side} | {q['recall']} | {q['precision']} | {q['match_recall']} | {q['match_f1']}"
        f" | {dedupe['precision']} | {dedupe['recall']} | {dedupe['f1']} |"
    )


def tables(result: dict[str, Any]) -> dict[str, str]:
    """``main``: lookups and deduplication on the held-out generator, ours beside Splink's."""
    ours, peer = result["ours"], result["peer"]
    lines = [
        "| side | lookup recall | match precision | match recall | match F1"
        " | dedupe B-cubed P | R | F1 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        _row("Steward (steward engine)", ours, ours["dedupe_bcubed_steward"]),
        _row("Steward (splink engine)", ours, ours["dedupe_bcubed_splink"]),
        _row("Splink", peer, peer["dedupe_bcubed"]),
        "",
        f"{result['sizes']['records']:,} records, {result['sizes']['queries']} queries.",
    ]
    return {"main": "\n".join(lines)}
