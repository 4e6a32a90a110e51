"""The paper archive at the size of a real store: importing a contractor's inventory, and
finding a person's paper files the four ways a subject access request asks.

BENCHMARKS.md names no peer for the paper archive (contractors' inventories are spreadsheets
searched by eye), so this benchmark has no ``peer`` side: it reports our figures against the
goals in docs/archives.md, on both backends, from one generated inventory.

Data (fixed seed): ``FILES`` paper files, ``FILES_PER_BOX`` to a box, each naming a child,
a mother (sometimes with her previous surname, "née ...") and often a father, with dates of
birth over 90 years, drawn from small pools (``FORENAMES`` x ``SURNAMES``) so that a surname
is shared by hundreds of names and a sound-alike key by more: the hard case for search.

Import: the inventory CSV through ``archives.service.import_inventory`` with a commit every
batch, as ``steward archives import`` does; then the same file again (nothing changes).
Search: ``QUERIES`` people picked at random, each looked for four ways (exact name and date
of birth; surname with two letters swapped and date of birth; day and month of birth
swapped; name only), each search its own unit of work (audit event and commit included).
``found`` counts searches whose hits include the person's file.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import statistics
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy.orm import Session

from bench import backends, log
from bench.backends import Backend, postgres_backend, sqlite_backend
from steward.archives import service as archives
from steward.archives.schemas import PaperSearch
from steward.core import auth, migrate
from steward.core.db import make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role

SEED = 20_261_126
FULL_FILES, QUICK_FILES = 100_000, 2_000
FULL_QUERIES, QUICK_QUERIES = 200, 20
FILES_PER_BOX = 100
PG_SCHEMA = "bench_archives"
GOAL_SEARCH_P95_MS = 100.0
QUERY_KINDS = ("exact", "surname_typo", "day_month_swapped", "name_only")
QUERY_LABELS = {
    "exact": "exact name + date of birth",
    "surname_typo": "surname typo (two letters swapped) + date of birth",
    "day_month_swapped": "name + date of birth with day and month swapped",
    "name_only": "name only, no date of birth",
}
FORENAMES = [
    f"{a}{b}"
    for a in ("Al", "Be", "Ca", "Da", "El", "Fi", "Gr", "Ha", "Is", "Ja", "Ka", "Le", "Ma")
    for b in ("ice", "n", "ra", "vid", "la", "ona", "ace", "rry", "la", "mes", "te", "o")
]  # 156
SURNAME_STEMS = (
    *("Ash", "Brad", "Carl", "Dal", "Ell", "Farn", "Gold", "Hart", "Ing", "Kent"),
    *("Lang", "Mar", "North", "Oak", "Pen", "Red", "Stan", "Thorn", "Under", "Wood"),
)
SURNAME_ENDINGS = (
    *("by", "ley", "ton", "well", "ford", "wood", "ham", "field", "more", "son"),
    *("worth", "combe", "stead", "bridge", "hurst", "dale", "gate", "croft", "wick", "low"),
    *("burn", "cliffe", "shaw", "ridge", "brook"),
)
SURNAMES = [f"{a}{b}" for a in SURNAME_STEMS for b in SURNAME_ENDINGS]  # 500


@dataclass(frozen=True)
class Person:
    forename: str
    surname: str
    born: date

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass(frozen=True)
class Inventory:
    csv: bytes
    people: list[tuple[Person, str]]  # (person named on the file, the file's reference)
    names: int


def _born(rng: random.Random, today: date) -> date:
    return today - timedelta(days=rng.randrange(365, 90 * 365))


def make_inventory(files: int, seed: int = SEED) -> Inventory:
    rng = random.Random(seed)
    today = date(2026, 11, 26)
    lines = [
        "box_barcode,location_code,site,file_reference,record_class,date_from,date_to,names_on_file"
    ]
    people: list[tuple[Person, str]] = []
    names = 0
    for n in range(files):
        reference = f"PF{n:07d}"
        child = Person(rng.choice(FORENAMES), rng.choice(SURNAMES), _born(rng, today))
        mother = Person(rng.choice(FORENAMES), child.surname, _born(rng, today))
        written = [f"{child.name} ({child.born.isoformat()}, child_subject)"]
        maiden = f" née {rng.choice(SURNAMES)}" if rng.random() < 0.3 else ""
        written.append(f"{mother.name}{maiden} ({mother.born.isoformat()}, parent)")
        named = [child, mother]
        if rng.random() < 0.6:
            father = Person(rng.choice(FORENAMES), rng.choice(SURNAMES), _born(rng, today))
            written.append(f"{father.name} ({father.born.isoformat()}, parent)")
            named.append(father)
        names += len(named)
        people.append((rng.choice(named), reference))
        opened = today - timedelta(days=rng.randrange(400, 30 * 365))
        lines.append(
            ",".join(
                [
                    f"BX{n // FILES_PER_BOX:06d}",
                    "STORE-A",
                    "Main store",
                    reference,
                    "",
                    opened.isoformat(),
                    (opened + timedelta(days=rng.randrange(30, 400))).isoformat(),
                    '"' + "; ".join(written) + '"',
                ]
            )
        )
    return Inventory(("\n".join(lines) + "\n").encode(), people, names)


def _typo(surname: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(surname) - 2)
    return surname[:i] + surname[i + 1] + surname[i] + surname[i + 2 :]


def queries(
    inventory: Inventory, count: int, seed: int = SEED
) -> Iterator[tuple[str, PaperSearch, str]]:
    """(kind, search, the reference of the file that must be found)."""
    rng = random.Random(seed + 1)
    for person, reference in rng.sample(inventory.people, count):
        swapped = person.born
        if person.born.day <= 12 and person.born.day != person.born.month:
            swapped = date(person.born.year, person.born.day, person.born.month)
        asked = {
            "exact": ([person.name], person.born),
            "surname_typo": ([f"{person.forename} {_typo(person.surname, rng)}"], person.born),
            "day_month_swapped": ([person.name], swapped),
            "name_only": ([person.name], None),
        }
        for kind in QUERY_KINDS:
            names, born = asked[kind]
            yield kind, PaperSearch(names=names, date_of_birth=born), reference


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _import(
    backend: Backend, actor: Actor, content: bytes
) -> tuple[float, archives.InventoryReport]:
    factory = make_sessionmaker(backend.engine)
    t0 = perf_counter()
    with session_scope(factory) as db:
        report = archives.import_inventory(db, actor, content, checkpoint=db.commit)
    return perf_counter() - t0, report


def _search(db: Session, actor: Actor, query: PaperSearch) -> list[str]:
    return [hit.file_reference for hit in archives.search_paper_files(db, actor=actor, query=query)]


def bench_backend(backend: Backend, inventory: Inventory, n_queries: int) -> dict[str, Any]:
    migrate.upgrade(backend.engine)
    factory = make_sessionmaker(backend.engine)
    with session_scope(factory) as db:
        user = auth.create_user(
            db,
            Actor.system(),
            username="bench.archivist",
            role=Role.IG_OFFICER,
            password="bench archivist password",  # noqa: S106 - a throwaway database
        )
        actor = user.actor
    rows = inventory.csv.count(b"\n") - 1
    first_s, report = _import(backend, actor, inventory.csv)
    if not report.ok:
        raise RuntimeError(f"inventory refused: {report.failures[:3]}")
    again_s, again = _import(backend, actor, inventory.csv)
    if again.files_added or again.files_updated:
        raise RuntimeError("the same inventory imported twice changed files")
    log(
        f"archives {backend.name}: imported {rows:,} rows in {first_s:.1f} s, again {again_s:.1f} s"
    )

    times: dict[str, list[float]] = {kind: [] for kind in QUERY_KINDS}
    found: dict[str, int] = dict.fromkeys(QUERY_KINDS, 0)
    for kind, query, reference in queries(inventory, n_queries):
        t0 = perf_counter()
        with session_scope(factory) as db:
            references = _search(db, actor, query)
        times[kind].append((perf_counter() - t0) * 1000)
        found[kind] += reference in references
    search = {
        kind: {
            "p50_ms": round(statistics.median(times[kind]), 1),
            "p95_ms": round(statistics.quantiles(times[kind], n=20)[-1], 1),
            "found": found[kind],
            "asked": len(times[kind]),
        }
        for kind in QUERY_KINDS
    }
    return {
        "import_rows_per_s": round(rows / first_s, 1),
        "reimport_rows_per_s": round(rows / again_s, 1),
        "search": search,
        "peak_rss_mb": _peak_rss_mb(),
        "context": backend.context,
    }


def _in_own_process(backend: Backend, inventory: Inventory, n_queries: int) -> dict[str, Any]:
    """``bench_backend`` in a forked child, so its peak memory is its own backend's."""

    def child(conn: Connection) -> None:
        backend.engine.dispose(close=False)  # the parent's pooled connections are not ours
        try:
            conn.send(("ok", bench_backend(backend, inventory, n_queries)))
        except Exception:
            conn.send(("error", traceback.format_exc()))

    parent_end, child_end = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=child, args=(child_end,))
    process.start()
    status, value = parent_end.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(f"archives {backend.name} failed:\n{value}")
    return value  # type: ignore[no-any-return]


