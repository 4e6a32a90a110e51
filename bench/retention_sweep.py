"""BENCHMARKS.md section 3: the retention sweep, set-based SQL against the per-record ORM loop.

Work: for every case, its disposal date under the approved default schedule (the youngest
child reaches 25, the adoption order plus 100 years, ...), its due action, and whether a
hold blocks it.

Ours: ``evaluate.evaluate`` (one INSERT ... SELECT per rule, facts from correlated
aggregates over parties and persons) then one aggregate over the due-list query with its
hold check for every dated case, in one transaction, on the SQLCipher file.
Peer: the straightforward loop over the same database: each case loaded through the ORM with
its parties and persons (selectinload, 1,000 at a time), its date computed by the same pure
rule (``policy.evaluate``), its hold checked with one query, its row written with
``Session.merge``. At 1M the peer runs on the first 20,000 cases and its time is
extrapolated linearly (``peer.sampled``); at 100k on the first 10,000 likewise; ``--quick``
runs both on everything.

Each side runs in its own fresh process, so ``peak_rss_mb`` (VmHWM) is its own; the peer's
writes are rolled back so ours and the peer see the same data. Sizes: 100k and 1M cases
(``--quick``: 2,000). The generated database is cached under bench/generated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from bench import log
from bench.data import retention as data

FAR = date(2200, 1, 1)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ours(directory: Path) -> dict[str, Any]:
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.retention.models import RecordKind, retention_dates
    from steward.retention.service import evaluate, holds, schedules

    engine = make_engine(data.settings_for(directory))
    with session_scope(make_sessionmaker(engine)) as db:
        schedule = schedules.require_approved(db)
        rules = schedules.parsed_rules(schedule)
        start = perf_counter()
        result = evaluate.evaluate(db, schedule, rules)
        swept = perf_counter() - start
        # Every record's hold status and due action, decided set-based: membership of the
        # held set (computed once from the holds), and the count due by action as of today.
        rd = retention_dates
        held = db.scalar(
            select(func.count()).where(
                rd.c.schedule_id == schedule.id,
                rd.c.record_kind == RecordKind.CASE.value,
                rd.c.record_id.in_(holds.held_ids(RecordKind.CASE)),
            )
        )
        by_action = db.execute(
            select(
                rd.c.action,
                func.count(rd.c.due_on),
                func.sum(case((rd.c.due_on <= date.today(), 1), else_=0)),
            )
            .where(rd.c.schedule_id == schedule.id)
            .group_by(rd.c.action)
        ).all()
        elapsed = perf_counter() - start
        total = sum(int(n) for _, n, _ in by_action)
        due_now = {str(a): int(d or 0) for a, _, d in by_action}
    engine.dispose()
    return {
        "seconds": round(elapsed, 2),
        "sweep_seconds": round(swept, 2),
        "records": result.scheduled,
        "rows_changed": result.changed,
        "dated": total,
        "held": int(held or 0),
        "due_today_by_action": due_now,
        "peak_rss_mb": round(_rss_mb(), 1),
    }


def _peer(directory: Path, limit: int) -> dict[str, Any]:
    from steward.core.db import make_engine, make_sessionmaker
    from steward.records.models import Case, Party
    from steward.retention import policy
    from steward.retention.models import RecordKind, RetentionDate
    from steward.retention.service import dates, evaluate, holds, schedules

    engine = make_engine(data.settings_for(directory))
    db = make_sessionmaker(engine)()
    schedule = schedules.require_approved(db)
    rules = schedules.parsed_rules(schedule)
    governing = {
        cid: (r.id, rules[r.class_code]) for cid, r in evaluate.class_rules(db, schedule).items()
    }
    start = perf_counter()
    count = 0
    query = (
        select(Case)
        .order_by(Case.id)
        .limit(limit)
        .options(selectinload(Case.parties).selectinload(Party.person))
        .execution_options(yield_per=1000)
    )
    for record in db.scalars(query):
        rule_id, rule = governing[record.record_class_id]
        facts = (
            dates.facts_for_case(db, record)
            if rule.trigger.__class__.__name__ == "EventTrigger"
            else policy.RecordFacts(
                record.opened_on,
                record.closed_on,
                None,
                record.status == "open",
                [
                    policy.PersonFacts(p.role, p.person.date_of_birth, p.person.date_of_death)
                    for p in record.parties
                ],
            )
        )
        result = policy.evaluate(rule, facts)
        holds.is_held(db, RecordKind.CASE, record.id)
        db.merge(
            RetentionDate(
                schedule_id=schedule.id,
                record_kind=RecordKind.CASE,
                record_id=record.id,
                rule_id=rule_id,
                trigger_on=result.trigger_on,
                due_on=result.due_on,
                action=rule.action.value,
                note=result.note,
            )
        )
        count += 1
        if count % 1000 == 0:
            db.flush()
    db.flush()
    elapsed = perf_counter() - start
    db.rollback()
    db.close()
    engine.dispose()
    return {"seconds": round(elapsed, 2), "records": count, "peak_rss_mb": round(_rss_mb(), 1)}


def _worker(side: str, directory: str, limit: int) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this module, fixed arguments
        [sys.executable, "-m", "bench.retention_sweep", "--worker", side, directory, str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _size(cases: int, peer_limit: int) -> dict[str, Any]:
    generated = data.generate(cases)
    directory = str(generated.settings.data_dir)
    log(f"retention_sweep: {cases:,} cases - ours")
    ours = _worker("ours", directory, 0)
    log(f"retention_sweep: {cases:,} cases - peer on {min(peer_limit, cases):,}")
    peer = _worker("peer", directory, peer_limit)
    sampled = peer["records"] < cases
    peer_full = peer["seconds"] * cases / max(peer["records"], 1)
    return {
        "cases": cases,
        "persons": generated.persons,
        "ours": ours,
        "peer": {**peer, "sampled": sampled, "extrapolated_seconds": round(peer_full, 1)},
        "speedup": round(peer_full / max(ours["seconds"], 1e-9), 1),
        "goal": "1M in <= 5 s on SQLite and >= 50x the loop",
    }


def run(quick: bool) -> dict[str, Any]:
    sizes = [(2_000, 2_000)] if quick else [(100_000, 10_000), (1_000_000, 20_000)]
    results = [_size(cases, limit) for cases, limit in sizes]
    last = results[-1]
    return {
        "ours": {f"{r['cases']}": r["ours"] for r in results},
        "peer": {f"{r['cases']}": r["peer"] for r in results},
        "ratio": last["speedup"],
        "sizes": results,
        "backend": "sqlcipher",
    }


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        side, directory, limit = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        body = _ours(directory) if side == "ours" else _peer(directory, limit)
        print(json.dumps(body))
    else:
        print(json.dumps(run("--quick" in sys.argv)))
