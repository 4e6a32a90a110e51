"""BENCHMARKS.md section 3: the retention sweep, set-based SQL against the per-record ORM loop.

Work: for every case, its disposal date under the approved default schedule (the youngest
child reaches 25, the adoption order plus 100 years, ...), its due action, and whether a
hold blocks it, written to ``retention_dates`` and committed.

Ours: ``evaluate.evaluate`` (one INSERT ... SELECT per rule, facts from correlated
aggregates over parties and persons), then the held count and the due count by action, set
based, in one transaction, committed. ``context`` also gives ours re-sweeping its own result
straight after (nothing changed, nothing written): the nightly case.
Peer: the straightforward loop over the same data: each case loaded through the ORM with its
parties and persons (selectinload, 1,000 at a time), its date computed by the same pure rule
(``policy.evaluate``), its hold checked with one query, its row written with
``Session.merge``, committed.

Method: the data are generated once per size (fixed seed, cached under bench/generated) with
no dates stored. Every repeat, each side (and each peer run) starts from its own fresh copy
of that database, in its own fresh process (so ``peak_rss_mb``, VmHWM, is its own); who goes
first alternates between repeats. The peer runs over the whole data set, except where a
size lists smaller peer limits: it is then timed on the first N cases at two N, and the
seconds per case at the two are reported (``extrapolation_check``: 1.0 means linear), so the
extrapolation to the whole set is shown to hold rather than assumed. After each repeat the
dates, rule, action and hold status the peer computed are compared with ours, record by
record: any difference fails the benchmark. ``ratio`` = peer time / our time (median over
repeats; the spread is reported). Sizes: 100k (peer over all of it) and 1M (peer on the first
20k and 100k); ``--quick``: 2,000. ``BENCH_RETENTION_SIZES=100000`` runs only the sizes given.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from itertools import zip_longest
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from bench import log, ratios, spread
from bench.data import retention as data

SEED = data.DEFAULT_SEED
GOAL_SWEEP_1M_S = 5.0
GOAL_SPEEDUP = 50.0


@dataclass(frozen=True)
class Size:
    cases: int
    peer_limits: tuple[int, ...]  # the whole set, or two prefixes to show linearity
    repeats: int


FULL = (Size(100_000, (100_000,), 3), Size(1_000_000, (20_000, 100_000), 2))
QUICK = (Size(2_000, (2_000,), 2),)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the two sides, each run in a fresh process on its own copy ---------------------------


def _ours(directory: Path) -> dict[str, Any]:
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.retention.models import RecordKind, retention_dates
    from steward.retention.service import evaluate, holds, schedules

    engine = make_engine(data.settings_for(directory))
    factory = make_sessionmaker(engine)
    with factory() as db:
        db.execute(select(1))  # connect and key SQLCipher before the clock starts
    out: dict[str, Any] = {}
    for phase in ("sweep", "resweep"):
        start = perf_counter()
        with session_scope(factory) as db:
            schedule = schedules.require_approved(db)
            result = evaluate.evaluate(db, schedule, schedules.parsed_rules(schedule))
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
        out[f"{phase}_s"] = perf_counter() - start
        out[f"{phase}_rows_changed"] = result.changed
        out["records"] = result.scheduled
        out["held"] = int(held or 0)
        out["dated"] = sum(int(n) for _, n, _ in by_action)
        out["due_today_by_action"] = {str(a): int(d or 0) for a, _, d in by_action}
    engine.dispose()
    return {**out, "peak_rss_mb": round(_rss_mb(), 1)}


def _peer(directory: Path, limit: int) -> dict[str, Any]:
    from steward.core.db import make_engine, make_sessionmaker
    from steward.records.models import Case, Party
    from steward.retention import policy
    from steward.retention.models import RecordKind, RetentionDate
    from steward.retention.service import dates, evaluate, holds, schedules

    engine = make_engine(data.settings_for(directory))
    db = make_sessionmaker(engine)()
    db.execute(select(1))
    start = perf_counter()
    schedule = schedules.require_approved(db)
    rules = schedules.parsed_rules(schedule)
    governing = {
        cid: (r.id, rules[r.class_code]) for cid, r in evaluate.class_rules(db, schedule).items()
    }
    count = held = 0
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
        held += holds.is_held(db, RecordKind.CASE, record.id)
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
    db.commit()
    elapsed = perf_counter() - start
    db.close()
    engine.dispose()
    return {"s": elapsed, "records": count, "held": held, "peak_rss_mb": round(_rss_mb(), 1)}


def _worker(side: str, directory: Path, limit: int = 0) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this module, fixed arguments
        [sys.executable, "-m", "bench.retention_sweep", "--worker", side, str(directory), str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- the check: the peer's answers are ours ------------------------------------------------


def _compare(ours_dir: Path, peer_dir: Path, limit: int) -> dict[str, int]:
    """Every case up to ``limit``: the same rule, trigger date, due date and action on both
    sides, and the same number held. Raises AssertionError on the first difference."""
    from steward.core.db import make_engine, make_sessionmaker
    from steward.records.models import Case
    from steward.retention.models import RecordKind, retention_dates
    from steward.retention.service import holds

    rd = retention_dates
    query = (
        select(rd.c.record_id, rd.c.rule_id, rd.c.trigger_on, rd.c.due_on, rd.c.action)
        .where(rd.c.record_kind == RecordKind.CASE.value, rd.c.record_id <= limit)
        .order_by(rd.c.record_id)
        .execution_options(yield_per=20_000)
    )
    engines = [make_engine(data.settings_for(d)) for d in (ours_dir, peer_dir)]
    try:
        ours_db, peer_db = (make_sessionmaker(e)() for e in engines)
        compared = 0
        for mine, theirs in zip_longest(ours_db.execute(query), peer_db.execute(query)):
            if mine is None or theirs is None or tuple(mine) != tuple(theirs):
                raise AssertionError(f"retention dates differ: ours {mine}, loop {theirs}")
            compared += 1
        held = ours_db.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.id <= limit, Case.id.in_(holds.held_ids(RecordKind.CASE)))
        )
        ours_db.close()
        peer_db.close()
    finally:
        for engine in engines:
            engine.dispose()
    return {"records_compared": compared, "held_by_ours": int(held or 0)}


# --- repeats -------------------------------------------------------------------------------


def _fresh_copy(master: Path, into: Path) -> Path:
    shutil.copytree(master, into, ignore=shutil.ignore_patterns("complete"))
    return into


def _repeat(master: Path, size: Size, r: int, work: Path) -> dict[str, Any]:
    """One repeat: ours and every peer run, each on a fresh copy, first mover alternating;
    then the peer's answers checked against ours."""
    runs: dict[str, Any] = {}
    dirs: dict[str, Path] = {}
    order = ["ours", *[f"peer_{n}" for n in size.peer_limits]]
    if r % 2:
        order.reverse()
    for name in order:
        dirs[name] = _fresh_copy(master, work / f"r{r}-{name}")
        if name == "ours":
            runs[name] = _worker("ours", dirs[name])
        else:
            limit = int(name.removeprefix("peer_"))
            runs[name] = _worker("peer", dirs[name], limit)
        log(f"retention_sweep {size.cases:,} repeat {r + 1}: {name} {_seconds(runs[name]):.2f} s")
    for limit in size.peer_limits:
        name = f"peer_{limit}"
        check = _compare(dirs["ours"], dirs[name], limit)
        expected = min(limit, size.cases)
        assert check["records_compared"] == runs[name]["records"] == expected, (check, runs[name])
        assert check["held_by_ours"] == runs[name]["held"], (check, runs[name])
        runs[name]["check"] = check
    for directory in dirs.values():
        shutil.rmtree(directory, ignore_errors=True)
    return runs


