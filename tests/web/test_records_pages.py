"""The case-record pages through the real app: need-to-know, break-glass, uploads, downloads,
escaping, and a read event for every read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.config import Settings
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.records import service
from steward.records.models import Document, DocumentSubject
from steward.web.app import create_app
from tests.factories.core import make_user
from tests.records import samples
from tests.web.conftest import SignedIn, csrf_from, sign_in
from tests.web.records_helpers import (
    case_file,
    document_counts,
    docx_bytes,
    pdf_bytes,
    search,
    tags_for,
)

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


ClientFor = Callable[[auth.User], TestClient]


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[ClientFor]:
    """Factory: a client signed in as an existing (committed) user."""
    clients: list[TestClient] = []

    def make(user: auth.User) -> TestClient:
        client = TestClient(app, base_url="http://testserver", follow_redirects=False)
        clients.append(client)
        sign_in(client, user.username)
        return client

    yield make
    for client in clients:
        client.close()


def _upload(
    client: TestClient,
    case_id: int,
    *,
    file: tuple[str, bytes, str] | None,
    title: str = "Report to court",
    day: str = "2",
    month: str = "3",
    year: str = "2024",
    **fields: object,
) -> object:
    data: dict[str, object] = {
        "csrf_token": csrf_from(client, f"/cases/{case_id}/documents/new"),
        "title": title,
        "kind": "report_to_court",
        "created_on-day": day,
        "created_on-month": month,
        "created_on-year": year,
        "security_marking": "official_sensitive",
        "provenance": "staff",
        **fields,
    }
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    return client.post(f"/cases/{case_id}/documents/new", data=data, files=files)


# --- my cases, a case, need-to-know ---------------------------------------------------


def test_my_cases_lists_only_the_cases_assigned_to_me(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    mine = case_file(db, keyring, assigned_to=user).case
    theirs = case_file(db, keyring).case
    db.commit()
    page = client.get("/cases")
    assert page.status_code == 200
    assert f'href="/cases/{mine.id}"' in page.text and mine.case_number in page.text
    assert theirs.case_number not in page.text
    assert "15 January 2024" in page.text  # dates as GOV.UK writes them
    assert "govuk-tag--green" in page.text and "Private law" in page.text


def test_the_case_page_shows_details_parties_documents_and_a_timeline(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    page = client.get(f"/cases/{record.case.id}")
    assert page.status_code == 200
    text = page.text
    assert "govuk-summary-list" in text and "Family Court at Leeds" in text
    assert "Private law case files (CASE.PRIVATE)" in text
    assert f'href="/people/{record.child.id}"' in text and "Ava Zielinska" in text
    assert "Child subject" in text and "2 March 2015" in text
    assert "Professional" in text and "Social worker" in text
    assert f'href="/documents/{record.document.id}"' in text and "Home visit note" in text
    assert "OFFICIAL-SENSITIVE" in text
    timeline = text[text.index('data-testid="timeline"') :]
    assert timeline.index("Case opened") < timeline.index("Home visit note")
    assert f'href="/cases/{record.case.id}/documents/new"' in text
    assert "records:case:viewed" in tags_for(db, "case", record.case.id)


def test_an_unassigned_case_sends_a_caseworker_to_the_break_glass_page(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring)
    db.commit()
    for path in (f"/cases/{record.case.id}", f"/cases/{record.case.id}/documents/new"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/cases/{record.case.id}/break-glass"
    # Asked for by a document's id, the case is neither named nor offered.
    for path in (f"/documents/{record.document.id}", f"/documents/{record.document.id}/download"):
        assert client.get(path).status_code == 404, path
    # A person seen only in a case the reader may not open is not there at all for them.
    assert client.get(f"/people/{record.child.id}").status_code == 404
    assert "records:case:viewed" not in tags_for(db, "case", record.case.id)
    assert "records:document:viewed" not in tags_for(db, "document", record.document.id)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.PARTNER])
def test_roles_without_case_access_are_refused_without_a_break_glass_offer(
    role: Role, signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(role)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    for path in (
        "/cases",
        f"/cases/{record.case.id}",
        f"/people/{record.child.id}",
        f"/documents/{record.document.id}",
        "/search",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Ava Zielinska" not in response.text and "Home visit" not in response.text
    response = search(client, "Zielinska")
    assert response.status_code == 403 and "Ava Zielinska" not in response.text


def test_a_manager_reads_the_teams_cases(
    client_for: ClientFor, db: Session, keyring: FileKeyring
) -> None:
    manager = make_user(db, Role.MANAGER, team="north")
    north = case_file(db, keyring).case
    north.team = "north"
    south = case_file(db, keyring).case
    south.team = "south"
    db.commit()
    client = client_for(manager)
    assert client.get(f"/cases/{north.id}").status_code == 200
    assert north.case_number in client.get("/cases").text
    assert client.get(f"/cases/{south.id}").headers["location"].endswith("/break-glass")


def test_the_dpo_reads_any_case_for_their_duties(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    record = case_file(db, keyring)
    db.commit()
    assert client.get(f"/cases/{record.case.id}").status_code == 200
    page = client.get("/cases")
    assert "No cases are assigned to you" in page.text and 'href="/search"' in page.text


# --- break-glass ----------------------------------------------------------------------


def test_break_glass_asks_a_reason_records_it_and_shows_it_to_the_dpo(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring)
    db.commit()
    url = f"/cases/{record.case.id}/break-glass"
    form = client.get(url)
    assert form.status_code == 200
    assert "govuk-warning-text" in form.text and "Data Protection Officer" in form.text
    assert record.case.case_number not in form.text  # nothing of the case before the glass breaks

    too_short = client.post(url, data={"reason": "urgent", "csrf_token": csrf_from(client, url)})
    assert too_short.status_code == 422
    assert "govuk-error-summary" in too_short.text and 'href="#reason"' in too_short.text
    assert "records:case:break_glass" not in tags_for(db, "case", record.case.id)

    reason = "Police called about the child out of hours; allocated worker on leave"
    opened = client.post(url, data={"reason": reason, "csrf_token": csrf_from(client, url)})
    assert opened.status_code == 303 and opened.headers["location"] == f"/cases/{record.case.id}"
    page = client.get(f"/cases/{record.case.id}")
    assert page.status_code == 200 and 'data-testid="break-glass-warning"' in page.text
    assert tags_for(db, "case", record.case.id)[-2:] == [
        "records:case:break_glass",
        "records:case:viewed",
    ]
    # Breaking glass on an open case again just goes there.
    again = client.post(url, data={"reason": reason, "csrf_token": csrf_from(client, url)})
    assert again.status_code == 303

    assert client.get("/break-glass").status_code == 403
    dpo, _ = signed_in(Role.DPO)
    log = dpo.get("/break-glass")
    assert log.status_code == 200
    # The old log's address answers with the review that replaced it (assurance's).
    row = log.text[log.text.index('data-testid="break-glass-uses"') :]
    assert user.username in row and record.case.case_number in row and reason in row
    assert 'href="/assurance/break-glass" aria-current="page"' in log.text  # assurance's tab
    assert "Showing <b>1</b> to <b>1</b> of <b>1</b> break-glass uses" in log.text
    assert dpo.get("/break-glass?page=2").text.count('data-testid="break-glass-uses"') == 0


def test_the_break_glass_reason_is_shown_escaped(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring)
    db.commit()
    url = f"/cases/{record.case.id}/break-glass"
    reason = f"Urgent safeguarding call {HOSTILE}"
    client.post(url, data={"reason": reason, "csrf_token": csrf_from(client, url)})
    dpo, _ = signed_in(Role.DPO)
    log = dpo.get("/break-glass").text
    assert HOSTILE not in log and ESCAPED in log


def test_navigation_offers_cases_and_search_only_to_roles_that_read_cases(
    signed_in: SignedIn,
) -> None:
    caseworker, _ = signed_in(Role.CASEWORKER)
    nav = caseworker.get("/").text
    assert 'href="/cases"' in nav and 'href="/search"' in nav and 'href="/break-glass"' not in nav
    admin, _ = signed_in(Role.ADMIN)
    nav = admin.get("/").text
    assert 'href="/cases"' not in nav and 'href="/search"' not in nav


# --- people ---------------------------------------------------------------------------


def test_the_person_page_shows_names_addresses_identifiers_and_visible_cases(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user, address_withheld=True)
    hidden = case_file(db, keyring).case
    service.add_party(
        db, Actor.system(), case_id=hidden.id, person_id=record.child.id, role="applicant"
    )
    db.commit()
    page = client.get(f"/people/{record.child.id}")
    assert page.status_code == 200
    text = page.text
    assert "Ava Zielinska" in text and "Previous name" in text and "Ava Kowalska" in text
    assert "2 March 2015" in text and "Female" in text
    assert "Address must not be disclosed" in text and "govuk-warning-text" in text
    # The reader still sees the address, with the warning: they may need it to keep the child safe.
    assert "12 Refuge Road" in text and "1 May 2022" in text and "31 August 2023" in text
    assert "Local authority reference" in text and f"LA-{record.case.id}" in text
    assert record.case.case_number in text and "Child subject" in text
    assert hidden.case_number not in text  # need-to-know: not this reader's case
    assert tags_for(db, "person", record.child.id)[-1] == "records:person:viewed"


def test_hostile_names_and_titles_are_shown_escaped(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(
        db,
        keyring,
        assigned_to=user,
        child_name=(HOSTILE, "O'Brien & <b>Sons</b>"),
        document_title=HOSTILE,
        # Markup cannot be stored as a document's text (refused at upload); brackets can.
        document_text="Said: x <y & z> w",
    )
    db.commit()
    for path in (
        f"/cases/{record.case.id}",
        f"/people/{record.child.id}",
        f"/documents/{record.document.id}",
        f"/cases/{record.case.id}/documents/new",
    ):
        text = client.get(path).text
        assert HOSTILE not in text and "<b>Sons</b>" not in text, path
        assert ESCAPED in text, path


# --- documents ------------------------------------------------------------------------


def test_the_document_page_shows_details_and_text_and_records_the_read(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    page = client.get(f"/documents/{record.document.id}")
    assert page.status_code == 200
    assert "Home visit: the children were well" in page.text
    assert "1 February 2024" in page.text and "note.txt" in page.text
    assert f'href="/documents/{record.document.id}/download"' in page.text
    assert tags_for(db, "document", record.document.id)[-1] == "records:document:viewed"


def test_a_download_is_an_attachment_never_shown_inline(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    # Markup is refused at upload; text with angle brackets is still text.
    record = case_file(db, keyring, assigned_to=user, document_text="Notes: a < b and c > d")
    db.commit()
    response = client.get(f"/documents/{record.document.id}/download")
    assert response.status_code == 200
    assert response.content == b"Notes: a < b and c > d"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''note.txt" in response.headers["content-disposition"]
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert tags_for(db, "document", record.document.id)[-1] == "records:document:downloaded"


# --- upload ---------------------------------------------------------------------------


def test_the_upload_form_uses_govuk_components_and_lists_the_parties(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    page = client.get(f"/cases/{record.case.id}/documents/new")
    assert page.status_code == 200
    text = page.text
    assert 'enctype="multipart/form-data"' in text and 'name="csrf_token"' in text
    for component in ("govuk-file-upload", "govuk-date-input", "govuk-checkboxes", "govuk-radios"):
        assert component in text
    assert f'value="{record.child.id}"' in text and "Sam Okafor" in text
    assert "smaller than 25MB" in text


@pytest.mark.parametrize(
    ("filename", "make", "media_type", "words"),
    [
        (
            "report.pdf",
            lambda: pdf_bytes("Guardian's analysis: Quillon supports contact"),
            "application/pdf",
            "Quillon",
        ),
        (
            "letter.docx",
            lambda: docx_bytes("Letter to the court", "Brindlewick asks for an adjournment"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Brindlewick",
        ),
        (
            "note.txt",
            lambda: b"Telephone call with Marrowby school",
            "text/plain",
            "Marrowby",
        ),
    ],
)
def test_a_document_is_uploaded_stored_searchable_and_downloadable(
    signed_in: SignedIn,
    db: Session,
    keyring: FileKeyring,
    filename: str,
    make: Callable[[], bytes],
    media_type: str,
    words: str,
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    data = make()
    response = _upload(
        client,
        record.case.id,
        file=(filename, data, "application/octet-stream"),
        subject_person_ids=[str(record.child.id)],
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/documents/(\d+)\?added=1", response.headers["location"])
    assert match
    document_id = int(match.group(1))
    page = client.get(response.headers["location"])
    assert "The document has been added" in page.text and "2 March 2024" in page.text
    # Stored at once; its text is read afterwards, outside the upload's request.
    assert "not yet searchable" in page.text and words not in page.text
    assert f'href="/documents/{document_id}"' not in search(client, words).text
    samples.extract_pending(db, keyring)
    page = client.get(f"/documents/{document_id}")
    assert words in page.text and "Searchable" in page.text
    db.expire_all()
    document = db.get(Document, document_id)
    assert document is not None and document.media_type == media_type
    assert document.author_user_id == user.id and document.filename == filename
    assert db.scalars(
        select(DocumentSubject.person_id).where(DocumentSubject.document_id == document_id)
    ).all() == [record.child.id]
    found = search(client, words)
    assert f'href="/documents/{document_id}"' in found.text
    download = client.get(f"/documents/{document_id}/download")
    assert download.content == data
    assert tags_for(db, "document", document_id) == [
        "records:document:added",
        "records:document:viewed",
        "records:document:text_extraction_started",
        "records:document:text_extracted",
        "records:document:viewed",
        "records:document:downloaded",
    ]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)),
        ("drawing.pdf", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
    ids=["html-named-pdf", "exe-named-pdf", "svg-named-pdf"],
)
def test_a_disguised_file_is_refused_and_nothing_is_stored(
    signed_in: SignedIn, db: Session, keyring: FileKeyring, filename: str, data: bytes
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    before = document_counts(db)
    response = _upload(client, record.case.id, file=(filename, data, "application/pdf"))
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text and 'href="#file"' in response.text
    assert "Upload a PDF" in response.text or "Upload the file as a PDF" in response.text
    assert 'value="Report to court"' in response.text  # what was typed is kept
    assert document_counts(db) == before


def test_a_path_in_the_filename_is_stripped(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    response = _upload(
        client,
        record.case.id,
        file=("../../etc/passwd.pdf", pdf_bytes("Traversal attempt"), "application/pdf"),
    )
    assert response.status_code == 303
    document_id = int(response.headers["location"].split("/")[2].split("?")[0])
    db.expire_all()
    document = db.get(Document, document_id)
    assert document is not None and document.filename == "passwd.pdf"
    download = client.get(f"/documents/{document_id}/download")
    assert 'filename="passwd.pdf"' in download.headers["content-disposition"]
    assert ".." not in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("fields", "file", "field", "message"),
    [
        ({}, None, "file", "Select a file"),
        ({"title": ""}, ("a.txt", b"text", "text/plain"), "title", "Enter a title"),
        ({"kind": "memo"}, ("a.txt", b"text", "text/plain"), "kind", "Choose what kind"),
        (
            {"day": "31", "month": "2"},
            ("a.txt", b"text", "text/plain"),
            "created_on-day",
            "real date",
        ),
        ({"year": "24"}, ("a.txt", b"text", "text/plain"), "created_on-day", "4 numbers"),
        ({"month": ""}, ("a.txt", b"text", "text/plain"), "created_on-day", "must include a month"),
        ({"year": "2999"}, ("a.txt", b"text", "text/plain"), "created_on-day", "in the past"),
        ({}, ("empty.txt", b"", "text/plain"), "file", "not empty"),
        ({"title": "Report\x00"}, ("a.txt", b"text", "text/plain"), "title", "control char"),
        ({}, ("a.txt", b"caf\xe9 visit \x96 notes", "text/plain"), "file", "UTF-8"),
        ({}, ("a.txt", b"ok <img src=x onerror=alert(1)>", "text/plain"), "file", "markup"),
    ],
)
def test_bad_answers_are_shown_in_an_error_summary_and_nothing_is_stored(
    signed_in: SignedIn,
    db: Session,
    keyring: FileKeyring,
    fields: dict[str, str],
    file: tuple[str, bytes, str] | None,
    field: str,
    message: str,
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    before = document_counts(db)
    response = _upload(client, record.case.id, file=file, **fields)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert f'href="#{field}"' in response.text and message in response.text
    if message != "control char":
        # Hidden characters are refused by the app-wide input rule before the form is read
        # (web/input_rule.py): an error page naming the field, not the form shown again.
        assert "govuk-form-group--error" in response.text
    assert document_counts(db) == before


def test_a_party_of_another_case_cannot_be_named_as_a_subject(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    stranger = case_file(db, keyring).child
    db.commit()
    before = document_counts(db)
    response = _upload(
        client,
        record.case.id,
        file=("a.txt", b"a note", "text/plain"),
        subject_person_ids=[str(stranger.id)],
    )
    assert response.status_code == 422 and 'href="#subject_person_ids"' in response.text
    assert document_counts(db) == before


def test_an_upload_without_the_form_token_is_refused(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    before = document_counts(db)
    response = client.post(
        f"/cases/{record.case.id}/documents/new",
        data={"title": "x", "kind": "case_note"},
        files={"file": ("a.txt", b"a note", "text/plain")},
    )
    assert response.status_code == 403
    assert document_counts(db) == before


@pytest.fixture
def small_upload_client(
    settings: Settings,
    session_factory: sessionmaker[Session],
    keyring: FileKeyring,
    db: Session,
) -> Iterator[tuple[TestClient, auth.User]]:
    """The app with a 1 MiB upload limit, so the limit can be tested without 25 MiB bodies."""
    small = settings.model_copy(update={"max_upload_bytes": 1024 * 1024})
    app = create_app(small, session_factory=session_factory, keyring=keyring)
    user = make_user(db, Role.CASEWORKER)
    db.commit()
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        sign_in(client, user.username)
        yield client, user


def test_a_file_over_the_limit_is_refused_with_a_clear_message(
    small_upload_client: tuple[TestClient, auth.User], db: Session, keyring: FileKeyring
) -> None:
    client, user = small_upload_client
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    before = document_counts(db)
    just_over = b"a" * (1024 * 1024 + 10)
    response = _upload(client, record.case.id, file=("big.txt", just_over, "text/plain"))
    assert response.status_code == 422
    assert "larger than the 1 MB limit" in response.text and 'href="#file"' in response.text
    far_over = b"a" * (3 * 1024 * 1024)
    response = _upload(client, record.case.id, file=("huge.txt", far_over, "text/plain"))
    assert response.status_code == 413
    assert "Upload a file smaller than 1MB" in response.text
    assert document_counts(db) == before
    # The upload allowance is for uploads only: other forms keep the 1 MiB body cap.
    response = client.post("/account/tokens", data={"name": "x" * (1024 * 1024 + 10)}, headers={})
    assert response.status_code == 413


def test_within_the_limit_a_large_file_is_accepted(
    small_upload_client: tuple[TestClient, auth.User], db: Session, keyring: FileKeyring
) -> None:
    client, user = small_upload_client
    record = case_file(db, keyring, assigned_to=user)
    db.commit()
    response = _upload(client, record.case.id, file=("long.txt", b"word " * 200_000, "text/plain"))
    assert response.status_code == 303


# --- search ---------------------------------------------------------------------------


def test_search_finds_only_what_the_reader_may_see_and_does_not_record_the_words(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, user = signed_in(Role.CASEWORKER)
    mine = case_file(db, keyring, assigned_to=user, child_name=("Tamsin", "Featherstonehaugh"))
    theirs = case_file(
        db,
        keyring,
        child_name=("Rufus", "Featherstonehaugh"),
        document_text="Featherstonehaugh family meeting",
    )
    db.commit()
    empty = client.get("/search")
    assert empty.status_code == 200 and 'name="q"' in empty.text
    page = search(client, "Featherstonehaugh")
    assert page.status_code == 200
    assert f'href="/people/{mine.child.id}"' in page.text
    # People who share a name are told apart by their date of birth.
    assert mine.child.date_of_birth is not None
    assert f"born {mine.child.date_of_birth.day} " in page.text
    assert f'href="/people/{theirs.child.id}"' not in page.text
    assert f'href="/documents/{theirs.document.id}"' not in page.text
    words = search(client, "children warm")
    assert f'href="/documents/{mine.document.id}"' in words.text
    assert mine.case.case_number in words.text
    db.expire_all()
    details = db.scalars(
        select(AuditEvent.details).where(AuditEvent.tag == "records:search:run")
    ).all()
    assert details and not any("Featherstonehaugh" in d for d in details)
    hostile = search(client, HOSTILE)
    assert HOSTILE not in hostile.text and "There are no matching results" in hostile.text
