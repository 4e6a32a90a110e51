"""Issue 4's proof (BENCHMARKS §1): finding a subject's records, ours beside Splink.

Data: ``bench/data/people.py`` (seeded UK-style records: households whose relatives are the
hard negatives, 1-20 records per person, the §1 corruptions at their rates) at 100k and 1M
records (``--quick``: 2,000), with SAR queries drawn uniformly over people: what a requester
gives (current and previous names, DOB, current address, past postcodes).

Each side runs in its own fresh process, one after the other, on the same files:

* ours (``bench/identity_ours.py``): ``steward.identity`` on a new SQLCipher database:
  import, train, then ``find_people`` per query (one unit of work each);
* peer (``bench/identity_splink.py``): Splink on DuckDB, configured, trained and queried as
  its documentation shows (``predict_between`` per query).

Per query, on the same queries for both sides (the peer's lookups are slow, so it answers the
first ``PEER_QUERIES`` of them; ours answers all, reported in ``context.ours_all_queries``):
``recall`` of the subject's records in the review list (ours: both bands; Splink:
probability >= ``PEER_REVIEW``), ``precision`` among those marked the same person (ours:
band "match"; Splink: probability >= ``PEER_MATCH``, its clustering threshold), lookup
latency p50/p95/p99 (warm), and per side load, training and peak memory (``VmHWM`` of its
process). Deduplication is scored by B-cubed: Splink's clusters at 0.95 against our
``find_duplicates``. ``context`` has the peer's recall/precision at other thresholds, Splink
with its clusters used to widen each answer, and the misses of each side by corruption.

Environment: ``BENCH_IDENTITY_SIZES`` (e.g. ``100000``) to run other sizes;
``BENCH_IDENTITY_DUPLICATES=0`` to skip ``find_duplicates``, and
``BENCH_IDENTITY_DUPLICATES_TIMEOUT`` (seconds, default 900) to bound it. Each side's raw
answers are kept in ``bench/generated/identity-answers-<size>.json`` for a closer look.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from bench import log
from bench.data.people import GENERATED_DIR, PeopleData, people_data, read_queries
from bench.identity_metrics import Answer, Truth, bcubed, clusters_from_groups, percentiles_ms
from bench.identity_metrics import score_queries as score

FULL_SIZES = (100_000, 1_000_000)
QUICK_SIZE = 2_000
PEER_QUERIES = {QUICK_SIZE: 50, 100_000: 200, 1_000_000: 100}
OUR_QUERIES = 5_000  # ours answers this many (lookups are cheap), for a tighter recall figure
PEER_REVIEW, PEER_MATCH = 0.5, 0.95
PEER_CURVE = (0.2, 0.5, 0.8, 0.95, 0.99)
GOAL = {
    "recall": 0.995,
    "precision": 0.97,
    "lookup_p95_ms_at_1M": 50.0,
    "lookup_speedup_vs_peer": 20.0,
}


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


def _in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


def _ours(records_csv: str, rows: list[dict[str, str]], duplicates: bool) -> dict[str, Any]:
    """Our side in a fresh process, then find_duplicates in another on the same database,
    given at most ``BENCH_IDENTITY_DUPLICATES_TIMEOUT`` seconds (default 900)."""
    from bench.identity_ours import run_duplicates, run_ours

    with tempfile.TemporaryDirectory(prefix="bench-identity-") as data_dir:
        raw = _in_child(run_ours, records_csv, rows, data_dir)
        raw["duplicates"] = {}
        if duplicates:
            timeout = float(os.environ.get("BENCH_IDENTITY_DUPLICATES_TIMEOUT", "900"))
            ctx = multiprocessing.get_context("spawn")
            pool = ctx.Pool(1)
            try:
                raw["duplicates"] = pool.apply_async(run_duplicates, (data_dir,)).get(timeout)
            except multiprocessing.TimeoutError:
                log(f"find_duplicates: no answer in {timeout:.0f} s, stopped")
                raw["duplicates"] = {"timed_out_after_s": timeout}
            finally:
                pool.terminate()
                pool.join()
    return raw


def _ours_answers(raw: Mapping[str, list[tuple[str | None, str, float]]]) -> dict[str, Answer]:
    return {
        qid: Answer(
            review=frozenset(r for r, _b, _s in found if r),
            match=frozenset(r for r, b, _s in found if r and b == "match"),
        )
        for qid, found in raw.items()
    }


def _peer_answers(
    raw: Mapping[str, list[tuple[str, float]]], review: float, match: float
) -> dict[str, Answer]:
    return {
        qid: Answer(
            review=frozenset(r for r, p in found if p >= review),
            match=frozenset(r for r, p in found if p >= match),
        )
        for qid, found in raw.items()
    }


def _widened_by_clusters(
    answers: dict[str, Answer], cluster_of: dict[str, str]
) -> dict[str, Answer]:
    """Splink used as a deduplicated index: each matched record brings its whole cluster."""
    members: dict[str, list[str]] = defaultdict(list)
    for rid, cid in cluster_of.items():
        members[cid].append(rid)
    widened = {}
    for qid, a in answers.items():
        extra = {m for rid in a.match for m in members.get(cluster_of.get(rid, ""), [])}
        widened[qid] = Answer(review=a.review | extra, match=a.match | extra)
    return widened


def _headline(scores: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "recall",
        "recall_macro",
        "queries_fully_found",
        "precision",
        "match_recall",
        "review_list_mean",
    )
    return {k: scores[k] for k in keys}


def _ratio(ours: Any, peer: Any) -> Any:
    if isinstance(ours, dict) and isinstance(peer, dict):
        return {k: _ratio(ours[k], peer[k]) for k in ours if k in peer}
    if isinstance(ours, int | float) and isinstance(peer, int | float) and peer:
        return round(ours / peer, 4)
    return None


def _bench_size(size: int, duplicates: bool) -> dict[str, Any]:
    label = _label(size)
    data: PeopleData = people_data(size, queries=OUR_QUERIES)
    queries = read_queries(data)
    rows = [q for q, _ in queries]
    subjects = {q["query_id"]: key for q, key in queries}
    n_peer = min(PEER_QUERIES.get(size, 100), len(rows))
    threads = min(2, os.cpu_count() or 1)
    u_pairs = 1e6 if size <= QUICK_SIZE else 1e7

    from bench.identity_splink import run_peer

    log(f"identity {label}: Splink (train, dedupe, {n_peer} lookups)")
    peer_raw = _in_child(run_peer, str(data.records_csv), rows[:n_peer], u_pairs, threads)
    log(f"identity {label}: ours (import, train, {len(rows)} lookups)")
    ours_raw = _ours(str(data.records_csv), rows, duplicates)
    log(f"identity {label}: scoring")
    answers_file = GENERATED_DIR / f"identity-answers-{label}.json"
    answers_file.write_text(json.dumps({"ours": ours_raw["answers"], "peer": peer_raw["answers"]}))
    truth = Truth.read(data.truth_csv)

    ours_all = _ours_answers(ours_raw["answers"])
    shared = [q["query_id"] for q in rows[:n_peer]]
    ours_same = score({q: ours_all[q] for q in shared}, subjects, truth)
    peer_answers = _peer_answers(peer_raw["answers"], PEER_REVIEW, PEER_MATCH)
    peer_same = score(peer_answers, subjects, truth)

    ours: dict[str, Any] = {
        **_headline(ours_same),
        "lookup_ms": percentiles_ms(ours_raw["latencies_s"]),
        "load_s": round(ours_raw["load_s"], 1),
        "train_s": round(ours_raw["train_s"], 1),
        "peak_rss_mb": round(ours_raw["peak_rss_mb"]),
    }
    dup = ours_raw["duplicates"]
    if "groups" in dup:
        ours["dedupe_bcubed"] = bcubed(clusters_from_groups(dup["groups"]), truth)
        ours["dedupe_s"] = round(dup["seconds"], 1)
    elif dup:
        ours["dedupe_s"] = f"no answer within {dup['timed_out_after_s']:.0f} s"
    peer = {
        **_headline(peer_same),
        "lookup_ms": percentiles_ms(peer_raw["latencies_s"]),
        "load_s": round(peer_raw["load_s"], 1),
        "train_s": round(peer_raw["train_s"], 1),
        "peak_rss_mb": round(peer_raw["peak_rss_mb"]),
        "dedupe_bcubed": bcubed(peer_raw["cluster_of"], truth),
        "dedupe_s": round(peer_raw["predict_s"] + peer_raw["cluster_s"], 1),
    }
    widened = score(_widened_by_clusters(peer_answers, peer_raw["cluster_of"]), subjects, truth)
    context = {
        "ours_all_queries": score(ours_all, subjects, truth),
        "ours_same_queries_misses": ours_same["missed_by_tag"],
        "ours_not_matched_by_tag": ours_same["not_matched_by_tag"],
        "ours_false_matches": ours_same["false_matches"],
        "ours_import": ours_raw["import_report"],
        "ours_storage_mb": ours_raw["storage_mb"],
        "peer_misses": peer_same["missed_by_tag"],
        "peer_not_matched_by_tag": peer_same["not_matched_by_tag"],
        "peer_false_matches": peer_same["false_matches"],
        "peer_at_thresholds": {
            str(t): _headline(score(_peer_answers(peer_raw["answers"], t, t), subjects, truth))
            for t in PEER_CURVE
        },
        "peer_widened_by_clusters": _headline(widened),
        "peer_pairs_scored": peer_raw["pairs_scored"],
        "peer_predict_s": round(peer_raw["predict_s"], 1),
        "peer_cluster_s": round(peer_raw["cluster_s"], 1),
        "splink": peer_raw["version"],
        "duckdb": peer_raw["duckdb"],
        "duckdb_threads": peer_raw["threads"],
        "peer_u_max_pairs": u_pairs,
    }
    size_info = {
        "records": data.meta["records"],
        "persons": data.meta["persons"],
        "queries_compared": n_peer,
        "queries_ours": len(rows),
        "data": data.directory.name,
    }
    return {"ours": ours, "peer": peer, "context": context, "size": size_info}


def _meets(ours: dict[str, Any], peer: dict[str, Any], size: int) -> dict[str, bool | None]:
    p95 = ours["lookup_ms"].get("p95")
    peer_p95 = peer["lookup_ms"].get("p95")
    return {
        "recall": ours["recall"] is not None and ours["recall"] >= GOAL["recall"],
        "precision": ours["precision"] is not None and ours["precision"] >= GOAL["precision"],
        "lookup_p95_ms": (p95 <= GOAL["lookup_p95_ms_at_1M"]) if size >= 1_000_000 else None,
        "lookup_speedup_vs_peer": bool(p95 and peer_p95)
        and peer_p95 / p95 >= GOAL["lookup_speedup_vs_peer"],
        "recall_beats_peer": (ours["recall"] or 0) > (peer["recall"] or 0),
    }


def run(quick: bool) -> dict[str, Any]:
    env = os.environ.get("BENCH_IDENTITY_SIZES")
    sizes = (
        [int(s) for s in env.split(",")] if env else ([QUICK_SIZE] if quick else list(FULL_SIZES))
    )
    duplicates = os.environ.get("BENCH_IDENTITY_DUPLICATES", "1") != "0"
    result: dict[str, Any] = {
        "ours": {},
        "peer": {},
        "ratio": {},
        "goal": GOAL,
        "meets_goal": {},
        "sizes": {},
        "context": {"peer_review_threshold": PEER_REVIEW, "peer_match_threshold": PEER_MATCH},
    }
    for size in sizes:
        label = _label(size)
        one = _bench_size(size, duplicates)
        result["ours"][label] = one["ours"]
        result["peer"][label] = one["peer"]
        result["ratio"][label] = _ratio(one["ours"], one["peer"])
        result["meets_goal"][label] = _meets(one["ours"], one["peer"], size)
        result["sizes"][label] = one["size"]
        result["context"][label] = one["context"]
    return result
