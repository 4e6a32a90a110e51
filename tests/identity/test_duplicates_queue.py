"""The queue of suspected duplicates: check, compare side by side, merge with a confirmation,
or record "not the same person"; merged or judged pairs never come back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.errors import Forbidden
from steward.core.permissions import Role
from steward.identity import service
from steward.identity.models import PersonMerge
from steward.records.models import Person
from tests.factories.core import make_user
from tests.factories.records import add_party, make_case, make_person
from tests.web.conftest import SignedIn, csrf_from

LEEDS = {"line1": "12 High Street", "town": "Leeds", "postcode": "LS1 4AB"}


def _pair(db: Session, keyring: FileKeyring) -> tuple[Person, Person]:
    case = make_case(db, keyring)
    robert = make_person(db, "Robert", "Zielinski", date(1980, 3, 5), addresses=[LEEDS])
    bob = make_person(db, "Bob", "Zielinski", date(1980, 3, 5), addresses=[LEEDS])
    add_party(db, case, robert)
    add_party(db, case, bob)
    db.commit()
    return robert, bob


def _tags(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq)))


def test_check_fills_the_queue_and_the_count(db: Session, keyring: FileKeyring) -> None:
    _pair(db, keyring)
    officer = make_user(db, Role.IG_OFFICER).actor
    assert service.pending_duplicates_count(db, officer) == 0  # not checked yet
    report = service.check_duplicates(db, actor=officer)
    assert report.pairs == 1 and report.new == 1
    assert service.pending_duplicates_count(db, officer) == 1
    queue = service.duplicate_queue(db, actor=officer)
    assert queue.total == 1
    pair = queue.items[0]
    assert {pair.person.name, pair.other.name} == {"Robert Zielinski", "Bob Zielinski"}
    assert pair.person.postcode == "LS1 4AB" and pair.person.cases == 1
    assert "identity:duplicates:checked" in _tags(db)
    # A second check finds nothing new and keeps the one pair.
    assert service.check_duplicates(db, actor=officer).new == 0
    assert service.pending_duplicates_count(db, officer) == 1

    with pytest.raises(Forbidden):
        service.pending_duplicates_count(db, make_user(db, Role.CASEWORKER).actor)


def test_not_the_same_person_leaves_the_queue_for_good(db: Session, keyring: FileKeyring) -> None:
    robert, bob = _pair(db, keyring)
    officer = make_user(db, Role.IG_OFFICER).actor
    service.check_duplicates(db, actor=officer)
    service.record_not_same(db, actor=officer, person_id=bob.id, other_person_id=robert.id)
    assert service.pending_duplicates_count(db, officer) == 0
    service.check_duplicates(db, actor=officer)  # found again, still decided
    assert service.pending_duplicates_count(db, officer) == 0
    assert "identity:pair:not_same" in _tags(db)
    panel = service.possible_duplicates(db, actor=officer, person_id=robert.id)
    assert bob.id not in [c.person_id for c in panel]


def test_the_queue_compare_and_merge_journey(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    robert, bob = _pair(db, keyring)
    client, _ = signed_in(Role.IG_OFFICER)
    token = csrf_from(client, "/people/duplicates")
    assert "The check has not been run yet" in client.get("/people/duplicates").text
    checked = client.post("/people/duplicates/check", data={"csrf_token": token})
    assert checked.status_code == 303
    queue = client.get("/people/duplicates?checked=1")
    assert "Showing <b>1</b> to <b>1</b> of <b>1</b> pairs awaiting a decision" in queue.text
    assert "Robert Zielinski" in queue.text and "Bob Zielinski" in queue.text
    low, high = sorted((robert.id, bob.id))
    assert f'href="/people/{low}/compare/{high}"' in queue.text

    compare = client.get(f"/people/{low}/compare/{high}")
    assert compare.status_code == 200
    assert "12 High Street, Leeds, LS1 4AB" in compare.text and "5 March 1980" in compare.text

    unconfirmed = client.post(
        f"/people/{low}/merge", data={"other_person_id": high, "csrf_token": token}
    )
    assert unconfirmed.status_code == 422
    assert unconfirmed.text.count("Confirm that these two records are the same person") == 2
    assert db.scalar(select(PersonMerge.id)) is None

    merged = client.post(
        f"/people/{low}/merge",
        data={"other_person_id": high, "confirm": "yes", "csrf_token": token},
    )
    assert merged.status_code == 303
    done = client.get(merged.headers["location"])
    assert "are merged as one person" in done.text
    assert 'data-testid="merge-form"' not in done.text  # not offered again
    assert "No pairs awaiting a decision" in client.get("/people/duplicates").text
    assert _tags(db).count("identity:person:merged") == 1


def test_not_same_from_the_page(signed_in: SignedIn, db: Session, keyring: FileKeyring) -> None:
    robert, bob = _pair(db, keyring)
    client, _ = signed_in(Role.DPO)
    token = csrf_from(client, "/people/duplicates")
    client.post("/people/duplicates/check", data={"csrf_token": token})
    answer = client.post(
        f"/people/{robert.id}/not-same", data={"other_person_id": bob.id, "csrf_token": token}
    )
    assert (
        answer.status_code == 303 and answer.headers["location"] == "/people/duplicates?not_same=1"
    )
    page = client.get(answer.headers["location"])
    assert "Recorded as not the same person" in page.text and "No pairs awaiting" in page.text


def test_only_people_managers_reach_the_queue(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    robert, bob = _pair(db, keyring)
    for role in (Role.CASEWORKER, Role.AUDITOR, Role.MANAGER):
        client, _ = signed_in(role)
        assert client.get("/people/duplicates").status_code == 403
        assert client.get(f"/people/{robert.id}/compare/{bob.id}").status_code == 403
        token = csrf_from(client)
        refused = client.post(
            f"/people/{robert.id}/not-same", data={"other_person_id": bob.id, "csrf_token": token}
        )
        assert refused.status_code == 403
    assert db.scalar(select(PersonMerge.id)) is None


def test_find_page_names_its_candidates(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    robert, _ = _pair(db, keyring)
    client, _ = signed_in(Role.IG_OFFICER)
    found = client.post(
        "/search/people",
        data={
            "first_name": "Robert",
            "last_name": "Zielinski",
            "dob-day": "5",
            "dob-month": "3",
            "dob-year": "1980",
            "csrf_token": csrf_from(client, "/search/people"),
        },
    )
    table = found.text.split('data-testid="find-results"')[1]
    assert "Robert Zielinski" in table and "5 March 1980" in table and "LS1 4AB" in table
    assert "1 case" in table and f"Person {robert.id}<" not in table
