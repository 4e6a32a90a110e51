"""The request's documents page: the team lists, downloads (audited, safe as an attachment)
and adds documents, and records ID verified or authority accepted, which starts the clock."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core.audit import AuditEvent
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role
from steward.sar.models import SarDocument, SubjectAccessRequest
from steward.sar.policy import RequesterType
from steward.sar.schemas import PersonDetails
from tests.factories.sar import make_request
from tests.web.conftest import SignedIn, csrf_from

PDF = b"%PDF-1.7\nauthority\n%%EOF"


def _request(db: Session, keyring: FileKeyring) -> SubjectAccessRequest:
    request = make_request(
        db,
        keyring,
        Actor.system(),
        requester_type=RequesterType.PARENT,
        requester=PersonDetails(full_name="Dana Marsden"),
        subject=PersonDetails(full_name="Jade Marsden"),
    )
    db.commit()
    return request


def test_staff_add_list_and_download_a_document(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    request = _request(db, keyring)
    page = f"/sar/requests/{request.id}/documents"
    assert "No documents" in client.get(page).text
    token = csrf_from(client, page)
    added = client.post(
        page,
        data={"kind": "authority", "csrf_token": token},
        files={"file": ('"; evil=<b>.pdf', PDF, "text/html")},
    )
    assert added.status_code == 303, added.text
    listed = client.get(page).text
    assert (
        "1 document" in listed
        and "Proof of authority" in listed
        and 'aria-current="page"' in listed
    )
    document_id = db.scalar(select(SarDocument.id).where(SarDocument.request_id == request.id))
    got = client.get(f"{page}/{document_id}/download")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "<" not in disposition
    assert disposition.count('"') == 2
    db.expire_all()
    assert db.scalar(select(func.count()).where(AuditEvent.tag == "sar:document:downloaded")) == 1


def test_a_wrong_file_or_no_kind_gets_a_message_and_adds_nothing(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.DPO)
    request = _request(db, keyring)
    page = f"/sar/requests/{request.id}/documents"
    token = csrf_from(client, page)
    wrong = client.post(
        page,
        data={"kind": "id", "csrf_token": token},
        files={"file": ("id.pdf", b"MZ", "application/pdf")},
    )
    assert wrong.status_code == 422 and "must be a PDF, JPG or PNG" in wrong.text
    no_kind = client.post(
        page, data={"csrf_token": token}, files={"file": ("id.pdf", PDF, "application/pdf")}
    )
    assert no_kind.status_code == 422 and "Select what the document is" in no_kind.text
    assert db.scalar(select(func.count()).select_from(SarDocument)) == 0


def test_authority_accepted_starts_the_clock(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.IG_OFFICER)
    request = _request(db, keyring)
    assert request.status == "awaiting_id"
    page = f"/sar/requests/{request.id}/documents"
    token = csrf_from(client, page)
    future = client.post(
        f"{page}/accepted",
        data={
            "what": "authority",
            "accepted_on-day": "1",
            "accepted_on-month": "1",
            "accepted_on-year": "2099",
            "csrf_token": token,
        },
    )
    assert future.status_code == 422 and "today or in the past" in future.text
    done = client.post(
        f"{page}/accepted",
        data={
            "what": "authority",
            "accepted_on-day": "5",
            "accepted_on-month": "3",
            "accepted_on-year": "2026",
            "csrf_token": token,
        },
    )
    assert done.status_code == 303
    db.expire_all()
    stored = db.get(SubjectAccessRequest, request.id)
    assert stored is not None
    assert stored.authority_received_on == date(2026, 3, 5) and stored.status == "searching"
    assert "Accepted on 5 March 2026" in client.get(page).text


def test_a_caseworker_cannot_see_a_requests_documents(
    signed_in: SignedIn, db: Session, keyring: FileKeyring
) -> None:
    client, _ = signed_in(Role.CASEWORKER)
    request = _request(db, keyring)
    assert client.get(f"/sar/requests/{request.id}/documents").status_code == 403
