"""Partner-data intake in full (BENCHMARKS.md §4): a partner's party-details file checked and
recorded by an organisation that already holds a million persons.

Work: ``steward intake submit --partner CODE --dataset party_details FILE``'s use-cases, from
the file's bytes to every row decided: ``submissions.submit`` (the file read and checked whole,
stored sealed) then ``processing.process`` (the row rules; per batch, the cases, the partner's
earlier facts, every party matched through the identity search, the outcome of each row,
accepted rows recorded with their source, every row sealed and audited; one transaction a
batch).

Data: the person index of the identity benchmark (bench/data/people.py, ``RECORDS`` records,
one person record each, as ``steward people import`` makes them: about 375,000 distinct people
held once to twenty times), imported and trained once (cached under bench/generated, shared
with ``sar_search``); then the cases the file names (open), a partner and its agreement. The
file (bench/data/intake_full.py, fixed seeds): ``ROWS`` rows of the rules benchmark's generator,
about 22% with a rule fault, and of the clean family rows 35% about a person already held
(linked) and 8% about a held person with another date of birth (a conflict, held).

Ours: batches of ``processing.BATCH_ROWS`` rows (the default). Peer: the same use-cases a row at
a time (``--batch-rows 1``: one transaction, one identity search and one audit event a row):
what an intake without set-based cross-record checks costs, the same code otherwise. Both
must reach the same outcomes (``_same_outcomes``: exactly for the rules, within 0.2% of the
rows for the match calls, or the benchmark fails).

Method: the prepared data directory is copied afresh for every run (a run records its rows, so
the next would find them), and each run is a fresh process: ours three times and the peer once,
the peer between ours. ``rows_per_s`` is rows over the median total time; ``cpu_s`` the
process's CPU time. ``--quick``: 2,000 records and 500 rows. ``BENCH_INTAKE_FULL_ROWS`` and
``BENCH_INTAKE_FULL_RECORDS`` narrow.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from bench import log, ratios, size_label, spread

RECORDS = 1_000_000
ROWS = 10_000
QUICK_RECORDS = 2_000
QUICK_ROWS = 500
OURS_RUNS = 3
GOAL_ROWS_PER_S = 2_000
PARTNER = "LA-BENCH"
OPENED_ON = date(2025, 1, 6)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# --- the organisation, prepared once ------------------------------------------------------------


def _organisation(factory: Any, keyring: Any, case_numbers: list[str]) -> None:
    """The cases the file names, open, and the partner with its agreement."""
    from steward.core.db import session_scope
    from steward.core.permissions import Actor
    from steward.intake.policy import LawfulBasis, PartnerKind
    from steward.intake.service import partners
    from steward.records import service as records
    from steward.records.models import CaseType
    from steward.records.schemas import CaseCreate

    actor = Actor.system()
    with session_scope(factory) as db:
        partner = partners.create_partner(
            db,
            actor,
            code=PARTNER,
            name="Benchmark County Council",
            kind=PartnerKind.LOCAL_AUTHORITY,
        )
        partners.create_agreement(
            db,
            actor,
            partner_id=partner.id,
            reference="DSA-BENCH",
            title="Information sharing with Benchmark County Council",
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            statutory_power="Children Act 1989, s.7",
            dataset_names=["party_details"],
            retention_months=12,
            starts_on=OPENED_ON,
        )
    for start in range(0, len(case_numbers), 500):
        with session_scope(factory) as db:
            for number in case_numbers[start : start + 500]:
                records.create_case(
                    db,
                    keyring,
                    actor,
                    CaseCreate(
                        case_number=number,
                        case_type=CaseType.PRIVATE_LAW,
                        opened_on=OPENED_ON,
                        court="Family Court at Leeds",
                    ),
                )


def _prepare(records: int, rows: int, directory: Path) -> tuple[Path, Path, dict[str, Any]]:
    from bench.data import intake_full
    from bench.data.people import people_data
    from bench.sar_search import _open, build_large
    from steward.core import clock

    index = build_large(records)
    people = people_data(records, queries=200)
    started = perf_counter()
    held = intake_full.held_once(people.records_csv, people.truth_csv)
    made = intake_full.generate(rows, held, clock.today())
    file = directory / "party_details.csv"
    file.write_bytes(made.data)
    template = directory / "template"
    shutil.copytree(index, template)
    engine, factory, keyring = _open(template)
    try:
        _organisation(factory, keyring, made.case_numbers)
    finally:
        engine.dispose()
    log(
        f"intake_full: {made.rows:,} rows about {len(made.case_numbers):,} cases prepared in "
        f"{perf_counter() - started:.0f} s ({made.about})"
    )
    built = json.loads((index / "built.json").read_text())
    return (
        template,
        file,
        {
            "rows": made.rows,
            "cases": len(made.case_numbers),
            "rows_about_held_persons": made.about,
            "index_records": records,
            "index_import_s": round(float(built["load_s"]), 1),
            "file_kb": round(len(made.data) / 1024),
        },
    )


# --- one run, in a process of its own ----------------------------------------------------------


def _count(db: Any, table: str) -> int:
    from sqlalchemy import text

    return int(db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def _run(data_dir: Path, file: Path, batch_rows: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from bench.sar_search import _open
    from steward.core.db import session_scope
    from steward.core.permissions import Actor
    from steward.intake.models import RowIssue, Submission
    from steward.intake.service import partners, processing, submissions

    engine, factory, keyring = _open(data_dir)
    actor = Actor.system()
    data = file.read_bytes()
    with session_scope(factory, read_only=True) as db:
        partner_id = partners.partner_by_code(db, PARTNER).id
        persons_before = _count(db, "persons")
    gc.collect()
    cpu_start = process_time()
    start = perf_counter()
    with session_scope(factory) as db:
        submission_id = submissions.submit(
            db,
            keyring,
            actor,
            dataset="party_details",
            filename=file.name,
            data=data,
            partner_id=partner_id,
            inline_rows=0,
        ).id
    submitted = perf_counter()
    processing.process(factory, keyring, actor, submission_id, batch_rows=batch_rows)
    done = perf_counter()
    cpu = process_time() - cpu_start
    with session_scope(factory, read_only=True) as db:
        made = db.get(Submission, submission_id)
        assert made is not None and made.status == "complete", "the submission did not complete"
        outcomes = {
            k: getattr(made, k)
            for k in ("rows", "accepted", "unchanged", "quarantined", "rejected")
        }
        codes = dict(
            db.execute(
                select(RowIssue.code, func.count())
                .where(RowIssue.submission_id == submission_id)
                .group_by(RowIssue.code)
                .order_by(RowIssue.code)
            ).all()
        )
        persons_made = _count(db, "persons") - persons_before
    engine.dispose()
    return {
        "submit_s": submitted - start,
        "process_s": done - submitted,
        "total_s": done - start,
        "cpu_s": cpu,
        "outcomes": outcomes,
        "codes": codes,
        "persons_made": persons_made,
        "peak_rss_mb": _rss_mb(),
    }


def _side(template: Path, file: Path, batch_rows: int, scratch: Path) -> dict[str, Any]:
    run_dir = scratch / f"run-{batch_rows}"
    shutil.copytree(template, run_dir)
    try:
        done = subprocess.run(  # noqa: S603 - this module, fixed arguments
            [
                sys.executable,
                "-m",
                "bench.intake_full",
                "--worker",
                str(run_dir),
                str(file),
                str(batch_rows),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        shutil.rmtree(run_dir)
    if done.returncode != 0:
        raise RuntimeError(
            f"intake_full worker (batch {batch_rows}) failed:\n{done.stderr[-3000:]}"
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _figures(rows: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    total = statistics.median(r["total_s"] for r in runs)
    return {
        "rows_per_s": round(rows / total),
        "total_s": round(total, 2),
        "submit_s": round(statistics.median(r["submit_s"] for r in runs), 2),
        "process_s": round(statistics.median(r["process_s"] for r in runs), 2),
        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


MATCH_CODES = frozenset({"person.conflict", "person.possible"})
TOLERANCE = 0.002  # of the rows: see _same_outcomes


def _same_outcomes(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The runs' outcomes, which must agree: exactly for every rule of the file (each run
    checks the same rows the same way), and within ``TOLERANCE`` of the rows for who a row is
    about. Run a row at a time, rows recorded earlier in the same file are already in the
    index when a later row is matched, and they change which candidates rank in its first
    few; in batches they are not yet. A handful of "possible match" calls on strangers
    differ for that reason; more than that fails the benchmark."""
    first = runs["ours"][0]
    rules_of = {k: v for k, v in first["codes"].items() if k not in MATCH_CODES}
    differing = 0
    for side, side_runs in runs.items():
        for run in side_runs:
            mine = {k: v for k, v in run["codes"].items() if k not in MATCH_CODES}
            if mine != rules_of or run["outcomes"]["rejected"] != first["outcomes"]["rejected"]:
                raise AssertionError(f"intake_full: {side}'s rule outcomes differ: {mine}")
            apart = max(
                abs(run["outcomes"][k] - first["outcomes"][k]) for k in ("accepted", "quarantined")
            )
            if apart > TOLERANCE * first["outcomes"]["rows"]:
                raise AssertionError(
                    f"intake_full: {side}'s outcomes differ by {apart} rows: {run['outcomes']}"
                )
            differing = max(differing, apart)
    return {
        "outcomes": first["outcomes"],
        "codes": first["codes"],
        "persons_made": first["persons_made"],
        "rows_decided_differently": differing,
        "by_side": {
            side: [{**r["outcomes"], "persons_made": r["persons_made"]} for r in side_runs]
            for side, side_runs in runs.items()
        },
    }


