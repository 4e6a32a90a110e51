"""Runner: ``python -m bench [names...] [--quick] [--list]``.

Every benchmark prints one JSON line on stdout and writes the same object to
``bench/results/<name>.json``. Progress and errors go to stderr. A benchmark that raises is
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
    "febrl_smoke": "bench.febrl_smoke:run",
    "dedup": "bench.dedup:run",
    "heldout": "bench.heldout:run",
    "retention_sweep": "bench.retention_sweep:run",
    "search": "bench.search:run",
}

Result = dict[str, Any]
REPO_ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> Callable[[bool], Result]:
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
    return out.stdout.strip()


def _code_state() -> dict[str, Any]:
    """The revision measured, and any uncommitted changes to the product code: a figure from a
    dirty tree is not the revision's figure."""
    dirty = _git("diff", "--name-only", "HEAD", "--", "src", "migrations")
    return {
        "git_revision": _git("rev-parse", "--short", "HEAD") or None,
        "uncommitted_product_changes": (dirty or "").splitlines(),
    }


def _run_one(name: str, *, quick: bool) -> bool:
    log(f"{name}: starting{' (quick)' if quick else ''}")
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    try:
        body = _load(name)(quick)
    except Exception:
        traceback.print_exc()
        log(f"{name}: FAILED")
        return False
    result: Result = {"bench": name, **body}
    result.setdefault("quick", quick)
    result["run"] = {
        "started_at": started.isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - t0, 1),
        **_code_state(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
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

    ok = True
    for name in args.names or list(BENCHMARKS):
        ok = _run_one(name, quick=args.quick) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
