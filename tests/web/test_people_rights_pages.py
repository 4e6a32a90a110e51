"""Correcting a person (Art 16) and restricting their records (Art 18) through the pages and
the API: the IG team's forms, errors that change nothing, the history on the person's page,
and a restriction that shuts out the caseworker given the case until it is lifted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import Party, Person, PersonCorrection
from steward.records.schemas import PersonCorrectionIn
from tests.retention.helpers import case_with_children, default_schedule, due_on
from tests.web.conftest import SignedIn, csrf_from
from tests.web.records_helpers import case_file, tags_for


def _form(born: date | None = None, **fields: str) -> dict[str, str]:
    data = {"first_name": "Child0", "last_name": "Zielinska", "reason": "", **fields}
    if born is not None:
        data |= {
            "date_of_birth-day": str(born.day),
            "date_of_birth-month": str(born.month),
            "date_of_birth-year": str(born.year),
        }
    return data


def _child(db: Session, case_id: int) -> Person:
    person = db.scalar(
        select(Person)
        .join(Party, Party.person_id == Person.id)
        .where(Party.case_id == case_id, Party.role == "child_subject")
    )
    assert person is not None
    return person


def test_the_ig_officer_corrects_a_birth_date_and_the_case_is_re_dated_at_once(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    default_schedule(db)
    case = case_with_children(db, keyring, date(2005, 4, 12))
    child = _child(db, case.id)
    db.commit()
    assert due_on(db, case) == date(2030, 4, 12)

    page = client.get(f"/people/{child.id}")
    assert f'href="/people/{child.id}/correct"' in page.text
    assert "No corrections." in page.text
    form = client.get(f"/people/{child.id}/correct")
    assert form.status_code == 200
    assert 'value="Child0"' in form.text and 'value="2005"' in form.text

    done = client.post(
        f"/people/{child.id}/correct",
        data={
            **_form(date(2007, 9, 30)),
            "reason": "Birth certificate seen at the office",
            "sar_reference": "sar-2026-00003",
            "csrf_token": csrf_from(client),
        },
    )
    assert done.status_code == 303 and done.headers["location"] == f"/people/{child.id}?corrected=1"
    db.expire_all()
    assert due_on(db, case) == date(2032, 9, 30)
    page = client.get(done.headers["location"]).text
    assert "The details have been corrected" in page
    assert "Date of birth: 2005-04-12" in page and "2007-09-30" in page
    assert "Birth certificate seen at the office" in page and "SAR-2026-00003" in page
    assert tags_for(db, "person", child.id).count("records:person:corrected") == 1


def test_bad_input_shows_the_errors_and_changes_nothing(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    case = case_with_children(db, keyring, date(2005, 4, 12))
    child = _child(db, case.id)
    db.commit()
    token = csrf_from(client)
    attempts = [
        (_form(date(2007, 9, 30)), "Enter the reason for the correction"),
        (
            {
                **_form(),
                "date_of_birth-day": "31",
                "date_of_birth-month": "2",
                "date_of_birth-year": "2007",
                "reason": "Seen",
            },
            "Date of birth must be a real date",
        ),
        ({**_form(date(2005, 4, 12)), "reason": "Seen"}, "Change at least one detail"),
        ({**_form(date(2007, 9, 30)), "reason": "Seen", "sar_reference": "x"}, "SAR-2026-00001"),
        ({**_form(date(2005, 4, 12)), "last_name": "", "reason": "Seen"}, "Enter the last name"),
    ]
    for data, message in attempts:
        page = client.post(f"/people/{child.id}/correct", data={**data, "csrf_token": token})
        assert page.status_code == 422, message
        assert "There is a problem" in page.text and message in page.text
        assert "<title>Error: " in page.text
    db.expire_all()
    assert db.get(Person, child.id).date_of_birth == date(2005, 4, 12)  # type: ignore[union-attr]
    assert db.scalar(select(PersonCorrection.id)) is None


def test_a_caseworker_sees_what_changed_but_cannot_correct_or_read_the_old_values(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    service.correct_person(
        db,
        keyring,
        Actor.system(),
        person_id=record.child.id,
        data=service_correction(last_name="Quenby", reason="Deed poll produced"),
    )
    db.commit()
    page = client.get(f"/people/{record.child.id}").text
    assert "Last name" in page and "1 correction" in page
    assert "Zielinska" not in page.split("Correction history")[1]  # no previous value shown
    assert "Deed poll" not in page
    assert "Correct these details" not in page
    assert client.get(f"/people/{record.child.id}/correct").status_code == 403
    refused = client.post(
        f"/people/{record.child.id}/correct",
        data={**_form(), "reason": "x", "csrf_token": csrf_from(client)},
    )
    assert refused.status_code == 403


def service_correction(**given: object) -> PersonCorrectionIn:
    return PersonCorrectionIn.model_validate(given)


def test_restricting_shuts_out_the_assigned_caseworker_until_lifted(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    worker, user = signed_in(Role.CASEWORKER)
    ig, _ = signed_in(Role.IG_OFFICER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    assert worker.get(f"/cases/{record.case.id}").status_code == 200

    missing = ig.post(
        f"/people/{record.child.id}/restrict",
        data={"reason": " ", "csrf_token": csrf_from(ig)},
    )
    assert missing.status_code == 422 and "Enter the reason for restricting" in missing.text
    done = ig.post(
        f"/people/{record.child.id}/restrict",
        data={
            "reason": "Accuracy of the 2019 report contested",
            "sar_reference": "SAR-2026-00004",
            "csrf_token": csrf_from(ig),
        },
    )
    assert done.status_code == 303
    page = ig.get(done.headers["location"]).text
    assert "These records are restricted" in page and "SAR-2026-00004" in page
    assert "Lift the restriction" in page

    refused = worker.get(f"/cases/{record.case.id}")
    assert refused.status_code == 403 and "restricted" in refused.text
    assert worker.get(f"/people/{record.child.id}").status_code == 404
    case_page = ig.get(f"/cases/{record.case.id}")
    assert case_page.status_code == 200 and 'data-testid="restricted-warning"' in case_page.text

    lifted = ig.post(
        f"/people/{record.child.id}/lift-restriction",
        data={"reason": "Accuracy confirmed", "csrf_token": csrf_from(ig)},
    )
    assert lifted.status_code == 303
    assert "The restriction has been lifted" in ig.get(lifted.headers["location"]).text
    assert worker.get(f"/cases/{record.case.id}").status_code == 200


def test_the_api_corrects_and_restricts_for_the_ig_team_only(
    api_token: Callable[[Role], tuple[str, auth.User]],
    client: TestClient,
    db: Session,
    keyring: FileKeyring,
) -> None:
    ig_token, _ = api_token(Role.IG_OFFICER)
    worker_token, worker = api_token(Role.CASEWORKER)
    default_schedule(db)
    case = case_with_children(db, keyring, date(2005, 4, 12))
    child = _child(db, case.id)
    service.assign(db, Actor.system(), case_id=case.id, user_id=worker.id)
    db.commit()
    ig = {"Authorization": f"Bearer {ig_token}"}
    caseworker = {"Authorization": f"Bearer {worker_token}"}
    url = f"/api/v1/people/{child.id}/corrections"

    body = {"date_of_birth": "2007-09-30", "reason": "Birth certificate seen"}
    assert client.post(url, json=body, headers=caseworker).status_code == 403
    made = client.post(url, json=body, headers=ig)
    assert made.status_code == 201, made.text
    assert made.json()["fields"] == ["date_of_birth"] and made.json()["cases_redated"] == 1
    db.expire_all()
    assert due_on(db, case) == date(2032, 9, 30)
    bad = client.post(url, json={"date_of_birth": "2099-01-01", "reason": "x"}, headers=ig)
    assert bad.status_code == 422

    listed = client.get(url, headers=caseworker).json()
    assert listed["total"] == 1 and listed["next_page"] is None
    assert listed["items"][0]["fields"] == ["date_of_birth"]
    assert listed["items"][0]["previous"] is None
    shown = client.get(url, headers=ig).json()["items"][0]
    assert shown["previous"] == {"date_of_birth": "2005-04-12"}

    restrict = f"/api/v1/people/{child.id}/restriction"
    assert (
        client.post(restrict, json={"reason": "Contested"}, headers=caseworker).status_code == 403
    )
    assert client.post(restrict, json={"reason": "Contested"}, headers=ig).status_code == 201
    assert client.get(f"/api/v1/cases/{case.id}", headers=caseworker).status_code == 403
    assert client.post(restrict, json={"reason": "Again"}, headers=ig).status_code == 409
    lift = client.post(f"{restrict}/lift", json={"reason": "Resolved"}, headers=ig)
    assert lift.status_code == 200 and lift.json()["lifted_at"]
    assert client.get(f"/api/v1/cases/{case.id}", headers=caseworker).status_code == 200
