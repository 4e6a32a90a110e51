"""The consultations page of a request: raising one (all errors at once), the counted list,
overdue ones flagged, recording the reply; closed to roles without subject access work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.sar.models import SarConsultation
from tests.factories.core import make_user
from tests.sar.test_consultations import _request
from tests.web.conftest import SignedIn, csrf_from


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_from(client, path)})


def test_the_page_raises_lists_flags_and_answers(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    officer, user = signed_in(Role.IG_OFFICER)
    request = _request(db, keyring, user.actor)
    db.commit()
    path = f"/sar/requests/{request.id}/consultations"

    empty = officer.get(path)
    assert empty.status_code == 200 and "No consultations" in empty.text
    assert 'aria-current="page"' in empty.text and request.reference in empty.text

    bad = _post(
        officer,
        path,
        {"action": "raise", "kind": "local_authority", "who": "", "why": "Their records"},
    )
    assert bad.status_code == 422 and "Enter the organisation or professional" in bad.text
    assert "<title>Error:" in bad.text and "Their records" in bad.text

    made = _post(
        officer,
        path,
        {
            "action": "raise",
            "kind": "local_authority",
            "who": "Northshire children's services",
            "why": "Their assessment of the family",
            "due_on-day": "25",
            "due_on-month": "3",
            "due_on-year": "2026",
        },
    )
    assert made.status_code == 303
    listed = officer.get(path)
    assert "Northshire children&#39;s services" in listed.text and "25 March 2026" in listed.text
    assert "Showing <b>1</b> to <b>1</b> of <b>1</b> consultations" in listed.text
    assert 'data-testid="overdue"' not in listed.text

    # A week on (the row's date moved back, not the clock: the session would time out).
    consultation = db.scalar(
        select(SarConsultation).where(SarConsultation.request_id == request.id)
    )
    assert consultation is not None
    consultation.due_on = date(2026, 3, 18)
    db.commit()
    late = officer.get(path)
    assert 'data-testid="overdue"' in late.text and "Overdue" in late.text
    form = officer.get(f"{path}?answer={consultation.id}")
    assert "Record the reply from Northshire" in form.text
    missing = _post(
        officer,
        path,
        {"action": "answer", "consultation_id": str(consultation.id), "note": "Will write"},
    )
    assert missing.status_code == 422 and "Choose what they said" in missing.text
    assert "Record the reply from Northshire" in missing.text and "Will write" in missing.text
    answered = _post(
        officer,
        path,
        {"action": "answer", "consultation_id": str(consultation.id), "outcome": "agree"},
    )
    assert answered.status_code == 303
    done = officer.get(path)
    assert "Agrees to disclosure" in done.text and 'data-testid="overdue"' not in done.text
    assert "/sar/requests/" in listed.text  # links stay on the request


def test_a_caseworker_cannot_see_consultations(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker, _ = signed_in(Role.CASEWORKER)
    handler = make_user(db, Role.IG_OFFICER)
    request = _request(db, keyring, handler.actor)
    db.commit()
    assert worker.get(f"/sar/requests/{request.id}/consultations").status_code == 403
