"""The team pages and API: a manager sees their direct reports overdue first, sends one a
reminder (not twice the same day), records a classroom session with evidence, downloads it;
nobody else's team is theirs to act for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth, clock, outbox
from steward.core.permissions import Role
from steward.training.models import Completion, Course, Reminder, StaffMember
from steward.training.policy import Delivery
from tests.factories.training import complete, make_course, make_requirement, make_staff
from tests.web.conftest import SignedIn, csrf_from

PDF = b"%PDF-1.7\nattendance sheet\n%%EOF"


@dataclass
class Team:
    client: TestClient
    user: auth.User
    me: StaffMember
    late: StaffMember
    fine: StaffMember
    classroom: Course


def _team(signed_in: SignedIn, db: Session, role: Role = Role.MANAGER) -> Team:
    client, user = signed_in(role)
    today = clock.today()
    refresher = make_course(db, title="Data protection refresher", validity_months=12)
    make_requirement(db, refresher)
    classroom = make_course(
        db, title="Records workshop", delivery=Delivery.CLASSROOM, pass_mark=None
    )
    me = make_staff(db, name="Morgan Hale", user_id=user.id)
    complete(db, me, refresher, today - timedelta(days=10))
    fine = make_staff(db, name="Ada Fine", manager=me, email="ada@example.org")
    complete(db, fine, refresher, today - timedelta(days=10))
    late = make_staff(db, name="Zed Late", manager=me, email="zed@example.org")
    complete(db, late, refresher, today - timedelta(days=400))
    db.commit()
    return Team(client, user, me, late, fine, classroom)


def _record(client: TestClient, fields: dict[str, object], file: bytes | None = PDF) -> int:
    today = clock.today() - timedelta(days=1)
    data: dict[str, object] = {
        "csrf_token": csrf_from(client, "/training/team/record"),
        "completed_on-day": str(today.day),
        "completed_on-month": str(today.month),
        "completed_on-year": str(today.year),
        "note": "Leeds office",
    } | fields
    files = {"file": ("sheet.pdf", file, "application/pdf")} if file is not None else None
    return client.post("/training/team/record", data=data, files=files).status_code


def _completions(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Completion)) or 0


def test_the_team_page_lists_reports_overdue_first(signed_in: SignedIn, db: Session) -> None:
    team = _team(signed_in, db)

    page = team.client.get("/training/team")

    assert page.status_code == 200
    assert page.text.index("Zed Late") < page.text.index("Ada Fine")
    assert "Showing <b>1</b> to <b>2</b> of <b>2</b> people" in page.text
    assert "Overdue (1)" in page.text
    assert "Morgan Hale" not in page.text.split("<h1", 1)[1]  # their own line is not listed


def test_an_account_with_no_staff_record_is_told_why_the_team_is_empty(
    signed_in: SignedIn,
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    page = client.get("/training/team")
    assert page.status_code == 200
    assert 'data-testid="not-linked"' in page.text


def test_a_reminder_is_sent_once_a_day(signed_in: SignedIn, db: Session) -> None:
    team = _team(signed_in, db)
    csrf = csrf_from(team.client, "/training/team")

    first = team.client.post(f"/training/team/{team.late.id}/remind", data={"csrf_token": csrf})
    again = team.client.post(f"/training/team/{team.late.id}/remind", data={"csrf_token": csrf})

    assert (first.status_code, first.headers["location"]) == (303, "/training/team?done=queued")
    assert again.status_code == 409
    assert "already sent to them today" in again.text and "Error: " in again.text
    assert db.scalar(select(func.count()).select_from(Reminder)) == 1
    assert db.scalar(select(func.count()).select_from(outbox.OutboxMessage)) == 1
    # From the person's own page, back to it.
    person = team.client.post(
        f"/training/team/{team.late.id}/remind", data={"csrf_token": csrf, "back": "person"}
    )
    assert person.status_code == 409 and '<h1 class="govuk-heading-l">Zed Late</h1>' in person.text


def test_a_manager_records_a_session_with_evidence_and_downloads_it(
    signed_in: SignedIn, db: Session
) -> None:
    team = _team(signed_in, db)
    assert "Zed Late" in team.client.get("/training/team/record").text

    status = _record(
        team.client,
        {"staff": [str(team.late.id), str(team.fine.id)], "course_id": str(team.classroom.id)},
    )

    assert status == 303
    rows = db.scalars(select(Completion).where(Completion.course_id == team.classroom.id)).all()
    assert {r.staff_id for r in rows} == {team.late.id, team.fine.id}
    person = team.client.get(f"/training/team/{team.late.id}")
    assert "Records workshop" in person.text and "Recorded by a manager" in person.text
    link = (
        f"/training/completions/{next(r.id for r in rows if r.staff_id == team.late.id)}/evidence"
    )
    assert link in person.text
    download = team.client.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    # Another manager may not.
    other, other_user = signed_in(Role.MANAGER)
    make_staff(db, user_id=other_user.id)
    db.commit()
    assert other.get(link).status_code == 403
    assert other.get(f"/training/team/{team.late.id}").status_code == 403
    # A guessed id answers as someone else's report does: nothing to learn.
    assert other.get("/training/team/987654321").status_code == 403


def test_bad_evidence_or_a_future_date_changes_nothing(signed_in: SignedIn, db: Session) -> None:
    team = _team(signed_in, db)
    chosen = {"staff": [str(team.late.id)], "course_id": str(team.classroom.id)}
    tomorrow = clock.today() + timedelta(days=1)

    cases = [
        (_record(team.client, chosen, b"MZ this is a program, named sheet.pdf"), "PDF, JPG or PNG"),
        (_record(team.client, chosen, b"%PDF-" + b"0" * (10 * 1024 * 1024)), "smaller than 10MB"),
        (_record(team.client, chosen, None), "Select the evidence file"),
    ]
    future = {
        **chosen,
        "completed_on-day": str(tomorrow.day),
        "completed_on-month": str(tomorrow.month),
        "completed_on-year": str(tomorrow.year),
    }
    assert _record(team.client, future) == 422
    assert [status for status, _ in cases] == [422, 422, 422]
    page = team.client.post(
        "/training/team/record",
        data={"csrf_token": csrf_from(team.client, "/training/team/record"), **chosen},
        files={"file": ("x.pdf", b"not a pdf", "application/pdf")},
    )
    assert page.status_code == 422
    assert "Enter the date of the session" in page.text
    assert "The selected file must be a PDF, JPG or PNG" in page.text
    assert _completions(db) == 3  # the three made by _team


def test_a_manager_cannot_record_for_someone_outside_their_team(
    signed_in: SignedIn, db: Session
) -> None:
    team = _team(signed_in, db)
    stranger = make_staff(db, staff_number="S-OUT")
    db.commit()
    before = _completions(db)

    forged = _record(
        team.client, {"staff": [str(stranger.id)], "course_id": str(team.classroom.id)}
    )
    by_number = _record(
        team.client,
        {
            "staff": [str(team.late.id)],
            "staff_numbers": "S-OUT",
            "course_id": str(team.classroom.id),
        },
    )

    assert (forged, by_number) == (403, 422)
    assert _completions(db) == before


def test_a_training_administrator_records_by_staff_number(signed_in: SignedIn, db: Session) -> None:
    team = _team(signed_in, db)
    admin, _ = signed_in(Role.ADMIN)
    page = admin.get("/training/team/record")
    assert 'id="staff_numbers"' in page.text
    status = _record(
        admin,
        {
            "staff_numbers": f"{team.late.staff_number}, {team.fine.staff_number.lower()}",
            "course_id": str(team.classroom.id),
        },
    )
    assert status == 303
    assert _completions(db) == 5


def test_the_reminders_sent_page_is_for_those_who_watch_training(
    signed_in: SignedIn, db: Session
) -> None:
    team = _team(signed_in, db)
    team.client.post(
        f"/training/team/{team.late.id}/remind",
        data={"csrf_token": csrf_from(team.client, "/training/team")},
    )
    officer, _ = signed_in(Role.IG_OFFICER)
    page = officer.get("/training/reminders")
    assert page.status_code == 200
    assert "Zed Late" in page.text and "Sent by hand" in page.text
    caseworker, _ = signed_in(Role.CASEWORKER)
    assert caseworker.get("/training/reminders").status_code == 403


def test_the_api_does_what_the_pages_do(signed_in: SignedIn, db: Session) -> None:
    team = _team(signed_in, db)
    _, secret = auth.create_token(db, team.user.actor, user_id=team.user.id, name="api")
    db.commit()
    api = TestClient(team.client.app, headers={"Authorization": f"Bearer {secret}"})

    listed = api.get("/api/v1/training/team").json()
    assert [p["name"] for p in listed["items"]] == ["Zed Late", "Ada Fine"]
    assert (listed["total"], listed["overdue"]) == (2, 1)
    assert listed["items"][0]["lines"][0]["status"] == "overdue"

    nudged = api.post(f"/api/v1/training/team/{team.late.id}/reminders")
    assert (nudged.status_code, nudged.json()) == (201, {"reminders": 1, "status": "queued"})
    assert api.post(f"/api/v1/training/team/{team.late.id}/reminders").status_code == 409

    day = (clock.today() - timedelta(days=2)).isoformat()
    recorded = api.post(
        "/api/v1/training/completions",
        data={
            "staff_ids": [str(team.late.id)],
            "course_id": str(team.classroom.id),
            "completed_on": day,
        },
        files={"file": ("sheet.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")},
    )
    assert recorded.status_code == 201, recorded.text
    (completion_id,) = recorded.json()["completion_ids"]
    evidence = api.get(f"/api/v1/training/completions/{completion_id}/evidence")
    assert evidence.status_code == 200 and evidence.headers["content-type"] == "image/png"
    person = api.get(f"/api/v1/training/team/{team.late.id}").json()
    assert any(c["has_evidence"] for c in person["completions"])
    refused = api.post(
        "/api/v1/training/completions",
        data={
            "staff_ids": [str(team.late.id)],
            "course_id": str(team.classroom.id),
            "completed_on": day,
        },
        files={"file": ("sheet.pdf", b"<script>", "application/pdf")},
    )
    assert refused.status_code == 422
    other = make_staff(db)
    db.commit()
    assert api.get(f"/api/v1/training/team/{other.id}").status_code == 403
    assert api.get("/api/v1/training/reminders").json()["total"] == 1


def test_a_large_team_records_a_session_for_everyone_at_once(
    signed_in: SignedIn, db: Session
) -> None:
    team = _team(signed_in, db)
    many = [make_staff(db, manager=team.me) for _ in range(30)]
    db.commit()
    chosen = [str(s.id) for s in many]
    assert _record(team.client, {"staff": chosen, "course_id": str(team.classroom.id)}) == 303
    assert _completions(db) == 3 + 30
    odd = _record(team.client, {"staff": ["²"], "course_id": "²"})
    assert odd == 422