def run(quick: bool) -> dict[str, Any]:
    from steward.intake.service.processing import BATCH_ROWS

    records = QUICK_RECORDS if quick else int(os.environ.get("BENCH_INTAKE_FULL_RECORDS", RECORDS))
    rows = QUICK_ROWS if quick else int(os.environ.get("BENCH_INTAKE_FULL_ROWS", ROWS))
    with tempfile.TemporaryDirectory(prefix="steward-bench-intake-full-") as tmp:
        scratch = Path(tmp)
        template, file, prepared = _prepare(records, rows, scratch)
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": []}
        order = ["ours", "peer"] + ["ours"] * (OURS_RUNS - 1)
        for n, side in enumerate(order, 1):
            batch = BATCH_ROWS if side == "ours" else 1
            runs[side].append(_side(template, file, batch, scratch))
            log(f"intake_full run {n}/{len(order)}: {side} {runs[side][-1]['total_s']:.1f} s")
    decided = _same_outcomes(runs)
    label = size_label(records)
    ours = {label: _figures(rows, runs["ours"])}
    peer = {label: _figures(rows, runs["peer"])}
    ratio = ratios(
        {label: {"rows_per_s": ours[label]["rows_per_s"]}},
        {label: {"rows_per_s": peer[label]["rows_per_s"]}},
    )
    return {
        "ours": ours,
        "peer": peer,
        "ratio": ratio,
        "goal": {"rows_per_s": f">= {GOAL_ROWS_PER_S:,} against 1M persons"},
        "meets_goal": {
            label: ours[label]["rows_per_s"] >= GOAL_ROWS_PER_S if records >= 1_000_000 else None
        },
        "sizes": {**prepared, "batch_rows": {"ours": BATCH_ROWS, "peer": 1}},
        "seeds": {"people": "bench.data.people.SEED", "file": "bench.data.intake_full.SEED"},
        "detail": {
            "decided": decided,
            "spread": {
                side: spread([r["total_s"] for r in side_runs]) for side, side_runs in runs.items()
            },
            "runs": {side: len(side_runs) for side, side_runs in runs.items()},
        },
        "peers": {
            "full": "the same use-cases a row at a time (steward intake submit --batch-rows 1): "
            "one transaction, one identity search and one audit event a row"
        },
    }


