"""The public subject access request form: a requester with no account from the start page to
a reference; every bad answer gets a GOV.UK message and stores nothing; answers never travel
in URLs or readable cookies; a flood gets 429; the public reach nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.audit import AuditEvent
from steward.core.crypto import DataKey, FileKeyring
from steward.core.permissions import Role
from steward.sar import service
from steward.sar.models import (
    SarDocument,
    SarDraft,
    SarDraftFile,
    SarPublicHit,
    SubjectAccessRequest,
)
from steward.web.sar import public
from tests.factories.core import make_user
from tests.web.conftest import CSRF_INPUT, SignedIn

BASE = "/request-your-data"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def spring_2026() -> Iterator[None]:
    with clock.frozen(datetime(2026, 3, 20, 12, tzinfo=UTC)):
        yield


def _csrf(client: TestClient, path: str = BASE) -> str:
    match = CSRF_INPUT.search(client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


class Requester:
    """A browser filling in the form, page by page, as a person would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = _csrf(client)

    def start(self) -> None:
        response = self.client.post(f"{BASE}/start", data={"csrf_token": self.token})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{BASE}/who"

    def answer(
        self, slug: str, files: dict[str, tuple[str, bytes, str]] | None = None, **fields: str
    ):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"{BASE}/{slug}", data={"csrf_token": self.token, **fields}, files=files
        )

    def complete(self, who: str = "data_subject", name: str = "Kayleigh Marsden") -> None:
        self.start()
        assert self.answer("who", requester_type=who).status_code == 303
        assert (
            self.answer("name", full_name=name, previous_names="Kayleigh Smith").status_code == 303
        )
        born = {"date_of_birth-day": "1", "date_of_birth-month": "4", "date_of_birth-year": "1990"}
        assert self.answer("date-of-birth", **born).status_code == 303
        assert self.answer("address", address="1 High Street\nLeeds\nLS1 1AA").status_code == 303
        assert self.answer("contact", email="k@example.com").status_code == 303
        if who in ("parent", "representative"):
            about = {
                "subject_name": "Jade Marsden",
                "subject_date_of_birth-day": "3",
                "subject_date_of_birth-month": "5",
                "subject_date_of_birth-year": "2015",
            }
            assert self.answer("about", **about).status_code == 303
        assert (
            self.answer("what", description="Everything about my time in care").status_code == 303
        )
        assert (
            self.answer(
                "proof-of-identity", files={"id_file": ("passport.pdf", PDF, "application/pdf")}
            ).status_code
            == 303
        )
        if who in ("parent", "representative"):
            response = self.answer(
                "proof-of-authority",
                files={"authority_file": ("order.png", PNG, "image/png")},
            )
            assert response.status_code == 303, response.text

    def send(self):  # type: ignore[no-untyped-def]
        return self.client.post(f"{BASE}/check", data={"csrf_token": self.token})


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_requester_goes_from_start_to_a_reference(
    client: TestClient, db: Session, keyring: FileKeyring
) -> None:
    requester = Requester(client)
    requester.complete(who="parent")
    check = client.get(f"{BASE}/check")
    assert check.status_code == 200
    assert "Jade Marsden" in check.text and "order.png" in check.text
    assert f'href="{BASE}/name?change=1"' in check.text
    sent = requester.send()
    assert sent.status_code == 303 and sent.headers["location"] == f"{BASE}/done"
    done = client.get(f"{BASE}/done")
    reference = re.search(r'data-testid="reference">([A-Z0-9-]+)<', done.text)
    assert reference and reference.group(1) == "SAR-2026-00001"
    db.expire_all()
    request = db.scalar(select(SubjectAccessRequest))
    assert request is not None
    assert request.channel == "online" and request.status == "awaiting_id"
    assert request.requester_type == "parent" and request.handler_user_id is None
    kinds = sorted(db.scalars(select(SarDocument.kind).where(SarDocument.request_id == request.id)))
    assert kinds == ["authority", "id"]
    # Received by the public actor; the documents too; nothing personal in the trail.
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.tag.like("sar:%"))))
    assert {e.actor_kind for e in events} == {"public"}
    assert all(e.actor_id is None for e in events)
    assert "Marsden" not in str([e.details for e in events])
    # The draft is shredded: no answers, no files, its key destroyed; only the reference.
    draft = db.scalar(select(SarDraft))
    assert (
        draft is not None and draft.answers_sealed is None and draft.reference == reference.group(1)
    )
    assert _count(db, SarDraftFile) == 0
    key = db.get(DataKey, draft.data_key_id)
    assert key is not None and key.wrapped_key is None


