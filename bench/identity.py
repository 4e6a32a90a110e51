"""Issue 4's proof (BENCHMARKS §1): finding a subject's records, ours beside Splink.

Data: ``bench/data/people.py`` (seeded UK-style records: households whose relatives are the
hard negatives, 1-20 records per person, the §1 corruptions at their rates) at 100k and 1M
records (``--quick``: 2,000), with SAR queries drawn uniformly over people: what a requester
gives (current and previous names, DOB, current address, past postcodes).

Each side lives in a process of its own (its peak memory is its own) and is prepared first,
one after the other, on the same files:

* ours (``bench/identity_ours.py``): ``steward.identity`` on a new SQLCipher database:
  import, train; then ``find_people`` per query (one unit of work each);
* peer (``bench/identity_splink.py``): Splink on DuckDB, configured, trained and queried as
  its documentation shows, given the same columns ours compares (address included):
  ``predict_between`` per query.

Then both answer the **same** queries (the first ``PEER_QUERIES``), taking turns a batch of
``TURN`` queries at a time (who goes first alternates), ``REPEATS`` times over, so load from
other work on the machine falls on both alike; latency percentiles are over those lookups on
both sides, with their spread over the repeats in ``context``. Ours then answers all
``OUR_QUERIES`` alone, for a tighter recall figure (``context.ours_all_queries``).

Per side: ``recall`` of the subject's records in the review list (ours: both bands; Splink:
probability >= ``PEER_REVIEW``), ``precision`` among those marked the same person (ours:
band "match"; Splink: probability >= ``PEER_MATCH``, its clustering threshold), lookup
latency p50/p95/p99 (warm), load, training and peak memory (``VmHWM`` of its process).
``ratio`` is peer time / our time (above 1: ours is faster), for times only. Deduplication is
scored by B-cubed: Splink's clusters at 0.95 against our ``find_duplicates``. ``context`` has
the peer's recall/precision at other thresholds, Splink with its clusters used to widen each
answer, and the misses of each side by corruption.

Environment: ``BENCH_IDENTITY_SIZES`` (e.g. ``1000000,5000000``) to run other sizes;
``BENCH_IDENTITY_PEER_MAX`` (records, default 1M) the largest size Splink is run at (it took
4.8 GB at 1M; at 5M it would not fit beside other work on a shared machine);
``BENCH_IDENTITY_DUPLICATES=0`` to skip ``find_duplicates``, and
``BENCH_IDENTITY_DUPLICATES_TIMEOUT`` (seconds, default 900) to bound it. Each side's raw
answers are kept in ``bench/generated/identity-answers-<size>.json`` for a closer look.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import traceback
from collections import defaultdict
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

from bench import log, ratios, size_label, spread
from bench.data.people import GENERATED_DIR, SEED, PeopleData, people_data, read_queries
from bench.identity_metrics import Answer, Truth, bcubed, clusters_from_groups, percentiles_ms
from bench.identity_metrics import score_queries as score

FULL_SIZES = (100_000, 1_000_000)
QUICK_SIZE = 2_000
PEER_QUERIES = {QUICK_SIZE: 50, 100_000: 200, 1_000_000: 100, 5_000_000: 100}
PEER_MAX_RECORDS = 1_000_000
OUR_QUERIES = 5_000  # ours answers this many alone (lookups are cheap), for a tighter recall
REPEATS = 3
TURN = 10  # queries a side answers before the other takes its turn
WARM_UP = 5
PEER_REVIEW, PEER_MATCH = 0.5, 0.95
PEER_CURVE = (0.2, 0.5, 0.8, 0.95, 0.99)
GOAL = {
    "recall": 0.995,
    "precision": 0.97,
    "lookup_p95_ms_at_1M": 50.0,
    "lookup_speedup_vs_peer": 20.0,
}


def _serve(conn: Connection, side: str, args: tuple[Any, ...]) -> None:
    """A side's process: prepare once, then answer ("lookup", queries) until ("close",)."""
    try:
        if side == "ours":
            from bench.identity_ours import Ours

            engine: Any = Ours(*args)
        else:
            from bench.identity_splink import Peer

            engine = Peer(*args)
        conn.send(("ok", engine.info()))
        while True:
            message = conn.recv()
            if message[0] == "close":
                conn.send(("ok", engine.close()))
                return
            conn.send(("ok", engine.lookup(message[1])))
    except BaseException:
        conn.send(("error", traceback.format_exc()))


