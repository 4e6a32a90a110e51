"""The course catalogue's pages: the courses (counted, paged, filtered by topic and delivery),
a course with its versions and requirements, and the forms that add, change, version and
retire a course. Requirements' forms: catalogue_requirements.py; the organisation's training
settings: settings.py (both included here, so app.py registers one router).

Thin: the training services check the permission on every call. Those who manage training
change the catalogue; those who see compliance read it. A form refused comes back as typed,
with each message beside its field, and nothing is changed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.core import auth
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.training.catalogue_schemas import CourseChange, CourseCreate, VersionRelease
from steward.training.policy import Delivery, Topic
from steward.training.service import catalogue, requirements, settings
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render
from steward.web.training import catalogue_requirements, settings_pages
from steward.web.training.catalogue_words import blank_as_none, invalid, lines, words

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
router.include_router(catalogue_requirements.router)
router.include_router(settings_pages.router)

COURSES = "/training/courses"
COURSE_FIELDS = (
    "code",
    "title",
    "topic",
    "delivery",
    "duration_minutes",
    "description",
    "validity_months",
    "pass_mark",
    "lms_ids",
    "module_slug",
)


def common(db: DB, actor: Actor) -> dict[str, Any]:
    """What every catalogue page shows: the word tables, whether the reader may change the
    catalogue, and the induction gate's notice while it is off."""
    return {
        **words(),
        "can_manage": actor.can(Permission.TRAINING_MANAGE),
        "gate_off": settings.gate_off(db),
    }


def _choice(enum: type[Topic] | type[Delivery], value: str) -> Any:
    """A filter from the query string: blank for any; an unknown code is refused."""
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(
            "Choose a filter from the lists on the page.", errors={"filters": "Unknown filter"}
        ) from None


@router.get(COURSES)
def courses_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    topic: Annotated[str, Query(max_length=32)] = "",
    delivery: Annotated[str, Query(max_length=32)] = "",
    retired: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    listed = catalogue.courses(
        db,
        actor,
        page,
        topic=_choice(Topic, topic),
        delivery=_choice(Delivery, delivery),
        include_retired=retired == "yes",
    )
    return render(
        request,
        "training/courses.html",
        {
            "courses": listed,
            "filters": {"topic": topic, "delivery": delivery, "retired": retired},
            "topics": list(Topic),
            "deliveries": list(Delivery),
            **common(db, actor),
        },
    )


# --- a course ------------------------------------------------------------------------------


