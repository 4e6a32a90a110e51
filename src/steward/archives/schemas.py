"""What the archives domain reads and writes, shared by the CLI, the pages and other domains."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from steward.archives.models import LocationKind, PaperFileStatus, RetrievalPurpose
from steward.core.schemas import StrictInput

Ref = Field(min_length=1, max_length=64)
Part = Field(None, max_length=100)


class LocationCreate(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "on_site",
                    "site": "Leeds",
                    "room": "Basement store",
                    "bay": "B",
                    "shelf": "4",
                },
                {"kind": "off_site", "contractor": "Iron Vaults Ltd", "contractor_ref": "ACC-1182"},
            ]
        }
    )

    kind: LocationKind
    site: str | None = Part
    room: str | None = Part
    bay: str | None = Field(None, max_length=50)
    shelf: str | None = Field(None, max_length=50)
    contractor: str | None = Part
    contractor_ref: str | None = Part
    code: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _enough_to_find_it(self) -> LocationCreate:
        if self.kind == LocationKind.ON_SITE and not self.site:
            raise ValueError("an on-site location needs at least its site")
        if self.kind == LocationKind.OFF_SITE and not self.contractor:
            raise ValueError("an off-site location needs the storage contractor's name")
        return self


class NameOnFile(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None
    role: str | None = Field(None, max_length=32)


class PaperFileCreate(StrictInput):
    file_reference: str = Ref
    box_id: int | None = None
    case_number: str | None = Field(None, max_length=32)
    record_class: str | None = Field(None, max_length=64)
    date_from: date | None = None
    date_to: date | None = None
    names: list[NameOnFile] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _dates_in_order(self) -> PaperFileCreate:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("the file's date range ends before it starts")
        return self


class RetrievalRequest(StrictInput):
    paper_file_id: int | None = None
    box_id: int | None = None
    purpose: RetrievalPurpose
    note: str | None = Field(None, max_length=2000)
    due_back_on: date | None = None

    @model_validator(mode="after")
    def _one_thing(self) -> RetrievalRequest:
        if (self.paper_file_id is None) == (self.box_id is None):
            raise ValueError("ask for either one file or one box")
        return self


class PaperSearch(StrictInput):
    """Who to look for: every name they are or were known by, their birth date, a case number."""

    names: list[str] = Field(default_factory=list, max_length=10)
    date_of_birth: date | None = None
    case_number: str | None = Field(None, max_length=32)
    # A person record: finds every file whose names were linked to it (see service/linking).
    person_id: int | None = None
    limit: int = Field(200, ge=1, le=1000)

    @field_validator("names")
    @classmethod
    def _names_not_blank(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(n.split()) for n in value]
        if any(not n or len(n) > 200 for n in cleaned):
            raise ValueError("each name must be 1 to 200 characters")
        return cleaned

    @model_validator(mode="after")
    def _something_to_look_for(self) -> PaperSearch:
        if not self.names and not self.case_number and self.person_id is None:
            raise ValueError("give a name or a case number to search for")
        return self


class NameRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name_as_written: str
    date_of_birth: date | None
    role: str | None


class PaperFileHit(BaseModel):
    """One paper file found for a person, with why it was offered."""

    paper_file_id: int
    file_reference: str
    case_number: str | None
    case_id: int | None
    status: PaperFileStatus
    box_barcode: str | None
    location_code: str | None
    date_from: date | None
    date_to: date | None
    score: float
    reasons: list[str]
    matched_names: list[NameRead]


class RetrievalRead(BaseModel):
    id: int
    paper_file_id: int | None
    file_reference: str | None
    box_id: int | None
    box_barcode: str | None
    purpose: str
    status: str
    requested_by_user_id: int | None
    requested_at: datetime
    out_at: datetime | None
    due_back_on: date | None
    returned_at: datetime | None
    overdue: bool


class ReconciliationRead(BaseModel):
    certificate_id: int
    reference: str
    sha256: str
    destroyed: list[str]
    missing: list[str]
    unexpected: list[str]
    boxes_destroyed: list[str]
