"""The paper archive API (/api/v1/archives): locations, boxes, paper files, retrievals,
contractors' destruction certificates, and the search by person. Thin, through the services
the pages use (archives_pages.py, archives_certificates_pages.py): they check the role, a
paper file's need-to-know (its case's) and the induction gate, and record every read.

The search by person takes its terms in the body, never in the URL: they are a person's
names and date of birth. Staff who did something are named by username, as on the pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from steward.archives import service
from steward.archives.models import (
    ArchiveBox,
    ArchiveLocation,
    BoxStatus,
    DestructionCertificate,
    LocationKind,
    PaperFile,
    PaperFileStatus,
    Retrieval,
    RetrievalPurpose,
)
from steward.archives.schemas import (
    LocationCreate,
    NameRead,
    PaperFileHit,
    PaperSearch,
    RetrievalRead,
    RetrievalRequest,
)
from steward.core import auth
from steward.core.errors import ValidationFailed
from steward.core.permissions import Permission
from steward.core.rate_limits import RateKind
from steward.core.schemas import StrictInput
from steward.web.api import require_json
from steward.web.api_contract import (
    ApiPage,
    ApiPageQuery,
    page_of_list,
    rate_limited,
)
from steward.web.deps import DB, ApiActor, Keyring, api_requires, reads_only
from steward.web.ids import MAX_ID, Id, IdItem

router = APIRouter(
    prefix="/archives",
    tags=["archives"],
    dependencies=[Depends(require_json)],
)
_MANAGE = [Depends(api_requires(Permission.ARCHIVES_MANAGE))]
_REQUEST = [Depends(api_requires(Permission.ARCHIVES_REQUEST))]
_STATE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Not possible in its current state (see `detail`)"}
}


# --- what the archive answers ------------------------------------------------------------


class LocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: LocationKind
    site: str | None
    room: str | None
    bay: str | None
    shelf: str | None
    contractor: str | None
    contractor_ref: str | None
    created_at: datetime


class LocationListed(LocationRead):
    boxes: int = Field(description="Boxes there now (destroyed ones not counted)")


class BoxRead(BaseModel):
    id: int
    barcode: str
    status: BoxStatus
    location_id: int | None
    location_code: str | None
    contractor_ref: str | None
    created_at: datetime
    destroyed_at: datetime | None

    @classmethod
    def of(cls, box: ArchiveBox) -> BoxRead:
        return cls(
            id=box.id,
            barcode=box.barcode,
            status=BoxStatus(box.status),
            location_id=box.location_id,
            location_code=box.location.code if box.location else None,
            contractor_ref=box.contractor_ref,
            created_at=box.created_at,
            destroyed_at=box.destroyed_at,
        )


class FileRead(BaseModel):
    """A paper file by its reference and case number (the names on it: its detail)."""

    id: int
    file_reference: str
    case_number: str | None
    case_id: int | None
    status: PaperFileStatus
    box_id: int | None
    box_barcode: str | None
    date_from: date | None
    date_to: date | None

    @classmethod
    def of(cls, paper_file: PaperFile) -> FileRead:
        return cls(
            id=paper_file.id,
            file_reference=paper_file.file_reference,
            case_number=paper_file.case_number,
            case_id=paper_file.case_id,
            status=PaperFileStatus(paper_file.status),
            box_id=paper_file.box_id,
            box_barcode=paper_file.box.barcode if paper_file.box else None,
            date_from=paper_file.date_from,
            date_to=paper_file.date_to,
        )


class MovementRead(BaseModel):
    moved_at: datetime
    from_location: str | None = Field(description="The code of the location it left")
    to_location: str | None = Field(description="The code of the location it went to")
    moved_by: str | None = Field(description="Who moved it (username)")
    contractor_ref: str | None


class BoxDetail(BoxRead):
    files: list[FileRead]
    history: list[MovementRead] = Field(description="Every move, latest first")


class RetrievalOut(RetrievalRead):
    requested_by: str | None = Field(description="Who asked for it (username)")


class FileRetrieval(RetrievalOut):
    note: str | None = Field(description="The requester's note (sealed at rest)")


class FileDetail(FileRead):
    record_class: str | None = Field(description="The file plan's code, e.g. CASE.PRIVATE")
    names: list[NameRead] = Field(description="The people named on the file, as written")
    retrievals: list[FileRetrieval] = Field(description="Latest first")


class CertificateRead(BaseModel):
    id: int
    reference: str
    sha256: str = Field(description="Of the certificate file as received")
    received_at: datetime
    received_by: str | None = Field(description="Who reconciled it (username)")
    destroyed_count: int
    missing_count: int
    unexpected_count: int


class CertificateLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    identifier: str = Field(description="The file reference or box barcode as certified")
    outcome: Literal["destroyed", "missing", "unexpected"]
    paper_file_id: int | None
    box_id: int | None


class CertificateDetail(CertificateRead):
    lines: list[CertificateLineRead]


# --- what the archive takes ---------------------------------------------------------------


class BoxCreate(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"barcode": "BOX-004211", "location_id": 3, "contractor_ref": None}]
        }
    )

    barcode: str = Field(min_length=1, max_length=64)
    location_id: IdItem | None = None
    contractor_ref: str | None = Field(None, max_length=100)


class BoxMove(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"location_id": 5, "contractor_ref": "IM-77812"}]}
    )

    location_id: IdItem
    contractor_ref: str | None = Field(None, max_length=100)


class FileRetrievalIn(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"purpose": "court", "note": "Final hearing", "due_back_on": "2026-07-01"}]
        }
    )

    purpose: RetrievalPurpose
    note: str | None = Field(None, max_length=2000)
    due_back_on: date | None = Field(None, description="Within the limit; by default 28 days")


class BoxRetrievalIn(StrictInput):
    model_config = ConfigDict(json_schema_extra={"examples": [{"purpose": "disposal_review"}]})

    purpose: RetrievalPurpose


class ArchiveSearch(StrictInput):
    """Who to look for: every name they are or were known by, their date of birth, a case
    number, or a person record (files whose names were linked to it)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"names": ["Maya Okafor"], "date_of_birth": "2014-03-09"}]},
    )

    names: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=10
    )
    date_of_birth: date | None = None
    case_number: str | None = Field(None, max_length=32)
    person_id: IdItem | None = None


