"""Benchmarks that print Steward's figure beside a peer's, measured in the same run.

Run them with ``python -m bench`` (see bench/README.md). Each benchmark is a function
``run(quick: bool) -> dict`` returning ``{"ours": ..., "peer": ..., "ratio": ..., ...}``;
the runner in ``bench/__main__.py`` adds ``"bench"``, prints the result as one JSON line and
writes it to ``bench/results/<name>.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries nothing but the JSON result lines."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
