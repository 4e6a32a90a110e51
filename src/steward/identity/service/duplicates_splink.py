"""Batch deduplication of many persons by Splink's ``predict``, with our comparisons and weights.

Above ``SPLINK_FROM`` persons the pair-by-pair Python scorer is too slow (no answer in 120 s at
100k); Splink scores blocked pairs set-wise in DuckDB. It is given what we score with: the
levels of ``policy.COMPARISONS`` (nicknames, previous and double-barrelled surnames, DOB
slips, postcode or address) and the m/u and prior of the active trained model, so nothing is
trained here. An edge is kept as in the Python path: probability >= ``DUPLICATE_PROBABILITY``
and neither a different given name nor a different DOB.

Differences from the Python path, both rare: first name and surname written the other way
round are not exchanged back (such a pair is left apart), and term-frequency adjustments are
not capped at 8 bits.

DuckDB runs in memory only (no spill file: the persons must not land on disk in plain
text). Beyond one machine, the same settings run on Splink's Spark backend
(``SPLINK_BACKENDS``; docs/identity.md, "Batch deduplication").
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from steward.identity import policy, training
from steward.identity.keys import Profile
from steward.identity.service.scoring import _TF_CAP_BITS as TF_CAP_BITS  # noqa: PLC2701
from steward.identity.service.scoring import TF_MIN_COUNT, ActiveModel

# From this many persons find_duplicates hands the pair scoring to Splink.
SPLINK_FROM = 20_000

# Prediction blocking: each rule still pairs two records of one person when the others fail
# (a married name, a DOB slip, a move, a nickname).
_BLOCKING = (
    ("first_name", "last_name"),
    ("last_name", "dob"),
    ("first_name", "dob"),
    ("postcode", "first_name"),
    ("postcode", "last_name"),
    ("postcode", "dob"),
)


def splink_settings(model: ActiveModel) -> dict[str, Any]:
    """The training settings with the active model's m/u and prior filled in."""
    settings = training._settings()  # noqa: SLF001 - one definition of the comparisons
    for comparison, spec in zip(policy.COMPARISONS, settings["comparisons"], strict=True):
        for i, level in enumerate(spec["comparison_levels"]):
            if i == 0:
                continue
            m, u = model.mu[(comparison.name, i)]
            level["m_probability"] = m
            level["u_probability"] = u
    if not model.tf:
        # The built-in starting weights carry no term frequencies: none are applied.
        for spec in settings["comparisons"]:
            for level in spec["comparison_levels"]:
                level.pop("tf_adjustment_column", None)
                level.pop("tf_adjustment_weight", None)
    settings["probability_two_random_records_match"] = policy.probability(model.prior_bits)
    settings["retain_matching_columns"] = True  # both sides' values, for the vetoes
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": " AND ".join(f"l.{c} = r.{c}" for c in cols)} for cols in _BLOCKING
    ]
    return settings


def _tf_columns(settings: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (level["tf_adjustment_column"], spec["output_column_name"])
        for spec in settings["comparisons"]
        for level in spec["comparison_levels"]
        if "tf_adjustment_column" in level
    ]


def _tf_sql(model: ActiveModel, column: str, comparison: str, total: int) -> str:
    """Term frequencies as ``ActiveModel.tf_adjustment`` applies them: a value fewer than
    ``TF_MIN_COUNT`` persons share counts as the floor, and the adjustment is capped at
    ``TF_CAP_BITS`` either way (a frequency kept within u / 2**cap .. u * 2**cap)."""
    u = model.mu[(comparison, 1)][1]
    low, high = u / 2**TF_CAP_BITS, u * 2**TF_CAP_BITS
    return (
        f"SELECT {column}, greatest({low!r}, least({high!r},"  # noqa: S608 - our own column names
        f" CASE WHEN count(*) >= {TF_MIN_COUNT} THEN count(*) / {total}"
        f" ELSE {model.tf_floor!r} END)) AS tf_{column}"
        f" FROM people WHERE {column} IS NOT NULL GROUP BY {column}"
    )


def _at_else_level(comparison: policy.Comparison) -> str:
    """SQL true where the pair falls to the comparison's last level ("different ..."), from the
    same level conditions Splink scored with."""
    earlier = [f"coalesce(({level.sql}), false)" for level in comparison.levels[:-1]]
    return f"NOT ({' OR '.join(earlier)})"


def _not_contradicted_sql() -> str:
    """Neither a different given name nor a different DOB (``Scored.contradicted``)."""
    vetoes = (
        (policy.BY_NAME["first_name"], policy.FIRST_NAME_DIFFERENT),
        (policy.BY_NAME["dob"], policy.DOB_DIFFERENT),
    )
    for comparison, level in vetoes:
        assert level == len(comparison.levels) - 1, "the veto is the comparison's last level"
    return " AND ".join(f"NOT ({_at_else_level(c)})" for c, _ in vetoes)


def splink_edges(
    profiles: Sequence[Profile], model: ActiveModel, threshold: float
) -> Iterator[tuple[int, int, float]]:
    """(i, j, probability) over positions in ``profiles``: the pairs kept for clustering."""
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect(config=training.IN_MEMORY_ONLY)
    try:
        db_api = DuckDBAPI(con)
        frame = db_api.register(pa.table(training._splink_rows(profiles)), table_name="people")  # noqa: SLF001
        settings = splink_settings(model)
        linker = Linker(frame, settings, log_level=logging.ERROR)
        for column, comparison in _tf_columns(settings):
            table = con.execute(_tf_sql(model, column, comparison, len(profiles))).to_arrow_table()
            linker.table_management.register_term_frequency_lookup(
                db_api.register(table, table_name=f"tf_{column}_lookup"), column
            )
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        rows = con.execute(
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {predictions.physical_name}"  # noqa: S608 - Splink's own table name
            f" WHERE {_not_contradicted_sql()}"
        ).fetchall()
    finally:
        con.close()
    for left, right, probability in rows:
        yield int(left), int(right), float(probability)
