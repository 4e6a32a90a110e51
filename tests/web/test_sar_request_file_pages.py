"""Request files on retention's own pages: the due list names them by reference, links to
the request, and filters by their kind; the confirmation of a disposal list counts them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.crypto import FileKeyring
from steward.core.permissions import Role
from steward.retention.models import Decision
from steward.retention.service import dates, disposal
from tests.factories.core import make_user
from tests.retention.helpers import case_with_children, default_schedule
from tests.sar.test_request_file import TODAY, _request
from tests.web.conftest import SignedIn


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(TODAY):
        yield


def test_the_due_list_and_the_disposal_confirmation_show_request_files(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    handler = make_user(db, Role.IG_OFFICER)
    old = _request(db, keyring, handler.actor, date(2023, 1, 5), date(2023, 2, 1))
    case = case_with_children(db, keyring, date(1990, 5, 1))
    default_schedule(db)
    dates.sweep(db, handler.actor)
    reference, request_id = old.reference, old.id
    db.commit()
    officer, user = signed_in(Role.IG_OFFICER)

    listed = officer.get("/retention/due?kind=sar_request")
    assert listed.status_code == 200
    assert f'href="/sar/requests/{request_id}"' in listed.text and reference in listed.text
    assert "subject access request file" in listed.text and case.case_number not in listed.text
    assert case.case_number in officer.get("/retention/due").text
    assert officer.get("/retention/due?kind=nonsense").status_code == 200

    made = disposal.propose(db, user.actor, as_of=TODAY.date())
    disposal.decide(
        db, user.actor, keyring, list_id=made.id, item_ids=[], decision=Decision.DESTROY
    )
    db.commit()
    page = officer.get(f"/retention/disposal/{made.id}")
    assert f'href="/sar/requests/{request_id}"' in page.text
    summary = disposal.summarise(db, user.actor, made.id)
    assert (summary.cases_to_destroy, summary.other_to_destroy) == (1, 1)
    dpo, _ = signed_in(Role.DPO)
    confirm = dpo.get(f"/retention/disposal/{made.id}/approve")
    assert confirm.status_code == 200
    assert "1 cases, 0 paper files sent to the contractor, 1 of other kinds" in confirm.text
