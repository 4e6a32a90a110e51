"""The issue's proof of disposal on the embedded default (SQLCipher).

After a disposal, a decrypted copy of the whole database (SQLCipher's sqlcipher_export to a
plain file) holds no byte of the disposed case's unique markers: a person's name and
address, a document's title and text, a PDF's text, a break-glass reason. Search finds none
of them, the audit chain verifies, and a person who is also a party to a retained case is
still there, found by the same scan (so the scan can fail).
"""

from __future__ import annotations

import os
import secrets
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from steward.core import audit, auth, keyfile, migrate
from steward.core.config import Environment, Settings
from steward.core.crypto import FileKeyring
from steward.core.db import make_engine, make_sessionmaker, session_scope
from steward.core.permissions import Actor, Role
from steward.records import service as records
from steward.records.models import CaseType, DocumentKind, PartyRole
from steward.records.schemas import AddressIn, CaseCreate, DocumentMeta, PersonCreate
from steward.retention.service import destruction, disposal, schedules
from tests.records import samples

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("STEWARD_TEST_DATABASE_URL")),
    reason="the decrypted-copy proof is about the embedded SQLCipher file",
)


def _marker(kind: str) -> str:
    return f"{kind}{secrets.token_hex(10)}"


DISPOSED = {k: _marker(k) for k in ("name", "surname", "addr", "title", "note", "pdf", "reason")}
KEPT = {k: _marker(k) for k in ("shared", "kept")}


def _person(db: Session, first: str, last: str, born: date, address: str | None = None) -> int:
    addresses = [AddressIn(line1=f"1 {address} Road", postcode="LS1 4AB")] if address else []
    data = PersonCreate(first_name=first, last_name=last, date_of_birth=born, addresses=addresses)
    return records.create_person(db, Actor.system(), data).id


def _arrange(db: Session, keyring: FileKeyring) -> None:
    system = Actor.system()
    stranger = auth.create_user(
        db, system, username="stranger", role=Role.CASEWORKER, password="a long password ok"
    )
    old = records.create_case(
        db,
        keyring,
        system,
        CaseCreate(
            case_number="PD000001",
            case_type=CaseType.PRIVATE_LAW,
            opened_on=date(2008, 1, 1),
            closed_on=date(2009, 1, 1),
        ),
    )
    kept = records.create_case(
        db,
        keyring,
        system,
        CaseCreate(
            case_number="PD000002", case_type=CaseType.PRIVATE_LAW, opened_on=date(2021, 1, 1)
        ),
    )
    child = _person(db, DISPOSED["name"], DISPOSED["surname"], date(2000, 4, 1), DISPOSED["addr"])
    shared = _person(db, KEPT["shared"], "Parent", date(1980, 1, 1))
    kept_child = _person(db, KEPT["kept"], "Child", date(2019, 1, 1))
    for case_id, person_id, role in (
        (old.id, child, PartyRole.CHILD_SUBJECT),
        (old.id, shared, PartyRole.PARENT),
        (kept.id, shared, PartyRole.PARENT),
        (kept.id, kept_child, PartyRole.CHILD_SUBJECT),
    ):
        records.add_party(db, system, case_id=case_id, person_id=person_id, role=role)
    meta = DocumentMeta(
        title=f"Report {DISPOSED['title']}",
        kind=DocumentKind.REPORT_TO_COURT,
        created_on=date(2008, 6, 1),
        subject_person_ids=[child],
    )
    for data, filename in (
        (f"Visit note: spoke with {DISPOSED['note']} today.".encode(), "note.txt"),
        (samples.pdf("Report to the court", f"Concerning {DISPOSED['pdf']}"), "report.pdf"),
    ):
        records.add_document(
            db, keyring, system, case_id=old.id, meta=meta, data=data, filename=filename
        )
    records.break_glass(
        db,
        keyring,
        stranger.actor,
        case_id=old.id,
        reason=f"Urgent call about {DISPOSED['reason']}",
    )


def _export(engine, plain: Path) -> bytes:  # type: ignore[no-untyped-def]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"ATTACH DATABASE '{plain}' AS plaintext KEY ''")
        cursor.execute("SELECT sqlcipher_export('plaintext')")
        cursor.execute("DETACH DATABASE plaintext")
        cursor.close()
    finally:
        raw.close()
    return plain.read_bytes()


def _forms(marker: str) -> list[bytes]:
    # The full-text index stores words prefix-compressed ("note" then "7e6c..." after a
    # neighbour sharing "n"), so the random tail of each marker is looked for on its own too.
    forms = []
    for text in (marker, marker[-16:]):
        forms += [text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")]
    return forms


def test_a_decrypted_copy_holds_nothing_of_a_disposed_case(
    tmp_path: Path, keyring: FileKeyring
) -> None:
    settings = Settings(
        env=Environment.TEST, data_dir=tmp_path / "data", database_url=None, key_file=None
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    keyring = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as db:
            _arrange(db, keyring)
            reviewer = auth.create_user(
                db,
                Actor.system(),
                username="rev",
                role=Role.IG_OFFICER,
                password="a long password ok",
            )
            approver = auth.create_user(
                db, Actor.system(), username="app", role=Role.DPO, password="a long password ok"
            )
            schedules.ensure_default(db, Actor.system())
            listed = disposal.propose(db, reviewer.actor, as_of=date(2030, 1, 1))
            assert [i.identifier for i in listed.items] == ["PD000001"]
            disposal.decide(
                db, reviewer.actor, keyring, list_id=listed.id, item_ids=[], decision="destroy"
            )
            disposal.approve(db, approver.actor, keyring, list_id=listed.id)
            list_id, approver_actor = listed.id, approver.actor
        before = _export(engine, tmp_path / "before.db")
        assert all(
            any(f in before for f in _forms(m)) for m in (DISPOSED["name"], DISPOSED["title"])
        )

        report = destruction.execute(factory, approver_actor, list_id=list_id)
        assert report.destroyed == 1

        after = _export(engine, tmp_path / "after.db")
        left = [k for k, m in DISPOSED.items() if any(f in after for f in _forms(m))]
        assert left == [], f"disposed markers still in the decrypted copy: {left}"
        assert all(any(f in after for f in _forms(m)) for m in KEPT.values())  # control
        with session_scope(factory) as db:
            for marker in DISPOSED.values():
                assert records.search(db, Actor.system(), marker) == []
            assert [h.kind for h in records.search(db, Actor.system(), KEPT["shared"])] == [
                "person"
            ]
            assert audit.verify(db).ok
    finally:
        engine.dispose()
