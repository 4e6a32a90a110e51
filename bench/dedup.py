"""Batch deduplication (BENCHMARKS §1, issue 10): ``find_duplicates`` beside Splink's clustering.

Same records, same truth, each side in its own fresh process, one after the other:

* peer: Splink on DuckDB as ``bench/identity_splink.py`` configures it (trained by EM on the
  data, ``predict`` then ``cluster_pairwise_predictions_at_threshold`` at 0.95). Its time is
  what it spends to deduplicate a loaded table: training + predict + clustering.
* ours: ``import_people_csv`` and ``train_model`` (what an install has done long before a
  deduplication is asked for; timed and reported apart), then ``find_duplicates`` in a
  further process, which from 20k persons hands pair scoring to Splink's ``predict`` with our
  comparisons and trained weights (``identity/service/duplicates_splink.py``).

Scored by B-cubed precision/recall/F1 over every record. ``ratio.dedupe_s`` is peer time /
our time (>1: we are faster); ``ratio.dedupe_incl_training_s`` adds our training to our side.

Data: ``bench/data/people.py`` (the generator the thresholds were tuned on) at 1M records;
``--quick``: 2,000. ``BENCH_DEDUP_SIZES`` (e.g. ``100000,1000000``) runs other sizes.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from typing import Any

from bench import log, size_label, speedup
from bench.data.people import people_data
from bench.identity import OUR_QUERIES
from bench.identity_metrics import Truth, bcubed, clusters_from_groups
from bench.identity_ours import run_duplicates

FULL_SIZES = (1_000_000,)
QUICK_SIZE = 2_000


def _child(fn: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def compare(
    records_csv: str, truth: Truth, *, engines: tuple[str, ...], u_pairs: float
) -> dict[str, Any]:
    """Splink's deduplication, then ours with each engine, on one records file."""
    from bench.identity_ours import run_ours
    from bench.identity_splink import run_peer

    threads = min(2, os.cpu_count() or 1)
    log("dedup: Splink (train, predict, cluster)")
    peer_raw = _child(run_peer, records_csv, [], u_pairs, threads)
    peer = {
        **bcubed(peer_raw["cluster_of"], truth),
        "dedupe_s": round(peer_raw["train_s"] + peer_raw["predict_s"] + peer_raw["cluster_s"], 1),
        "train_s": round(peer_raw["train_s"], 1),
        "predict_s": round(peer_raw["predict_s"], 1),
        "cluster_s": round(peer_raw["cluster_s"], 1),
        "peak_rss_mb": round(peer_raw["peak_rss_mb"]),
    }
    ours: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as data_dir:
        log("dedup: ours (import, train)")
        loaded = _child(run_ours, records_csv, [], data_dir)
        for engine in engines:
            log(f"dedup: ours find_duplicates ({engine})")
            found = _child(run_duplicates, data_dir, engine)
            ours[engine] = {
                **bcubed(clusters_from_groups(found["groups"]), truth),
                "dedupe_s": round(found["seconds"], 1),
                "train_s": round(loaded["train_s"], 1),
                "import_s": round(loaded["load_s"], 1),
                "peak_rss_mb": round(found["peak_rss_mb"]),
            }
    ratio = {
        engine: {
            "dedupe_s": speedup(o["dedupe_s"], peer["dedupe_s"], kind="time"),
            "dedupe_incl_training_s": speedup(
                o["dedupe_s"] + o["train_s"], peer["dedupe_s"], kind="time"
            ),
        }
        for engine, o in ours.items()
    }
    return {"ours": ours, "peer": peer, "ratio": ratio, "splink": peer_raw["version"]}


def run(quick: bool) -> dict[str, Any]:
    env = os.environ.get("BENCH_DEDUP_SIZES")
    sizes = [int(s) for s in env.split(",")] if env else [QUICK_SIZE] if quick else FULL_SIZES
    result: dict[str, Any] = {"ours": {}, "peer": {}, "ratio": {}, "sizes": {}, "seeds": {}}
    for size in sizes:
        label = size_label(size)
        data = people_data(size, queries=OUR_QUERIES)  # the identity bench's very files
        truth = Truth.read(data.truth_csv)
        # The Python scorer answers only at small sizes (no answer in 120 s at 100k).
        engines = ("splink", "steward") if size <= 20_000 else ("splink",)
        one = compare(
            str(data.records_csv), truth, engines=engines, u_pairs=1e6 if size <= 2_000 else 1e7
        )
        result["ours"][label] = one["ours"]
        result["peer"][label] = one["peer"]
        result["ratio"][label] = one["ratio"]
        result["sizes"][label] = {"records": data.meta["records"], "persons": data.meta["persons"]}
        result["seeds"][label] = data.meta.get("seed")
        result.setdefault("context", {})["splink"] = one["splink"]
    return result


def tables(result: dict[str, Any]) -> dict[str, str]:
    """``main``: B-cubed and seconds per size, ours (each engine) beside Splink's."""
    lines = [
        "| size | side | B-cubed P | B-cubed R | B-cubed F1 | dedupe s | peer s / ours"
        " | with our training |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, peer in result["peer"].items():
        for engine, o in result["ours"][label].items():
            r = result["ratio"][label][engine]
            lines.append(
                f"| {label} | Steward ({engine} engine) | {o['precision']} | {o['recall']}"
                f" | {o['f1']} | {o['dedupe_s']} (+ {o['train_s']} training) | {r['dedupe_s']}"
                f" | {r['dedupe_incl_training_s']} |"
            )
        lines.append(
            f"| {label} | Splink | {peer['precision']} | {peer['recall']} | {peer['f1']}"
            f" | {peer['dedupe_s']} (training {peer['train_s']}) | | |"
        )
    lines.append(
        "\n".join(
            [
                "",
                "Peak memory MB: "
                + ", ".join(
                    f"{label} ours {max(o['peak_rss_mb'] for o in result['ours'][label].values())},"
                    f" Splink {peer['peak_rss_mb']}"
                    for label, peer in result["peer"].items()
                )
                + ".",
            ]
        )
    )
    return {"main": "\n".join(lines)}
