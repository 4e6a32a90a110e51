"""What the platform's API reads and writes (Pydantic models; no personal data beyond usernames)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from steward.core.permissions import Role

# C0 control characters other than tab and line breaks: never part of a name or a title, and
# NUL cannot be stored at all by PostgreSQL (it would fail there as a server error, not a 422).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value: str | None) -> str | None:
    if value is not None and CONTROL_CHARS.search(value):
        raise ValueError("must not contain control characters")
    return value


class StrictInput(BaseModel):
    """What a person or a file sends in: unknown fields refused, text stripped, no controls."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        return no_control_characters(value) if isinstance(value, str) else value


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    role: Role
    team: str | None
    is_active: bool
    role_approved: bool = Field(
        description="False while the account's role awaits a second person's approval."
    )
    totp_enabled: bool
    last_signin_at: datetime | None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, examples=["a.caseworker"])
    role: Role
    team: str | None = Field(None, max_length=64)
    password: str = Field(min_length=12, max_length=256)


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class RoleGrantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    role: Role
    previous_role: Role | None
    requested_by: int | None
    requested_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    outcome: str | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, examples=["reporting script"])


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    display_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret. Shown once; store it now.")


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_kind: str
    actor_id: int | None
    tag: str
    subject_type: str | None
    subject_id: str | None
    details: dict[str, Any]
    hash: str

    @field_validator("details", mode="before")
    @classmethod
    def _parse_details(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class VerificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ok: bool
    events: int
    first_bad_seq: int | None
    problem: str | None


class Me(BaseModel):
    user: UserRead
    permissions: list[str]