@router.get(COURSES + "/new")
def new_course_page(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _course_form(request, db, actor, None, {"lms_ids": ""})


@router.post(COURSES + "/new")
def add_course(
    request: Request,
    db: DB,
    actor: PageActor,
    code: Annotated[str, Form(max_length=64)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    topic: Annotated[str, Form(max_length=32)] = "",
    delivery: Annotated[str, Form(max_length=32)] = "",
    duration_minutes: Annotated[str, Form(max_length=20)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    validity_months: Annotated[str, Form(max_length=20)] = "",
    pass_mark: Annotated[str, Form(max_length=20)] = "",
    lms_ids: Annotated[str, Form(max_length=10_000)] = "",
    module_slug: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    values = (code, title, topic, delivery, duration_minutes, description, validity_months)
    form = dict(zip(COURSE_FIELDS, (*values, pass_mark, lms_ids, module_slug), strict=True))
    try:
        try:
            data = CourseCreate.model_validate(_course_answers(form))
        except ValidationError as exc:
            raise invalid(exc) from None
        with db.begin_nested():
            course = catalogue.create(db, actor, data)
    except DomainError as exc:
        shown = refusal(exc, fields=COURSE_FIELDS, summary="code")
        return _course_form(request, db, actor, None, form, **shown)
    return RedirectResponse(f"{COURSES}/{course.id}", status_code=303)


def _course_answers(form: dict[str, str]) -> dict[str, Any]:
    """The form's answers as the schema takes them: blanks as none, LMS ids one a line."""
    answers: dict[str, Any] = {
        name: blank_as_none(form[name])
        for name in ("topic", "delivery", "duration_minutes", "validity_months", "pass_mark")
    }
    answers |= {"title": form["title"], "description": form["description"]}
    answers["lms_ids"] = lines(form["lms_ids"])
    answers["module_slug"] = blank_as_none(form["module_slug"])
    if "code" in form:
        answers["code"] = form["code"]
    return answers


def _course_form(
    request: Request,
    db: DB,
    actor: Actor,
    course_id: int | None,
    form: dict[str, str],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    course = catalogue.get(db, actor, course_id) if course_id is not None else None
    return render(
        request,
        "training/course_form.html",
        {
            "course": course,
            "form": form,
            "topics": list(Topic),
            "deliveries": list(Delivery),
            **common(db, actor),
            **extra,
        },
        status_code=status_code,
    )


@router.get(COURSES + "/{course_id}")
def course_page(request: Request, db: DB, actor: PageActor, course_id: Id) -> Response:
    course = catalogue.get(db, actor, course_id)
    history = catalogue.versions(db, actor, course_id)
    return render(
        request,
        "training/course.html",
        {
            "course": course,
            "versions": history,
            "requirements": requirements.for_course(db, actor, course_id),
            "names": auth.usernames(
                db, (v.released_by_user_id for v in history if v.released_by_user_id)
            ),
            "retired": catalogue.is_retired(course),
            **common(db, actor),
        },
    )


@router.get(COURSES + "/{course_id}/edit")
def edit_course_page(request: Request, db: DB, actor: PageActor, course_id: Id) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    course = catalogue.get(db, actor, course_id)
    form = {
        "title": course.title,
        "topic": course.topic,
        "delivery": course.delivery,
        "duration_minutes": str(course.duration_minutes),
        "description": course.description,
        "validity_months": "" if course.validity_months is None else str(course.validity_months),
        "pass_mark": "" if course.pass_mark is None else str(course.pass_mark),
        "lms_ids": "\n".join(course.lms_ids or []),
        "module_slug": course.module_slug or "",
    }
    return _course_form(request, db, actor, course_id, form)


@router.post(COURSES + "/{course_id}/edit")
def change_course(
    request: Request,
    db: DB,
    actor: PageActor,
    course_id: Id,
    title: Annotated[str, Form(max_length=400)] = "",
    topic: Annotated[str, Form(max_length=32)] = "",
    delivery: Annotated[str, Form(max_length=32)] = "",
    duration_minutes: Annotated[str, Form(max_length=20)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    validity_months: Annotated[str, Form(max_length=20)] = "",
    pass_mark: Annotated[str, Form(max_length=20)] = "",
    lms_ids: Annotated[str, Form(max_length=10_000)] = "",
    module_slug: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    values = (title, topic, delivery, duration_minutes, description, validity_months)
    form = dict(zip(COURSE_FIELDS[1:], (*values, pass_mark, lms_ids, module_slug), strict=True))
    try:
        try:
            # Every field is sent: a blank refresher interval or pass mark clears it.
            data = CourseChange.model_validate(_course_answers(form))
        except ValidationError as exc:
            raise invalid(exc) from None
        with db.begin_nested():
            catalogue.change(db, actor, course_id, data)
    except DomainError as exc:
        shown = refusal(exc, fields=COURSE_FIELDS, summary="title")
        return _course_form(request, db, actor, course_id, form, **shown)
    return RedirectResponse(f"{COURSES}/{course_id}", status_code=303)


# --- versions and retiring -------------------------------------------------------------------


def _version_form(
    request: Request,
    db: DB,
    actor: Actor,
    course_id: int,
    form: dict[str, Any],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "training/version_form.html",
        {
            "course": catalogue.get(db, actor, course_id),
            "completed": catalogue.completed_by(db, actor, course_id),
            "form": form,
            **common(db, actor),
            **extra,
        },
        status_code=status_code,
    )


@router.get(COURSES + "/{course_id}/versions/new")
def new_version_page(request: Request, db: DB, actor: PageActor, course_id: Id) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _version_form(request, db, actor, course_id, {"released_on": {}})


@router.post(COURSES + "/{course_id}/versions/new")
def release_version(
    request: Request,
    db: DB,
    actor: PageActor,
    course_id: Id,
    typed: Annotated[DateParts, date_parts("released_on")],
    note: Annotated[str, Form(max_length=8000)] = "",
    requires_redo: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    released = read_date(typed, "released_on", what="The release date", required=False)
    form = {"note": note, "requires_redo": requires_redo, "released_on": released.parts}
    try:
        errors = {"released_on": released.error} if released.error else {}
        if requires_redo not in ("yes", "no"):
            errors["requires_redo"] = "Choose whether everyone must redo the course"
        if not note.strip():
            errors["note"] = "Say what changed in this version"
        if errors:
            raise ValidationFailed("Check the answers below.", errors=errors)
        try:
            data = VersionRelease(
                note=note, requires_redo=requires_redo == "yes", released_on=released.value
            )
        except ValidationError as exc:
            raise invalid(exc) from None
        with db.begin_nested():
            catalogue.release_version(db, actor, course_id, data)
    except DomainError as exc:
        shown = refusal(exc, fields=("note", "requires_redo", "released_on"), summary="note")
        return _version_form(request, db, actor, course_id, form, **shown)
    return RedirectResponse(f"{COURSES}/{course_id}#versions", status_code=303)


def _retire_page(
    request: Request, db: DB, actor: Actor, course_id: int, *, status_code: int = 200, **extra: Any
) -> Response:
    views = requirements.for_course(db, actor, course_id)
    return render(
        request,
        "training/retire.html",
        {
            "course": catalogue.get(db, actor, course_id),
            "in_force": [v for v in views if v.state == "in force"],
            **common(db, actor),
            **extra,
        },
        status_code=status_code,
    )


@router.get(COURSES + "/{course_id}/retire")
def retire_page(request: Request, db: DB, actor: PageActor, course_id: Id) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    return _retire_page(request, db, actor, course_id)


@router.post(COURSES + "/{course_id}/retire")
def retire_course(request: Request, db: DB, actor: PageActor, course_id: Id) -> Response:
    actor.require(Permission.TRAINING_MANAGE)
    try:
        with db.begin_nested():
            catalogue.retire(db, actor, course_id)
    except DomainError as exc:
        return _retire_page(request, db, actor, course_id, **refusal(exc, summary="retire"))
    return RedirectResponse(f"{COURSES}/{course_id}", status_code=303)
