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

import importlib.util
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from steward.identity import policy, training
from steward.identity.keys import Profile
from steward.identity.normalise import nickname_forms
from steward.identity.service.scoring import _TF_CAP_BITS as TF_CAP_BITS
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
    settings = training._settings()
    for comparison, spec in zip(policy.COMPARISONS, settings["comparisons"], strict=True):
        for i, level in enumerate(spec["comparison_levels"]):
            if i == 0:
                continue
            m, u = model.mu[(comparison.name, i)]
            level["m_probability"] = m
            level["u_probability"] = u
            if "tf_adjustment_column" in level:
                # "same postcode" compares lists of postcodes, not one column, so Splink finds
                # no exact level to take the base u from: it is this level's own u, as the
                # scorer's ``tf_adjustment`` takes it.
                level["disable_tf_exact_match_detection"] = True
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


# identity_profiles as stored, in the shape training gives Splink (``training.splink_rows``):
# the same columns, built set-wise. A test holds the two to each other.
STORED_COLUMNS = (
    "person_id",
    "first_name",
    "middle_names",
    "last_name",
    "surnames",
    "dob",
    "postcodes",
    "address",
    "other_first_names",
)
_PEOPLE_FROM_STORED = """
CREATE TABLE people AS
SELECT
    s.person_id AS unique_id,
    nullif(s.first_name, '') AS first_name,
    coalesce(f.forms, []) AS first_forms,
    list_sort(list_distinct(list_filter(
        list_concat([s.first_name], string_split(s.middle_names, ' ')), lambda x: x <> ''
    ))) AS given_names,
    nullif(s.middle_names, '') AS middle_names,
    nullif(s.last_name, '') AS last_name,
    list_sort(list_distinct(list_filter(string_split(s.surnames, ' '), lambda x: x <> ''))) AS surnames,
    list_sort(list_distinct(list_filter(
        string_split(s.surnames, ' '), lambda x: x <> '' AND NOT contains(x, ' ')
    ))) AS surname_words,
    TRY_CAST(s.dob AS DATE) AS dob,
    list_filter(string_split(s.postcodes, '|'), lambda x: x <> '')[1] AS postcode,
    list_filter(string_split(s.postcodes, '|'), lambda x: x <> '') AS postcodes,
    list_sort(list_distinct(list_transform(
        list_filter(string_split(s.postcodes, '|'), lambda x: x <> ''), lambda x: split_part(x, ' ', 1)
    ))) AS districts,
    nullif(s.address, '') AS address
FROM stored s LEFT JOIN first_forms f
    ON f.first_name = s.first_name AND f.other_first_names = s.other_first_names
"""


def _first_forms_table(names: Iterable[tuple[str, str]]) -> Any:
    """Each distinct (first name, other first names) pair's nickname forms, from the one Python
    definition (``Profile.first_forms``); the pairs are few, since aliases are rare."""
    import pyarrow as pa  # type: ignore[import-untyped]

    pairs = sorted(set(names))
    forms = [sorted(_forms_of(first, others)) for first, others in pairs]
    return pa.table(
        {
            "first_name": [p[0] for p in pairs],
            "other_first_names": [p[1] for p in pairs],
            "forms": forms,
        }
    )


def _forms_of(first_name: str, other_first_names: str) -> set[str]:
    forms = set(nickname_forms(first_name))
    for other in other_first_names.split():
        forms |= nickname_forms(other)
    return forms


def load_stored(con: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Create the table ``people`` in DuckDB from identity_profiles rows (``STORED_COLUMNS``)."""
    import pyarrow as pa

    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) or [() for _ in STORED_COLUMNS]
    data = dict(zip(STORED_COLUMNS, (list(c) for c in columns), strict=True))
    data["dob"] = [None if d is None else str(d) for d in data["dob"]]
    con.register("stored", pa.table(data))
    con.register(
        "first_forms",
        _first_forms_table(zip(data["first_name"], data["other_first_names"], strict=True)),
    )
    con.execute(_PEOPLE_FROM_STORED)
    con.unregister("stored")
    con.unregister("first_forms")


def edges_from_stored(
    rows: Sequence[Sequence[Any]], model: ActiveModel, threshold: float
) -> list[tuple[int, int, float]]:
    """(person_id, person_id, probability) from identity_profiles rows (``STORED_COLUMNS``)."""
    return _edges(lambda con: load_stored(con, rows), model, threshold, len(rows))


def splink_edges(
    profiles: Sequence[Profile], model: ActiveModel, threshold: float
) -> list[tuple[int, int, float]]:
    """(i, j, probability) over positions in ``profiles``: the pairs kept for clustering."""
    import pyarrow as pa

    table = pa.table(training.splink_rows(profiles))

    def build(con: Any) -> None:
        con.register("people_rows", table)
        con.execute("CREATE TABLE people AS SELECT * FROM people_rows")
        con.unregister("people_rows")

    return _edges(build, model, threshold, len(profiles))


def _edges(
    build: Callable[[Any], None], model: ActiveModel, threshold: float, total: int
) -> list[tuple[int, int, float]]:
    import duckdb
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect(config=training.IN_MEMORY_ONLY)
    try:
        build(con)
        db_api = DuckDBAPI(con)
        settings = splink_settings(model)
        frame = db_api.register("people", table_name="persons")
        linker = Linker(frame, settings, log_level=logging.ERROR)
        for column, comparison in _tf_columns(settings):
            table = con.sql(_tf_sql(model, column, comparison, total)).to_arrow_table()
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
    return [(int(left), int(right), float(p)) for left, right, p in rows]


# Beyond one machine: the same settings on Splink's Spark backend. Our level conditions are
# written for DuckDB; these two functions have other names in Spark SQL (Splink registers its
# own ``jaro_winkler`` UDF there), and sqlglot translates the rest.
_SPARK_NAMES = {"list_has_any(": "arrays_overlap(", "jaro_winkler_similarity(": "jaro_winkler("}
SPARK_MISSING = (
    "Deduplication on Spark needs pyspark and a Java 17 runtime: "
    "pip install 'steward[spark]' (and a JDK, e.g. apt-get install openjdk-17-jre-headless)."
)


def _to_spark(sql: str) -> str:
    import sqlglot

    for duckdb_name, spark_name in _SPARK_NAMES.items():
        sql = sql.replace(duckdb_name, spark_name)
    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


def spark_settings(model: ActiveModel) -> dict[str, Any]:
    settings = splink_settings(model)
    for spec in settings["comparisons"]:
        for level in spec["comparison_levels"]:
            if level["sql_condition"] != "ELSE":
                level["sql_condition"] = _to_spark(level["sql_condition"])
    return settings


def spark_edges(
    spark: Any, people: Any, model: ActiveModel, threshold: float
) -> list[tuple[int, int, float]]:
    """The accepted edges (unique_id, unique_id, probability) computed by Spark.

    ``spark``: a SparkSession; ``people``: a Spark DataFrame in the columns training gives
    Splink (``training.splink_rows``). Term frequencies are computed by Splink from the data
    (uncapped); the vetoes and threshold are ours."""
    if importlib.util.find_spec("pyspark") is None:
        raise RuntimeError(SPARK_MISSING)
    from splink import Linker, SparkAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
    frame = db_api.register(people, table_name="persons")
    linker = Linker(frame, spark_settings(model), log_level=logging.ERROR)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    vetoes = _to_spark(_not_contradicted_sql())
    rows = spark.sql(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {predictions.physical_name}"  # noqa: S608 - Splink's own table name
        f" WHERE {vetoes}"
    ).collect()
    return [(int(r[0]), int(r[1]), float(r[2])) for r in rows]
