"""The person page's "possible duplicates" panel, merge and un-merge, and the find page."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service as records
from steward.records.models import Person
from tests.factories.records import add_party, make_case, make_person
from tests.web.conftest import SignedIn, csrf_from

LEEDS = {"line1": "12 High Street", "town": "Leeds", "postcode": "LS1 4AB"}


def _pair(db: Session, keyring: FileKeyring) -> tuple[Person, Person, int]:
    case = make_case(db, keyring)
    robert = make_person(db, "Robert", "Zielinski", date(1980, 3, 5), addresses=[LEEDS])
    bob = make_person(db, "Bob", "Zielinski", date(1980, 3, 5), addresses=[LEEDS])
    add_party(db, case, robert)
    add_party(db, case, bob)
    db.commit()
    return robert, bob, case.id


def _tags(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq)))


def test_the_panel_offers_a_merge_that_can_be_undone(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    robert, bob, _ = _pair(db, keyring)
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get(f"/people/{robert.id}")
    assert page.status_code == 200
    panel = page.text.split('id="duplicates"')[1]
    assert f'href="/people/{bob.id}"' in panel
    assert "first name is a nickname of Robert" in panel

    assert f'href="/people/{robert.id}/compare/{bob.id}"' in panel
    assert "Bob Zielinski" in panel and "LS1 4AB" in panel  # names, not "Person 12"

    token = csrf_from(client, f"/people/{robert.id}")
    merged = client.post(
        f"/people/{robert.id}/merge",
        data={"other_person_id": bob.id, "confirm": "yes", "csrf_token": token},
    )
    low, high = sorted((robert.id, bob.id))
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/people/{low}/compare/{high}?merged=1"
    page = client.get(f"/people/{robert.id}")
    # Merged records are not offered again as duplicates.
    assert f"/compare/{bob.id}" not in page.text.split('id="duplicates"')[1]
    assert 'data-testid="merged-with"' in page.text
    merge_id = int(re.search(r"/people/merges/(\d+)/unmerge", page.text).group(1))  # type: ignore[union-attr]

    undone = client.post(
        f"/people/merges/{merge_id}/unmerge", data={"back_to": robert.id, "csrf_token": token}
    )
    assert undone.status_code == 303
    assert 'data-testid="merged-with"' not in client.get(f"/people/{robert.id}").text
    tags = _tags(db)
    assert "identity:person:merged" in tags and "identity:person:unmerged" in tags


def test_a_caseworker_sees_no_panel_and_cannot_merge(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    robert, bob, case_id = _pair(db, keyring)
    client, user = signed_in(Role.CASEWORKER)
    records.assign(db, Actor.system(), case_id=case_id, user_id=user.id)
    db.commit()
    page = client.get(f"/people/{robert.id}")
    assert page.status_code == 200 and 'id="duplicates"' not in page.text
    token = csrf_from(client, f"/people/{robert.id}")
    refused = client.post(
        f"/people/{robert.id}/merge", data={"other_person_id": bob.id, "csrf_token": token}
    )
    assert refused.status_code == 403


def test_find_page_posts_the_names_and_lists_candidates(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    robert, bob, _ = _pair(db, keyring)
    client, _ = signed_in(Role.IG_OFFICER)
    token = csrf_from(client, "/search/people")
    found = client.post(
        "/search/people",
        data={
            "first_name": "Rob",
            "last_name": "Zielinski",
            "dob-day": "5",
            "dob-month": "3",
            "dob-year": "1980",
            "csrf_token": token,
        },
    )
    assert found.status_code == 200
    assert f'href="/people/{robert.id}"' in found.text and f'href="/people/{bob.id}"' in found.text
    bad = client.post(
        "/search/people",
        data={
            "first_name": "Rob",
            "last_name": "Zielinski",
            "dob-day": "5",
            "dob-month": "3",
            "dob-year": "80",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert bad.text.count("Date of birth must be a real date") >= 2  # summary and field
    assert 'value="80"' in bad.text  # what was typed is shown again


def test_find_page_takes_an_address(signed_in: SignedIn, db: Session) -> None:
    moved_postcode = {"line1": "12 High Street", "town": "Leeds", "postcode": "LS9 9ZZ"}
    record = make_person(db, "Robert", "Zielinski", date(1980, 3, 5), addresses=[moved_postcode])
    client, _ = signed_in(Role.IG_OFFICER)
    page = client.get("/search/people")
    assert 'name="address"' in page.text
    found = client.post(
        "/search/people",
        data={
            "first_name": "Robert",
            "last_name": "Zielinski",
            "postcode": "LS1 4AB",
            "address": "12 High Street, Leeds",
            "csrf_token": csrf_from(client, "/search/people"),
        },
    )
    assert found.status_code == 200
    assert f'href="/people/{record.id}"' in found.text
    assert "same address" in found.text
