"""UK-style person records with known truth, for the identity / SAR search benchmark (BENCHMARKS §1).

People live in households that share a surname and an address, so relatives are the hard
negatives: siblings, twins (same DOB, different first names), a parent and a child with the
same first name. Each person has 1 to 20 records (a truncated Zipf tail, ~2.6 on average, so
1M records hold ~380k people), and every record is corrupted the way case files are, at the
rates of BENCHMARKS §1 (``RATES``; ``meta.json`` reports the rates realised).

Outputs, in a directory cached under ``bench/generated/`` keyed by size, seed and generator
version (a re-run with the same key reuses it):

* ``records.csv``: exactly ``steward people import`` columns
  (record_id, first_name, middle_names, last_name, dob, postcode, address).
* ``truth.csv``: record_id, person_key, household_key, tags (the corruptions applied to the
  record, ``;``-separated, so misses can be counted by category).
* ``queries.csv``: exactly ``steward people find --batch`` columns (query_id, first_name,
  middle_names, last_name, previous_last_names, dob, postcode, address, previous_postcodes;
  lists ``;``-separated): what a requester gives, i.e. their own current and previous names,
  DOB, current address and past postcodes, for people sampled uniformly.
* ``queries_truth.csv``: query_id, person_key, n_records.

Everything comes from one ``random.Random(seed)`` over Faker's ``en_GB`` (and ``en_IE``,
``en_IN``) name lists, so a size and seed always give the same files, and the 1M file streams
out in well under a minute with only the sampled queries held in memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

from bench.data.nicknames import NICKNAMES
from bench.data.people_noise import ABBREVIATIONS, dob_error, postcode_typo, typo
from bench.data.people_pools import NamePools, Unit, make_units

GENERATOR_VERSION = 3  # 2: records.csv rows shuffled; 3: queries in random order
SEED = 20_261_126
DEFAULT_QUERIES = 1_000
GENERATED_DIR = Path(__file__).resolve().parents[1] / "generated"

RECORD_COLUMNS = (
    "record_id",
    "first_name",
    "middle_names",
    "last_name",
    "dob",
    "postcode",
    "address",
)
QUERY_COLUMNS = (
    "query_id",
    "first_name",
    "middle_names",
    "last_name",
    "previous_last_names",
    "dob",
    "postcode",
    "address",
    "previous_postcodes",
)

# Target share of ALL records carrying each corruption (BENCHMARKS §1). Where only some records
# can carry one (a nickname needs a name that has one), the per-record probability is scaled
# by ELIGIBLE, the measured share of eligible records, so the realised rate lands on target.
RATES = {
    "typo": 0.10,
    "nickname": 0.10,
    "maiden_name": 0.12,
    "double_barrelled": 0.03,
    "first_middle_swap": 0.04,
    "dob_day_month_swap": 0.05,
    "dob_error": 0.07,
    "dob_missing": 0.05,
    "moved": 0.25,
    "postcode_typo": 0.04,
    "postcode_missing": 0.10,
}
ELIGIBLE = {"nickname": 0.32, "maiden_name": 0.25, "first_middle_swap": 0.66, "swap": 0.36}
ZIPF_S, MAX_RECORDS = 1.8, 20
TODAY = date(2026, 11, 26)


@dataclass(slots=True)
class Person:
    key: str
    household: str
    female: bool
    first: str
    middles: tuple[str, ...]
    last: str
    dob: date
    addresses: list[str]  # "line, town"; [0] is current
    postcodes: list[str]
    maiden: str | None = None  # previous surname (marriage)
    barrel_with: str | None = None  # the other half a double-barrelled record adds
    n_records: int = 0
    tags: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class PeopleData:
    directory: Path
    meta: dict[str, Any]

    @property
    def records_csv(self) -> Path:
        return self.directory / "records.csv"

    @property
    def truth_csv(self) -> Path:
        return self.directory / "truth.csv"

    @property
    def queries_csv(self) -> Path:
        return self.directory / "queries.csv"

    @property
    def queries_truth_csv(self) -> Path:
        return self.directory / "queries_truth.csv"


class _Generator:
    def __init__(self, size: int, seed: int) -> None:
        self.rng = Random(seed)
        self.pools = NamePools(self.rng)
        self.units: list[Unit] = make_units(self.rng, self.pools, max(20, size // 20))
        self.next_person = 0
        self.next_household = 0
        self.hard_negatives: Counter[str] = Counter()
        weights = [k**-ZIPF_S for k in range(1, MAX_RECORDS + 1)]
        total = sum(weights)
        self.cum_records = [sum(weights[: i + 1]) / total for i in range(MAX_RECORDS)]

    # --- people and households ---------------------------------------------------------

    def _address(self) -> tuple[str, str]:
        rng = self.rng
        unit = self.units[rng.randrange(len(self.units))]
        number = rng.randint(1, 180)
        line = f"{number} {unit.street}"
        if rng.random() < 0.08:
            line = f"Flat {rng.randint(1, 24)}, {line}"
        return f"{line}, {unit.town}", unit.postcode

    def _dob(self, lo: int, hi: int) -> date:
        return date(lo, 1, 1) + timedelta(days=self.rng.randrange((hi - lo) * 365))

    def _person(self, hh: str, group: str, female: bool, last: str, dob: date, addr: Any) -> Person:
        rng = self.rng
        first = self.pools.first(group, female)
        n_middle = 0 if rng.random() < 0.35 else (1 if rng.random() < 0.85 else 2)
        middles = tuple(self.pools.first(group, female) for _ in range(n_middle))
        self.next_person += 1
        return Person(
            key=f"P{self.next_person:07d}",
            household=hh,
            female=female,
            first=first,
            middles=tuple(m for m in middles if m != first),
            last=last,
            dob=dob,
            addresses=[a for a, _ in addr],
            postcodes=[p for _, p in addr],
        )

    def household(self) -> list[Person]:
        rng, pools = self.rng, self.pools
        self.next_household += 1
        hh = f"H{self.next_household:07d}"
        group = pools.group()
        surname = pools.last(group)
        if rng.random() < 0.01:
            surname = f"{surname}-{pools.last(group)}"
        addr = [self._address() for _ in range(3)]  # current, then two the household left
        kind = rng.random()
        people: list[Person] = []
        man_first = rng.random() < 0.5 or kind >= 0.75
        if kind < 0.22:  # one adult
            people.append(
                self._person(hh, group, rng.random() < 0.5, surname, self._dob(1950, 2004), addr)
            )
            return people
        mother_dob = self._dob(1955, 2004)
        mother = self._person(hh, group, True, surname, mother_dob, addr)
        if kind < 0.85 or rng.random() < 0.4:  # married (or kept a married name)
            mother.maiden = pools.last(group)
        elif rng.random() < 0.5:
            mother.last = pools.last(group)  # never took the household's surname
        people.append(mother)
        if kind < 0.75:  # a couple, with or without children
            father_dob = mother_dob + timedelta(days=rng.randint(-2500, 4000))
            people.insert(
                0 if man_first else 1, self._person(hh, group, False, surname, father_dob, addr)
            )
        if kind >= 0.35:  # children
            self._children(people, mother, surname, hh, group, addr)
        return people

    def _children(
        self, people: list[Person], mother: Person, surname: str, hh: str, group: str, addr: Any
    ) -> None:
        rng = self.rng
        n = rng.choices((1, 2, 3, 4, 5), weights=(35, 35, 18, 8, 4))[0]
        born = mother.dob + timedelta(days=rng.randint(18 * 365, 30 * 365))
        parents = list(people)
        firsts: set[str] = set()
        twin_of: Person | None = None
        for _ in range(n):
            if born > TODAY:
                break
            female = rng.random() < 0.5
            child = self._person(hh, group, female, surname, born, addr)
            junior = [p for p in parents if p.female == female]
            if junior and rng.random() < 0.08:  # named after the parent: same first name
                child.first = junior[0].first
                self.hard_negatives["parent_child_same_first_name"] += 1
            while child.first in firsts or (twin_of and child.first == twin_of.first):
                child.first = self.pools.first(group, female)
            firsts.add(child.first)
            people.append(child)
            if twin_of is None and rng.random() < 0.05:
                twin_of = child  # the next child is a twin: same DOB, different first name
                self.hard_negatives["twin_pairs"] += 1
                continue
            twin_of = None
            born = born + timedelta(days=rng.randint(300, 2500))

    # --- records ------------------------------------------------------------------------

    def n_records(self) -> int:
        u = self.rng.random()
        for k, c in enumerate(self.cum_records, start=1):
            if u <= c:
                return k
        return MAX_RECORDS

    def record(self, p: Person) -> tuple[list[str], list[str]]:
        rng = self.rng
        r = rng.random
        tags: list[str] = []
        first, middles, last = p.first, list(p.middles), p.last
        if p.maiden and r() < RATES["maiden_name"] / ELIGIBLE["maiden_name"]:
            last = p.maiden
            tags.append("maiden_name")
        if r() < RATES["double_barrelled"]:
            last = self._barrel(p, last)
            tags.append("double_barrelled")
        if middles and r() < RATES["first_middle_swap"] / ELIGIBLE["first_middle_swap"]:
            first, middles[0] = middles[0], first
            tags.append("first_middle_swap")
        nicks = NICKNAMES.get(first)
        if nicks and r() < RATES["nickname"] / ELIGIBLE["nickname"]:
            first = rng.choice(nicks)
            tags.append("nickname")
        if r() < RATES["typo"]:
            u = r()
            if u < 0.45:
                first = typo(rng, first)
                tags.append("typo_first")
            elif u < 0.9 or not middles:
                last = typo(rng, last)
                tags.append("typo_last")
            else:
                middles[0] = typo(rng, middles[0])
                tags.append("typo_middle")
        dob = self._record_dob(p.dob, tags)
        address, postcode = p.addresses[0], p.postcodes[0]
        if r() < RATES["moved"]:
            i = 1 if r() < 0.6 else 2
            address, postcode = p.addresses[i], p.postcodes[i]
            tags.append("moved")
        u = r()
        if u < RATES["postcode_missing"]:
            postcode = ""
            tags.append("postcode_missing")
        elif u < RATES["postcode_missing"] + RATES["postcode_typo"]:
            postcode = postcode_typo(rng, postcode)
            tags.append("postcode_typo")
        address = self._address_noise(address, tags)
        middle = " ".join(middles)
        if r() < 0.05:  # legacy systems that kept names in capitals
            first, middle, last = first.upper(), middle.upper(), last.upper()
            tags.append("upper_case")
        return [first, middle, last, dob, postcode, address], tags

    def _barrel(self, p: Person, last: str) -> str:
        if "-" in p.last:  # a double-barrelled name recorded with one half only
            return self.rng.choice(p.last.split("-"))
        if p.barrel_with is None:
            p.barrel_with = p.maiden or self.pools.last("gb")
        return f"{p.barrel_with}-{last}" if self.rng.random() < 0.5 else f"{last}-{p.barrel_with}"

    def _record_dob(self, dob: date, tags: list[str]) -> str:
        rng = self.rng
        u = rng.random()
        if u < RATES["dob_missing"]:
            tags.append("dob_missing")
            return ""
        u -= RATES["dob_missing"]
        if u < RATES["dob_error"]:
            tags.append("dob_error")
            return dob_error(rng, dob).isoformat()
        u -= RATES["dob_error"]
        if (
            dob.day <= 12
            and dob.day != dob.month
            and u < RATES["dob_day_month_swap"] / ELIGIBLE["swap"]
        ):
            tags.append("dob_day_month_swap")
            return date(dob.year, dob.day, dob.month).isoformat()
        return dob.isoformat()

    def _address_noise(self, address: str, tags: list[str]) -> str:
        rng = self.rng
        u = rng.random()
        if u < 0.03:
            tags.append("address_missing")
            return ""
        if u < 0.25:
            for word, short in ABBREVIATIONS:
                if word in address:
                    tags.append("address_abbreviated")
                    return address.replace(word, short, 1)
        return address

    def query(self, qrng: Random, p: Person, query_id: str) -> list[str]:
        first = p.first
        nicks = NICKNAMES.get(first)
        if nicks and qrng.random() < 0.05:  # some requesters give the name they go by
            first = qrng.choice(nicks)
        middles = " ".join(p.middles) if qrng.random() < 0.85 else ""
        previous = p.maiden if p.maiden and qrng.random() < 0.9 else ""
        past = [pc for pc in p.postcodes[1:] if qrng.random() < 0.85]
        return [
            query_id,
            first,
            middles,
            p.last,
            previous,
            p.dob.isoformat(),
            p.postcodes[0],
            p.addresses[0],
            ";".join(past),
        ]


def _generate(directory: Path, size: int, seed: int, n_queries: int) -> dict[str, Any]:
    gen = _Generator(size, seed)
    qrng = Random(seed ^ 0x5EED)
    # A permutation of 1..size for record ids, so ids say nothing of who is who.
    stride = next(a for a in range(int(size * 0.618) + 1, 2 * size + 2) if _coprime(a, size))
    reservoir: list[Person] = []
    tag_counts: Counter[str] = Counter()
    persons = households = written = 0
    started = time.perf_counter()
    buckets = _Buckets(directory, size, seed)
    with (directory / "truth.csv").open("w", newline="") as truth_f:
        truth = csv.writer(truth_f)
        truth.writerow(("record_id", "person_key", "household_key", "tags"))
        while written < size:
            households += 1
            for p in gen.household():
                k = min(gen.n_records(), size - written)
                if k == 0:
                    break
                p.n_records = k
                for _ in range(k):
                    row, tags = gen.record(p)
                    rid = f"R{(written * stride) % size + 1:08d}"
                    buckets.write([rid, *row])
                    truth.writerow((rid, p.key, p.household, ";".join(tags)))
                    tag_counts.update(tags)
                    written += 1
                if len(reservoir) < n_queries:
                    reservoir.append(p)
                else:
                    j = qrng.randrange(persons + 1)
                    if j < n_queries:
                        reservoir[j] = p
                persons += 1
    buckets.shuffle_into(directory / "records.csv")
    _write_queries(directory, gen, qrng, reservoir)
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "records": written,
        "persons": persons,
        "households": households,
        "queries": len(reservoir),
        "generate_s": round(time.perf_counter() - started, 1),
        "hard_negatives": dict(gen.hard_negatives),
        "tag_rates": {t: round(c / written, 4) for t, c in sorted(tag_counts.items())},
        "target_rates": RATES,
    }


class _Buckets:
    """Rows scattered over bucket files, then each bucket shuffled in memory and appended: the
    records file is in random order (a person's records are not adjacent, as in a real index,
    so nothing can lean on row order) while memory stays bounded at 1M rows."""

    ROWS_PER_BUCKET = 20_000

    def __init__(self, directory: Path, size: int, seed: int) -> None:
        self.rng = Random(seed ^ 0xB0C5)
        self.paths = [
            directory / f".bucket-{i}.csv" for i in range(max(1, size // self.ROWS_PER_BUCKET))
        ]
        self.files = [p.open("w", newline="") for p in self.paths]
        self.writers = [csv.writer(f) for f in self.files]

    def write(self, row: list[str]) -> None:
        self.writers[self.rng.randrange(len(self.writers))].writerow(row)

    def shuffle_into(self, path: Path) -> None:
        for f in self.files:
            f.close()
        with path.open("w", newline="") as out_f:
            out = csv.writer(out_f)
            out.writerow(RECORD_COLUMNS)
            for bucket in self.paths:
                with bucket.open(newline="") as f:
                    rows = list(csv.reader(f))
                self.rng.shuffle(rows)
                out.writerows(rows)
                bucket.unlink()


def _write_queries(directory: Path, gen: _Generator, qrng: Random, people: list[Person]) -> None:
    people = sorted(people, key=lambda p: p.key)
    qrng.shuffle(people)  # any prefix of the queries is a uniform sample too
    with (
        (directory / "queries.csv").open("w", newline="") as q_f,
        (directory / "queries_truth.csv").open("w", newline="") as qt_f,
    ):
        queries, truth = csv.writer(q_f), csv.writer(qt_f)
        queries.writerow(QUERY_COLUMNS)
        truth.writerow(("query_id", "person_key", "n_records"))
        for i, p in enumerate(people, start=1):
            qid = f"Q{i:05d}"
            queries.writerow(gen.query(qrng, p, qid))
            truth.writerow((qid, p.key, p.n_records))


def _coprime(a: int, b: int) -> bool:
    while b:
        a, b = b, a % b
    return a == 1


def people_data(
    size: int, *, seed: int = SEED, queries: int = DEFAULT_QUERIES, refresh: bool = False
) -> PeopleData:
    """The generated files for ``size`` records, made once and cached under bench/generated/."""
    directory = GENERATED_DIR / f"people-{size}-s{seed}-q{queries}-v{GENERATOR_VERSION}"
    meta_path = directory / "meta.json"
    if meta_path.exists() and not refresh:
        return PeopleData(directory, json.loads(meta_path.read_text()))
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".people-", dir=GENERATED_DIR))
    try:
        meta = _generate(scratch, size, seed, queries)
        (scratch / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(scratch, directory)  # whole or nothing: a killed run leaves no half cache
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)
    return PeopleData(directory, meta)


def read_truth(path: Path) -> dict[str, tuple[str, str, str]]:
    """record_id -> (person_key, household_key, tags)."""
    with path.open(newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


def read_queries(data: PeopleData) -> list[tuple[dict[str, str], str]]:
    """[(query row as in queries.csv, true person key)] in query order."""
    with data.queries_truth_csv.open(newline="") as f:
        keys = {r["query_id"]: r["person_key"] for r in csv.DictReader(f)}
    with data.queries_csv.open(newline="") as f:
        return [(row, keys[row["query_id"]]) for row in csv.DictReader(f)]


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate (or reuse) benchmark person records.")
    parser.add_argument("size", type=int, help="number of records, e.g. 2000, 100000, 1000000")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES)
    parser.add_argument("--refresh", action="store_true", help="regenerate even if cached")
    args = parser.parse_args()
    data = people_data(args.size, seed=args.seed, queries=args.queries, refresh=args.refresh)
    print(data.directory)
    print(json.dumps(data.meta, indent=2))


if __name__ == "__main__":
    main()
