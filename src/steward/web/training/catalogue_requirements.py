"""Setting a requirement on a course (with a preview of who it would apply to, in words and
in people on today's staff list) and ending one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training.catalogue_schemas import RequirementCreate, RequirementEnd
from steward.training.models import StaffMember
from steward.training.policy import EmploymentType, RequirementKind
from steward.training.service import catalogue, requirements, settings
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date, refusal
from steward.web.ids import Id
from steward.web.rendering import render
from steward.web.training.catalogue_words import STAFF_ROLES, invalid, lines, words

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

FIELDS = (
    "kind",
    "job_roles",
    "teams",
    "employment_types",
    "account_roles",
    "due_within_days",
    "starts_on",
)
# Beyond this many distinct teams or job roles on the staff list, the form asks for them typed
# rather than as a wall of checkboxes.
MAX_CHOICES = 40

Many = Annotated[list[str] | None, Form(max_length=100)]


def _known(db: DB, column: Any) -> list[str]:
    """Teams or job roles on the staff list, to choose from (HR's words, not typed again)."""
    found = db.scalars(select(column).where(column.is_not(None)).distinct().order_by(column))
    return [value for value in found if value][: MAX_CHOICES + 1]


def _options(known: list[str]) -> list[tuple[str, str, None]]:
    return [(v, v, None) for v in known] if len(known) <= MAX_CHOICES else []


def _form_page(
    request: Request,
    db: DB,
    actor: Actor,
    course_id: int,
    form: dict[str, Any],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    course = catalogue.get(db, actor, course_id)
    teams, job_roles = _known(db, StaffMember.team), _known(db, StaffMember.job_role)
    return render(
        request,
        "training/requirement_form.html",
        {
            "course": course,
            "form": form,
            "kinds": list(RequirementKind),
            "employment_types": list(EmploymentType),
            "account_roles": STAFF_ROLES,
            "team_options": _options(teams),
            "job_role_options": _options(job_roles),
            "induction_days": settings.read(db, actor).induction_days,
            **words(),
            "can_manage": True,
            "gate_off": settings.gate_off(db),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/training/courses/{course_id}/requirements/new")
def new_requirement_page(request: Request, db: DB, actor: PageActor, course_id: Id) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _form_page(request, db, actor, course_id, {"starts_on": {}})


def _chosen(choices: list[str] | None, typed: str = "") -> list[str] | None:
    """Checkboxes ticked plus any typed one a line; none of either accepts anyone."""
    picked = [c for c in (choices or []) if c] + lines(typed)
    return picked or None


@router.post("/training/courses/{course_id}/requirements/new")
def preview_or_set(
    request: Request,
    db: DB,
    actor: PageActor,
    course_id: Id,
    typed: Annotated[DateParts, date_parts("starts_on")],
    kind: Annotated[str, Form(max_length=32)] = "",
    teams: Many = None,
    other_teams: Annotated[str, Form(max_length=5000)] = "",
    job_roles: Many = None,
    other_job_roles: Annotated[str, Form(max_length=5000)] = "",
    employment_types: Many = None,
    account_roles: Many = None,
    due_within_days: Annotated[str, Form(max_length=20)] = "",
    action: Annotated[str, Form(max_length=16)] = "preview",
) -> Response:
    """``action=preview`` shows who it would apply to and changes nothing; ``save`` sets it."""
    actor.require(Permission.TRAINING_MANAGE)
    starts = read_date(typed, "starts_on", what="The date it comes into force", required=False)
    form: dict[str, Any] = {
        "kind": kind,
        "teams": teams or [],
        "other_teams": other_teams,
        "job_roles": job_roles or [],
        "other_job_roles": other_job_roles,
        "employment_types": employment_types or [],
        "account_roles": account_roles or [],
        "due_within_days": due_within_days,
        "starts_on": starts.parts,
    }
    try:
        if starts.error:
            raise ValidationFailed("Check the answers below.", errors={"starts_on": starts.error})
        try:
            data = RequirementCreate.model_validate(
                {
                    "course_id": course_id,
                    "kind": kind or None,
                    "job_roles": _chosen(job_roles, other_job_roles),
                    "teams": _chosen(teams, other_teams),
                    "employment_types": _chosen(employment_types),
                    "account_roles": _chosen(account_roles),
                    "due_within_days": due_within_days.strip() or None,
                    "starts_on": starts.value,
                }
            )
        except ValidationError as exc:
            raise invalid(exc) from None
        if action != "save":
            who, people = requirements.preview(db, actor, data)
            return _form_page(
                request, db, actor, course_id, form, preview={"who": who, "people": people}
            )
        with db.begin_nested():
            requirements.set_requirement(db, actor, data)
    except DomainError as exc:
        shown = refusal(exc, fields=FIELDS, summary="kind")
        return _form_page(request, db, actor, course_id, form, **shown)
    return RedirectResponse(f"/training/courses/{course_id}#requirements", status_code=303)


def _end_page(
    request: Request,
    db: DB,
    actor: Actor,
    requirement_id: int,
    form: dict[str, Any],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    requirement = requirements.get(db, actor, requirement_id)
    course = catalogue.get(db, actor, requirement.course_id)
    view = next(
        v
        for v in requirements.for_course(db, actor, course.id)
        if v.requirement.id == requirement_id
    )
    return render(
        request,
        "training/requirement_end.html",
        {
            "course": course,
            "view": view,
            "form": form,
            **words(),
            "can_manage": True,
            "gate_off": settings.gate_off(db),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/training/requirements/{requirement_id}/end")
def end_requirement_page(
    request: Request, db: DB, actor: PageActor, requirement_id: Id
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _end_page(request, db, actor, requirement_id, {"ends_on": {}})


@router.post("/training/requirements/{requirement_id}/end")
def end_requirement(
    request: Request,
    db: DB,
    actor: PageActor,
    requirement_id: Id,
    typed: Annotated[DateParts, date_parts("ends_on")],
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    ends = read_date(typed, "ends_on", what="The date it ends", required=False)
    form = {"ends_on": ends.parts}
    try:
        if ends.error:
            raise ValidationFailed("Check the answers below.", errors={"ends_on": ends.error})
        with db.begin_nested():
            ended = requirements.end(db, actor, requirement_id, RequirementEnd(ends_on=ends.value))
    except DomainError as exc:
        shown = refusal(exc, fields=("ends_on",), summary="ends_on")
        return _end_page(request, db, actor, requirement_id, form, **shown)
    return RedirectResponse(f"/training/courses/{ended.course_id}#requirements", status_code=303)
