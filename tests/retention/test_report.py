"""The DPO's report shows held records apart from overdue ones: destroying them is forbidden."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.retention.service import dates, holds, report
from tests.retention.helpers import case_with_children, default_schedule


def test_held_records_past_their_date_are_shown_apart_from_overdue(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)
    before = report.build(db, Actor.system())
    # Children born 1980-02-01 and 1981-07-20 reached 25 on 2005-02-01 and 2006-07-20: both
    # files are long past their date. One is held by a complaint.
    free = case_with_children(db, keyring, date(1980, 2, 1))
    held = case_with_children(db, keyring, date(1981, 7, 20))
    hold = holds.place_hold(
        db,
        Actor.system(),
        keyring,
        kind="complaint",
        scope="case",
        targets=[held.case_number],
        reason="Complaint about the handling of the case",
    )
    dates.sweep(db, Actor.system())
    after = report.build(db, Actor.system())
    assert after.overdue_disposals - before.overdue_disposals == 1
    assert after.past_due_held - before.past_due_held == 1
    holds.release_hold(
        db, Actor.system(), keyring, hold_id=hold.id, reason="Complaint resolved and closed"
    )
    released = report.build(db, Actor.system())
    assert released.overdue_disposals - before.overdue_disposals == 2
    assert released.past_due_held == before.past_due_held
    assert free.id != held.id