def _nothing_stored(db: Session) -> None:
    db.expire_all()
    assert _count(db, SubjectAccessRequest) == 0
    assert _count(db, SarDocument) == 0


@pytest.mark.parametrize(
    ("slug", "fields", "field", "message"),
    [
        ("who", {}, "requester_type", "Select who the request is for"),
        ("who", {"requester_type": "king"}, "requester_type", "Select who the request is for"),
        ("name", {"full_name": ""}, "full_name", "Enter your full name"),
        (
            "name",
            {"full_name": "=cmd|' /C calc'!A0"},
            "full_name",
            "Your full name must start with a letter",
        ),
        (
            "name",
            {"full_name": "A" * 201},
            "full_name",
            "Your full name must be 200 characters or fewer",
        ),
        (
            "date-of-birth",
            {"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "1990"},
            "date_of_birth",
            "Your date of birth must be a real date",
        ),
        (
            "date-of-birth",
            {"date_of_birth-day": "1", "date_of_birth-month": "", "date_of_birth-year": "1990"},
            "date_of_birth",
            "Your date of birth must include a month",
        ),
        (
            "date-of-birth",
            {"date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "2030"},
            "date_of_birth",
            "Your date of birth must be in the past",
        ),
        ("date-of-birth", {}, "date_of_birth", "Enter your date of birth"),
        ("address", {"address": "  "}, "address", "Enter your address"),
        ("contact", {}, "email", "Enter an email address or a telephone number"),
        (
            "contact",
            {"email": "not-an-email"},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ("contact", {"phone": "call me<script>"}, "phone", "Enter a telephone number"),
        ("about", {"subject_name": ""}, "subject_name", "Enter their full name"),
        ("what", {"description": ""}, "description", "Tell us what information you want"),
    ],
)
def test_a_bad_answer_gets_a_govuk_message_and_changes_nothing(
    client: TestClient, db: Session, slug: str, fields: dict[str, str], field: str, message: str
) -> None:
    requester = Requester(client)
    requester.start()
    response = requester.answer(slug, **fields)
    assert response.status_code == 422
    assert response.text.count(message) >= 2  # in the summary and beside the field
    assert f'href="#{field}"' in response.text
    assert "<title>Error: " in response.text
    # The check page still shows the question as not answered (who it is about: only asked
    # when the request is for someone else).
    if slug != "about":
        assert f'{BASE}/{slug}?change=1">Enter' in client.get(f"{BASE}/check").text
    _nothing_stored(db)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (("id.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"), "must be a PDF, JPG or PNG"),
        (("id.pdf", b"<script>alert(1)</script>", "application/pdf"), "must be a PDF, JPG or PNG"),
        (("id.pdf", b"", "application/pdf"), "The selected file is empty"),
        (("id.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"), "smaller than 10MB"),
    ],
)
def test_a_wrong_type_or_oversized_upload_is_refused(
    client: TestClient, db: Session, file: tuple[str, bytes, str], message: str
) -> None:
    requester = Requester(client)
    requester.start()
    response = requester.answer("proof-of-identity", files={"id_file": file})
    assert response.status_code == 422
    assert message in response.text
    db.expire_all()
    assert _count(db, SarDraftFile) == 0
    _nothing_stored(db)


def test_a_file_far_too_large_is_stopped_before_it_is_read(client: TestClient, db: Session) -> None:
    requester = Requester(client)
    requester.start()
    huge = b"%PDF-" + b"0" * (11 * 1024 * 1024)
    response = requester.answer(
        "proof-of-identity", files={"id_file": ("id.pdf", huge, "application/pdf")}
    )
    assert response.status_code == 413
    assert "govuk-heading-l" in response.text
    _nothing_stored(db)


def test_authority_is_required_of_a_parent(client: TestClient, db: Session) -> None:
    requester = Requester(client)
    requester.start()
    requester.answer("who", requester_type="parent")
    response = requester.answer("proof-of-authority")
    assert response.status_code == 422
    assert "Select a file that shows you can ask for their information" in response.text
    # Sending without it goes back to the question, and stores nothing.
    assert requester.send().headers["location"].startswith(f"{BASE}/name")
    _nothing_stored(db)


def test_script_in_a_name_is_kept_as_typed_and_shown_escaped(
    client: TestClient, db: Session, keyring: FileKeyring
) -> None:
    requester = Requester(client)
    name = 'Kay <script>alert("x")</script> Marsden'
    requester.complete(name=name)
    check = client.get(f"{BASE}/check").text
    assert "<script>alert" not in check
    assert "Kay &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Marsden" in check
    assert requester.send().status_code == 303
    request = db.scalar(select(SubjectAccessRequest))
    assert request is not None
    ig = make_user(db, Role.IG_OFFICER)
    assert service.details(db, keyring, ig.actor, request.id)["requester"]["full_name"] == name


def test_answers_are_in_no_url_and_no_readable_cookie(client: TestClient, db: Session) -> None:
    requester = Requester(client)
    requester.complete()
    for cookie in client.cookies.jar:
        assert "Marsden" not in (cookie.value or "")
    draft = db.scalar(select(SarDraft))
    assert draft is not None and b"Marsden" not in (draft.answers_sealed or b"")
    # The cookie is the token's only copy: the database keeps its hash.
    token = client.cookies.get(public.DRAFT_COOKIE)
    assert token and draft.token_hash != token
    response = client.post(f"{BASE}/start", data={"csrf_token": requester.token})
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    client.get(BASE)
    assert client.post(f"{BASE}/start").status_code == 403
    assert client.post(f"{BASE}/start", data={"csrf_token": "0" * 64}).status_code == 403
    requester = Requester(client)
    requester.start()
    assert client.post(f"{BASE}/name", data={"full_name": "Kay"}).status_code == 403
    requester.complete()
    assert client.post(f"{BASE}/check").status_code == 403
    _nothing_stored(db)
    assert _count(db, SarDraft) == 2


def test_without_a_draft_the_questions_send_you_back_to_the_start(client: TestClient) -> None:
    token = _csrf(client)
    response = client.get(f"{BASE}/name")
    assert response.status_code == 303 and response.headers["location"] == f"{BASE}?expired=1"
    posted = client.post(f"{BASE}/name", data={"csrf_token": token, "full_name": "Kay"})
    assert posted.status_code == 303
    assert "were not saved" in client.get(f"{BASE}?expired=1").text


def test_a_draft_expires_after_a_day_and_is_shredded(client: TestClient, db: Session) -> None:
    requester = Requester(client)
    requester.start()
    requester.answer("name", full_name="Kayleigh Marsden")
    with clock.frozen(datetime(2026, 3, 21, 12, 1, tzinfo=UTC)):
        assert client.get(f"{BASE}/check").headers["location"] == f"{BASE}?expired=1"
        assert service.public.purge_expired(db) == 1
    assert _count(db, SarDraft) == 0


def test_a_flood_of_posts_gets_429_and_creates_nothing(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    app.state.sar_public_limits = (
        service.public.Limit(3, timedelta(minutes=10)),
        service.public.Limit(1, timedelta(hours=24)),
    )
    token = _csrf(client)
    for _ in range(3):
        assert client.post(f"{BASE}/start", data={"csrf_token": token}).status_code == 303
    flooded = client.post(f"{BASE}/start", data={"csrf_token": token})
    assert flooded.status_code == 429
    assert 0 < int(flooded.headers["Retry-After"]) <= 600
    assert "You have sent too many requests" in flooded.text
    assert "govuk-heading-l" in flooded.text
    db.expire_all()
    assert _count(db, SarDraft) == 3
    assert _count(db, SarPublicHit) == 3
    # The client is known by a keyed hash, never by its address.
    assert "testclient" not in str(list(db.scalars(select(SarPublicHit.client_hash))))


def test_a_flood_of_submissions_gets_429_and_creates_nothing(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    app.state.sar_public_limits = (
        service.public.Limit(100, timedelta(minutes=10)),
        service.public.Limit(1, timedelta(hours=24)),
    )
    first = Requester(client)
    first.complete()
    assert first.send().status_code == 303
    second = Requester(client)
    second.complete()
    refused = second.send()
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    db.expire_all()
    assert _count(db, SubjectAccessRequest) == 1
    assert _count(db, SarDocument) == 1


def test_the_public_reach_no_staff_page_or_api(client: TestClient, app: FastAPI) -> None:
    requester = Requester(client)
    requester.complete()
    assert requester.send().status_code == 303
    for path in (
        "/",
        "/sar",
        "/cases",
        "/audit",
        "/sar/requests/1/documents",
        "/sar/requests/1/documents/1/download",
    ):
        response = client.get(path)
        assert response.status_code in (303, 404), path
        if response.status_code == 303:
            assert response.headers["location"].startswith("/sign-in"), path
    assert client.get("/api/v1/me").status_code == 401
    token = _csrf(client)
    assert client.post("/sar/requests/1/documents", data={"csrf_token": token}).status_code == 303


def test_public_pages_show_no_staff_menu(client: TestClient, signed_in: SignedIn) -> None:
    page = client.get(BASE).text
    assert "Sign out" not in page and 'aria-label="Menu"' not in page
    assert 'href="/request-your-data" class="govuk-generic-header__homepage-link"' in page
    staff, _ = signed_in(Role.IG_OFFICER)
    assert "Sign out" not in staff.get(BASE).text


def test_changing_to_asking_for_yourself_drops_the_authority_and_the_childs_details(
    client: TestClient, db: Session, keyring: FileKeyring
) -> None:
    requester = Requester(client)
    requester.complete(who="parent")
    changed = requester.answer("who", requester_type="data_subject", change="1")
    assert changed.headers["location"] == f"{BASE}/check"
    check = client.get(f"{BASE}/check").text
    assert "Jade Marsden" not in check and "order.png" not in check
    assert requester.send().status_code == 303
    request = db.scalar(select(SubjectAccessRequest))
    assert request is not None and request.status == "received"
    assert list(db.scalars(select(SarDocument.kind))) == ["id"]
    ig = make_user(db, Role.IG_OFFICER)
    assert service.details(db, keyring, ig.actor, request.id)["subject"] is None


def test_changing_to_asking_for_a_child_asks_who_they_are(client: TestClient) -> None:
    requester = Requester(client)
    requester.complete()
    changed = requester.answer("who", requester_type="parent", change="1")
    # The change opened a question not yet answered: it is asked next, not the check page.
    assert changed.headers["location"] == f"{BASE}/about"


def test_the_audit_trail_names_the_public_as_such(client: TestClient, signed_in: SignedIn) -> None:
    requester = Requester(client)
    requester.complete()
    assert requester.send().status_code == 303
    auditor, _ = signed_in(Role.AUDITOR)
    trail = auditor.get("/audit").text
    assert "A member of the public (online form)" in trail
    assert "Marsden" not in trail


def test_the_request_timeline_says_the_requester_sent_it_online(
    client: TestClient, signed_in: SignedIn, db: Session
) -> None:
    requester = Requester(client)
    requester.complete()
    assert requester.send().status_code == 303
    officer, _ = signed_in(Role.IG_OFFICER)
    request_id = db.scalars(select(SubjectAccessRequest.id)).one()
    page = officer.get(f"/sar/requests/{request_id}").text
    assert "by the requester, on the online form" in page
