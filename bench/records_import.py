"""Issue 3's proof: legacy import of 10k cases (cases/s, peak memory), beside a naive peer.

Ours: ``steward.records.service.import_cases`` exactly as ``steward import cases`` runs it
(lines from ``read_lines``, a commit at each checkpoint, the CLI's batch sizes), acting as
``Actor.system()``: every case, person, party, document and assignment audited, every document
body and text sealed under its case's data key, every document and person indexed for search,
on the embedded default (a SQLCipher file) and on PostgreSQL.

Peer: a naive per-row ORM import of the same file into the same tables, without the
protections: the same Pydantic validation and file-type sniffing, then one ORM object per row
with a flush after each, the body stored in clear, no audit events, no data keys (one shared
placeholder row satisfies the foreign key), no search index, no access checks, and a plain
(unencrypted) SQLite file instead of SQLCipher. Same commit batches. ``ratio`` is bench.speedup's
"times better than the peer": for the rate ``cases_per_s``, ours / peer, so below 1 it is the
share of the bare import's speed that the protections leave. Memory is reported side by side,
not as a ratio.

Data: generated here with Faker ``en_GB`` and a fixed seed. Families (shared surname and
address), ~3 persons and ~3 text documents per case, about 1 case in 8 re-using a family from
an earlier case, and social workers and solicitors drawn from a pool shared across cases, so
persons are matched by legacy ref as well as created; 1-2 of 20 staff assigned per case.

Method: each side imports into its own fresh, migrated database from its own long-lived
process (so its peak RSS, read from ``VmHWM``, is its own), reading the file line by line.
The two take turns a batch (500 cases) at a time, who goes first alternating, so a burst of
load on the shared machine hits both alike; each side's figure is the sum of its own batches,
and the spread of its per-batch rate is reported (``context.cases_per_s_over_batches``).
Afterwards: ours re-runs the whole file (every line skipped as already imported), row counts
of both sides are compared table by table, and the audit chain is verified.

Figures: ``cases_per_s`` and ``peak_rss_mb`` (the process's peak resident memory while it
imports: the peak is reset just before the first batch, so the one-off spike of loading
Steward's modules is not counted; ``context.rss_growth_mb`` is that peak less the resident
memory at the start) per backend (SQLCipher file; PostgreSQL at
``$BENCH_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``, in
schemas ``bench_import_ours``/``bench_import_peer`` created and dropped here; empty to skip).
Full: 10,000 cases (``$BENCH_IMPORT_CASES`` to change it); ``--quick``: 500.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import URL, Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bench import backends, log, ratios, spread
from steward.core import audit, auth, clock, keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import DataKey, FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import policy, service
from steward.records.extract import ExtractionStatus
from steward.records.models import (
    Address,
    Case,
    CaseAssignment,
    CaseStatus,
    Contact,
    Document,
    DocumentContent,
    DocumentSubject,
    Identifier,
    IdentifierScheme,
    Party,
    Person,
    PersonName,
    RecordClass,
)
from steward.records.service import file_plan
from steward.records.service.importer import DEFAULT_BATCH_CASES, ImportCase, read_lines

FULL_CASES = 10_000
QUICK_CASES = 500
SEED = 20_261_126
CASES_ENV = "BENCH_IMPORT_CASES"  # a smaller full run where 10,000 would take too long
PG_SCHEMAS = {"ours": "bench_import_ours", "peer": "bench_import_peer"}
STAFF = [f"worker{i:02d}" for i in range(1, 21)]


# --- the data -----------------------------------------------------------------------------


def _nhs_number(n: int) -> str | None:
    """A valid (mod 11) NHS number derived from n, so every person's is unique."""
    digits = f"{400_000_000 + n:09d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    if check == 10:
        return None
    return digits + str(0 if check == 11 else check)


