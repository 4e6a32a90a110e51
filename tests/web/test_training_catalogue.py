"""The course catalogue's pages and API: a course added, versioned and retired through the
forms, a requirement previewed and set and ended, the DPO's settings, each refusal shown
beside its field with nothing changed, and who is refused."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.permissions import Role
from steward.training.events import TrainingEvent
from steward.training.models import Course, Requirement
from steward.training.policy import EmploymentType, RequirementKind
from steward.training.service import gate
from tests.factories.core import make_user
from tests.factories.training import make_course, make_requirement, make_staff
from tests.web.conftest import SignedIn, csrf_from

ApiToken = Callable[[Role], tuple[str, auth.User]]

COURSE_FORM = {
    "code": "cyber-basics",
    "title": "Cyber security basics",
    "topic": "cyber_security",
    "delivery": "webinar",
    "duration_minutes": "60",
    "validity_months": "12",
    "pass_mark": "",
    "description": "Phishing, passwords, locking your screen.",
    "lms_ids": "moodle:77\nmoodle:77\n",
    "module_slug": "",
}


def _post_form(client: TestClient, form_page: str, action: str, data: Mapping[str, object]) -> Any:
    """Post ``data`` to ``action`` with the CSRF token of the page the form is on."""
    return client.post(action, data={**data, "csrf_token": csrf_from(client, form_page)})


def _count(db: Session, model: type[Course] | type[Requirement]) -> int:
    return db.scalar(select(func.count(model.id))) or 0


def _tags(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("training:%"))))


def test_a_course_is_added_through_the_form_and_shown_with_its_version(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    new = "/training/courses/new"
    added = client.post(new, data={**COURSE_FORM, "csrf_token": csrf_from(client, new)})
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert page.status_code == 200
    assert "CYBER-BASICS" in page.text and "Cyber security basics" in page.text
    assert "Webinar" in page.text and "Every 1 year" in page.text and "Not assessed" in page.text
    assert page.text.count("moodle:77") == 1
    assert "First version." in page.text
    assert "No requirement is set: this course applies to nobody." in page.text
    listed = client.get("/training/courses?topic=cyber_security")
    assert "Showing <b>1</b> to <b>1</b> of <b>1</b> courses" in listed.text
    assert "No course matches" in client.get("/training/courses?topic=management").text
    assert _tags(db) == [TrainingEvent.COURSE_CREATED.value]


def test_a_refused_course_comes_back_as_typed_with_each_message_beside_its_field(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    new = "/training/courses/new"
    bad = {**COURSE_FORM, "code": "=cmd|x", "pass_mark": "120", "duration_minutes": "an hour"}
    refused = client.post(new, data={**bad, "csrf_token": csrf_from(client, new)})
    assert refused.status_code == 422
    assert "<title>Error: Add a course" in refused.text
    assert 'id="code-error"' in refused.text and "capital letters, digits" in refused.text
    assert 'id="pass_mark-error"' in refused.text and "from 0 to 100" in refused.text
    assert 'id="duration_minutes-error"' in refused.text
    assert 'value="Cyber security basics"' in refused.text  # kept as typed
    assert _count(db, Course) == 0 and _tags(db) == []


def test_a_course_is_changed_and_a_version_requiring_a_redo_is_released(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    course = make_course(db, code="DP-1", title="Data protection")
    db.commit()
    edit = f"/training/courses/{course.id}/edit"
    form = client.get(edit)
    assert 'value="Data protection"' in form.text
    changed = client.post(
        edit,
        data={
            **{k: v for k, v in COURSE_FORM.items() if k != "code"},
            "title": "Data protection essentials",
            "pass_mark": "75",
            "csrf_token": csrf_from(client, edit),
        },
    )
    assert changed.status_code == 303
    db.refresh(course)
    assert (course.title, course.pass_mark, course.code) == (
        "Data protection essentials",
        75,
        "DP-1",
    )
    versions = f"/training/courses/{course.id}/versions/new"
    missing = client.post(versions, data={"csrf_token": csrf_from(client, versions)})
    assert missing.status_code == 422
    assert 'id="requires_redo-error"' in missing.text and 'id="note-error"' in missing.text
    released = client.post(
        versions,
        data={
            "note": "The Data (Use and Access) Act",
            "requires_redo": "yes",
            "csrf_token": csrf_from(client, versions),
        },
    )
    assert released.status_code == 303
    page = client.get(f"/training/courses/{course.id}")
    assert "The Data (Use and Access) Act" in page.text
    assert re.search(r'data-testid="version">\s*<td[^>]*>2</td>', page.text)
    db.refresh(course)
    assert course.version == 2


def test_a_requirement_is_previewed_set_shown_in_words_and_ended(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    course = make_course(db)
    officer = make_user(db, Role.IG_OFFICER)
    make_staff(db, team="North", user_id=officer.id)
    make_staff(db, team="North", employment_type=EmploymentType.TEMPORARY)
    make_staff(db, team="South")
    db.commit()
    path = f"/training/courses/{course.id}/requirements/new"
    form = client.get(path)
    assert 'value="North"' in form.text and 'value="South"' in form.text  # from the staff list
    wanted = {"kind": "specialist", "teams": ["North"], "due_within_days": "30"}
    preview = _post_form(client, path, path, {**wanted, "action": "preview"})
    assert preview.status_code == 200
    assert re.search(r'data-testid="preview-people">1<', preview.text) is None
    assert 'data-testid="preview-people">2<' in preview.text
    assert "Staff in the North team" in preview.text
    assert _count(db, Requirement) == 0  # a preview changes nothing
    narrowed = {**wanted, "account_roles": ["ig_officer"], "action": "save"}
    saved = _post_form(client, path, path, narrowed)
    assert saved.status_code == 303
    page = client.get(f"/training/courses/{course.id}")
    assert (
        "Staff in the North team, with a Steward account as Information governance officer"
        in page.text
    )
    assert 'data-testid="people">1<' in page.text
    requirement = db.scalars(select(Requirement)).one()
    end = f"/training/requirements/{requirement.id}/end"
    past = {"ends_on-day": "1", "ends_on-month": "1", "ends_on-year": "2020"}
    refused = _post_form(client, end, end, past)
    assert refused.status_code == 422
    assert "today or later" in refused.text
    ended = _post_form(client, end, end, {})
    assert ended.status_code == 303
    db.refresh(requirement)
    assert requirement.ends_on is not None
    assert "Ended" in client.get(f"/training/courses/{course.id}").text


def test_a_requirement_without_days_or_kind_is_refused_beside_the_fields(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    course = make_course(db)
    db.commit()
    path = f"/training/courses/{course.id}/requirements/new"
    no_kind = _post_form(client, path, path, {"action": "save"})
    assert no_kind.status_code == 422
    assert 'id="kind-error"' in no_kind.text
    no_days = _post_form(client, path, path, {"kind": "mandatory", "action": "save"})
    assert no_days.status_code == 422
    assert 'id="due_within_days-error"' in no_days.text
    assert _count(db, Requirement) == 0


def test_retiring_a_course_warns_of_the_requirements_it_ends(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.ADMIN)
    course = make_course(db)
    make_requirement(db, course)
    make_staff(db)
    db.commit()
    path = f"/training/courses/{course.id}/retire"
    page = client.get(path)
    assert "1 requirement is in force on this course, applying to 1 people today" in page.text
    assert _post_form(client, path, path, {}).status_code == 303
    shown = client.get(f"/training/courses/{course.id}")
    assert 'data-testid="retired"' in shown.text
    assert 'data-testid="actions"' not in shown.text
    again = _post_form(client, f"/training/courses/{course.id}", path, {})
    assert again.status_code == 409


def test_the_dpo_turns_the_gate_off_with_a_reason_shown_on_every_catalogue_page(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    path = "/training/settings"
    page = client.get(path)
    assert "organisation&#39;s target, not law" in page.text
    numbers = {"induction_days": "5", "due_soon_days": "30", "target_percent": "95"}
    bare = _post_form(client, path, path, {**numbers, "induction_gate": "off"})
    assert bare.status_code == 422
    assert 'id="gate_off_reason-error"' in bare.text
    assert gate.current_policy(db).induction_gate is True
    reason = "Moodle is down; induction records cannot be imported until Friday."
    off = _post_form(
        client, path, path, {**numbers, "induction_gate": "off", "gate_off_reason": reason}
    )
    assert off.status_code == 303
    for where in ("/training/settings", "/training/courses"):
        shown = client.get(where)
        assert 'data-testid="gate-off"' in shown.text and reason in shown.text
    assert TrainingEvent.GATE_TURNED_OFF.value in _tags(db)
    on = _post_form(client, path, path, {**numbers, "induction_gate": "on", "target_percent": "90"})
    assert on.status_code == 303
    assert 'data-testid="gate-off"' not in client.get("/training/courses").text
    assert gate.current_policy(db).target_percent == 90


def test_only_the_dpo_changes_the_settings_and_a_caseworker_sees_no_catalogue(
    signed_in: SignedIn, db: Session
) -> None:
    admin, _ = signed_in(Role.ADMIN)
    page = admin.get("/training/settings")
    assert page.status_code == 200 and 'data-testid="dpo-only"' in page.text
    assert 'data-testid="settings-form"' not in page.text
    refused = _post_form(
        admin, "/training/settings", "/training/settings", {"induction_gate": "off"}
    )
    assert refused.status_code == 403
    manager, _ = signed_in(Role.MANAGER)
    course = make_course(db)
    db.commit()
    shown = manager.get(f"/training/courses/{course.id}")
    assert shown.status_code == 200 and 'data-testid="actions"' not in shown.text
    assert manager.get(f"/training/courses/{course.id}/edit").status_code == 403
    worker, _ = signed_in(Role.CASEWORKER)
    for path in ("/training/courses", f"/training/courses/{course.id}", "/training/settings"):
        assert worker.get(path).status_code == 403
    assert "Training courses" not in worker.get("/").text
    assert gate.current_policy(db).induction_gate is True


# --- the API -------------------------------------------------------------------------------


def _api(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_api_adds_versions_requires_and_ends_as_the_pages_do(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    token, _ = api_token(Role.ADMIN)
    added = client.post(
        "/api/v1/training/courses",
        json={
            "code": "SAR-1",
            "title": "Handling subject access requests",
            "topic": "sar_handling",
            "delivery": "classroom",
            "duration_minutes": 180,
            "validity_months": 24,
            "pass_mark": None,
            "lms_ids": ["moodle:9"],
        },
        headers=_api(token),
    )
    assert added.status_code == 201, added.text
    course = added.json()
    assert course["versions"][0]["version"] == 1 and course["requirements"] == []
    path = f"/api/v1/training/courses/{course['id']}"
    patched = client.patch(path, json={"pass_mark": 70}, headers=_api(token))
    assert patched.json()["pass_mark"] == 70 and patched.json()["title"] == course["title"]
    released = client.post(
        f"{path}/versions", json={"note": "New form", "requires_redo": True}, headers=_api(token)
    )
    assert released.status_code == 201
    assert [v["version"] for v in released.json()["versions"]] == [2, 1]
    officer = make_user(db, Role.IG_OFFICER)
    make_staff(db, user_id=officer.id)
    make_staff(db)
    db.commit()
    filters = {"account_roles": ["ig_officer"]}
    preview = client.post(
        "/api/v1/training/requirements/preview", json=filters, headers=_api(token)
    )
    assert preview.json() == {
        "who": "Staff with a Steward account as Information governance officer",
        "people": 1,
    }
    made = client.post(
        "/api/v1/training/requirements",
        json={"course_id": course["id"], "kind": "specialist", "due_within_days": 60, **filters},
        headers=_api(token),
    )
    assert made.status_code == 201 and made.json()["people"] == 1
    listed = client.get(
        f"/api/v1/training/requirements?course_id={course['id']}&in_force=true",
        headers=_api(token),
    )
    assert [r["id"] for r in listed.json()["items"]] == [made.json()["id"]]
    ended = client.post(
        f"/api/v1/training/requirements/{made.json()['id']}/end", json={}, headers=_api(token)
    )
    assert ended.status_code == 200 and ended.json()["ends_on"] is not None
    again = client.post(
        f"/api/v1/training/requirements/{made.json()['id']}/end", json={}, headers=_api(token)
    )
    assert again.status_code == 409 and "already ends" in again.json()["detail"]
    retired = client.post(f"{path}/retire", json={}, headers=_api(token))
    assert retired.json()["retired_on"] is not None
    assert client.get("/api/v1/training/courses", headers=_api(token)).json()["total"] == 0


def test_the_api_refuses_bad_input_with_the_field_named(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    token, _ = api_token(Role.ADMIN)
    course = make_course(db)
    db.commit()
    bad = client.post(
        "/api/v1/training/requirements",
        json={"course_id": course.id, "kind": "mandatory", "teams": [], "employment_types": ["x"]},
        headers=_api(token),
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) >= {"teams", "employment_types.0"}
    unknown = client.patch(
        f"/api/v1/training/courses/{course.id}", json={"code": "NEW"}, headers=_api(token)
    )
    assert unknown.status_code == 422  # the code never changes
    induction = client.post(
        "/api/v1/training/requirements",
        json={"course_id": course.id, "kind": RequirementKind.INDUCTION.value},
        headers=_api(token),
    )
    assert induction.status_code == 201 and induction.json()["due_within_days"] == 5


def test_the_api_settings_are_the_dpos_and_read_by_those_who_see_compliance(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    dpo, _ = api_token(Role.DPO)
    admin, _ = api_token(Role.ADMIN)
    auditor, _ = api_token(Role.AUDITOR)
    worker, _ = api_token(Role.CASEWORKER)
    change = {"induction_gate": False, "gate_off_reason": "Annual disaster recovery test"}
    assert (
        client.patch("/api/v1/training/settings", json=change, headers=_api(admin)).status_code
        == 403
    )
    done = client.patch("/api/v1/training/settings", json=change, headers=_api(dpo))
    assert done.status_code == 200 and done.json()["induction_gate"] is False
    read = client.get("/api/v1/training/settings", headers=_api(auditor))
    assert read.json()["gate_off_reason"] == change["gate_off_reason"]
    assert client.get("/api/v1/training/settings", headers=_api(worker)).status_code == 403
    assert client.get("/api/v1/training/courses", headers=_api(worker)).status_code == 403
    (event,) = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == TrainingEvent.GATE_TURNED_OFF.value)
    )
    assert json.loads(event.details)["fields"] == ["gate_off_reason", "induction_gate"]
