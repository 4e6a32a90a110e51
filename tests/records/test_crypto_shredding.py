"""Crypto-shredding readiness: once a case's data key is destroyed, its documents' content is
gone for every reader (KeyDestroyed, a 410 on the web), while other cases are untouched."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import DomainError
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.events import RecordsEvent
from steward.records.models import Case, Document, DocumentKind
from steward.records.schemas import DocumentMeta
from tests.factories.core import make_user
from tests.factories.records import make_case, make_document
from tests.records import samples


def _read_events(db: Session, document_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.subject_type == "document",
                AuditEvent.subject_id == str(document_id),
                AuditEvent.tag.in_(
                    [RecordsEvent.DOCUMENT_VIEWED, RecordsEvent.DOCUMENT_DOWNLOADED]
                ),
            )
        )
        or 0
    )


def _add(db: Session, keyring: FileKeyring, case: Case, data: bytes, name: str) -> Document:
    meta = DocumentMeta(title="Scan", kind=DocumentKind.COURT_ORDER, created_on=date(2024, 6, 1))
    return service.add_document(
        db, keyring, Actor.system(), case_id=case.id, meta=meta, data=data, filename=name
    )


def test_key_destroyed_is_a_domain_error() -> None:
    # The web layer maps domain errors; KeyDestroyed must be one of them (it maps to 410).
    assert issubclass(crypto.KeyDestroyed, DomainError)


@pytest.mark.parametrize("reader", [Role.CASEWORKER, Role.DPO])
def test_a_destroyed_key_makes_every_document_of_the_case_unreadable(
    db: Session, keyring: FileKeyring, reader: Role
) -> None:
    user = make_user(db, reader)
    case = make_case(db, keyring, actor=user.actor if reader is Role.CASEWORKER else None)
    documents = [
        make_document(db, keyring, case, text="Typed note about the family"),
        _add(db, keyring, case, samples.pdf("Order of the court"), "order.pdf"),
        _add(db, keyring, case, samples.image_only_pdf(), "scan.pdf"),  # no text at all
        _add(db, keyring, case, b"%PDF-1.4 damaged", "damaged.pdf"),  # text unreadable
    ]
    for document in documents:  # readable before
        service.download_document(db, keyring, user.actor, document.id)
        service.view_document(db, keyring, user.actor, document.id)
    reads_before = {d.id: _read_events(db, d.id) for d in documents}

    crypto.destroy_data_key(db, key_id=case.data_key_id)

    for document in documents:
        with pytest.raises(crypto.KeyDestroyed):
            service.download_document(db, keyring, user.actor, document.id)
        with pytest.raises(crypto.KeyDestroyed):
            service.view_document(db, keyring, user.actor, document.id)
        # Nothing was read, so no read is recorded.
        assert _read_events(db, document.id) == reads_before[document.id]


def test_other_cases_are_untouched(db: Session, keyring: FileKeyring) -> None:
    shredded, kept = make_case(db, keyring), make_case(db, keyring)
    assert shredded.data_key_id != kept.data_key_id
    gone = make_document(db, keyring, shredded, text="to be destroyed")
    stays = make_document(db, keyring, kept, text="still here")
    samples.extract_pending(db, keyring)
    crypto.destroy_data_key(db, key_id=shredded.data_key_id)
    assert service.download_document(db, keyring, Actor.system(), stays.id).data == b"still here"
    assert service.view_document(db, keyring, Actor.system(), stays.id)[1] == "still here"
    with pytest.raises(crypto.KeyDestroyed):
        service.download_document(db, keyring, Actor.system(), gone.id)


def test_nothing_new_can_be_sealed_under_a_destroyed_key(db: Session, keyring: FileKeyring) -> None:
    owner = make_user(db, Role.CASEWORKER)
    stranger = make_user(db, Role.CASEWORKER)
    case = make_case(db, keyring, actor=owner.actor)
    crypto.destroy_data_key(db, key_id=case.data_key_id)
    with pytest.raises(crypto.KeyDestroyed):
        make_document(db, keyring, case, text="added after destruction")
    with pytest.raises(crypto.KeyDestroyed):
        service.break_glass(
            db, keyring, stranger.actor, case_id=case.id, reason="Urgent safeguarding concern"
        )


def test_a_break_glass_reason_is_destroyed_with_the_case(db: Session, keyring: FileKeyring) -> None:
    owner = make_user(db, Role.CASEWORKER)
    stranger = make_user(db, Role.CASEWORKER)
    dpo = make_user(db, Role.DPO)
    case = make_case(db, keyring, actor=owner.actor)
    service.break_glass(
        db, keyring, stranger.actor, case_id=case.id, reason="Police called about the child"
    )
    crypto.destroy_data_key(db, key_id=case.data_key_id)
    log = service.break_glass_log(db, keyring, dpo.actor).items
    entry = next(row for row in log if row[1] == case.case_number)
    assert entry[2] == "(destroyed with the case)"


def test_destroying_twice_or_an_unknown_key_is_safe(db: Session, keyring: FileKeyring) -> None:
    case = make_case(db, keyring)
    first = crypto.destroy_data_key(db, key_id=case.data_key_id)
    again = crypto.destroy_data_key(db, key_id=case.data_key_id)
    assert again.wrapped_key is None and again.destroyed_at is not None
    assert first.id == again.id
    with pytest.raises(crypto.KeyDestroyed):
        crypto.destroy_data_key(db, key_id="00000000-0000-0000-0000-000000000000")
