"""What the platform's API reads and writes (Pydantic models; no personal data beyond usernames)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from steward.core.errors import ValidationFailed
from steward.core.permissions import Role

# Characters no name, title, reason or reference may hold: every control (Unicode category
# Cc) but tab and line breaks, every format character (Cf: the bidirectional overrides and
# isolates that make text display in another order than it is stored, zero-width spaces and
# joiners, the byte-order mark), lone surrogates (Cs, which no database can store) and the
# Unicode line and paragraph separators. NUL in particular cannot be stored by PostgreSQL at
# all. tests/core/test_input_rule.py holds this list to Python's own Unicode tables.
FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
FORBIDDEN_MESSAGE = "must not contain control characters or invisible formatting characters"


T = TypeVar("T")


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("Leave the field out rather than sending null")
    return value


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # "default": null would contradict the type shown


# A field that may be left out (its default, None, then applies) but, when sent, must hold a
# value: the document shows no ``null`` (a client sending one is told so with 422), which is
# the rule the services keep. Give it ``= None`` as its default.
Omittable = Annotated[
    T | SkipJsonSchema[None],
    BeforeValidator(_not_null),
    Field(json_schema_extra=_no_default),
]

_FIELD_KINDS: dict[tuple[type, str], frozenset[type]] = {}


def _scalar_kinds(annotation: Any) -> frozenset[type]:
    """The plain types a field's annotation allows (``int | None`` gives int), unwrapping
    unions and Annotated; an enum counts as none of them."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_kinds(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return frozenset().union(*(_scalar_kinds(a) for a in get_args(annotation)))
    if annotation in (bool, int, float, date, datetime):
        return frozenset({annotation})
    return frozenset()


def forbidden_character(value: str) -> str | None:
    """The first character of ``value`` that the input rule refuses, or None."""
    found = FORBIDDEN_CHARS.search(value)
    return found.group() if found else None


def no_control_characters(value: str | None) -> str | None:
    if value is not None and FORBIDDEN_CHARS.search(value):
        raise ValueError(FORBIDDEN_MESSAGE)
    return value


def require_plain_text(value: str, field: str) -> str:
    """The input rule for text that reaches a service without a schema (a form field, a
    command-line argument): refused with a message naming the field, never the value."""
    if FORBIDDEN_CHARS.search(value):
        raise ValidationFailed(
            f"The {field.replace('_', ' ')} {FORBIDDEN_MESSAGE}. Retype it rather than pasting.",
            errors={field: f"Remove control or invisible characters from the {field}"},
        )
    return value


class StrictInput(BaseModel):
    """What a person or a file sends in: unknown fields refused, text stripped, no controls,
    and a JSON number, true/false or date sent where it was asked for (see _kinds_kept)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="wrap")
    @classmethod
    def _kinds_kept(
        cls, value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> object:
        """Pydantic's lax parsing reads 0 as false, false as 0 and 1700000000 as a date. A
        form never sends those (its fields are text, parsed as before), but a program that
        sends them has a bug it must hear about rather than have guessed at."""
        key = (cls, info.field_name or "")
        kinds = _FIELD_KINDS.get(key)
        if kinds is None:
            field = cls.model_fields.get(key[1])
            kinds = _scalar_kinds(field.annotation) if field is not None else frozenset()
            _FIELD_KINDS[key] = kinds
        numbers = kinds & {int, float}
        if isinstance(value, bool) and numbers and bool not in kinds:
            raise PydanticCustomError("number_type", "Give a number, not true or false")
        if isinstance(value, int | float) and not isinstance(value, bool) and not numbers:
            if bool in kinds:
                raise PydanticCustomError("bool_type", "Give true or false, not a number")
            if kinds & {date, datetime}:
                raise PydanticCustomError("date_type", "Give a date as text: YYYY-MM-DD")
        return handler(value)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        _check_text(value)
        return value


def _check_text(value: object) -> None:
    """The rule on a field's value, and on the strings inside a list or mapping of them."""
    if isinstance(value, str):
        no_control_characters(value)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)


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


class UserCreate(StrictInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "a.smith",
                    "role": "caseworker",
                    "team": "North",
                    "password": "a quiet harbour at dawn",
                }
            ]
        }
    )

    username: str = Field(min_length=3, max_length=64, examples=["a.caseworker"])
    role: Role
    team: str | None = Field(None, max_length=64)
    password: str = Field(min_length=12, max_length=256)


class RoleChange(StrictInput):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "manager"}]})

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


class TokenCreate(StrictInput):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "nightly report"}]})

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