class _People:
    def __init__(self, rng: random.Random, fake: Any) -> None:
        self.rng, self.fake, self.next_id = rng, fake, 1

    def _ref(self) -> tuple[str, int]:
        n = self.next_id
        self.next_id += 1
        return f"LEG{n:08d}", n

    def address(self) -> dict[str, Any]:
        fake, rng = self.fake, self.rng
        since = date(2005, 1, 1) + timedelta(days=rng.randrange(6000))
        return {
            "line1": fake.street_address().split("\n")[0][:200],
            "town": fake.city(),
            "postcode": fake.postcode(),
            "from_date": since.isoformat(),
        }

    def person(
        self, *, last: str, born: date, address: dict[str, Any], child: bool
    ) -> dict[str, Any]:
        fake, rng = self.fake, self.rng
        ref, n = self._ref()
        female = rng.random() < 0.5
        first = fake.first_name_female() if female else fake.first_name_male()
        person: dict[str, Any] = {
            "ref": ref,
            "first_name": first,
            "last_name": last,
            "date_of_birth": born.isoformat(),
            "gender": "female" if female else "male",
            "addresses": [address],
        }
        if rng.random() < 0.3:
            person["middle_names"] = fake.first_name_female() if female else fake.first_name_male()
        nhs = _nhs_number(n)
        if nhs and rng.random() < 0.8:
            person["identifiers"] = [{"scheme": "nhs", "value": nhs}]
        if not child:
            person["contacts"] = [{"kind": "phone", "value": fake.phone_number()}]
            if rng.random() < 0.5:
                person["contacts"].append({"kind": "email", "value": fake.free_email()})
            if female and rng.random() < 0.12:
                person["other_names"] = [{"kind": "previous", "last_name": fake.last_name()}]
        if rng.random() < 0.03:
            person["address_withheld"] = True
        return person

    def professional(self, role: str) -> dict[str, Any]:
        fake, rng = self.fake, self.rng
        ref, _ = self._ref()
        organisation = (
            f"{fake.city()} Children's Services"
            if role == "social_worker"
            else f"{fake.last_name()} & {fake.last_name()} Solicitors"
        )
        return {
            "ref": ref,
            "first_name": fake.first_name(),
            "last_name": fake.last_name(),
            "is_professional": True,
            "organisation": organisation,
            "contacts": [{"kind": "email", "value": fake.company_email()}],
            "gender": rng.choice(["female", "male"]),
        }


_KINDS = ("case_note", "case_note", "report_to_court", "court_order", "correspondence")
_SENTENCES = (
    "{child} was seen alone in their bedroom and showed me their drawings.",
    "{adult} said the arrangements for handover at the weekend had broken down again.",
    "The school reports that {child}'s attendance has improved since the last review.",
    "{adult} was tearful and said she was worried about money and the rent arrears.",
    "{child} told me they felt safe at home but missed their father.",
    "The health visitor has no concerns about {child}'s development.",
    "Contact at the family centre went well; {child} was pleased to see {adult}.",
    "{adult} did not attend the meeting and has not replied to my messages.",
    "I explained to {child}, in words suited to their age, what the court will decide.",
    "Police attended the address on {when} after neighbours reported shouting.",
    "The local authority proposes a child in need plan rather than proceedings.",
    "{adult} has completed the parenting course and the certificate is on file.",
    "{child}'s grandmother offered to help with school pick-ups on weekdays.",
    "A hair strand test for {adult} has been requested by the court.",
    "The next hearing is listed for {when}; my report is due a week before.",
    "{child} wants to stay at the same school and keep living with their mother.",
)
_NOTE_OPENERS = (
    "Home visit to {child} at the family address.",
    "Telephone call with {adult} about contact arrangements for {child}.",
    "Meeting at school with {child}'s class teacher.",
    "Report of the Children's Guardian concerning {child}.",
    "Letter from {adult}'s solicitor about the next hearing.",
)


def _document(
    rng: random.Random, fake: Any, opened: date, child: dict[str, Any], adult: dict[str, Any]
) -> dict[str, Any]:
    child_name, adult_name = child["first_name"], f"{adult['first_name']} {adult['last_name']}"
    opener = rng.choice(_NOTE_OPENERS).format(child=child_name, adult=adult_name)
    created = opened + timedelta(days=rng.randrange(400))
    when = f"{created + timedelta(days=rng.randrange(7, 60)):%d %B %Y}"
    paragraphs = [opener] + [
        " ".join(
            rng.choice(_SENTENCES).format(child=child_name, adult=adult_name, when=when)
            for _ in range(rng.randint(3, 6))
        )
        for _ in range(rng.randint(1, 4))
    ]
    kind = rng.choice(_KINDS)
    return {
        "title": f"{kind.replace('_', ' ').capitalize()} {created:%d %B %Y}",
        "kind": kind,
        "created_on": created.isoformat(),
        "provenance": "court" if kind == "court_order" else "staff",
        "author_name": fake.name(),
        "about": [child["ref"]],
        "filename": f"{kind}.txt",
        "text": "\n\n".join(paragraphs),
    }


