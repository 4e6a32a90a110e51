"""The record of processing's pages (/assurance/processing): the activities (counted, paged,
each complete or not), an activity with its history, the forms that record, change and review
one, the record classes and the activities they serve, and the exports (CSV and PDF).

Thin: the services check the permission on every call (reading: assurance:view; changing:
assurance:manage). A refused form comes back as typed, each message beside its field, and
nothing is changed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.assurance.processing import policy
from steward.assurance.processing.schemas import CLASS_CODE, ActivityInput, ReviewInput
from steward.assurance.processing.service import activities, exports, mapping
from steward.assurance.processing.service.common import owners, refused
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.api_contract import page_of_list
from steward.web.assurance.sections import sections_for
from steward.web.deps import DB, AppSettings, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import read_date, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

HOME = "/assurance/processing"
TEXT_FIELDS = (
    "name",
    "controller_contact",
    "dpo_contact",
    "purposes",
    "data_subjects",
    "data_categories",
    "recipients",
    "transfers",
    "erasure_limits",
    "security_measures",
)
CHOICE_FIELDS = ("lawful_basis", "art9_condition", "sch1_condition", "owner_user_id")
FLAGS = ("special_category", "criminal_offence")
DATES = ("last_reviewed_on", "next_review_on")
ALL_FIELDS = TEXT_FIELDS + CHOICE_FIELDS + FLAGS + DATES

HINTS: dict[str, str] = {
    "controller_contact": "The organisation's name, address and a contact for data protection",
    "dpo_contact": "How to reach the data protection officer",
    "purposes": "Why the data is processed",
    "data_subjects": "For example: children subject to proceedings, parents, carers",
    "data_categories": "For example: names, dates of birth, health, family circumstances",
    "recipients": "Who the data is disclosed to, for example the family court",
    "transfers": 'Transfers outside the UK and their safeguards; "None" if there are none',
    "erasure_limits": "In words; record classes mapped to the activity also answer this",
    "security_measures": "A general description: encryption, access control, training",
}


async def form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in form if k != "csrf_token"}
    data["lists"] = {k: form.getlist(k) for k in ("activity_ids", "class_codes")}
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]


def as_id(value: str | None) -> int | str | None:
    """A chosen account's id as a number; anything else is left for the schema to refuse."""
    return int(value) if value and value.isdigit() and len(value) < 11 else value


def common(actor: Actor) -> dict[str, Any]:
    return {
        "sections": sections_for(actor),
        "can_manage": actor.can(Permission.ASSURANCE_MANAGE),
        "field_titles": activities.field_titles(),
        "basis_titles": {k.value: v for k, v in policy.LAWFUL_BASIS_TITLES.items()},
    }


def choices(db: DB) -> dict[str, Any]:
    return {
        "bases": list(policy.LAWFUL_BASIS_TITLES.items()),
        "art9s": list(policy.ART9_TITLES.items()),
        "sch1s": [(c, policy.sch1_title(c)) for c in policy.Sch1Condition],
        "owners": owners(db),
        "hints": HINTS,
    }


