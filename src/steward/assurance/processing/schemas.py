"""What the pages and the API send to record an activity or an asset, checked field by field
(lengths, choices from the fixed lists); rules across fields are the service's (policy)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field, StrictBool, field_validator

from steward.assurance.processing.policy import Art9Condition, LawfulBasis, Sch1Condition
from steward.core.schemas import StrictInput

TEXT = 4_000  # a register entry is a paragraph or two, not a document
MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER
AnId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    # Lax parsing would read 0 or "1700000000" as a date: a caller who sent that made a
    # mistake and must hear so (as the API's query dates, web.api_contract.IsoDate).
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
# A record class code as the file plan writes them: "CASE.PRIVATE", "SAR".
CLASS_CODE = r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$"
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=CLASS_CODE)]


class ActivityInput(StrictInput):
    name: str = Field(min_length=1, max_length=200, description="What the activity is called")
    controller_contact: str = Field("", max_length=TEXT)
    dpo_contact: str = Field("", max_length=TEXT)
    purposes: str = Field("", max_length=TEXT)
    data_subjects: str = Field("", max_length=TEXT, description="Categories of data subjects")
    data_categories: str = Field("", max_length=TEXT, description="Categories of personal data")
    recipients: str = Field("", max_length=TEXT)
    transfers: str = Field(
        "", max_length=TEXT, description='Transfers to third countries and safeguards, or "None"'
    )
    erasure_limits: str = Field(
        "", max_length=TEXT, description="In words; record classes mapped to it also answer it"
    )
    security_measures: str = Field("", max_length=TEXT)
    lawful_basis: LawfulBasis | None = None
    special_category: StrictBool = False
    criminal_offence: StrictBool = False
    art9_condition: Art9Condition | None = None
    sch1_condition: Sch1Condition | None = None
    owner_user_id: AnId | None = None
    last_reviewed_on: IsoDate | None = None
    next_review_on: IsoDate | None = None

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Enter the activity's name")
        return value.strip()


class ReviewInput(StrictInput):
    reviewed_on: IsoDate
    next_review_on: IsoDate | None = Field(None, description="Default: 12 months after the review")


class AssetInput(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern="^(paper|electronic)$", description="paper or electronic")
    location: str = Field("", max_length=300, description="Where it is kept, or the system")
    owner_user_id: AnId | None = None
    security_notes: str = Field("", max_length=TEXT)
    next_review_on: IsoDate | None = None
    activity_ids: list[AnId] = Field(default_factory=list, max_length=200)
    class_codes: list[Code] = Field(default_factory=list, max_length=200)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Enter the asset's name")
        return value.strip()


class MappingInput(StrictInput):
    activity_id: AnId | None = Field(None, description="null: unmap")
