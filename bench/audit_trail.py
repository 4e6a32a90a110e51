"""BENCHMARKS.md §5, audit trail: append rate inside ordinary transactions, and verify time.

Ours: ``steward.core.audit.record`` and ``steward.core.audit.verify`` on a database migrated
with ``steward.core.migrate.upgrade``.

Peers, measured in the same run on the same events:

* append: the same event rows written with no chain: a plain INSERT of the same columns into
  an equivalent table (same types and indexes, autoincrement key, no ``prev_hash``/``hash``,
  no head row), through the same sessions and ``session_scope``, same transaction sizes.
* verify: a plain full scan of the same rows and columns (a Core SELECT ordered by seq, same
  batch size), with no hashing. ``ratio`` is "times better than the peer" (bench.speedup):
  ours / peer for the append rates, peer / ours for the verify times, so above 1 means
  Steward is faster; with a chain to write and check it is below 1, and the figure says what
  the chain costs. ``context.verify_query_only_s`` is
  verify()'s own query iterated without hashing, which splits the gap into the hashing
  (ours - query only) and the query layer (query only - peer).

Backends: the embedded default (a SQLCipher file in a temporary data_dir, made by
``steward.core.db.make_engine``) and, when reachable, PostgreSQL in a dedicated schema that is
created and dropped here; schema ``public`` (the tests' schema) is never touched.

The 100k/1M chains for verify are built fast: the chain is computed in Python with
``audit.chain_hash`` itself and bulk-inserted, continuing from the events the append phase
wrote through ``record``; every verify asserts ``ok`` and the event count. Each verify (and
each peer scan) runs in a fresh process so its peak RSS is its own; the figure is the median
of the repeats, with their spread. Appends are reported with the spread of their rate over
``APPEND_BLOCKS`` consecutive blocks of the interleaved run.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from bench import backends, log, ratios, spread
from bench.backends import Backend, bench_settings, postgres_backend, sqlite_backend
from steward.core import audit, clock, migrate
from steward.core.db import UTCDateTime, make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role

GOAL_APPEND_EVENTS_PER_S = 5_000
GOAL_VERIFY_1M_S = 10.0
GOAL_VERIFY_AT = 1_000_000

PG_SCHEMA = "bench_audit"
SEED = 20_260_525
APPEND_BLOCKS = 5  # the append run is cut into this many blocks for the spread of its rate


@dataclass(frozen=True)
class Sizes:
    appends: int  # events per transaction size, per side
    per_tx: tuple[int, ...]
    warmup: int  # transactions per side before the clock starts
    verify_at: tuple[int, ...]
    verify_repeats: int  # median of, per side


FULL = Sizes(
    appends=20_000,
    per_tx=(1, 10),
    warmup=200,
    verify_at=(100_000, 1_000_000),
    verify_repeats=3,
)
QUICK = Sizes(appends=2_000, per_tx=(1, 10), warmup=20, verify_at=(10_000,), verify_repeats=2)


# --- the events ---------------------------------------------------------------------------


class BenchTag(StrEnum):
    """A request mix: mostly reads of people's records (each read is logged), some changes."""

    CASE_READ = "records:case:read"
    PERSON_READ = "records:person:read"
    DOCUMENT_READ = "records:document:read"
    DOCUMENT_ADDED = "records:document:added"
    CASE_UPDATED = "records:case:updated"
    SAR_EXTENDED = "sar:request:extended"
    HOLD_PLACED = "retention:hold:placed"
    SIGNED_IN = "auth:signin:succeeded"


_TAG_MIX: tuple[tuple[BenchTag, str, int], ...] = (
    # tag, subject type, weight
    (BenchTag.CASE_READ, "case", 30),
    (BenchTag.PERSON_READ, "person", 25),
    (BenchTag.DOCUMENT_READ, "document", 20),
    (BenchTag.DOCUMENT_ADDED, "document", 8),
    (BenchTag.CASE_UPDATED, "case", 8),
    (BenchTag.SAR_EXTENDED, "sar", 2),
    (BenchTag.HOLD_PLACED, "hold", 2),
    (BenchTag.SIGNED_IN, "user", 5),
)
_TAGS = [t for t, _, _ in _TAG_MIX]
_SUBJECT_TYPES = {t: s for t, s, _ in _TAG_MIX}
_WEIGHTS = [w for _, _, w in _TAG_MIX]