class _Side:
    """One side in a process of its own, asked and answered over a pipe, so the two sides can
    take turns on the same queries."""

    def __init__(self, side: str, *args: Any) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, side, args), daemon=True)
        self._process.start()
        child.close()  # so a side that dies is an EOFError here, not a wait for ever
        self.info: dict[str, Any] = self._answer()

    def _answer(self) -> dict[str, Any]:
        try:
            status, body = self._conn.recv()
        except EOFError:
            status, body = "error", f"exited with status {self._process.exitcode}"
        if status != "ok":
            self._process.join(5)
            raise RuntimeError(f"identity bench side failed:\n{body}")
        return body  # type: ignore[no-any-return]

    def lookup(self, queries: list[dict[str, str]]) -> dict[str, Any]:
        self._conn.send(("lookup", queries))
        return self._answer()

    def close(self) -> dict[str, Any]:
        self._conn.send(("close",))
        body = self._answer()
        self._process.join(30)
        return body


def _interleaved(
    sides: dict[str, _Side], queries: list[dict[str, str]], repeats: int
) -> dict[str, dict[str, Any]]:
    """Both sides answer the same queries, a batch each in turn (who goes first alternates),
    ``repeats`` times over: whatever else loads the machine loads both alike. The answers are
    the first repeat's; the latencies are kept per repeat."""
    out: dict[str, dict[str, Any]] = {
        name: {"answers": {}, "repeats": [[] for _ in range(repeats)]} for name in sides
    }
    for side in sides.values():
        side.lookup(queries[:WARM_UP])  # warm caches; not timed
    names = list(sides)
    for r in range(repeats):
        for b, start in enumerate(range(0, len(queries), TURN)):
            batch = queries[start : start + TURN]
            order = names if (r + b) % 2 == 0 else names[::-1]
            for name in order:
                got = sides[name].lookup(batch)
                out[name]["repeats"][r].extend(got["latencies_s"])
                if r == 0:
                    out[name]["answers"].update(got["answers"])
    return out


def _latency(repeats: list[list[float]]) -> tuple[dict[str, float], dict[str, Any]]:
    """Percentiles over every timed lookup, and how far each percentile spread over repeats."""
    pooled = percentiles_ms([s for one in repeats for s in one])
    per = [percentiles_ms(one) for one in repeats]
    return pooled, {k: spread([p[k] for p in per], 2) for k in ("p50", "p95", "p99")}


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


