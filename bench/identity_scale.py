"""Identity at the organisation's scale (BENCHMARKS.md: ~1.5M cases, ~5M person records):
the identity benchmark (bench/identity.py) at 5M records, ours only.

Splink is not run at this size: at 1M it took 5 GB and minutes per hundred lookups (see the
``identity`` result, measured beside ours in the same run), and at 5M it would not fit beside
other work on a shared machine. So this result shows that our design holds at 5M (recall,
precision, lookup latency, memory, import and training time), and its ratios to Splink are
those of the 1M run. Batch deduplication is left out (``dedup`` measures it at 1M).
Kept in a result file of its own because a 5M run takes most of an hour: the 1M figures are
re-measured far more often, and each result names the commit it measured.
"""

from __future__ import annotations

from typing import Any

from bench import identity

SIZE = 5_000_000


def run(quick: bool) -> dict[str, Any]:
    return identity.run(quick, sizes=[identity.QUICK_SIZE if quick else SIZE], duplicates=False)


def tables(result: dict[str, Any]) -> dict[str, str]:
    return identity.tables(result)