def run(quick: bool) -> dict[str, Any]:
    files = QUICK_FILES if quick else FULL_FILES
    n_queries = QUICK_QUERIES if quick else FULL_QUERIES
    t0 = perf_counter()
    inventory = make_inventory(files)
    log(
        f"archives: {files:,} files, {inventory.names:,} names generated in {perf_counter() - t0:.1f} s"
    )
    ours: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="steward-bench-archives-") as tmp_name:
        tmp = Path(tmp_name)
        with sqlite_backend(tmp) as backend:
            ours["sqlite"] = _in_own_process(backend, inventory, n_queries)
        url = backends.postgres_url()
        if url:
            with postgres_backend(tmp, url, PG_SCHEMA) as pg:
                if pg is not None:
                    ours["postgresql"] = _in_own_process(pg, inventory, n_queries)
    worst = max(k["p95_ms"] for side in ours.values() for k in side["search"].values())
    return {
        "ours": ours,
        "peer": None,
        "ratio": None,
        "goal": {"search_p95_ms": GOAL_SEARCH_P95_MS},
        "meets_goal": {"search_p95_ms": worst <= GOAL_SEARCH_P95_MS},
        "sizes": {"paper_files": files, "names": inventory.names, "queries": n_queries * 4},
        "seeds": {"data": SEED, "queries": SEED + 1},
    }


