"""The audit trail page: filters in the URL, events in words, counts and pages, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import audit
from steward.core.audit import AuditEvent, EventTag
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records.events import RecordsEvent
from steward.web.audit_pages import csv_cell
from tests.factories.core import make_user
from tests.factories.records import make_case, make_person
from tests.web.conftest import SignedIn


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_events_read_as_words_not_codes(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker = make_user(db, Role.CASEWORKER, username="jo.bloggs")
    case = make_case(db, keyring)
    person = make_person(db, "Ottoline", "Quarrie")
    audit.record(
        db, worker.actor, RecordsEvent.CASE_VIEWED, subject_type="case", subject_id=case.id
    )
    audit.record(
        db, worker.actor, RecordsEvent.PERSON_VIEWED, subject_type="person", subject_id=person.id
    )
    db.commit()

    auditor, _ = signed_in(Role.AUDITOR)
    page = auditor.get(f"/audit?user={worker.id}")
    assert page.status_code == 200
    table = page.text.split('data-testid="audit-events"')[1]
    assert "Case read" in table and "records:case:viewed" not in table
    assert "jo.bloggs" in table and f"user {worker.id}" not in table
    assert f"Case {case.case_number}" in table
    # An auditor sees no case content: the person by record number, never by name.
    assert f"Person record {person.id}" in table and "Quarrie" not in table
    assert "Showing <b>1</b> to <b>2</b> of <b>2</b> events" in page.text

    dpo, _ = signed_in(Role.DPO)
    assert "Person: Ottoline Quarrie" in dpo.get(f"/audit?user={worker.id}").text
    # The export names no one, whoever asks: a file travels further than a page.
    exported = dpo.get(f"/audit/export.csv?user={worker.id}").text
    assert "Quarrie" not in exported and f"Person record {person.id}" in exported
    assert f"Case {case.case_number}" in exported


def test_filters_pick_events_by_kind_case_and_date(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker = make_user(db, Role.CASEWORKER)
    one, other = make_case(db, keyring), make_case(db, keyring)
    for case in (one, other, one):
        audit.record(
            db, worker.actor, RecordsEvent.CASE_VIEWED, subject_type="case", subject_id=case.id
        )
    db.commit()
    client, _ = signed_in(Role.AUDITOR)

    by_case = client.get(f"/audit?case={one.case_number}&event=records:case:viewed")
    assert "of <b>2</b> events" in by_case.text
    assert f"Case {other.case_number}" not in by_case.text.split('data-testid="audit-events"')[1]

    today = datetime.now(UTC).date()
    tomorrow = today.toordinal() + 1
    later = datetime.fromordinal(tomorrow).date()
    future = client.get(
        f"/audit?user={worker.id}&from-day={later.day}&from-month={later.month}"
        f"&from-year={later.year}"
    )
    assert future.status_code == 200 and "No events" in future.text
    now = client.get(
        f"/audit?user={worker.id}&from-day={today.day}&from-month={today.month}"
        f"&from-year={today.year}&to-day={today.day}&to-month={today.month}&to-year={today.year}"
    )
    assert "of <b>3</b> events" in now.text


def test_bad_filters_say_what_to_fix_beside_the_field(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.AUDITOR)
    page = client.get("/audit?case=NO-SUCH-CASE&from-day=31&from-month=2&from-year=2026")
    assert page.status_code == 422
    assert page.text.count("There is no case with that number") == 2  # summary and field
    assert page.text.count("The date from must be a real date") == 2
    assert "<title>Error:" in page.text
    assert client.get("/audit?event=made:up:tag").status_code == 422
    assert client.get("/audit?subject_id=12").status_code == 422  # a number of what?


def test_pages_through_the_trail(signed_in: SignedIn, db: Session) -> None:
    worker = make_user(db, Role.CASEWORKER)
    for _ in range(60):
        audit.record(db, worker.actor, EventTag.TOKEN_CREATED, subject_type="user")
    db.commit()
    client, _ = signed_in(Role.AUDITOR)
    first = client.get(f"/audit?user={worker.id}")
    assert "Showing <b>1</b> to <b>50</b> of <b>60</b> events" in first.text
    assert f"/audit?user={worker.id}&amp;page=2" in first.text
    second = client.get(f"/audit?user={worker.id}&page=2")
    assert "Showing <b>51</b> to <b>60</b> of <b>60</b> events" in second.text


def test_csv_export_is_filtered_injection_safe_and_recorded(
    signed_in: SignedIn, db: Session
) -> None:
    worker = make_user(db, Role.CASEWORKER, username="jo.export")
    audit.record(
        db, worker.actor, EventTag.TOKEN_CREATED, subject_type="api_token", subject_id="=2+3"
    )
    audit.record(db, worker.actor, EventTag.TOKEN_REVOKED, subject_type="api_token", subject_id=7)
    db.commit()
    client, reader = signed_in(Role.AUDITOR)

    response = client.get(f"/audit/export.csv?user={worker.id}&event=token:created")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response.text)
    assert len(rows) == 1
    assert rows[0]["Event"] == "API token created"
    assert rows[0]["Who"] == "jo.export"
    assert rows[0]["Subject id"] == "'=2+3"  # a leading "=" would run as a formula
    assert rows[0]["Subject"] == "API token =2+3"

    exported = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == EventTag.AUDIT_LOG_EXPORTED.value)
    ).all()
    assert [e.actor_id for e in exported] == [reader.id]
    assert '"tag":"token:created"' in exported[0].details


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(dangerous) == "'" + dangerous
    assert csv_cell("Case read") == "Case read"
    assert csv_cell(None) == ""


def test_only_audit_readers_see_or_export_the_trail(signed_in: SignedIn, db: Session) -> None:
    for role in (Role.CASEWORKER, Role.IG_OFFICER, Role.ADMIN):
        client, _ = signed_in(role)
        assert client.get("/audit").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403
    assert Actor.system().can(audit.Permission.AUDIT_READ)


def test_the_whole_trail_is_counted_exactly_and_a_filtered_one_up_to_a_cap(
    signed_in: SignedIn, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = make_user(db, Role.CASEWORKER)
    for _ in range(60):
        audit.record(db, worker.actor, EventTag.TOKEN_CREATED, subject_type="user")
    db.commit()
    client, _ = signed_in(Role.AUDITOR)
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    whole = client.get("/audit")
    assert f"of <b>{events:,}</b> events" in whole.text  # from the chain's head, exact
    monkeypatch.setattr(audit, "COUNT_CAP", 50)
    first = client.get(f"/audit?user={worker.id}")
    assert "Showing <b>1</b> to <b>50</b> of <b>more than 50</b> events" in first.text
    assert f"/audit?user={worker.id}&amp;page=2" in first.text  # there is more: Next is offered
    second = client.get(f"/audit?user={worker.id}&page=2")
    assert "Showing <b>51</b> to <b>60</b>" in second.text
    assert 'rel="next"' not in second.text  # a short page is the last
