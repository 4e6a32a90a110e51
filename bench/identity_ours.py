"""Our side of the identity benchmark: steward.identity on a fresh SQLCipher database.

Runs in its own process (``Ours`` served by ``bench.identity``), so its peak memory is its
own, and goes through the same use-cases the CLI does: ``import_people_csv`` (what ``steward
people import`` runs), ``train_model`` (the EM-trained match weights), then ``find_people``
once per SAR query, each in its own unit of work (``session_scope``: open, search, commit:
what one ``steward people find`` or one web request costs), acting as ``Actor.system()``. ``find_duplicates`` (the
suggested clusters, scored by B-cubed beside Splink's clustering) runs afterwards in a process
of its own on the same database (``run_duplicates``), so the caller can bound its time.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any


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


class Ours:
    """Our side, prepared once (import, train) and then asked query batches."""

    def __init__(self, records_csv: str, data_dir: str) -> None:
        from steward import identity
        from steward.core import migrate
        from steward.core.db import make_sessionmaker
        from steward.core.permissions import Actor

        self.rss_start = _peak_rss_mb()
        self.engine = _engine(data_dir)
        self.data_dir = data_dir
        migrate.upgrade(self.engine)
        self.factory = make_sessionmaker(self.engine)
        self.actor = Actor.system()
        t0 = time.perf_counter()
        self.report = identity.import_people_csv(self.factory, Path(records_csv), actor=self.actor)
        self.load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.model = identity.train_model(self.factory, actor=self.actor)
        self.train_s = time.perf_counter() - t0
        self.rss_loaded = _peak_rss_mb()

    def info(self) -> dict[str, Any]:
        return {
            "load_s": self.load_s,
            "train_s": self.train_s,
            "trained_prior": self._prior(),
            "import_report": {
                "created": self.report.created,
                "skipped": self.report.skipped,
                "failed": len(self.report.problems),
            },
            "rss_start_mb": self.rss_start,
            "rss_after_load_mb": self.rss_loaded,
        }

    def _prior(self) -> float | None:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.scalar(
                text("SELECT prior FROM identity_models ORDER BY version DESC LIMIT 1")
            )

    def lookup(self, queries: list[dict[str, str]], limit: int = 50) -> dict[str, Any]:
        """``find_people`` per query, each in its own unit of work (open, search, audit,
        commit: what one ``steward people find`` or one web request costs)."""
        from steward import identity
        from steward.core.db import session_scope

        answers: dict[str, list[tuple[str | None, str, float]]] = {}
        latencies: list[float] = []
        for q in queries:
            query = person_query(q)
            t0 = time.perf_counter()
            with session_scope(self.factory) as session:
                found = identity.find_people(session, query, actor=self.actor, limit=limit)
            latencies.append(time.perf_counter() - t0)
            answers[q["query_id"]] = [(c.record_id, c.band, c.score) for c in found]
        return {"answers": answers, "latencies_s": latencies}

    def close(self) -> dict[str, Any]:
        self.engine.dispose()
        db_bytes = sum(f.stat().st_size for f in Path(self.data_dir).glob("*.db*"))
        return {"storage_mb": round(db_bytes / 2**20, 1), "peak_rss_mb": _peak_rss_mb()}


def run_ours(records_csv: str, queries: list[dict[str, str]], data_dir: str) -> dict[str, Any]:
    """In a child process, one pass: import, train, answer ``queries``; the database stays in
    ``data_dir`` for ``run_duplicates`` (the dedup and held-out benchmarks)."""
    ours = Ours(records_csv, data_dir)
    answered = ours.lookup(queries) if queries else {"answers": {}, "latencies_s": []}
    return {**ours.info(), **answered, **ours.close()}


def run_duplicates(data_dir: str, engine: str = "auto") -> dict[str, Any]:
    """In a further child, on the database run_ours left: find_duplicates (by ``engine``:
    auto, steward or splink), as record-id groups."""
    from sqlalchemy import text

    from steward import identity
    from steward.core.db import make_sessionmaker, session_scope
    from steward.core.permissions import Actor

    database = _engine(data_dir)
    try:
        factory = make_sessionmaker(database)
        t0 = time.perf_counter()
        with session_scope(factory) as session:
            clusters = identity.find_duplicates(session, actor=Actor.system(), engine=engine)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        with database.connect() as conn:
            rows = conn.execute(text("SELECT person_id, record_id FROM identity_profiles"))
            record_of = {pid: rid for pid, rid in rows}
    finally:
        database.dispose()
    return {
        "seconds": seconds,
        "groups": [[record_of.get(p) for p in c.person_ids] for c in clusters],
        "peak_rss_mb": _peak_rss_mb(),
    }