def generate(path: Path, cases: int, seed: int = SEED) -> dict[str, int]:
    """Write ``cases`` lines of realistic cases to ``path``; returns what it holds."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    people = _People(rng, fake)
    social_workers = [people.professional("social_worker") for _ in range(300)]
    solicitors = [people.professional("solicitor") for _ in range(200)]
    families: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
    courts = [fake.city() for _ in range(40)]
    totals = {"cases": 0, "persons_listed": 0, "documents": 0}
    refs: set[str] = set()
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, cases + 1):
            case_type = rng.choices(
                ["private_law", "public_law", "adoption", "other"], [65, 28, 5, 2]
            )[0]
            opened = date(2012, 1, 1) + timedelta(days=rng.randrange(4800))
            if families and rng.random() < 0.125:
                children, adults = rng.choice(families)  # the family's next case
            else:
                last = fake.last_name()
                home = people.address()
                adults = [
                    people.person(
                        last=last,
                        born=opened - timedelta(days=rng.randrange(20 * 365, 45 * 365)),
                        address=home,
                        child=False,
                    )
                    for _ in range(rng.choice([1, 1, 2]))
                ]
                children = [
                    people.person(
                        last=last,
                        born=opened - timedelta(days=rng.randrange(60, 16 * 365)),
                        address=home,
                        child=True,
                    )
                    for _ in range(rng.choice([1, 1, 1, 2, 3]))
                ]
                families.append((children, adults))
            professional = rng.choice(social_workers if case_type != "private_law" else solicitors)
            parties = [{"person_ref": c["ref"], "role": "child_subject"} for c in children]
            parties += [
                {"person_ref": a["ref"], "role": "applicant" if i == 0 else "respondent"}
                for i, a in enumerate(adults)
            ]
            parties.append(
                {
                    "person_ref": professional["ref"],
                    "role": "social_worker"
                    if professional["organisation"].endswith("Services")
                    else "solicitor",
                }
            )
            persons = [*children, *adults, professional]
            documents = [
                _document(rng, fake, opened, rng.choice(children), rng.choice(adults))
                for _ in range(rng.choice([2, 3, 3, 4]))
            ]
            closed = opened + timedelta(days=rng.randrange(90, 700))
            court = rng.choice(courts)
            line = {
                "case_number": f"{court[:2].upper()}{opened:%y}{'P' if case_type == 'private_law' else 'C'}{n:06d}",
                "case_type": case_type,
                "court": f"Family Court at {court}",
                "local_authority": f"{rng.choice(courts)} City Council",
                "opened_on": opened.isoformat(),
                "closed_on": closed.isoformat() if closed < date(2025, 6, 1) else None,
                "team": rng.choice(["north", "south", "east", "west"]),
                "assigned_usernames": rng.sample(STAFF, rng.choice([1, 1, 2])),
                "persons": persons,
                "parties": parties,
                "documents": documents,
            }
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
            totals["cases"] += 1
            totals["persons_listed"] += len(persons)
            refs.update(p["ref"] for p in persons)
            totals["documents"] += len(documents)
    totals["distinct_persons"] = len(refs)
    totals["file_bytes"] = path.stat().st_size
    return totals


# --- the peer: the same rows, none of the protections -------------------------------------

PLACEHOLDER_KEY = "00000000-0000-0000-0000-000000000000"


class _Peer:
    """The naive import: one ORM object per row, a flush after each, nothing protected."""

    def __init__(self, db: Session) -> None:
        self.db = db
        if db.get(DataKey, PLACEHOLDER_KEY) is None:
            db.add(DataKey(id=PLACEHOLDER_KEY, purpose="peer", created_at=clock.now()))
        file_plan.ensure_default_file_plan(db)
        self.classes = {c.code: c.id for c in db.scalars(select(RecordClass))}
        self.users = {u.username: u.id for u in db.scalars(select(auth.User))}
        db.commit()

    def import_lines(self, lines: Iterator[bytes]) -> int:
        db, imported = self.db, 0
        for raw in lines:
            case = ImportCase.model_validate_json(raw)
            if db.scalar(select(Case.id).where(Case.case_number == case.case_number)):
                continue
            self._case(case)
            imported += 1
        db.commit()
        return imported

    def _case(self, case: ImportCase) -> None:
        db = self.db
        row = Case(
            case_number=case.case_number,
            case_type=case.case_type,
            court=case.court,
            local_authority=case.local_authority,
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            status=CaseStatus.CLOSED if case.closed_on else CaseStatus.OPEN,
            record_class_id=self.classes[
                case.record_class or file_plan.CLASS_FOR_CASE_TYPE[case.case_type]
            ],
            team=case.team,
            data_key_id=PLACEHOLDER_KEY,
            created_at=clock.now(),
        )
        db.add(row)
        db.flush()
        person_ids: dict[str, int] = {}
        for p in case.persons:
            found = db.scalar(
                select(Identifier.person_id).where(
                    Identifier.scheme == IdentifierScheme.LEGACY, Identifier.value == p.ref
                )
            )
            if found is not None:
                person_ids[p.ref] = found
                continue
            now = clock.now()
            person = Person(
                **p.model_dump(
                    exclude={"ref", "other_names", "addresses", "contacts", "identifiers"}
                ),
                created_at=now,
                updated_at=now,
                names=[PersonName(**n.model_dump()) for n in p.other_names],
                addresses=[Address(**a.model_dump()) for a in p.addresses],
                contacts=[Contact(**c.model_dump()) for c in p.contacts],
                identifiers=[Identifier(**i.model_dump()) for i in p.to_create().identifiers],
            )
            db.add(person)
            db.flush()
            person_ids[p.ref] = person.id
        for party in case.parties:
            db.add(Party(case_id=row.id, person_id=person_ids[party.person_ref], role=party.role))
            db.flush()
        for d in case.documents:
            data = (d.text or "").encode()
            media_type = policy.sniff_media_type(data)
            document = Document(
                case_id=row.id,
                title=d.title,
                kind=d.kind,
                author_name=d.author_name,
                created_on=d.created_on,
                security_marking=d.security_marking,
                provenance=d.provenance,
                record_class_id=row.record_class_id,
                media_type=media_type,
                filename=policy.safe_filename(d.filename, media_type),
                size_bytes=len(data),
                # Text is extracted later, in the background, on both sides (as ours does).
                extraction_status=ExtractionStatus.PENDING.value,
                added_at=clock.now(),
            )
            db.add(document)
            db.flush()
            db.add(DocumentContent(document_id=document.id, body=data, text=None))
            for ref in d.about:
                db.add(DocumentSubject(document_id=document.id, person_id=person_ids[ref]))
            db.flush()
        for username in case.assigned_usernames:
            db.add(
                CaseAssignment(
                    case_id=row.id, user_id=self.users[username], assigned_at=clock.now()
                )
            )
            db.flush()


# --- the two sides, each in its own long-lived process ------------------------------------


def _settings(data_dir: Path, database_url: str | None) -> Settings:
    return Settings(env=Environment.TEST, data_dir=data_dir, database_url=database_url)


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _peak_rss_mb() -> float:
    # VmHWM: this process image's own peak (getrusage's survives fork+exec on Linux).
    return _status_mb("VmHWM")


def _reset_peak_rss() -> bool:
    """Start the peak afresh from here (Linux: "5" to /proc/self/clear_refs). Importing
    Steward's modules peaks ~40 MB above where it settles, which would hide the import's own."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def _engine(data_dir: Path, url: str | None) -> Engine:
    settings = _settings(data_dir, url)
    if url and url.startswith("sqlite"):
        return make_engine(settings, url=make_url(url))
    return make_engine(settings)


