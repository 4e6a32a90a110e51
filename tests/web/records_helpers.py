"""Case records for the web tests: real files, and a case with people and a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from docx import Document as WordDocument
from fastapi.testclient import TestClient
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.core import auth
from steward.core.audit import AuditEvent
from steward.core.crypto import KeyEncryptionKeys
from steward.core.permissions import Actor
from steward.records import service
from steward.records.models import (
    Case,
    Document,
    DocumentContent,
    IdentifierScheme,
    NameKind,
    PartyRole,
    Person,
)
from steward.records.schemas import AddressIn, IdentifierIn, OtherName
from tests.factories.records import add_party, make_case, make_document, make_person
from tests.records import samples
from tests.web.conftest import csrf_from


def pdf_bytes(*lines: str) -> bytes:
    """A one-page PDF with a real text layer, as a word processor would export it."""
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    y = 780.0
    for line in lines:
        page.drawString(72, y, line)
        y -= 20
    page.showPage()
    page.save()
    return out.getvalue()


def docx_bytes(*paragraphs: str) -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class CaseFile:
    case: Case
    child: Person
    social_worker: Person
    document: Document


def case_file(
    db: Session,
    keyring: KeyEncryptionKeys,
    *,
    assigned_to: auth.User | None = None,
    child_name: tuple[str, str] = ("Ava", "Zielinska"),
    document_text: str = "Home visit: the children were well and the house was warm.",
    document_title: str = "Home visit note",
    address_withheld: bool = False,
) -> CaseFile:
    """A private-law case with a child, a social worker and one note, assigned to a user."""
    case = make_case(db, keyring)
    if assigned_to is not None:
        service.assign(db, Actor.system(), case_id=case.id, user_id=assigned_to.id)
    child = make_person(
        db,
        *child_name,
        gender="Female",
        address_withheld=address_withheld,
        other_names=[OtherName(kind=NameKind.PREVIOUS, first_name="Ava", last_name="Kowalska")],
        addresses=[
            AddressIn(
                line1="12 Refuge Road",
                town="Leeds",
                postcode="LS1 4AB",
                from_date=date(2022, 5, 1),
                to_date=date(2023, 8, 31),
            ),
            AddressIn(line1="3 Mill Lane", town="Leeds", from_date=date(2023, 9, 1)),
        ],
        identifiers=[IdentifierIn(scheme=IdentifierScheme.LA_REF, value=f"LA-{case.id}")],
    )
    add_party(db, case, child, PartyRole.CHILD_SUBJECT)
    social_worker = make_person(db, "Sam", "Okafor", None, is_professional=True)
    add_party(db, case, social_worker, PartyRole.SOCIAL_WORKER)
    document = make_document(db, keyring, case, text=document_text, title=document_title)
    samples.extract_pending(db, keyring)  # as the worker would have, soon after the upload
    return CaseFile(case, child, social_worker, document)


def tags_for(db: Session, subject_type: str, subject_id: int) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.tag)
            .where(
                AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id)
            )
            .order_by(AuditEvent.seq)
        )
    )


def document_counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(Document)) or 0,
        db.scalar(select(func.count()).select_from(DocumentContent)) or 0,
    )


def search(client: TestClient, q: str, **pages: int) -> Any:
    """POST a search as the page's form does (the words stay out of the address)."""
    data: dict[str, Any] = {"q": q, "csrf_token": csrf_from(client), **pages}
    return client.post("/search", data=data)
