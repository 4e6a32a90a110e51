"""The request's own file is a record: two years after closure it is due under the SAR class,
and goes through the same reviewed, approved, one-item-per-transaction disposal as a case --
its data key destroyed with it -- unless a hold covers it. Retention dates it without
importing the subject access domain."""

from __future__ import annotations

import ast
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import steward.retention
from steward.core import clock, crypto
from steward.core.crypto import FileKeyring
from steward.core.errors import Conflict
from steward.core.permissions import Actor, Role
from steward.retention.models import (
    Decision,
    DisposalCertificate,
    Outcome,
    RetentionDate,
    Tombstone,
)
from steward.retention.service import dates, destruction, disposal, holds
from steward.sar import service
from steward.sar.models import SarStep, SubjectAccessRequest
from steward.sar.policy import Channel, Status
from steward.sar.schemas import PersonDetails
from tests.factories.core import make_user
from tests.factories.sar import make_request
from tests.retention.helpers import default_schedule

TODAY = datetime(2026, 3, 20, 12, tzinfo=UTC)


def _request(
    db: Session, keyring: FileKeyring, actor: Actor, received: date, closed: date | None
) -> SubjectAccessRequest:
    """A request received on ``received`` and, if ``closed``, withdrawn on that day."""
    with clock.frozen(datetime.combine(closed or received, datetime.min.time(), tzinfo=UTC)):
        request = make_request(
            db,
            keyring,
            actor,
            channel=Channel.EMAIL,
            received_on=received,
            requester=PersonDetails(full_name="Oriel Fenwick-Stroud"),
            description="My records from the 1990s",
        )
        if closed is not None:
            service.move(
                db, keyring, actor, request.id, Status.WITHDRAWN, reasons="Requester withdrew"
            )
    return request


@pytest.fixture
def staff(db: Session):  # type: ignore[no-untyped-def]
    return make_user(db, Role.IG_OFFICER), make_user(db, Role.DPO)


def _due_ids(db: Session, actor: Actor) -> dict[int, date]:
    with clock.frozen(TODAY):
        dates.sweep(db, actor)
        rows = dates.due(db, actor, as_of=TODAY.date())
    return {r.record_id: r.due_on for r in rows if r.kind == "sar_request"}


def test_a_request_closed_over_two_years_ago_is_due_and_the_others_are_not(
    db: Session, keyring: FileKeyring, staff
) -> None:
    officer, _ = staff
    old = _request(db, keyring, officer.actor, date(2023, 1, 5), date(2023, 2, 1))
    recent = _request(db, keyring, officer.actor, date(2025, 1, 6), date(2025, 2, 3))
    still_open = _request(db, keyring, officer.actor, date(2022, 1, 6), None)
    default_schedule(db)

    due = _due_ids(db, officer.actor)

    assert due == {old.id: date(2025, 2, 1)}
    # The recent one is dated (two years after it closed); the open one has no date yet.
    stored = {
        r.record_id: (r.due_on, r.note)
        for r in db.scalars(select(RetentionDate).where(RetentionDate.record_kind == "sar_request"))
    }
    assert stored[recent.id] == (date(2027, 2, 3), None)
    assert stored[still_open.id] == (None, "open")


def _approve_everything(db: Session, keyring: FileKeyring, staff) -> int:  # type: ignore[no-untyped-def]
    officer, dpo = staff
    with clock.frozen(TODAY):
        listed = disposal.propose(db, officer.actor, as_of=TODAY.date())
        disposal.decide(
            db, officer.actor, keyring, list_id=listed.id, item_ids=[], decision=Decision.DESTROY
        )
        disposal.approve(db, dpo.actor, keyring, list_id=listed.id)
    db.commit()
    return listed.id


