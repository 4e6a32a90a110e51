"""The information asset register's pages (/assurance/assets): the assets (counted, paged,
filtered by kind), an asset, the forms that record and change one, and the CSV export.
Thin: the services check assurance:view to read and assurance:manage to change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from steward.assurance.processing.schemas import AssetInput
from steward.assurance.processing.service import activities, assets, exports, mapping
from steward.assurance.processing.service.common import owners, refused
from steward.core.errors import DomainError, ValidationFailed
from steward.core.permissions import Actor, Permission
from steward.web.assurance.processing import FormData, as_id, common
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.downloads import download_response
from steward.web.forms import read_date, refusal
from steward.web.ids import Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

HOME = "/assurance/assets"
FIELDS = (
    "name",
    "kind",
    "location",
    "owner_user_id",
    "security_notes",
    "next_review_on",
    "activity_ids",
    "class_codes",
)
KINDS = (("paper", "Paper"), ("electronic", "Electronic"))


@router.get(HOME)
def assets_page(
    request: Request,
    db: DB,
    actor: PageActor,
    page: PageQuery,
    kind: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    listed = assets.list_assets(db, actor, page, kind=kind or None)
    return render(
        request,
        "assurance/processing/assets.html",
        {"assets": listed, "kind": kind, "kinds": KINDS, **common(actor)},
    )


def _parse(form: dict[str, Any]) -> AssetInput:
    errors: dict[str, str] = {}
    review = read_date(form, "next_review_on", what="The next review", required=False)
    if review.error:
        errors["next_review_on"] = review.error
    lists = form.get("lists") or {}
    ids = [i for i in lists.get("activity_ids", []) if isinstance(i, str)]
    if any(not i.isdigit() for i in ids):
        errors["activity_ids"] = "Choose activities from the list"
    values = {
        "name": str(form.get("name") or ""),
        "kind": str(form.get("kind") or ""),
        "location": str(form.get("location") or ""),
        "owner_user_id": as_id(str(form.get("owner_user_id") or "") or None),
        "security_notes": str(form.get("security_notes") or ""),
        "next_review_on": review.value,
        "activity_ids": [int(i) for i in ids if i.isdigit() and len(i) < 11],
        "class_codes": [c for c in lists.get("class_codes", []) if isinstance(c, str)],
    }
    try:
        data = AssetInput.model_validate(values)
    except ValidationError as exc:
        failed = refused(exc, "asset")
        errors = {k.split(".")[0]: v for k, v in failed.errors.items()} | errors
        if "kind" in errors:
            errors["kind"] = "Choose paper or electronic"
        raise ValidationFailed(failed.message, errors=errors) from None
    if errors:
        raise ValidationFailed("The asset could not be saved; nothing was changed.", errors=errors)
    return data


def _form(
    request: Request,
    db: DB,
    actor: Actor,
    asset: Any,
    values: dict[str, Any],
    shown: dict[str, Any] | None = None,
) -> Response:
    shown = dict(shown or {})
    status = int(shown.pop("status_code", 200))
    return render(
        request,
        "assurance/processing/asset_form.html",
        {
            "asset": asset,
            "form": values,
            "kinds": KINDS,
            "owners": owners(db),
            "activity_options": [(str(a.id), a.name, None) for a in activities.all_activities(db)],
            "class_options": [(code, name, code) for code, name, _ in mapping.file_plan(db)],
            **common(actor),
            **shown,
        },
        status_code=status,
    )


def _values(row: assets.AssetRow) -> dict[str, Any]:
    a = row.asset
    day = a.next_review_on
    return {
        "name": a.name,
        "kind": a.kind,
        "location": a.location,
        "owner_user_id": str(a.owner_user_id or ""),
        "security_notes": a.security_notes,
        "next_review_on": {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
        if day
        else {},
        "activity_ids": [str(i) for i, _ in row.activities],
        "class_codes": list(row.class_codes),
    }


def _raw(form: dict[str, Any]) -> dict[str, Any]:
    lists = form.get("lists") or {}
    return {
        **{
            k: str(form.get(k) or "")
            for k in ("name", "kind", "location", "owner_user_id", "security_notes")
        },
        "next_review_on": {
            p: str(form.get(f"next_review_on-{p}") or "") for p in ("day", "month", "year")
        },
        "activity_ids": [str(i) for i in lists.get("activity_ids", [])],
        "class_codes": [str(c) for c in lists.get("class_codes", [])],
    }


@router.get(HOME + "/new")
def new_asset_page(request: Request, db: DB, actor: PageActor) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    return _form(request, db, actor, None, {"activity_ids": [], "class_codes": []})


@router.post(HOME + "/new")
def add_asset(request: Request, db: DB, actor: PageActor, form: FormData) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    try:
        data = _parse(form)
        with db.begin_nested():
            created = assets.create(db, actor, data)
    except DomainError as exc:
        return _form(
            request, db, actor, None, _raw(form), refusal(exc, fields=FIELDS, summary="name")
        )
    return RedirectResponse(f"{HOME}/{created.id}", status_code=303)


@router.get(HOME + "/export.csv")
def export_csv(db: DB, actor: PageActor) -> Response:
    text = exports.assets_csv(db, actor)
    return download_response("information-assets.csv", "text/csv", text.encode("utf-8"))


@router.get(HOME + "/{asset_id}")
def asset_page(request: Request, db: DB, actor: PageActor, asset_id: Id) -> Response:
    row = assets.get(db, actor, asset_id)
    names = {code: name for code, name, _ in mapping.file_plan(db)}
    return render(
        request,
        "assurance/processing/asset.html",
        {"row": row, "a": row.asset, "class_names": names, **common(actor)},
    )


@router.get(HOME + "/{asset_id}/edit")
def edit_asset_page(request: Request, db: DB, actor: PageActor, asset_id: Id) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    row = assets.get(db, actor, asset_id)
    return _form(request, db, actor, row.asset, _values(row))


@router.post(HOME + "/{asset_id}/edit")
def change_asset(
    request: Request, db: DB, actor: PageActor, asset_id: Id, form: FormData
) -> Response:
    actor.require(Permission.ASSURANCE_MANAGE)
    row = assets.get(db, actor, asset_id)
    try:
        data = _parse(form)
        with db.begin_nested():
            assets.update(db, actor, asset_id, data)
    except DomainError as exc:
        return _form(
            request, db, actor, row.asset, _raw(form), refusal(exc, fields=FIELDS, summary="name")
        )
    return RedirectResponse(f"{HOME}/{asset_id}", status_code=303)