def _seconds(run: dict[str, Any]) -> float:
    return float(run["sweep_s"] if "sweep_s" in run else run["s"])


def _size(size: Size, work: Path) -> dict[str, Any]:
    generated = data.generate(size.cases, seed=SEED)
    master = generated.settings.data_dir
    repeats = [_repeat(master, size, r, work) for r in range(size.repeats)]
    ours_s = [r["ours"]["sweep_s"] for r in repeats]
    peers: dict[str, Any] = {}
    for limit in size.peer_limits:
        samples = [r[f"peer_{limit}"]["s"] for r in repeats]
        records = repeats[0][f"peer_{limit}"]["records"]
        peers[str(limit)] = {
            "records": records,
            "s": spread(samples, 2),
            "s_per_1k_records": round(1000 * statistics.median(samples) / records, 4),
            "peak_rss_mb": max(r[f"peer_{limit}"]["peak_rss_mb"] for r in repeats),
        }
    largest = str(max(size.peer_limits))
    per_record = statistics.median([r[f"peer_{largest}"]["s"] for r in repeats]) / int(
        peers[largest]["records"]
    )
    peer_s = per_record * size.cases
    ours_median = statistics.median(ours_s)
    first = repeats[0]["ours"]
    check: dict[str, Any] = {
        "dates_equal": True,  # _repeat raises otherwise
        "records_compared_per_repeat": {k: v["records"] for k, v in peers.items()},
    }
    if len(size.peer_limits) > 1:
        low, high = (peers[str(n)]["s_per_1k_records"] for n in sorted(size.peer_limits)[:2])
        check["extrapolation_check"] = round(high / low, 3)
    return {
        "cases": size.cases,
        "persons": generated.persons,
        "repeats": size.repeats,
        "ours": {
            "sweep_s": round(ours_median, 3),
            "peak_rss_mb": max(r["ours"]["peak_rss_mb"] for r in repeats),
        },
        "peer": {
            "sweep_s": round(peer_s, 2),
            "timed_on_whole_set": max(size.peer_limits) >= size.cases,
            "peak_rss_mb": max(p["peak_rss_mb"] for p in peers.values()),
        },
        "spread": {"ours_sweep_s": spread(ours_s), "peer_runs": peers},
        "check": check,
        "context": {
            "ours_resweep_s": spread([r["ours"]["resweep_s"] for r in repeats]),
            "ours_rows_written": first["sweep_rows_changed"],
            "ours_resweep_rows_written": first["resweep_rows_changed"],
            "records": first["records"],
            "dated": first["dated"],
            "held": first["held"],
            "due_today_by_action": first["due_today_by_action"],
        },
    }


