"""The staff pages of training and their API: the list (counted, paged, filtered), a member of
staff's page, linking an account, and the two imports with their row problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.permissions import Actor, Role
from steward.training.models import Completion, StaffMember
from steward.training.service import staff
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.training.test_lms_import import example_courses
from tests.web.conftest import SignedIn, csrf_from

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "training"
HR = (EXAMPLES / "hr-staff.csv").read_bytes()
ApiToken = Callable[[Role], tuple[str, auth.User]]


def _post_file(
    client: TestClient, path: str, content: bytes, name: str = "file.csv", **data: str
) -> httpx.Response:
    token = csrf_from(client, path)
    return client.post(
        path, data={"csrf_token": token, **data}, files={"file": (name, content, "text/csv")}
    )


def _staff_count(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(StaffMember)) or 0)


def test_the_staff_list_counts_pages_and_filters(signed_in: SignedIn, db: Session) -> None:
    staff.import_staff(db, Actor.system(), HR)
    db.commit()
    client, _ = signed_in(Role.DPO)
    page = client.get("/training/staff")
    assert page.status_code == 200
    # Current staff only: Femi Adeyemi left in October 2025.
    assert "of <b>6</b> members of staff" in page.text
    assert "Femi Adeyemi" not in page.text
    held = {s.name: s.id for s in db.scalars(select(StaffMember))}
    assert f'href="/training/staff/{held["Ben Hartley"]}">Ben Hartley</a>' in page.text
    leavers = client.get("/training/staff?scope=leavers")
    assert "Femi Adeyemi" in leavers.text and "Ben Hartley" not in leavers.text
    south = client.get("/training/staff?scope=all&team=South&employment_type=contractor")
    assert "of <b>1</b> members of staff" in south.text and "Erin Walsh" in south.text
    assert client.get("/training/staff?scope=nonsense").status_code == 422


def test_the_list_pages_through_many(signed_in: SignedIn, db: Session) -> None:
    for n in range(55):
        make_staff(db, name=f"Person {n:02d}", team="Paged")
    db.commit()
    client, _ = signed_in(Role.MANAGER)
    first = client.get("/training/staff?team=Paged")
    assert "Showing <b>1</b> to <b>50</b> of <b>55</b>" in first.text
    second = client.get("/training/staff?team=Paged&page=2")
    assert "Person 54" in second.text and "Person 00" not in second.text


def test_a_member_of_staffs_page_shows_their_standing_and_completions(
    signed_in: SignedIn, db: Session
) -> None:
    boss = make_staff(db, name="Bea Boss")
    person = make_staff(db, name="<script>alert(1)</script>", manager=boss)
    course = make_course(db, title="Data protection induction", code="DP-IND", validity_months=None)
    make_requirement(db, course)
    complete(db, person, course, date(2024, 5, 1))
    db.commit()
    client, _ = signed_in(Role.AUDITOR)
    page = client.get(f"/training/staff/{person.id}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert f'<a class="govuk-link" href="/training/staff/{boss.id}">Bea Boss</a>' in page.text
    assert "Data protection induction" in page.text and "Current" in page.text
    assert "Recorded by a manager" in page.text and "1 May 2024" in page.text
    # Those who only see compliance are offered no account change.
    assert 'data-testid="link"' not in page.text
    assert client.get("/training/staff/999999").status_code == 404


def test_a_caseworker_sees_no_staff(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    assert client.get("/training/staff").status_code == 403
    assert "/training/staff" not in client.get("/").text


def test_linking_and_unlinking_an_account_on_the_page(signed_in: SignedIn, db: Session) -> None:
    person = make_staff(db, name="Link Me")
    db.commit()
    client, admin = signed_in(Role.ADMIN)
    path = f"/training/staff/{person.id}"
    wrong = client.post(
        f"{path}/account", data={"csrf_token": csrf_from(client, path), "username": "nobody"}
    )
    assert wrong.status_code == 422
    assert "<title>Error: Link Me" in wrong.text and 'href="#username"' in wrong.text
    linked = client.post(
        f"{path}/account",
        data={"csrf_token": csrf_from(client, path), "username": admin.username},
    )
    assert linked.status_code == 303
    assert f"Signs in as <strong>{admin.username}</strong>" in client.get(path).text
    unlinked = client.post(
        f"{path}/account", data={"csrf_token": csrf_from(client, path), "action": "unlink"}
    )
    assert unlinked.status_code == 303
    db.expire_all()
    assert db.get(StaffMember, person.id).user_id is None  # type: ignore[union-attr]


def test_the_hr_import_page_imports_and_lists_row_problems(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    assert client.get("/training/imports/staff").status_code == 200
    done = _post_file(client, "/training/imports/staff", HR)
    assert done.status_code == 200
    assert "Added 7 new member(s) of staff" in done.text
    again = _post_file(client, "/training/imports/staff", HR)
    assert "Nothing changed" in again.text
    bad = HR.replace(b"S1003,Chlo", b"S1003,=Chlo").replace(b"2030-06-30", b"2024-06-30")
    shown = _post_file(client, "/training/imports/staff", bad)
    text = shown.text
    assert shown.status_code == 200
    assert text.count('class="govuk-error-summary"') == 1 and "<title>Error: " in text
    assert 'href="#row-problems"' in text and 'id="row-problems"' in text
    rows = re.findall(r"<tr class=\"govuk-table__row\"><td[^>]*>(\d+)</td>", text)
    assert rows == ["4", "6"]
    assert "2 row(s) could not be imported and changed nothing" in text
    assert _staff_count(db) == 7


def test_a_refused_hr_file_changes_nothing_and_says_why(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.DPO)
    latin = HR.decode().encode("latin-1")
    refused = _post_file(client, "/training/imports/staff", latin)
    assert refused.status_code == 422
    assert "is not UTF-8 text" in refused.text
    assert 'href="#file"' in refused.text
    none = client.post(
        "/training/imports/staff", data={"csrf_token": csrf_from(client, "/training/imports/staff")}
    )
    assert none.status_code == 422 and "Select a file" in none.text
    assert _staff_count(db) == 0


def test_the_lms_import_page_records_and_reports_the_failed(
    signed_in: SignedIn, db: Session
) -> None:
    staff.import_staff(db, Actor.system(), HR)
    example_courses(db)
    db.commit()
    client, _ = signed_in(Role.DPO)
    page = client.get("/training/imports/completions")
    assert page.status_code == 200 and 'value="DP-REFRESHER"' in page.text
    xapi = (EXAMPLES / "xapi-statements.json").read_bytes()
    done = _post_file(client, "/training/imports/completions", xapi, name="statements.json")
    assert done.status_code == 200
    assert "Recorded 2 completion(s); already recorded: 0." in done.text
    assert "Not counted: 1 failed." in done.text
    renamed = (EXAMPLES / "completion-dp-refresher.csv").read_bytes()
    refused = _post_file(client, "/training/imports/completions", renamed, name="x.csv")
    assert refused.status_code == 422
    chosen = _post_file(
        client, "/training/imports/completions", renamed, name="x.csv", course="DP-REFRESHER"
    )
    assert "Recorded 2 completion(s)" in chosen.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Completion)) == 4


def test_those_who_only_see_compliance_cannot_import(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.MANAGER)
    assert "Import staff from HR" not in client.get("/training/staff").text
    assert client.get("/training/imports/staff").status_code == 403
    token = csrf_from(client, "/training/staff")
    posted = client.post(
        "/training/imports/staff",
        data={"csrf_token": token},
        files={"file": ("hr.csv", HR, "text/csv")},
    )
    assert posted.status_code == 403
    assert _staff_count(db) == 0


# The API ------------------------------------------------------------------------------------


def test_the_api_imports_with_the_clis_json_and_lists_staff(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    token, _ = api_token(Role.DPO)
    auth_header = {"Authorization": f"Bearer {token}"}
    imported = client.post(
        "/api/v1/training/imports/staff",
        files={"file": ("hr.csv", HR, "text/csv")},
        headers=auth_header,
    )
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert {k: body[k] for k in ("file", "rows", "added", "leavers", "errors")} == {
        "file": "hr_staff",
        "rows": 7,
        "added": 7,
        "leavers": 2,
        "errors": [],
    }
    example_courses(db)
    db.commit()
    completions = client.post(
        "/api/v1/training/imports/completions",
        files={"file": ("s.json", (EXAMPLES / "xapi-statements.json").read_bytes())},
        headers=auth_header,
    ).json()
    assert (completions["recorded"], completions["not_counted"]["failed"]) == (2, 1)
    listed = client.get("/api/v1/training/staff?team=North", headers=auth_header).json()
    assert listed["total"] == 3
    assert [s["name"] for s in listed["items"]] == ["Amara Okafor", "Ben Hartley", "Chloé Martin"]
    ben = next(s for s in listed["items"] if s["staff_number"] == "S1002")
    detail = client.get(f"/api/v1/training/staff/{ben['id']}", headers=auth_header).json()
    assert detail["manager_name"] == "Amara Okafor" and detail["in_scope"] is True
    assert [(c["course_code"], c["source"], c["score"]) for c in detail["completions"]] == [
        ("CYBER", "xapi", 92)
    ]
    refused = client.post(
        "/api/v1/training/imports/staff",
        files={"file": ("hr.csv", b"", "text/csv")},
        headers=auth_header,
    )
    assert refused.status_code == 422 and "empty" in refused.json()["detail"]


def test_the_api_links_and_unlinks_an_account(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    token, admin = api_token(Role.ADMIN)
    person = make_staff(db)
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/training/staff/{person.id}/account"
    linked = client.post(path, json={"username": admin.username}, headers=headers)
    assert linked.status_code == 200 and linked.json()["user_id"] == admin.id
    assert client.delete(path, headers=headers).json()["user_id"] is None
    assert client.delete(path, headers=headers).status_code == 409
    viewer, _ = api_token(Role.AUDITOR)
    assert (
        client.post(
            path, json={"username": admin.username}, headers={"Authorization": f"Bearer {viewer}"}
        ).status_code
        == 403
    )