# --- the table in bench/README.md ---------------------------------------------------------------


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown, times

    sizes = result["sizes"]
    outcomes = result["detail"]["decided"]["outcomes"]
    rows = []
    for label, ours in result["ours"].items():
        peer = result["peer"][label]
        rows.append(
            [
                f"{sizes['index_records']:,}",
                f"{sizes['rows']:,} ({sizes['cases']:,} cases)",
                f"{figure(ours['rows_per_s'], 0)} ({figure(ours['submit_s'], 2)} + "
                f"{figure(ours['process_s'], 2)} s)",
                f"{figure(peer['rows_per_s'], 0)} ({figure(peer['total_s'], 1)} s)",
                times(result["ratio"][label]["rows_per_s"]),
                f"{figure(ours['cpu_s'], 1)} / {figure(peer['cpu_s'], 1)} s",
                f"{figure(ours['peak_rss_mb'], 0)} MB",
                ", ".join(f"{outcomes[k]:,} {k}" for k in ("accepted", "quarantined", "rejected"))
                + f"; {result['detail']['decided']['persons_made']:,} persons made; "
                f"{result['detail']['decided']['rows_decided_differently']} rows called "
                "otherwise a row at a time",
            ]
        )
    header = [
        "persons held",
        "file rows",
        "ours: rows/s (submit + process)",
        "row at a time: rows/s",
        "ratio",
        "CPU ours / row at a time",
        "peak RSS ours",
        "outcomes (ours)",
    ]
    return {"full": markdown(header, rows)}


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        directory, path, batch_rows = sys.argv[2:]
        print(json.dumps(_run(Path(directory), Path(path), int(batch_rows))))
    else:
        print(
            "usage: python -m bench.intake_full --worker DATA_DIR FILE BATCH_ROWS", file=sys.stderr
        )
        sys.exit(2)
