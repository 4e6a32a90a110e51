"""How the catalogue's codes read on a page, and form answers read back into the schemas.

Shared by the course, requirement and settings pages (web/training/catalogue.py,
catalogue_requirements.py, settings.py); the API speaks the codes themselves."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from steward.core.errors import ValidationFailed
from steward.core.permissions import ROLE_NAMES, Role
from steward.training.policy import Delivery, EmploymentType, RequirementKind, Topic

TOPIC = {
    Topic.DATA_PROTECTION: "Data protection",
    Topic.CYBER_SECURITY: "Cyber security",
    Topic.REMOTE_WORKING: "Remote working",
    Topic.RECORDS_MANAGEMENT: "Records management",
    Topic.SAR_HANDLING: "Subject access request handling",
    Topic.INFORMATION_SHARING: "Information sharing",
    Topic.MANAGEMENT: "Management",
    Topic.OTHER: "Other",
}
DELIVERY = {
    Delivery.E_LEARNING: "E-learning",
    Delivery.CLASSROOM: "Classroom",
    Delivery.WEBINAR: "Webinar",
    Delivery.READING: "Reading with acknowledgement",
}
KIND = {
    RequirementKind.INDUCTION: "Induction",
    RequirementKind.MANDATORY: "Mandatory",
    RequirementKind.SPECIALIST: "Specialist",
}
KIND_HINT = {
    RequirementKind.INDUCTION: (
        "Before any access to personal data: while the induction gate is on, case content "
        "stays closed to anyone who has not completed it."
    ),
    RequirementKind.MANDATORY: "Everyone it applies to, refreshed at the course's interval.",
    RequirementKind.SPECIALIST: (
        "For specialist roles: subject access request handlers, records staff, managers."
    ),
}
EMPLOYMENT = {
    EmploymentType.PERMANENT: "Permanent",
    EmploymentType.TEMPORARY: "Temporary",
    EmploymentType.CONTRACTOR: "Contractor",
    EmploymentType.VOLUNTEER: "Volunteer",
}
# The accounts a requirement can name, with the specialist role people call them by.
ACCOUNT_ROLE_HINT = {Role.IG_OFFICER: "Subject access request handlers and records staff"}
STAFF_ROLES = [r for r in Role if r is not Role.PARTNER]

# What a form says when a field breaks a schema rule (the API keeps Pydantic's wording).
FIELD_WORDS = {
    "title": "Enter a title of up to 200 characters",
    "topic": "Choose a topic",
    "delivery": "Choose how the course is delivered",
    "duration_minutes": "Enter the duration in whole minutes, from 1 to 1440",
    "description": "Keep the description under 10,000 characters",
    "validity_months": (
        "Enter the refresher interval in whole months from 1 to 120, or leave it blank if "
        "a completion never lapses"
    ),
    "pass_mark": (
        "Enter the pass mark as a whole number from 0 to 100, or leave it blank if the course "
        "is not assessed"
    ),
    "module_slug": "Enter the module's name in small letters, digits and hyphens, like dp-basics",
    "note": "Say what changed in this version, in up to 4,000 characters",
    "requires_redo": "Choose whether everyone must redo the course",
    "kind": "Choose the kind of requirement",
    "due_within_days": "Enter the number of days in whole days from 0 to 730",
    "job_roles": "Each job role is up to 100 characters",
    "teams": "Each team is up to 64 characters",
    "employment_types": "Choose employment types from the list",
    "account_roles": "Choose account roles from the list",
    "induction_gate": "Choose whether the induction gate is on",
    "gate_off_reason": "Keep the reason under 2,000 characters",
    "induction_days": "Enter the induction days in whole days from 0 to 365",
    "due_soon_days": "Enter the due-soon days in whole days from 1 to 365",
    "target_percent": "Enter the target as a whole percentage from 1 to 100",
}

# Rules whose own message says more than the field's words above.
OWN_WORDS = frozenset({"code", "lms_ids", "account_roles"})


def words() -> dict[str, Any]:
    """The word tables every catalogue template reads, keyed by code."""
    return {
        "topic_words": {t.value: w for t, w in TOPIC.items()},
        "delivery_words": {d.value: w for d, w in DELIVERY.items()},
        "kind_words": {k.value: w for k, w in KIND.items()},
        "kind_hints": {k.value: w for k, w in KIND_HINT.items()},
        "employment_words": {e.value: w for e, w in EMPLOYMENT.items()},
        "role_words": {r.value: ROLE_NAMES[r] for r in STAFF_ROLES},
        "role_hints": {r.value: w for r, w in ACCOUNT_ROLE_HINT.items()},
        # (value, words, hint) as the radios and checkboxes macros take them.
        "delivery_options": [(d.value, w, None) for d, w in DELIVERY.items()],
        "kind_options": [(k.value, w, KIND_HINT[k]) for k, w in KIND.items()],
        "employment_options": [(e.value, w, None) for e, w in EMPLOYMENT.items()],
        "role_options": [(r.value, ROLE_NAMES[r], ACCOUNT_ROLE_HINT.get(r)) for r in STAFF_ROLES],
    }


def invalid(exc: ValidationError) -> ValidationFailed:
    """A schema's refusal as a form's: one message per field, beside it and in the summary.
    A rule with its own words (a course code's shape) keeps them; the rest read as above."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        if field in errors:
            continue
        if error["type"] == "value_error" and field in OWN_WORDS:
            errors[field] = str(error["msg"]).removeprefix("Value error, ")
        else:
            errors[field] = FIELD_WORDS.get(field, str(error["msg"]))
    return ValidationFailed("Check the answers below.", errors=errors)


def blank_as_none(value: str) -> str | None:
    value = value.strip()
    return value or None


def lines(value: str) -> list[str]:
    """A text area's non-blank lines."""
    return [line.strip() for line in value.splitlines() if line.strip()]
