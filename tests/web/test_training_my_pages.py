"""My training, the module pages and the API: a member of staff sees what they must do and
takes a module; a quiz below the pass mark completes nothing and names the wrong questions
(not the answers); a pass completes once and gives a certificate."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.permissions import Role
from steward.training import module_files
from steward.training.models import Attempt, Completion
from steward.training.policy import RequirementKind
from steward.training.service import elearning
from tests.factories.training import make_requirement, make_staff
from tests.training.elearning_helpers import INDUCTION, answers, synced
from tests.web.conftest import SignedIn, csrf_from

MODULE = module_files.shipped()[INDUCTION]
ApiToken = Callable[[Role], tuple[str, auth.User]]
ATTEMPT_FORM = re.compile(r'action="/training/attempts/(\d+)"')


def _staff(db: Session, user: auth.User, **kwargs: object) -> None:
    make_staff(db, user_id=user.id, name="Priya Natarajan", **kwargs)  # type: ignore[arg-type]
    db.commit()


def _form(client: TestClient, answered: dict[str, int | None]) -> tuple[int, dict[str, str]]:
    page = client.get(f"/training/modules/{INDUCTION}")
    assert page.status_code == 200, page.text
    match = ATTEMPT_FORM.search(page.text)
    assert match, "no quiz form"
    data = {k: str(v) for k, v in answered.items() if v is not None}
    data["csrf_token"] = csrf_from(client, "/training")
    return int(match.group(1)), data


def test_my_training_shows_what_i_must_do_by_when_with_a_link_to_the_module(
    signed_in: SignedIn, db: Session
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    synced(db)
    course = elearning.course_of(db, INDUCTION)
    assert course is not None
    make_requirement(db, course, kind=RequirementKind.INDUCTION, starts_on=date(2000, 1, 1))
    _staff(db, user, start_date=date(2020, 1, 6))
    page = client.get("/training")
    assert page.status_code == 200
    assert "Priya Natarajan" in page.text
    assert 'data-code="DP-INDUCTION" data-status="never_done"' in page.text
    assert "Not done, overdue" in page.text and "Was due by" in page.text
    assert f'href="/training/modules/{INDUCTION}"' in page.text
    assert "What each status means" in page.text
    assert "No completed courses" in page.text
    # The menu offers it to staff.
    assert (
        '<a class="govuk-service-navigation__link" href="/training" aria-current="page">My training</a>'
        in page.text
    )


def test_an_account_with_no_staff_record_is_told_why(signed_in: SignedIn, db: Session) -> None:
    client, _ = signed_in(Role.ADMIN)
    synced(db)
    db.commit()
    page = client.get("/training")
    assert page.status_code == 200 and escape(elearning.NOT_LINKED) in page.text
    module = client.get(f"/training/modules/{INDUCTION}")
    assert module.status_code == 200
    assert escape(elearning.NOT_LINKED) in module.text and "Send my answers" not in module.text
    assert db.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_quiz_below_the_pass_mark_completes_nothing_and_names_the_wrong_questions(
    signed_in: SignedIn, db: Session
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    synced(db)
    _staff(db, user)
    attempt_id, data = _form(client, answers(MODULE, wrong=2))
    sent = client.post(f"/training/attempts/{attempt_id}", data=data)
    assert (
        sent.status_code == 303 and sent.headers["location"] == f"/training/attempts/{attempt_id}"
    )
    result = client.get(sent.headers["location"])
    assert result.status_code == 200
    assert "You did not pass this time" in result.text and "75%" in result.text
    wrong = re.findall(r'data-question="(q\d+)"', result.text)
    assert wrong == ["q1", "q2"]
    # Where to read again, never the answer.
    assert "Read again: Special category data" in result.text
    assert MODULE.questions[0].options[MODULE.questions[0].correct_index].text not in result.text
    assert db.scalar(select(func.count()).select_from(Completion)) == 0
    # Trying again opens a new attempt.
    again, _ = _form(client, answers(MODULE))
    assert again != attempt_id


def test_an_unanswered_question_comes_back_with_the_answers_kept(
    signed_in: SignedIn, db: Session
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    synced(db)
    _staff(db, user)
    given = answers(MODULE) | {"q4": None}
    attempt_id, data = _form(client, given)
    refused = client.post(f"/training/attempts/{attempt_id}", data=data)
    assert refused.status_code == 422
    assert "<title>Error: " in refused.text
    assert '<a href="#q4">Choose an answer to question 4</a>' in refused.text
    assert 'id="q4-error"' in refused.text
    first = MODULE.questions[0]
    assert re.search(
        rf'id="q1(-\d)?" name="q1" type="radio" value="{first.correct_index}" checked', refused.text
    )
    assert f'action="/training/attempts/{attempt_id}"' in refused.text


def test_a_pass_completes_once_and_gives_a_certificate(signed_in: SignedIn, db: Session) -> None:
    client, user = signed_in(Role.CASEWORKER)
    synced(db)
    _staff(db, user)
    attempt_id, data = _form(client, answers(MODULE))
    result = client.get(
        client.post(f"/training/attempts/{attempt_id}", data=data).headers["location"]
    )
    assert "You passed" in result.text and "100%" in result.text
    href = re.search(r'href="(/training/completions/\d+/certificate)"', result.text)
    assert href
    pdf = client.get(href.group(1))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    # The same answers sent again: refused, still one completion.
    again = client.post(f"/training/attempts/{attempt_id}", data=data)
    assert again.status_code == 409 and "already been sent" in again.text
    assert db.scalar(select(func.count()).select_from(Completion)) == 1
    mine = client.get("/training")
    assert 'data-testid="completion" data-code="DP-INDUCTION"' in mine.text
    assert "Built-in e-learning module, assessed in Steward" in mine.text


def test_someone_elses_attempt_and_certificate_answer_as_missing(
    signed_in: SignedIn, db: Session
) -> None:
    owner, owner_user = signed_in(Role.CASEWORKER)
    synced(db)
    _staff(db, owner_user)
    attempt_id, data = _form(owner, answers(MODULE))
    owner.post(f"/training/attempts/{attempt_id}", data=data)
    completion_id = db.scalar(select(Completion.id))
    other, other_user = signed_in(Role.CASEWORKER)
    _staff(db, other_user)
    data["csrf_token"] = csrf_from(other, "/training")
    assert other.get(f"/training/attempts/{attempt_id}").status_code == 404
    assert other.post(f"/training/attempts/{attempt_id}", data=data).status_code == 404
    assert other.get(f"/training/completions/{completion_id}/certificate").status_code == 404
    assert other.get("/training/completions/987654/certificate").status_code == 404


def test_the_catalogue_is_brought_up_to_date_from_the_modules_page(
    signed_in: SignedIn, db: Session
) -> None:
    client, _ = signed_in(Role.DPO)
    page = client.get("/training/modules")
    assert page.status_code == 200 and "Not yet" in page.text
    done = client.post(
        "/training/modules/sync", data={"csrf_token": csrf_from(client, "/training/modules")}
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "The training catalogue is up to date" in page.text
    assert "DP-INDUCTION, version 1" in page.text
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert "Bring the catalogue up to date" not in caseworker.get("/training/modules").text


def test_the_api_takes_a_module_and_reads_my_training(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    token, user = api_token(Role.CASEWORKER)
    synced(db)
    _staff(db, user)
    headers = {"Authorization": f"Bearer {token}"}
    started = client.post(
        f"/api/v1/training/modules/{INDUCTION}/attempts", json={}, headers=headers
    )
    assert started.status_code == 201, started.text
    body = started.json()
    assert [q["id"] for q in body["questions"]] == [q.id for q in MODULE.questions]
    assert "correct" not in started.text
    url = body["answers_url"]
    missing = client.post(url, json={"answers": {"q1": 0}}, headers=headers)
    assert missing.status_code == 422 and "q2" in missing.json()["errors"]
    failed = client.post(url, json={"answers": answers(MODULE, wrong=3)}, headers=headers)
    assert failed.status_code == 200
    assert failed.json() | {"submitted_at": None} == {
        "attempt_id": body["attempt_id"],
        "course_code": "DP-INDUCTION",
        "version": 1,
        "submitted_at": None,
        "score": 62,
        "pass_mark": 80,
        "passed": False,
        "asked": 8,
        "correct": 5,
        "wrong": [
            {"id": q.id, "number": q.number, "text": q.text, "read_again": q.read_again.title}
            for q in MODULE.questions[:3]
            if q.read_again is not None
        ],
        "completion_id": None,
        "certificate_url": None,
    }
    second = client.post(
        f"/api/v1/training/modules/{INDUCTION}/attempts", json={}, headers=headers
    ).json()
    passed = client.post(second["answers_url"], json={"answers": answers(MODULE)}, headers=headers)
    assert passed.json()["passed"] is True
    certificate = client.get(passed.json()["certificate_url"], headers=headers)
    assert certificate.status_code == 200 and certificate.content[:4] == b"%PDF"
    me = client.get("/api/v1/training/me", headers=headers).json()
    assert me["linked"] is True and me["name"] == "Priya Natarajan"
    assert [(c["course_code"], c["score"], c["source"]) for c in me["items"]] == [
        ("DP-INDUCTION", 100, "e_learning")
    ]
    assert (
        client.get(f"/api/v1/training/attempts/{body['attempt_id']}", headers=headers).json()[
            "score"
        ]
        == 62
    )


def test_the_api_tells_an_account_with_no_staff_record_why(
    client: TestClient, api_token: ApiToken, db: Session
) -> None:
    token, _ = api_token(Role.IG_OFFICER)
    synced(db)
    db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/training/me", headers=headers).json()
    assert me["linked"] is False and me["message"] == elearning.NOT_LINKED
    refused = client.post(
        f"/api/v1/training/modules/{INDUCTION}/attempts", json={}, headers=headers
    )
    assert refused.status_code == 409 and refused.json()["detail"] == elearning.NOT_LINKED


def test_the_menu_offers_my_training_to_staff_not_to_partner_organisations(
    signed_in: SignedIn,
) -> None:
    for role in Role:
        client, _ = signed_in(role)
        shown = 'href="/training"' in client.get("/").text
        assert shown is (role is not Role.PARTNER), role


def test_answers_that_are_not_options_are_refused_and_nothing_is_kept(
    signed_in: SignedIn, db: Session
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    synced(db)
    _staff(db, user)
    attempt_id, data = _form(client, answers(MODULE))
    for hostile in ("\u00b2", "-1", "99", "<b>", "1e3"):
        refused = client.post(f"/training/attempts/{attempt_id}", data=data | {"q2": hostile})
        assert refused.status_code == 422, hostile
        assert "Choose an answer to question 2" in refused.text
    assert db.scalar(select(func.count()).select_from(Completion)) == 0
    assert db.scalar(select(Attempt.submitted_at).where(Attempt.id == attempt_id)) is None
