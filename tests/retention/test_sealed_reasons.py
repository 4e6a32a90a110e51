"""Hold, release and retain reasons and retrieval notes are free text that may name people:
none of it is stored in plain text, those allowed still read it on the pages, and text
written before sealing is sealed by ``steward db upgrade``."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from steward.archives import service as archives
from steward.archives.models import Retrieval
from steward.archives.schemas import RetrievalRequest
from steward.core import keyfile
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.db import Base
from steward.core.permissions import Actor, Role
from steward.retention.events import RetentionAudit
from steward.retention.models import DisposalItem, Hold, RetentionOverride
from steward.retention.service import disposal, holds, sealing
from tests.archives import builders as b
from tests.cli.conftest import Cli
from tests.retention.helpers import case_with_children, default_schedule
from tests.web.conftest import SignedIn, csrf_from


def _marker(kind: str) -> str:
    return f"Zq{kind}{uuid.uuid4().hex[:12]}"


def _stored_anywhere(db: Session, marker: str) -> list[str]:
    """Every table and column whose raw value holds the marker, as text or as bytes."""
    found = []
    for table in Base.metadata.sorted_tables:
        query = text(f"SELECT * FROM {table.name}")  # noqa: S608 - our own table names
        for row in db.execute(query).mappings():
            for column, value in row.items():
                raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
                if marker.encode() in bytes(raw):
                    found.append(f"{table.name}.{column}")
    return found


def _post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_from(client, "/retention")})


def test_reasons_are_sealed_at_rest_and_shown_on_the_pages(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    held = case_with_children(db, keyring, date(2008, 2, 29))
    case_with_children(db, keyring, date(2008, 3, 1))
    default_schedule(db)
    db.commit()
    officer, _ = signed_in(Role.IG_OFFICER)
    dpo, _ = signed_in(Role.DPO)
    placed, released, kept = _marker("placed"), _marker("released"), _marker("kept")

    assert (
        _post(
            officer,
            "/retention/holds",
            {"kind": "complaint", "scope": "case", "targets": held.case_number, "reason": placed},
        ).status_code
        == 303
    )
    hold_id = db.scalars(select(Hold.id)).one()
    assert _stored_anywhere(db, placed) == []
    path = f"/retention/holds/{hold_id}/release"
    assert _post(officer, path, {"reason": released}).status_code == 303
    page = officer.get("/retention/holds?status=released")
    assert placed in page.text and released in page.text  # the control: still readable

    proposed = _post(
        officer,
        "/retention/disposal",
        {"as_of-day": "1", "as_of-month": "1", "as_of-year": "2034"},
    )
    list_path = proposed.headers["location"]
    decided = _post(
        officer,
        f"{list_path}/decide",
        {
            "decision": "retain",
            "reason": kept,
            "review_on-day": "1",
            "review_on-month": "1",
            "review_on-year": "2040",
        },
    )
    assert decided.status_code == 303
    assert _post(dpo, f"{list_path}/approve", {}).status_code == 303
    assert kept in officer.get(list_path).text
    db.expire_all()
    assert db.scalars(select(RetentionOverride)).all()  # the reason was copied there too

    for marker in (placed, released, kept):
        assert _stored_anywhere(db, marker) == []


def test_a_retrieval_note_is_sealed_at_rest_and_shown_on_the_file_page(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    case = case_with_children(db, keyring, date(2011, 3, 2))
    linked = b.paper_file(db, b.box(db, b.location(db)), case_number=case.case_number)
    loose = b.paper_file(db, b.box(db, b.location(db)))
    db.commit()
    ig, _ = signed_in(Role.IG_OFFICER)
    notes = {linked.id: _marker("note"), loose.id: _marker("note")}
    for file_id, note in notes.items():
        csrf = csrf_from(ig, f"/archives/files/{file_id}")
        asked = ig.post(
            f"/archives/files/{file_id}/retrievals",
            data={"purpose": "court", "note": note, "csrf_token": csrf},
        )
        assert asked.status_code == 303
        assert _stored_anywhere(db, note) == []
        assert note in ig.get(f"/archives/files/{file_id}").text
    by_file = {r.paper_file_id: r for r in db.scalars(select(Retrieval))}
    # A linked file's note goes with its case's key; a loose file's has a key of its own.
    assert by_file[linked.id].note_key_id == case.data_key_id
    assert by_file[loose.id].note_key_id not in (None, case.data_key_id)


def test_a_retain_reason_is_destroyed_with_its_case(db: Session, keyring: FileKeyring) -> None:
    case = case_with_children(db, keyring, date(2008, 2, 29))
    default_schedule(db)
    officer = Actor.system()
    listed = disposal.propose(db, officer, as_of=date(2034, 1, 1))
    disposal.decide(
        db,
        officer,
        keyring,
        list_id=listed.id,
        item_ids=[],
        decision="retain",
        reason="Kept for the pending appeal",
        review_on=date(2040, 1, 1),
    )
    item = db.scalars(select(DisposalItem)).one()
    assert item.retain_key_id == case.data_key_id
    assert sealing.retain_reason(db, keyring, item) == "Kept for the pending appeal"


def _legacy_rows(db: Session, keyring: FileKeyring) -> dict[str, str]:
    """Rows as the migration leaves them: the plain text only in the legacy columns."""
    case = case_with_children(db, keyring, date(2008, 2, 29))
    default_schedule(db)
    listed = disposal.propose(db, Actor.system(), as_of=date(2034, 1, 1))
    hold = holds.place_hold(
        db,
        Actor.system(),
        keyring,
        kind="police",
        scope="case",
        targets=[case.case_number],
        reason="placeholder reason",
    )
    f = b.paper_file(db, b.box(db, b.location(db)))
    loan = archives.request_retrieval(
        db, Actor.system(), keyring, RetrievalRequest(paper_file_id=f.id, purpose="court")
    )
    plain = {k: _marker(k) for k in ("reason", "release", "retain", "override", "note")}
    db.execute(
        text(
            "UPDATE retention_holds SET reason_sealed = NULL, legacy_reason = :r, "
            "legacy_release_reason = :rr WHERE id = :id"
        ),
        {"r": plain["reason"], "rr": plain["release"], "id": hold.id},
    )
    db.execute(
        text("UPDATE disposal_items SET legacy_retain_reason = :r WHERE list_id = :id"),
        {"r": plain["retain"], "id": listed.id},
    )
    db.execute(
        text(
            "INSERT INTO retention_overrides (record_kind, record_id, review_on, legacy_reason, "
            "decided_at) VALUES ('case', :id, '2040-01-01', :r, '2026-01-01 00:00:00+00:00')"
        ),
        {"id": case.id, "r": plain["override"]},
    )
    db.execute(
        text("UPDATE archive_retrievals SET legacy_note = :r WHERE id = :id"),
        {"r": plain["note"], "id": loan.id},
    )
    db.flush()
    return plain


def test_db_upgrade_seals_plain_text_left_from_before(cli: Cli) -> None:
    keyring = FileKeyring(keyfile.load_or_create(cli.settings.resolved_key_file))
    with cli.session() as db:
        plain = _legacy_rows(db, keyring)
        assert all(_stored_anywhere(db, m) for m in plain.values())  # the scan can fail

    result = cli.ok("db", "upgrade")
    assert "Sealed the reasons and notes of 4 record(s)" in result.output

    with cli.session() as db:
        for marker in plain.values():
            assert _stored_anywhere(db, marker) == []
        hold = db.scalars(select(Hold)).one()
        assert holds.reasons(db, keyring, hold) == (plain["reason"], plain["release"])
        item = db.scalars(select(DisposalItem)).first()
        assert item is not None and sealing.retain_reason(db, keyring, item) == plain["retain"]
        override = db.scalars(select(RetentionOverride)).one()
        assert sealing.override_reason(db, keyring, override) == plain["override"]
        loan = db.scalars(select(Retrieval)).one()
        assert archives.retrieval_note(db, keyring, loan) == plain["note"]
        tags = db.scalars(select(AuditEvent.tag)).all()
        assert RetentionAudit.REASONS_SEALED in tags
    assert "Sealed" not in cli("db", "upgrade").output  # once only
