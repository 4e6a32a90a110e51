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
from dataclasses import dataclass
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


def _prepare(
    records: int, rows: int, directory: Path
) -> tuple[Path, Path, dict[str, Any], list[str]]:
    from bench.data import intake_full
    from bench.data.people import people_data
    from bench.sar_search import build_large
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
    engine, factory, keyring = _open(template, None)
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
        made.case_numbers,
    )


# --- one run, in a process of its own ----------------------------------------------------------


def _count(db: Any, table: str) -> int:
    from sqlalchemy import text

    return int(db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def _open(data_dir: Path, database_url: str | None) -> tuple[Any, Any, Any]:
    """Engine, session factory and keyring: the data directory's SQLCipher database, or the
    PostgreSQL database at ``database_url`` with the data directory's key file."""
    import steward.models  # noqa: F401 - every table mapped
    from bench.backends import bench_settings
    from steward.core import keyfile, migrate
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker

    settings = bench_settings(data_dir, database_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    return engine, make_sessionmaker(engine), keyring


def _run(
    data_dir: Path, file: Path, batch_rows: int, database_url: str | None = None
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from steward.core.db import session_scope
    from steward.core.permissions import Actor
    from steward.intake.models import RowIssue, Submission
    from steward.intake.service import partners, processing, submissions

    engine, factory, keyring = _open(data_dir, database_url)
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


def _worker(data_dir: Path, file: Path, batch_rows: int, *url: str) -> Any:
    return subprocess.run(  # noqa: S603 - this module, fixed arguments
        [
            sys.executable,
            "-m",
            "bench.intake_full",
            "--worker",
            str(data_dir),
            str(file),
            str(batch_rows),
            *url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _side(template: Path, file: Path, batch_rows: int, scratch: Path) -> dict[str, Any]:
    run_dir = scratch / f"run-{batch_rows}"
    shutil.copytree(template, run_dir)
    try:
        done = _worker(run_dir, file, batch_rows)
    finally:
        shutil.rmtree(run_dir)
    return _answer(done, batch_rows)


def _answer(done: Any, batch_rows: int) -> dict[str, Any]:
    if done.returncode != 0:
        raise RuntimeError(
            f"intake_full worker (batch {batch_rows}) failed:\n{done.stderr[-3000:]}"
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- on PostgreSQL, the scale-out path -----------------------------------------------------------
#
# The same person index imported into a PostgreSQL database of its own and trained, once
# (``PG_PEOPLE``, kept on the server; its key file under bench/generated); then a template with
# the file's cases, partner and agreement; each run gets a fresh copy of it (CREATE DATABASE
# ... TEMPLATE), as each SQLCipher run gets a fresh copy of the data directory.

PG_PEOPLE = "bench_people_{records}_v1"
PG_TEMPLATE = "bench_intake_full_template"
PG_RUN = "bench_intake_full_run"
POSTGRESQL = " on PostgreSQL"  # the label's suffix for the PostgreSQL sides


def _database_url(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _server(url: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


def _copy_database(url: str, source: str, target: str) -> None:
    from sqlalchemy import text

    server = _server(url)
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target}"'))
            connection.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        server.dispose()


def _drop_database(url: str, name: str) -> None:
    from sqlalchemy import text

    server = _server(url)
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        server.dispose()


def _pg_people(url: str, records: int) -> Path | None:
    """The person index imported into PostgreSQL and trained, made once; its data directory
    (the key file), or None if the server is not reachable."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from bench.data.people import people_data
    from bench.sar_search import GENERATED
    from steward import identity
    from steward.core.permissions import Actor

    name = PG_PEOPLE.format(records=records)
    keys = GENERATED / f"pg-people-{records}-v1"
    server = _server(url)
    try:
        with server.connect() as connection:
            held = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if held is not None and (keys / "built.json").exists():
                return keys
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        log(f"intake_full: PostgreSQL not reachable, its side skipped ({str(exc.orig)[:120]})")
        return None
    finally:
        server.dispose()
    shutil.rmtree(keys, ignore_errors=True)
    keys.mkdir(parents=True, mode=0o700)
    people = people_data(records, queries=200)
    log(f"intake_full: importing {records:,} person records into PostgreSQL (once; {name})")
    engine, factory, _ = _open(keys, _database_url(url, name))
    try:
        started = perf_counter()
        identity.import_people_csv(factory, people.records_csv, actor=Actor.system())
        load_s = perf_counter() - started
        identity.train_model(factory, actor=Actor.system())
    finally:
        engine.dispose()
    (keys / "built.json").write_text(json.dumps({"records": records, "load_s": load_s}))
    return keys


def _prepare_pg(url: str, records: int, case_numbers: list[str], scratch: Path) -> Path | None:
    """The PostgreSQL template of the runs: the person index, then the file's organisation."""
    keys = _pg_people(url, records)
    if keys is None:
        return None
    data_dir = scratch / "postgresql"
    shutil.copytree(keys, data_dir)
    _copy_database(url, PG_PEOPLE.format(records=records), PG_TEMPLATE)
    engine, factory, keyring = _open(data_dir, _database_url(url, PG_TEMPLATE))
    try:
        _organisation(factory, keyring, case_numbers)
    finally:
        engine.dispose()
    return data_dir


def _side_pg(url: str, data_dir: Path, file: Path, batch_rows: int) -> dict[str, Any]:
    _copy_database(url, PG_TEMPLATE, PG_RUN)
    try:
        done = _worker(data_dir, file, batch_rows, _database_url(url, PG_RUN))
    finally:
        _drop_database(url, PG_RUN)
    return _answer(done, batch_rows)


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


@dataclass(frozen=True)
class _Server:
    """The PostgreSQL server to run on, and what its template needs."""

    url: str
    records: int
    case_numbers: list[str]


def _sides(
    template: Path, file: Path, scratch: Path, server: _Server | None
) -> tuple[dict[str, list[dict[str, Any]]], bool]:
    """Every run, ours and the peer's alternating, on SQLCipher and then on PostgreSQL (its
    template made only then: copying a database sets the server writing for minutes, which
    would slow the SQLCipher runs beside it). Also whether PostgreSQL ran."""
    from steward.intake.service.processing import BATCH_ROWS

    runs: dict[str, list[dict[str, Any]]] = {}
    order = ["ours", "peer"] + ["ours"] * (OURS_RUNS - 1)
    for side in order:
        batch = BATCH_ROWS if side == "ours" else 1
        runs.setdefault(side, []).append(_side(template, file, batch, scratch))
        log(f"intake_full: {side} {runs[side][-1]['total_s']:.1f} s")
    data_dir = (
        _prepare_pg(server.url, server.records, server.case_numbers, scratch) if server else None
    )
    if server is not None and data_dir is not None:
        url = server.url
        for side in order:
            batch = BATCH_ROWS if side == "ours" else 1
            name = side + POSTGRESQL
            runs.setdefault(name, []).append(_side_pg(url, data_dir, file, batch))
            log(f"intake_full: {name} {runs[name][-1]['total_s']:.1f} s")
        _drop_database(url, PG_TEMPLATE)
    return runs, data_dir is not None


def run(quick: bool) -> dict[str, Any]:
    from bench import backends
    from steward.intake.service.processing import BATCH_ROWS

    records = QUICK_RECORDS if quick else int(os.environ.get("BENCH_INTAKE_FULL_RECORDS", RECORDS))
    rows = QUICK_ROWS if quick else int(os.environ.get("BENCH_INTAKE_FULL_ROWS", ROWS))
    url = backends.postgres_url()
    with tempfile.TemporaryDirectory(prefix="steward-bench-intake-full-") as tmp:
        scratch = Path(tmp)
        template, file, prepared, case_numbers = _prepare(records, rows, scratch)
        server = _Server(url, records, case_numbers) if url else None
        runs, on_postgresql = _sides(template, file, scratch, server)
    decided = _same_outcomes(runs)
    size = size_label(records)
    labels = {size: ""} | ({size + POSTGRESQL: POSTGRESQL} if on_postgresql else {})
    ours = {label: _figures(rows, runs["ours" + suffix]) for label, suffix in labels.items()}
    peer = {label: _figures(rows, runs["peer" + suffix]) for label, suffix in labels.items()}
    ratio = ratios(
        {label: {"rows_per_s": ours[label]["rows_per_s"]} for label in labels},
        {label: {"rows_per_s": peer[label]["rows_per_s"]} for label in labels},
    )
    return {
        "ours": ours,
        "peer": peer,
        "ratio": ratio,
        "goal": {"rows_per_s": f">= {GOAL_ROWS_PER_S:,} against 1M persons"},
        "meets_goal": {
            label: ours[label]["rows_per_s"] >= GOAL_ROWS_PER_S if records >= 1_000_000 else None
            for label in labels
        },
        "sizes": {**prepared, "batch_rows": {"ours": BATCH_ROWS, "peer": 1}},
        "seeds": {"people": "bench.data.people.SEED", "file": "bench.data.intake_full.SEED"},
        "detail": {
            "decided": decided,
            "spread": {
                side: spread([r["total_s"] for r in side_runs]) for side, side_runs in runs.items()
            },
            "runs": {side: len(side_runs) for side, side_runs in runs.items()},
            "databases": {
                label: "PostgreSQL" if suffix else "SQLCipher (embedded)"
                for label, suffix in labels.items()
            },
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
    databases = result["detail"].get("databases", {})
    rows = []
    for label, ours in result["ours"].items():
        peer = result["peer"][label]
        rows.append(
            [
                databases.get(label, "SQLCipher (embedded)"),
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
        "database",
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
    if len(sys.argv) in (5, 6) and sys.argv[1] == "--worker":
        directory, path, batch_rows, *url = sys.argv[2:]
        print(json.dumps(_run(Path(directory), Path(path), int(batch_rows), *url)))
    else:
        print(
            "usage: python -m bench.intake_full --worker DATA_DIR FILE BATCH_ROWS [DATABASE_URL]",
            file=sys.stderr,
        )
        sys.exit(2)
