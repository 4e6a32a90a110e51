"""What the API says of the register of partners and agreements, and of the data sets, and
what it takes in to change them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from steward.core.schemas import StrictInput
from steward.intake import datasets
from steward.intake.policy import LawfulBasis, PartnerKind


def _offered(name: str) -> str:
    if name not in datasets.latest():
        raise ValueError("Choose a data set Steward offers")
    return name


# A data set's name, as the document lists them (the data set files shipped with this
# version), so a client knows the names before it is told one is not offered.
DatasetName = Annotated[
    str,
    AfterValidator(_offered),
    WithJsonSchema({"type": "string", "enum": datasets.names()}),
]


class PartnerRead(BaseModel):
    id: int
    code: str = Field(description="Short and stable: what the CLI and the API name it by")
    name: str
    kind: PartnerKind
    active: bool = Field(description="A partner that is not active can send nothing")
    created_at: datetime


class PartnerSummaryRead(PartnerRead):
    agreements_in_force: int
    accounts: int = Field(description="Partner organisation users' accounts linked to it")


class PartnerContactRead(BaseModel):
    id: int
    name: str
    email: str
    job_title: str | None
    receives_notices: bool = Field(
        description="Sent the feedback on each submission and word of each correction"
    )


class PartnerAccountRead(BaseModel):
    username: str
    active: bool


class AgreementRead(BaseModel):
    id: int
    partner_id: int
    reference: str
    title: str
    lawful_basis: LawfulBasis
    special_category_condition: str | None
    statutory_power: str
    datasets: list[str] = Field(description="The data sets it covers, by name")
    retention_months: int
    starts_on: date
    ends_on: date | None = Field(description="Its last day in force; none: open-ended")
    state: str = Field(description="not_yet, in_force or ended, today")


class PartnerDetail(PartnerRead):
    contacts: list[PartnerContactRead]
    accounts: list[PartnerAccountRead]
    agreements: list[AgreementRead] = Field(description="Newest first")


class PartnerCreate(StrictInput):
    code: str = Field(min_length=1, max_length=32, examples=["LA-BARSET"])
    name: str = Field(min_length=1, max_length=200)
    kind: PartnerKind


class PartnerChange(StrictInput):
    """Only the fields given change; the code never does."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: PartnerKind | None = None
    active: bool | None = None


class PartnerContactCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    job_title: str | None = Field(default=None, max_length=200)
    receives_notices: bool = True


class PartnerAccountIn(StrictInput):
    username: str = Field(min_length=1, max_length=64)


class AgreementCreate(StrictInput):
    reference: str = Field(min_length=1, max_length=64, examples=["DSA-2025-014"])
    title: str = Field(default="", max_length=200)
    lawful_basis: LawfulBasis
    special_category_condition: str | None = Field(default=None, max_length=300)
    statutory_power: str = Field(min_length=1, max_length=300)
    datasets: list[DatasetName] = Field(min_length=1, max_length=20)
    retention_months: int = Field(ge=1, le=1200)
    starts_on: date
    ends_on: date | None = None


class AgreementEnd(StrictInput):
    ends_on: date = Field(description="Its last day in force: today or later")


class DatasetFieldRead(BaseModel):
    name: str = Field(description="The column name in a file")
    label: str
    type: str
    required: bool
    max_length: int | None
    allowed_values: list[str]
    opinion: bool = Field(
        description="The partner's opinion, recorded apart from the facts and labelled so"
    )


class DatasetRead(BaseModel):
    name: str
    version: int
    title: str
    description: str
    template_url: str
    fields: list[DatasetFieldRead]


class OrganisationRead(BaseModel):
    """A partner account's own organisation; ``partner`` is none until it is linked."""

    partner: PartnerRead | None
    agreements: list[AgreementRead]
    datasets: list[DatasetRead] = Field(description="What it may send today")
