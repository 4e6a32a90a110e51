"""Time of one subject access request's whole search ("find everything about this person").

Work: ``steward.sar.service.start_search`` then ``execute_run``, in one unit of work (open,
search, store the hits sealed, audit, commit), for one request at a time: the identity lookup
of every name and address the requester gives, the paper-archive search by person, and the
full-text search for mentions of every name in documents, with every hit's details sealed
under the request's key. That is the background job's work, without the queue.

Data, two sizes:

* ``demo``: `make run`'s demo organisation (``steward demo seed``; ``BENCH_SAR_DEMO_CASES``,
  default 2,500 cases; ``--quick``: 200) in a data directory of its own. Requests are made
  for persons of the demo who are parties to cases, with their name, date of birth and
  address, as a requester would give them.
* ``large``: the identity benchmark's generated person index (``bench.data.people``;
  ``BENCH_SAR_LARGE_RECORDS``, default 2,650,000): one person record a row, as ``steward
  people import`` makes them, so 2.65M person records holding about 1M distinct people (a
  legacy index holds each person several times), imported and trained once and cached under
  ``bench/generated/sar-identity-<records>-v1`` (the import is the slow part: 29 minutes).
  Requests are the generator's queries: a requester's names (current and previous), date of
  birth, address and past postcodes. This database holds persons only, no cases, documents or
  paper files: the identity source is the one that grows with the organisation.

Peer: one identity lookup (``find_people``) of the requester's main name, in its own unit of
work, for the same requests, interleaved: what the "Find a person" page does for one name.
``ratio`` (peer time / ours) is below 1: the share of the whole search that one lookup is.
The goal is absolute: a whole search within ``GOAL_S`` seconds at 1M persons, a background
job that the handler does not wait on (judged only when the large index holds 900,000 persons
or more).
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import log, ratios, spread

DEMO_CASES_ENV = "BENCH_SAR_DEMO_CASES"
LARGE_ENV = "BENCH_SAR_LARGE_RECORDS"
DEMO_CASES = 2500
QUICK_CASES = 200
LARGE_RECORDS = 2_650_000  # about 1,000,000 distinct people
QUICK_RECORDS = 2000
REQUESTS = 30
QUICK_REQUESTS = 5
GOAL_S = 5.0
GOAL = f"one request's whole search <= {GOAL_S:g} s at 1M persons (a background job)"
GENERATED = Path(__file__).resolve().parent / "generated"


def _settings(data_dir: Path) -> Any:
    from steward.core.config import Environment, Settings

    # Explicit values, so a STEWARD_DATABASE_URL in the environment cannot redirect the bench.
    return Settings(env=Environment.TEST, data_dir=data_dir, database_url=None)


def _open(data_dir: Path) -> tuple[Any, Any, Any]:
    """Engine, session factory and keyring of a data directory, migrated to head."""
    import steward.models  # noqa: F401 - every table mapped
    from steward.core import keyfile, migrate
    from steward.core.crypto import FileKeyring
    from steward.core.db import make_engine, make_sessionmaker

    settings = _settings(data_dir)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    return engine, make_sessionmaker(engine), keyring


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def _figures(samples: list[float]) -> dict[str, Any]:
    return {
        "p50_ms": _ms(samples, 0.5),
        "p95_ms": _ms(samples, 0.95),
        "mean_ms": round(1000 * statistics.fmean(samples), 1) if samples else 0.0,
        "max_ms": _ms(samples, 1.0),
    }


def _measure(
    factory: Any, keyring: Any, requests: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each request received, then searched whole (ours) and looked up once (peer), in
    turn (who goes first alternates), each in its own unit of work."""
    from steward.core.db import session_scope
    from steward.core.permissions import Actor
    from steward.sar import service as sar
    from steward.sar.clock import Region
    from steward.sar.schemas import SarCreate

    actor = Actor.system()
    ours: list[float] = []
    peer: list[float] = []
    lookups: list[int] = []
    found: dict[str, list[int]] = {"people": [], "paper_files": [], "documents": []}
    for n, told in enumerate(requests):
        with session_scope(factory) as db:
            made = sar.receive(
                db,
                keyring,
                actor,
                SarCreate.model_validate(told),
                default_region=Region.ENGLAND_AND_WALES,
            )
            request_id = made.id
            terms = sar.suggested_terms(db, keyring, actor, request_id)
        sides = (_whole, _one) if n % 2 == 0 else (_one, _whole)
        for side in sides:
            side(factory, keyring, actor, request_id, terms, ours, peer, lookups, found)
    summary = {
        "search": _figures(ours),
        "lookups_per_request": round(statistics.fmean(lookups), 1),
        "found_mean": {k: round(statistics.fmean(v), 1) for k, v in found.items()},
        "spread_s": spread(ours),
        "requests": len(requests),
    }
    return summary, {"one_lookup": _figures(peer)}


