"""The peer side of the identity benchmark: Splink on DuckDB, configured as a competent user would.

Runs in its own process (``run_peer``), so its peak memory is its own. The model:

* Cleaning: names lower-cased and trimmed, blanks as nulls, DOB as ISO text, postcodes
  upper-cased (they are already in the standard ``AB12 3CD`` shape Splink's comparison needs).
* Comparisons: ``NameComparison`` (exact, Jaro-Winkler 0.92/0.88/0.7) with term-frequency
  adjustments on first name and surname, ``ExactMatch`` on middle names,
  ``DateOfBirthComparison`` (exact, one character different, within a month / year /
  10 years), ``PostcodeComparison`` (full, sector, district, area).
* Blocking for prediction: first name + surname, surname + DOB, first name + DOB,
  postcode + first name, postcode + surname: so a married name, a DOB error or a move each
  leave a rule that still pairs the records.
* Training as Splink's tutorials do it: the match prior from deterministic rules (recall
  0.7), u by random sampling, m by EM on two blockings (names; DOB).
* Deduplication: ``predict`` (probability >= 0.2), then ``cluster_pairwise_predictions_at_
  threshold`` at 0.95, scored by B-cubed.
* Lookup: per SAR query, ``predict_between`` the query and every record. A requester's
  previous surnames and postcodes become extra query rows (each combination), and a record's
  probability is its best over them. Latency is wall time per query: registering the query
  rows, blocking and scoring against all records, and reading the result.
"""

from __future__ import annotations

import logging
import os
import time
from itertools import product
from pathlib import Path
from typing import Any

MIN_PROBABILITY = 0.2  # what predict keeps; the review thresholds are applied when scoring
CLUSTER_THRESHOLD = 0.95
COLUMNS = ("record_id", "first_name", "middle_names", "surname", "dob", "postcode")


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _clean_frame(df: Any) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    def text(col: str, *, lower: bool = True) -> Any:
        s = df[col].fillna("").astype(str).str.strip()
        s = s.str.lower() if lower else s.str.upper()
        return s.where(s != "", None)

    return pd.DataFrame(
        {
            "record_id": df["record_id"].astype(str),
            "first_name": text("first_name"),
            "middle_names": text("middle_names"),
            "surname": text("last_name"),
            "dob": text("dob"),
            "postcode": text("postcode", lower=False),
        }
    )


def _settings() -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        probability_two_random_records_match=1e-5,
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.ExactMatch("middle_names"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode", "first_name"),
            block_on("postcode", "surname"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _train(linker: Any, u_pairs: float) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("surname", "dob", "postcode")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.table_management.compute_tf_table("first_name")
    linker.table_management.compute_tf_table("surname")


def _query_rows(query: dict[str, str]) -> list[dict[str, Any]]:
    """One row per (surname, postcode) the requester gave: current and previous."""

    def blank(v: str) -> str | None:
        return v.strip() or None

    surnames = [query["last_name"], *query["previous_last_names"].split(";")]
    postcodes = [query["postcode"], *query["previous_postcodes"].split(";")]
    surnames = list(dict.fromkeys(s.strip().lower() for s in surnames if s.strip())) or [""]
    postcodes = list(dict.fromkeys(p.strip().upper() for p in postcodes if p.strip())) or [""]
    return [
        {
            "record_id": f"{query['query_id']}_{i}",
            "first_name": blank(query["first_name"].lower()),
            "middle_names": blank(query["middle_names"].lower()),
            "surname": blank(s),
            "dob": blank(query["dob"]),
            "postcode": blank(p),
        }
        for i, (s, p) in enumerate(product(surnames, postcodes))
    ]


def run_peer(
    records_csv: str, queries: list[dict[str, str]], u_pairs: float, threads: int
) -> dict[str, Any]:
    """In a child process: train, dedupe and look up; return timings and raw answers."""
    import duckdb
    import pandas as pd
    import splink
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    rss_start = _peak_rss_mb()
    t0 = time.perf_counter()
    raw = pd.read_csv(records_csv, dtype=str, keep_default_na=False)
    df = _clean_frame(raw)
    del raw
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    db_api = DuckDBAPI(connection=con)
    records = db_api.register(df, dataset_display_name="records")
    linker = Linker(records, _settings(), log_level=logging.WARNING)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    _train(linker, u_pairs)
    train_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=MIN_PROBABILITY)
    predict_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=CLUSTER_THRESHOLD
    )
    cluster_df = clusters.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    cluster_s = time.perf_counter() - t0
    cluster_of = dict(
        zip(cluster_df["record_id"], cluster_df["cluster_id"].astype(str), strict=True)
    )
    count_sql = f"select count(*) from {predictions.physical_name}"  # noqa: S608 - Splink's table
    pairs = con.execute(count_sql).fetchall()[0][0]
    del cluster_df

    answers: dict[str, list[tuple[str, float]]] = {}
    latencies: list[float] = []
    for i, query in enumerate(queries):
        t0 = time.perf_counter()
        left = db_api.register(pd.DataFrame(_query_rows(query), columns=list(COLUMNS)))
        result = linker.inference.predict_between(
            left, records, threshold_match_probability=MIN_PROBABILITY, warning_mode="never"
        )
        rows = result.as_pandas_dataframe()  # type: ignore[no-untyped-call]
        seconds = time.perf_counter() - t0
        best: dict[str, float] = {}
        for rid, prob in zip(rows["record_id_r"], rows["match_probability"], strict=True):
            best[rid] = max(prob, best.get(rid, 0.0))
        answers[query["query_id"]] = sorted(best.items(), key=lambda kv: -kv[1])
        if i >= min(5, len(queries) // 10):  # the first few warm DuckDB's caches
            latencies.append(seconds)
        result.drop_table_from_database_and_remove_from_cache()
        left.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    return {
        "version": splink.__version__,
        "duckdb": duckdb.__version__,
        "threads": threads,
        "load_s": load_s,
        "train_s": train_s,
        "predict_s": predict_s,
        "cluster_s": cluster_s,
        "pairs_scored": pairs,
        "cluster_of": cluster_of,
        "answers": answers,
        "latencies_s": latencies,
        "rss_start_mb": rss_start,
        "peak_rss_mb": _peak_rss_mb(),
        "pid": os.getpid(),
        "records_csv": Path(records_csv).name,
    }
