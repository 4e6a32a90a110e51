"""Runner: ``python -m bench [names...] [--quick] [--list]``.

Every benchmark prints one JSON line on stdout and writes the same object to
``bench/results/<name>.json``, with a ``run`` block: the commit measured (taken once, when the
run starts; a dirty tree is flagged and its changed files listed), when, and the machine (cores,
memory, Python, load average before and after the benchmark). Progress and errors go to stderr. A benchmark that raises is
reported and the others still run; the exit status is then 1. Speed never fails the run:
the goals are reported beside the figures, not asserted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import RESULTS_DIR, log

# name -> "module:function". Imported only when selected, so a benchmark whose peer is heavy
# (Splink, spaCy) costs nothing when another one is run. Add a line to register a benchmark;
# the function takes ``quick`` and returns the result dict (without "bench").
BENCHMARKS: dict[str, str] = {
    "audit_trail": "bench.audit_trail:run",
    "records_import": "bench.records_import:run",
    "identity": "bench.identity:run",
    "identity_scale": "bench.identity_scale:run",
    "febrl_smoke": "bench.febrl_smoke:run",
    "dedup": "bench.dedup:run",
    "heldout": "bench.heldout:run",
    "retention_sweep": "bench.retention_sweep:run",
    "search": "bench.search:run",
    "archives": "bench.archives:run",
    "pages": "bench.pages:run",
    "sar_search": "bench.sar_search:run",
    "redaction": "bench.redaction:run",
    "bundle": "bench.bundle:run",
    "training": "bench.training:run",
    "intake": "bench.intake:run",
    "intake_full": "bench.intake_full:run",
}

Result = dict[str, Any]
REPO_ROOT = Path(__file__).resolve().parents[1]
RESULT_PATH_PREFIX = "bench/results/"


def _load_bench(name: str) -> Callable[[bool], Result]:
    module_name, _, function = BENCHMARKS[name].partition(":")
    return getattr(importlib.import_module(module_name), function)  # type: ignore[no-any-return]


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(  # noqa: S603 - our own fixed git arguments
            ["git", *args],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.rstrip()


def code_state() -> dict[str, Any]:
    """The commit measured, taken once when the run starts: a figure from a dirty tree is not
    the commit's figure, so the changed files are listed. Result files are outputs, not code,
    and do not make the tree dirty."""
    status = _git("status", "--porcelain", "--untracked-files=all") or ""
    changed = sorted(
        line[3:]
        for line in status.splitlines()
        if line[3:] and not line[3:].startswith(RESULT_PATH_PREFIX)
    )
    return {
        "commit": _git("rev-parse", "HEAD"),
        "commit_short": _git("rev-parse", "--short", "HEAD"),
        "branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": bool(changed),
        "dirty_files": changed,
    }


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "arch": platform.machine(),
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
    }


def _run_one(name: str, *, quick: bool, code: dict[str, Any]) -> bool:
    log(f"{name}: starting{' (quick)' if quick else ''}")
    started = datetime.now(UTC)
    load_before = _load()
    t0 = time.perf_counter()
    try:
        body = _load_bench(name)(quick)
    except Exception:
        traceback.print_exc()
        log(f"{name}: FAILED")
        return False
    result: Result = {"bench": name, **body}
    result.setdefault("quick", quick)
    result["run"] = {
        **code,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - t0, 1),
        "quick": quick,
        "machine": {
            **machine(),
            "load_average_before": load_before,
            "load_average_after": _load(),
        },
    }
    line = json.dumps(result, separators=(",", ":"))
    print(line, flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    log(f"{name}: done in {result['run']['elapsed_s']} s")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help="benchmarks to run (default: all)")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run in seconds, not figures"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")

    code = code_state()  # once, before anything runs: what every result of this run measured
    if code["dirty"]:
        log(f"the tree is dirty ({len(code['dirty_files'])} files): results will say so")
    ok = True
    for name in args.names or list(BENCHMARKS):
        ok = _run_one(name, quick=args.quick, code=code) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
