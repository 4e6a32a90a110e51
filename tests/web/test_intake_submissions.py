"""The partner's screens and the API for submissions: a partner sees its own only (another
partner's answers 404), staff who review intake see all, other staff none; the feedback page,
its reports and the list."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import auth, jobs
from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.intake.events import IntakeEvent
from steward.intake.models import Partner, Submission
from steward.intake.policy import MESSAGES, Code, SubmissionStatus
from steward.intake.service import partners, processing, submissions
from steward.web.jobs_pages import describe
from tests.factories.intake import make_agreement, make_partner, make_row, make_submission
from tests.intake.pipeline import NHS_A, NHS_BAD, child, count, csv_file, setting
from tests.web.conftest import SignedIn, csrf_from

VALUES = {"case_number": "ZZ/26/000777", "first_name": "Ottoline", "last_name": "Vexworth"}

ApiToken = Callable[[Role], tuple[str, auth.User]]


def _partner_with_submission(
    db: Session, keyring: FileKeyring, name: str
) -> tuple[Partner, Submission]:
    partner = make_partner(db, name=name)
    submission = make_submission(db, keyring, partner, make_agreement(db, partner))
    make_row(db, keyring, submission, VALUES)
    make_row(db, keyring, submission, VALUES, issues=[("nhs_number", Code.NHS_CHECKSUM)])
    make_row(db, keyring, submission, VALUES, issues=[(None, Code.ROW_DUPLICATE)])
    return partner, submission


@pytest.fixture
def two_partners(
    db: Session, keyring: FileKeyring
) -> tuple[tuple[Partner, Submission], tuple[Partner, Submission]]:
    return (
        _partner_with_submission(db, keyring, "Barsetshire County Council"),
        _partner_with_submission(db, keyring, "Felpersham Police"),
    )


def _link(db: Session, user: auth.User, partner: Partner) -> None:
    partners.link_user(db, Actor.system(), partner_id=partner.id, user_id=user.id)
    db.commit()


def test_a_partner_reads_its_own_feedback_and_gets_404_for_anothers(
    signed_in: SignedIn, db: Session, two_partners: tuple[tuple[Partner, Submission], ...]
) -> None:
    (mine, own), (_, theirs) = two_partners
    client, user = signed_in(Role.PARTNER)
    _link(db, user, mine)
    page = client.get(f"/intake/submissions/{own.id}")
    assert page.status_code == 200
    assert "Barsetshire County Council" in page.text
    assert 'data-code="nhs.checksum"' in page.text and "NHS number" in page.text
    assert 'data-testid="issue" data-row="3"' in page.text
    assert not any(value in page.text for value in VALUES.values())
    for path in ("", "/report.csv", "/report.pdf", "/progress"):
        assert client.get(f"/intake/submissions/{theirs.id}{path}").status_code == 404
        assert client.get(f"/intake/submissions/{theirs.id + 999}{path}").status_code == 404
    listed = client.get("/intake/submissions")
    assert listed.status_code == 200
    assert "Your submissions" in listed.text
    assert f'data-id="{own.id}"' in listed.text and f'data-id="{theirs.id}"' not in listed.text
    # Its menu: sending data and its submissions, nothing of staff's.
    assert 'href="/intake/send"' in listed.text
    assert ">Partner data</a>" not in listed.text  # the IG team's menu item


def test_the_code_filter_and_the_reports(
    signed_in: SignedIn, db: Session, two_partners: tuple[tuple[Partner, Submission], ...]
) -> None:
    (mine, own), _ = two_partners
    client, user = signed_in(Role.PARTNER)
    _link(db, user, mine)
    filtered = client.get(f"/intake/submissions/{own.id}?code=row.duplicate")
    assert filtered.status_code == 200
    assert filtered.text.count('data-testid="issue"') == 1
    assert 'data-row="4" data-code="row.duplicate"' in filtered.text
    wrong = client.get(f"/intake/submissions/{own.id}?code=nonsense")
    assert wrong.status_code == 422 and "<title>Error: " in wrong.text
    report = client.get(f"/intake/submissions/{own.id}/report.csv")
    assert report.status_code == 200
    assert report.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "field", "code", "message"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("3", "nhs_number", "nhs.checksum"),
        ("4", "", "row.duplicate"),
    ]
    pdf = client.get(f"/intake/submissions/{own.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_reviewers_see_every_partner_and_filter_by_one(
    signed_in: SignedIn, db: Session, two_partners: tuple[tuple[Partner, Submission], ...]
) -> None:
    (mine, own), (other, theirs) = two_partners
    client, _ = signed_in(Role.IG_OFFICER)
    listed = client.get("/intake/submissions")
    assert listed.status_code == 200 and ">Partner data</a>" in listed.text
    assert f'data-id="{own.id}"' in listed.text and f'data-id="{theirs.id}"' in listed.text
    only = client.get(f"/intake/submissions?partner={other.id}")
    assert f'data-id="{own.id}"' not in only.text and f'data-id="{theirs.id}"' in only.text
    assert client.get("/intake/submissions?partner=x1").status_code == 422
    assert client.get(f"/intake/submissions/{own.id}").status_code == 200
    send = client.get("/intake/send")
    assert send.status_code == 200
    assert 'id="partner"' in send.text and mine.name in send.text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.ADMIN, Role.AUDITOR])
def test_other_staff_are_refused(
    role: Role,
    signed_in: SignedIn,
    two_partners: tuple[tuple[Partner, Submission], ...],
) -> None:
    (_, own), _ = two_partners
    client, _ = signed_in(role)
    for path in (
        "/intake/send",
        "/intake/submissions",
        f"/intake/submissions/{own.id}",
        f"/intake/submissions/{own.id}/report.csv",
    ):
        assert client.get(path).status_code == 403, path
    home = client.get("/").text
    # An auditor reads partner data quality (assurance), never what partners sent.
    assert "/intake/send" not in home and "/intake/submissions" not in home
    sent = _send(client, b"case_number\nZZ1\n", dataset="court_orders")
    assert sent.status_code == 403


def test_the_send_page_says_what_a_partner_lacks(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.PARTNER)
    unlinked = client.get("/intake/send")
    assert unlinked.status_code == 200 and 'data-testid="not-linked"' in unlinked.text
    assert 'data-testid="not-linked"' in client.get("/intake/submissions").text
    partner = make_partner(db)
    _link(db, user, partner)
    none = client.get("/intake/send")
    assert 'data-testid="no-agreement"' in none.text and "send-form" not in none.text
    make_agreement(db, partner, dataset_names=["court_orders"])
    db.commit()
    offered = client.get("/intake/send")
    assert 'data-testid="send-form"' in offered.text
    assert 'value="court_orders"' in offered.text and 'value="party_details"' not in offered.text
    # The template of the data set offered, to build the file from.
    assert 'href="/intake/datasets/court_orders/template.csv"' in offered.text
    assert "/intake/datasets/party_details/template.csv" not in offered.text


def test_a_submission_being_checked_shows_its_progress(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    partner = make_partner(db)
    submission = make_submission(
        db, keyring, partner, make_agreement(db, partner), status=SubmissionStatus.VALIDATING
    )
    for _ in range(3):
        make_row(db, keyring, submission, VALUES)
    submission.rows = 12
    db.commit()
    client, user = signed_in(Role.PARTNER)
    _link(db, user, partner)
    page = client.get(f"/intake/submissions/{submission.id}")
    assert f'data-job-progress="/intake/submissions/{submission.id}/progress"' in page.text
    assert "3 of 12 rows checked" in page.text
    assert client.get(f"/intake/submissions/{submission.id}/progress").json() == {
        "status": "validating",
        "done": 3,
        "total": 12,
        "percent": 25,
        "finished": False,
    }


def test_the_api_lists_reads_and_downloads_within_scope(
    client: TestClient,
    api_token: ApiToken,
    db: Session,
    two_partners: tuple[tuple[Partner, Submission], ...],
) -> None:
    (mine, own), (other, theirs) = two_partners
    secret, user = api_token(Role.PARTNER)
    _link(db, user, mine)
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/intake/submissions", headers=headers).json()
    assert listed["total"] == 1 and listed["next_page"] is None
    assert listed["items"][0]["submission_id"] == own.id
    assert listed["items"][0]["partner"] == "Barsetshire County Council"
    one = client.get(f"/api/v1/intake/submissions/{own.id}", headers=headers)
    assert one.status_code == 200
    body = one.json()
    assert (body["rows"], body["accepted"], body["rejected"]) == (3, 1, 2)
    assert body["issues"][0] == {
        "row": 3,
        "field": "nhs_number",
        "code": "nhs.checksum",
        "message": body["issues"][0]["message"],
    }
    for path in ("", "/report.csv", "/report.pdf"):
        assert (
            client.get(f"/api/v1/intake/submissions/{theirs.id}{path}", headers=headers).status_code
            == 404
        )
    assert (
        client.get(f"/api/v1/intake/submissions/{own.id}/report.csv", headers=headers).status_code
        == 200
    )
    reviewer, _ = api_token(Role.DPO)
    staff = {"Authorization": f"Bearer {reviewer}"}
    every = client.get("/api/v1/intake/submissions", headers=staff).json()
    assert {own.id, theirs.id} <= {s["submission_id"] for s in every["items"]}
    by_code = client.get(f"/api/v1/intake/submissions?partner={other.code}", headers=staff).json()
    assert [s["submission_id"] for s in by_code["items"]] == [theirs.id]
    caseworker, _ = api_token(Role.CASEWORKER)
    refused = client.get(
        f"/api/v1/intake/submissions/{own.id}", headers={"Authorization": f"Bearer {caseworker}"}
    )
    assert refused.status_code == 403


# --- sending a file ----------------------------------------------------------------------


def _send(
    client: TestClient, data: bytes, *, dataset: str = "party_details", **extra: str
) -> Response:
    return client.post(
        "/intake/send",
        data={"dataset": dataset, "csrf_token": csrf_from(client, "/intake/send"), **extra},
        files={"file": ("parties.csv", data, "text/csv")},
    )


def test_a_partner_sends_a_mixed_file_and_lands_on_its_feedback(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    client, user = signed_in(Role.PARTNER)
    _link(db, user, s.partner)
    data = csv_file(
        "party_details",
        [
            child(s.case, "Ava", "Zielinska", nhs_number=NHS_A),
            child(s.case, "Ben", "Okafor", date_of_birth="2016-07-01", nhs_number=NHS_BAD),
            child(s.other_case, "Dan", "Moss", date_of_birth="2012-11-30", postcode="nowhere"),
        ],
    )
    sent = _send(client, data)
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert location.startswith("/intake/submissions/") and location.endswith("?sent=1")
    page = client.get(location)
    assert page.status_code == 200
    assert 'data-testid="sent"' in page.text
    assert 'data-row="3" data-code="nhs.checksum"' in page.text
    assert 'data-row="4" data-code="postcode.format"' in page.text
    assert not any(v in page.text for v in ("Zielinska", "Okafor", NHS_BAD, "nowhere"))
    submission_id = int(location.split("/")[-1].split("?")[0])
    submission = db.get(Submission, submission_id)
    assert submission is not None
    assert (submission.rows, submission.accepted, submission.rejected) == (3, 1, 2)
    assert submission.submitted_by_user_id == user.id


def test_a_refused_file_shows_its_message_and_code_and_stores_nothing(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    client, user = signed_in(Role.PARTNER)
    _link(db, user, s.partner)
    before = count(db, Submission)
    refused = _send(client, b"surname,forename\nZielinska,Ava\n")
    assert refused.status_code == 422
    assert "<title>Error: " in refused.text
    assert "The file was refused: nothing in it was recorded." in refused.text
    shown = html.unescape(refused.text)
    assert "The columns do not match the data set" in shown and "(code file.header)" in shown
    assert 'href="#file"' in refused.text and 'id="file-error"' in refused.text
    assert "Zielinska" not in refused.text
    db.expire_all()
    assert count(db, Submission) == before
    # The refusal is on record, its code and no more.
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.tag == IntakeEvent.SUBMISSION_REFUSED)
    ).one()
    assert '"file.header"' in event.details and "Zielinska" not in event.details
    # A data set the agreement does not cover is refused with its own code.
    partner = make_partner(db)
    make_agreement(db, partner, dataset_names=["court_orders"])
    other_client, other_user = signed_in(Role.PARTNER)
    _link(db, other_user, partner)
    uncovered = _send(other_client, csv_file("party_details", [child(s.case)]))
    assert uncovered.status_code == 422 and "agreement.dataset" in uncovered.text
    # No file, no data set: the form's own errors.
    empty = client.post(
        "/intake/send",
        data={"csrf_token": csrf_from(client, "/intake/send")},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert empty.status_code == 422
    assert 'href="#dataset"' in empty.text and 'href="#file"' in empty.text
    db.expire_all()
    assert count(db, Submission) == before


def test_staff_send_on_a_partners_behalf(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    s = setting(db, keyring)
    db.commit()
    client, officer = signed_in(Role.IG_OFFICER)
    unnamed = _send(client, csv_file("party_details", [child(s.case)]))
    assert unnamed.status_code == 422 and 'href="#partner"' in unnamed.text
    sent = _send(client, csv_file("party_details", [child(s.case)]), partner=str(s.partner.id))
    assert sent.status_code == 303, sent.text
    submission_id = int(sent.headers["location"].split("/")[-1].split("?")[0])
    submission = db.get(Submission, submission_id)
    assert submission is not None
    assert (submission.partner_id, submission.submitted_by_user_id) == (s.partner.id, officer.id)


def test_the_api_sends_a_file_and_answers_201_202_or_422(
    client: TestClient,
    api_token: ApiToken,
    db: Session,
    keyring: FileKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = setting(db, keyring)
    secret, user = api_token(Role.PARTNER)
    _link(db, user, s.partner)
    headers = {"Authorization": f"Bearer {secret}"}

    def post(data: bytes, dataset: str = "party_details", **extra: str) -> Response:
        return client.post(
            "/api/v1/intake/submissions",
            data={"dataset": dataset, **extra},
            files={"file": ("rows.csv", data, "text/csv")},
            headers=headers,
        )

    made = post(
        csv_file("party_details", [child(s.case), child(s.case, "Ben", nhs_number=NHS_BAD)])
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["status"], body["rows"], body["accepted"], body["rejected"]) == (
        "complete",
        2,
        1,
        1,
    )
    assert body["issues"] == [
        {
            "row": 3,
            "field": "nhs_number",
            "code": "nhs.checksum",
            "message": MESSAGES[Code.NHS_CHECKSUM],
        }
    ]
    refused = post(b"nonsense,columns\n1,2\n")
    assert refused.status_code == 422
    assert refused.json()["code"] == "file.header" and refused.json()["status"] == "refused"
    # Another partner's code is no partner at all to this account.
    other = make_partner(db)
    db.commit()
    assert post(csv_file("party_details", [child(s.case)]), partner=other.code).status_code == 404
    # A large file: checked in the background, polled at Location.
    real = submissions.submit
    monkeypatch.setattr(
        submissions, "submit", lambda *a, **kw: real(*a, **{**kw, "inline_rows": 2})
    )
    orders = [
        {
            "case_number": s.case.case_number,
            "order_type": "care",
            "order_date": f"2024-01-{1 + i:02d}",
            "court": f"Family Court at Leeds, court {i}",
        }
        for i in range(4)
    ]
    queued = post(csv_file("court_orders", orders), dataset="court_orders")
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] == "received"
    polled = client.get(queued.headers["location"], headers=headers)
    assert polled.status_code == 200 and polled.json()["status"] == "complete"
    assert polled.json()["accepted"] == 4


def test_the_job_page_of_a_partners_file_leads_back_to_its_submission(db: Session) -> None:
    job = jobs.Job(kind=processing.JOB_KIND, subject_id=7)
    described = describe(db, job)
    assert described["title"] == "Checking a partner's file"
    assert described["back"] == "/intake/submissions/7" and described["noun"] == "rows"
