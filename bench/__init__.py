"""Benchmarks that print Steward's figure beside a peer's, measured in the same run.

Run them with ``python -m bench`` (see bench/README.md). Each benchmark is a function
``run(quick: bool) -> dict`` returning ``{"ours": ..., "peer": ..., "ratio": ..., "sizes": ...,
"seeds": ...}``; the runner in ``bench/__main__.py`` adds ``"bench"`` and the ``"run"`` block
(commit, machine, load), prints the result as one JSON line and writes it to
``bench/results/<name>.json``. A module may also define ``tables(result) -> {name: markdown}``,
from which ``python -m bench.tables`` writes the figure tables in the docs.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any, Literal

RESULTS_DIR = Path(__file__).resolve().parent / "results"

Kind = Literal["time", "rate"]


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries nothing but the JSON result lines."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def speedup(ours: float, peer: float, *, kind: Kind) -> float:
    """How many times better Steward is than the peer: above 1 always means Steward is better.

    A time (``*_s``, ``*_ms``) is compared as peer / ours, a rate (``*_per_s``) as ours / peer,
    which is the same question asked of the same work."""
    numerator, denominator = (peer, ours) if kind == "time" else (ours, peer)
    if denominator <= 0:
        raise ValueError(f"cannot compare {ours!r} with {peer!r}: a zero or negative {kind}")
    return round(numerator / denominator, 3)


def kind_of(key: str) -> Kind | None:
    """The kind a figure's name declares, or None for figures that are not compared in
    ``ratio`` (memory, counts, quality scores: those are reported side by side)."""
    if key.endswith("_per_s"):
        return "rate"
    if key.endswith(("_s", "_ms")):
        return "time"
    return None


def ratios(ours: Any, peer: Any, kind: Kind | None = None) -> Any:
    """``speedup`` applied key by key to two figure trees of the same shape. A nested dict takes
    the kind of the key that holds it (``{"verify_s": {"100000": 1.2}}`` is a time); figures of
    no kind, or missing on one side, are left out."""
    if isinstance(ours, dict) and isinstance(peer, dict):
        out = {}
        for key, value in ours.items():
            if key not in peer:
                continue
            inner = ratios(value, peer[key], kind_of(key) or kind)
            if inner is not None and inner != {}:
                out[key] = inner
        return out
    if kind is None or not isinstance(ours, int | float) or not isinstance(peer, int | float):
        return None
    if ours <= 0 or peer <= 0:
        return None
    return speedup(float(ours), float(peer), kind=kind)


def size_label(size: int) -> str:
    """A data size as the tables write it: 1000000 -> "1M", 100000 -> "100k"."""
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


def spread(samples: list[float], digits: int = 3) -> dict[str, float | int]:
    """How far repeats of one figure fall apart: the spread to quote beside the median."""
    if not samples:
        return {"n": 0}
    mid = statistics.median(samples)
    return {
        "n": len(samples),
        "min": round(min(samples), digits),
        "median": round(mid, digits),
        "max": round(max(samples), digits),
        "spread_pct": round(100 * (max(samples) - min(samples)) / mid, 1) if mid else 0.0,
    }