def _bench_size(size: int, duplicates: bool, with_peer: bool) -> dict[str, Any]:
    label = size_label(size)
    data: PeopleData = people_data(size, queries=OUR_QUERIES)
    queries = read_queries(data)
    rows = [q for q, _ in queries]
    subjects = {q["query_id"]: key for q, key in queries}
    shared = rows[: min(PEER_QUERIES.get(size, 200), len(rows))]
    threads = min(2, os.cpu_count() or 1)
    u_pairs = 1e6 if size <= QUICK_SIZE else 1e7
    truth = Truth.read(data.truth_csv)

    sides: dict[str, _Side] = {}
    with tempfile.TemporaryDirectory(prefix="bench-identity-") as data_dir:
        # Prepared one after the other, so neither side's preparation loads the other's.
        if with_peer:
            log(f"identity {label}: Splink (load, train, predict and cluster)")
            sides["peer"] = _Side("peer", str(data.records_csv), u_pairs, threads)
        log(f"identity {label}: ours (import, train)")
        sides["ours"] = _Side("ours", str(data.records_csv), data_dir)
        log(f"identity {label}: {len(shared)} shared queries x {REPEATS}, the sides taking turns")
        turns = _interleaved(sides, shared, REPEATS)
        peer_raw: dict[str, Any] = {}
        if with_peer:
            peer_side = sides.pop("peer")
            peer_raw = {**peer_side.info, **turns["peer"], **peer_side.close()}
        log(f"identity {label}: ours alone over all {len(rows)} queries (recall)")
        ours_all_raw = sides["ours"].lookup(rows)
        ours_side = sides.pop("ours")
        ours_info = {**ours_side.info, **ours_side.close()}
        dup = _duplicates(data_dir) if duplicates else {}

    log(f"identity {label}: scoring")
    answers_file = GENERATED_DIR / f"identity-answers-{label}.json"
    answers_file.write_text(
        json.dumps({"ours": ours_all_raw["answers"], "peer": peer_raw.get("answers")})
    )
    ours_same = score(_ours_answers(turns["ours"]["answers"]), subjects, truth)
    lookup_ms, lookup_spread = _latency(turns["ours"]["repeats"])
    ours: dict[str, Any] = {
        **_headline(ours_same),
        "lookup_ms": lookup_ms,
        "load_s": round(ours_info["load_s"], 1),
        "train_s": round(ours_info["train_s"], 1),
        "peak_rss_mb": round(ours_info["peak_rss_mb"]),
    }
    if "groups" in dup:
        ours["dedupe_bcubed"] = bcubed(clusters_from_groups(dup["groups"]), truth)
        ours["dedupe_s"] = round(dup["seconds"], 1)
    elif dup:
        ours["dedupe_s"] = f"no answer within {dup['timed_out_after_s']:.0f} s"
    context: dict[str, Any] = {
        "ours_lookup_spread_over_repeats_ms": lookup_spread,
        "ours_all_queries": score(_ours_answers(ours_all_raw["answers"]), subjects, truth),
        "ours_all_queries_lookup_ms": percentiles_ms(ours_all_raw["latencies_s"]),
        "ours_same_queries_misses": ours_same["missed_by_tag"],
        "ours_not_matched_by_tag": ours_same["not_matched_by_tag"],
        "ours_false_matches": ours_same["false_matches"],
        "ours_import": ours_info["import_report"],
        "ours_trained_prior": ours_info["trained_prior"],
        "ours_storage_mb": ours_info["storage_mb"],
    }
    peer: dict[str, Any] = {}
    if with_peer:
        peer, peer_context = _peer_figures(peer_raw, subjects, truth)
        context.update(peer_context)
        context["peer_u_max_pairs"] = u_pairs
    else:
        context["peer"] = (
            f"not run at {label}: above BENCH_IDENTITY_PEER_MAX records (Splink took 4.8 GB "
            "at 1M; the machine's memory is shared with other work)"
        )
    size_info = {
        "records": data.meta["records"],
        "persons": data.meta["persons"],
        "queries_compared": len(shared),
        "repeats": REPEATS,
        "queries_ours": len(rows),
        "data": data.directory.name,
    }
    return {"ours": ours, "peer": peer, "context": context, "size": size_info}