@dataclass(frozen=True, slots=True)
class Event:
    actor: Actor
    tag: BenchTag
    subject_type: str
    subject_id: int
    details: dict[str, int | str]


class EventSource:
    """Seeded, realistic events: ids and tags only, as the trail allows."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._actors = [Actor.user(i, Role.CASEWORKER) for i in range(1, 501)]

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next(self) -> Event:
        rng = self._rng
        tag = rng.choices(_TAGS, _WEIGHTS)[0]
        subject_type = _SUBJECT_TYPES[tag]
        case_id = rng.randrange(1, 1_500_000)
        details: dict[str, int | str]
        if subject_type == "document":
            details = {
                "case_id": case_id,
                "document_id": self._uuid(),
                "version": rng.randint(1, 4),
            }
        elif subject_type == "person":
            details = {"case_id": case_id, "via": rng.choice(["case_page", "search", "api"])}
        elif subject_type == "user":
            details = {"method": "password_totp", "session": self._uuid()[:8]}
        else:
            details = {"case_id": case_id, "reason": rng.choice(["statutory", "review", "hold"])}
        return Event(
            actor=rng.choice(self._actors),
            tag=tag,
            subject_type=subject_type,
            subject_id=rng.randrange(1, 5_000_000),
            details=details,
        )

    def take(self, n: int) -> list[Event]:
        return [self.next() for _ in range(n)]


# --- the peer's table: the same columns, no chain ----------------------------------------

_PEER_METADATA = MetaData()
PLAIN_EVENTS = Table(
    "bench_plain_events",
    _PEER_METADATA,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", Integer),
    Column("tag", String(64), nullable=False),
    Column("subject_type", String(32)),
    Column("subject_id", String(64)),
    Column("details", Text, nullable=False),
    Index("ix_bench_plain_events_actor_id", "actor_id"),
    Index("ix_bench_plain_events_tag", "tag"),
)


# --- (a) append rate ----------------------------------------------------------------------


def _tx_ours(factory: sessionmaker[Session], events: list[Event]) -> float:
    t0 = perf_counter()
    with session_scope(factory) as db:
        for ev in events:
            audit.record(
                db,
                ev.actor,
                ev.tag,
                subject_type=ev.subject_type,
                subject_id=ev.subject_id,
                details=ev.details,
            )
    return perf_counter() - t0


# Built once and executed with a parameter dict: the cheapest way SQLAlchemy writes a row, so
# the peer is the floor for "the same row, no chain", not a strawman.
_PLAIN_INSERT = insert(PLAIN_EVENTS)


def _tx_peer(factory: sessionmaker[Session], events: list[Event]) -> float:
    t0 = perf_counter()
    with session_scope(factory) as db:
        for ev in events:
            # The same row contents as record() writes (time, ids, validated details), no chain.
            db.execute(
                _PLAIN_INSERT,
                {
                    "occurred_at": clock.now(),
                    "actor_kind": ev.actor.kind.value,
                    "actor_id": ev.actor.user_id,
                    "tag": ev.tag.value,
                    "subject_type": ev.subject_type,
                    "subject_id": str(ev.subject_id),
                    "details": audit.canonical_details(ev.details),
                },
            )
    return perf_counter() - t0


def _percentile_ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3, 2)


def _block_rates(times: list[float], per_tx: int) -> list[float]:
    size = max(1, len(times) // APPEND_BLOCKS)
    blocks = [times[i : i + size] for i in range(0, size * APPEND_BLOCKS, size)]
    return [per_tx * len(b) / sum(b) for b in blocks if b]


def measure_appends(backend: Backend, sizes: Sizes, source: EventSource) -> dict[str, Any]:
    _PEER_METADATA.create_all(backend.engine)
    factory = make_sessionmaker(backend.engine)
    for _ in range(sizes.warmup):
        _tx_ours(factory, source.take(1))
        _tx_peer(factory, source.take(1))

    ours: dict[str, int] = {}
    peer: dict[str, int] = {}
    latency: dict[str, dict[str, dict[str, float]]] = {}
    for per_tx in sizes.per_tx:
        key = f"{per_tx}_per_tx"
        times: dict[str, list[float]] = {"ours": [], "peer": []}
        # Interleaved transaction by transaction, first mover alternating, each pair on the
        # same events: a burst of noise on the shared machine (or a slow fsync) hits both.
        for i in range(sizes.appends // per_tx):
            events = source.take(per_tx)
            if i % 2 == 0:
                times["ours"].append(_tx_ours(factory, events))
                times["peer"].append(_tx_peer(factory, events))
            else:
                times["peer"].append(_tx_peer(factory, events))
                times["ours"].append(_tx_ours(factory, events))
        n = per_tx * len(times["ours"])
        ours[key] = round(n / sum(times["ours"]))
        peer[key] = round(n / sum(times["peer"]))
        latency[key] = {
            side: {
                "p50_ms": _percentile_ms(t, 0.5),
                "p95_ms": _percentile_ms(t, 0.95),
                "events_per_s_over_blocks": spread(_block_rates(t, per_tx), 0),
            }
            for side, t in times.items()
        }
        log(
            f"{backend.name}: append {per_tx}/tx: ours {ours[key]:,} ev/s, "
            f"peer {peer[key]:,} ev/s ({n:,} events each)"
        )
    with session_scope(factory) as db:
        check = audit.verify(db)
    assert check.ok, check
    return {"ours": ours, "peer": peer, "tx_latency": latency}


# --- (b) verify ---------------------------------------------------------------------------


def _head(conn: Any) -> tuple[int, str]:
    row = conn.execute(
        select(audit.AuditHead.seq, audit.AuditHead.hash).where(audit.AuditHead.id == 1)
    ).first()
    return (row.seq, row.hash) if row else (0, audit.GENESIS_HASH)


def extend_chain(backend: Backend, target: int, source: EventSource, batch: int = 20_000) -> float:
    """Append events up to seq ``target``, hashed exactly as record() does, in bulk."""
    table = audit.AuditEvent.__table__
    chain_key = audit.keys_for(backend.engine).chain
    t0 = perf_counter()
    with backend.engine.begin() as conn:
        seq, prev = _head(conn)
        last_at = conn.execute(
            select(audit.AuditEvent.occurred_at).where(audit.AuditEvent.seq == seq)
        ).scalar()
    at: datetime = last_at or clock.now()
    rng = random.Random(SEED + seq)
    while seq < target:
        rows = []
        for _ in range(min(batch, target - seq)):
            seq += 1
            ev = source.next()
            at += timedelta(microseconds=rng.randrange(1, 2_000_000))
            fields = {
                "seq": seq,
                "occurred_at": at,
                "actor_kind": ev.actor.kind.value,
                "actor_id": ev.actor.user_id,
                "tag": ev.tag.value,
                "subject_type": ev.subject_type,
                "subject_id": str(ev.subject_id),
                "details": audit.canonical_details(ev.details),
            }
            digest = audit.chain_hash(chain_key, prev, **fields)
            rows.append({**fields, "prev_hash": prev, "hash": digest})
            prev = digest
        with backend.engine.begin() as conn:
            conn.execute(insert(table), rows)
            updated = conn.execute(
                update(audit.AuditHead).where(audit.AuditHead.id == 1).values(seq=seq, hash=prev)
            )
            if updated.rowcount == 0:
                conn.execute(insert(audit.AuditHead).values(id=1, seq=seq, hash=prev))
    return perf_counter() - t0


def _peak_rss_mb() -> float:
    # VmHWM is this process image's own peak. getrusage's ru_maxrss would do elsewhere, but on
    # Linux it survives fork+exec, so a spawned child would report the parent's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


_VERIFY_COLUMNS = (
    audit.AuditEvent.seq,
    audit.AuditEvent.occurred_at,
    audit.AuditEvent.actor_kind,
    audit.AuditEvent.actor_id,
    audit.AuditEvent.tag,
    audit.AuditEvent.subject_type,
    audit.AuditEvent.subject_id,
    audit.AuditEvent.details,
    audit.AuditEvent.prev_hash,
    audit.AuditEvent.hash,
)


def _count(rows: Any) -> int:
    n = 0
    for _seq, _at, _kind, _actor, _tag, _st, _sid, _details, _prev, _hash in rows:
        n += 1
    return n


def _plain_scan(db: Session, *, batch: int = 10_000) -> int:
    """The peer: every column of every row, in order, with a plain Core SELECT; no hashing."""
    table = audit.AuditEvent.__table__
    columns = [table.c[c.key] for c in _VERIFY_COLUMNS]
    query = select(*columns).order_by(table.c.seq).execution_options(yield_per=batch)
    return _count(db.execute(query))


def _verify_query_only(db: Session, *, batch: int = 10_000) -> int:
    """verify()'s own query (ORM-annotated columns) and row unpacking, minus the hashing:
    ours minus this is the hashing; this minus the peer is the query layer's overhead."""
    query = (
        select(*_VERIFY_COLUMNS).order_by(audit.AuditEvent.seq).execution_options(yield_per=batch)
    )
    return _count(db.execute(query))


