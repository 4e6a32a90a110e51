"""The issue's proof of encryption at rest, with real case records.

Embedded default: after a case is added through the records service (a person, a party, a
typed note, a PDF, a Word file, a break-glass reason), each carrying its own unique marker,
no file under the data directory holds any marker's bytes: not the database, not its
write-ahead log, not its shared-memory file; while the database is open and after it is closed.
The same records in a plain SQLite file ARE found by the same scan, so the scan can fail.

Every backend: the document_contents columns hold only ciphertext that opens back, through
the service, to the original bytes. (On PostgreSQL that is the whole of the promise: its
files are the operator's to encrypt.)
"""

from __future__ import annotations

import importlib
import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, LargeBinary, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from steward.core import auth, crypto, keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import policy, service
from steward.records.models import CaseType, DocumentKind, PartyRole
from steward.records.schemas import AddressIn, CaseCreate, DocumentMeta, PersonCreate
from tests.factories.records import make_case
from tests.records import samples

# The module, not the function of the same name that steward.records.service re-exports.
search_index = importlib.import_module("steward.records.service.search")

ON_POSTGRESQL = bool(os.environ.get("STEWARD_TEST_DATABASE_URL"))
embedded_only = pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="the data directory's files are the embedded SQLCipher default; "
    "PostgreSQL's storage is the operator's to encrypt",
)


def _marker(kind: str) -> str:
    # Lowercase letters and digits only: the full-text tokenizer keeps it whole, as written.
    return f"{kind}{secrets.token_hex(10)}"


@dataclass(frozen=True)
class Markers:
    name: str  # a person's name: a plain column
    address: str  # a plain column
    title: str  # a document's title: a plain column
    note: str  # in a typed note's body (and so its extracted text)
    pdf: str  # in a PDF's text layer
    docx: str  # in a Word document's paragraph
    reason: str  # in a break-glass reason (sealed)

    @property
    def plain_columns(self) -> dict[str, str]:
        return {"name": self.name, "address": self.address, "title": self.title}

    @property
    def sealed(self) -> dict[str, str]:
        return {"note": self.note, "pdf": self.pdf, "docx": self.docx, "reason": self.reason}

    @property
    def all(self) -> dict[str, str]:
        return {**self.plain_columns, **self.sealed}


@pytest.fixture
def markers() -> Markers:
    return Markers(
        name=_marker("name"),
        address=_marker("addr"),
        title=_marker("title"),
        note=_marker("note"),
        pdf=_marker("pdf"),
        docx=_marker("docx"),
        reason=_marker("reason"),
    )


def _settings(data_dir: Path) -> Settings:
    # Explicit fields so a STEWARD_DATABASE_URL in the environment cannot redirect the test.
    return Settings(env=Environment.TEST, data_dir=data_dir, database_url=None, key_file=None)


@pytest.fixture
def fresh(tmp_path: Path) -> Settings:
    return _settings(tmp_path / "data")


def _migrated(settings: Settings, url: str | None = None) -> Engine:
    engine = make_engine(settings, url=make_url(url) if url else None)
    migrate.upgrade(engine)
    return engine


def _add_marked_case(engine: Engine, settings: Settings, m: Markers) -> None:
    """One committed unit of work, as a request or an import would commit it."""
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    system = Actor.system()
    meta = DocumentMeta(
        title=f"Report {m.title}", kind=DocumentKind.REPORT_TO_COURT, created_on=date(2024, 5, 1)
    )
    with session_scope(make_sessionmaker(engine)) as db:
        stranger = auth.create_user(
            db, system, username="stranger", role=Role.CASEWORKER, password="a long password ok"
        )
        case = service.create_case(
            db,
            keyring,
            system,
            CaseCreate(
                case_number="ZX123456", case_type=CaseType.PUBLIC_LAW, opened_on=date(2024, 4, 1)
            ),
        )
        person = service.create_person(
            db,
            system,
            PersonCreate(
                first_name=m.name,
                last_name="Okafor",
                date_of_birth=date(2016, 1, 2),
                addresses=[AddressIn(line1=f"1 {m.address} Road", postcode="LS1 4AB")],
            ),
        )
        service.add_party(
            db, system, case_id=case.id, person_id=person.id, role=PartyRole.CHILD_SUBJECT
        )
        for data, filename in (
            (f"Visit note: the guardian spoke with {m.note} today.".encode(), "note.txt"),
            (samples.pdf("Report to the court", f"Concerning {m.pdf}"), "report.pdf"),
            (samples.docx("Position statement", f"About {m.docx}", stored=True), "s.docx"),
        ):
            service.add_document(
                db, keyring, system, case_id=case.id, meta=meta, data=data, filename=filename
            )
        service.break_glass(
            db, keyring, stranger.actor, case_id=case.id, reason=f"Urgent call about {m.reason}"
        )
    # The documents' text, extracted after the upload's commit as the worker does.
    service.run_pending(make_sessionmaker(engine), keyring)


