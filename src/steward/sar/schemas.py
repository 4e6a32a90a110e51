"""What a request is made of when it arrives, checked before anything is stored."""

from __future__ import annotations

from datetime import date

from pydantic import EmailStr, Field, field_validator, model_validator

from steward.core import clock
from steward.core.schemas import StrictInput
from steward.sar.clock import Region
from steward.sar.policy import Channel, RequesterType, Right, needs_authority


class PersonDetails(StrictInput):
    """Who someone is, as they told us: enough to find their records and to reply."""

    full_name: str = Field(min_length=1, max_length=200)
    previous_names: list[str] = Field(default_factory=list, max_length=10)
    date_of_birth: date | None = None
    address: str | None = Field(None, max_length=500)
    previous_addresses: list[str] = Field(default_factory=list, max_length=10)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=40)

    @field_validator("date_of_birth")
    @classmethod
    def _born_in_the_past(cls, value: date | None) -> date | None:
        if value is not None and value > clock.today():
            raise ValueError("a date of birth must be in the past")
        return value


class SarCreate(StrictInput):
    right: Right = Right.ACCESS
    requester_type: RequesterType
    channel: Channel
    received_on: date
    requester: PersonDetails
    # Who the request is about, when not the requester (a parent asking for a child, a
    # solicitor for a client). None: the requester is the subject.
    subject: PersonDetails | None = None
    description: str = Field("", max_length=5000)  # what they want, in their words
    id_required: bool = False  # only where there is reasonable doubt who they are
    region: Region | None = None  # None: the organisation's

    @field_validator("received_on")
    @classmethod
    def _not_in_the_future(cls, value: date) -> date:
        if value > clock.today():
            raise ValueError("the day the request arrived cannot be in the future")
        return value

    @model_validator(mode="after")
    def _someone_else_is_named(self) -> SarCreate:
        if needs_authority(self.requester_type) and self.subject is None:
            raise ValueError("a request made for someone else must say who it is about")
        return self

    @property
    def authority_required(self) -> bool:
        return needs_authority(self.requester_type)
