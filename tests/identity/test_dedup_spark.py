"""Batch deduplication beyond one machine: Splink on Spark (local mode) gives the same edges
as the DuckDB engine on the same persons. Runs only where the optional extra is installed
(pyspark, ``steward[spark]``) and a Java runtime is on PATH; skipped otherwise."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from bench.data.people import people_data

from steward.identity.service.duplicates_splink import spark_edges, splink_edges
from steward.identity.service.scoring import _DEFAULT
from steward.identity.training import splink_rows
from tests.identity.test_import_and_train import _profiles

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Any:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[1]")
        .appName("steward-dedup-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setCheckpointDir("/tmp/steward-spark-checkpoints")
    yield session
    session.stop()


def _frame(spark: Any, columns: dict[str, list[Any]]) -> Any:
    from pyspark.sql import types as t

    text, texts = t.StringType(), t.ArrayType(t.StringType())
    schema = t.StructType(
        [
            t.StructField("unique_id", t.LongType()),
            t.StructField("first_name", text),
            t.StructField("first_forms", texts),
            t.StructField("given_names", texts),
            t.StructField("middle_names", text),
            t.StructField("last_name", text),
            t.StructField("surnames", texts),
            t.StructField("dob", t.DateType()),
            t.StructField("postcode", text),
            t.StructField("district", text),
            t.StructField("address", text),
        ]
    )
    rows = list(zip(*(columns[f.name] for f in schema.fields), strict=True))
    return spark.createDataFrame(rows, schema)


def test_spark_finds_the_edges_duckdb_finds(spark: Any) -> None:
    profiles = _profiles(people_data(2000, queries=300), 400)
    # The built-in weights carry no term frequencies, so both backends score alike exactly.
    on_duckdb = {(i, j): p for i, j, p in splink_edges(profiles, _DEFAULT, 0.9)}
    on_spark = {
        (i, j): p
        for i, j, p in spark_edges(spark, _frame(spark, splink_rows(profiles)), _DEFAULT, 0.9)
    }
    assert len(on_duckdb) > 50
    assert on_spark.keys() == on_duckdb.keys()
    for pair, p in on_duckdb.items():
        assert on_spark[pair] == pytest.approx(p, abs=1e-6)
