"""Partner-data validation (BENCHMARKS.md §4), the rule checks: a partner's party-details CSV
read and checked by Steward and by pandera, same bytes, same checks, same run.

Work: the bytes of a CSV file (bench/data/intake.py, fixed seed: ``rows`` rows, about 1.5% of
rows with each of fifteen faults, one fault a row) become the bad cells per rule.

Ours: ``reading.read_table`` (the file refused or read into a table of text, cells stripped,
ragged rows refused) then ``rules.check`` (every row-level rule that needs no database, a
column at a time in polars, repeated rows after normalising) into a list of issues.
Peer: pandera 0.35 with its pandas backend (bench/intake_pandera.py): ``pandas.read_csv(
dtype=str)`` on the same bytes, cells stripped, then a ``DataFrameSchema`` with the same checks
as pandera checks, vectorised with pandas' string methods and numpy (the NHS check digit as a
matrix product, dates through ``pd.to_datetime(format=..., errors="coerce")``, repeated rows
with ``duplicated`` on the normalised frame), validated lazily so every failure is counted.

Parity, asserted: both sides flag the same number of cells for every rule, and that number is
the one the generator planted; any difference fails the benchmark (so a faster side cannot be
doing less). Timed in full, from the bytes in memory to the counts: ``read_s`` and
``check_s`` (pandera: ``validate``) apart and together (``total_s``); ``rows_per_s`` is the
rows over the median ``total_s``. ``cpu_s`` is the process's CPU time over the same work (all
threads: polars uses both cores, pandas one), steadier than the clock on a loaded machine.

Method: the file is generated once per size and written to a temporary file; every run is a
fresh process that reads it (untimed), then times the work (ours three times, pandera once a
process, being slow); the sides alternate who goes first over three rounds. ``peak_rss_mb``
is the process's VmHWM, ``baseline_rss_mb`` the same process before the work.
Sizes 100k and 1M rows; ``--quick``: 10k and 20k. ``BENCH_INTAKE_SIZES=100000`` narrows.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from bench import log, ratios, size_label, spread
from bench.data import intake as data

SEED = data.DEFAULT_SEED
FULL = (100_000, 1_000_000)
QUICK = (10_000, 20_000)
ROUNDS = 3
REPEATS = {"ours": 3, "peer": 1}
GOAL_ROWS_PER_S = 200_000


def _rss_mb(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# --- the two sides, each in a fresh process --------------------------------------------------


def _ours(path: Path, repeats: int) -> dict[str, Any]:
    from steward.intake import datasets, reading, rules
    from steward.intake.policy import FileFormat

    dataset = datasets.get(data.DATASET)
    raw = path.read_bytes()
    baseline = _rss_mb("VmRSS")
    samples = []
    issues: list[Any] = []
    for _ in range(repeats):
        gc.collect()
        cpu_start = process_time()
        start = perf_counter()
        table = reading.read_table(raw, file_format=FileFormat.CSV, dataset=dataset)
        read = perf_counter()
        issues = rules.check(table, dataset, today=data.TODAY)
        done = perf_counter()
        cpu = process_time() - cpu_start
        samples.append(
            {"read_s": read - start, "check_s": done - read, "total_s": done - start, "cpu_s": cpu}
        )
        del table
    counts = Counter(issue.code.value for issue in issues)
    return {
        "samples": samples,
        "counts": dict(sorted(counts.items())),
        "peak_rss_mb": _rss_mb(),
        "baseline_rss_mb": baseline,
    }


def _peer(path: Path, repeats: int) -> dict[str, Any]:
    from bench import intake_pandera as peer
    from steward.intake import datasets

    dataset = datasets.get(data.DATASET)
    raw = path.read_bytes()
    baseline = _rss_mb("VmRSS")
    samples = []
    counts: dict[str, int] = {}
    for _ in range(repeats):
        gc.collect()
        cpu_start = process_time()
        start = perf_counter()
        frame = peer.read(raw, dataset)
        read = perf_counter()
        counts = peer.validate(frame, dataset, data.TODAY)
        done = perf_counter()
        cpu = process_time() - cpu_start
        samples.append(
            {"read_s": read - start, "check_s": done - read, "total_s": done - start, "cpu_s": cpu}
        )
        del frame
    return {
        "samples": samples,
        "counts": counts,
        "peak_rss_mb": _rss_mb(),
        "baseline_rss_mb": baseline,
    }


def _worker(side: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this module, fixed arguments
        [sys.executable, "-m", "bench.intake", "--worker", side, str(path), str(REPEATS[side])],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"intake {side} worker failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- one size --------------------------------------------------------------------------------


def _figures(rows: int, runs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    samples = {
        k: [s[k] for run in runs for s in run["samples"]]
        for k in ("read_s", "check_s", "total_s", "cpu_s")
    }
    total = statistics.median(samples["total_s"])
    figures = {
        "rows_per_s": round(rows / total),
        "total_s": round(total, 3),
        "read_s": round(statistics.median(samples["read_s"]), 3),
        "check_s": round(statistics.median(samples["check_s"]), 3),
        "cpu_s": round(statistics.median(samples["cpu_s"]), 3),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "baseline_rss_mb": min(r["baseline_rss_mb"] for r in runs),
    }
    return figures, {k: spread(v) for k, v in samples.items()}


def _size(rows: int, directory: Path) -> dict[str, Any]:
    started = perf_counter()
    made = data.generate(rows, SEED)
    path = directory / f"party_details_{rows}.csv"
    path.write_bytes(made.data)
    log(
        f"intake rules {size_label(rows)}: {len(made.data) / 2**20:.1f} MB generated in {perf_counter() - started:.1f} s"
    )
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": []}
    for r in range(ROUNDS):
        for side in ("ours", "peer") if r % 2 == 0 else ("peer", "ours"):
            runs[side].append(_worker(side, path))
            got = statistics.median(s["total_s"] for s in runs[side][-1]["samples"])
            log(f"intake rules {size_label(rows)} round {r + 1}: {side} {got:.2f} s")
    for side, side_runs in runs.items():
        for run in side_runs:
            if run["counts"] != made.planted:
                differ = {
                    k: (run["counts"].get(k), made.planted.get(k))
                    for k in set(run["counts"]) | set(made.planted)
                    if run["counts"].get(k) != made.planted.get(k)
                }
                raise AssertionError(
                    f"intake rules: {side} counts differ from the planted faults: {differ}"
                )
    ours, ours_spread = _figures(rows, runs["ours"])
    peer, peer_spread = _figures(rows, runs["peer"])
    return {
        "rows": rows,
        "file_mb": round(len(made.data) / 2**20, 1),
        "ours": ours,
        "peer": peer,
        "spread": {"ours": ours_spread, "peer": peer_spread},
        "check": {
            "counts_equal": True,
            "bad_cells": made.planted,
            "bad_rows": sum(made.planted.values()),
        },
        "repeats": {side: len(runs[side]) * REPEATS[side] for side in runs},
    }


def _sizes(quick: bool) -> tuple[int, ...]:
    wanted = os.environ.get("BENCH_INTAKE_SIZES")
    if wanted:
        return tuple(int(x) for x in wanted.split(","))
    return QUICK if quick else FULL


def run(quick: bool) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="steward-bench-intake-") as tmp:
        for rows in _sizes(quick):
            detail[size_label(rows)] = _size(rows, Path(tmp))
    ours = {"rules": {label: d["ours"] for label, d in detail.items()}}
    peer = {"rules": {label: d["peer"] for label, d in detail.items()}}
    ratio = ratios(
        {"rules": {k: {"rows_per_s": v["rows_per_s"]} for k, v in ours["rules"].items()}},
        {"rules": {k: {"rows_per_s": v["rows_per_s"]} for k, v in peer["rules"].items()}},
    )
    return {
        "ours": ours,
        "peer": peer,
        "ratio": ratio,
        "goal": {"rules": {"rows_per_s": f">= {GOAL_ROWS_PER_S:,}", "vs_pandera": ">= 1"}},
        "meets_goal": {
            "rules": {
                label: figures["rows_per_s"] >= GOAL_ROWS_PER_S
                and ratio["rules"][label]["rows_per_s"] >= 1
                for label, figures in ours["rules"].items()
            }
        },
        "sizes": {
            "rows": [d["rows"] for d in detail.values()],
            "file_mb": {label: d["file_mb"] for label, d in detail.items()},
            "fault_rate_per_kind": data.FAULT_RATE,
            "today": data.TODAY.isoformat(),
        },
        "seeds": {"data": SEED},
        "detail": {"rules": detail},
        "peers": {
            "rules": "pandera (pandas backend), DataFrameSchema with the same checks on the "
            "frame pandas.read_csv(dtype=str) reads from the same bytes, validated lazily",
        },
    }


# --- the table in bench/README.md ---------------------------------------------------------------


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown, times

    rows = []
    for label, detail in result["detail"]["rules"].items():
        ours, peer = detail["ours"], detail["peer"]
        ours_spread = detail["spread"]["ours"]["total_s"]
        rows.append(
            [
                f"{detail['rows']:,} ({figure(detail['file_mb'], 1)} MB)",
                f"{figure(ours['rows_per_s'], 0)} ({figure(ours_spread['min'], 2)}"
                f"-{figure(ours_spread['max'], 2)} s)",
                f"{figure(ours['read_s'], 2)} + {figure(ours['check_s'], 2)} s",
                f"{figure(peer['rows_per_s'], 0)}",
                f"{figure(peer['read_s'], 2)} + {figure(peer['check_s'], 2)} s",
                times(result["ratio"]["rules"][label]["rows_per_s"]),
                f"{figure(ours['cpu_s'], 2)} / {figure(peer['cpu_s'], 2)} s",
                f"{figure(ours['peak_rss_mb'], 0)} / {figure(peer['peak_rss_mb'], 0)} MB",
                f"{detail['check']['bad_rows']:,} rows, "
                + ("equal" if detail["check"]["counts_equal"] else "DIFFER"),
            ]
        )
    header = [
        "rows",
        "ours: rows/s (min-max total)",
        "ours: read + check",
        "pandera: rows/s",
        "pandera: read + validate",
        "ratio",
        "CPU time ours / pandera",
        "peak RSS ours / pandera",
        "faulty rows; cells per rule",
    ]
    return {"rules": markdown(header, rows)}


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        side, file_path, count = sys.argv[2:]
        worker = _ours if side == "ours" else _peer
        print(json.dumps(worker(Path(file_path), int(count))))
    else:
        print("usage: python -m bench.intake --worker ours|peer FILE REPEATS", file=sys.stderr)
        sys.exit(2)
