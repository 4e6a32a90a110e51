"""The request's status follows its disclosure: sent for approval, the request awaits
approval; reopened, it is reviewed again and its bundle and links stop; approved, it is sent
only by delivery, never by a hand on the request page. Other rights, and an access request
with nothing to disclose, move by hand as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict
from steward.core.permissions import Actor, Role
from steward.sar import service
from steward.sar.delivery_models import BundleStatus, PasscodeChannel
from steward.sar.disclosure_models import Decision, SarRedaction
from steward.sar.models import SarStep
from steward.sar.policy import Right, Status
from steward.sar.service import bundle as bundles
from steward.sar.service import delivery, disclosure
from tests.factories.core import make_user
from tests.factories.sar import make_request
from tests.sar.disclosure_helpers import Prepared, detected, prepared


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


@pytest.fixture
def officer(db: Session) -> Actor:
    return make_user(db, Role.IG_OFFICER).actor


def _ready(
    db: Session,
    keyring: FileKeyring,
    factory: sessionmaker[Session],
    officer: Actor,
    status: Status = Status.REVIEWING,
) -> Prepared:
    """Detected and every proposal accepted: ready to send for approval."""
    found = prepared(db, keyring, factory, officer, request_status=status)
    detected(db, keyring, officer, found.request.id)
    for r in db.scalars(select(SarRedaction).where(SarRedaction.request_id == found.request.id)):
        if r.decision == Decision.PROPOSED:
            disclosure.decide(db, officer, redaction_id=r.id, accept=True)
    return found


def _moves(db: Session, request_id: int) -> list[tuple[str | None, str | None]]:
    steps = db.scalars(
        select(SarStep).where(SarStep.request_id == request_id, SarStep.kind == "sar:request:moved")
    )
    return [(s.from_status, s.to_status) for s in steps]


def test_sending_for_approval_moves_the_request_with_it_even_from_searching(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> None:
    found = _ready(db, keyring, session_factory, officer, status=Status.SEARCHING)
    disclosure.submit(db, officer, request_id=found.request.id)
    assert found.request.status == Status.AWAITING_APPROVAL
    assert found.request.submitted_by_user_id == officer.user_id
    # Through the table, a step each: the timeline shows the review then the approval.
    assert _moves(db, found.request.id)[-2:] == [
        ("searching", "reviewing"),
        ("reviewing", "awaiting_approval"),
    ]
    # Reopened before approval: back to being reviewed.
    disclosure.reopen(db, officer, request_id=found.request.id)
    assert found.request.status == Status.REVIEWING


def test_reopening_an_approved_disclosure_stops_its_bundle_and_links(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> None:
    found = _ready(db, keyring, session_factory, officer)
    request_id = found.request.id
    disclosure.submit(db, officer, request_id=request_id)
    disclosure.approve(db, make_user(db, Role.DPO).actor, request_id=request_id)
    assert found.request.status == Status.AWAITING_APPROVAL  # approved: waiting to be delivered
    built = bundles.build_now(db, keyring, officer, request_id=request_id)
    assert built.status == BundleStatus.READY
    issued = delivery.issue_link(
        db,
        keyring,
        officer,
        request_id=request_id,
        expires_in=timedelta(days=7),
        passcode_channel=PasscodeChannel.POST,
    )

    disclosure.reopen(db, officer, request_id=request_id)
    assert found.request.status == Status.REVIEWING
    assert built.status == BundleStatus.SUPERSEDED and bundles.ready(db, request_id) is None
    with pytest.raises(delivery.LinkRefused) as stopped:
        delivery.open_link(db, token=issued.token, passcode=issued.passcode)
    assert stopped.value.reason == "revoked"
    with pytest.raises(Conflict):
        delivery.mark_posted(db, officer, request_id=request_id)
    assert found.request.status == Status.REVIEWING


def test_the_request_page_cannot_skip_the_disclosure_or_its_delivery(
    db: Session, keyring: FileKeyring, session_factory: sessionmaker[Session], officer: Actor
) -> None:
    found = _ready(db, keyring, session_factory, officer)
    request_id = found.request.id
    dpo = make_user(db, Role.DPO).actor
    with pytest.raises(Conflict, match="send the disclosure for approval"):
        service.move(db, keyring, officer, request_id, Status.AWAITING_APPROVAL)
    disclosure.submit(db, officer, request_id=request_id)
    with pytest.raises(Conflict, match="reopen it on its disclosure page"):
        service.move(db, keyring, officer, request_id, Status.REVIEWING)
    disclosure.approve(db, dpo, request_id=request_id)
    with pytest.raises(Conflict, match="delivery page"):
        service.move(db, keyring, dpo, request_id, Status.SENT)
    assert found.request.status == Status.AWAITING_APPROVAL
    # Withdrawing is still the request's own step.
    service.move(db, keyring, dpo, request_id, Status.WITHDRAWN, reasons="No longer wanted")
    assert found.request.status == Status.WITHDRAWN


@pytest.mark.parametrize("right", [Right.ACCESS, Right.ERASURE])
def test_with_no_disclosure_the_request_moves_by_hand_as_before(
    db: Session, keyring: FileKeyring, officer: Actor, right: Right
) -> None:
    """An erasure request, or an access request where we hold nothing to disclose: the
    response is a letter, approved by a second person on the request page."""
    request = make_request(db, keyring, officer, right=right)
    for status in (Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL):
        service.move(db, keyring, officer, request.id, status)
    service.move(db, keyring, make_user(db, Role.DPO).actor, request.id, Status.SENT)
    assert request.status == Status.SENT
