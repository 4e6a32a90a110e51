"""The performance report from a known set of requests: on time and late, an extension, a
refusal, a withdrawal, a response in the period to a request received before it; the medians;
the page with its charts and tables; the CSV with the same figures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import KeyEncryptionKeys
from steward.core.errors import ValidationFailed
from steward.core.permissions import Actor, Role
from steward.sar import service
from steward.sar.policy import RequesterType, Status
from steward.sar.schemas import PersonDetails
from tests.factories.core import make_user
from tests.factories.sar import make_request

TODAY = datetime(2026, 4, 15, 12, tzinfo=UTC)
PERIOD = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture(autouse=True)
def mid_april() -> Iterator[None]:
    with clock.frozen(TODAY):
        yield


def on(day: date) -> AbstractContextManager[None]:
    return clock.frozen(datetime.combine(day, time(12), tzinfo=UTC))


def _receive(
    db: Session, kek: KeyEncryptionKeys, actor: Actor, day: date, kind: RequesterType
) -> int:
    with on(day):
        return make_request(
            db,
            kek,
            actor,
            requester_type=kind,
            received_on=day,
            requester=PersonDetails(full_name="Report Person"),
            description="",
        ).id


def _send(
    db: Session, kek: KeyEncryptionKeys, handler: Actor, approver: Actor, request_id: int, day: date
) -> None:
    with on(day):
        for step in (Status.SEARCHING, Status.REVIEWING, Status.AWAITING_APPROVAL):
            if service.get(db, handler, request_id).status != step:
                service.move(db, kek, handler, request_id, step)
        service.move(db, kek, approver, request_id, Status.SENT)


def arrange(db: Session, kek: KeyEncryptionKeys) -> None:
    """Six requests around the first quarter of 2026 (due dates by the ICO method, England
    and Wales): see each line."""
    handler, approver = make_user(db, Role.IG_OFFICER).actor, make_user(db, Role.DPO).actor
    subject, leaver, child = (
        RequesterType.DATA_SUBJECT,
        RequesterType.CARE_LEAVER,
        RequesterType.CHILD,
    )
    # A: in 5 Jan, due 5 Feb, sent 20 Jan: on time, 15 days.
    a = _receive(db, kek, handler, date(2026, 1, 5), subject)
    _send(db, kek, handler, approver, a, date(2026, 1, 20))
    # B: in 10 Jan, due 10 Feb, extended 1 Feb to 10 Apr, sent 20 Mar: on time, 69 days.
    b = _receive(db, kek, handler, date(2026, 1, 10), leaver)
    with on(date(2026, 2, 1)):
        service.move(db, kek, handler, b, Status.SEARCHING)
        service.extend(db, kek, handler, b, reasons="Decades of paper records to retrieve")
    _send(db, kek, handler, approver, b, date(2026, 3, 20))
    # C: in 2 Feb, due 2 Mar, sent 10 Mar: late, 36 days.
    c = _receive(db, kek, handler, date(2026, 2, 2), subject)
    _send(db, kek, handler, approver, c, date(2026, 3, 10))
    # D: in 16 Feb, refused 20 Feb: a response on time, 4 days, and a refusal.
    d = _receive(db, kek, handler, date(2026, 2, 16), child)
    with on(date(2026, 2, 20)):
        service.move(db, kek, handler, d, Status.REFUSED, reasons="Manifestly unfounded")
    # E: in 2 Mar, withdrawn 5 Mar: received, never completed.
    e = _receive(db, kek, handler, date(2026, 3, 2), subject)
    with on(date(2026, 3, 5)):
        service.move(db, kek, handler, e, Status.WITHDRAWN, reasons="No longer wanted")
    # F: in 1 Dec 2025 (before the period), due Fri 2 Jan (1 Jan is a bank holiday), sent
    # 6 Jan: completed in the period, late, 36 days.
    f = _receive(db, kek, handler, date(2025, 12, 1), subject)
    _send(db, kek, handler, approver, f, date(2026, 1, 6))


EXPECTED_TOTAL = {
    "received": 5,
    "completed": 5,
    "on_time": 3,
    "on_time_percent": 60.0,
    "median_days_to_complete": 36.0,
    "extensions": 1,
    "refusals": 1,
}


def test_figures_from_a_known_set_of_requests(db: Session, keyring: KeyEncryptionKeys) -> None:
    arrange(db, keyring)
    officer = make_user(db, Role.IG_OFFICER).actor

    report = service.report.build(db, officer, start=PERIOD[0], end=PERIOD[1]).as_dict()

    assert report["total"] == EXPECTED_TOTAL
    by_type = report["by_requester_type"]
    assert by_type["data_subject"] == {  # type: ignore[index]
        "received": 3,
        "completed": 3,
        "on_time": 1,
        "on_time_percent": 33.3,
        "median_days_to_complete": 36.0,
        "extensions": 0,
        "refusals": 0,
    }
    assert by_type["care_leaver"]["on_time_percent"] == 100.0  # type: ignore[index]
    assert by_type["care_leaver"]["extensions"] == 1  # type: ignore[index]
    assert by_type["child"]["refusals"] == 1  # type: ignore[index]
    # Nothing completed: no percentage, rather than a 0% that says every response was late.
    assert by_type["parent"]["on_time_percent"] is None  # type: ignore[index]
    months = report["by_month"]
    assert list(months) == ["2026-01", "2026-02", "2026-03"]  # type: ignore[call-overload]
    assert [
        (m["received"], m["completed"], m["on_time_percent"], m["median_days_to_complete"])
        for m in months.values()  # type: ignore[attr-defined]
    ] == [(2, 2, 50.0, 25.5), (2, 1, 100.0, 4.0), (1, 2, 50.0, 52.5)]
    assert [(m["extensions"], m["refusals"]) for m in months.values()] == [  # type: ignore[attr-defined]
        (0, 0),
        (1, 1),
        (0, 0),
    ]


def test_the_default_period_is_the_last_twelve_months_and_bad_ranges_are_refused(
    db: Session, keyring: KeyEncryptionKeys
) -> None:
    arrange(db, keyring)
    officer = make_user(db, Role.IG_OFFICER).actor
    report = service.report.build(db, officer)
    assert (report.start, report.end) == (date(2025, 5, 1), date(2026, 4, 15))
    assert len(report.by_month) == 12 and report.total.received == 6
    with pytest.raises(ValidationFailed, match="on or before"):
        service.report.build(db, officer, start=date(2026, 3, 1), end=date(2026, 2, 1))
    with pytest.raises(ValidationFailed, match="at most 10 years"):
        service.report.build(db, officer, start=date(2010, 1, 1), end=date(2026, 1, 1))
    caseworker = make_user(db, Role.CASEWORKER).actor
    with pytest.raises(Exception, match="role"):
        service.report.build(db, caseworker)


def test_csv_cells_that_look_like_formulas_are_made_text() -> None:
    from steward.web.sar.report import csv_rows

    report = service.report.Report(
        date(2026, 1, 1), date(2026, 1, 31), service.report.Figures(), [], []
    )
    rows = list(csv_rows(report))
    assert rows[1][1] == "2026-01-01 to 2026-01-31"
    from steward.web.audit_pages import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
