"""Training the match weights with Splink (Fellegi-Sunter, EM on DuckDB).

Splink does what it does best here: estimate u-probabilities from random pairs, and
m-probabilities by expectation maximisation over blocked pairs, on the persons we hold. The
levels it trains are the ones in ``policy.COMPARISONS``; we read the m/u of each level back
out of its saved model and serve lookups ourselves from indexed SQL.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from steward.identity.keys import Profile
from steward.identity.policy import COMPARISONS


class TrainingFailed(Exception):
    """Splink could not learn weights from this data (the stored model stays as it was)."""


@dataclass(frozen=True)
class TrainedLevel:
    comparison: str
    level: int
    label: str
    m: float
    u: float


@dataclass(frozen=True)
class Trained:
    levels: tuple[TrainedLevel, ...]
    prior: float
    settings_json: str
    trainer: str


def _nullable(text: str) -> str | None:
    return text or None


def splink_rows(profiles: Sequence[Profile]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {
        k: []
        for k in [
            "unique_id",
            "first_name",
            "first_forms",
            "given_names",
            "middle_names",
            "last_name",
            "surnames",
            "surname_words",
            "dob",
            "postcode",
            "postcodes",
            "districts",
            "address",
        ]
    }
    for i, p in enumerate(profiles):
        cols["unique_id"].append(i)
        cols["first_name"].append(_nullable(p.first_name))
        cols["first_forms"].append(sorted(p.first_forms))
        cols["given_names"].append(sorted(p.given_names))
        cols["middle_names"].append(_nullable(p.middle_names))
        cols["last_name"].append(_nullable(p.last_name))
        cols["surnames"].append(sorted(p.surnames))
        cols["surname_words"].append(sorted(s for s in p.surnames if " " not in s))
        cols["dob"].append(p.dob)
        # the current postcode, for the term frequency of the "same postcode" level
        cols["postcode"].append(p.postcodes[0] if p.postcodes else None)
        cols["postcodes"].append(list(p.postcodes))
        cols["districts"].append(sorted({pc.split(" ")[0] for pc in p.postcodes}))
        cols["address"].append(_nullable(p.address))
    return cols


def _settings() -> dict[str, Any]:
    comparisons = []
    for comparison in COMPARISONS:
        levels: list[dict[str, Any]] = []
        for i, level in enumerate(comparison.levels):
            entry: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if i == 0:
                entry["is_null_level"] = True
            if level.tf_column:
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = 1.0
            levels.append(entry)
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "max_iterations": 20,
    }


# DuckDB spills to a plaintext ".tmp" folder in the working directory when memory runs short;
# the persons being trained on must never land on disk outside the encrypted store, so
# spilling is off: a training set too big for memory fails instead (train takes a sample).
IN_MEMORY_ONLY: dict[str, str | bool | int | float | list[str]] = {"temp_directory": ""}


def train(profiles: Sequence[Profile], *, sample: int = 300_000, seed: int = 1) -> Trained:
    """Splink's EM on (a fixed-seed sample of) these profiles; m/u per level of each comparison."""
    import duckdb  # heavy imports only when training
    import pyarrow as pa  # type: ignore[import-untyped]
    import splink
    from splink import DuckDBAPI, Linker, block_on

    if len(profiles) > sample:
        profiles = random.Random(seed).sample(list(profiles), sample)  # noqa: S311 - reproducible sample
    table = pa.table(splink_rows(profiles))
    con = duckdb.connect(config=IN_MEMORY_ONLY)
    db_api = DuckDBAPI(con)
    frame = db_api.register(table, table_name="people")
    logging.getLogger("splink").setLevel(logging.ERROR)
    settings = _settings()
    # A starting prior of "one duplicate per person" until Splink estimates it from the data.
    settings["probability_two_random_records_match"] = 1 / max(len(profiles), 2)
    linker = Linker(frame, settings, log_level=logging.ERROR)
    # No exact duplicates at all (a fresh demo) fails the estimate: keep the starting prior.
    with contextlib.suppress(ValueError, ZeroDivisionError):
        linker.training.estimate_probability_two_random_records_match(
            ["l.first_name = r.first_name AND l.last_name = r.last_name AND l.dob = r.dob"],
            recall=0.6,
        )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    # Two EM sessions, each blocking on what the other estimates, so every comparison is
    # trained. A session can fail on data without duplicates to learn from: the levels it
    # would have trained keep the starting values, and training says so if none was learnt.
    trained_sessions = 0
    for rule in (block_on("dob"), block_on("last_name", "first_name")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
            trained_sessions += 1
        except Exception as exc:  # Splink raises plain exceptions here
            logging.getLogger(__name__).warning("EM session skipped: %s", type(exc).__name__)
    if not trained_sessions:
        raise TrainingFailed("There are too few likely duplicates among the persons to learn from.")
    model = linker.misc.save_model_to_json()
    con.close()
    return Trained(
        levels=_levels(model),
        prior=float(model["probability_two_random_records_match"]),
        settings_json=_json(model),
        trainer=f"splink {splink.__version__}",
    )


def _levels(model: dict[str, Any]) -> tuple[TrainedLevel, ...]:
    out: list[TrainedLevel] = []
    for comparison, spec in zip(COMPARISONS, model["comparisons"], strict=True):
        for i, level in enumerate(spec["comparison_levels"]):
            if i == 0:
                continue  # the null level carries no weight
            m, u = level.get("m_probability"), level.get("u_probability")
            if not m or not u:
                continue  # not observed in this data: the built-in starting values stand
            out.append(
                TrainedLevel(comparison.name, i, comparison.levels[i].label, float(m), float(u))
            )
    return tuple(out)


def _json(model: dict[str, Any]) -> str:
    import json

    def default(value: object) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)

    return json.dumps(model, default=default, sort_keys=True)