def _verify_in_child(data_dir: str, database_url: str | None, side: str) -> dict[str, Any]:
    """Runs in a fresh process: its peak RSS is this verify's (plus the interpreter's)."""
    engine = make_engine(bench_settings(Path(data_dir), database_url))
    try:
        with make_sessionmaker(engine)() as db:
            db.execute(select(1))  # connect and key the database before the clock starts
            rss_before = _peak_rss_mb()
            t0 = perf_counter()
            if side == "ours":
                result = audit.verify(db)
                ok, events, problem = result.ok, result.events, result.problem
            else:
                scan = _plain_scan if side == "peer" else _verify_query_only
                events, ok, problem = scan(db), True, None
            seconds = perf_counter() - t0
        return {
            "seconds": seconds,
            "ok": ok,
            "events": events,
            "problem": problem,
            "rss_before_mb": rss_before,
            "peak_rss_mb": _peak_rss_mb(),
        }
    finally:
        engine.dispose()


def _in_fresh_process(backend: Backend, side: str) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_verify_in_child, (str(backend.data_dir), backend.database_url, side))


def _storage_mb(backend: Backend) -> float:
    if backend.name == "sqlite":
        files = backend.data_dir.glob("steward.db*")
        return round(sum(f.stat().st_size for f in files) / 2**20, 1)
    with backend.engine.connect() as conn:
        size = conn.execute(text("SELECT pg_total_relation_size('audit_events')")).scalar()
    return round(int(size or 0) / 2**20, 1)


