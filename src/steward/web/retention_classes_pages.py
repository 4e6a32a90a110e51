"""The file plan's pages for whoever manages retention (the records manager): each record
class with its rule in the schedule in force, its owner and its last review; a class's page
to name its owner and record a review of its rule. Thin: the services check permissions,
refuse bad input and record the audit events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core import clock
from steward.core.errors import ValidationFailed
from steward.core.permissions import Permission
from steward.records.service import file_plan
from steward.retention.service import class_reviews
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/retention/classes")
def classes_page(request: Request, db: DB, actor: PageActor) -> Response:
    found = class_reviews.file_plan_standings(db, actor)
    return render(
        request,
        "retention/classes.html",
        {
            "classes": found,
            "meeting": sum(1 for c in found if c.meets),
            "window_start": class_reviews.window_start(clock.today()),
        },
    )


def _class_page(
    request: Request, db: DB, actor: PageActor, class_id: int, page: Any, **extra: Any
) -> Response:
    standing = class_reviews.class_standing(db, actor, class_id)
    return render(
        request,
        "retention/class.html",
        {
            "standing": standing,
            "record_class": file_plan.get_class(db, class_id),
            "reviews": class_reviews.reviews(db, actor, class_id, page),
            "owners": file_plan.owner_choices(db),
            "outcomes": class_reviews.OUTCOME_WORDS,
            "form": extra.pop("form", {}),
            "errors": extra.pop("errors", {}),
            **extra,
        },
        status_code=422 if extra.get("error") else 200,
    )


@router.get("/retention/classes/{class_id}")
def class_page(
    request: Request, db: DB, actor: PageActor, class_id: Id, page: PageQuery
) -> Response:
    return _class_page(request, db, actor, class_id, page)


@router.post("/retention/classes/{class_id}/owner")
def set_owner(
    request: Request,
    db: DB,
    actor: PageActor,
    class_id: Id,
    page: PageQuery,
    owner_user_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    try:
        chosen = int(owner_user_id) if owner_user_id.strip() else None
    except ValueError:
        chosen = -1  # not an account: refused below like any other
    try:
        with db.begin_nested():
            file_plan.set_owner(db, actor, class_id=class_id, owner_user_id=chosen)
    except ValidationFailed as exc:
        return _class_page(request, db, actor, class_id, page, error=exc.message, errors=exc.errors)
    return RedirectResponse(f"/retention/classes/{class_id}", status_code=303)


@router.post("/retention/classes/{class_id}/reviews")
def record_review(
    request: Request,
    db: DB,
    actor: PageActor,
    class_id: Id,
    page: PageQuery,
    typed: Annotated[DateParts, date_parts("reviewed_on")],
    outcome: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    actor.require(Permission.RETENTION_MANAGE)
    reviewed_on = read_date(typed, "reviewed_on", what="The date of the review")
    form = {"reviewed_on": reviewed_on.parts, "outcome": outcome, "note": note}
    try:
        if reviewed_on.error or reviewed_on.value is None:
            raise ValidationFailed(
                "Check the answers below.",
                errors={"reviewed_on": reviewed_on.error or "Enter the date of the review"},
            )
        with db.begin_nested():
            class_reviews.record_review(
                db,
                actor,
                class_id=class_id,
                reviewed_on=reviewed_on.value,
                outcome=outcome,
                note=note,
            )
    except ValidationFailed as exc:
        return _class_page(
            request, db, actor, class_id, page, error=exc.message, errors=exc.errors, form=form
        )
    return RedirectResponse(f"/retention/classes/{class_id}", status_code=303)