def test_a_due_request_is_destroyed_through_a_reviewed_list_with_its_key(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    officer, dpo = staff
    old = _request(db, keyring, officer.actor, date(2023, 1, 5), date(2023, 2, 1))
    kept = _request(db, keyring, officer.actor, date(2025, 1, 6), date(2025, 2, 3))
    default_schedule(db)
    old_id, kept_id, key_id, reference = old.id, kept.id, old.data_key_id, old.reference
    list_id = _approve_everything(db, keyring, staff)
    listed = disposal.get_list(db, officer.actor, list_id)
    assert [(i.record_kind, i.identifier, i.class_code) for i in listed.items] == [
        ("sar_request", reference, "SAR")
    ]

    with clock.frozen(TODAY):
        report = destruction.execute(
            session_factory, dpo.actor, list_id=list_id, compact_database=False
        )

    assert report.destroyed == 1
    db.expire_all()
    assert db.get(SubjectAccessRequest, old_id) is None
    assert db.get(SubjectAccessRequest, kept_id) is not None
    assert not db.scalars(select(SarStep).where(SarStep.request_id == old_id)).all()
    key = db.get(crypto.DataKey, key_id)
    assert key is not None and key.wrapped_key is None  # everything sealed under it is shredded
    stone = db.scalar(select(Tombstone).where(Tombstone.identifier == reference))
    assert stone is not None and stone.record_kind == "sar_request" and stone.class_code == "SAR"
    assert (stone.opened_on, stone.closed_on) == (date(2023, 1, 5), date(2023, 2, 1))
    certificate = db.scalar(
        select(DisposalCertificate).where(DisposalCertificate.list_id == list_id)
    )
    assert certificate is not None and certificate.destroyed_count == 1
    assert "Subject access request files" in certificate.method
    # By reference only: the certificate and the list carry no name of the requester.
    text = json.dumps(
        [certificate.method, certificate.rules, certificate.approvers]
        + [[i.identifier, i.class_code] for i in listed.items]
    )
    assert "Fenwick" not in text and "Oriel" not in text
    assert not db.scalars(
        select(RetentionDate).where(
            RetentionDate.record_kind == "sar_request", RetentionDate.record_id == old_id
        )
    ).all()


def test_a_held_request_is_not_proposed_and_a_hold_after_approval_stops_it(
    db: Session, session_factory: sessionmaker[Session], keyring: FileKeyring, staff
) -> None:
    officer, dpo = staff
    old = _request(db, keyring, officer.actor, date(2023, 1, 5), date(2023, 2, 1))
    default_schedule(db)
    old_id = old.id
    list_id = _approve_everything(db, keyring, staff)
    # A complaint to the ICO about how the request was handled: every request file is held.
    hold = holds.place_hold(
        db,
        officer.actor,
        keyring,
        kind="complaint",
        scope="record_class",
        targets=["SAR"],
        reason="ICO complaint about request handling",
    )
    db.commit()

    with clock.frozen(TODAY):
        destruction.execute(session_factory, dpo.actor, list_id=list_id, compact_database=False)

    db.expire_all()
    assert db.get(SubjectAccessRequest, old_id) is not None
    [item] = disposal.get_list(db, officer.actor, list_id).items
    assert item.outcome == Outcome.HELD
    # While the hold stands, the due list flags it and no new list proposes it.
    with clock.frozen(TODAY):
        rows = dates.due(db, officer.actor, as_of=TODAY.date())
        assert [(r.record_id, r.held) for r in rows if r.kind == "sar_request"] == [(old_id, True)]
        with pytest.raises(Conflict):
            disposal.propose(db, officer.actor, as_of=TODAY.date())
    holds.release_hold(
        db, officer.actor, keyring, hold_id=hold.id, reason="Complaint closed by the ICO"
    )
    assert _due_ids(db, officer.actor) == {old_id: date(2025, 2, 1)}


def test_retention_imports_nothing_from_the_subject_access_domain() -> None:
    root = Path(steward.retention.__file__).parent
    imported = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
    assert imported and not {m for m in imported if m.startswith("steward.sar")}
