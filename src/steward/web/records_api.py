"""The records API (/api/v1): cases, people, documents and search, token-authenticated.

Thin: the records service checks the permission and need-to-know on every call and records
the read. A case the caller may only open by breaking glass answers 403 with
``break_glass_url``, where a reason can be posted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from steward.core.paging import PageRequest
from steward.core.permissions import Permission
from steward.core.rate_limits import RateKind
from steward.core.schemas import Omittable, StrictInput
from steward.records import service
from steward.records.models import DocumentKind, PartyRole, Provenance, SecurityMarking
from steward.records.schemas import (
    AddressRead,
    CaseDetail,
    CaseRead,
    ContactRead,
    DocumentRead,
    IdentifierRead,
    OtherNameRead,
    PersonCaseRead,
    PersonDetail,
    PersonSummary,
)
from steward.records.service.search import SearchHit
from steward.web.api import require_json, require_multipart
from steward.web.api_contract import ApiPage, ApiPageQuery, error_body, rate_limited
from steward.web.deps import DB, ApiActor, AppSettings, Keyring, api_requires, reads_only
from steward.web.ids import Id, IdItem
from steward.web.records_common import (
    attachment,
    case_detail,
    document_meta,
    read_upload,
    wake_extraction,
)

router = APIRouter(tags=["records"])


class SearchHitRead(BaseModel):
    kind: Literal["person", "document"]
    id: int
    label: str = Field(description="The person's name, or the document's title")
    case_id: int | None
    case_number: str | None
    date_of_birth: date | None = Field(None, description="People only")


class SearchTerms(StrictInput):
    """What to look for: every word must match (a name, a word of a document's title or
    text). Words of one letter and punctuation are ignored; no words, no hits."""

    q: str = Field(min_length=1, max_length=200, description="The words to look for")
    kind: Omittable[Literal["person", "document"]] = Field(
        None, description="Only people, or only documents (both when left out)"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"q": "Okafor"}, {"q": "school report", "kind": "document"}]
        },
    )


class BreakGlassRequest(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "Duty cover: the allocated worker is away and the court asked today"}
            ]
        }
    )

    reason: str = Field(
        max_length=2000,
        description="Why you need this case: recorded and shown to the Data Protection Officer.",
    )


class BreakGlassOpened(BaseModel):
    case_id: int
    opened_at: datetime
    expires_at: datetime


@router.get("/cases")
def my_cases(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[CaseRead]:
    """The cases you work on: assigned to you, or your team's if you manage a team."""
    return ApiPage.of(service.my_cases(db, actor, page), CaseRead.model_validate)


@router.get("/cases/{case_id}")
def get_case(db: DB, actor: ApiActor, case_id: Id) -> CaseDetail:
    case, _ = service.view_case(db, actor, case_id)
    return case_detail(db, case)


@router.post(
    "/cases/{case_id}/break-glass",
    status_code=201,
    response_model=BreakGlassOpened,
    responses={
        404: {"description": "No such case (the attempt is recorded and counts to your limit)"},
        409: {"description": "You already have access to this case"},
        429: {"description": "You have reached your break-glass limit (recorded)"},
    },
    dependencies=[Depends(api_requires(Permission.CASES_BREAK_GLASS)), Depends(require_json)],
)
@rate_limited(RateKind.BREAK_GLASS)
def break_glass(
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: ApiActor,
    case_id: Id,
    body: BreakGlassRequest,
) -> BreakGlassOpened | JSONResponse:
    """Open a case that is not yours, for a limited time, with a reason the DPO will see."""
    try:
        with db.begin_nested():
            row = service.break_glass(
                db,
                keyring,
                actor,
                case_id=case_id,
                reason=body.reason,
                limits=service.BreakGlassLimits.of(settings),
            )
    except (service.BreakGlassLimitReached, service.NoSuchCase) as exc:
        # Recorded outside the rolled-back attempt, so the refusal stays on the record.
        service.refuse(db, actor, case_id=case_id, error=exc)
        if isinstance(exc, service.BreakGlassLimitReached):
            return JSONResponse(
                error_body(exc.message),
                status_code=429,
                headers={"Retry-After": str(exc.retry_after)},
            )
        return JSONResponse(error_body(exc.message), status_code=404)
    return BreakGlassOpened(case_id=row.case_id, opened_at=row.opened_at, expires_at=row.expires_at)


