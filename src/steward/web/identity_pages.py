"""Web pages of the identity domain: find a person across all cases; the queue of suspected
duplicates; compare two records side by side, merge them or record that they are two people;
un-merge.

The search form is posted, never put in the URL: the words are names, and a URL ends up in
browser history and proxy logs. Ids in URLs are record numbers, not personal data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.errors import ValidationFailed
from steward.core.permissions import Permission
from steward.identity import service
from steward.identity.service import PersonQuery
from steward.web.deps import DB, PageActor, csrf_protect, reads_only
from steward.web.forms import DateParts, date_parts, read_date
from steward.web.ids import MAX_ID, FormId, Id
from steward.web.paging import PageQuery
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "previous_last_names",
    "dob",
    "postcode",
    "previous_postcodes",
)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(",", ";").split(";") if p.strip())


@router.get("/search/people")
def find_form(request: Request, db: DB, actor: PageActor) -> Response:
    service.require_search(db, actor)
    return render(request, "identity/find.html", {"form": {}, "dob": {}, "candidates": None})


@router.post("/search/people")
@reads_only
def find(
    request: Request,
    db: DB,
    actor: PageActor,
    typed: Annotated[DateParts, date_parts("dob")],
    first_name: Annotated[str, Form(max_length=100)] = "",
    middle_names: Annotated[str, Form(max_length=200)] = "",
    last_name: Annotated[str, Form(max_length=100)] = "",
    previous_last_names: Annotated[str, Form(max_length=400)] = "",
    postcode: Annotated[str, Form(max_length=20)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    previous_postcodes: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    service.require_search(db, actor)
    form = {
        "first_name": first_name,
        "middle_names": middle_names,
        "last_name": last_name,
        "previous_last_names": previous_last_names,
        "postcode": postcode,
        "address": address,
        "previous_postcodes": previous_postcodes,
    }
    dob = read_date(
        typed,
        "dob",
        what="Date of birth",
        required=False,
    )
    try:
        if dob.error:
            raise ValidationFailed(dob.error, errors={"dob": dob.error})
        query = PersonQuery(
            first_name=first_name,
            last_name=last_name,
            middle_names=middle_names or None,
            previous_last_names=_split(previous_last_names),
            dob=dob.value,
            postcode=postcode or None,
            address=address or None,
            previous_postcodes=_split(previous_postcodes),
        )
        candidates = service.find_people(db, query, actor=actor)
    except ValidationFailed as exc:
        return render(
            request,
            "identity/find.html",
            {
                "form": form,
                "dob": dob.parts,
                "candidates": None,
                "error": exc.message,
                "errors": exc.errors,
            },
            status_code=422,
        )
    people = service.person_summaries(db, [c.person_id for c in candidates])
    return render(
        request,
        "identity/find.html",
        {"form": form, "dob": dob.parts, "candidates": candidates, "people": people},
    )


@router.get("/people/duplicates")
def duplicates_queue(request: Request, db: DB, actor: PageActor, page: PageQuery) -> Response:
    queue = service.duplicate_queue(db, actor=actor, page=page)
    return render(
        request,
        "identity/duplicates.html",
        {
            "page": queue,
            "last_check": service.last_check(db),
            "checked": request.query_params.get("checked") == "1",
            "not_same": request.query_params.get("not_same") == "1",
        },
    )


@router.post("/people/duplicates/check")
def check_duplicates(db: DB, actor: PageActor) -> Response:
    service.check_duplicates(db, actor=actor)
    return RedirectResponse("/people/duplicates?checked=1", status_code=303)


def _compare_page(
    request: Request,
    db: DB,
    actor: PageActor,
    person_id: int,
    other_person_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    comparison = service.compare_persons(
        db, actor=actor, person_id=person_id, other_person_id=other_person_id
    )
    return render(
        request,
        "identity/compare.html",
        {"c": comparison, "merged": request.query_params.get("merged") == "1", **extra},
        status_code=status_code,
    )


@router.get("/people/{person_id}/compare/{other_person_id}")
def compare(
    request: Request, db: DB, actor: PageActor, person_id: Id, other_person_id: Id
) -> Response:
    return _compare_page(request, db, actor, person_id, other_person_id)


@router.post("/people/{person_id}/merge")
def merge(
    request: Request,
    db: DB,
    actor: PageActor,
    person_id: Id,
    other_person_id: FormId,
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    actor.require(Permission.PEOPLE_MANAGE)
    if confirm != "yes":
        message = "Confirm that these two records are the same person"
        return _compare_page(
            request,
            db,
            actor,
            person_id,
            other_person_id,
            status_code=422,
            error="Confirm that the records are the same person before you merge them.",
            errors={"confirm": message},
        )
    merged = service.merge_persons(
        db, actor=actor, person_id=person_id, other_person_id=other_person_id
    )
    return RedirectResponse(
        f"/people/{merged.person_id}/compare/{merged.other_person_id}?merged=1", status_code=303
    )


@router.post("/people/{person_id}/not-same")
def not_same(db: DB, actor: PageActor, person_id: Id, other_person_id: FormId) -> Response:
    service.record_not_same(db, actor=actor, person_id=person_id, other_person_id=other_person_id)
    return RedirectResponse("/people/duplicates?not_same=1", status_code=303)


@router.post("/people/merges/{merge_id}/unmerge")
def unmerge(
    db: DB,
    actor: PageActor,
    merge_id: Id,
    back_to: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    merge = service.unmerge_persons(db, actor=actor, merge_id=merge_id)
    return RedirectResponse(f"/people/{back_to or merge.person_id}", status_code=303)


def duplicates_panel(db: DB, actor: PageActor, person_id: int) -> dict[str, object]:
    """What the person page shows under "Possible duplicates": only to those who may search
    everyone (the panel would otherwise reveal records in cases the reader cannot see)."""
    if not any(actor.can(p) for p in service.SEARCH_PERMISSIONS):
        return {"identity_panel": False}
    duplicates = service.possible_duplicates(db, actor=actor, person_id=person_id)
    merges = service.merges_of(db, person_id=person_id)
    return {
        "identity_panel": True,
        "duplicates": duplicates,
        "people": service.person_summaries(
            db, [c.person_id for c in duplicates] + [m.other_person_id for m in merges]
        ),
        "merges": merges,
        "can_merge": actor.can(Permission.PEOPLE_MANAGE),
    }
