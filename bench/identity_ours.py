"""Our side of the identity benchmark: steward.identity on a fresh SQLCipher database.

Runs in its own process (``run_ours``), so its peak memory is its own, and goes through the
same use-cases the CLI does: ``import_people_csv`` (what ``steward people import`` runs),
``train_model`` (the EM-trained match weights), then ``find_people`` once per SAR query, each
in its own unit of work (``session_scope``: open, search, commit: what one ``steward people
find`` or one web request costs), acting as ``Actor.system()``. ``find_duplicates`` (the
suggested clusters, scored by B-cubed beside Splink's clustering) runs afterwards in a process
of its own on the same database (``run_duplicates``), so the caller can bound its time.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

WARM_UP = 5


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def person_query(row: dict[str, str]) -> Any:
    """A queries.csv row as the engine's PersonQuery (the same mapping --batch makes)."""
    from steward.identity import PersonQuery

    return PersonQuery(
        first_name=row["first_name"],
        last_name=row["last_name"],
        middle_names=row["middle_names"] or None,
        previous_last_names=_split(row["previous_last_names"]),
        dob=date.fromisoformat(row["dob"]) if row["dob"] else None,
        postcode=row["postcode"] or None,
        address=row["address"] or None,
        previous_postcodes=_split(row["previous_postcodes"]),
    )


def _engine(data_dir: str) -> Any:
    from steward.core.config import Environment, Settings
    from steward.core.db import make_engine

    # Explicit values, so a STEWARD_DATABASE_URL in the environment cannot redirect the bench.
    return make_engine(Settings(env=Environment.TEST, data_dir=Path(data_dir), database_url=None))


def run_ours(
    records_csv: str, queries: list[dict[str, str]], data_dir: str, limit: int = 50
) -> dict[str, Any]:
    """In a child process: import, train and look up; return timings and answers."""
    from steward import identity
    from steward.core import migrate
    from steward.core.db import make_sessionmaker, session_scope
    from steward.core.permissions import Actor

    rss_start = _peak_rss_mb()
    engine = _engine(data_dir)
    migrate.upgrade(engine)
    factory = make_sessionmaker(engine)
    actor = Actor.system()
    try:
        t0 = time.perf_counter()
        report = identity.import_people_csv(factory, Path(records_csv), actor=actor)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        identity.train_model(factory, actor=actor)
        train_s = time.perf_counter() - t0
        rss_loaded = _peak_rss_mb()

        answers: dict[str, list[tuple[str | None, str, float]]] = {}
        latencies: list[float] = []
        built = [(q["query_id"], person_query(q)) for q in queries]
        for i, (qid, query) in enumerate(built[:WARM_UP] + built):
            t0 = time.perf_counter()
            with session_scope(factory) as session:
                found = identity.find_people(session, query, actor=actor, limit=limit)
            seconds = time.perf_counter() - t0
            if i < WARM_UP:
                continue  # a few queries first, so every figure is a warm lookup
            latencies.append(seconds)
            answers[qid] = [(c.record_id, c.band, c.score) for c in found]
    finally:
        engine.dispose()
    db_bytes = sum(f.stat().st_size for f in Path(data_dir).glob("*.db*"))
    return {
        "load_s": load_s,
        "import_report": {
            "created": report.created,
            "skipped": report.skipped,
            "failed": len(report.problems),
        },
        "train_s": train_s,
        "answers": answers,
        "latencies_s": latencies,
        "storage_mb": round(db_bytes / 2**20, 1),
        "rss_start_mb": rss_start,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_rss_mb(),
        "pid": os.getpid(),
    }


def run_duplicates(data_dir: str) -> dict[str, Any]:
    """In a further child, on the database run_ours left: find_duplicates, as record-id groups."""
    from sqlalchemy import text

    from steward import identity
    from steward.core.db import make_sessionmaker, session_scope
    from steward.core.permissions import Actor

    engine = _engine(data_dir)
    try:
        factory = make_sessionmaker(engine)
        t0 = time.perf_counter()
        with session_scope(factory) as session:
            clusters = identity.find_duplicates(session, actor=Actor.system())
        seconds = time.perf_counter() - t0
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT person_id, record_id FROM identity_profiles"))
            record_of = {pid: rid for pid, rid in rows}
    finally:
        engine.dispose()
    return {
        "seconds": seconds,
        "groups": [[record_of.get(p) for p in c.person_ids] for c in clusters],
        "peak_rss_mb": _peak_rss_mb(),
    }