@router.get("/people/{person_id}")
@rate_limited(RateKind.IDENTITY)
def get_person(db: DB, actor: ApiActor, person_id: Id) -> PersonDetail:
    person, cases = service.view_person(db, actor, person_id)
    return PersonDetail(
        **PersonSummary.model_validate(person).model_dump(),
        date_of_death=person.date_of_death,
        gender=person.gender,
        organisation=person.organisation,
        address_withheld=person.address_withheld,
        other_names=[OtherNameRead.model_validate(n) for n in person.names],
        addresses=[AddressRead.model_validate(a) for a in person.addresses],
        contacts=[ContactRead.model_validate(c) for c in person.contacts],
        identifiers=[IdentifierRead.model_validate(i) for i in person.identifiers],
        cases=[
            PersonCaseRead(**CaseRead.model_validate(case).model_dump(), role=PartyRole(role))
            for case, role in cases
        ],
    )


@router.get("/documents/{document_id}")
def get_document(db: DB, keyring: Keyring, actor: ApiActor, document_id: Id) -> DocumentRead:
    document, _ = service.view_document(db, keyring, actor, document_id)
    return DocumentRead.model_validate(document)


@router.get(
    "/documents/{document_id}/content",
    response_class=Response,
    responses={200: {"description": "The document's file, as an attachment"}},
)
def get_document_content(db: DB, keyring: Keyring, actor: ApiActor, document_id: Id) -> Response:
    return attachment(service.download_document(db, keyring, actor, document_id))


@router.post(
    "/cases/{case_id}/documents",
    status_code=201,
    dependencies=[Depends(api_requires(Permission.CASES_WRITE)), Depends(require_multipart)],
)
def upload_document(
    request: Request,
    background: BackgroundTasks,
    db: DB,
    keyring: Keyring,
    settings: AppSettings,
    actor: ApiActor,
    case_id: Id,
    file: Annotated[UploadFile, File(description="PDF, Word (.docx), plain text or an image")],
    title: Annotated[str, Form(max_length=300)],
    kind: Annotated[DocumentKind, Form()],
    created_on: Annotated[date, Form()],
    security_marking: Annotated[SecurityMarking, Form()] = SecurityMarking.OFFICIAL_SENSITIVE,
    provenance: Annotated[Provenance, Form()] = Provenance.STAFF,
    author_name: Annotated[str | None, Form(max_length=200)] = None,
    subject_person_ids: Annotated[list[IdItem] | None, Form()] = None,
) -> DocumentRead:
    """Add a document to a case. Its type is read from its bytes, not its name."""
    meta = document_meta(
        title=title,
        kind=kind,
        created_on=created_on,
        security_marking=security_marking,
        provenance=provenance,
        author_name=author_name or None,
        subject_person_ids=subject_person_ids or [],
    )
    data, filename = read_upload(file)
    document = service.add_document(
        db,
        keyring,
        actor,
        case_id=case_id,
        meta=meta,
        data=data,
        filename=filename,
        max_bytes=settings.max_upload_bytes,
    )
    background.add_task(wake_extraction, request.app)
    return DocumentRead.model_validate(document)


@router.get("/search", deprecated=True)
@rate_limited(RateKind.SEARCH)
def search(
    db: DB, actor: ApiActor, page: ApiPageQuery, q: Annotated[str, Query(max_length=200)] = ""
) -> ApiPage[SearchHitRead]:
    """People and documents matching every word, among the cases you may read. Deprecated:
    the words are names, and a URL is logged on its way; use `POST /search`."""
    return _search(db, actor, page, q, None)


@router.post("/search", dependencies=[Depends(require_json)])
@rate_limited(RateKind.SEARCH)
@reads_only
def search_by_body(
    db: DB, actor: ApiActor, page: ApiPageQuery, body: SearchTerms
) -> ApiPage[SearchHitRead]:
    """People and documents matching every word, among the cases you may read: every
    matching person, best first, then every matching document (``kind`` keeps one). The
    words go in the body, never the URL; the search is recorded without them."""
    return _search(db, actor, page, body.q, body.kind)


def _search(
    db: DB, actor: ApiActor, page: PageRequest, q: str, kind: str | None
) -> ApiPage[SearchHitRead]:
    found = service.search_page(db, actor, q, page, kind=kind)
    return ApiPage.of(found, _hit)


def _hit(hit: SearchHit) -> SearchHitRead:
    return SearchHitRead(
        kind="person" if hit.kind == "person" else "document",
        id=hit.ref_id,
        label=hit.label,
        case_id=hit.case_id,
        case_number=hit.case_number,
        date_of_birth=hit.date_of_birth,
    )