def _worker(side: str, data_dir: str, url: str | None, path: str, conn: Connection) -> None:
    """Imports the file a chunk at a time, when told to, and reports each chunk's seconds.

    Ours runs as ``steward import cases`` does: ``import_cases`` over ``read_lines``, committing
    at its checkpoints; a chunk is one batch, so commits fall where the CLI's would."""
    import steward.models  # noqa: F401 - every table mapped

    engine = _engine(Path(data_dir), url)
    factory = make_sessionmaker(engine)
    kek = FileKeyring(keyfile.load_or_create(_settings(Path(data_dir), url).resolved_key_file))
    totals: dict[str, Any] = {"imported": 0, "skipped": 0, "failed": 0, "persons_created": 0}
    totals["persons_matched"] = 0
    try:
        with factory() as db:
            db.execute(select(1))  # connect (and key SQLCipher) before any clock starts
            peer = _Peer(db) if side == "peer" else None
        peak_reset = _reset_peak_rss()
        rss_before = _status_mb("VmRSS")
        with Path(path).open("rb") as stream:
            lines = read_lines(stream)
            while (size := conn.recv()) is not None:
                chunk = islice(lines, size)
                t0 = perf_counter()
                if peer is None:
                    with session_scope(factory) as db:
                        report = service.import_cases(
                            db, kek, Actor.system(), chunk, checkpoint=db.commit
                        )
                    for key in totals:
                        totals[key] += getattr(report, key)
                    if report.failures:
                        totals.setdefault("first_failures", [f.reason for f in report.failures])
                else:
                    with factory() as db:
                        peer.db = db
                        totals["imported"] += peer.import_lines(chunk)
                conn.send(perf_counter() - t0)
        conn.send(
            {
                **totals,
                "rss_before_mb": rss_before,
                "peak_rss_mb": _peak_rss_mb(),
                "peak_reset": peak_reset,
            }
        )
    finally:
        engine.dispose()
        conn.close()