@router.get(HOME)
def activities_page(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    listed = activities.list_activities(db, actor, page)
    unmapped = len(mapping.classes(db, actor, unmapped_only=True))
    return render(
        request,
        "assurance/processing/activities.html",
        {"activities": listed, "unmapped": unmapped, **common(actor)},
    )


def _parse(form: dict[str, Any]) -> tuple[ActivityInput, dict[str, dict[str, str]]]:
    """The form as an ActivityInput; the typed date parts come back to show again."""
    errors: dict[str, str] = {}
    parts: dict[str, dict[str, str]] = {}
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    for name in CHOICE_FIELDS:
        values[name] = str(form.get(name) or "") or None
    values["owner_user_id"] = as_id(values["owner_user_id"])
    for name in FLAGS:
        values[name] = form.get(name) == "yes"
    for name, what in (
        ("last_reviewed_on", "The last review"),
        ("next_review_on", "The next review"),
    ):
        answer = read_date(form, name, what=what, required=False)
        parts[name] = answer.parts
        values[name] = answer.value
        if answer.error:
            errors[name] = answer.error
    try:
        data = ActivityInput.model_validate(values)
    except ValidationError as exc:
        failed = refused(exc, "activity")
        errors = {**failed.errors, **errors}
        raise ValidationFailed(failed.message, errors=errors) from None
    if errors:
        # Every problem at once: the grounds are checked too, not only once the dates are right.
        errors = {**policy.condition_errors(activities.conditions(data)), **errors}
        raise ValidationFailed(
            "The activity could not be saved; nothing was changed.", errors=errors
        )
    return data, parts


def _form_values(activity: Any) -> dict[str, Any]:
    values = {name: getattr(activity, name) for name in ALL_FIELDS}
    for name in DATES:
        day = values[name]
        values[name] = (
            {"day": str(day.day), "month": str(day.month), "year": str(day.year)} if day else {}
        )
    return values


def _raw_values(form: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.get(name) or "" for name in TEXT_FIELDS + CHOICE_FIELDS}
    for name in FLAGS:
        values[name] = form.get(name) == "yes"
    for name in DATES:
        values[name] = {p: str(form.get(f"{name}-{p}") or "") for p in ("day", "month", "year")}
    return values


def _activity_form(
    request: Request,
    db: DB,
    actor: Actor,
    activity: Any,
    values: dict[str, Any],
    shown: dict[str, Any] | None = None,
) -> Response:
    shown = dict(shown or {})
    status = int(shown.pop("status_code", 200))
    return render(
        request,
        "assurance/processing/activity_form.html",
        {"activity": activity, "form": values, **choices(db), **common(actor), **shown},
        status_code=status,
    )


@router.get(HOME + "/new")
def new_activity_page(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    return _activity_form(request, db, actor, None, {"transfers": "", "name": ""})


@router.post(HOME + "/new")
def add_activity(request: Request, db: DB, actor: PageActor, form: FormData) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        data, _ = _parse(form)
        with db.begin_nested():
            created = activities.create(db, actor, data)
    except DomainError as exc:
        shown = refusal(exc, fields=ALL_FIELDS, summary="name")
        return _activity_form(request, db, actor, None, _raw_values(form), shown)
    return RedirectResponse(f"{HOME}/{created.id}", status_code=303)


@router.get(HOME + "/classes")
def classes_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    unmapped: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    rows = mapping.classes(db, actor, unmapped_only=unmapped == "yes")
    return render(
        request,
        "assurance/processing/classes.html",
        {
            "classes": page_of_list(rows, page),
            "unmapped": unmapped == "yes",
            "activity_choices": [(a.id, a.name) for a in activities.all_activities(db)],
            **common(actor),
        },
    )


@router.post(HOME + "/classes/{class_code}")
def map_class(
    request: Request,
    db: DB,
    actor: PageActor,
    class_code: Annotated[str, Path(max_length=64, pattern=CLASS_CODE)],
    form: FormData,
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    chosen = str(form.get("activity_id") or "")
    if chosen and not chosen.isdigit():
        raise ValidationFailed(
            "Choose an activity from the list.", errors={"activity_id": "Choose an activity"}
        )
    mapping.map_class(db, actor, class_code, int(chosen) if chosen else None)
    back = HOME + "/classes" + ("?unmapped=yes" if form.get("unmapped") == "yes" else "")
    return RedirectResponse(back, status_code=303)


@router.get(HOME + "/export.csv")
def export_csv(db: DB, actor: PageActor) -> Response:
    text = exports.activities_csv(db, actor)
    return download_response("record-of-processing.csv", "text/csv", text.encode("utf-8"))


@router.get(HOME + "/export.pdf")
def export_pdf(db: DB, actor: PageActor, settings: AppSettings) -> Response:
    data = exports.activities_pdf(db, actor, organisation=settings.organisation_name)
    return download_response("record-of-processing.pdf", "application/pdf", data)


@router.get(HOME + "/{activity_id}")
def activity_page(request: Request, db: DB, actor: PageActor, activity_id: Id) -> Response:
    row = activities.get(db, actor, activity_id)
    versions = activities.history(db, actor, activity_id)
    owner_names = dict(owners(db))
    return render(
        request,
        "assurance/processing/activity.html",
        {
            "row": row,
            "a": row.activity,
            "words": activities.words,
            "owner_names": owner_names,
            "versions": versions,
            "assets": activities.assets_of(db, activity_id),
            "rules": {r.code: r.rule for r in mapping.classes(db, actor)},
            "shown_fields": [f for f in activities.FIELDS if f not in ("name",)],
            **common(actor),
        },
    )


@router.get(HOME + "/{activity_id}/edit")
def edit_activity_page(request: Request, db: DB, actor: PageActor, activity_id: Id) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    activity = activities.get(db, actor, activity_id).activity
    return _activity_form(request, db, actor, activity, _form_values(activity))


@router.post(HOME + "/{activity_id}/edit")
def change_activity(
    request: Request, db: DB, actor: PageActor, activity_id: Id, form: FormData
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    activity = activities.get(db, actor, activity_id).activity
    try:
        data, _ = _parse(form)
        with db.begin_nested():
            activities.update(db, actor, activity_id, data)
    except DomainError as exc:
        shown = refusal(exc, fields=ALL_FIELDS, summary="name")
        return _activity_form(request, db, actor, activity, _raw_values(form), shown)
    return RedirectResponse(f"{HOME}/{activity_id}", status_code=303)


@router.post(HOME + "/{activity_id}/review")
def review_activity(
    request: Request, db: DB, actor: PageActor, activity_id: Id, form: FormData
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    answer = read_date(form, "reviewed_on", what="The review date")
    if answer.value is None:
        raise ValidationFailed(
            answer.error or "Enter the review date", errors={"reviewed_on": answer.error or ""}
        )
    activities.review(db, actor, activity_id, ReviewInput(reviewed_on=answer.value))
    return RedirectResponse(f"{HOME}/{activity_id}", status_code=303)