def _sizes(quick: bool) -> tuple[Size, ...]:
    chosen = QUICK if quick else FULL
    wanted = os.environ.get("BENCH_RETENTION_SIZES")
    if wanted:
        keep = {int(n) for n in wanted.split(",")}
        chosen = tuple(s for s in chosen if s.cases in keep)
    return chosen


def run(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="steward-bench-retention-") as tmp:
        results = [_size(size, Path(tmp)) for size in _sizes(quick)]
    ours = {str(r["cases"]): r["ours"] for r in results}
    peer = {str(r["cases"]): r["peer"] for r in results}
    at_1m = ours.get("1000000")
    return {
        "ours": ours,
        "peer": peer,
        "ratio": ratios(ours, peer),
        "goal": {"sweep_1m_s": f"<= {GOAL_SWEEP_1M_S}", "ratio": f">= {GOAL_SPEEDUP}"},
        "meets_goal": {
            "sweep_1m_s": None if at_1m is None else at_1m["sweep_s"] <= GOAL_SWEEP_1M_S,
            "ratio": {
                str(r["cases"]): r["peer"]["sweep_s"] / r["ours"]["sweep_s"] >= GOAL_SPEEDUP
                for r in results
            },
        },
        "sizes": {"cases": [r["cases"] for r in results], "detail": results},
        "seeds": {"data": SEED, "holds": SEED + 1},
        "backend": "sqlcipher",
        "peers": {
            "sweep": "per-record ORM loop: each case with its parties and persons through the "
            "ORM, the same pure rule (policy.evaluate), one hold query, Session.merge, committed",
        },
    }


# --- the table in bench/README.md and docs/retention.md ------------------------------------


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown, times

    rows = []
    for detail in result["sizes"]["detail"]:
        key = str(detail["cases"])
        ours_spread = detail["spread"]["ours_sweep_s"]
        peer_runs = detail["spread"]["peer_runs"]
        timed = ", ".join(
            f"{figure(run['s']['median'], 1)} s for {int(limit):,}"
            f" ({figure(run['s']['min'], 1)}-{figure(run['s']['max'], 1)})"
            for limit, run in peer_runs.items()
        )
        check = detail["check"].get("extrapolation_check")
        rows.append(
            [
                f"{detail['cases']:,}",
                f"{figure(ours_spread['median'], 2)} s ({figure(ours_spread['min'], 2)}"
                f"-{figure(ours_spread['max'], 2)})",
                f"{figure(detail['peer']['sweep_s'], 1)} s"
                + ("" if detail["peer"]["timed_on_whole_set"] else " (extrapolated)"),
                timed + ("" if check is None else f"; per case, larger / smaller: {check:.2f}"),
                times(result["ratio"][key]["sweep_s"]),
                f"{figure(detail['ours']['peak_rss_mb'], 0)} / "
                f"{figure(detail['peer']['peak_rss_mb'], 0)} MB",
                f"{figure(detail['context']['ours_resweep_s']['median'], 2)} s",
                f"{detail['repeats']}",
                "equal" if detail["check"]["dates_equal"] else "DIFFER",
            ]
        )
    header = [
        "cases",
        "ours: sweep (min-max)",
        "loop: whole set",
        "loop timed: median s (min-max)",
        "ratio (loop / ours)",
        "peak RSS ours / loop",
        "ours re-sweep",
        "repeats",
        "dates",
    ]
    return {"sweep": markdown(header, rows)}


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        side, directory, limit = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        body = _ours(directory) if side == "ours" else _peer(directory, limit)
        print(json.dumps(body))
    else:
        print(json.dumps(run("--quick" in sys.argv)))
