"""Delivering the bundle: the link and passcode, their limits, revoking, posting, and the
request becoming "sent" only once the requester has it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock, outbox
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict, Forbidden, ValidationFailed
from steward.core.permissions import Role
from steward.sar.delivery_models import PasscodeChannel, SarDeliveryLink
from steward.sar.models import SubjectAccessRequest
from steward.sar.policy import Status
from steward.sar.service import bundle as bundles
from steward.sar.service import delivery
from steward.sar.service.delivery import LinkRefused
from tests.factories.core import make_user
from tests.sar import bundle_helpers as h

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture
def ready(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> tuple[SubjectAccessRequest, h.Actor, h.Actor]:
    request, preparer, approver = h.approved_for_real(db, keyring, session_factory)
    bundles.build_now(db, keyring, preparer, request_id=request.id)
    return request, preparer, approver


def _issue(db: Session, keyring: FileKeyring, actor: h.Actor, request_id: int, **kw: object):  # type: ignore[no-untyped-def]
    return delivery.issue_link(
        db,
        keyring,
        actor,
        request_id=request_id,
        expires_in=kw.pop("expires_in", timedelta(days=14)),  # type: ignore[arg-type]
        passcode_channel=PasscodeChannel.POST,
        site_url="https://steward.example",
        **kw,  # type: ignore[arg-type]
    )


def _events(db: Session, tag: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.tag == tag)))


def test_the_link_opens_with_its_passcode_and_the_request_becomes_sent(
    db: Session, keyring: FileKeyring, ready
) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id)
    assert issued.url == f"https://steward.example/disclosure/{issued.token}"
    assert len(issued.passcode) == 14 and issued.passcode.count("-") == 2
    row = db.get(SarDeliveryLink, issued.link_id)
    assert row is not None
    # Neither the token nor the passcode is kept as it is.
    assert issued.token not in row.token_hash and issued.passcode not in row.passcode_hash
    assert row.passcode_hash.startswith("$argon2")
    assert Status(request.status) is Status.AWAITING_APPROVAL
    # Typed as a person might: lower case, spaces for dashes.
    typed = issued.passcode.lower().replace("-", " ")
    found = delivery.open_link(db, token=issued.token, passcode=typed)
    data = b"".join(found.chunks(db, keyring))
    assert data.startswith(b"%PDF") and found.size == len(data)
    assert Status(request.status) is Status.SENT
    downloaded = _events(db, "sar:delivery:downloaded")
    assert downloaded[-1].actor_kind == "public"
    assert issued.token not in downloaded[-1].details and h.KEPT not in downloaded[-1].details
    # A second download is another event; the request stays sent.
    delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    assert len(_events(db, "sar:delivery:downloaded")) == 2
    assert db.get(SarDeliveryLink, issued.link_id).downloads == 2  # type: ignore[union-attr]


def test_a_wrong_passcode_reads_as_an_unknown_link_and_five_lock_it(
    db: Session, keyring: FileKeyring, ready
) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id)
    with pytest.raises(LinkRefused) as unknown:
        delivery.open_link(db, token="not-a-token-at-all", passcode=issued.passcode)
    with pytest.raises(LinkRefused) as wrong:
        delivery.open_link(db, token=issued.token, passcode="AAAA-BBBB-CCCC")
    assert unknown.value.message == wrong.value.message and wrong.value.reason == "wrong"
    for _ in range(3):
        with pytest.raises(LinkRefused):
            delivery.open_link(db, token=issued.token, passcode="AAAA-BBBB-CCCC")
    with pytest.raises(LinkRefused) as fifth:
        delivery.open_link(db, token=issued.token, passcode="AAAA-BBBB-CCCC")
    assert fifth.value.reason == "locked"
    # Locked: even the right passcode no longer opens it.
    with pytest.raises(LinkRefused) as after:
        delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    assert after.value.reason == "locked"
    assert delivery.state_of(db, issued.token) == "locked"
    assert Status(request.status) is Status.AWAITING_APPROVAL
    assert len(_events(db, "sar:delivery:passcode_wrong")) == 5
    assert len(_events(db, "sar:delivery:link_locked")) == 1


def test_a_right_passcode_resets_the_count(db: Session, keyring: FileKeyring, ready) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id)
    for _ in range(4):
        with pytest.raises(LinkRefused):
            delivery.open_link(db, token=issued.token, passcode="wrong")
    delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    for _ in range(4):
        with pytest.raises(LinkRefused) as refused:
            delivery.open_link(db, token=issued.token, passcode="wrong")
        assert refused.value.reason == "wrong"


def test_an_expired_link_says_so(db: Session, keyring: FileKeyring, ready) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id, expires_in=timedelta(days=1))
    with clock.frozen(NOW + timedelta(days=1, minutes=1)):
        with pytest.raises(LinkRefused) as refused:
            delivery.open_link(db, token=issued.token, passcode=issued.passcode)
        assert refused.value.reason == "expired" and "expired" in refused.value.message
        assert delivery.state_of(db, issued.token) == "expired"
    with pytest.raises(ValidationFailed):
        _issue(db, keyring, preparer, request.id, expires_in=timedelta(days=91))


def test_a_revoked_link_stops_working(db: Session, keyring: FileKeyring, ready) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id)
    assert delivery.revoke(db, preparer, request_id=request.id) == 1
    with pytest.raises(LinkRefused) as refused:
        delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    assert refused.value.reason == "revoked"
    with pytest.raises(Conflict):
        delivery.revoke(db, preparer, request_id=request.id)
    history = delivery.history(db, preparer, request.id)
    assert [link.state for link in history.links.items] == ["revoked"] and history.working == 0


def test_a_rebuilt_bundle_revokes_the_old_link(db: Session, keyring: FileKeyring, ready) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    old = _issue(db, keyring, preparer, request.id)
    bundles.build_now(db, keyring, preparer, request_id=request.id)
    with pytest.raises(LinkRefused) as refused:
        delivery.open_link(db, token=old.token, passcode=old.passcode)
    assert refused.value.reason == "revoked"


def test_marking_posted_delivers(db: Session, keyring: FileKeyring, ready) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    delivery.mark_posted(db, preparer, request_id=request.id)
    assert Status(request.status) is Status.SENT
    moved = [s for s in request.steps if s.to_status == Status.SENT.value]
    assert len(moved) == 1
    with pytest.raises(Conflict):
        delivery.mark_posted(db, preparer, request_id=request.id)
    history = delivery.history(db, preparer, request.id)
    assert len(history.posted) == 1 and history.posted[0].posted_by is not None


def test_a_link_needs_a_ready_bundle_and_a_request_awaiting_delivery(
    db: Session, keyring: FileKeyring
) -> None:
    request, preparer, _ = h.awaiting_delivery(db, keyring)
    with pytest.raises(Conflict, match="Build the bundle"):
        _issue(db, keyring, preparer, request.id)
    with pytest.raises(Conflict, match="Build the bundle"):
        delivery.mark_posted(db, preparer, request_id=request.id)
    caseworker = make_user(db, Role.CASEWORKER).actor
    with pytest.raises(Forbidden):
        _issue(db, keyring, caseworker, request.id)


def test_the_link_can_go_by_email_but_never_the_passcode(
    db: Session, keyring: FileKeyring, ready
) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id, email=True)
    assert issued.emailed == outbox.Status.QUEUED
    row = db.get(SarDeliveryLink, issued.link_id)
    assert row is not None and row.outbox_message_id is not None
    message = outbox.message(db, keyring, preparer, row.outbox_message_id)
    assert issued.url in message.body and issued.passcode not in message.body
    assert "by post" in message.body


def test_no_email_address_means_no_email(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session]
) -> None:
    request, preparer, _ = h.approved_for_real(db, keyring, session_factory, email=None)
    bundles.build_now(db, keyring, preparer, request_id=request.id)
    with pytest.raises(ValidationFailed, match="no email address"):
        _issue(db, keyring, preparer, request.id, email=True)


def test_audit_details_hold_no_token_passcode_or_name(
    db: Session, keyring: FileKeyring, ready
) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id)
    with pytest.raises(LinkRefused):
        delivery.open_link(db, token=issued.token, passcode="wrong")
    delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    delivery.revoke(db, preparer, request_id=request.id)
    events = db.scalars(select(AuditEvent).where(AuditEvent.tag.like("sar:%"))).all()
    assert {"sar:delivery:link_issued", "sar:delivery:downloaded", "sar:delivery:link_revoked"} <= {
        e.tag for e in events
    }
    for event in events:
        for secret in (issued.token, issued.passcode, h.KEPT, h.TEXT_NEEDLE):
            assert secret not in (event.details or "")


def test_the_bundle_goes_with_the_request_file_and_its_link_email_too(
    db: Session, keyring: FileKeyring, ready
) -> None:  # type: ignore[no-untyped-def]
    from steward.core import crypto
    from steward.sar.delivery_models import SarBundle, SarBundleChunk
    from steward.sar.service import file as request_file

    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id, email=True)
    message_id = db.get(SarDeliveryLink, issued.link_id).outbox_message_id  # type: ignore[union-attr]
    request_id, key_id = request.id, request.data_key_id
    bundle_ids = [
        b.id for b in db.scalars(select(SarBundle).where(SarBundle.request_id == request_id))
    ]
    assert bundle_ids
    request_file.destroy_request(db, preparer, request_id)
    db.expire_all()
    assert db.scalars(select(SarBundle).where(SarBundle.request_id == request_id)).all() == []
    assert (
        db.scalars(select(SarBundleChunk).where(SarBundleChunk.bundle_id.in_(bundle_ids))).all()
        == []
    )
    assert (
        db.scalars(select(SarDeliveryLink).where(SarDeliveryLink.request_id == request_id)).all()
        == []
    )
    assert db.get(outbox.OutboxMessage, message_id) is None
    key = db.get(crypto.DataKey, key_id)
    assert key is not None and key.wrapped_key is None


def test_a_reopened_disclosure_sets_the_bundle_aside(
    db: Session, keyring: FileKeyring, ready
) -> None:  # type: ignore[no-untyped-def]
    request, preparer, _ = ready
    issued = _issue(db, keyring, preparer, request.id)
    bundles.set_aside(db, request.id)
    assert bundles.ready(db, request.id) is None
    with pytest.raises(LinkRefused) as refused:
        delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    assert refused.value.reason == "revoked"
    with pytest.raises(Conflict, match="Build the bundle"):
        _issue(db, keyring, preparer, request.id)