@dataclass
class _Side:
    process: BaseProcess
    conn: Connection
    batches: list[tuple[int, float]] = field(default_factory=list)  # (cases, seconds)


def _interleaved(targets: dict[str, Target], path: Path, cases: int) -> dict[str, dict[str, Any]]:
    """Both sides import the same file, chunk by chunk in turn (who goes first alternates), so
    a burst of load on the shared machine hits both alike; each keeps its own process, so its
    peak memory is its own."""
    ctx = multiprocessing.get_context("spawn")
    sides: dict[str, _Side] = {}
    for name, target in targets.items():
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=_worker, args=(name, str(target.data_dir), target.url, str(path), child)
        )
        process.start()
        child.close()  # so a worker that dies is an EOFError here, not a wait for ever
        sides[name] = _Side(process, parent)
    try:
        for i, start in enumerate(range(0, cases, DEFAULT_BATCH_CASES)):
            size = min(DEFAULT_BATCH_CASES, cases - start)
            for name in ("peer", "ours") if i % 2 == 0 else ("ours", "peer"):
                sides[name].conn.send(size)
                sides[name].batches.append((size, sides[name].conn.recv()))
        results = {}
        for name, side in sides.items():
            side.conn.send(None)
            results[name] = {
                "seconds": sum(s for _, s in side.batches),
                "batch_rates": [n / s for n, s in side.batches],
                **side.conn.recv(),
            }
        return results
    finally:
        for side in sides.values():
            side.process.join(timeout=60)
            if side.process.is_alive():
                side.process.kill()


