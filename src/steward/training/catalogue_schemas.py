"""What a person sends to change the course catalogue, the requirements and the organisation's
training settings: the same schemas behind the pages, the API and the command line.

Field rules live here (lengths, ranges, a course code's shape); rules that need the database
(a code already taken, a course retired, an LMS id another course uses) are the services'.
Each message says what to do, so a form can show it beside the field as it is."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from steward.core.permissions import Role
from steward.core.schemas import StrictInput
from steward.training.policy import Delivery, EmploymentType, RequirementKind, Topic

# "DP-INDUCTION": what an LMS export, the CLI and staff name a course by. Capitals, digits,
# hyphens and underscores only, so it is never read as a formula or an option.
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}\Z")
MAX_LMS_IDS = 20
MAX_FILTER_VALUES = 50
# A day of training at most is one course; a refresher interval of ten years is the longest
# anyone keeps; a requirement's deadline of two years covers any sensible induction plan.
MAX_DURATION_MINUTES = 24 * 60
MAX_VALIDITY_MONTHS = 120
MAX_DUE_WITHIN_DAYS = 730
# Steward accounts a requirement can name: every role but a partner organisation's users,
# who are not staff.
STAFF_ROLES = frozenset(r for r in Role if r is not Role.PARTNER)

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=10_000)]
Duration = Annotated[int, Field(ge=1, le=MAX_DURATION_MINUTES)]
Validity = Annotated[int, Field(ge=1, le=MAX_VALIDITY_MONTHS)]
PassMark = Annotated[int, Field(ge=0, le=100)]
ModuleSlug = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _code(value: str) -> str:
    code = value.strip().upper()
    if not code:
        raise ValueError("Enter a course code, for example DP-INDUCTION")
    if not CODE.match(code):
        raise ValueError(
            "A course code is up to 32 capital letters, digits, hyphens and underscores, "
            "starting with a letter or digit, for example DP-INDUCTION"
        )
    return code


def _lms_ids(values: list[str]) -> list[str]:
    kept: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if len(value) > 300:
            raise ValueError("An LMS id is at most 300 characters")
        if value not in kept:
            kept.append(value)
    if len(kept) > MAX_LMS_IDS:
        raise ValueError(f"Give at most {MAX_LMS_IDS} LMS ids")
    return kept


class CourseCreate(StrictInput):
    code: str = Field(max_length=64, examples=["DP-INDUCTION"])
    title: Title
    topic: Topic
    delivery: Delivery
    duration_minutes: Duration
    description: Description = ""
    validity_months: Validity | None = Field(
        None,
        description="Months a completion stays current (the refresher interval); none: never lapses",
    )
    pass_mark: PassMark | None = Field(
        None,
        description="Percentage needed to pass, where the course is assessed; none: not assessed",
    )
    lms_ids: list[str] = Field(
        default_factory=list,
        description="The Moodle course id or shortname and xAPI activity ids an LMS names it by",
    )
    module_slug: ModuleSlug | None = Field(
        None, description="The built-in e-learning module that teaches it, if any"
    )

    @field_validator("code")
    @classmethod
    def _check_code(cls, value: str) -> str:
        return _code(value)

    @field_validator("lms_ids")
    @classmethod
    def _check_lms(cls, value: list[str]) -> list[str]:
        return _lms_ids(value)


class CourseChange(StrictInput):
    """Only the fields sent are changed (the API's PATCH); the form sends them all. The code
    never changes: LMS exports and the CLI name the course by it."""

    title: Title | None = None
    topic: Topic | None = None
    delivery: Delivery | None = None
    duration_minutes: Duration | None = None
    description: Description | None = None
    validity_months: Validity | None = None
    pass_mark: PassMark | None = None
    lms_ids: list[str] | None = None
    module_slug: ModuleSlug | None = None

    @field_validator("lms_ids")
    @classmethod
    def _check_lms(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _lms_ids(value)

    @field_validator("title", "topic", "delivery", "duration_minutes", "description", "lms_ids")
    @classmethod
    def _stays_set(cls, value: object, info: ValidationInfo) -> object:
        # The refresher interval, pass mark and module may be cleared; these a course must have.
        if value is None:
            raise ValueError(f"{info.field_name} cannot be empty: leave it out to keep it as it is")
        return value


class VersionRelease(StrictInput):
    note: str = Field(min_length=1, max_length=4000, description="What changed in this version")
    requires_redo: bool = Field(
        description="From its release, earlier completions stop counting and everyone it "
        "applies to redoes the course within the requirement's days"
    )
    released_on: date | None = Field(None, description="Default: today")


class RequirementFilters(StrictInput):
    """Whom a requirement applies to. Each filter left out (or null) accepts anyone; a filter
    with values accepts anyone matching one of them (job roles and teams in any case)."""

    job_roles: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None
    teams: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = None
    employment_types: list[EmploymentType] | None = None
    account_roles: list[Role] | None = Field(
        None,
        description='Steward account roles: "SAR handlers" are ig_officer accounts, '
        '"managers" manager accounts',
    )

    @field_validator("job_roles", "teams")
    @classmethod
    def _distinct_words(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        kept: list[str] = []
        for item in value:
            if item.strip() and item.casefold() not in {k.casefold() for k in kept}:
                kept.append(item.strip())
        return _not_empty(kept)

    @field_validator("employment_types", "account_roles")
    @classmethod
    def _distinct_codes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _not_empty(list(dict.fromkeys(value)))

    @field_validator("account_roles")
    @classmethod
    def _staff_roles(cls, value: list[Role] | None) -> list[Role] | None:
        if value and Role.PARTNER in value:
            raise ValueError("Partner organisation users are not staff: choose staff roles")
        return value


class RequirementCreate(RequirementFilters):
    """Who must complete a course, and by when."""

    course_id: int = Field(ge=1, le=2**31 - 1)  # a key: PostgreSQL INTEGER
    kind: RequirementKind
    due_within_days: int | None = Field(
        None,
        ge=0,
        le=MAX_DUE_WITHIN_DAYS,
        description="Days from a person's start date (or the requirement's start, or a redo "
        "version's release) to complete it; an induction defaults to the organisation's "
        "induction days",
    )
    starts_on: date | None = Field(None, description="In force from this date; default: today")


def _not_empty(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("An empty list would match nobody: leave the filter out to accept anyone")
    if len(values) > MAX_FILTER_VALUES:
        raise ValueError(f"Give at most {MAX_FILTER_VALUES} values")
    return values


class RequirementEnd(StrictInput):
    ends_on: date | None = Field(
        None, description="No longer in force from this date (today or later); default: today"
    )


class PolicyChange(StrictInput):
    """Only the fields sent are changed."""

    induction_gate: bool | None = Field(
        None, description="Case content stays closed to anyone with an induction outstanding"
    )
    gate_off_reason: str | None = Field(
        None, max_length=2000, description="Required to turn the gate off; shown while it is off"
    )
    induction_days: int | None = Field(
        None, ge=0, le=365, description="Days a new starter has to complete induction"
    )
    due_soon_days: int | None = Field(
        None, ge=1, le=365, description="Days before a due date when training shows as due soon"
    )
    target_percent: int | None = Field(
        None,
        ge=1,
        le=100,
        description="The organisation's target for the share of staff trained, not law",
    )
