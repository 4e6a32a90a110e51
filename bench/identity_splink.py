"""The peer side of the identity benchmark: Splink on DuckDB, configured as a competent user would.

Runs in its own process (``Peer`` served by ``bench.identity``), so its peak memory is its own. The model:

* Cleaning (Arrow): names lower-cased and trimmed, blanks as nulls, DOB as ISO text, postcodes
  upper-cased (they are already in the standard ``AB12 3CD`` shape Splink's comparison needs).
* Comparisons: ``NameComparison`` (exact, Jaro-Winkler 0.92/0.88/0.7) with term-frequency
  adjustments on first name and surname, ``ExactMatch`` on middle names,
  ``DateOfBirthComparison`` (exact, one character different, within a month / year /
  10 years).
* Location: postcode and address (lower-cased, punctuation removed: the address column our
  matcher compares) as one comparison: same postcode, same address, same sector, district,
  area, different (``_location``), as ours compares them.
* Blocking for prediction: first name + surname, surname + DOB, first name + DOB,
  postcode + first name, postcode + surname, address + first name: so a married name, a DOB
  error or a move each leave a rule that still pairs the records.
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
import re
import time
from itertools import product
from typing import Any

MIN_PROBABILITY = 0.2  # what predict keeps; the review thresholds are applied when scoring
CLUSTER_THRESHOLD = 0.95
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
COLUMNS = ("record_id", "first_name", "middle_names", "surname", "dob", "postcode", "address")


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _clean_table(records_csv: str) -> Any:
    """The records as an Arrow table, cleaned as a Splink user would (pandas is not installed
    here; Arrow is what Splink's DuckDB backend reads natively)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    from pyarrow import csv as pa_csv

    names = ("record_id", "first_name", "middle_names", "last_name", "dob", "postcode", "address")
    raw = pa_csv.read_csv(
        records_csv,
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )

    def blank_to_null(col: Any) -> Any:
        return pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)

    def text(col: str, *, lower: bool = True) -> Any:
        s = pc.utf8_trim_whitespace(raw[col])
        return blank_to_null(pc.utf8_lower(s) if lower else pc.utf8_upper(s))

    address = pc.utf8_lower(raw["address"])
    address = pc.replace_substring_regex(address, _NOT_ALNUM.pattern, " ")
    address = pc.utf8_trim_whitespace(pc.replace_substring_regex(address, " +", " "))
    return pa.table(
        {
            "record_id": raw["record_id"],
            "first_name": text("first_name"),
            "middle_names": text("middle_names"),
            "surname": text("last_name"),
            "dob": text("dob"),
            "postcode": text("postcode", lower=False),
            "address": blank_to_null(address),
        }
    )


def _rows_table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in COLUMNS})


def _address_text(text: str) -> str | None:
    return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split()) or None


def _place(side: str, part: str) -> str:
    outward = f"split_part(postcode_{side}, ' ', 1)"
    if part == "district":
        return outward
    if part == "sector":
        return f"{outward} || ' ' || left(split_part(postcode_{side}, ' ', 2), 1)"
    return f"regexp_extract(postcode_{side}, '^[A-Z]+')"  # area


def _location() -> Any:
    """Postcode and address as one comparison, as ours compares them: two fields that say the
    same thing (same home) would count it twice as two comparisons, and every relative in the
    household would look like the subject (a first run with ``ExactMatch("address")`` beside
    ``PostcodeComparison`` gave Splink a precision of 0.44 at 1M)."""
    import splink.comparison_library as cl

    levels: list[dict[str, Any]] = [
        {
            "sql_condition": "(postcode_l IS NULL AND address_l IS NULL)"
            " OR (postcode_r IS NULL AND address_r IS NULL)",
            "label_for_charts": "missing",
            "is_null_level": True,
        },
        {"sql_condition": "postcode_l = postcode_r", "label_for_charts": "same postcode"},
        {"sql_condition": "address_l = address_r", "label_for_charts": "same address"},
    ]
    levels += [
        {
            "sql_condition": f"{_place('l', part)} = {_place('r', part)}",
            "label_for_charts": f"same postcode {part}",
        }
        for part in ("sector", "district", "area")
    ]
    levels.append({"sql_condition": "ELSE", "label_for_charts": "different place"})
    return cl.CustomComparison(levels, output_column_name="location")


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
            _location(),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode", "first_name"),
            block_on("postcode", "surname"),
            block_on("address", "first_name"),
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

    address = _address_text(query["address"])
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
            "address": address,
        }
        for i, (s, p) in enumerate(product(surnames, postcodes))
    ]