def _rerun(target: Target, path: Path, cases: int) -> float:
    """Seconds for ours to re-run the whole file when everything is already imported."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(
        target=_worker, args=("ours", str(target.data_dir), target.url, str(path), child)
    )
    process.start()
    child.close()
    try:
        parent.send(cases)
        seconds: float = parent.recv()
        parent.send(None)
        totals = parent.recv()
        assert totals["skipped"] == cases and totals["imported"] == 0, totals
        return seconds
    finally:
        process.join(timeout=60)


# --- backends -----------------------------------------------------------------------------


@dataclass
class Target:
    """A fresh, migrated database for one side, with the staff the file assigns cases to."""

    data_dir: Path
    url: str | None
    engine: Engine


def _prepare(engine: Engine) -> None:
    migrate.upgrade(engine)
    import steward.models  # noqa: F401

    with session_scope(make_sessionmaker(engine)) as db:
        for username in STAFF:
            auth.create_user(
                db,
                Actor.system(),
                username=username,
                role=Role.CASEWORKER,
                password="bench password long enough",  # noqa: S106 - throwaway bench account
            )


@contextmanager
def sqlite_targets(tmp: Path) -> Iterator[dict[str, Target]]:
    ours_dir, peer_dir = tmp / "sqlite-ours", tmp / "sqlite-peer"
    peer_dir.mkdir(mode=0o700, parents=True)
    peer_url = URL.create("sqlite", database=str(peer_dir / "plain.db")).render_as_string()
    targets = {
        "ours": Target(ours_dir, None, _engine(ours_dir, None)),
        "peer": Target(peer_dir, peer_url, _engine(peer_dir, peer_url)),
    }
    try:
        for target in targets.values():
            _prepare(target.engine)
        yield targets
    finally:
        for target in targets.values():
            target.engine.dispose()


@contextmanager
def postgres_targets(tmp: Path, url: str) -> Iterator[dict[str, Target] | None]:
    base = make_url(url)
    admin = create_engine(base, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            for schema in PG_SCHEMAS.values():
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        log(f"postgresql: not reachable, skipped ({str(exc.orig).strip()[:120]})")
        admin.dispose()
        yield None
        return
    targets = {}
    for side, schema in PG_SCHEMAS.items():
        scoped = base.update_query_dict({"options": f"-csearch_path={schema}"})
        scoped_url = scoped.render_as_string(hide_password=False)
        data_dir = tmp / f"postgresql-{side}"
        targets[side] = Target(data_dir, scoped_url, _engine(data_dir, scoped_url))
    try:
        for target in targets.values():
            _prepare(target.engine)
        yield targets
    finally:
        for target in targets.values():
            target.engine.dispose()
        with admin.begin() as conn:
            for schema in PG_SCHEMAS.values():
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(model)).scalar() or 0)
            for name, model in (
                ("cases", Case),
                ("persons", Person),
                ("parties", Party),
                ("documents", Document),
                ("assignments", CaseAssignment),
                ("audit_events", audit.AuditEvent),
            )
        }


def _storage_mb(target: Target) -> float:
    if target.url is None or target.url.startswith("sqlite"):
        return round(sum(f.stat().st_size for f in target.data_dir.glob("*.db*")) / 2**20, 1)
    with target.engine.connect() as conn:
        size = conn.execute(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        ).scalar()
    return round(int(size or 0) / 2**20, 1)


def bench_backend(name: str, targets: dict[str, Target], path: Path, cases: int) -> dict[str, Any]:
    runs = _interleaved(targets, path, cases)
    for side, run in runs.items():
        assert run["imported"] == cases and run["failed"] == 0, (side, run)
        log(
            f"{name}: {side}: {cases:,} cases in {run['seconds']:.1f} s "
            f"({cases / run['seconds']:.1f}/s), peak RSS {run['peak_rss_mb']:.0f} MB"
        )
    rerun_seconds = _rerun(targets["ours"], path, cases)
    counts = {side: _counts(t.engine) for side, t in targets.items()}
    for table in ("cases", "persons", "parties", "documents", "assignments"):
        assert counts["ours"][table] == counts["peer"][table], (table, counts)
    with session_scope(make_sessionmaker(targets["ours"].engine)) as db:
        verification = audit.verify(db)
    assert verification.ok, verification
    figures = {
        side: {
            "cases_per_s": round(cases / runs[side]["seconds"], 1),
            "peak_rss_mb": round(runs[side]["peak_rss_mb"], 1),
        }
        for side in runs
    }
    return {
        "ours": figures["ours"],
        "peer": figures["peer"],
        "ratio": ratios(figures["ours"], figures["peer"]),
        "context": {
            "seconds": {side: round(runs[side]["seconds"], 1) for side in runs},
            "cases_per_s_over_batches": {
                side: spread(runs[side]["batch_rates"], 1) for side in runs
            },
            "rerun_all_skipped_lines_per_s": round(cases / rerun_seconds, 1),
            "rss_before_import_mb": {side: round(runs[side]["rss_before_mb"], 1) for side in runs},
            "rss_growth_mb": {
                side: round(runs[side]["peak_rss_mb"] - runs[side]["rss_before_mb"], 1)
                for side in runs
            },
            "peak_measured_from_import_start": all(r["peak_reset"] for r in runs.values()),
            "persons_created": runs["ours"]["persons_created"],
            "persons_matched": runs["ours"]["persons_matched"],
            "rows": counts,
            "audit_chain_ok": verification.ok,
            "storage_mb": {side: _storage_mb(t) for side, t in targets.items()},
        },
    }


def _validation_only(path: Path) -> float:
    """Lines/s for parsing and validating alone: the floor both sides share."""
    t0 = perf_counter()
    n = 0
    with path.open("rb") as stream:
        for raw in read_lines(stream):
            ImportCase.model_validate_json(raw)
            n += 1
    return round(n / (perf_counter() - t0), 1)


def run(quick: bool) -> dict[str, Any]:
    cases = QUICK_CASES if quick else int(os.environ.get(CASES_ENV, FULL_CASES))
    postgres_url = backends.postgres_url()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="steward-bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "cases.jsonl"
        t0 = perf_counter()
        data = generate(path, cases)
        log(
            f"generated {cases:,} cases ({data['file_bytes'] / 2**20:.1f} MB) in {perf_counter() - t0:.1f} s"
        )
        validate_rate = _validation_only(path)
        with sqlite_targets(tmp) as targets:
            results["sqlite"] = bench_backend("sqlite", targets, path, cases)
        if postgres_url:
            with postgres_targets(tmp, postgres_url) as pg:
                if pg is not None:
                    results["postgresql"] = bench_backend("postgresql", pg, path, cases)
    return {
        "quick": quick,
        "ours": {name: r["ours"] for name, r in results.items()},
        "peer": {name: r["peer"] for name, r in results.items()},
        "ratio": {name: r["ratio"] for name, r in results.items()},
        "sizes": {"cases": cases, **data},
        "seeds": {"data": SEED},
        "peers": {
            "import": "naive per-row ORM import of the same file into the same tables: same "
            "Pydantic validation and sniffing, a flush per row, bodies in clear, no audit, no "
            "data keys, no search index, no access checks; plain SQLite instead of SQLCipher; "
            "same commit batches",
        },
        "context": {
            "validate_only_lines_per_s": validate_rate,
            "batch_cases": DEFAULT_BATCH_CASES,
            **{name: r["context"] for name, r in results.items()},
        },
    }


# --- the table in bench/README.md and docs/import.md -------------------------------------


def tables(result: dict[str, Any]) -> dict[str, str]:
    from bench.tables import figure, markdown, times

    names = {"sqlite": "SQLCipher file", "postgresql": "PostgreSQL"}
    rows = []
    for backend, ours in result["ours"].items():
        peer, context = result["peer"][backend], result["context"][backend]
        batches = context["cases_per_s_over_batches"]
        rows.append(
            [
                names.get(backend, backend),
                f"{figure(ours['cases_per_s'])} ({figure(batches['ours']['min'])}"
                f"-{figure(batches['ours']['max'])})",
                f"{figure(peer['cases_per_s'])} ({figure(batches['peer']['min'])}"
                f"-{figure(batches['peer']['max'])})",
                times(result["ratio"][backend].get("cases_per_s")),
                f"{figure(ours['peak_rss_mb'], 0)} MB "
                f"(+{figure(context['rss_growth_mb']['ours'], 0)} MB during the import)",
                f"{figure(context['rerun_all_skipped_lines_per_s'], 0)} lines/s",
            ]
        )
    header = [
        "backend",
        "Steward cases/s (batch min-max)",
        "naive peer cases/s (batch min-max)",
        "ratio (ours / peer)",
        "peak memory (Steward)",
        "re-run, all skipped",
    ]
    sizes = result["sizes"]
    note = (
        f"{sizes['cases']:,} cases, {sizes['distinct_persons']:,} distinct persons, "
        f"{sizes['documents']:,} documents, in batches of {result['context']['batch_cases']}."
    )
    return {"import": f"{markdown(header, rows)}\n\n{note}"}