def measure_verify(backend: Backend, sizes: Sizes, source: EventSource) -> dict[str, Any]:
    ours: dict[str, dict[str, float]] = {"verify_s": {}, "verify_peak_rss_mb": {}}
    peer: dict[str, dict[str, float]] = {"verify_s": {}, "verify_peak_rss_mb": {}}
    context: dict[str, Any] = {
        "generate_s": {},
        "storage_mb": {},
        "spread_s": {},
        "rss_growth_mb": {},
        "verify_query_only_s": {},
    }
    for target in sizes.verify_at:
        key = str(target)
        context["generate_s"][key] = round(extend_chain(backend, target, source), 1)
        context["storage_mb"][key] = _storage_mb(backend)
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": [], "query_only": []}
        sides = list(runs)
        for r in range(sizes.verify_repeats):
            for side in sides if r % 2 else reversed(sides):
                run = _in_fresh_process(backend, side)
                assert run["events"] == target, (side, run)
                assert run["ok"], (side, run)
                runs[side].append(run)
        spreads = {side: spread([r["seconds"] for r in runs[side]]) for side in runs}
        for side, out in (("ours", ours), ("peer", peer)):
            out["verify_s"][key] = spreads[side]["median"]
            out["verify_peak_rss_mb"][key] = round(max(r["peak_rss_mb"] for r in runs[side]), 1)
        context["verify_query_only_s"][key] = spreads["query_only"]["median"]
        context["spread_s"][key] = spreads
        context["rss_growth_mb"][key] = {
            side: round(max(r["peak_rss_mb"] - r["rss_before_mb"] for r in runs[side]), 1)
            for side in runs
        }
        log(
            f"{backend.name}: verify {target:,}: ours {ours['verify_s'][key]} s, "
            f"its query alone {context['verify_query_only_s'][key]} s, "
            f"plain scan {peer['verify_s'][key]} s, peak RSS {ours['verify_peak_rss_mb'][key]} MB"
        )
    return {"ours": ours, "peer": peer, "context": context}


# --- the benchmark ------------------------------------------------------------------------