def tables(result: dict[str, Any]) -> dict[str, str]:
    sides = result["ours"]
    names = {"sqlite": "SQLCipher", "postgresql": "PostgreSQL"}
    present = [s for s in ("sqlite", "postgresql") if s in sides]
    head = "| Query | " + " | ".join(f"{names[s]} median / p95 | found" for s in present) + " |"
    rule = "|---|" + "---|---|" * len(present)
    rows = [
        f"| {QUERY_LABELS[kind]} | "
        + " | ".join(
            f"{sides[s]['search'][kind]['p50_ms']:g} ms / {sides[s]['search'][kind]['p95_ms']:g} ms"
            f" | {sides[s]['search'][kind]['found']}/{sides[s]['search'][kind]['asked']}"
            for s in present
        )
        + " |"
        for kind in QUERY_KINDS
    ]
    search = "\n".join([head, rule, *rows])
    imports = "\n".join(
        [
            "| | " + " | ".join(names[s] for s in present) + " |",
            "|---|" + "---|" * len(present),
            "| first import | "
            + " | ".join(f"{sides[s]['import_rows_per_s']:,.0f} rows/s" for s in present)
            + " |",
            "| the same file again (nothing changes) | "
            + " | ".join(f"{sides[s]['reimport_rows_per_s']:,.0f} rows/s" for s in present)
            + " |",
            "| peak memory (whole process) | "
            + " | ".join(f"{sides[s]['peak_rss_mb']:,.0f} MB" for s in present)
            + " |",
        ]
    )
    return {"search": search, "import": imports}
