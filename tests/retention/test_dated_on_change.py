"""Records are dated when they are created, closed, reopened or given a party, not at the
next nightly sweep; a bulk import dates its cases once per batch and records the adoption
order's date given in the file."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor
from steward.records import service as records
from steward.records.models import Case, CaseType, PartyRole
from steward.records.schemas import CaseCreate
from steward.records.service import changes
from steward.retention.models import RetentionEvent
from steward.retention.service import dates
from tests.retention.helpers import default_schedule, due_on, person


def test_a_new_closed_case_is_due_at_once_and_closing_dates_an_open_one(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)
    actor = Actor.system()
    # Child born 1990-04-12 reached 25 on 2015-04-12: due at once, with no sweep run.
    closed = records.create_case(
        db,
        keyring,
        actor,
        CaseCreate(
            case_number="DC000001",
            case_type=CaseType.PRIVATE_LAW,
            opened_on=date(2001, 2, 3),
            closed_on=date(2003, 6, 30),
        ),
    )
    child = person(db, date(1990, 4, 12))
    records.add_party(
        db, actor, case_id=closed.id, person_id=child.id, role=PartyRole.CHILD_SUBJECT
    )
    due = {r.identifier: r.due_on for r in dates.due(db, actor, as_of=date(2020, 1, 1))}
    assert due["DC000001"] == date(2015, 4, 12)

    opened = records.create_case(
        db,
        keyring,
        actor,
        CaseCreate(
            case_number="DC000002", case_type=CaseType.PRIVATE_LAW, opened_on=date(2020, 1, 6)
        ),
    )
    younger = person(db, date(2012, 10, 31))
    records.add_party(
        db, actor, case_id=opened.id, person_id=younger.id, role=PartyRole.CHILD_SUBJECT
    )
    assert due_on(db, opened) is None  # open: no date yet
    records.close_case(db, actor, case_id=opened.id)
    assert due_on(db, opened) == date(2037, 10, 31)  # 2012-10-31 + 25 years
    records.reopen_case(db, actor, case_id=opened.id)
    assert due_on(db, opened) is None


def _adoption(number: str, order: str | None, case_type: str = "adoption") -> str:
    line: dict[str, Any] = {
        "case_number": number,
        "case_type": case_type,
        "opened_on": "1999-03-01",
        "closed_on": "2000-07-14",
        "persons": [{"ref": f"{number}-C", "first_name": "Ava", "last_name": "Moss"}],
        "parties": [{"person_ref": f"{number}-C", "role": "child_subject"}],
    }
    if order is not None:
        line["adoption_order_date"] = order
    return json.dumps(line)


def test_an_imported_adoption_archive_is_dated_from_its_orders_in_one_batch(
    db: Session, keyring: FileKeyring
) -> None:
    default_schedule(db)
    calls: list[int] = []

    def counting(
        _db: Session, _actor: Actor, ids: Sequence[int], _events: Mapping[int, Mapping[str, date]]
    ) -> None:
        calls.append(len(ids))

    changes.subscribe(counting)
    try:
        report = records.import_cases(
            db,
            keyring,
            Actor.system(),
            [
                _adoption("AD000001", "2000-06-30"),
                _adoption("AD000002", "1985-02-28"),
                _adoption("AD000003", "2000-06-30", case_type="private_law"),  # refused
                _adoption("AD000004", None),
            ],
        )
    finally:
        changes.unsubscribe(counting)
    assert report.imported == 3 and report.failed == 1
    assert "adoption_order_date" in report.failures[0].reason
    assert calls == [3]  # the batch is dated in one go, not case by case
    by_number = {
        c.case_number: c for c in db.scalars(select(Case).where(Case.case_number.like("AD%")))
    }
    # 100 years from the order: 2000-06-30 -> 2100-06-30; 1985-02-28 -> 2085-02-28.
    assert due_on(db, by_number["AD000001"]) == date(2100, 6, 30)
    assert due_on(db, by_number["AD000002"]) == date(2085, 2, 28)
    assert due_on(db, by_number["AD000004"]) is None  # no order date: cannot be dated
    assert db.scalar(select(func.count()).select_from(RetentionEvent)) == 2


def test_a_dry_run_records_no_event(db: Session, keyring: FileKeyring) -> None:
    default_schedule(db)
    report = records.import_cases(
        db, keyring, Actor.system(), [_adoption("AD000009", "2000-06-30")], dry_run=True
    )
    assert report.imported == 1
    assert db.scalar(select(func.count()).select_from(RetentionEvent)) == 0