def bench_backend(backend: Backend, sizes: Sizes) -> dict[str, Any]:
    migrate.upgrade(backend.engine)
    source = EventSource(SEED)
    appends = measure_appends(backend, sizes, source)
    verify = measure_verify(backend, sizes, source)
    ours = {"append_events_per_s": appends["ours"], **verify["ours"]}
    peer = {"append_events_per_s": appends["peer"], **verify["peer"]}
    verify_1m = ours["verify_s"].get(str(GOAL_VERIFY_AT))
    return {
        "ours": ours,
        "peer": peer,
        "ratio": ratios(ours, peer),
        "meets_goal": {
            "append_events_per_s": {
                k: v >= GOAL_APPEND_EVENTS_PER_S for k, v in appends["ours"].items()
            },
            "verify_1m_s": None if verify_1m is None else verify_1m <= GOAL_VERIFY_1M_S,
        },
        "context": {
            **backend.context,
            "append_tx_latency": appends["tx_latency"],
            **verify["context"],
        },
    }


def run(quick: bool) -> dict[str, Any]:
    sizes = QUICK if quick else FULL
    postgres_url = backends.postgres_url()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="steward-bench-audit-") as tmp_name:
        tmp = Path(tmp_name)
        with sqlite_backend(tmp) as backend:
            results["sqlite"] = bench_backend(backend, sizes)
        if postgres_url:
            with postgres_backend(tmp, postgres_url, PG_SCHEMA) as pg:
                if pg is not None:
                    results["postgresql"] = bench_backend(pg, sizes)
    return {
        "quick": quick,
        "ours": {name: r["ours"] for name, r in results.items()},
        "peer": {name: r["peer"] for name, r in results.items()},
        "ratio": {name: r["ratio"] for name, r in results.items()},
        "goal": {
            "append_events_per_s": f">= {GOAL_APPEND_EVENTS_PER_S}",
            "verify_1m_s": f"<= {GOAL_VERIFY_1M_S}",
        },
        "meets_goal": {name: r["meets_goal"] for name, r in results.items()},
        "sizes": {
            "append_events_per_tx_size": sizes.appends,
            "per_tx": list(sizes.per_tx),
            "verify_at": list(sizes.verify_at),
            "verify_repeats": sizes.verify_repeats,
            "append_blocks": APPEND_BLOCKS,
        },
        "seeds": {"events": SEED, "bulk_chain_time_steps": f"{SEED} + seq at each extension"},
        "peers": {
            "append": "same event rows, plain INSERT into an equivalent table with no chain "
            "(no prev_hash/hash, no head row), same sessions and transaction sizes",
            "verify": "plain full scan of the same rows and columns (Core SELECT ordered by seq, "
            "same batch size), no hashing; context.verify_query_only_s is verify's own query "
            "without hashing",
        },
        "context": {name: r["context"] for name, r in results.items()},
    }


# --- the tables in bench/README.md -------------------------------------------------------


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown, times

    appends, verifies = [], []
    for backend, ours in result["ours"].items():
        peer, ratio = result["peer"][backend], result["ratio"][backend]
        context = result["context"][backend]
        for key, rate in ours["append_events_per_s"].items():
            latency = context["append_tx_latency"][key]
            blocks = latency["ours"]["events_per_s_over_blocks"]
            appends.append(
                [
                    backend,
                    key.split("_")[0],
                    f"{figure(rate, 0)} ({figure(blocks['min'], 0)}-{figure(blocks['max'], 0)})",
                    figure(peer["append_events_per_s"][key], 0),
                    times(ratio["append_events_per_s"].get(key)),
                    f"{latency['ours']['p50_ms']} / {latency['ours']['p95_ms']}",
                ]
            )
        for key, seconds in ours["verify_s"].items():
            runs = context["spread_s"][key]["ours"]
            verifies.append(
                [
                    backend,
                    f"{int(key):,}",
                    f"{figure(seconds, 2)} ({figure(runs['min'], 2)}-{figure(runs['max'], 2)})",
                    figure(context["verify_query_only_s"][key], 2),
                    figure(peer["verify_s"][key], 2),
                    times(ratio["verify_s"].get(key)),
                    f"{figure(ours['verify_peak_rss_mb'][key], 0)} MB",
                    f"{runs['n']}",
                ]
            )
    return {
        "append": markdown(
            [
                "backend",
                "events / transaction",
                "ours events/s (block min-max)",
                "plain INSERT events/s",
                "ratio (ours / plain)",
                "ours ms per transaction p50 / p95",
            ],
            appends,
        ),
        "verify": markdown(
            [
                "backend",
                "events",
                "ours `verify` s (min-max)",
                "its query alone s",
                "plain scan s",
                "ratio (scan / ours)",
                "ours peak RSS",
                "repeats",
            ],
            verifies,
        ),
    }
