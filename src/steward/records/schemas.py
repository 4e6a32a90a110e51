"""What the records domain reads and writes: Pydantic models, shared by API, import and CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from steward.core import clock
from steward.core.schemas import StrictInput
from steward.records.models import (
    CaseStatus,
    CaseType,
    DocumentKind,
    IdentifierScheme,
    NameKind,
    PartyRole,
    Provenance,
    SecurityMarking,
)

Name = Field(min_length=1, max_length=100)


def _not_in_future(day: date) -> date:
    if day > clock.today():
        raise PydanticCustomError("date_in_future", "must be today or in the past")
    return day


# A date something happened (a document written, a birth, a death, a case opened or closed):
# never after today, so a typed year like 2062 for 2026 is caught on every way in (form, API,
# import); a case dated ahead would also get a retention date decades too late.
PastDate = Annotated[date, AfterValidator(_not_in_future)]


class OtherName(StrictInput):
    kind: NameKind = NameKind.PREVIOUS
    first_name: str | None = Field(None, max_length=100)
    middle_names: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, max_length=100)


class AddressIn(StrictInput):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(None, max_length=200)
    town: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=10)
    from_date: date | None = None
    to_date: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> AddressIn:
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValueError("an address's end date is before its start date")
        return self


class ContactIn(StrictInput):
    kind: str = Field(pattern=r"^(phone|email)$")
    value: str = Field(min_length=3, max_length=200)


class IdentifierIn(StrictInput):
    scheme: IdentifierScheme
    value: str = Field(min_length=1, max_length=64)


class PersonCreate(StrictInput):
    first_name: str = Name
    middle_names: str | None = Field(None, max_length=200)
    last_name: str = Name
    date_of_birth: PastDate | None = None
    date_of_death: PastDate | None = None
    gender: str | None = Field(None, max_length=40)
    is_professional: bool = False
    organisation: str | None = Field(None, max_length=200)
    address_withheld: bool = False
    other_names: list[OtherName] = Field(default_factory=list, max_length=50)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=100)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _plausible_dates(self) -> PersonCreate:
        if self.date_of_birth and self.date_of_birth.year < 1880:
            raise ValueError("the date of birth is before 1880")
        if self.date_of_birth and self.date_of_death and self.date_of_death < self.date_of_birth:
            raise ValueError("the date of death is before the date of birth")
        return self


class CaseCreate(StrictInput):
    case_number: str = Field(min_length=3, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9/\-]{2,31}$")
    case_type: CaseType
    court: str | None = Field(None, max_length=200)
    local_authority: str | None = Field(None, max_length=200)
    opened_on: PastDate
    closed_on: PastDate | None = None
    record_class: str | None = Field(
        None, max_length=64, description="File-plan code; default by case type"
    )
    team: str | None = Field(None, max_length=64)

    @field_validator("case_number", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _closed_after_opened(self) -> CaseCreate:
        if self.closed_on and self.closed_on < self.opened_on:
            raise ValueError("the case is closed before it was opened")
        return self


class DocumentMeta(StrictInput):
    title: str = Field(min_length=1, max_length=300)
    kind: DocumentKind
    created_on: PastDate
    security_marking: SecurityMarking = SecurityMarking.OFFICIAL_SENSITIVE
    provenance: Provenance = Provenance.STAFF
    author_name: str | None = Field(None, max_length=200)
    subject_person_ids: list[int] = Field(default_factory=list, max_length=200)
    record_class: str | None = Field(None, max_length=64)


# --- reads ----------------------------------------------------------------------------


class PersonSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    middle_names: str | None
    last_name: str
    date_of_birth: date | None
    is_professional: bool


class PartyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: PartyRole
    person: PersonSummary


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    title: str
    kind: DocumentKind
    created_on: PastDate
    security_marking: SecurityMarking
    provenance: Provenance
    author_name: str | None
    media_type: str
    filename: str
    size_bytes: int
    extraction_note: str | None
    extraction_status: str = Field(
        description="pending or running (text not yet searchable), done, "
        "failed_bounds (too large to extract within limits) or failed (unreadable)"
    )
    extraction_reason: str | None = Field(
        None, description="Why the text was not extracted, as a code (e.g. xml_elements)"
    )
    added_at: datetime


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_number: str
    case_type: CaseType
    court: str | None
    local_authority: str | None
    opened_on: date
    closed_on: date | None
    status: CaseStatus
    team: str | None


class CaseDetail(CaseRead):
    record_class: str
    parties: list[PartyRead]
    documents: list[DocumentRead]


class AddressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line1: str
    line2: str | None
    town: str | None
    postcode: str | None
    from_date: date | None
    to_date: date | None


class OtherNameRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: NameKind
    first_name: str | None
    middle_names: str | None
    last_name: str | None


class IdentifierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    scheme: IdentifierScheme
    value: str


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    value: str


class PersonCaseRead(CaseRead):
    """A case the person is a party to, with the part they play in it."""

    role: PartyRole


class PersonDetail(PersonSummary):
    date_of_death: date | None
    gender: str | None
    organisation: str | None
    address_withheld: bool
    other_names: list[OtherNameRead]
    addresses: list[AddressRead]
    contacts: list[ContactRead]
    identifiers: list[IdentifierRead]
    cases: list[PersonCaseRead]


# --- corrections (Article 16) and restrictions (Article 18) ------------------------------

# A subject access request's reference, as the sar domain hands them out.
SarReference = Annotated[str, Field(pattern=r"^SAR-\d{4}-\d{5}$", max_length=20)]
REASON_MAX = 2000


class AddressCorrection(StrictInput):
    """A correction of one of the person's addresses: only the fields given change."""

    address_id: int
    line1: str | None = Field(None, min_length=1, max_length=200)
    line2: str | None = Field(None, max_length=200)
    town: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=10)
    from_date: date | None = None
    to_date: date | None = None


