"""Building the evidence pack (a zip: README, the parts' files, manifest.json), and keeping a
built one for its builder to download for a limited time.

Reading needs ASSURANCE_VIEW (IG officer, DPO, auditor). What goes in is what the builder's
role may read (parts.py): a part their role does not read is left out and the README says so.
So a pack is downloaded by its builder only; the others with the view see that it exists, who
built it, when, its size and SHA-256. A kept pack is sealed in chunks under a data key of its
own, destroyed when the pack expires."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from steward.assurance.controls import service as controls
from steward.assurance.pack import parts as pack_parts
from steward.assurance.pack.events import PackEvent
from steward.assurance.pack.models import EvidencePack, EvidencePackChunk, PackStatus
from steward.core import audit, auth, clock, crypto, jobs, sealed_files
from steward.core.crypto import KeyEncryptionKeys
from steward.core.db import session_scope
from steward.core.errors import DomainError, Forbidden, NotFound
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import ROLE_NAMES, Actor, Permission, Role

JOB_KIND = "assurance.evidence_pack"
SUBJECT_TYPE = "assurance_evidence_pack"
KEEP_DAYS = 7  # long enough to pass it to the auditor; it is rebuilt on demand after that
README = "00-README.txt"
MANIFEST = "manifest.json"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    bytes: int
    sha256: str
    rows: int | None
    about: str


@dataclass(frozen=True)
class LeftOut:
    part: str
    reason: str


@dataclass(frozen=True)
class PackManifest:
    as_of: date
    generated_at: datetime
    role: str
    version: str
    entries: list[ManifestEntry] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def as_json(self) -> bytes:
        body = {
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "role": self.role,
            "steward_version": self.version,
            "files": [
                {"file": e.path, "bytes": e.bytes, "sha256": e.sha256, "rows": e.rows}
                for e in self.entries
            ],
            "left_out": [{"part": o.part, "reason": o.reason} for o in self.left_out],
        }
        return json.dumps(body, indent=2).encode("utf-8")


def _version() -> str:
    try:
        return importlib.metadata.version("steward")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _role_name(actor: Actor) -> str:
    return ROLE_NAMES[actor.role] if actor.role is not None else "Operator (command line)"


def _entry(file: pack_parts.PackFile) -> ManifestEntry:
    digest = hashlib.sha256(file.data).hexdigest()
    return ManifestEntry(file.path, len(file.data), digest, file.rows, file.about)


def readme(manifest: PackManifest, organisation: str) -> bytes:
    lines = [
        f"Evidence pack: {organisation}",
        "",
        f"As of:        {manifest.as_of.isoformat()} (the date the measures are computed for)",
        f"Generated at: {manifest.generated_at.isoformat()}",
        f"Built as:     {manifest.role} (the pack holds what that role may read)",
        f"Steward:      version {manifest.version}",
        "",
        "Registers (processing, assets, action plan, breaches, break-glass, access reviews,",
        "attestations) are as they stood when the pack was generated; the measures are as of",
        "the date above; certificates are those issued by that date.",
        "",
        "No file names a data subject. Registers hold staff usernames where the register",
        "needs them (owners, reviewers, accounts reviewed). Free text kept sealed in Steward",
        "(statements, notes, reasons, a breach's narrative) is not in the pack: read it on",
        "its page. manifest.json gives each file's size, SHA-256 and rows, and the parts",
        "left out; check a file with `sha256sum FILE`.",
        "",
        "Files",
        "-----",
    ]
    for e in manifest.entries:
        rows = "" if e.rows is None else f", {e.rows} row{'' if e.rows == 1 else 's'}"
        lines += [e.path, f"    {e.about}", f"    {e.bytes} bytes{rows}, SHA-256 {e.sha256}"]
    lines += [MANIFEST, "    This list as JSON (with this README's own SHA-256)."]
    if manifest.left_out:
        lines += ["", "Left out", "--------"]
        lines += [f"{o.part}: {o.reason}" for o in manifest.left_out]
    return ("\n".join(lines) + "\n").encode("utf-8")


def build(
    db: Session,
    actor: Actor,
    as_of: date,
    out: BinaryIO,
    *,
    keyring: KeyEncryptionKeys,
    organisation: str,
    progress: Progress | None = None,
    pack_id: int | None = None,
) -> PackManifest:
    """Write the pack for ``as_of`` to ``out`` as a zip; one audit event, counts only."""
    actor.require(Permission.ASSURANCE_VIEW)
    controls.check_as_of(as_of)
    ctx = pack_parts.Context(db, actor, as_of, keyring, organisation)
    manifest = PackManifest(as_of, clock.now(), _role_name(actor), _version())
    files: list[pack_parts.PackFile] = []
    total = len(pack_parts.PARTS)
    for done, part in enumerate(pack_parts.PARTS):
        if progress is not None:
            progress(done, total)
        try:
            made = part.make(ctx)
        except Forbidden as exc:
            manifest.left_out.append(LeftOut(part.title, f"not for this role ({exc.message})"))
            continue
        except DomainError as exc:  # nothing to show yet (no approved schedule, say)
            manifest.left_out.append(LeftOut(part.title, exc.message))
            continue
        files += made
        manifest.entries.extend(_entry(f) for f in made)
    text = readme(manifest, organisation)
    readme_entry = ManifestEntry(README, len(text), hashlib.sha256(text).hexdigest(), None, "")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(README, text)
        for f in files:
            archive.writestr(f.path, f.data)
        listed = PackManifest(
            manifest.as_of,
            manifest.generated_at,
            manifest.role,
            manifest.version,
            [readme_entry, *manifest.entries],
            manifest.left_out,
        )
        archive.writestr(MANIFEST, listed.as_json())
    if progress is not None:
        progress(total, total)
    details: dict[str, int | str] = {
        "as_of": as_of.isoformat(),
        "files": len(files) + 2,
        "bytes": sum(e.bytes for e in manifest.entries),
        "left_out": len(manifest.left_out),
    }
    if pack_id is not None:
        details["pack"] = pack_id
    audit.record(
        db, actor, PackEvent.BUILT, subject_type=SUBJECT_TYPE, subject_id=pack_id, details=details
    )
    return listed


# --- kept packs: started as a job, sealed, listed, downloaded ------------------------------------


def start(
    db: Session, actor: Actor, queue: jobs.JobQueue, *, as_of: date, organisation: str
) -> tuple[EvidencePack, jobs.Job]:
    """A pack row and the background job that builds it."""
    actor.require(Permission.ASSURANCE_VIEW)
    controls.check_as_of(as_of)
    if actor.user_id is None:
        raise Forbidden("Only a signed-in member of staff builds a pack to keep.")
    purge_expired(db)
    pack = EvidencePack(
        as_of=as_of,
        status=PackStatus.BUILDING.value,
        requested_by_user_id=actor.user_id,
        role=str(actor.role),
        organisation=organisation[:200],
        requested_at=clock.now(),
        files=0,
        size_bytes=0,
        chunks=0,
    )
    db.add(pack)
    db.flush()
    job = jobs.start(
        db,
        actor,
        queue,
        kind=JOB_KIND,
        permission=Permission.ASSURANCE_VIEW,
        subject_id=pack.id,
    )
    return pack, job


@jobs.handler(JOB_KIND)
def _run_job(run: jobs.JobRun) -> str | None:
    assert run.subject_id is not None
    pack_id = run.subject_id
    with session_scope(run.factory, read_only=True) as db:
        pack = db.get(EvidencePack, pack_id)
        if pack is None:
            raise NotFound("That evidence pack is no longer held.")
        as_of, organisation = pack.as_of, pack.organisation
    # A private temporary file (mode 0600), gone once sealed: the pack holds staff names.
    with tempfile.TemporaryFile(prefix="steward-pack-") as scratch:
        try:
            with session_scope(run.factory) as db:

                def step(done: int, total: int) -> None:
                    # Each part's export events are committed before the progress is written:
                    # on SQLite the progress's own session would wait for this one's write
                    # lock, and other requests would wait for the whole build.
                    db.commit()
                    run.progress(done, total)

                manifest = build(
                    db,
                    run.actor,
                    as_of,
                    scratch,
                    keyring=run.keyring,
                    organisation=organisation,
                    progress=step,
                    pack_id=pack_id,
                )
            scratch.seek(0)
            with session_scope(run.factory) as db:
                store(db, run.keyring, pack_id, scratch, files=len(manifest.entries) + 1)
        except DomainError as exc:
            _failed(run, pack_id, exc.message)
            raise
        except Exception:
            _failed(run, pack_id, "The pack could not be built. Build it again.")
            raise
    return f"/assurance/evidence-pack/{pack_id}"


def _failed(run: jobs.JobRun, pack_id: int, message: str) -> None:
    with session_scope(run.factory) as db:
        pack = db.get(EvidencePack, pack_id)
        if pack is not None:
            pack.status = PackStatus.FAILED.value
            pack.error = message[:300]


def _context(pack_id: int, seq: int) -> str:
    return f"evidence_pack:{pack_id}:chunk:{seq}"


def store(
    db: Session,
    kek: KeyEncryptionKeys,
    pack_id: int,
    source: BinaryIO | io.BufferedRandom,
    *,
    files: int,
) -> None:
    pack = db.get(EvidencePack, pack_id)
    if pack is None:
        raise NotFound("That evidence pack is no longer held.")
    key = crypto.create_data_key(db, kek, purpose="evidence-pack")
    kept = sealed_files.seal_file(
        db,
        kek,
        key_id=key.id,
        source=source,
        table=EvidencePackChunk,
        owner={"pack_id": pack_id},
        context=partial(_context, pack_id),
    )
    now = clock.now()
    pack.key_id = key.id
    pack.status = PackStatus.READY.value
    pack.built_at = now
    pack.expires_at = now + timedelta(days=KEEP_DAYS)
    pack.files = files
    pack.size_bytes, pack.sha256, pack.chunks = kept.size, kept.sha256, kept.chunks
    db.flush()


def purge_expired(db: Session) -> int:
    """Packs past their time: their key destroyed and their chunks deleted, the row kept
    (who built what, when, and its SHA-256 stay as the record)."""
    now = clock.now()
    expired = list(
        db.scalars(
            select(EvidencePack).where(
                EvidencePack.status == PackStatus.READY.value, EvidencePack.expires_at <= now
            )
        )
    )
    for pack in expired:
        db.execute(delete(EvidencePackChunk).where(EvidencePackChunk.pack_id == pack.id))
        if pack.key_id is not None:
            crypto.destroy_data_key(db, key_id=pack.key_id)
        pack.status = PackStatus.EXPIRED.value
        pack.chunks = 0
    db.flush()
    return len(expired)


@dataclass(frozen=True)
class PackView:
    pack: EvidencePack
    built_by: str
    role: str
    mine: bool

    @property
    def downloadable(self) -> bool:
        return self.mine and self.pack.status == PackStatus.READY.value

    @property
    def filename(self) -> str:
        return f"evidence-pack-{self.pack.as_of.isoformat()}-{self.pack.id}.zip"


def _view(db: Session, actor: Actor, pack: EvidencePack, names: dict[int, str]) -> PackView:
    try:
        role = ROLE_NAMES[Role(pack.role)]
    except ValueError:
        role = pack.role
    return PackView(
        pack,
        names.get(pack.requested_by_user_id or 0, "someone no longer here"),
        role,
        pack.requested_by_user_id is not None and pack.requested_by_user_id == actor.user_id,
    )


def list_packs(db: Session, actor: Actor, page: PageRequest) -> Page[PackView]:
    """Packs built, newest first: who built each, when, its size and SHA-256."""
    actor.require(Permission.ASSURANCE_VIEW)
    found: Page[EvidencePack] = paginate(
        db, select(EvidencePack).order_by(EvidencePack.id.desc()), page
    )
    names = auth.usernames(db, (p.requested_by_user_id or 0 for p in found.items))
    return found.map(lambda p: _view(db, actor, p, names))


def get_pack(db: Session, actor: Actor, pack_id: int) -> PackView:
    actor.require(Permission.ASSURANCE_VIEW)
    pack = db.get(EvidencePack, pack_id)
    if pack is None:
        raise NotFound("There is no such evidence pack.")
    if pack.status == PackStatus.READY.value and pack.expires_at and pack.expires_at <= clock.now():
        purge_expired(db)
    names = auth.usernames(db, [pack.requested_by_user_id or 0])
    return _view(db, actor, pack, names)


def download(db: Session, actor: Actor, pack_id: int) -> PackView:
    """A pack to send to its builder only (what is in it is what their role reads); its bytes
    are read with ``read_chunks``. Recorded as a download."""
    view = get_pack(db, actor, pack_id)
    if not view.mine:
        raise Forbidden(
            "Only the person who built this pack can download it: build one of your own."
        )
    pack = view.pack
    if pack.status != PackStatus.READY.value or pack.key_id is None:
        raise NotFound(
            f"This pack is no longer held (packs are kept for {KEEP_DAYS} days) or was not "
            "built: build it again."
        )
    audit.record(
        db,
        actor,
        PackEvent.DOWNLOADED,
        subject_type=SUBJECT_TYPE,
        subject_id=pack.id,
        details={"bytes": pack.size_bytes},
    )
    return view


def read_chunks(db: Session, kek: KeyEncryptionKeys, pack_id: int) -> Iterator[bytes]:
    """The pack's bytes, one sealed chunk at a time."""
    pack = db.get(EvidencePack, pack_id)
    if pack is None or pack.key_id is None or pack.status != PackStatus.READY.value:
        raise NotFound("That evidence pack is no longer held.")
    yield from sealed_files.open_file(
        db,
        kek,
        key_id=pack.key_id,
        chunks=pack.chunks,
        table=EvidencePackChunk,
        owner={"pack_id": pack_id},
        context=partial(_context, pack_id),
        missing="Part of that pack is missing: build it again.",
    )