def _whole(
    factory: Any,
    keyring: Any,
    actor: Any,
    request_id: int,
    terms: Any,
    ours: list[float],
    _peer: list[float],
    lookups: list[int],
    found: dict[str, list[int]],
) -> None:
    from steward.core.db import session_scope
    from steward.sar import service as sar

    t0 = time.perf_counter()
    with session_scope(factory) as db:
        run = sar.start_search(db, keyring, actor, None, request_id, terms)
        sar.execute_run(db, keyring, actor, run.id)
        lookups.append(run.steps_total)
        found["people"].append(run.people_found or 0)
        found["paper_files"].append(run.paper_files_found or 0)
        found["documents"].append(run.documents_found or 0)
    ours.append(time.perf_counter() - t0)


def _one(
    factory: Any,
    keyring: Any,
    actor: Any,
    request_id: int,
    terms: Any,
    _ours: list[float],
    peer: list[float],
    *_: Any,
) -> None:
    from steward import identity
    from steward.core.db import session_scope

    names = terms.full_names[0].split()
    query = identity.PersonQuery(
        first_name=names[0],
        last_name=names[-1],
        dob=terms.date_of_birth,
        address=terms.addresses[0] if terms.addresses else None,
        postcode=terms.postcodes[0] if terms.postcodes else None,
    )
    t0 = time.perf_counter()
    with session_scope(factory) as db:
        identity.find_people(db, query, actor=actor)
    peer.append(time.perf_counter() - t0)


# --- the demo organisation ---------------------------------------------------------------------


def _steward(data_dir: Path, *args: str) -> None:
    env = {**os.environ, "STEWARD_DATA_DIR": str(data_dir), "STEWARD_ENV": "development"}
    env.pop("STEWARD_DATABASE_URL", None)
    command = [sys.executable, "-c", "from steward.cli.main import app; app()", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"steward {' '.join(args)} failed: {done.stdout}{done.stderr}")