def _peer_figures(
    raw: dict[str, Any], subjects: dict[str, str], truth: Truth
) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = _peer_answers(raw["answers"], PEER_REVIEW, PEER_MATCH)
    same = score(answers, subjects, truth)
    lookup_ms, lookup_spread = _latency(raw["repeats"])
    peer = {
        **_headline(same),
        "lookup_ms": lookup_ms,
        "load_s": round(raw["load_s"], 1),
        "train_s": round(raw["train_s"], 1),
        "peak_rss_mb": round(raw["peak_rss_mb"]),
        "dedupe_bcubed": bcubed(raw["cluster_of"], truth),
        "dedupe_s": round(raw["predict_s"] + raw["cluster_s"], 1),
    }
    widened = score(_widened_by_clusters(answers, raw["cluster_of"]), subjects, truth)
    context = {
        "peer_lookup_spread_over_repeats_ms": lookup_spread,
        "peer_misses": same["missed_by_tag"],
        "peer_not_matched_by_tag": same["not_matched_by_tag"],
        "peer_false_matches": same["false_matches"],
        "peer_at_thresholds": {
            str(t): _headline(score(_peer_answers(raw["answers"], t, t), subjects, truth))
            for t in PEER_CURVE
        },
        "peer_widened_by_clusters": _headline(widened),
        "peer_pairs_scored": raw["pairs_scored"],
        "peer_predict_s": round(raw["predict_s"], 1),
        "peer_cluster_s": round(raw["cluster_s"], 1),
        "splink": raw["version"],
        "duckdb": raw["duckdb"],
        "duckdb_threads": raw["threads"],
    }
    return peer, context


def _duplicates(data_dir: str) -> dict[str, Any]:
    """find_duplicates in a process of its own on our database, given at most
    ``BENCH_IDENTITY_DUPLICATES_TIMEOUT`` seconds (default 900)."""
    from bench.identity_ours import run_duplicates

    timeout = float(os.environ.get("BENCH_IDENTITY_DUPLICATES_TIMEOUT", "900"))
    ctx = multiprocessing.get_context("spawn")
    pool = ctx.Pool(1)
    try:
        return pool.apply_async(run_duplicates, (data_dir,)).get(timeout)  # type: ignore[no-any-return]
    except multiprocessing.TimeoutError:
        log(f"find_duplicates: no answer in {timeout:.0f} s, stopped")
        return {"timed_out_after_s": timeout}
    finally:
        pool.terminate()
        pool.join()


def _meets(ours: dict[str, Any], peer: dict[str, Any], size: int) -> dict[str, bool | None]:
    p95 = ours["lookup_ms"].get("p95")
    peer_p95 = peer.get("lookup_ms", {}).get("p95")
    return {
        "recall": ours["recall"] is not None and ours["recall"] >= GOAL["recall"],
        "precision": ours["precision"] is not None and ours["precision"] >= GOAL["precision"],
        "lookup_p95_ms": (p95 <= GOAL["lookup_p95_ms_at_1M"]) if size >= 1_000_000 else None,
        "lookup_speedup_vs_peer": (
            peer_p95 / p95 >= GOAL["lookup_speedup_vs_peer"] if p95 and peer_p95 else None
        ),
        "recall_beats_peer": (ours["recall"] or 0) > (peer["recall"] or 0) if peer else None,
    }


def run(
    quick: bool, *, sizes: list[int] | None = None, duplicates: bool | None = None
) -> dict[str, Any]:
    """``sizes`` and ``duplicates`` default to the environment (see the module's docstring);
    bench.identity_scale passes its own."""
    env = os.environ.get("BENCH_IDENTITY_SIZES")
    if sizes is None:
        sizes = (
            [int(s) for s in env.split(",")]
            if env
            else ([QUICK_SIZE] if quick else list(FULL_SIZES))
        )
    if duplicates is None:
        duplicates = os.environ.get("BENCH_IDENTITY_DUPLICATES", "1") != "0"
    peer_max = int(os.environ.get("BENCH_IDENTITY_PEER_MAX", str(PEER_MAX_RECORDS)))
    result: dict[str, Any] = {
        "ours": {},
        "peer": {},
        "ratio": {},
        "goal": GOAL,
        "meets_goal": {},
        "sizes": {},
        "seeds": {"people": SEED},
        "context": {
            "peer_review_threshold": PEER_REVIEW,
            "peer_match_threshold": PEER_MATCH,
            "duplicates_run": duplicates,
        },
    }
    for size in sizes:
        label = size_label(size)
        one = _bench_size(size, duplicates, with_peer=size <= peer_max)
        result["ours"][label] = one["ours"]
        result["peer"][label] = one["peer"]
        result["ratio"][label] = ratios(one["ours"], one["peer"]) if one["peer"] else {}
        result["meets_goal"][label] = _meets(one["ours"], one["peer"], size)
        result["sizes"][label] = one["size"]
        result["context"][label] = one["context"]
    return result