def _check_markers_went_in(engine: Engine, settings: Settings, m: Markers) -> None:
    """Sanity: every marker is really stored and reads back through the key."""
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    system = Actor.system()
    with session_scope(make_sessionmaker(engine)) as db:
        for word in (m.name, m.title, m.note, m.pdf, m.docx):
            assert service.search(db, system, word), f"{word} is not searchable"
        case_id = service.case_id_for_number(db, "ZX123456")
        case, _ = service.view_case(db, system, case_id)
        texts = [service.view_document(db, keyring, system, d.id)[1] for d in case.documents]
        assert all(any(word in t for t in texts) for word in (m.note, m.pdf, m.docx))
        bodies = [service.download_document(db, keyring, system, d.id).data for d in case.documents]
        assert any(m.pdf.encode() in b for b in bodies)  # the PDF's own bytes carry it
        assert any(m.docx.encode() in b for b in bodies)
        person = case.parties[0].person
        assert person.first_name == m.name and m.address in person.addresses[0].line1
        dpo = auth.create_user(
            db, system, username="dpo-check", role=Role.DPO, password="a long password ok"
        )
        assert m.reason in service.break_glass_log(db, keyring, dpo.actor).items[0][2]


def _scanned_files(settings: Settings) -> list[Path]:
    key_file = settings.resolved_key_file.resolve()
    return sorted(
        p for p in settings.data_dir.rglob("*") if p.is_file() and p.resolve() != key_file
    )


def _found(settings: Settings, m: Markers) -> dict[str, list[str]]:
    """Which markers (by kind) appear in which files, in UTF-8 or UTF-16 either way round."""
    files = {p: p.read_bytes() for p in _scanned_files(settings)}
    found: dict[str, list[str]] = {}
    for kind, marker in m.all.items():
        forms = [marker.encode(), marker.encode("utf-16-le"), marker.encode("utf-16-be")]
        where = [p.name for p, data in files.items() if any(f in data for f in forms)]
        if where:
            found[kind] = where
    return found


@embedded_only
def test_no_marker_in_any_file_while_the_database_is_open(
    fresh: Settings, markers: Markers
) -> None:
    engine = _migrated(fresh)
    try:
        _add_marked_case(engine, fresh, markers)
        _check_markers_went_in(engine, fresh, markers)
        with engine.connect():  # a connection held open, as a running server holds one
            wal = fresh.embedded_database_path.with_name("steward.db-wal")
            assert wal.exists() and wal.stat().st_size > 0, "expected the write-ahead log in use"
            names = {p.name for p in _scanned_files(fresh)}
            assert {"steward.db", "steward.db-wal", "steward.db-shm"} <= names
            assert _found(fresh, markers) == {}
    finally:
        engine.dispose()


@embedded_only
def test_no_marker_in_any_file_after_the_database_is_closed(
    fresh: Settings, markers: Markers
) -> None:
    engine = _migrated(fresh)
    _add_marked_case(engine, fresh, markers)
    _check_markers_went_in(engine, fresh, markers)
    engine.dispose()
    assert fresh.embedded_database_path in _scanned_files(fresh)
    assert _found(fresh, markers) == {}


@embedded_only
def test_control_the_same_scan_finds_the_markers_in_a_plain_sqlite_file(
    fresh: Settings, markers: Markers
) -> None:
    """Without SQLCipher the plain columns are there to read, so the scans above can fail;
    the sealed content stays sealed even here (the second layer)."""
    fresh.data_dir.mkdir(mode=0o700, parents=True)
    path = fresh.data_dir / "plain.db"
    engine = _migrated(fresh, f"sqlite:///{path}")
    try:
        _add_marked_case(engine, fresh, markers)
        _check_markers_went_in(engine, fresh, markers)
        with engine.connect():
            found = _found(fresh, markers)
    finally:
        engine.dispose()
    for kind in markers.plain_columns:
        assert kind in found, f"control failed: the {kind} marker was not found in plain SQLite"
    assert "reason" not in found  # sealed, and never indexed
    found_closed = _found(fresh, markers)
    assert set(markers.plain_columns) <= set(found_closed)
    assert all("plain.db" in where for where in found_closed.values())


