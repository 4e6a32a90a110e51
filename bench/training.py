"""The training compliance report at 5,000 staff and 100,000 completions, on the embedded
SQLCipher file and on PostgreSQL, beside the straightforward per-person loop.

Work: the DPO's report as the dashboard, the API and `steward training report` build it
(``training.service.report.build``): the organisation's figure, each team's, course's,
employment type's and topic's, everyone not compliant with what they lack, and the figure
at each of the last twelve month ends; audited and committed, one unit of work.

Ours: ``report.build`` (four queries for the as-of figures, four for the trend, the rules
applied in Python: training/service/compliance.py and trend.py). Also timed on their own:
the as-of figures without the trend (``as_of_s``) and the trend alone (``trend_s``).
Peer: the loop a first version would write, on the same data and the same rules
(``policy.standing``): every member of staff in scope through the ORM, every requirement
in force, the audience checked, and one query per person and course for the latest counting
completion (``gate``'s own query), then the same counting. It is timed in full on the as-of
figures (one day) and on three days (the as-of date and two month ends); its time for the
whole report (thirteen days) is the three-day run's per-day time times thirteen, and the
per-day times at one and three days are compared (``extrapolation_check``: 1.0 means
linear). Its figures are checked against ours, every one, on every day it computes: any
difference fails the benchmark.

Method: the data are generated once (bench/data/training.py, fixed seed) into each backend.
Every run is a fresh process (``peak_rss_mb`` is VmHWM, ``baseline_rss_mb`` the same process
after its imports and first query, before the work); ours repeats the report seven times in
a process and the median is taken; the two sides alternate who goes first over two rounds.
``--quick``: 500 staff, 10,000 completions.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any

from bench import backends as bench_backends
from bench import log, ratios, spread
from bench.data import training as data

SEED = data.DEFAULT_SEED
FULL = (5_000, 100_000)
QUICK = (500, 10_000)
REPEATS = 7  # of ours, in each of its processes
ROUNDS = 2
PEER_DAYS = 3
GOAL_REPORT_S = 1.0
PG_SCHEMA = "bench_training"


def _rss_mb(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# --- what both sides compute, compared ------------------------------------------------------


def _summary(report: Any) -> dict[str, Any]:
    """Every figure of a report, as plain data both sides must agree on."""

    def figure(f: Any) -> list[int]:
        return [f.in_scope, f.in_window, f.compliant]

    return {
        "organisation": figure(report.organisation),
        "teams": {str(t): figure(f) for t, f in report.teams},
        "employment_types": {str(k): figure(f) for k, f in report.employment_types},
        "topics": {t: figure(f) for t, f in report.topics},
        "courses": {c.code: {str(s): n for s, n in c.counts.items() if n} for c in report.courses},
        "non_compliant": sorted(
            [
                p.staff_number,
                [[m.course_code, str(m.status), str(m.standing.due_on)] for m in p.missing],
            ]
            for p in report.non_compliant
        ),
        "trend": {str(p.on): figure(p.organisation) for p in report.trend},
    }


# --- the two sides, each in a fresh process --------------------------------------------------


def _ours(data_dir: Path, database_url: str | None, repeats: int) -> dict[str, Any]:
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.core.permissions import Actor
    from steward.training.service import report

    engine = make_engine(bench_backends.bench_settings(data_dir, database_url))
    factory = make_sessionmaker(engine)
    with session_scope(factory) as db:
        report.build(db, Actor.system(), data.AS_OF, trend=False)  # connect, key, warm
    baseline = _rss_mb("VmRSS")
    times: dict[str, list[float]] = {"report_s": [], "as_of_s": [], "trend_s": []}
    built = None
    for _ in range(repeats):
        for key in ("report_s", "as_of_s", "trend_s"):
            gc.collect()
            start = perf_counter()
            with session_scope(factory) as db:
                if key == "trend_s":
                    report.trend_points(db, report.ORGANISATION, data.AS_OF)
                else:
                    result = report.build(db, Actor.system(), data.AS_OF, trend=key == "report_s")
                    if key == "report_s":
                        built = result
            times[key].append(perf_counter() - start)
    engine.dispose()
    assert built is not None
    return {
        **{k: [round(t, 4) for t in v] for k, v in times.items()},
        "summary": _summary(built),
        "peak_rss_mb": _rss_mb(),
        "baseline_rss_mb": baseline,
    }


def _peer_figures(db: Any, day: date) -> list[Any]:
    """Everyone in scope on ``day`` with their standing, the straightforward way."""
    from sqlalchemy import func, or_, select

    from steward.core import auth
    from steward.training import policy
    from steward.training.models import Completion, Course, Requirement, StaffMember
    from steward.training.policy import RequirementKind
    from steward.training.service import gate
    from steward.training.service.compliance import Line, PersonStanding

    due_soon = gate.current_policy(db).due_soon_days
    staff = db.scalars(
        select(StaffMember)
        .where(
            StaffMember.start_date <= day,
            or_(StaffMember.leaving_date.is_(None), StaffMember.leaving_date > day),
        )
        .order_by(StaffMember.name, StaffMember.id)
    ).all()
    in_force = db.execute(
        select(Requirement, Course)
        .join(Course, Course.id == Requirement.course_id)
        .where(
            Requirement.starts_on <= day,
            or_(Requirement.ends_on.is_(None), Requirement.ends_on > day),
            or_(Course.retired_on.is_(None), Course.retired_on > day),
        )
        .order_by(Course.code, Requirement.id)
    ).all()
    people = []
    for person in staff:
        account = db.get(auth.User, person.user_id) if person.user_id else None
        lines: dict[int, Line] = {}
        for requirement, course in in_force:
            if not gate.audience(requirement).matches(
                job_role=person.job_role,
                team=person.team,
                employment_type=person.employment_type,
                account_role=str(account.role) if account else None,
            ):
                continue
            redos = gate.redos(db, course.id)
            last = db.scalar(
                select(func.max(Completion.completed_on)).where(
                    Completion.staff_id == person.id,
                    Completion.course_id == course.id,
                    Completion.completed_on <= day,
                    Completion.course_version >= policy.required_version(redos, day),
                )
            )
            standing = policy.standing(
                as_of=day,
                start_date=person.start_date,
                due_within_days=requirement.due_within_days,
                last_completed_on=last,
                validity_months=course.validity_months,
                due_soon_days=due_soon,
                redo_released_on=policy.redo_released(redos, day),
                requirement_starts_on=requirement.starts_on,
            )
            kept = lines.get(course.id)
            if kept is None or (
                standing.due_on is not None
                and (kept.standing.due_on is None or standing.due_on < kept.standing.due_on)
            ):
                lines[course.id] = Line(
                    course.id,
                    course.code,
                    course.title,
                    course.topic,
                    RequirementKind(requirement.kind),
                    course.module_slug,
                    standing,
                )
        people.append(
            PersonStanding(
                person.id,
                person.staff_number,
                person.name,
                person.team,
                person.employment_type,
                person.manager_id,
                person.user_id,
                tuple(lines.values()),
            )
        )
    return people


def _peer(data_dir: Path, database_url: str | None, days: int) -> dict[str, Any]:
    from steward.core.db import make_engine, make_sessionmaker, session_scope
    from steward.training.service import gate, report

    engine = make_engine(bench_backends.bench_settings(data_dir, database_url))
    factory = make_sessionmaker(engine)
    with session_scope(factory) as db:
        gate.current_policy(db)  # connect and key before the clock starts
    baseline = _rss_mb("VmRSS")
    month_ends = report.month_ends(data.AS_OF)[-(days - 1) :] if days > 1 else []
    gc.collect()
    start = perf_counter()
    with session_scope(factory) as db:
        target = gate.current_policy(db).target_percent
        points = []
        for day in month_ends:
            figures = report.summarise(
                _peer_figures(db, day),
                as_of=day,
                scope=report.ORGANISATION,
                target_percent=target,
                trend=[],
            )
            points.append(report.Point(day, figures.organisation, dict(figures.topics)))
        built = report.summarise(
            _peer_figures(db, data.AS_OF),
            as_of=data.AS_OF,
            scope=report.ORGANISATION,
            target_percent=target,
            trend=points,
        )
    elapsed = perf_counter() - start
    engine.dispose()
    return {
        "s": round(elapsed, 3),
        "days": days,
        "summary": _summary(built),
        "peak_rss_mb": _rss_mb(),
        "baseline_rss_mb": baseline,
    }


def _worker(side: str, data_dir: Path, database_url: str | None, n: int) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this module, fixed arguments
        [
            sys.executable,
            "-m",
            "bench.training",
            "--worker",
            side,
            str(data_dir),
            database_url or "-",
            str(n),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"training {side} worker failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- one backend -----------------------------------------------------------------------------


def _check(ours: dict[str, Any], peer: dict[str, Any]) -> None:
    """The peer's figures are ours: every figure of the as-of date, and the month ends it
    computed."""
    mine, theirs = ours["summary"], peer["summary"]
    for key in ("organisation", "teams", "employment_types", "topics", "courses", "non_compliant"):
        if mine[key] != theirs[key]:
            raise AssertionError(f"training: {key} differ between ours and the loop")
    for day, figure in theirs["trend"].items():
        if mine["trend"][day] != figure:
            raise AssertionError(f"training: the figure on {day} differs: {mine['trend'][day]}")


def _backend(name: str, data_dir: Path, database_url: str | None) -> dict[str, Any]:
    ours_runs: list[dict[str, Any]] = []
    peer_runs: list[dict[str, Any]] = []
    for r in range(ROUNDS):
        order = ["ours", "peer"] if r % 2 == 0 else ["peer", "ours"]
        for side in order:
            if side == "ours":
                ours_runs.append(_worker("ours", data_dir, database_url, REPEATS))
                got = statistics.median(ours_runs[-1]["report_s"])
            else:
                peer_runs.append(_worker("peer", data_dir, database_url, 1))
                got = peer_runs[-1]["s"]
            log(f"training {name} round {r + 1}: {side} {got:.3f} s")
    longer = _worker("peer", data_dir, database_url, PEER_DAYS)
    log(f"training {name}: peer over {PEER_DAYS} days {longer['s']:.2f} s")
    for peer in [*peer_runs, longer]:
        _check(ours_runs[0], peer)
    samples = {
        key: [s for run in ours_runs for s in run[key]]
        for key in ("report_s", "as_of_s", "trend_s")
    }
    one_day = statistics.median(p["s"] for p in peer_runs)
    per_day = longer["s"] / PEER_DAYS
    trend_days = len(ours_runs[0]["summary"]["trend"])
    return {
        "ours": {
            "report_s": round(statistics.median(samples["report_s"]), 3),
            "as_of_s": round(statistics.median(samples["as_of_s"]), 3),
            "trend_s": round(statistics.median(samples["trend_s"]), 3),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in ours_runs),
            "baseline_rss_mb": min(r["baseline_rss_mb"] for r in ours_runs),
        },
        "peer": {
            "report_s": round(per_day * (trend_days + 1), 2),
            "report_extrapolated": True,
            "as_of_s": round(one_day, 3),
            "peak_rss_mb": max(p["peak_rss_mb"] for p in [*peer_runs, longer]),
            "baseline_rss_mb": min(p["baseline_rss_mb"] for p in [*peer_runs, longer]),
        },
        "spread": {
            **{f"ours_{k}": spread(v) for k, v in samples.items()},
            "peer_as_of_s": spread([p["s"] for p in peer_runs]),
            f"peer_{PEER_DAYS}_days_s": longer["s"],
        },
        "check": {
            "figures_equal": True,  # _check raises otherwise
            "days_compared": 1 + len(longer["summary"]["trend"]),
            "extrapolation_check": round(per_day / one_day, 3),
        },
        "figures": {
            "organisation_percent": _percent(ours_runs[0]["summary"]["organisation"]),
            "in_scope": ours_runs[0]["summary"]["organisation"][0],
            "in_window": ours_runs[0]["summary"]["organisation"][1],
            "non_compliant": len(ours_runs[0]["summary"]["non_compliant"]),
            "trend_percent": {
                day: _percent(f) for day, f in ours_runs[0]["summary"]["trend"].items()
            },
        },
    }


def _percent(figure: list[int]) -> float | None:
    in_scope, in_window, compliant = figure
    counted = in_scope - in_window
    return None if counted == 0 else round(100 * compliant / counted, 1)


def run(quick: bool) -> dict[str, Any]:
    staff, completions = QUICK if quick else FULL
    t0 = perf_counter()
    workforce = data.generate(staff, completions, seed=SEED)
    mix = Counter(p.employment_type.value for p in workforce.people)
    log(f"training: {staff:,} staff, {completions:,} completions in {perf_counter() - t0:.1f} s")
    ours: dict[str, Any] = {}
    peer: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    sizes: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="steward-bench-training-") as tmp_name:
        tmp = Path(tmp_name)
        with bench_backends.sqlite_backend(tmp) as sqlite:
            sizes = _load(sqlite, workforce)
            detail["sqlite"] = {
                **_backend("sqlite", sqlite.data_dir, None),
                "context": sqlite.context,
            }
        url = bench_backends.postgres_url()
        if url:
            with bench_backends.postgres_backend(tmp, url, PG_SCHEMA) as pg:
                if pg is not None:
                    _load(pg, workforce)
                    detail["postgresql"] = {
                        **_backend("postgresql", pg.data_dir, pg.database_url),
                        "context": pg.context,
                    }
    for name, found in detail.items():
        ours[name], peer[name] = found["ours"], found["peer"]
    return {
        "ours": ours,
        "peer": peer,
        "ratio": ratios(
            {k: {"report_s": v["report_s"], "as_of_s": v["as_of_s"]} for k, v in ours.items()},
            {k: {"report_s": v["report_s"], "as_of_s": v["as_of_s"]} for k, v in peer.items()},
        ),
        "goal": {"report_s": f"<= {GOAL_REPORT_S}"},
        "meets_goal": {name: o["report_s"] <= GOAL_REPORT_S for name, o in ours.items()},
        "sizes": {
            **sizes,
            "employment_types": dict(sorted(mix.items())),
            "leavers": workforce.leavers,
            "as_of": data.AS_OF.isoformat(),
            "repeats": {"ours": REPEATS * ROUNDS, "peer_as_of": ROUNDS, "peer_days": PEER_DAYS},
        },
        "seeds": {"data": SEED},
        "detail": detail,
        "peers": {
            "report": "per-person ORM loop: each member of staff in scope, each requirement in "
            "force, its audience checked, one query per person and course for the latest "
            "counting completion, the same policy.standing and the same counting",
        },
    }


def _load(backend: bench_backends.Backend, workforce: data.Workforce) -> dict[str, Any]:
    from steward.core import migrate

    migrate.upgrade(backend.engine)
    t0 = perf_counter()
    counts = data.load(backend.engine, workforce)
    log(f"training {backend.name}: loaded in {perf_counter() - t0:.1f} s")
    return counts


# --- the table in bench/README.md ---------------------------------------------------------------


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown, times

    names = {"sqlite": "SQLCipher", "postgresql": "PostgreSQL"}
    rows = []
    for name, detail in result["detail"].items():
        ours, peer, spreads = detail["ours"], detail["peer"], detail["spread"]
        report_spread = spreads["ours_report_s"]
        rows.append(
            [
                names.get(name, name),
                f"{figure(ours['report_s'], 2)} s ({figure(report_spread['min'], 2)}"
                f"-{figure(report_spread['max'], 2)})",
                f"{figure(ours['as_of_s'], 2)} s / {figure(ours['trend_s'], 2)} s",
                f"{figure(peer['as_of_s'], 1)} s",
                f"{figure(peer['report_s'], 0)} s (extrapolated; per day at "
                f"{PEER_DAYS} / at 1: {detail['check']['extrapolation_check']:.2f})",
                times(result["ratio"][name]["as_of_s"]),
                times(result["ratio"][name]["report_s"]),
                f"{figure(ours['peak_rss_mb'], 0)} MB ({figure(ours['baseline_rss_mb'], 0)}"
                f" before) / {figure(peer['peak_rss_mb'], 0)} MB",
                "equal" if detail["check"]["figures_equal"] else "DIFFER",
            ]
        )
    header = [
        "backend",
        "ours: whole report, median (min-max)",
        "ours: as-of figures / trend",
        "loop: as-of figures",
        "loop: whole report",
        "ratio, as-of",
        "ratio, report",
        "peak RSS ours / loop",
        "figures",
    ]
    sizes = result["sizes"]
    first = next(iter(result["detail"].values()))["figures"]
    note = (
        f"\n\n{sizes['staff']:,} staff ({', '.join(f'{n:,} {k}' for k, n in sizes['employment_types'].items())};"
        f" {sizes['leavers']:,} already left), {sizes['completions']:,} completions,"
        f" {sizes['courses']} courses, {sizes['requirements']} requirements; as of"
        f" {sizes['as_of']}: {first['in_scope']:,} in scope, {first['in_window']:,} in their"
        f" first window, {first['organisation_percent']}% compliant,"
        f" {first['non_compliant']:,} not compliant."
    )
    return {"report": markdown(header, rows) + note}


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        side, directory, url, count = sys.argv[2:]
        worker = _ours if side == "ours" else _peer
        out = worker(Path(directory), None if url == "-" else url, int(count))
        print(json.dumps(out, default=str))
    else:
        print(
            "usage: python -m bench.training --worker ours|peer DATA_DIR URL|- N", file=sys.stderr
        )
        sys.exit(2)