class IdentifierCorrection(StrictInput):
    """Set the person's identifier in a scheme; an empty value removes it."""

    scheme: IdentifierScheme
    value: str | None = Field(None, max_length=64)


class PersonCorrectionIn(StrictInput):
    """What to correct. A field left out stays as it is; a field given as null (where the
    record allows it: middle names, dates) is cleared. The reason is required: it is what
    the organisation shows a regulator to justify the change."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "last_name": "Okafor-Reid",
                    "reason": "Name changed by deed poll; the person sent a copy",
                    "sar_reference": None,
                }
            ]
        }
    )

    first_name: str | None = Field(None, min_length=1, max_length=100)
    middle_names: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: PastDate | None = None
    date_of_death: PastDate | None = None
    addresses: list[AddressCorrection] = Field(default_factory=list, max_length=100)
    identifiers: list[IdentifierCorrection] = Field(default_factory=list, max_length=20)
    reason: str = Field(min_length=1, max_length=REASON_MAX)
    sar_reference: SarReference | None = None


class RestrictionIn(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "The person contests the accuracy of the address while it is checked"}
            ]
        }
    )

    reason: str = Field(min_length=1, max_length=REASON_MAX)
    sar_reference: SarReference | None = None


class LiftIn(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The address was checked and corrected"}]}
    )

    reason: str = Field(min_length=1, max_length=REASON_MAX)


class CorrectionRead(BaseModel):
    """One correction as listed: when, by whom, which fields. The values before and after
    and the reason are present only for the information-governance team."""

    id: int
    corrected_at: datetime
    corrected_by: str | None
    fields: list[str]
    sar_reference: str | None
    previous: dict[str, object] | None = None
    new: dict[str, object] | None = None
    reason: str | None = None


class RestrictionRead(BaseModel):
    id: int
    person_id: int
    restricted_at: datetime
    sar_reference: str | None
    lifted_at: datetime | None
    reason: str | None = None
