"""The induction gate's answer on the web: a page (403) that says why case records are closed
and links to each induction course, the API's error body, the home page's banner, and the
refusal on record under the gate's own tag. (The route x role walk in test_authorization.py
checks that every route showing case content answers this way.)"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import audit, auth, clock
from steward.core.audit import AuditEvent, EventTag
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import Case
from steward.training.models import Course
from steward.training.policy import Delivery, RequirementKind
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.web.conftest import SignedIn, csrf_from

TITLE = "Complete your induction before you can see case records"


def _inductions(db: Session) -> tuple[Course, Course]:
    """Two induction courses: a built-in module and a classroom day (no module)."""
    module = make_course(
        db,
        code="DP-INDUCTION",
        title="Data protection induction",
        module_slug="data-protection-induction",
        validity_months=None,
    )
    classroom = make_course(
        db,
        code="IND-DAY",
        title="Induction day",
        delivery=Delivery.CLASSROOM,
        pass_mark=None,
        validity_months=None,
    )
    for course in (module, classroom):
        make_requirement(db, course, kind=RequirementKind.INDUCTION, due_within_days=5)
    return module, classroom


def _case_for(db: Session, keyring: FileKeyring, user: auth.User) -> Case:
    case = make_case(db, keyring)
    service.assign(db, Actor.system(), case_id=case.id, user_id=user.id)
    add_party(db, case, make_person(db, "Gated", "Child"))
    make_document(db, keyring, case, title="Gated note")
    return case


def _links(html: str) -> list[str]:
    block = html.split('data-testid="gate-courses"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', block)


def test_a_new_starter_is_shown_why_and_where_to_go_then_reaches_the_case_without_signing_out(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    staff = make_staff(db, user_id=user.id, start_date=clock.today())
    case = _case_for(db, keyring, user)
    module, classroom = _inductions(db)
    db.commit()

    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 403
    assert f'<h1 class="govuk-heading-l">{TITLE}</h1>' in page.text
    assert _links(page.text) == ["/training/modules/data-protection-induction", "/training"]
    assert "Data protection induction" in page.text and "Induction day" in page.text
    assert "Gated" not in page.text and case.case_number not in page.text
    assert "Break-glass does not open a case" in page.text

    complete(db, staff, module, clock.today())
    complete(db, staff, classroom, clock.today())
    db.commit()
    opened = client.get(f"/cases/{case.id}")
    assert opened.status_code == 200
    assert "Gated Child" in opened.text


def test_an_account_with_no_staff_record_is_told_to_ask_for_it_to_be_linked(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    case = make_case(db, keyring)
    _inductions(db)
    db.commit()
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 403
    assert TITLE in page.text
    assert "Your account is not linked to a staff record" in page.text
    assert "Ask whoever manages training" in page.text
    # Nothing to take until it is linked: the courses are named, not linked to.
    assert _links(page.text) == []


def test_the_api_answers_with_the_projects_error_body_and_what_to_complete(
    client: TestClient,
    db: Session,
    keyring: FileKeyring,
    api_token: Callable[[Role], tuple[str, auth.User]],
) -> None:
    secret, user = api_token(Role.CASEWORKER)
    make_staff(db, user_id=user.id, start_date=clock.today())
    case = _case_for(db, keyring, user)
    _inductions(db)
    db.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    document_id = case.documents[0].id
    for url in (
        f"/api/v1/cases/{case.id}",
        "/api/v1/cases",
        "/api/v1/search?q=Gated",
        f"/api/v1/documents/{document_id}",
        f"/api/v1/documents/{document_id}/content",
        f"/api/v1/people/{case.parties[0].person_id}",
    ):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 403, url
        body = answer.json()
        assert body["detail"].startswith("Complete your induction before you can see case"), url
        assert body["induction"] == {
            "unlinked": False,
            "courses": [
                {
                    "code": "DP-INDUCTION",
                    "title": "Data protection induction",
                    "url": "/training/modules/data-protection-induction",
                },
                {"code": "IND-DAY", "title": "Induction day", "url": "/training"},
            ],
            "training_url": "/training",
        }, url


def test_search_and_downloads_are_refused_not_answered_empty(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.MANAGER)
    make_staff(db, user_id=user.id, start_date=clock.today())
    case = _case_for(db, keyring, user)
    _inductions(db)
    db.commit()
    csrf = csrf_from(client)
    searched = client.post("/search", data={"q": "Gated", "csrf_token": csrf})
    assert searched.status_code == 403 and TITLE in searched.text
    assert "Gated note" not in searched.text
    download = client.get(f"/documents/{case.documents[0].id}/download")
    assert download.status_code == 403 and TITLE in download.text
    assert "Gated note" not in download.text
    glass = client.post(
        f"/cases/{case.id}/break-glass",
        data={"reason": "Urgent call from the school about the child", "csrf_token": csrf},
    )
    assert glass.status_code == 403 and TITLE in glass.text


def test_the_home_page_says_the_same_and_still_works(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    for role in (Role.CASEWORKER, Role.MANAGER, Role.IG_OFFICER, Role.DPO):
        client, user = signed_in(role)
        user.team = "north"
        make_staff(db, user_id=user.id, start_date=clock.today())
        _case_for(db, keyring, user)
        db.commit()
        assert 'data-testid="gate-banner"' not in client.get("/").text
    _inductions(db)
    db.commit()
    for role in (Role.CASEWORKER, Role.MANAGER, Role.IG_OFFICER, Role.DPO):
        client, user = signed_in(role)
        make_staff(db, user_id=user.id, start_date=clock.today())
        db.commit()
        home = client.get("/")
        assert home.status_code == 200, role
        banner = home.text.split('data-testid="gate-banner"', 1)[1].split("</section>", 1)[0]
        assert TITLE in banner, role
        assert "/training/modules/data-protection-induction" in banner, role
        assert 'data-testid="panel-my-cases"' not in home.text, role
    # A role that reads no cases has nothing to be shut out of: no banner.
    admin, _ = signed_in(Role.ADMIN)
    assert 'data-testid="gate-banner"' not in admin.get("/").text


def _tags_of(db: Session, user_id: int) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.seq)
        )
    )


def test_the_refusal_is_on_record_under_the_gates_own_tag_without_personal_data(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    make_staff(db, user_id=user.id, start_date=clock.today())
    case = _case_for(db, keyring, user)
    _inductions(db)
    db.commit()
    for _ in range(4):
        assert client.get(f"/cases/{case.id}").status_code == 403
    gated = [e for e in _tags_of(db, user.id) if e.tag == "training:gate:closed"]
    assert len(gated) == 4
    assert json.loads(gated[0].details) == {
        "route": "page:case_page",
        "method": "get",
        "case_id": str(case.id),
        "outstanding_courses": 2,
        "unlinked": False,
    }
    assert not [e for e in _tags_of(db, user.id) if e.tag == EventTag.ACCESS_REFUSED.value]
    # A new starter clicking their cases before induction is not someone testing their reach.
    since = clock.now().replace(year=clock.now().year - 1)
    assert user.id not in {u for u, _ in audit.refusals_by_user(db, since=since)}