# --- locations and boxes ------------------------------------------------------------------


def _names(db: DB, ids: list[int | None]) -> dict[int, str]:
    return auth.usernames(db, (i for i in ids if i is not None))


@router.get("/locations", dependencies=_MANAGE)
def locations(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[LocationListed]:
    """Every place paper is kept, on site and off, with how many boxes are there."""
    listed = page_of_list(service.list_locations(db, actor), page)
    return ApiPage.of(
        listed,
        lambda row: LocationListed(
            **LocationRead.model_validate(row[0]).model_dump(), boxes=row[1]
        ),
    )


@router.post("/locations", status_code=201, dependencies=_MANAGE, responses=_STATE)
def create_location(db: DB, actor: ApiActor, body: LocationCreate) -> LocationRead:
    """A new place to keep boxes. Without a `code`, one is made from its parts."""
    location: ArchiveLocation = service.create_location(db, actor, body)
    return LocationRead.model_validate(location)


@router.get("/locations/{location_id}", dependencies=_MANAGE)
def location(db: DB, actor: ApiActor, location_id: Id) -> LocationRead:
    return LocationRead.model_validate(service.get_location(db, actor, location_id))


@router.get("/locations/{location_id}/boxes", dependencies=_MANAGE)
def location_boxes(
    db: DB, actor: ApiActor, location_id: Id, page: ApiPageQuery
) -> ApiPage[BoxRead]:
    """The boxes at a location, by barcode."""
    service.get_location(db, actor, location_id)
    return ApiPage.of(service.boxes_page(db, actor, location_id, page), BoxRead.of)


@router.post("/boxes", status_code=201, dependencies=_MANAGE, responses=_STATE)
def create_box(db: DB, actor: ApiActor, body: BoxCreate) -> BoxRead:
    box = service.create_box(
        db,
        actor,
        barcode=body.barcode,
        location_id=body.location_id,
        contractor_ref=body.contractor_ref or None,
    )
    return BoxRead.of(box)


@router.get("/boxes/{box_id}", dependencies=_MANAGE)
def box(db: DB, actor: ApiActor, box_id: Id) -> BoxDetail:
    """A box with its files (references, no names) and every move it has made."""
    found, history = service.view_box(db, actor, box_id)
    who = _names(db, [m.moved_by_user_id for m in history])
    return BoxDetail(
        **BoxRead.of(found).model_dump(),
        files=[FileRead.of(f) for f in sorted(found.files, key=lambda f: f.file_reference)],
        history=[
            MovementRead(
                moved_at=m.moved_at,
                from_location=m.from_location.code if m.from_location else None,
                to_location=m.to_location.code if m.to_location else None,
                moved_by=who.get(m.moved_by_user_id) if m.moved_by_user_id else None,
                contractor_ref=m.contractor_ref,
            )
            for m in history
        ],
    )


@router.post("/boxes/{box_id}/move", dependencies=_MANAGE, responses=_STATE)
def move_box(db: DB, actor: ApiActor, box_id: Id, body: BoxMove) -> BoxRead:
    """Put the box somewhere else; where it was stays in its history."""
    moved = service.move_box(
        db,
        actor,
        box_id=box_id,
        location_id=body.location_id,
        contractor_ref=body.contractor_ref or None,
    )
    return BoxRead.of(moved)


# --- paper files and retrievals ----------------------------------------------------------


@router.get("/files", dependencies=_MANAGE)
def files(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    box_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this box's")] = None,
    unboxed: Annotated[bool, Query(description="Only files in no box")] = False,
    status: Annotated[PaperFileStatus | None, Query(description="Only files in this state")] = None,
) -> ApiPage[FileRead]:
    """The paper files, by reference. The names on a file are in its detail."""
    listed = service.files_page(db, actor, page, box_id=box_id, unboxed=unboxed, status=status)
    return ApiPage.of(listed, FileRead.of)


def _retrieval_out(r: RetrievalRead, names: dict[int, str]) -> RetrievalOut:
    who = names.get(r.requested_by_user_id) if r.requested_by_user_id else None
    return RetrievalOut(**r.model_dump(), requested_by=who)


@router.get("/files/{paper_file_id}")
def paper_file(db: DB, actor: ApiActor, kek: Keyring, paper_file_id: Id) -> FileDetail:
    """A paper file with the names on it and its retrievals. Archive staff and those who
    read every case see any; anyone else a file of a case they may read. Recorded as a read."""
    view = service.view_file(db, actor, paper_file_id)
    names = _names(db, [r.requested_by_user_id for r in view.retrievals])
    return FileDetail(
        **FileRead.of(view.paper_file).model_dump(),
        record_class=view.record_class_code,
        names=[NameRead.model_validate(n) for n in view.paper_file.names],
        retrievals=[
            FileRetrieval(
                **_retrieval_out(service.read_retrieval(r), names).model_dump(),
                note=service.retrieval_note(db, kek, r),
            )
            for r in view.retrievals
        ],
    )


def _requested(db: DB, retrieval: Retrieval) -> RetrievalOut:
    read = service.read_retrieval(retrieval)
    return _retrieval_out(read, _names(db, [read.requested_by_user_id]))


def _request(db: DB, actor: ApiActor, kek: Keyring, data: dict[str, object]) -> RetrievalOut:
    try:
        request = RetrievalRequest.model_validate(data)
    except ValidationError as exc:  # the rules the body's own schema already held
        raise ValidationFailed("Check the request.") from exc
    return _requested(db, service.request_retrieval(db, actor, kek, request))


@router.post(
    "/files/{paper_file_id}/retrievals", status_code=201, dependencies=_REQUEST, responses=_STATE
)
def request_file(
    db: DB, actor: ApiActor, kek: Keyring, paper_file_id: Id, body: FileRetrievalIn
) -> RetrievalOut:
    """Ask for a paper file of a case you may read; archive staff hand it out."""
    return _request(db, actor, kek, {"paper_file_id": paper_file_id, **body.model_dump()})


@router.post("/boxes/{box_id}/retrievals", status_code=201, dependencies=_MANAGE, responses=_STATE)
def request_box(
    db: DB, actor: ApiActor, kek: Keyring, box_id: Id, body: BoxRetrievalIn
) -> RetrievalOut:
    """Ask for a whole box back (from the storage contractor, usually): archive staff only."""
    return _request(db, actor, kek, {"box_id": box_id, **body.model_dump()})


@router.get("/retrievals", dependencies=_REQUEST)
def retrievals(
    db: DB,
    actor: ApiActor,
    page: ApiPageQuery,
    view: Annotated[
        Literal["open", "overdue", "requested", "out", "returned", "cancelled", "all"],
        Query(description="Open (asked for or out, the default), overdue, one state, or all"),
    ] = "open",
) -> ApiPage[RetrievalOut]:
    """Retrievals, soonest due first: archive staff see every one, anyone else their own."""
    listed = service.retrievals_page(db, actor, page, view=view)
    names = _names(db, [r.requested_by_user_id for r in listed.items])
    return ApiPage.of(listed, lambda r: _retrieval_out(r, names))


@router.post("/retrievals/{retrieval_id}/out", dependencies=_MANAGE, responses=_STATE)
def hand_out(db: DB, actor: ApiActor, retrieval_id: Id) -> RetrievalOut:
    """The file or box leaves the store, to the requester, due back by its date."""
    return _requested(db, service.hand_out(db, actor, retrieval_id))


@router.post("/retrievals/{retrieval_id}/return", dependencies=_MANAGE, responses=_STATE)
def return_retrieval(db: DB, actor: ApiActor, retrieval_id: Id) -> RetrievalOut:
    """It is back in the store."""
    return _requested(db, service.return_retrieval(db, actor, retrieval_id))


@router.post("/retrievals/{retrieval_id}/cancel", dependencies=_REQUEST, responses=_STATE)
def cancel_retrieval(db: DB, actor: ApiActor, retrieval_id: Id) -> RetrievalOut:
    """Withdraw a request before it goes out: the requester, or archive staff."""
    return _requested(db, service.cancel_retrieval(db, actor, retrieval_id))


# --- destruction certificates ------------------------------------------------------------


def _certificate(row: DestructionCertificate, names: dict[int, str]) -> CertificateRead:
    who = names.get(row.received_by_user_id) if row.received_by_user_id else None
    return CertificateRead(
        id=row.id,
        reference=row.reference,
        sha256=row.sha256,
        received_at=row.received_at,
        received_by=who,
        destroyed_count=row.destroyed_count,
        missing_count=row.missing_count,
        unexpected_count=row.unexpected_count,
    )


@router.get("/certificates", dependencies=_MANAGE)
def certificates(db: DB, actor: ApiActor, page: ApiPageQuery) -> ApiPage[CertificateRead]:
    """Contractors' destruction certificates reconciled so far, latest first."""
    listed = service.certificates_page(db, actor, page)
    names = _names(db, [c.received_by_user_id for c in listed.items])
    return ApiPage.of(listed, lambda c: _certificate(c, names))


@router.get("/certificates/{certificate_id}", dependencies=_MANAGE)
def certificate(db: DB, actor: ApiActor, certificate_id: Id) -> CertificateDetail:
    """A certificate with each file's (or box's) outcome: references and barcodes, no names."""
    row = service.view_certificate(db, actor, certificate_id)
    return CertificateDetail(
        **_certificate(row, _names(db, [row.received_by_user_id])).model_dump(),
        lines=[CertificateLineRead.model_validate(line) for line in row.lines],
    )


# --- search by person ---------------------------------------------------------------------


@router.post("/search")
@rate_limited(RateKind.SEARCH)
@reads_only
def search(
    db: DB, actor: ApiActor, page: ApiPageQuery, body: ArchiveSearch
) -> ApiPage[PaperFileHit]:
    """Paper files that may hold the person, best first (at most 200), each with why it was
    offered and the names that matched. For archive staff and those who read every case.
    The search is recorded, without the words searched for."""
    service.require_names(db, actor)  # refused before the terms are even looked at
    try:
        query = PaperSearch(
            names=body.names,
            date_of_birth=body.date_of_birth,
            case_number=body.case_number or None,
            person_id=body.person_id,
        )
    except ValidationError as exc:
        raise ValidationFailed(
            "Give a name, a case number or a person record to search for.",
            errors={"names": "Enter a name to search for"},
        ) from exc
    hits = service.search_paper_files(db, actor=actor, query=query)
    return ApiPage.of(page_of_list(hits, page), lambda hit: hit)
