"""A request's documents: sealed under the request's key (destroying it shreds them), the
type known by content, a hostile name cleaned, downloads audited; the public actor holds no
permission and reaches none of it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import crypto
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden, ValidationFailed
from steward.core.permissions import Actor, ActorKind, Permission, Role
from steward.sar import service, uploads
from steward.sar.models import SarDocument, SubjectAccessRequest
from steward.sar.policy import RequesterType
from steward.sar.schemas import PersonDetails
from tests.factories.core import make_user
from tests.factories.sar import make_request

PDF = b"%PDF-1.7\nA signed letter of authority\n%%EOF"


def _request(db: Session, keyring: FileKeyring, actor: Actor) -> SubjectAccessRequest:
    return make_request(
        db,
        keyring,
        actor,
        requester_type=RequesterType.REPRESENTATIVE,
        requester=PersonDetails(full_name="Priya Solicitor"),
        subject=PersonDetails(full_name="Kayleigh Marsden"),
    )


def test_the_public_actor_has_no_permission_at_all(db: Session, keyring: FileKeyring) -> None:
    public = Actor.public()
    assert public.kind is ActorKind.PUBLIC and public.user_id is None
    assert public.permissions == frozenset()
    assert not any(public.can(p) for p in Permission)
    with pytest.raises(Forbidden):
        _request(db, keyring, public)
    officer = make_user(db, Role.IG_OFFICER)
    request = _request(db, keyring, officer.actor)
    for attempt in (
        lambda: service.get(db, public, request.id),
        lambda: service.details(db, keyring, public, request.id),
        lambda: service.documents.documents(db, public, request.id),
        lambda: service.evidence_received(db, public, request.id, authority_on=date(2026, 3, 3)),
    ):
        with pytest.raises(Forbidden):
            attempt()


def test_a_document_is_sealed_and_shredded_with_the_request_key(
    db: Session, keyring: FileKeyring
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = _request(db, keyring, officer.actor)
    document = service.documents.add_document(
        db,
        keyring,
        officer.actor,
        request.id,
        kind=uploads.DocumentKind.AUTHORITY,
        data=PDF,
        filename="../../etc/<script>alert(1)</script>.exe",
    )
    stored = db.get(SarDocument, document.id)
    assert stored is not None and PDF not in stored.content_sealed
    assert b"script" not in stored.filename_sealed
    got = service.documents.download(db, keyring, officer.actor, request.id, document.id)
    assert got.data == PDF and got.media_type == uploads.PDF
    assert "/" not in got.filename and "<" not in got.filename and got.filename.endswith(".pdf")
    tags = list(db.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("sar:document:%"))))
    assert tags == ["sar:document:added", "sar:document:downloaded"]
    crypto.destroy_data_key(db, key_id=request.data_key_id)
    with pytest.raises(crypto.KeyDestroyed):
        service.documents.download(db, keyring, officer.actor, request.id, document.id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 10, "PDF, JPG or PNG"),
        (b"%PDF-" + b"0" * uploads.MAX_BYTES, "10MB"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_stored(
    db: Session, keyring: FileKeyring, data: bytes, message: str
) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    request = _request(db, keyring, officer.actor)
    with pytest.raises(ValidationFailed, match=message):
        service.documents.add_document(
            db,
            keyring,
            officer.actor,
            request.id,
            kind=uploads.DocumentKind.ID,
            data=data,
            filename="x.pdf",
        )
    assert db.scalar(select(SarDocument.id)) is None


def test_a_document_of_another_request_is_not_found(db: Session, keyring: FileKeyring) -> None:
    officer = make_user(db, Role.IG_OFFICER)
    first, second = _request(db, keyring, officer.actor), _request(db, keyring, officer.actor)
    document = service.documents.add_document(
        db, keyring, officer.actor, first.id, kind=uploads.DocumentKind.ID, data=PDF, filename="a"
    )
    from steward.core.errors import NotFound

    with pytest.raises(NotFound):
        service.documents.download(db, keyring, officer.actor, second.id, document.id)