class Peer:
    """Splink, prepared once (load, train, predict and cluster) and then asked query batches."""

    def __init__(self, records_csv: str, u_pairs: float, threads: int) -> None:
        import duckdb
        from splink import DuckDBAPI, Linker

        logging.getLogger("splink").setLevel(logging.WARNING)
        self.rss_start = _peak_rss_mb()
        self.threads = threads
        t0 = time.perf_counter()
        table = _clean_table(records_csv)
        self.con = duckdb.connect()
        self.con.execute(f"SET threads = {threads}")
        self.db_api = DuckDBAPI(connection=self.con)
        self.records = self.db_api.register(table, dataset_display_name="records")
        self.linker = Linker(self.records, _settings(), log_level=logging.WARNING)
        self.load_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        _train(self.linker, u_pairs)
        self.train_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        predictions = self.linker.inference.predict(threshold_match_probability=MIN_PROBABILITY)
        self.predict_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        clusters = self.linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=CLUSTER_THRESHOLD
        )
        cluster_rows = clusters.as_record_list()
        self.cluster_s = time.perf_counter() - t0
        self.cluster_of = {str(r["record_id"]): str(r["cluster_id"]) for r in cluster_rows}
        count_sql = f"select count(*) from {predictions.physical_name}"  # noqa: S608 - Splink's table
        self.pairs = self.con.execute(count_sql).fetchall()[0][0]
        del cluster_rows
        predictions.drop_table_from_database_and_remove_from_cache()
        clusters.drop_table_from_database_and_remove_from_cache()

    def info(self) -> dict[str, Any]:
        import duckdb
        import splink

        return {
            "version": splink.__version__,
            "duckdb": duckdb.__version__,
            "threads": self.threads,
            "load_s": self.load_s,
            "train_s": self.train_s,
            "predict_s": self.predict_s,
            "cluster_s": self.cluster_s,
            "pairs_scored": self.pairs,
            "cluster_of": self.cluster_of,
            "rss_start_mb": self.rss_start,
        }

    def lookup(self, queries: list[dict[str, str]]) -> dict[str, Any]:
        """Per query: ``predict_between`` the query's rows and every record. Latency is wall
        time: registering the rows, blocking and scoring against all records, reading the
        result."""
        answers: dict[str, list[tuple[str, float]]] = {}
        latencies: list[float] = []
        for query in queries:
            t0 = time.perf_counter()
            left = self.db_api.register(_rows_table(_query_rows(query)))
            result = self.linker.inference.predict_between(
                left,
                self.records,
                threshold_match_probability=MIN_PROBABILITY,
                warning_mode="never",
            )
            rows = result.as_record_list()
            latencies.append(time.perf_counter() - t0)
            best: dict[str, float] = {}
            for row in rows:
                rid, prob = str(row["record_id_r"]), float(row["match_probability"])
                best[rid] = max(prob, best.get(rid, 0.0))
            answers[query["query_id"]] = sorted(best.items(), key=lambda kv: -kv[1])
            result.drop_table_from_database_and_remove_from_cache()
            left.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        return {"answers": answers, "latencies_s": latencies}

    def close(self) -> dict[str, Any]:
        self.con.close()
        return {"peak_rss_mb": _peak_rss_mb()}


def run_peer(
    records_csv: str, queries: list[dict[str, str]], u_pairs: float, threads: int
) -> dict[str, Any]:
    """In a child process, one pass: train, dedupe and answer ``queries`` (the dedup and
    held-out benchmarks, which need no turn-taking)."""
    peer = Peer(records_csv, u_pairs, threads)
    answered = peer.lookup(queries) if queries else {"answers": {}, "latencies_s": []}
    return {**peer.info(), **answered, **peer.close()}