def _demo_requests(factory: Any, count: int) -> list[dict[str, Any]]:
    """Persons of the demo who are parties to cases, with an address: as they would ask."""
    from sqlalchemy import text

    from steward.core.db import session_scope

    with session_scope(factory, read_only=True) as db:
        rows = db.execute(
            text(
                "SELECT p.id, p.first_name, p.last_name, p.date_of_birth, a.line1, a.town,"
                " a.postcode FROM persons p JOIN addresses a ON a.person_id = p.id"
                " WHERE EXISTS (SELECT 1 FROM parties x WHERE x.person_id = p.id)"
                " AND p.date_of_birth IS NOT NULL ORDER BY p.id"
            )
        ).all()
    chosen: dict[int, Any] = {}
    step = max(1, len(rows) // count)
    for row in rows[::step]:
        chosen.setdefault(row[0], row)
    requests = []
    for _, first, last, born, line1, town, postcode in list(chosen.values())[:count]:
        address = ", ".join(p for p in (line1, town, postcode) if p)
        requests.append(_told(f"{first} {last}", [], born, address, []))
    return requests


def _told(
    name: str, previous: list[str], born: Any, address: str | None, old: list[str]
) -> dict[str, Any]:
    return {
        "requester_type": "data_subject",
        "channel": "letter",
        "received_on": date.today().isoformat(),
        "requester": {
            "full_name": name,
            "previous_names": previous,
            "date_of_birth": born.isoformat() if hasattr(born, "isoformat") else born,
            "address": address,
            "previous_addresses": old,
        },
    }


def _demo(quick: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    cases = QUICK_CASES if quick else int(os.environ.get(DEMO_CASES_ENV, DEMO_CASES))
    with tempfile.TemporaryDirectory(prefix="bench-sar-") as scratch:
        data_dir = Path(scratch)
        data_dir.chmod(0o700)
        log(f"sar_search: seeding the demo organisation ({cases:,} cases)")
        t0 = time.perf_counter()
        _steward(data_dir, "db", "upgrade")
        _steward(data_dir, "demo", "seed", "--cases", str(cases))
        seeded = time.perf_counter() - t0
        engine, factory, keyring = _open(data_dir)
        try:
            requests = _demo_requests(factory, QUICK_REQUESTS if quick else REQUESTS)
            log(f"sar_search: {len(requests)} requests against the demo organisation")
            ours, peer = _measure(factory, keyring, requests)
            persons = _count(factory, "persons")
        finally:
            engine.dispose()
    return ours, peer, {"cases": cases, "persons": persons, "seed_s": round(seeded, 1)}


def _count(factory: Any, table: str) -> int:
    from sqlalchemy import text

    from steward.core.db import session_scope

    with session_scope(factory, read_only=True) as db:
        return int(db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


# --- a large identity index --------------------------------------------------------------------


def build_large(records: int) -> Path:
    """The imported, trained person index of ``records`` generated records, made once."""
    from bench.data.people import people_data
    from bench.identity_ours import Ours

    target = GENERATED / f"sar-identity-{records}-v1"
    if (target / "built.json").exists():
        return target
    data = people_data(records, queries=200)
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    log(f"sar_search: importing {records:,} person records (once; cached in {target.name})")
    ours = Ours(str(data.directory / "records.csv"), str(target))
    info, closed = ours.info(), ours.close()
    built = {"records": records, "people_dir": str(data.directory), **info, **closed}
    (target / "built.json").write_text(json.dumps(built, indent=2, default=str))
    return target


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _large_requests(records: int, count: int) -> list[dict[str, Any]]:
    from bench.data.people import people_data

    data = people_data(records, queries=200)
    requests = []
    with data.queries_csv.open(newline="") as f:
        for row in list(csv.DictReader(f))[:count]:
            name = " ".join(
                p for p in (row["first_name"], row["middle_names"], row["last_name"]) if p
            )
            previous = [
                f"{row['first_name']} {last}" for last in _split(row["previous_last_names"])
            ]
            address = ", ".join(p for p in (row["address"], row["postcode"]) if p) or None
            requests.append(
                _told(
                    name, previous, row["dob"] or None, address, _split(row["previous_postcodes"])
                )
            )
    return requests


def _large(quick: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    records = QUICK_RECORDS if quick else int(os.environ.get(LARGE_ENV, LARGE_RECORDS))
    target = build_large(records)
    built = json.loads((target / "built.json").read_text())
    engine, factory, keyring = _open(target)
    try:
        persons = _count(factory, "persons")
        requests = _large_requests(records, QUICK_REQUESTS if quick else REQUESTS)
        log(f"sar_search: {len(requests)} requests against {persons:,} persons")
        ours, peer = _measure(factory, keyring, requests)
    finally:
        engine.dispose()
    return (
        ours,
        peer,
        {"records": records, "persons": persons, "import_s": round(float(built["load_s"]), 1)},
    )


def run(quick: bool) -> dict[str, Any]:
    ours: dict[str, Any] = {}
    peer: dict[str, Any] = {}
    sizes: dict[str, Any] = {}
    for label, measure in (("demo", _demo), ("large", _large)):
        ours[label], peer[label], sizes[label] = measure(quick)
    large_p95_s = ours["large"]["search"]["p95_ms"] / 1000
    return {
        "bench": "sar_search",
        "quick": quick,
        "ours": ours,
        "peer": peer,
        "ratio": {
            label: ratios(
                {"search_p50_ms": ours[label]["search"]["p50_ms"]},
                {"search_p50_ms": peer[label]["one_lookup"]["p50_ms"]},
            )
            for label in ours
        },
        "goal": {"search_p95_s_at_1M": GOAL_S, "text": GOAL},
        "meets_goal": {
            "search_p95_s": large_p95_s <= GOAL_S if sizes["large"]["persons"] >= 900_000 else None
        },
        "sizes": sizes,
        "seeds": {"people": 20_261_126, "demo": "steward demo seed default"},
        "context": {
            "work": "receive, then start_search + execute_run in one unit of work, per request",
            "peer": "find_people for the main name alone, in its own unit of work",
            "large_holds": "persons only (no cases, documents or paper files)",
        },
    }


def tables(result: dict[str, Any]) -> dict[str, str]:
    rows = [
        "| Organisation | Person records | Lookups a request | Whole search p50 / p95 | One lookup p50 |",
        "|---|---|---|---|---|",
    ]
    labels = {"demo": "Demo organisation", "large": "Large identity index"}
    for label in ("demo", "large"):
        if label not in result["ours"]:
            continue
        ours, peer, size = result["ours"][label], result["peer"][label], result["sizes"][label]
        rows.append(
            f"| {labels[label]} | {size['persons']:,} | {ours['lookups_per_request']:g} | "
            f"{ours['search']['p50_ms']:,.0f} ms / {ours['search']['p95_ms']:,.0f} ms | "
            f"{peer['one_lookup']['p50_ms']:,.0f} ms |"
        )
    return {"search": "\n".join(rows)}