@embedded_only
def test_the_search_index_keeps_no_copy_of_the_text(fresh: Settings) -> None:
    """The FTS5 table is contentless: the words are indexed (which is why the file itself is
    encrypted) but the text is not kept. Checked on a plain file, standing in for a decrypted
    copy: nothing reads the body back, there is no content table, and no run of the text's
    words survives in the file."""
    fresh.data_dir.mkdir(mode=0o700, parents=True)
    path = fresh.data_dir / "plain.db"
    engine = _migrated(fresh, f"sqlite:///{path}")
    token = secrets.token_hex(8)
    body = (
        f"The guardian {token} met both children at the contact centre on Tuesday "
        "and found them settled and happy"
    )
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            search_index.index(db, kind="document", ref_id=1, case_id=None, body=body)
        with session_scope(make_sessionmaker(engine)) as db:
            tables = set(db.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
            assert "search_fts" in tables and "search_fts_content" not in tables
            assert "search_fts_people" in tables and "search_fts_people_content" not in tables
            assert db.execute(text("SELECT body FROM search_fts")).all() == [(None,)]
            hits = db.scalars(
                text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q"),
                {"q": f'"{token}"'},
            ).all()
            assert len(hits) == 1  # the words are indexed
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    finally:
        engine.dispose()
    data = path.read_bytes()
    words = body.split()
    runs = [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
    assert [r for r in runs if r.encode() in data or r.lower().encode() in data] == []
    assert body.encode() not in data


# --- every backend: the content columns are ciphertext ---------------------------------


def _raw_content(db: Session, document_id: int) -> tuple[bytes, bytes | None]:
    row = db.execute(
        text("SELECT body, text FROM document_contents WHERE document_id = :id")
        .bindparams(id=document_id)
        .columns(body=LargeBinary, text=LargeBinary)
    ).one()
    return bytes(row.body), None if row.text is None else bytes(row.text)


def _assert_ciphertext(value: bytes, marker: str) -> None:
    assert value.startswith(crypto.SEALED_FORMAT)
    for form in (marker.encode(), marker.encode("utf-16-le"), marker.lower().encode()):
        assert form not in value


@pytest.mark.parametrize("kind", ["note", "pdf", "docx"])
def test_document_columns_hold_only_ciphertext_that_opens_through_the_service(
    db: Session, keyring: FileKeyring, kind: str
) -> None:
    marker = _marker(kind)
    data, filename = {
        "note": (f"Visit note about {marker}.".encode(), "note.txt"),
        "pdf": (samples.pdf("Report", f"About {marker}"), "report.pdf"),
        "docx": (samples.docx("Statement", f"About {marker}", stored=True), "s.docx"),
    }[kind]
    assert marker.encode() in data  # the file as uploaded does carry it in plain bytes
    case = make_case(db, keyring)
    meta = DocumentMeta(title="Marked", kind=DocumentKind.CASE_NOTE, created_on=date(2024, 5, 1))
    document = service.add_document(
        db, keyring, Actor.system(), case_id=case.id, meta=meta, data=data, filename=filename
    )
    samples.extract_pending(db, keyring)
    body, extracted = _raw_content(db, document.id)
    _assert_ciphertext(body, marker)
    assert extracted is not None
    _assert_ciphertext(extracted, marker)
    assert body != data and len(body) > len(data)

    file = service.download_document(db, keyring, Actor.system(), document.id)
    assert file.data == data and file.media_type == policy.sniff_media_type(data)
    _, plain_text = service.view_document(db, keyring, Actor.system(), document.id)
    assert marker in plain_text


def test_a_sealed_body_does_not_open_as_another_documents(
    db: Session, keyring: FileKeyring
) -> None:
    """Each body is bound to its document: ciphertext copied onto another row fails."""
    case = make_case(db, keyring)
    meta = DocumentMeta(title="Note", kind=DocumentKind.CASE_NOTE, created_on=date(2024, 5, 1))
    first, second = (
        service.add_document(
            db, keyring, Actor.system(), case_id=case.id, meta=meta, data=body, filename="n.txt"
        )
        for body in (b"first secret note", b"second note")
    )
    db.flush()
    stolen, _ = _raw_content(db, first.id)
    db.execute(
        text("UPDATE document_contents SET body = :body WHERE document_id = :id").bindparams(
            body=stolen, id=second.id
        )
    )
    db.expire_all()
    with pytest.raises(crypto.DecryptionFailed):
        service.download_document(db, keyring, Actor.system(), second.id)