def tables(result: dict[str, Any]) -> dict[str, str]:
    """``lookup``: the headline figures per size, ours beside Splink and the ratio."""
    from bench.tables import figure, markdown, times

    labels = list(result["ours"])
    header = ["", *[f"{x} {side}" for x in labels for side in ("ours", "Splink", "ratio")]]

    def cells(pick: Any, digits: int, ratio_of: Any = None) -> list[str]:
        out: list[str] = []
        for x in labels:
            ours, peer = result["ours"][x], result["peer"].get(x) or {}
            out.append(figure(pick(ours), digits))
            out.append(figure(pick(peer), digits) if peer else "not run")
            out.append(times(ratio_of(result["ratio"].get(x) or {})) if ratio_of else "")
        return out

    def got(*path: str) -> Any:
        def pick(d: dict[str, Any]) -> Any:
            for p in path:
                if not isinstance(d, dict) or p not in d:
                    return None
                d = d[p]
            return d

        return pick

    def ctx(key: str, field: str) -> list[str]:
        out: list[str] = []
        for x in labels:
            c = result["context"].get(x, {})
            out += [figure((c.get(key) or {}).get(field), 4), "", ""]
        return out

    rows = [
        ["recall (review list), shared queries", *cells(got("recall"), 4)],
        ["recall, ours over all queries", *ctx("ours_all_queries", "recall")],
        ['precision ("match"), shared queries', *cells(got("precision"), 4)],
        ["precision, ours over all queries", *ctx("ours_all_queries", "precision")],
        ["found without a reviewer (`match_recall`)", *cells(got("match_recall"), 4)],
        ["review list per query", *cells(got("review_list_mean"), 1)],
        *[
            [f"lookup {p} ms", *cells(got("lookup_ms", p), 1, got("lookup_ms", p))]
            for p in ("p50", "p95", "p99")
        ],
        ["load s", *cells(got("load_s"), 1, got("load_s"))],
        ["train s", *cells(got("train_s"), 1, got("train_s"))],
        ["peak RSS MB", *cells(got("peak_rss_mb"), 0)],
    ]
    spreads: list[str] = []
    for x in labels:
        c = result["context"].get(x, {})
        for side in ("ours", "peer"):
            p95 = (c.get(f"{side}_lookup_spread_over_repeats_ms") or {}).get("p95")
            if p95:
                spreads.append(
                    f"{x} {'ours' if side == 'ours' else 'Splink'} p95 over "
                    f"{p95['n']} repeats: {figure(p95['min'], 1)}-{figure(p95['max'], 1)} ms"
                )
    sizes = ", ".join(
        f"{x}: {s['queries_compared']} shared queries x {s['repeats']} repeats, "
        f"{s['queries_ours']} for ours alone"
        for x, s in result["sizes"].items()
    )
    separate = [
        f"{x} was run on its own (ours only) at commit `{run.get('commit_short')}`, started "
        f"{str(run.get('started_at', '?'))[:16]}, load average "
        f"{(run.get('machine') or {}).get('load_average_before', ['?'])[0]} before and "
        f"{(run.get('machine') or {}).get('load_average_after', ['?'])[0]} after"
        for x in labels
        if (run := result["context"].get(x, {}).get("run"))
    ]
    note = f"Queries: {sizes}. Spread: {'; '.join(spreads) or '-'}."
    if separate:
        note += " " + "; ".join(separate) + "."
    return {"lookup": f"{markdown(header, rows)}\n\n{note}"}
